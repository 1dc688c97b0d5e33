/**
 * Tables and chains (parser_bison.y `table_block`, `chain_block`, `hook_spec`,
 * `prio_spec`, `policy_spec`) and the `add table` / `add chain` commands. A table block
 * expands into one command per object, ordered as nft_cmd_expand() does.
 * @module
 */
import type { BaseSpec, NftFamily } from "../ast.js";
import type { Tok } from "../lexer.js";
import { prioNameValid, prioValue } from "../prio.js";
import type { NftCmd } from "./cmd.js";
import type { Parser } from "./cursor.js";
import { UNMODELLED_OBJECTS } from "./keywords.js";
import { atCtHelper, ctHelperInTable } from "./objects.js";
import { setBody } from "./sets.js";
import { ruleBody } from "./statements.js";

type TableCmd = Extract<NftCmd, { obj: "table" }>;
type ChainCmd = Extract<NftCmd, { obj: "chain" }>;

/** `nft` refuses object types routelab does not model with one message. */
export function refuseUnmodelled(p: Parser, t: Tok): void {
  if (t.kind === "word" && UNMODELLED_OBJECTS.includes(t.text))
    p.fail(
      t,
      `unsupported object type '${t.text}' ` +
        "(routelab models tables, chains, rules, sets and maps)",
    );
}

/** `[add|create] table [family] NAME [{ ... }]`. */
export function tableCmd(p: Parser, op: "add" | "create", kw: Tok): void {
  const family = p.family();
  const name = p.ident();
  const cmd: NftCmd = {
    op,
    obj: "table",
    family,
    table: name.text,
    loc: p.loc(kw),
    tok: name,
  };
  p.cmds.push(cmd);
  if (p.isOp(p.peek(), "{")) {
    p.next();
    const start = p.cmds.length;
    tableBody(p, family, name);
    // nft_cmd_expand(): chains, objects, sets, then rules (handle allocation order).
    const sub = p.cmds.splice(start);
    const first = ["chain", "ct helper", "set"];
    p.cmds.push(
      ...sub.filter((c) => c.op !== "noop" && c.obj === "chain"),
      ...sub.filter((c) => c.op !== "noop" && c.obj === "ct helper"),
      ...sub.filter((c) => c.op !== "noop" && c.obj === "set"),
      ...sub.filter((c) => c.op === "noop" || !first.includes(c.obj)),
    );
    p.expectOp("}");
  }
  p.endStmt();
}

/** The lines of a table block; an error skips to the next line, as nft's `error` rule. */
function tableBody(p: Parser, family: NftFamily, tname: Tok): void {
  const tcmd = p.cmds[p.cmds.length - 1] as TableCmd;
  for (;;) {
    p.skipNl();
    const t = p.peek();
    if (p.isOp(t, "}") || t.kind === "eof") return;
    p.guarded(() => tableLine(p, family, tname, tcmd, t));
  }
}

/** One `table_block` line: `chain`, `set`, `map`, `flags`, `comment`. */
function tableLine(p: Parser, family: NftFamily, tname: Tok, tcmd: TableCmd, t: Tok): void {
  p.expandDefines();
  if (p.isWord(t, "include")) p.include(t);
  if (p.isWord(t, "chain")) {
    p.next();
    const name = p.ident();
    chainBlock(p, family, tname, name, t, "add");
    return;
  }
  if (p.isWord(t, "set") || p.isWord(t, "map")) {
    p.next();
    const name = p.ident();
    p.expectOp("{");
    const decl = setBody(p, name.text, t.text === "map");
    p.expectOp("}");
    p.cmds.push({
      op: "add",
      obj: "set",
      family,
      table: tname.text,
      set: decl,
      loc: p.loc(t),
      tok: name,
      tableTok: tname,
    });
    p.endStmt();
    return;
  }
  if (atCtHelper(p)) {
    p.next();
    p.next();
    return ctHelperInTable(p, family, tname, t);
  }
  if (p.isWord(t, "flags")) {
    p.next();
    tcmd.flags = p.commaWords();
    p.endStmt();
    return;
  }
  if (p.isWord(t, "comment")) {
    p.next();
    tcmd.comment = p.str();
    p.endStmt();
    return;
  }
  refuseUnmodelled(p, t);
  p.unexpected(t);
}

/** `chain NAME { ... }`: hook spec, policy, comment and rules, one per line. */
function chainBlock(
  p: Parser,
  family: NftFamily,
  tname: Tok,
  name: Tok,
  kw: Tok,
  op: "add" | "create",
): void {
  const cmd: ChainCmd = {
    op,
    obj: "chain",
    family,
    table: tname.text,
    chain: name.text,
    loc: p.loc(kw),
    tok: name,
    tableTok: tname,
  };
  p.cmds.push(cmd);
  p.expectOp("{");
  for (;;) {
    p.skipNl();
    const t = p.peek();
    if (p.isOp(t, "}")) break;
    if (t.kind === "eof") p.unexpected(t);
    p.guarded(() => chainLine(p, cmd, t));
  }
  p.expectOp("}");
  p.endStmt();
}

