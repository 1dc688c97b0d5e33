/**
 * Executing parsed nft commands against the ruleset model, with the kernel's checks
 * (missing objects, jump targets, loops, chain-type restrictions). A batch is atomic:
 * on any error nothing changes, as with `nft -f`.
 * @module
 */
import { IssueError, issue, type IssueCode } from "../../core/issue.js";
import type { SourceLoc } from "../../core/loc.js";
import type { Tok } from "./lexer.js";
import type {
  BaseSpec,
  Expr,
  NftChain,
  NftFamily,
  NftRule,
  NftRuleset,
  NftSet,
  NftTable,
  Stmt,
} from "./ast.js";
import type { NftCmd, SetDecl } from "./parse/index.js";
import { addElems, elemInterval } from "./segtree.js";
import { typeValue, type RawVal } from "./typing.js";
import { jumpTargets, validateTable } from "./validate.js";
import { execCtHelper, helperNames } from "./objects.js";

/** The kernel (or nft's evaluation) refused a command: thrown, caught by index.ts. */
function refuse(
  loc: SourceLoc | undefined,
  message: string,
  token?: string,
  code: IssueCode = "nft.kernel",
): never {
  throw new IssueError(issue(code, message, { loc, token }));
}

export function findTable(rs: NftRuleset, family: NftFamily, name: string): NftTable | undefined {
  return rs.tables.find((t) => t.family === family && t.name === name);
}

const HOOKS: Record<NftFamily, string[]> = {
  ip: ["prerouting", "input", "forward", "output", "postrouting"],
  ip6: ["prerouting", "input", "forward", "output", "postrouting"],
  inet: ["prerouting", "input", "forward", "output", "postrouting", "ingress"],
  arp: ["input", "output"],
  bridge: ["prerouting", "input", "forward", "output", "postrouting"],
  netdev: ["ingress", "egress"],
};

/** Location helper: `tokLoc` maps a token of the command to a SourceLoc. */
export type TokLoc = (t: Tok) => SourceLoc;

/**
 * Apply commands in order to `rs` (mutating). Throws `IssueError` on the first
 * kernel/evaluation error; the caller applies to a copy and keeps it only on success.
 */
export function execCmds(rs: NftRuleset, cmds: NftCmd[], tokLoc: TokLoc): void {
  for (const c of cmds) execOne(rs, c, tokLoc);
}

type DelCmd = Extract<
  NftCmd,
  { op: "delete" | "flush"; obj: "table" | "chain" | "set" | "map" | "rule" }
>;
type RuleCmd = Extract<NftCmd, { obj: "rule"; stmts: unknown }>;
type AddTableCmd = Extract<NftCmd, { op: "add" | "create"; obj: "table" }>;
type ChainCmd = Extract<NftCmd, { op: "add" | "create"; obj: "chain" }>;
type SetCmd = Extract<NftCmd, { op: "add" | "create"; obj: "set" }>;
type ElemCmd = Extract<NftCmd, { obj: "element" }>;

const ENOENT = "Could not process rule: No such file or directory";
const EOPNOTSUPP = "Could not process rule: Operation not supported";

function needTable(
  rs: NftRuleset,
  family: NftFamily,
  name: string,
  tok: Tok,
  tokLoc: TokLoc,
): NftTable {
  const t = findTable(rs, family, name);
  if (!t) refuse(tokLoc(tok), `Error: ${ENOENT}`, tok.text, "nft.ENOENT");
  return t;
}

/** `nft list table|chain`: the object must exist (cache lookup in nft's do_command_list). */
function listed(
  rs: NftRuleset,
  e: { family: NftFamily; table: Tok; chain?: Tok },
  tokLoc: TokLoc,
): void {
  const t = findTable(rs, e.family, e.table.text);
  const missing = !t ? e.table : e.chain && !t.chains.some((c) => c.name === e.chain!.text);
  if (missing) {
    const tok = missing === true ? e.chain! : missing;
    refuse(tokLoc(tok), "Error: No such file or directory", tok.text, "nft.ENOENT");
  }
}

