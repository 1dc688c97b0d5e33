/**
 * awk's tokens, read on demand (POSIX awk "Lexical Conventions"): numbers, strings with their
 * escapes, names, keywords, built-in function names, operators and newlines (which end
 * statements). A `/` is division or the start of a regular expression depending on where the
 * parser stands, so the parser asks for a regular expression (`regexAt`) when it expects an
 * operand. `\` newline and `#` comments are skipped.
 * @module
 */

export type TokKind =
  | "num"
  | "str"
  | "ere"
  | "name"
  | "func"
  | "builtin"
  | "kw"
  | "op"
  | "nl"
  | "eof";

export interface Tok {
  k: TokKind;
  /** The text: a string's value after escapes, a regex's source, an operator, a name. */
  v: string;
  line: number;
  /** Where the token starts (to re-read a `/` as a regular expression). */
  pos: number;
}

export const KEYWORDS = new Set([
  "BEGIN",
  "END",
  "function",
  "func",
  "if",
  "else",
  "while",
  "for",
  "do",
  "break",
  "continue",
  "next",
  "nextfile",
  "exit",
  "return",
  "delete",
  "getline",
  "print",
  "printf",
  "in",
]);

export const BUILTINS = new Set([
  "length",
  "substr",
  "index",
  "split",
  "sub",
  "gsub",
  "match",
  "sprintf",
  "sin",
  "cos",
  "atan2",
  "exp",
  "log",
  "sqrt",
  "int",
  "rand",
  "srand",
  "tolower",
  "toupper",
  "close",
  "system",
  "fflush",
]);

/** Longest first, so `>=` is read before `>`. */
const OPS = [
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "^=",
  "**=",
  "==",
  "<=",
  ">=",
  "!=",
  "++",
  "--",
  "&&",
  "||",
  ">>",
  "!~",
  "**",
  ..."{}()[];,+-*/%^!><|?:~$=",
].sort((a, b) => b.length - a.length);

const ESC: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  '"': '"',
  "/": "/",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
};

/** A string's escapes (`\n`, `\"`, `\\`, `\ooo`); an unknown `\c` stays as written. */
export function unescapeAwk(s: string): string {
  return s.replace(/\\([0-7]{1,3}|[\s\S])/g, (m, c: string) => {
    if (/^[0-7]/.test(c)) return String.fromCharCode(parseInt(c, 8));
    return ESC[c] ?? m;
  });
}

export class AwkSyntaxError {
  constructor(
    readonly message: string,
    readonly line: number,
  ) {}
}

export class Lexer {
  pos = 0;
  line = 1;
  constructor(readonly src: string) {}

  private skip(): void {
    for (;;) {
      const c = this.src[this.pos];
      if (c === " " || c === "\t" || c === "\r") this.pos++;
      else if (c === "\\" && this.src[this.pos + 1] === "\n") {
        this.pos += 2;
        this.line++;
      } else if (c === "\\" && this.src.startsWith("\r\n", this.pos + 1)) this.pos += 3;
      else if (c === "#")
        while (this.pos < this.src.length && this.src[this.pos] !== "\n") this.pos++;
      else return;
    }
  }

  next(): Tok {
    this.skip();
    const pos = this.pos;
    const line = this.line;
    const s = this.src;
    const tok = (k: TokKind, v: string, len: number): Tok => {
      this.pos += len;
      return { k, v, line, pos };
    };
    if (pos >= s.length) return { k: "eof", v: "end of file", line, pos };
    const c = s[pos]!;
    if (c === "\n") {
      this.line++;
      return tok("nl", "\n", 1);
    }
    const num = /^(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)/.exec(s.slice(pos));
    if (num) return tok("num", num[0], num[0].length);
    if (c === '"') return this.string(pos, line);
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(pos));
    if (word) {
      const w = word[0];
      if (KEYWORDS.has(w)) return tok("kw", w === "func" ? "function" : w, w.length);
      if (BUILTINS.has(w)) return tok("builtin", w, w.length);
      // A user function's call has its `(` right after the name (POSIX).
      return tok(s[pos + w.length] === "(" ? "func" : "name", w, w.length);
    }
    const op = OPS.find((o) => s.startsWith(o, pos));
    if (op) return tok("op", op, op.length);
    throw new AwkSyntaxError(`syntax error at or near ${c}`, line);
  }

  private string(pos: number, line: number): Tok {
    let j = pos + 1;
    let raw = "";
    for (;;) {
      const c = this.src[j];
      if (c === undefined || c === "\n") throw new AwkSyntaxError("runaway string constant", line);
      if (c === '"') break;
      if (c === "\\" && j + 1 < this.src.length) {
        if (this.src[j + 1] === "\n") this.line++;
        else raw += c + this.src[j + 1];
        j += 2;
        continue;
      }
      raw += c;
      j++;
    }
    this.pos = j + 1;
    return { k: "str", v: unescapeAwk(raw), line, pos };
  }

  /** The regular expression starting at the `/` at `pos` (its source, `\/` unescaped). */
  regexAt(pos: number, line: number): Tok {
    let j = pos + 1;
    let src = "";
    let bracket = false;
    for (;;) {
      const c = this.src[j];
      if (c === undefined || c === "\n")
        throw new AwkSyntaxError("runaway regular expression", line);
      if (c === "/" && !bracket) break;
      if (c === "\\" && j + 1 < this.src.length) {
        const n = this.src[j + 1]!;
        src += n === "/" ? "/" : c + n;
        j += 2;
        continue;
      }
      if (c === "[" && !bracket) {
        bracket = true;
        src += c;
        j++;
        if (this.src[j] === "^") (src += "^"), j++;
        if (this.src[j] === "]") (src += "]"), j++;
        continue;
      }
      if (c === "]") bracket = false;
      src += c;
      j++;
    }
    this.pos = j + 1;
    this.line = line;
    return { k: "ere", v: src, line, pos };
  }
}