/** One `chain_block` line: `type ...`, `policy ...`, `comment "..."` or a rule. */
function chainLine(p: Parser, cmd: ChainCmd, t: Tok): void {
  p.expandDefines();
  if (p.isWord(t, "include")) p.include(t);
  if (p.isWord(t, "type")) {
    chainSpec(p, cmd, cmd.family);
    p.endStmt();
    return;
  }
  if (p.isWord(t, "policy")) {
    p.next();
    const pol = p.next();
    if (!(p.isWord(pol, "accept") || p.isWord(pol, "drop")))
      p.unexpected(pol, "accept or drop or '$'");
    if (cmd.base) cmd.base.policy = pol.text as "accept" | "drop";
    cmd.policySet = true;
    p.endStmt();
    return;
  }
  // A lone comment string is the chain's comment; `comment "x"` after statements is the rule's.
  if (
    p.isWord(t, "comment") &&
    p.peek(1).kind === "string" &&
    (p.peek(2).kind === "nl" || p.isOp(p.peek(2), "}"))
  ) {
    p.next();
    cmd.comment = p.str();
    p.endStmt();
    return;
  }
  const r = ruleBody(p, cmd.family);
  p.cmds.push({
    op: "add",
    obj: "rule",
    family: cmd.family,
    table: cmd.table,
    chain: cmd.chain,
    stmts: r.stmts,
    comment: r.comment,
    loc: p.loc(t),
    tok: t,
    tableTok: cmd.tableTok,
    chainTok: cmd.tok,
    stmtToks: r.stmtToks,
  });
  p.endStmt();
}

/** `hook_spec`: `type T hook H [device D] priority P`. */
function chainSpec(p: Parser, cmd: ChainCmd, family: NftFamily): void {
  p.expectWord("type");
  const ty = p.word();
  if (!["filter", "nat", "route"].includes(ty.text)) p.fail(ty, `unknown chain type ${ty.text}`);
  p.expectWord("hook");
  const hook = p.word();
  let device: string | undefined;
  if (p.isWord(p.peek(), "device")) {
    p.next();
    device = p.str();
  }
  const pkw = p.next();
  if (!p.isWord(pkw, "priority")) p.unexpected(pkw, "priority");
  const prio = prioSpec(p, family, hook.text, pkw);
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

/** `prio_spec`: a number, or a standard name with an optional `+ N` / `- N` offset. */
function prioSpec(p: Parser, family: NftFamily, hook: string, pkw: Tok): number {
  const first = p.next();
  if (first.kind === "word" && /^-?[0-9]+$/.test(first.text)) return Number(first.text);
  const named = first.kind === "word" ? prioValue(first.text, family) : undefined;
  if (named !== undefined) {
    const v = named + prioOffset(p);
    if (!prioNameValid(first.text, family, hook)) {
      // nft underlines from `priority` to the end of the expression.
      const endT = p.toks[p.pos - 1]!;
      p.fail(
        { ...pkw, len: endT.col + endT.len - pkw.col },
        "invalid priority expression value in this context.",
      );
    }
    return v;
  }
  if (first.kind === "word" && /^-?[0-9]+$/.test(first.text.replace(/^\+/, "")))
    return Number(first.text);
  p.unexpected(first);
}

/** `- N`, `+ N` or `+N` after a priority name; 0 when absent. */
function prioOffset(p: Parser): number {
  if (
    !(
      p.isOp(p.peek(), "-") ||
      (p.peek().kind === "word" && /^\+?[0-9]+$/.test(p.peek().text)) ||
      p.isWord(p.peek(), "+")
    )
  )
    return 0;
  const sign = p.next();
  if (sign.text === "-" || sign.text === "+") {
    const n = p.next();
    if (!/^[0-9]+$/.test(n.text)) p.unexpected(n);
    return sign.text === "-" ? -Number(n.text) : Number(n.text);
  }
  return Number(sign.text.replace("+", ""));
}

/** `[add|create] chain [family] TABLE NAME [{ ... }]`. */
export function chainCmd(p: Parser, op: "add" | "create", kw: Tok): void {
  const { family, table } = p.tableRef();
  const name = p.ident();
  if (p.isOp(p.peek(), "{")) {
    chainBlock(p, family, table, name, kw, op);
    return;
  }
  p.cmds.push({
    op,
    obj: "chain",
    family,
    table: table.text,
    chain: name.text,
    loc: p.loc(kw),
    tok: name,
    tableTok: table,
  });
  p.endStmt();
}