function execOne(rs: NftRuleset, c: NftCmd, tokLoc: TokLoc): void {
  if (c.op === "noop") return void (c.exists && listed(rs, c.exists, tokLoc));
  if (c.op === "flush" && c.obj === "ruleset") {
    rs.tables = rs.tables.filter((t) => c.family !== undefined && t.family !== c.family);
    return;
  }
  switch (c.obj) {
    case "table":
      if (c.op === "add" || c.op === "create") return addTable(rs, c as AddTableCmd, tokLoc);
      return deleteTable(rs, c as DelCmd, tokLoc);
    case "chain":
      return execChain(rs, c as ChainCmd | DelCmd, tokLoc);
    case "rule":
      if (c.op === "delete") return deleteRule(rs, c as DelCmd, tokLoc);
      if (c.op === "flush") return;
      return execRule(rs, c as RuleCmd, tokLoc);
    case "set":
    case "map":
      return execSet(rs, c as SetCmd | DelCmd, tokLoc);
    case "element":
      return execElement(rs, c, tokLoc);
    case "ct helper":
      return execCtHelper(needTable(rs, c.family, c.table, c.tableTok, tokLoc), c, tokLoc);
  }
}

const EEXIST = "Error: Could not process rule: File exists";
const EBUSY = "Error: Could not process rule: Device or resource busy";

/** NFT_MSG_NEWTABLE: `add` updates flags and comment of an existing table, `create` fails. */
function addTable(rs: NftRuleset, c: AddTableCmd, tokLoc: TokLoc): void {
  const t = findTable(rs, c.family, c.table);
  if (t) {
    if (c.op === "create") refuse(tokLoc(c.tok), EEXIST, c.table, "nft.EEXIST");
    if (c.flags) t.flags = c.flags;
    if (c.comment !== undefined) t.comment = c.comment;
    return;
  }
  rs.tables.push({
    family: c.family,
    name: c.table,
    handle: ++rs.tableHandle,
    chains: [],
    sets: [],
    flags: c.flags || [],
    comment: c.comment,
    nextHandle: 0,
  });
}

/** NFT_MSG_DELTABLE by name or handle; `flush table` empties its chains. */
function deleteTable(rs: NftRuleset, d: DelCmd, tokLoc: TokLoc): void {
  const t =
    d.handle !== undefined
      ? rs.tables.find((x) => x.family === d.family && x.handle === d.handle)
      : findTable(rs, d.family, d.table);
  if (!t) refuse(tokLoc(d.tok), `Error: ${ENOENT}`, d.table, "nft.ENOENT");
  if (d.op === "delete") rs.tables = rs.tables.filter((x) => x !== t);
  else for (const ch of t.chains) ch.rules = [];
}

/** The table a chain or set command names; nft reports a missing one at the table. */
function tableOfAdd(rs: NftRuleset, c: ChainCmd | SetCmd | DelCmd, tokLoc: TokLoc): NftTable {
  if ((c.op === "add" || c.op === "create") && !findTable(rs, c.family, c.table))
    refuse(tokLoc(c.tableTok), "Error: No such file or directory", c.table, "nft.ENOENT");
  return needTable(rs, c.family, c.table, c.tableTok, tokLoc);
}

function execChain(rs: NftRuleset, c: ChainCmd | DelCmd, tokLoc: TokLoc): void {
  const t = tableOfAdd(rs, c, tokLoc);
  if (c.op === "add" || c.op === "create") return addChain(t, c as ChainCmd, tokLoc);
  const d = c as DelCmd;
  const ch =
    d.handle !== undefined
      ? t.chains.find((x) => x.handle === d.handle)
      : t.chains.find((x) => x.name === d.name);
  if (!ch) refuse(tokLoc(d.nameTok ?? d.tok), `Error: ${ENOENT}`, d.name, "nft.ENOENT");
  if (d.op === "flush") {
    ch.rules = [];
    return;
  }
  if (isReferenced(t, ch.name)) refuse(tokLoc(d.nameTok ?? d.tok), EBUSY, d.name, "nft.EBUSY");
  t.chains = t.chains.filter((x) => x !== ch);
}

/**
 * Whether the kernel accepts a base chain of this type at this hook in this family
 * (nf_tables_chain_type_lookup / nft_chain_validate_hooks).
 */
