/**
 * Tokenizer for the nft command language (files and joined argv lines).
 * @module
 */

export type TokKind = "word" | "string" | "op" | "nl" | "eof";

export interface Tok {
  kind: TokKind;
  /** Text: word text, string contents (unquoted), operator symbol, ";" or "\n" for nl. */
  text: string;
  line: number;
  col: number;
  /** Source length (for error carets). */
  len: number;
  /** The included file the token comes from (`include`); absent for the parsed text itself. */
  file?: string;
}

const OPS2 = ["!=", "==", "<=", ">="];
const OPS1 = "{}(),;=<>&|^@$!";
const WORDCH = /[A-Za-z0-9_.:/\-*\[\]%~+]/;

/** Scanner position: index, line and column of the next character. */
interface Scan {
  text: string;
  i: number;
  line: number;
  col: number;
  out: Tok[];
}

function adv(s: Scan, k: number): void {
  for (let j = 0; j < k; j++) {
    if (s.text[s.i] === "\n") {
      s.line++;
      s.col = 1;
    } else s.col++;
    s.i++;
  }
}

/** Emit a token of `len` characters at the current position and move past it. */
function emit(s: Scan, kind: TokKind, text: string, len: number): void {
  s.out.push({ kind, text, line: s.line, col: s.col, len });
  adv(s, len);
}

/** Split text into tokens; `#` comments run to end of line; `\` before newline joins lines. */
export function lex(text: string): Tok[] {
  const s: Scan = { text, i: 0, line: 1, col: 1, out: [] };
  const n = text.length;
  while (s.i < n) {
    const c = text[s.i]!;
    if (c === " " || c === "\t" || c === "\r") adv(s, 1);
    else if (c === "\\" && text[s.i + 1] === "\n") adv(s, 2);
    else if (c === "#") while (s.i < n && text[s.i] !== "\n") adv(s, 1);
    else if (c === "\n" || c === ";") emit(s, "nl", c, 1);
    else if (c === '"') lexString(s);
    else lexOpOrWord(s, c);
  }
  s.out.push({ kind: "eof", text: "", line: s.line, col: s.col, len: 1 });
  return s.out;
}

/** A double-quoted string; an unterminated one ends at the line's end. */
function lexString(s: Scan): void {
  const { text } = s;
  const n = text.length;
  const sl = s.line,
    sc = s.col;
  let j = s.i + 1;
  let str = "";
  while (j < n && text[j] !== '"' && text[j] !== "\n") {
    str += text[j];
    j++;
  }
  const len = j - s.i + 1;
  adv(s, Math.min(len, n - s.i));
  s.out.push({ kind: "string", text: str, line: sl, col: sc, len });
}

/** Operators, `@name` / `$name`, and words (a lone `.` or `:` is an operator). */
function lexOpOrWord(s: Scan, c: string): void {
  const { text } = s;
  const n = text.length;
  const two = text.slice(s.i, s.i + 2);
  if (OPS2.includes(two)) return emit(s, "op", two, 2);
  if (c === "-" && !/[0-9]/.test(text[s.i + 1] ?? "")) return emit(s, "op", "-", 1);
  if (OPS1.includes(c)) {
    // `@name` and `$name` stay one token.
    if ((c === "@" || c === "$") && /[A-Za-z_]/.test(text[s.i + 1] ?? "")) {
      let j = s.i + 1;
      while (j < n && /[A-Za-z0-9_\-./]/.test(text[j]!)) j++;
      return emit(s, "word", text.slice(s.i, j), j - s.i);
    }
    return emit(s, "op", c, 1);
  }
  if (WORDCH.test(c)) {
    let j = s.i;
    while (j < n && WORDCH.test(text[j]!)) j++;
    const w = text.slice(s.i, j);
    return emit(s, w === "." || w === ":" ? "op" : "word", w, j - s.i);
  }
  emit(s, "op", c, 1);
}

/** How bison names a token in "unexpected X". */
export function tokName(t: Tok, keywords: ReadonlySet<string>): string {
  switch (t.kind) {
    case "eof":
      return "end of file";
    case "nl":
      return t.text === ";" ? "semicolon" : "newline";
    case "string":
      return "quoted string";
    case "op":
      return t.text === "."
        ? "dot"
        : t.text === ":"
          ? "colon"
          : t.text === "!="
            ? "!="
            : t.text === "=="
              ? "=="
              : `'${t.text}'`;
    case "word":
      if (keywords.has(t.text)) return t.text;
      if (/^[0-9]+$/.test(t.text)) return "number";
      return "string";
  }
}
