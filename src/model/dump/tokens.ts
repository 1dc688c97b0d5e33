/**
 * The tokenizer of the text dumps (`ip rule show`, `ip route show`): whitespace-separated
 * words with their text positions, and a cursor that rejects a missing word at the end of
 * the line.
 * @module
 */
import { rejected } from "./loader.js";

/** A word of a line and its position in the text. */
export interface Tok {
  s: string;
  pos: number;
}

/** The words of `line`, whose first character is at text position `base`. */
export function tokenize(line: string, base: number): Tok[] {
  const out: Tok[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push({ s: m[0], pos: base + m.index });
  return out;
}

/** Reads the words of one line in order. */
export class Cursor {
  i = 0;
  constructor(
    readonly toks: Tok[],
    readonly endPos: number,
  ) {}
  peek(): Tok | undefined {
    return this.toks[this.i];
  }
  next(expected: string): Tok {
    const t = this.toks[this.i];
    if (!t) throw rejected(this.endPos, "end of line", expected);
    this.i++;
    return t;
  }
  /**
   * The next word, read by `read` (an iproute2 `*_a2n`-like converter); rejected as not
   * `expected` when `read` gives undefined. The one reader of a keyword's value.
   */
  value<T>(what: string, read: (s: string) => T | undefined, expected = what): T {
    const v = this.next(what);
    const n = read(v.s);
    if (n === undefined) throw rejected(v.pos, v.s, expected);
    return n;
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }
}