function baseChainSupported(family: NftFamily, base: BaseSpec): boolean {
  if (!HOOKS[family].includes(base.hook)) return false;
  const ipFamily = ["ip", "ip6", "inet"].includes(family);
  if (base.type === "route" && (base.hook !== "output" || !ipFamily)) return false;
  if (base.type === "nat" && (base.hook === "forward" || !ipFamily)) return false;
  if (family === "netdev" && !base.device) return false;
  return true;
}

/** NFT_MSG_NEWCHAIN: a base chain's hook is checked; an existing chain is updated. */
function addChain(t: NftTable, c: ChainCmd, tokLoc: TokLoc): void {
  const unsupported = () =>
    refuse(tokLoc(c.tok), `Error: ${EOPNOTSUPP}`, c.chain, "nft.EOPNOTSUPP");
  if (c.base && !baseChainSupported(c.family, c.base)) unsupported();
  const ex = t.chains.find((x) => x.name === c.chain);
  if (ex) {
    if (c.op === "create") refuse(tokLoc(c.tok), EEXIST, c.chain, "nft.EEXIST");
    if (c.base && ex.base) {
      if (c.policySet) ex.base.policy = c.base.policy;
    } else if (c.base && !ex.base) unsupported();
    if (c.comment !== undefined) ex.comment = c.comment;
    return;
  }
  const ch: NftChain = { name: c.chain, handle: ++t.nextHandle, rules: [], loc: c.loc };
  if (c.base) ch.base = { ...c.base };
  if (c.comment !== undefined) ch.comment = c.comment;
  t.chains.push(ch);
}

/** NFT_MSG_DELRULE by handle. */
function deleteRule(rs: NftRuleset, d: DelCmd, tokLoc: TokLoc): void {
  const t = needTable(rs, d.family, d.table, d.tableTok, tokLoc);
  const ch = t.chains.find((x) => x.name === d.name);
  if (!ch) refuse(tokLoc(d.nameTok ?? d.tok), `Error: ${ENOENT}`, d.name, "nft.ENOENT");
  const i = ch.rules.findIndex((r) => r.handle === d.handle);
  if (i < 0) refuse(tokLoc(d.tok), `Error: ${ENOENT}`, String(d.handle), "nft.ENOENT");
  ch.rules.splice(i, 1);
}

function execSet(rs: NftRuleset, c: SetCmd | DelCmd, tokLoc: TokLoc): void {
  const t = tableOfAdd(rs, c, tokLoc);
  if (c.op === "add" || c.op === "create") {
    if (!("set" in c)) return;
    addSet(t, c.set, c.op, tokLoc, c.tok);
    return;
  }
  const d = c as DelCmd;
  const s = t.sets.find((x) => x.name === d.name);
  if (!s) refuse(tokLoc(d.nameTok ?? d.tok), `Error: ${ENOENT}`, d.name, "nft.ENOENT");
  if (d.op === "flush") {
    s.elems = [];
    return;
  }
  if (setReferenced(t, s.name)) refuse(tokLoc(d.nameTok ?? d.tok), EBUSY, d.name, "nft.EBUSY");
  t.sets = t.sets.filter((x) => x !== s);
}

/** NFT_MSG_NEWSETELEM / DELSETELEM: elements typed against the set's key. */
function execElement(rs: NftRuleset, c: ElemCmd, tokLoc: TokLoc): void {
  const t = needTable(rs, c.family, c.table, c.tableTok, tokLoc);
  const s = t.sets.find((x) => x.name === c.set);
  if (!s) refuse(tokLoc(c.setTok), `Error: ${ENOENT}`, c.set, "nft.ENOENT");
  const typed = typeElems(s, c.elems, tokLoc);
  if (c.op === "add") {
    setElems(s, typed, tokLoc, c.tok, c.elems);
  } else {
    const keys = new Set(typed.map((e) => JSON.stringify(elemKeyJ(e))));
    s.elems = s.elems.filter((e) => !keys.has(JSON.stringify(elemKeyJ(e))));
  }
}

