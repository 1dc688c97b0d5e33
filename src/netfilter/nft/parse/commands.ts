/**
 * Top-level commands (parser_bison.y `line`, `common_block`, `base_cmd`, `add_cmd`,
 * `insert_cmd`, `replace_cmd`, `delete_cmd`, `flush_cmd`): `define`, `include`, block
 * syntax (`table ... { }`) and command syntax (`add rule ...`, `delete chain ...`).
 * @module
 */
import { NFT_FAMILIES, type NftFamily } from "../ast.js";
import { parseNum } from "../dtype.js";
import type { Tok } from "../lexer.js";
import type { Parser } from "./cursor.js";
import { ctHelperCmd } from "./objects.js";
import { elementCmd, setCmd } from "./sets.js";
import { ruleBody } from "./statements.js";
import { chainCmd, refuseUnmodelled, tableCmd } from "./tables.js";

/** One command line or block. */
export function command(p: Parser): void {
  p.expandDefines();
  const t = p.peek();
  if (t.kind !== "word") p.unexpected(t);
  switch (t.text) {
    case "include":
      return p.include(t);
    case "define":
    case "redefine":
      return defineCmd(p);
    case "undefine": {
      p.next();
      const n = p.word();
      p.defines.delete(n.text);
      p.endStmt();
      return;
    }
    case "table":
    case "chain":
    case "rule":
    case "set":
    case "map":
    case "element":
      p.next();
      return addObject(p, t, "add");
    case "add":
    case "create":
      return addCmd(p, t);
    case "insert":
    case "replace": {
      p.next();
      const o = p.next();
      if (!p.isWord(o, "rule")) p.unexpected(o, "rule");
      return ruleCmd(p, t.text as "insert" | "replace");
    }
    case "delete":
    case "destroy":
      return deleteCmd(p);
    case "flush":
      return flushCmd(p, t);
    case "list":
    case "monitor":
    case "describe":
    case "export":
    case "reset":
      return queryCmd(p, t);
    default:
      p.unexpected(t);
  }
}

/** `define NAME = VALUE`: the tokens up to the end of the line (braces may span lines). */
function defineCmd(p: Parser): void {
  p.next();
  const name = p.word();
  p.expectOp("=");
  const val: Tok[] = [];
  let depth = 0;
  while (!(p.peek().kind === "eof" || (p.peek().kind === "nl" && depth === 0))) {
    const x = p.next();
    if (p.isOp(x, "{")) depth++;
    if (p.isOp(x, "}")) depth--;
    val.push(x);
  }
  p.defines.set(name.text, val);
  p.endStmt();
}

/** The object after `add`/`create`, or alone in block syntax (`table t { ... }`). */
function addObject(p: Parser, o: Tok, op: "add" | "create"): void {
  switch (o.text) {
    case "table":
      return tableCmd(p, op, o);
    case "chain":
      return chainCmd(p, op, o);
    case "rule":
      return ruleCmd(p, "add");
    case "set":
    case "map":
      return setCmd(p, op, o, o.text === "map");
    case "element":
      return elementCmd(p, "add", o);
  }
}

/** `add|create OBJECT ...`; `add [family] TABLE CHAIN STMTS` is short for `add rule`. */
function addCmd(p: Parser, t: Tok): void {
  p.next();
  const o = p.next();
  const op = t.text as "add" | "create";
  if (p.isWord(o, "ct") && p.isWord(p.peek(), "helper")) {
    p.next();
    return ctHelperCmd(p, op, t);
  }
  if (p.isWord(o, "table") || p.isWord(o, "chain")) return addObject(p, o, op);
  if (p.isWord(o, "rule") && op === "add") return ruleCmd(p, "add");
  if (p.isWord(o, "set") || p.isWord(o, "map") || p.isWord(o, "element"))
    return addObject(p, o, op);
  refuseUnmodelled(p, o);
  p.pos--;
  return ruleCmd(p, "add");
}

/** `delete|destroy element|table|chain|rule|set|map ...`. */
function deleteCmd(p: Parser): void {
  p.next();
  const o = p.next();
  if (p.isWord(o, "element")) return elementCmd(p, "delete", o);
  if (p.isWord(o, "ct") && p.isWord(p.peek(), "helper")) {
    p.next();
    return ctHelperCmd(p, "delete", o);
  }
  if (o.kind === "word" && ["table", "chain", "rule", "set", "map"].includes(o.text))
    return deleteFlush(p, "delete", o);
  p.unexpected(o);
}

