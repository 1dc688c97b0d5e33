/**
 * Sets and maps (parser_bison.y `set_block`, `map_block`, `set_block_expr`, `typeof_expr`)
 * and the `add set|map` and `add|delete element` commands.
 * @module
 */
import type { DType } from "../ast.js";
import type { Tok } from "../lexer.js";
import { leftType } from "../typing.js";
import type { SetDecl } from "./cmd.js";
import type { Parser } from "./cursor.js";
import { leftFor } from "./expressions.js";
import { SET_DTYPES } from "./keywords.js";
import { rawValue } from "./values.js";

/** The declarations between the braces of `set NAME { ... }` / `map NAME { ... }`. */
export function setBody(p: Parser, name: string, map: boolean): SetDecl {
  const d: SetDecl = { name, map, keyType: [], flags: [], autoMerge: false };
  for (;;) {
    p.skipNl();
    const t = p.peek();
    if (p.isOp(t, "}") || t.kind === "eof") return d;
    setOption(p, d, p.next());
    const e = p.peek();
    if (p.isOp(e, "}")) return d;
    p.endStmt();
  }
}

/** One `set_block` line: `type`, `typeof`, `flags`, `elements = { ... }`, ... */
function setOption(p: Parser, d: SetDecl, kw: Tok): void {
  switch (kw.text) {
    case "type":
      return setType(p, d);
    case "typeof":
      return setTypeof(p, d);
    case "flags":
      d.flags = p.commaWords();
      return;
    case "auto-merge":
      d.autoMerge = true;
      return;
    case "size":
      d.size = Number(p.word().text);
      return;
    case "timeout":
      d.timeout = p.word().text;
      return;
    case "counter":
      d.counter = true;
      return;
    case "policy":
      d.policy = p.word().text;
      return;
    case "comment":
      d.comment = p.str();
      return;
    case "elements": {
      p.expectOp("=");
      const v = rawValue(p);
      d.elems = v.k === "set" ? v.items : [v];
      return;
    }
    default:
      p.unexpected(kw);
  }
}

/** `type T [. T ...] [: T]` (the `: T` of maps). */
function setType(p: Parser, d: SetDecl): void {
  d.keyType = [dtypeTok(p, p.word())];
  while (p.isOp(p.peek(), ".")) {
    p.next();
    d.keyType.push(dtypeTok(p, p.word()));
  }
  if (d.map) {
    p.expectOp(":");
    d.dataType = dtypeTok(p, p.word());
  }
}

/** `typeof EXPR [. EXPR ...] [: T]`: kept as written for printing, typed for elements. */
function setTypeof(p: Parser, d: SetDecl): void {
  const parts: string[] = [];
  const types: DType[] = [];
  for (;;) {
    const a = p.word();
    const b = p.word();
    const e = leftFor(a.text, b.text);
    if (!e) p.fail(a, `typeof ${a.text} ${b.text} is not supported`);
    parts.push(`${a.text} ${b.text}`);
    types.push(leftType(e));
    if (!p.isOp(p.peek(), ".")) break;
    p.next();
  }
  d.typeofText = parts.join(" . ");
  d.keyType = types;
  if (d.map) {
    p.expectOp(":");
    const v = p.word();
    d.dataType = dtypeTok(p, v);
    d.typeofText += ` : ${v.text}`;
  }
}

function dtypeTok(p: Parser, t: Tok): DType {
  if ((SET_DTYPES as readonly string[]).includes(t.text)) return t.text as DType;
  p.fail(t, `unknown datatype ${t.text}`);
}

/** `add|create set|map [family] TABLE NAME { ... }`. */
export function setCmd(p: Parser, op: "add" | "create", kw: Tok, map: boolean): void {
  const { family, table } = p.tableRef();
  const name = p.ident();
  p.expectOp("{");
  const decl = setBody(p, name.text, map);
  p.expectOp("}");
  p.cmds.push({
    op,
    obj: "set",
    family,
    table: table.text,
    set: decl,
    loc: p.loc(kw),
    tok: name,
    tableTok: table,
  });
  p.endStmt();
}

/** `add|delete element [family] TABLE SET { ... }`. */
export function elementCmd(p: Parser, op: "add" | "delete", kw: Tok): void {
  const { family, table } = p.tableRef();
  const name = p.ident();
  const v = rawValue(p);
  if (v.k !== "set") p.fail(v.tok, "syntax error, expecting '{'");
  p.cmds.push({
    op,
    obj: "element",
    family,
    table: table.text,
    set: name.text,
    elems: v.items,
    loc: p.loc(kw),
    tok: name,
    tableTok: table,
    setTok: name,
  });
  p.endStmt();
}