function elemKeyJ(e: Expr): string {
  const k = e.k === "mapping" ? e.key : e;
  const iv = elemInterval(k);
  if (iv) return `${iv[0]}-${iv[1]}`;
  return JSON.stringify(k, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

/** How many anonymous sets or maps a statement creates. */
function anonSets(s: Stmt): number {
  const anon = (e: Expr | undefined) => (e?.k === "map" && e.map.k === "set" ? 1 : 0);
  if (s.k === "match") return s.right.k === "set" ? 1 : 0;
  if (s.k === "vmap") return s.map.k === "set" ? 1 : 0;
  if (s.k === "nat") return anon(s.addr) + anon(s.port);
  if (s.k === "cthelper") return anon(s.value);
  return 0;
}

function isReferenced(t: NftTable, chain: string): boolean {
  for (const ch of t.chains)
    for (const r of ch.rules)
      for (const s of r.stmts) {
        if (s.k === "verdict" && s.target === chain) return true;
        if (
          s.k === "vmap" &&
          s.map.k === "set" &&
          s.map.elems.some(
            (m) => m.k === "mapping" && m.value.k === "verdict" && m.value.target === chain,
          )
        )
          return true;
      }
  for (const s of t.sets)
    if (
      s.elems.some((m) => m.k === "mapping" && m.value.k === "verdict" && m.value.target === chain)
    )
      return true;
  return false;
}

function setReferenced(t: NftTable, set: string): boolean {
  const hit = (e: Expr): boolean => e.k === "setref" && e.name === set;
  for (const ch of t.chains)
    for (const r of ch.rules)
      for (const s of r.stmts) {
        if (s.k === "match" && hit(s.right)) return true;
        if (s.k === "vmap" && hit(s.map)) return true;
      }
  return false;
}

function typeElems(s: NftSet, raws: RawVal[], tokLoc: TokLoc): Expr[] {
  const out: Expr[] = [];
  for (const r of raws) {
    if (s.map) {
      if (r.k !== "map")
        refuse(
          tokLoc(r.tok),
          "Error: syntax error, unexpected comma, expecting colon",
          undefined,
          "nft.syntax",
        );
      const set = typeValue({ k: "set", items: [r], tok: r.tok }, s.keyType, s.dataType);
      if (!set.ok) refuse(tokLoc(set.tok ?? r.tok), `Error: ${set.msg}`, set.tok?.text, "nft.type");
      if (set.e.k === "set") for (const x of set.e.elems) out.push(x);
      continue;
    }
    const v = typeValue(r, s.keyType);
    if (!v.ok) refuse(tokLoc(v.tok ?? r.tok), `Error: ${v.msg}`, v.tok?.text, "nft.type");
    if ((v.e.k === "prefix" || v.e.k === "range") && !s.flags.includes("interval")) {
      refuse(
        tokLoc(r.tok),
        "Error: You must add 'flags interval' to your set declaration if you want to add " +
          "prefix/range elements",
        r.tok.text,
        "nft.EINVAL",
      );
    }
    out.push(v.e);
  }
  return out;
}

function setElems(s: NftSet, added: Expr[], tokLoc: TokLoc, tok: Tok, raws?: RawVal[]): void {
  const interval = s.flags.includes("interval") && s.keyType.length === 1;
  const r = addElems(s.elems, added, interval, s.autoMerge);
  if (!r.ok) {
    const all = s.elems.length + added.length;
    const raw = raws?.[r.index - (all - (raws?.length ?? 0))];
    const at = raw?.tok ?? tok;
    refuse(tokLoc(at), `Error: ${r.msg}`, at.text, "nft.EEXIST");
  }
  s.elems = r.elems;
}

function addSet(t: NftTable, d: SetDecl, op: "add" | "create", tokLoc: TokLoc, tok: Tok): void {
  let s = t.sets.find((x) => x.name === d.name);
  if (s) {
    if (op === "create")
      refuse(tokLoc(tok), "Error: Could not process rule: File exists", d.name, "nft.EEXIST");
  } else {
    if (!d.keyType.length)
      refuse(tokLoc(tok), `Error: set definition does not specify key`, d.name, "nft.syntax");
    s = {
      name: d.name,
      handle: ++t.nextHandle,
      map: d.map,
      keyType: d.keyType,
      typeofText: d.typeofText,
      dataType: d.dataType,
      flags: d.flags,
      autoMerge: d.autoMerge,
      elems: [],
      size: d.size,
      timeout: d.timeout,
      counter: d.counter,
      comment: d.comment,
      policy: d.policy,
    };
    t.sets.push(s);
  }
  if (d.elems?.length) setElems(s, typeElems(s, d.elems, tokLoc), tokLoc, tok, d.elems);
}

function execRule(rs: NftRuleset, c: RuleCmd, tokLoc: TokLoc): void {
  const t = needTable(rs, c.family, c.table, c.tableTok, tokLoc);
  const ch = t.chains.find((x) => x.name === c.chain);
  if (!ch) refuse(tokLoc(c.chainTok), `Error: ${ENOENT}`, c.chain, "nft.ENOENT");
  const stmtLoc = (i: number): { loc: SourceLoc; tok?: Tok } => {
    const toks = c.stmtToks[i];
    const first = toks?.[0];
    return first ? { loc: tokLoc(first), tok: first } : { loc: c.loc };
  };
  // References: sets and jump targets.
  for (let i = 0; i < c.stmts.length; i++) {
    const s = c.stmts[i]!;
    const refs: string[] = [];
    if (s.k === "match" && s.right.k === "setref") refs.push(s.right.name);
    if (s.k === "vmap" && s.map.k === "setref") refs.push(s.map.name);
    for (const r of refs) {
      if (!t.sets.some((x) => x.name === r)) {
        const toks = c.stmtToks[i] ?? [];
        const at = toks.find((x) => x.text === "@" + r) ?? toks[0];
        refuse(at ? tokLoc(at) : c.loc, "Error: No such file or directory", "@" + r, "nft.ENOENT");
      }
    }
    for (const h of helperNames(s))
      if (!t.objs?.some((o) => o.name === h)) {
        const toks = c.stmtToks[i] ?? [];
        const at = toks.find((x) => x.text === h) ?? toks[0];
        refuse(at ? tokLoc(at) : c.loc, `Error: ${ENOENT}`, h, "nft.ENOENT");
      }
    for (const target of jumpTargets(s)) {
      const tc = t.chains.find((x) => x.name === target);
      const toks = c.stmtToks[i] ?? [];
      const at = [...toks].reverse().find((x) => x.text === target) ?? toks[0];
      if (!tc) refuse(at ? tokLoc(at) : c.loc, `Error: ${ENOENT}`, target, "nft.ENOENT");
      if (tc.base)
        refuse(at ? tokLoc(at) : c.loc, `Error: ${EOPNOTSUPP}`, target, "nft.EOPNOTSUPP");
    }
  }
  const rule: NftRule = { handle: 0, stmts: c.stmts, loc: c.loc };
  if (c.comment !== undefined) rule.comment = c.comment;
  let idx = ch.rules.length;
  if (c.op === "insert") idx = 0;
  if (c.handle !== undefined) {
    const i = ch.rules.findIndex((r) => r.handle === c.handle);
    if (i < 0) refuse(tokLoc(c.chainTok), `Error: ${ENOENT}`, String(c.handle), "nft.ENOENT");
    idx = c.op === "insert" ? i : i + 1;
    if (c.op === "replace") idx = i;
  } else if (c.index !== undefined) {
    if (c.index > ch.rules.length)
      refuse(tokLoc(c.chainTok), `Error: ${ENOENT}`, String(c.index), "nft.ENOENT");
    idx = c.op === "insert" ? c.index : c.index + 1;
  }
  // Anonymous sets (and maps: NAT, ct helper) are kernel objects too and take a handle
  // before the rule.
  for (const s of c.stmts) t.nextHandle += anonSets(s);
  rule.handle = ++t.nextHandle;
  if (c.op === "replace") ch.rules.splice(idx, 1, rule);
  else ch.rules.splice(idx, 0, rule);
  const v = validateTable(t);
  if (v) {
    // Blame the statement of the new rule if it is the culprit, else the rule.
    const l = stmtLoc(0);
    refuse(l.loc, `Error: ${v.msg}`, l.tok?.text, v.code);
  }
}
