/**
 * Parser for the nft command language: `nft -f` files (block and command syntax) and
 * single command lines. Produces commands whose rules are already in canonical form
 * (see canon.ts); the executor (ruleset.ts) applies them.
 * @module
 */
import type { Issue } from "../../core/issue.js";
import type { SourceLoc } from "../../core/loc.js";
import type {
  BaseSpec,
  Const,
  DType,
  Expr,
  MatchOp,
  MetaE,
  CtE,
  NftFamily,
  PayloadE,
  Stmt,
  VerdictKind,
} from "./ast.js";
import { NFT_FAMILIES } from "./ast.js";
import { lex, tokName, type Tok } from "./lexer.js";
import { parseConst, parseNum, CT_STATE_BITS } from "./dtype.js";
import { canonRule, typeValue, type RawVal, leftType } from "./canon.js";

export const KEYWORDS: ReadonlySet<string> = new Set([
  "table",
  "chain",
  "rule",
  "set",
  "map",
  "element",
  "elements",
  "add",
  "create",
  "insert",
  "delete",
  "flush",
  "list",
  "replace",
  "ruleset",
  "type",
  "hook",
  "priority",
  "policy",
  "accept",
  "drop",
  "continue",
  "return",
  "jump",
  "goto",
  "counter",
  "log",
  "limit",
  "comment",
  "meta",
  "ct",
  "ip",
  "ip6",
  "tcp",
  "udp",
  "th",
  "fib",
  "socket",
  "mark",
  "dnat",
  "snat",
  "masquerade",
  "redirect",
  "tproxy",
  "reject",
  "notrack",
  "to",
  "with",
  "flags",
  "handle",
  "position",
  "index",
  "define",
  "include",
  "inet",
  "arp",
  "bridge",
  "netdev",
  "device",
  "vmap",
  "state",
  "direction",
  "saddr",
  "daddr",
  "sport",
  "dport",
  "protocol",
  "nexthdr",
  "l4proto",
  "nfproto",
  "iifname",
  "oifname",
  "iif",
  "oif",
  "skuid",
  "skgid",
  "nftrace",
  "transparent",
  "wildcard",
  "queue",
  "numgen",
  "typeof",
  "interval",
  "auto-merge",
  "size",
  "timeout",
  "and",
  "or",
  "xor",
]);

export type NftCmd =
  | {
      op: "add" | "create";
      obj: "table";
      family: NftFamily;
      table: string;
      flags?: string[];
      comment?: string;
      loc: SourceLoc;
      tok: Tok;
    }
  | {
      op: "add" | "create";
      obj: "chain";
      family: NftFamily;
      table: string;
      chain: string;
      base?: BaseSpec;
      policySet?: boolean;
      comment?: string;
      loc: SourceLoc;
      tok: Tok;
      tableTok: Tok;
      prioTok?: Tok;
    }
  | {
      op: "add" | "insert" | "replace";
      obj: "rule";
      family: NftFamily;
      table: string;
      chain: string;
      handle?: number;
      index?: number;
      stmts: Stmt[];
      comment?: string;
      loc: SourceLoc;
      tok: Tok;
      tableTok: Tok;
      chainTok: Tok;
      stmtToks: Tok[][];
    }
  | {
      op: "add" | "create";
      obj: "set";
      family: NftFamily;
      table: string;
      set: SetDecl;
      loc: SourceLoc;
      tok: Tok;
      tableTok: Tok;
    }
  | {
      op: "add" | "delete";
      obj: "element";
      family: NftFamily;
      table: string;
      set: string;
      elems: RawVal[];
      loc: SourceLoc;
      tok: Tok;
      tableTok: Tok;
      setTok: Tok;
    }
  | {
      op: "delete" | "flush";
      obj: "table" | "chain" | "set" | "map" | "rule";
      family: NftFamily;
      table: string;
      name?: string;
      handle?: number;
      loc: SourceLoc;
      tok: Tok;
      tableTok: Tok;
      nameTok?: Tok;
    }
  | { op: "flush"; obj: "ruleset"; family?: NftFamily; loc: SourceLoc; tok: Tok }
  | { op: "noop"; loc: SourceLoc; tok: Tok };

export interface SetDecl {
  name: string;
  map: boolean;
  keyType: DType[];
  typeofText?: string;
  dataType?: DType;
  flags: string[];
  autoMerge: boolean;
  elems?: RawVal[];
  size?: number;
  timeout?: string;
  counter?: boolean;
  comment?: string;
  policy?: string;
}

class SyntaxErr extends Error {
  constructor(
    public tok: Tok,
    public msg: string,
  ) {
    super(msg);
  }
}

const PRIO_NAMES: Record<string, number> = {
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
};
const BRIDGE_PRIO_NAMES: Record<string, number> = {
  dstnat: -300,
  filter: -200,
  out: 100,
  srcnat: 300,
};

/** Whether a standard priority name is valid for family/hook (nft's std_prio_family_hook_compat). */
export function prioNameValid(name: string, family: NftFamily, hook: string): boolean {
  if (family === "bridge") {
    if (name === "dstnat") return hook === "prerouting";
    if (name === "srcnat") return hook === "postrouting";
    return name === "filter" || name === "out";
  }
  if (name === "dstnat") return hook === "prerouting";
  if (name === "srcnat") return hook === "postrouting";
  if (family === "arp") return name === "filter";
  return name === "raw" || name === "mangle" || name === "filter" || name === "security";
}

function prioValue(name: string, family: NftFamily): number | undefined {
  return family === "bridge" ? BRIDGE_PRIO_NAMES[name] : PRIO_NAMES[name];
}

const VERDICTS = new Set(["accept", "drop", "continue", "return", "jump", "goto"]);
const META_UNQUALIFIED = new Set([
  "mark",
  "iif",
  "oif",
  "iifname",
  "oifname",
  "skuid",
  "skgid",
  "nftrace",
  "iiftype",
  "oiftype",
  "pkttype",
  "iifgroup",
  "oifgroup",
  "cpu",
  "cgroup",
  "rtclassid",
]);
const META_KEYS = new Set([
  ...META_UNQUALIFIED,
  "l4proto",
  "nfproto",
  "protocol",
  "length",
  "priority",
  "secpath",
  "time",
  "day",
  "hour",
  "random",
]);
const CT_KEYS = new Set([
  "state",
  "direction",
  "status",
  "mark",
  "zone",
  "expiration",
  "helper",
  "l3proto",
  "protocol",
  "label",
  "id",
  "saddr",
  "daddr",
  "proto-src",
  "proto-dst",
]);
const PAYLOAD_FIELDS: Record<string, string[]> = {
  ip: [
    "saddr",
    "daddr",
    "protocol",
    "version",
    "hdrlength",
    "dscp",
    "ecn",
    "length",
    "id",
    "frag-off",
    "ttl",
    "checksum",
  ],
  ip6: ["saddr", "daddr", "nexthdr", "version", "dscp", "ecn", "flowlabel", "length", "hoplimit"],
  tcp: ["sport", "dport", "flags", "sequence", "ackseq", "doff", "window", "checksum", "urgptr"],
  udp: ["sport", "dport", "length", "checksum"],
  udplite: ["sport", "dport", "checksum"],
  sctp: ["sport", "dport", "vtag", "checksum"],
  th: ["sport", "dport"],
  icmp: ["type", "code", "checksum", "id", "sequence", "mtu", "gateway"],
  icmpv6: ["type", "code", "checksum", "mtu", "id", "sequence", "max-delay"],
};

