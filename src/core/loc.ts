/**
 * Where a piece of input came from: every issue and every parsed word carries one so the
 * CLI can print `file:line:column`.
 * @module
 */

/** A position in an input file; line and column count from 1. */
export interface SourceLoc {
  file: string;
  line: number;
  col: number;
}

/** `file:line:col`, as compilers and routelab's messages print a location. */
export function formatLoc(loc: SourceLoc): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}
