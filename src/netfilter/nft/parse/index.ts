/**
 * Parser for the nft command language: `nft -f` files (block and command syntax) and
 * single command lines. Produces commands whose rules are already typed and in canonical
 * form (typing.ts, canon.ts); the executor (ruleset.ts) applies them.
 *
 * Modules follow parser_bison.y's sections: cursor.ts (tokens, errors, recovery),
 * defines.ts (`define`), commands.ts (`base_cmd`), tables.ts (`table_block`,
 * `chain_block`), sets.ts (`set_block`), statements.ts (`stmt`), nat.ts (`nat_stmt`),
 * expressions.ts (`primary_expr`), values.ts (`rhs_expr`), keywords.ts (word tables).
 * @module
 */
import { lex } from "../lexer.js";
import type { ParseOut } from "./cmd.js";
import { command } from "./commands.js";
import { Parser, type ParseOpts } from "./cursor.js";
import { substituteDefines } from "./defines.js";
import { expandIncludes } from "./include.js";

export type { NftCmd, ParseOut, SetDecl } from "./cmd.js";
export type { ParseOpts } from "./cursor.js";
export type { NftIncludeOpts } from "./include.js";
export { KEYWORDS } from "./keywords.js";
export { leftFor } from "./expressions.js";
export { parseNatTarget } from "./nat.js";

/**
 * Parse nft text into commands. Syntax errors are reported nft-style and parsing resumes
 * at the next line.
 */
export function parseNft(text: string, opts: ParseOpts): ParseOut {
  const { toks, failed } = expandIncludes(lex(text), opts.include);
  const p = new Parser(substituteDefines(toks), opts);
  p.failedIncludes = failed;
  for (;;) {
    p.skipNl();
    if (p.peek().kind === "eof") break;
    p.guarded(() => command(p));
  }
  return { cmds: p.cmds, issues: p.issues };
}