export interface ParseOut {
  cmds: NftCmd[];
  issues: Issue[];
}

export interface ParseOpts {
  file: string;
  /** Map a (line, col) of the parsed text to the original location (argv mode). */
  mapLoc?: (line: number, col: number) => SourceLoc;
  /** Whether this is a single command line (argv): block syntax at top level still allowed. */
  single?: boolean;
}

/** Parse nft text into commands. Syntax errors are reported nft-style and parsing resumes at the next line. */
export function parseNft(text: string, opts: ParseOpts): ParseOut {
  const p = new Parser(substituteDefines(lex(text)), opts);
  p.parseFile();
  return { cmds: p.cmds, issues: p.issues };
}

/** Pre-pass: record `define NAME = value` and replace later `$NAME` tokens (merging `addr:` + `$port`). */
function substituteDefines(toks: Tok[]): Tok[] {
  const defs = new Map<string, Tok[]>();
  const out: Tok[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const prev = out[out.length - 1];
    if (
      t.kind === "word" &&
      (t.text === "define" || t.text === "redefine") &&
      (!prev || prev.kind === "nl" || (prev.kind === "op" && prev.text === "{"))
    ) {
      const name = toks[i + 1];
      if (name && name.kind === "word" && toks[i + 2]?.kind === "op" && toks[i + 2]!.text === "=") {
        const val: Tok[] = [];
        let depth = 0,
          j = i + 3;
        for (; j < toks.length; j++) {
          const x = toks[j]!;
          if (x.kind === "eof" || (x.kind === "nl" && depth === 0)) break;
          if (x.kind === "op" && x.text === "{") depth++;
          if (x.kind === "op" && x.text === "}") depth--;
          if (x.kind === "word" && x.text.startsWith("$") && defs.has(x.text.slice(1)))
            val.push(...defs.get(x.text.slice(1))!);
          else val.push(x);
        }
        defs.set(name.text, val);
        // keep the define tokens for the parser (it records/validates them too)
        for (let k = i; k < j; k++) out.push(toks[k]!);
        i = j - 1;
        continue;
      }
    }
    if (t.kind === "word" && t.text.startsWith("$") && defs.has(t.text.slice(1))) {
      const repl = defs
        .get(t.text.slice(1))!
        .map((x) => ({ ...x, line: t.line, col: t.col, len: t.len }));
      const adj =
        prev &&
        prev.kind === "word" &&
        prev.line === t.line &&
        prev.col + prev.len === t.col &&
        prev.text.endsWith(":");
      if (adj && repl.length === 1 && repl[0]!.kind === "word") {
        out[out.length - 1] = { ...prev, text: prev.text + repl[0]!.text, len: prev.len + t.len };
        continue;
      }
      out.push(...repl);
      continue;
    }
    out.push(t);
  }
  return out;
}

class Parser {
  pos = 0;
  cmds: NftCmd[] = [];
  issues: Issue[] = [];
  defines = new Map<string, Tok[]>();

  constructor(
    public toks: Tok[],
    public opts: ParseOpts,
  ) {}

  loc(t: Tok): SourceLoc {
    return this.opts.mapLoc
      ? this.opts.mapLoc(t.line, t.col)
      : { file: this.opts.file, line: t.line, col: t.col };
  }
  peek(o = 0): Tok {
    return this.toks[Math.min(this.pos + o, this.toks.length - 1)]!;
  }
  next(): Tok {
    const t = this.peek();
    if (this.pos < this.toks.length - 1) this.pos++;
    return t;
  }
  isWord(t: Tok, w?: string): boolean {
    return t.kind === "word" && (w === undefined || t.text === w);
  }
  isOp(t: Tok, o: string): boolean {
    return t.kind === "op" && t.text === o;
  }
  atEnd(t: Tok = this.peek()): boolean {
    return t.kind === "nl" || t.kind === "eof" || this.isOp(t, "}");
  }

  unexpected(t: Tok, expecting?: string): never {
    throw new SyntaxErr(
      t,
      `Error: syntax error, unexpected ${tokName(t, KEYWORDS)}${expecting ? `, expecting ${expecting}` : ""}`,
    );
  }
  fail(t: Tok, msg: string): never {
    throw new SyntaxErr(t, `Error: ${msg}`);
  }