/** `flush ruleset [family]` or `flush table|chain|set|map ...`. */
function flushCmd(p: Parser, t: Tok): void {
  p.next();
  const o = p.next();
  if (p.isWord(o, "ruleset")) {
    let family: NftFamily | undefined;
    const f = p.peek();
    if (f.kind === "word" && (NFT_FAMILIES as readonly string[]).includes(f.text)) {
      p.next();
      family = f.text as NftFamily;
    }
    p.cmds.push({ op: "flush", obj: "ruleset", family, loc: p.loc(t), tok: t });
    p.endStmt();
    return;
  }
  if (o.kind === "word" && ["table", "chain", "set", "map"].includes(o.text))
    return deleteFlush(p, "flush", o);
  p.unexpected(o);
}

/** `list`, `monitor`, ...: queries do not change state. */
function queryCmd(p: Parser, t: Tok): void {
  if (p.peek() === t) p.next();
  const what = p.peek();
  let exists: { family: NftFamily; table: Tok; chain?: Tok } | undefined;
  if (t.text === "list" && (p.isWord(what, "table") || p.isWord(what, "chain"))) {
    p.next();
    const ref = p.tableRef();
    exists = what.text === "chain" ? { ...ref, chain: p.ident() } : ref;
  }
  while (!(p.peek().kind === "nl" || p.peek().kind === "eof")) p.next();
  p.cmds.push({ op: "noop", loc: p.loc(t), tok: t, ...(exists ? { exists } : {}) });
  p.endStmt();
}

/** `add|insert|replace rule [family] TABLE CHAIN [handle|position|index N] STMTS`. */
function ruleCmd(p: Parser, op: "add" | "insert" | "replace"): void {
  const { family, table } = p.tableRef();
  const chain = p.ident();
  let handle: number | undefined, index: number | undefined;
  const at = p.peek();
  if (p.isWord(at, "position") || p.isWord(at, "handle") || p.isWord(at, "index")) {
    p.next();
    const n = p.next();
    const v = parseNum(n.text);
    if (v === undefined) p.unexpected(n, "number");
    if (at.text === "index") index = v;
    else handle = v;
  }
  const start = p.peek();
  const r = ruleBody(p, family);
  p.cmds.push({
    op,
    obj: "rule",
    family,
    table: table.text,
    chain: chain.text,
    handle,
    index,
    stmts: r.stmts,
    comment: r.comment,
    loc: p.loc(start),
    tok: start,
    tableTok: table,
    chainTok: chain,
    stmtToks: r.stmtToks,
  });
  p.endStmt();
}

/** `delete|flush table [family] NAME | handle N`, and the other objects' forms. */
function deleteFlush(p: Parser, op: "delete" | "flush", o: Tok): void {
  const obj = o.text as "table" | "chain" | "set" | "map" | "rule";
  if (obj === "table") return deleteFlushTable(p, op, o);
  const { family, table } = p.tableRef();
  let name: Tok | undefined, handle: number | undefined;
  if (p.isWord(p.peek(), "handle") && obj !== "rule") {
    p.next();
    const h = p.next();
    handle = parseNum(h.text);
  } else name = p.ident();
  let tok = name ?? o;
  if (obj === "rule") {
    // `delete rule T C handle N`: the handle is required and blamed.
    const h = p.next();
    if (!p.isWord(h, "handle")) p.unexpected(h, "handle");
    tok = p.next();
    handle = parseNum(tok.text);
    if (handle === undefined) p.unexpected(tok, "number");
  }
  p.cmds.push({
    op,
    obj,
    family,
    table: table.text,
    name: name?.text,
    handle,
    loc: p.loc(o),
    tok,
    tableTok: table,
    nameTok: name,
  });
  p.endStmt();
}

/** `delete|flush table [family] NAME` or `... table [family] handle N`. */
function deleteFlushTable(p: Parser, op: "delete" | "flush", o: Tok): void {
  const family = p.family();
  if (p.isWord(p.peek(), "handle")) {
    p.next();
    const h = p.next();
    p.cmds.push({
      op,
      obj: "table",
      family,
      table: "",
      handle: parseNum(h.text),
      loc: p.loc(o),
      tok: h,
      tableTok: h,
    });
    p.endStmt();
    return;
  }
  const table = p.ident();
  p.cmds.push({
    op,
    obj: "table",
    family,
    table: table.text,
    loc: p.loc(o),
    tok: table,
    tableTok: table,
  });
  p.endStmt();
}
