/**
 * Stateful objects routelab models: `ct helper` (parser_bison.y `ct_helper_block`,
 * `ct_helper_config`, `add_cmd: CT HELPER obj_spec ct_obj_alloc '{' ct_helper_block '}'`,
 * `delete_cmd: CT ct_obj_type obj_spec`) and the statement that assigns one, `ct helper set`
 * (`objref_stmt_ct`). Other object types are refused (tables.ts refuseUnmodelled).
 * @module
 */
import type { NftFamily, Stmt } from "../ast.js";
import { NFT_FAMILIES } from "../ast.js";
import type { Tok } from "../lexer.js";
import type { NftCmd } from "./cmd.js";
import type { Parser } from "./cursor.js";
import { mapExpr, startsSelector } from "./expressions.js";

type HelperCmd = Extract<NftCmd, { obj: "ct helper" }>;

/** Whether the tokens ahead are `ct helper` (the one ct object type modelled). */
export function atCtHelper(p: Parser): boolean {
  return p.isWord(p.peek(), "ct") && p.isWord(p.peek(1), "helper");
}

/** `ct helper NAME { … }` in a table block (after `ct helper`). */
export function ctHelperInTable(p: Parser, family: NftFamily, table: Tok, kw: Tok): void {
  const name = p.ident();
  const cmd: HelperCmd = {
    op: "add",
    obj: "ct helper",
    family,
    table: table.text,
    name: name.text,
    loc: p.loc(kw),
    tok: name,
    tableTok: table,
  };
  helperBlock(p, cmd);
  p.cmds.push(cmd);
  p.endStmt();
}

/** `add|create|delete ct helper [family] TABLE NAME [{ … }]` (after `ct helper`). */
export function ctHelperCmd(p: Parser, op: "add" | "create" | "delete", kw: Tok): void {
  const { family, table } = p.tableRef();
  const name = p.ident();
  const cmd: HelperCmd = {
    op,
    obj: "ct helper",
    family,
    table: table.text,
    name: name.text,
    loc: p.loc(kw),
    tok: name,
    tableTok: table,
  };
  if (op !== "delete") helperBlock(p, cmd);
  p.cmds.push(cmd);
  p.endStmt();
}

/** `{ type "NAME" protocol tcp|udp; l3proto FAMILY; }`. */
function helperBlock(p: Parser, cmd: HelperCmd): void {
  p.expectOp("{");
  for (;;) {
    p.skipNl();
    const t = p.next();
    if (p.isOp(t, "}")) return;
    if (p.isWord(t, "type")) {
      const s = p.next();
      if (s.kind !== "string") p.unexpected(s, "quoted string");
      p.expectWord("protocol");
      const l4 = p.next();
      if (!(p.isWord(l4, "tcp") || p.isWord(l4, "udp"))) p.unexpected(l4, "udp or tcp");
      cmd.helper = s.text;
      cmd.l4proto = l4.text as "tcp" | "udp";
    } else if (p.isWord(t, "l3proto")) {
      const f = p.next();
      if (!(f.kind === "word" && (NFT_FAMILIES as readonly string[]).includes(f.text)))
        p.unexpected(f);
      cmd.l3proto = f.text as NftFamily;
    } else p.unexpected(t);
    if (p.isOp(p.peek(), "}")) continue;
    if (p.peek().kind !== "nl") p.unexpected(p.peek(), "newline or semicolon");
  }
}

/** `ct helper set "NAME"` or `ct helper set KEY map { k : "NAME", … }` (after `ct helper`). */
export function ctHelperSet(p: Parser, family: NftFamily): Stmt {
  p.expectWord("set");
  if (startsSelector(p)) return { k: "cthelper", value: mapExpr(p, family, "string") };
  const v = p.word();
  return { k: "cthelper", value: { k: "const", type: "string", v: v.text } };
}