  word(expecting = "string"): Tok {
    const t = this.next();
    if (t.kind === "word" || t.kind === "string") return t;
    this.unexpected(t, expecting === "string" ? undefined : expecting);
  }
  expectWord(w: string): Tok {
    const t = this.next();
    if (!this.isWord(t, w)) this.unexpected(t, w);
    return t;
  }
  expectOp(o: string, expecting?: string): Tok {
    const t = this.next();
    if (!this.isOp(t, o)) this.unexpected(t, expecting ?? `'${o}'`);
    return t;
  }
  skipNl(): void {
    while (this.peek().kind === "nl") this.next();
  }
  endStmt(): void {
    const t = this.peek();
    if (t.kind === "nl") {
      this.next();
      return;
    }
    if (t.kind === "eof") return;
    this.unexpected(t, "newline or semicolon");
  }
  /** Skip to the next top-level separator after an error. */
  recover(): void {
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof") return;
      if (this.isOp(t, "{")) depth++;
      if (this.isOp(t, "}")) {
        if (depth === 0) {
          this.next();
          return;
        }
        depth--;
      }
      if (t.kind === "nl" && depth === 0) {
        this.next();
        return;
      }
      this.next();
    }
  }
  record(e: unknown): void {
    if (e instanceof SyntaxErr) {
      this.issues.push({
        code: "nft.syntax",
        message: e.msg,
        loc: this.loc(e.tok),
        token: e.tok.text,
        expected: e.msg.split("expecting ")[1],
      });
    } else throw e;
  }

  parseFile(): void {
    for (;;) {
      this.skipNl();
      const t = this.peek();
      if (t.kind === "eof") return;
      const before = this.pos;
      try {
        this.command();
      } catch (e) {
        this.record(e);
        if (this.pos === before) this.next();
        this.recover();
      }
    }
  }

  family(): NftFamily {
    const t = this.peek();
    if (t.kind === "word" && (NFT_FAMILIES as readonly string[]).includes(t.text)) {
      // `ip` is a family only when followed by a table name (not `ip saddr`).
      this.next();
      return t.text as NftFamily;
    }
    return "ip";
  }
  ident(expecting?: string): Tok {
    const t = this.next();
    if (t.kind === "word" || t.kind === "string") {
      if (t.kind === "word" && t.text.startsWith("$")) return this.expandIdent(t);
      return t;
    }
    this.unexpected(t, expecting);
  }
  expandIdent(t: Tok): Tok {
    const d = this.defines.get(t.text.slice(1));
    if (!d)
      this.fail(
        { ...t, col: t.col + 1, len: t.len - 1 },
        `unknown identifier '${t.text.slice(1)}'`,
      );
    const first = d[0];
    return first ? { ...first, line: t.line, col: t.col } : t;
  }

  /** Replace `$name` tokens from the current position up to the end of the statement. */
  expandDefines(): void {
    for (let i = this.pos; i < this.toks.length; i++) {
      const t = this.toks[i]!;
      if (t.kind === "nl" || t.kind === "eof") break;
      if (t.kind === "word" && t.text.startsWith("$")) {
        const d = this.defines.get(t.text.slice(1));
        if (!d)
          throw new SyntaxErr(
            { ...t, col: t.col + 1, len: t.len - 1 },
            `Error: unknown identifier '${t.text.slice(1)}'`,
          );
        const repl = d.map((x) => ({ ...x, line: t.line, col: t.col }));
        this.toks.splice(i, 1, ...repl);
        i += repl.length - 1;
      }
    }
  }

  command(): void {
    this.expandDefines();
    const t = this.peek();
    if (t.kind !== "word") this.unexpected(t);
    switch (t.text) {
      case "include": {
        this.next();
        const f = this.next();
        this.fail(t, `File not found: ${f.text}`);
        break;
      }
      case "define":
      case "redefine": {
        this.next();
        const name = this.word();
        this.expectOp("=");
        const val: Tok[] = [];
        let depth = 0;
        while (!(this.peek().kind === "eof" || (this.peek().kind === "nl" && depth === 0))) {
          const x = this.next();
          if (this.isOp(x, "{")) depth++;
          if (this.isOp(x, "}")) depth--;
          val.push(x);
        }
        this.defines.set(name.text, val);
        this.endStmt();
        return;
      }
      case "undefine": {
        this.next();
        const n = this.word();
        this.defines.delete(n.text);
        this.endStmt();
        return;
      }
      case "table":
        this.next();
        this.tableCmd("add", t);
        return;
      case "chain":
        this.next();
        this.chainCmd("add", t);
        return;
      case "rule":
        this.next();
        this.ruleCmd("add", t);
        return;
      case "set":
      case "map":
        this.next();
        this.setCmd("add", t, t.text === "map");
        return;
      case "element":
        this.next();
        this.elementCmd("add", t);
        return;
      case "add":
      case "create": {
        this.next();
        const o = this.next();
        const op = t.text as "add" | "create";
        if (this.isWord(o, "table")) return this.tableCmd(op, o);
        if (this.isWord(o, "chain")) return this.chainCmd(op, o);
        if (this.isWord(o, "rule") && op === "add") return this.ruleCmd("add", o);
        if (this.isWord(o, "set") || this.isWord(o, "map"))
          return this.setCmd(op, o, o.text === "map");
        if (this.isWord(o, "element")) return this.elementCmd("add", o);
        if (
          o.kind === "word" &&
          ["counter", "quota", "flowtable", "ct", "limit", "secmark", "synproxy"].includes(o.text)
        )
          this.fail(
            o,
            `unsupported object type '${o.text}' (routelab models tables, chains, rules, sets and maps)`,
          );
        // `add ip t c ...` shorthand for add rule
        this.pos--;
        return this.ruleCmd("add", t);
      }
      case "insert":
      case "replace": {
        this.next();
        const o = this.next();
        if (!this.isWord(o, "rule")) this.unexpected(o, "rule");
        return this.ruleCmd(t.text as "insert" | "replace", o);
      }
      case "delete":
      case "destroy": {
        this.next();
        const o = this.next();
        if (this.isWord(o, "element")) return this.elementCmd("delete", o);
        if (o.kind === "word" && ["table", "chain", "rule", "set", "map"].includes(o.text))
          return this.deleteFlush("delete", o);
        this.unexpected(o);
        break;
      }
      case "flush": {
        this.next();
        const o = this.next();
        if (this.isWord(o, "ruleset")) {
          let family: NftFamily | undefined;
          const f = this.peek();
          if (f.kind === "word" && (NFT_FAMILIES as readonly string[]).includes(f.text)) {
            this.next();
            family = f.text as NftFamily;
          }
          this.cmds.push({ op: "flush", obj: "ruleset", family, loc: this.loc(t), tok: t });
          this.endStmt();
          return;
        }
        if (o.kind === "word" && ["table", "chain", "set", "map"].includes(o.text))
          return this.deleteFlush("flush", o);
        this.unexpected(o);
        break;
      }
      case "list":
      case "monitor":
      case "describe":
      case "export":
      case "reset": {
        // Queries do not change state.
        while (!(this.peek().kind === "nl" || this.peek().kind === "eof")) this.next();
        this.cmds.push({ op: "noop", loc: this.loc(t), tok: t });
        this.endStmt();
        return;
      }
      default:
        this.unexpected(t);
    }
  }

  tableCmd(op: "add" | "create", kw: Tok): void {
    const family = this.family();
    const name = this.ident();
    const cmd: NftCmd = {
      op,
      obj: "table",
      family,
      table: name.text,
      loc: this.loc(kw),
      tok: name,
    };
    this.cmds.push(cmd);
    if (this.isOp(this.peek(), "{")) {
      this.next();
      const start = this.cmds.length;
      this.tableBody(family, name);
      // nft_cmd_expand(): chains, then sets, then rules (handle allocation order).
      const sub = this.cmds.splice(start);
      this.cmds.push(
        ...sub.filter((c) => c.op !== "noop" && c.obj === "chain"),
        ...sub.filter((c) => c.op !== "noop" && c.obj === "set"),
        ...sub.filter((c) => c.op === "noop" || (c.obj !== "chain" && c.obj !== "set")),
      );
      this.expectOp("}");
    }
    this.endStmt();
  }

  tableBody(family: NftFamily, tname: Tok): void {
    const tcmd = this.cmds[this.cmds.length - 1] as Extract<NftCmd, { obj: "table" }>;
    for (;;) {
      this.skipNl();
      const t = this.peek();
      if (this.isOp(t, "}") || t.kind === "eof") return;
      const before = this.pos;
      try {
        this.expandDefines();
        if (this.isWord(t, "chain")) {
          this.next();
          const name = this.ident();
          this.chainBlock(family, tname, name, t, "add");
          continue;
        }
        if (this.isWord(t, "set") || this.isWord(t, "map")) {
          this.next();
          const name = this.ident();
          this.expectOp("{");
          const decl = this.setBody(name.text, t.text === "map");
          this.expectOp("}");
          this.cmds.push({
            op: "add",
            obj: "set",
            family,
            table: tname.text,
            set: decl,
            loc: this.loc(t),
            tok: name,
            tableTok: tname,
          });
          this.endStmt();
          continue;
        }
        if (this.isWord(t, "flags")) {
          this.next();
          tcmd.flags = this.commaWords();
          this.endStmt();
          continue;
        }
        if (this.isWord(t, "comment")) {
          this.next();
          tcmd.comment = this.str();
          this.endStmt();
          continue;
        }
        if (
          t.kind === "word" &&
          ["counter", "quota", "flowtable", "ct", "limit", "secmark", "synproxy"].includes(t.text)
        ) {
          this.fail(
            t,
            `unsupported object type '${t.text}' (routelab models tables, chains, rules, sets and maps)`,
          );
        }
        this.unexpected(t);
      } catch (e) {
        this.record(e);
        if (this.pos === before) this.next();
        this.recover();
      }
    }
  }

  str(): string {
    const t = this.next();
    if (t.kind === "string" || t.kind === "word") return t.text;
    this.unexpected(t);
  }
  commaWords(): string[] {
    const out = [this.word().text];
    while (this.isOp(this.peek(), ",")) {
      this.next();
      out.push(this.word().text);
    }
    return out;
  }

  chainBlock(family: NftFamily, tname: Tok, name: Tok, kw: Tok, op: "add" | "create"): void {
    const cmd: Extract<NftCmd, { obj: "chain" }> = {
      op,
      obj: "chain",
      family,
      table: tname.text,
      chain: name.text,
      loc: this.loc(kw),
      tok: name,
      tableTok: tname,
    };
    this.cmds.push(cmd);
    this.expectOp("{");
    for (;;) {
      this.skipNl();
      const t = this.peek();
      if (this.isOp(t, "}")) break;
      if (t.kind === "eof") this.unexpected(t);
      const before = this.pos;
      try {
        this.expandDefines();
        if (this.isWord(t, "type")) {
          this.chainSpec(cmd, family);
          this.endStmt();
          continue;
        }
        if (this.isWord(t, "policy")) {
          this.next();
          const p = this.next();
          if (!(this.isWord(p, "accept") || this.isWord(p, "drop")))
            this.unexpected(p, "accept or drop or '$'");
          if (cmd.base) cmd.base.policy = p.text as "accept" | "drop";
          cmd.policySet = true;
          this.endStmt();
          continue;
        }
        if (
          this.isWord(t, "comment") &&
          this.peek(1).kind === "string" &&
          (this.peek(2).kind === "nl" || this.isOp(this.peek(2), "}"))
        ) {
          this.next();
          cmd.comment = this.str();
          this.endStmt();
          continue;
        }
        const r = this.ruleBody(family);
        this.cmds.push({
          op: "add",
          obj: "rule",
          family,
          table: tname.text,
          chain: name.text,
          stmts: r.stmts,
          comment: r.comment,
          loc: this.loc(t),
          tok: t,
          tableTok: tname,
          chainTok: name,
          stmtToks: r.stmtToks,
        });
        this.endStmt();
      } catch (e) {
        this.record(e);
        if (this.pos === before) this.next();
        this.recover();
      }
    }
    this.expectOp("}");
    this.endStmt();
  }

  chainSpec(cmd: Extract<NftCmd, { obj: "chain" }>, family: NftFamily): void {
    this.expectWord("type");
    const ty = this.word();
    if (!["filter", "nat", "route"].includes(ty.text))
      this.fail(ty, `unknown chain type ${ty.text}`);
    this.expectWord("hook");
    const hook = this.word();
    let device: string | undefined;
    if (this.isWord(this.peek(), "device")) {
      this.next();
      device = this.str();
    }
    const pkw = this.next();
    if (!this.isWord(pkw, "priority")) this.unexpected(pkw, "priority");
    const pt = this.peek();
    let prio: number;
    const first = this.next();
    if (first.kind === "word" && /^-?[0-9]+$/.test(first.text)) prio = Number(first.text);
    else if (first.kind === "word" && prioValue(first.text, family) !== undefined) {
      let v = prioValue(first.text, family)!;
      if (
        this.isOp(this.peek(), "-") ||
        (this.peek().kind === "word" && /^\+?[0-9]+$/.test(this.peek().text)) ||
        this.isWord(this.peek(), "+")
      ) {
        const sign = this.next();
        if (sign.text === "-" || sign.text === "+") {
          const n = this.next();
          if (!/^[0-9]+$/.test(n.text)) this.unexpected(n);
          v += sign.text === "-" ? -Number(n.text) : Number(n.text);
        } else v += Number(sign.text.replace("+", ""));
      }
      if (!prioNameValid(first.text, family, hook.text)) {
        const endT = this.toks[this.pos - 1]!;
        this.fail(
          { ...pkw, len: endT.col + endT.len - pkw.col },
          "invalid priority expression value in this context.",
        );
      }
      prio = v;
    } else if (first.kind === "word" && /^-?[0-9]+$/.test(first.text.replace(/^\+/, "")))
      prio = Number(first.text);
    else this.unexpected(first);
    void pt;
    cmd.base = {
      type: ty.text as BaseSpec["type"],
      hook: hook.text,
      prio,
      policy: cmd.base?.policy ?? "accept",
      device,
    };
    cmd.prioTok = pkw;
    // Optional `; policy X` on the same line is handled by the caller's loop.
  }

  setBody(name: string, map: boolean): SetDecl {
    const d: SetDecl = { name, map, keyType: [], flags: [], autoMerge: false };
    for (;;) {
      this.skipNl();
      const t = this.peek();
      if (this.isOp(t, "}") || t.kind === "eof") return d;
      const kw = this.next();
      switch (kw.text) {
        case "type": {
          d.keyType = [this.dtypeTok(this.word())];
          while (this.isOp(this.peek(), ".")) {
            this.next();
            d.keyType.push(this.dtypeTok(this.word()));
          }
          if (map) {
            this.expectOp(":");
            d.dataType = this.dtypeTok(this.word());
          }
          break;
        }
        case "typeof": {
          const parts: string[] = [];
          const types: DType[] = [];
          for (;;) {
            const a = this.word();
            const b = this.word();
            const e = leftFor(a.text, b.text);
            if (!e) this.fail(a, `typeof ${a.text} ${b.text} is not supported`);
            parts.push(`${a.text} ${b.text}`);
            types.push(leftType(e));
            if (this.isOp(this.peek(), ".")) {
              this.next();
              continue;
            }
            break;
          }
          d.typeofText = parts.join(" . ");
          d.keyType = types;
          if (map) {
            this.expectOp(":");
            const v = this.word();
            d.dataType = this.dtypeTok(v);
            d.typeofText += ` : ${v.text}`;
          }
          break;
        }
        case "flags":
          d.flags = this.commaWords();
          break;
        case "auto-merge":
          d.autoMerge = true;
          break;
        case "size":
          d.size = Number(this.word().text);
          break;
        case "timeout":
          d.timeout = this.word().text;
          break;
        case "counter":
          d.counter = true;
          break;
        case "policy":
          d.policy = this.word().text;
          break;
        case "comment":
          d.comment = this.str();
          break;
        case "elements": {
          this.expectOp("=");
          const v = this.rawValue();
          d.elems = v.k === "set" ? v.items : [v];
          break;
        }
        default:
          this.unexpected(kw);
      }
      const e = this.peek();
      if (this.isOp(e, "}")) return d;
      this.endStmt();
    }
  }

  dtypeTok(t: Tok): DType {
    const known: DType[] = [
      "ipv4_addr",
      "ipv6_addr",
      "inet_service",
      "mark",
      "inet_proto",
      "ct_state",
      "ct_dir",
      "uid",
      "gid",
      "ifname",
      "iface_index",
      "nf_proto",
      "fib_addrtype",
      "verdict",
      "ether_addr",
      "integer",
      "boolean",
    ];
    if ((known as string[]).includes(t.text)) return t.text as DType;
    this.fail(t, `unknown datatype ${t.text}`);
  }

  tableRef(): { family: NftFamily; table: Tok } {
    const family = this.family();
    const table = this.ident();
    return { family, table };
  }

  chainCmd(op: "add" | "create", kw: Tok): void {
    const { family, table } = this.tableRef();
    const name = this.ident();
    if (this.isOp(this.peek(), "{")) {
      this.chainBlockCmd(family, table, name, kw, op);
      return;
    }
    this.cmds.push({
      op,
      obj: "chain",
      family,
      table: table.text,
      chain: name.text,
      loc: this.loc(kw),
      tok: name,
      tableTok: table,
    });
    this.endStmt();
  }

  /** `add chain T C { type ...; policy ...; }` on a command line: no rules allowed. */
  chainBlockCmd(family: NftFamily, table: Tok, name: Tok, kw: Tok, op: "add" | "create"): void {
    this.chainBlock(family, table, name, kw, op);
  }

  ruleCmd(op: "add" | "insert" | "replace", kw: Tok): void {
    const { family, table } = this.tableRef();
    const chain = this.ident();
    let handle: number | undefined, index: number | undefined;
    const p = this.peek();
    if (this.isWord(p, "position") || this.isWord(p, "handle") || this.isWord(p, "index")) {
      this.next();
      const n = this.next();
      const v = parseNum(n.text);
      if (v === undefined) this.unexpected(n, "number");
      if (p.text === "index") index = v;
      else handle = v;
    }
    const start = this.peek();
    const r = this.ruleBody(family);
    this.cmds.push({
      op,
      obj: "rule",
      family,
      table: table.text,
      chain: chain.text,
      handle,
      index,
      stmts: r.stmts,
      comment: r.comment,
      loc: this.loc(start),
      tok: start,
      tableTok: table,
      chainTok: chain,
      stmtToks: r.stmtToks,
    });
    this.endStmt();
  }

  setCmd(op: "add" | "create", kw: Tok, map: boolean): void {
    const { family, table } = this.tableRef();
    const name = this.ident();
    this.expectOp("{");
    const decl = this.setBody(name.text, map);
    this.expectOp("}");
    this.cmds.push({
      op,
      obj: "set",
      family,
      table: table.text,
      set: decl,
      loc: this.loc(kw),
      tok: name,
      tableTok: table,
    });
    this.endStmt();
  }

  elementCmd(op: "add" | "delete", kw: Tok): void {
    const { family, table } = this.tableRef();
    const name = this.ident();
    const v = this.rawValue();
    if (v.k !== "set") this.fail(v.tok, "syntax error, expecting '{'");
    this.cmds.push({
      op,
      obj: "element",
      family,
      table: table.text,
      set: name.text,
      elems: v.items,
      loc: this.loc(kw),
      tok: name,
      tableTok: table,
      setTok: name,
    });
    this.endStmt();
  }

  deleteFlush(op: "delete" | "flush", o: Tok): void {
    const obj = o.text as "table" | "chain" | "set" | "map" | "rule";
    if (obj === "table") {
      const family = this.family();
      const t = this.peek();
      if (this.isWord(t, "handle")) {
        this.next();
        const h = this.next();
        this.cmds.push({
          op,
          obj,
          family,
          table: "",
          handle: parseNum(h.text),
          loc: this.loc(o),
          tok: h,
          tableTok: h,
        });
        this.endStmt();
        return;
      }
      const table = this.ident();
      this.cmds.push({
        op,
        obj,
        family,
        table: table.text,
        loc: this.loc(o),
        tok: table,
        tableTok: table,
      });
      this.endStmt();
      return;
    }
    const { family, table } = this.tableRef();
    let name: Tok | undefined, handle: number | undefined;
    if (this.isWord(this.peek(), "handle") && obj !== "rule") {
      this.next();
      const h = this.next();
      handle = parseNum(h.text);
    } else name = this.ident();
    if (obj === "rule") {
      const h = this.next();
      if (!this.isWord(h, "handle")) this.unexpected(h, "handle");
      const n = this.next();
      handle = parseNum(n.text);
      if (handle === undefined) this.unexpected(n, "number");
      this.cmds.push({
        op,
        obj,
        family,
        table: table.text,
        name: name?.text,
        handle,
        loc: this.loc(o),
        tok: n,
        tableTok: table,
        nameTok: name,
      });
      this.endStmt();
      return;
    }
    this.cmds.push({
      op,
      obj,
      family,
      table: table.text,
      name: name?.text,
      handle,
      loc: this.loc(o),
      tok: name ?? o,
      tableTok: table,
      nameTok: name,
    });
    this.endStmt();
  }

  // ---------------------------------------------------------------- rules

  ruleBody(family: NftFamily): { stmts: Stmt[]; comment?: string; stmtToks: Tok[][] } {
    const stmts: Stmt[] = [];
    const stmtToks: Tok[][] = [];
    let comment: string | undefined;
    while (!this.atEnd()) {
      const start = this.pos;
      const t = this.peek();
      if (this.isWord(t, "comment")) {
        this.next();
        comment = this.str();
        continue;
      }
      const s = this.statement(family);
      stmts.push(...s);
      for (let i = 0; i < s.length; i++) stmtToks.push(this.toks.slice(start, this.pos));
    }
    if (stmts.length === 0 && comment === undefined) this.unexpected(this.peek());
    const c = canonRule(stmts, family);
    if (!c.ok) {
      const toks = stmtToks[c.index] ?? [this.peek()];
      let first = toks[0]!;
      if (c.at === "port") {
        const ti = toks.findIndex((x) => x.text === "to");
        const pt = toks[ti + 1];
        if (pt)
          first = {
            ...pt,
            col: pt.col + pt.text.indexOf(":") + 1,
            len: pt.len - pt.text.indexOf(":") - 1,
          };
      }
      throw new SyntaxErr(first, `Error: ${c.msg}`);
    }
    return { stmts: c.stmts, comment, stmtToks };
  }

  statement(family: NftFamily): Stmt[] {
    const t = this.peek();
    if (t.kind !== "word") this.unexpected(t);
    const w = t.text;
    if (VERDICTS.has(w)) {
      this.next();
      if (w === "jump" || w === "goto") {
        const target = this.ident();
        return [{ k: "verdict", v: w, target: target.text }];
      }
      return [{ k: "verdict", v: w as VerdictKind }];
    }
    switch (w) {
      case "counter": {
        this.next();
        let packets = 0,
          bytes = 0;
        if (this.isWord(this.peek(), "packets")) {
          this.next();
          packets = Number(this.word().text);
          this.expectWord("bytes");
          bytes = Number(this.word().text);
        }
        return [{ k: "counter", packets, bytes }];
      }
      case "log": {
        this.next();
        const s: Extract<Stmt, { k: "log" }> = { k: "log" };
        for (;;) {
          const o = this.peek();
          if (this.isWord(o, "prefix")) {
            this.next();
            s.prefix = this.str();
            continue;
          }
          if (this.isWord(o, "level")) {
            this.next();
            s.level = this.word().text;
            continue;
          }
          if (this.isWord(o, "group")) {
            this.next();
            s.group = Number(this.word().text);
            continue;
          }
          if (this.isWord(o, "flags")) {
            this.next();
            s.flags = this.commaWords();
            continue;
          }
          break;
        }
        return [s];
      }
      case "limit": {
        this.next();
        this.expectWord("rate");
        let over = false;
        if (this.isWord(this.peek(), "over")) {
          this.next();
          over = true;
        }
        const r = this.word();
        let rate: number, per: string;
        let bytes: string | undefined;
        const m = /^([0-9]+)\/(second|minute|hour|day|week)$/.exec(r.text);
        if (m) {
          rate = Number(m[1]);
          per = m[2]!;
        } else {
          rate = Number(r.text);
          if (!Number.isFinite(rate)) this.unexpected(r);
          const u = this.word();
          const mm = /^([a-z]+)\/(second|minute|hour|day|week)$/.exec(u.text);
          if (mm) {
            bytes = mm[1];
            per = mm[2]!;
          } else {
            this.expectOp("/");
            per = this.word().text;
          }
        }
        let burst: number | undefined;
        if (this.isWord(this.peek(), "burst")) {
          this.next();
          burst = Number(this.word().text);
          if (this.isWord(this.peek(), "packets") || this.isWord(this.peek(), "bytes")) this.next();
        }
        return [{ k: "limit", rate, per, over, burst, bytes }];
      }
      case "notrack":
        this.next();
        return [{ k: "notrack" }];
      case "reject": {
        this.next();
        if (!this.isWord(this.peek(), "with")) return [{ k: "reject" }];
        this.next();
        const kind = this.word();
        if (kind.text === "tcp") {
          this.expectWord("reset");
          return [{ k: "reject", type: "tcp reset" }];
        }
        if (!["icmp", "icmpv6", "icmpx", "icmp6"].includes(kind.text)) this.unexpected(kind);
        if (this.isWord(this.peek(), "type")) this.next();
        const code = this.word();
        const ty = kind.text === "icmp6" ? "icmpv6" : (kind.text as "icmp" | "icmpv6" | "icmpx");
        return [{ k: "reject", type: ty, code: code.text }];
      }
      case "queue": {
        this.next();
        let num = 0;
        const flags: string[] = [];
        for (;;) {
          const o = this.peek();
          if (this.isWord(o, "num") || this.isWord(o, "to")) {
            this.next();
            num = Number(this.word().text);
            continue;
          }
          if (this.isWord(o, "bypass") || this.isWord(o, "fanout")) {
            this.next();
            flags.push(o.text);
            continue;
          }
          if (this.isWord(o, "flags")) {
            this.next();
            flags.push(...this.commaWords());
            continue;
          }
          break;
        }
        return [{ k: "queue", num, flags }];
      }
      case "dnat":
      case "snat":
        return [this.natStmt(w, family)];
      case "masquerade":
      case "redirect":
        return [this.natStmt(w, family)];
      case "tproxy":
        return [this.tproxyStmt(family)];
      case "numgen":
      case "jhash":
      case "symhash":
      case "osf":
      case "rt":
      case "exthdr":
      case "ipsec":
      case "synproxy":
      case "dup":
      case "fwd":
      case "xt":
        this.fail(t, `'${w}' is not supported by routelab's nftables model`);
    }
    // expression statement: left [op] right | left set value | left vmap ...
    const left = this.leftExpr(family);
    const nt = this.peek();
    if (this.isWord(nt, "set")) {
      this.next();
      // Payload statements cover the header fields routing and NAT look at (addresses, dscp, ports).
      const okPayload =
        left.k === "payload" &&
        (((left.proto === "ip" || left.proto === "ip6") &&
          ["saddr", "daddr", "dscp"].includes(left.field)) ||
          (["tcp", "udp", "th"].includes(left.proto) && ["sport", "dport"].includes(left.field)));
      if (left.k !== "meta" && left.k !== "ct" && !okPayload)
        this.fail(t, `setting ${t.text} is not supported by routelab's nftables model`);
      const key = left as MetaE | CtE | PayloadE;
      const val = this.valueExpr(family, key);
      return [{ k: "mangle", key, value: val }];
    }
    if (this.isWord(nt, "vmap")) {
      this.next();
      const raw = this.rawValue();
      const m = typeValue(raw, left, "verdict");
      if (!m.ok) this.fail(m.tok ?? nt, m.msg);
      if (m.e.k !== "set" && m.e.k !== "setref") this.unexpected(raw.tok, "'{' or '@'");
      return [{ k: "vmap", key: left, map: m.e }];
    }
    let op: MatchOp = "implicit";
    if (nt.kind === "op" && ["==", "!=", "<", ">", "<=", ">="].includes(nt.text)) {
      this.next();
      op = nt.text as MatchOp;
    } else if (nt.kind === "word" && ["eq", "ne", "lt", "gt", "le", "ge"].includes(nt.text)) {
      this.next();
      op = ({ eq: "==", ne: "!=", lt: "<", gt: ">", le: "<=", ge: ">=" } as const)[nt.text as "eq"];
    }
    if (this.atEnd()) this.unexpected(this.peek());
    const raw = this.rawValue(
      (left.k === "ct" && left.key === "state") || (left.k === "payload" && left.field === "flags"),
    );
    const v = typeValue(raw, left);
    if (!v.ok) this.fail(v.tok ?? raw.tok, v.msg);
    return [{ k: "match", left, op, right: v.e }];
  }

  natStmt(w: string, family: NftFamily): Stmt {
    const t = this.next();
    const s: Extract<Stmt, { k: "nat" }> = { k: "nat", type: w as "dnat" };
    let fam: "ip" | "ip6" | undefined;
    if (this.isWord(this.peek(), "ip") || this.isWord(this.peek(), "ip6")) {
      fam = this.next().text as "ip" | "ip6";
    }
    if (this.isWord(this.peek(), "to")) {
      this.next();
      let a = this.word();
      if (w === "redirect" && /^[0-9]/.test(a.text)) a = { ...a, text: ":" + a.text };
      const addrFam: "ip" | "ip6" = fam ?? (family === "ip6" ? "ip6" : "ip");
      if (family === "inet" && !fam && (w === "dnat" || w === "snat") && !a.text.startsWith(":"))
        this.fail(a, "specify `dnat ip` or 'dnat ip6' in inet table to disambiguate");
      const r = parseNatTarget(a.text, addrFam, w === "masquerade" || w === "redirect");
      if (!r.ok) this.fail(a, r.msg);
      s.addr = r.addr;
      s.port = r.port;
    } else if (
      w === "redirect" &&
      this.peek().kind === "word" &&
      /^:?[0-9]/.test(this.peek().text)
    ) {
      const a = this.next();
      const r = parseNatTarget(a.text.startsWith(":") ? a.text : ":" + a.text, "ip", true);
      if (!r.ok) this.fail(a, r.msg);
      s.port = r.port;
    }
    if (fam && family === "inet") s.family = fam;
    const flags: string[] = [];
    while (
      this.peek().kind === "word" &&
      ["random", "fully-random", "persistent"].includes(this.peek().text)
    ) {
      flags.push(this.next().text);
      while (this.isOp(this.peek(), ",")) {
        this.next();
        flags.push(this.word().text);
      }
    }
    if (flags.length) s.flags = flags;
    void t;
    return s;
  }

  tproxyStmt(family: NftFamily): Stmt {
    this.next();
    let fam: "ip" | "ip6" | undefined;
    if (this.isWord(this.peek(), "ip") || this.isWord(this.peek(), "ip6"))
      fam = this.next().text as "ip" | "ip6";
    this.expectWord("to");
    const a = this.word();
    const addrFam: "ip" | "ip6" = fam ?? (family === "ip6" ? "ip6" : "ip");
    const r = parseNatTarget(a.text, addrFam, false);
    if (!r.ok) this.fail(a, r.msg);
    if (family === "inet" && r.addr && !fam)
      this.fail(
        a,
        "Transparent proxy support requires an address family, use tproxy ip to ADDR or tproxy ip6 to ADDR",
      );
    const s: Extract<Stmt, { k: "tproxy" }> = { k: "tproxy" };
    if (family === "inet" && fam && r.addr) s.family = fam;
    if (r.addr) s.addr = r.addr.k === "const" ? r.addr : undefined;
    if (r.port) s.port = r.port.k === "const" ? Number(r.port.v) : undefined;
    return s;
  }

  /** Left-hand expressions: payload, meta, ct, fib, socket, with binops and concatenations. */
  leftExpr(family: NftFamily): Expr {
    let e = this.primaryLeft(family);
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, ".")) {
        this.next();
        const r = this.primaryLeft(family);
        e =
          e.k === "concat"
            ? { k: "concat", items: [...e.items, r] }
            : { k: "concat", items: [e, r] };
        continue;
      }
      const bop =
        t.kind === "op" && ["&", "|", "^"].includes(t.text)
          ? t.text
          : t.kind === "word" && ["and", "or", "xor"].includes(t.text)
            ? ({ and: "&", or: "|", xor: "^" } as const)[t.text as "and"]
            : undefined;
      if (bop) {
        this.next();
        const raw = this.rawValue();
        const v = typeValue(raw, baseOf(e));
        if (!v.ok) this.fail(v.tok ?? raw.tok, v.msg);
        e = { k: "binop", op: bop as "&", left: e, right: v.e };
        continue;
      }
      return e;
    }
  }

  primaryLeft(family: NftFamily): Expr {
    if (this.isOp(this.peek(), "(")) {
      this.next();
      const e = this.leftExpr(family);
      this.expectOp(")");
      return e;
    }
    const t = this.next();
    if (t.kind !== "word") this.unexpected(t);
    const w = t.text;
    if (PAYLOAD_FIELDS[w] && !(w === "ip" && this.peek().kind !== "word")) {
      const f = this.next();
      if (w === "tcp" && f.text === "option")
        this.fail(f, "tcp options are not supported by routelab's nftables model");
      if (!PAYLOAD_FIELDS[w]!.includes(f.text)) this.unexpected(f);
      return { k: "payload", proto: w === "icmp6" ? "icmpv6" : w, field: f.text };
    }
    if (w === "meta") {
      const k = this.next();
      if (!META_KEYS.has(k.text)) this.unexpected(k);
      return { k: "meta", key: k.text };
    }
    if (META_UNQUALIFIED.has(w)) return { k: "meta", key: w };
    if (w === "ct") {
      let k = this.next();
      let dir: "original" | "reply" | undefined;
      if (k.text === "original" || k.text === "reply") {
        dir = k.text;
        k = this.next();
      }
      if (!CT_KEYS.has(k.text)) this.unexpected(k);
      return dir ? { k: "ct", key: k.text, dir } : { k: "ct", key: k.text };
    }
    if (w === "fib") {
      const flags: string[] = [this.word().text];
      while (this.isOp(this.peek(), ".")) {
        this.next();
        flags.push(this.word().text);
      }
      for (const f of flags)
        if (!["saddr", "daddr", "mark", "iif", "oif"].includes(f)) this.unexpected(t);
      const r = this.word();
      if (!["oif", "oifname", "type"].includes(r.text))
        this.unexpected(r, "oif or oifname or type");
      return { k: "fib", flags, result: r.text as "oif" };
    }
    if (w === "socket") {
      const k = this.word();
      if (!["transparent", "wildcard", "mark"].includes(k.text)) this.unexpected(k);
      return { k: "socket", key: k.text as "transparent" };
    }
    if (
      w === "numgen" ||
      w === "jhash" ||
      w === "symhash" ||
      w === "rt" ||
      w === "osf" ||
      w === "exthdr" ||
      w === "ipsec"
    ) {
      this.fail(t, `'${w}' is not supported by routelab's nftables model`);
    }
    if (w === "ether" || w === "vlan" || w === "arp")
      this.fail(t, `'${w}' matches are not supported by routelab's nftables model`);
    if (KEYWORDS.has(w)) this.unexpected(t);
    this.fail(t, "No symbol type information");
    void family;
  }

  /** Value for `meta mark set ...`: constant or expression with binops. */
  valueExpr(family: NftFamily, target: MetaE | CtE | PayloadE): Expr {
    const t = this.peek();
    if (
      this.isOp(t, "(") ||
      this.isWord(t, "meta") ||
      this.isWord(t, "ct") ||
      (t.kind === "word" && META_UNQUALIFIED.has(t.text) && t.text !== "mark"
        ? false
        : this.isWord(t, "mark"))
    ) {
      return this.leftExpr(family);
    }
    if (t.kind === "word" && ["numgen", "jhash", "symhash", "rt", "osf"].includes(t.text))
      this.fail(t, `'${t.text}' is not supported by routelab's nftables model`);
    const raw = this.rawValue();
    const v = typeValue(raw, target);
    if (!v.ok) this.fail(v.tok ?? raw.tok, v.msg);
    // allow `meta mark set 0x10 or ...`? nft needs an expression on the left: not supported.
    return v.e;
  }

  /** An untyped right-hand value: symbol, string, `{ set }`, `@set`, comma list, concatenation, mapping. */
  rawValue(commaList = false): RawVal {
    const first = this.rawConcat();
    if (commaList && this.isOp(this.peek(), ",")) {
      const items = [first];
      while (this.isOp(this.peek(), ",")) {
        this.next();
        items.push(this.rawConcat());
      }
      return { k: "list", items, tok: first.tok };
    }
    return first;
  }

  rawConcat(): RawVal {
    const a = this.rawRange();
    if (!this.isOp(this.peek(), ".")) return a;
    const items = [a];
    while (this.isOp(this.peek(), ".")) {
      this.next();
      items.push(this.rawRange());
    }
    return { k: "concat", items, tok: a.tok };
  }

  rawRange(): RawVal {
    const a = this.rawPrimary();
    if (this.isOp(this.peek(), "-") && a.k === "sym") {
      this.next();
      const b = this.rawPrimary();
      if (b.k !== "sym") this.unexpected(b.tok);
      return { k: "sym", text: `${a.text}-${b.text}`, tok: a.tok };
    }
    return a;
  }

  rawPrimary(): RawVal {
    const t = this.next();
    if (this.isOp(t, "{")) {
      const items: RawVal[] = [];
      for (;;) {
        this.skipNl();
        if (this.isOp(this.peek(), "}")) {
          this.next();
          break;
        }
        let item = this.rawConcat();
        if (this.isOp(this.peek(), ":")) {
          this.next();
          const v = this.rawVerdictOrValue();
          item = { k: "map", key: item, value: v, tok: item.tok };
        }
        items.push(item);
        this.skipNl();
        const s = this.peek();
        if (this.isOp(s, ",")) {
          this.next();
          continue;
        }
        if (this.isOp(s, "}")) {
          this.next();
          break;
        }
        this.unexpected(s, "comma or '}'");
      }
      return { k: "set", items, tok: t };
    }
    if (t.kind === "string") return { k: "str", text: t.text, tok: t };
    if (t.kind === "word") {
      if (t.text.startsWith("@")) return { k: "setref", name: t.text.slice(1), tok: t };
      return { k: "sym", text: t.text, tok: t };
    }
    this.unexpected(t);
  }

  rawVerdictOrValue(): RawVal {
    const t = this.peek();
    if (this.isWord(t, "jump") || this.isWord(t, "goto")) {
      this.next();
      const target = this.ident();
      return { k: "verdict", v: t.text as VerdictKind, target: target.text, tok: t };
    }
    if (t.kind === "word" && ["accept", "drop", "continue", "return"].includes(t.text)) {
      this.next();
      return { k: "verdict", v: t.text as VerdictKind, tok: t };
    }
    return this.rawConcat();
  }
}

