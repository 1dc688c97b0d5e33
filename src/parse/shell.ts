/**
 * Setup scripts: the shell front-end lives in parse/sh (parser.ts → syntax tree with
 * positions, interp.ts → runs it with the commands routelab models). This module keeps the
 * word type the command parsers share and the entry points.
 * @module
 */
import type { SourceLoc } from "../core/loc.js";

export { evalArith } from "./arith.js";
export { parseShell } from "./sh/parser.js";
export { runShell, type ShellOptions, type ShellResult } from "./sh/interp.js";

/** A word after expansion: its text and where it was written. */
export interface Word {
  text: string;
  loc: SourceLoc;
}