function baseOf(e: Expr): Expr {
  return e.k === "binop" ? baseOf(e.left) : e;
}

/** The left expression `a b` names (for `typeof`). */
export function leftFor(a: string, b: string): Expr | undefined {
  if (PAYLOAD_FIELDS[a]?.includes(b)) return { k: "payload", proto: a, field: b };
  if (a === "meta" && META_KEYS.has(b)) return { k: "meta", key: b };
  if (a === "ct" && CT_KEYS.has(b)) return { k: "ct", key: b };
  return undefined;
}

/** `ADDR`, `ADDR:PORT`, `[V6]:PORT`, `:PORT`, `:P1-P2`, `A1-A2`, `PORT` (redirect). */
export function parseNatTarget(
  s: string,
  fam: "ip" | "ip6",
  portOnly: boolean,
): { ok: true; addr?: Expr; port?: Expr } | { ok: false; msg: string } {
  let addrPart = s,
    portPart: string | undefined;
  if (fam === "ip6") {
    const m = /^\[([^\]]+)\](?::(.+))?$/.exec(s);
    if (m) {
      addrPart = m[1]!;
      portPart = m[2];
    } else if (s.startsWith(":") && !s.startsWith("::")) {
      addrPart = "";
      portPart = s.slice(1);
    }
  } else {
    const i = s.indexOf(":");
    if (i >= 0) {
      addrPart = s.slice(0, i);
      portPart = s.slice(i + 1);
    }
  }
  if (portOnly && addrPart !== "")
    return { ok: false, msg: "syntax error, unexpected string, expecting colon" };
  const at: DType = fam === "ip6" ? "ipv6_addr" : "ipv4_addr";
  const out: { ok: true; addr?: Expr; port?: Expr } = { ok: true };
  if (addrPart) {
    const dash = fam === "ip6" ? addrPart.indexOf("-") : addrPart.indexOf("-");
    const slash = addrPart.indexOf("/");
    if (slash > 0) {
      const a = parseConst(at, addrPart.slice(0, slash));
      const len = Number(addrPart.slice(slash + 1));
      if (!a.ok) return a;
      if (!Number.isInteger(len) || len < 0 || len > (fam === "ip6" ? 128 : 32))
        return { ok: false, msg: "syntax error, unexpected string" };
      out.addr = { k: "prefix", base: a.c, len };
    } else if (dash > 0) {
      const lo = parseConst(at, addrPart.slice(0, dash)),
        hi = parseConst(at, addrPart.slice(dash + 1));
      if (!lo.ok) return lo;
      if (!hi.ok) return hi;
      out.addr = { k: "range", lo: lo.c, hi: hi.c };
    } else {
      const a = parseConst(at, addrPart);
      if (!a.ok) return a;
      out.addr = a.c;
    }
  }
  if (portPart !== undefined) {
    const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(portPart);
    if (!m)
      return {
        ok: false,
        msg: "Could not resolve service: Servname not supported for ai_socktype",
      };
    const lo: Const = { k: "const", type: "inet_service", v: Number(m[1]) };
    out.port =
      m[2] !== undefined
        ? { k: "range", lo, hi: { k: "const", type: "inet_service", v: Number(m[2]) } }
        : lo;
  }
  return out;
}

export { CT_STATE_BITS };
