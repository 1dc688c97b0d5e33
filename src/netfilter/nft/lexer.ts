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
}

const OPS2 = ["!=", "==", "<=", ">="];
const OPS1 = "{}(),;=<>&|^@$!";
const WORDCH = /[A-Za-z0-9_.:/\-*\[\]%~+]/;

/** Split text into tokens; `#` comments run to end of line; `\` before newline joins lines. */
export function lex(text: string): Tok[] {
  const out: Tok[] = [];
  let line = 1,
    col = 1,
    i = 0;
  const n = text.length;
  const adv = (k: number) => {
    for (let j = 0; j < k; j++) {
      if (text[i] === "\n") {
        line++;
        col = 1;
      } else col++;
      i++;
    }
  };
  while (i < n) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\r") {
      adv(1);
      continue;
    }
    if (c === "\\" && text[i + 1] === "\n") {
      adv(2);
      continue;
    }
    if (c === "#") {
      while (i < n && text[i] !== "\n") adv(1);
      continue;
    }
    if (c === "\n") {
      out.push({ kind: "nl", text: "\n", line, col, len: 1 });
      adv(1);
      continue;
    }
    if (c === ";") {
      out.push({ kind: "nl", text: ";", line, col, len: 1 });
      adv(1);
      continue;
    }
    if (c === '"') {
      const sl = line,
        sc = col;
      let j = i + 1;
      let s = "";
      while (j < n && text[j] !== '"' && text[j] !== "\n") {
        s += text[j];
        j++;
      }
      const len = j - i + 1;
      adv(Math.min(len, n - i));
      out.push({ kind: "string", text: s, line: sl, col: sc, len });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (OPS2.includes(two)) {
      out.push({ kind: "op", text: two, line, col, len: 2 });
      adv(2);
      continue;
    }
    if (c === "-" && !/[0-9]/.test(text[i + 1] ?? "")) {
      out.push({ kind: "op", text: "-", line, col, len: 1 });
      adv(1);
      continue;
    }
    if (OPS1.includes(c)) {
      // `@name` and `$name` stay one token.
      if ((c === "@" || c === "$") && /[A-Za-z_]/.test(text[i + 1] ?? "")) {
        let j = i + 1;
        while (j < n && /[A-Za-z0-9_\-./]/.test(text[j]!)) j++;
        out.push({ kind: "word", text: text.slice(i, j), line, col, len: j - i });
        adv(j - i);
        continue;
      }
      out.push({ kind: "op", text: c, line, col, len: 1 });
      adv(1);
      continue;
    }
    if (WORDCH.test(c)) {
      let j = i;
      while (j < n && WORDCH.test(text[j]!)) j++;
      // A lone "." / ":" is an operator (concatenation / map separator).
      const w = text.slice(i, j);
      out.push({ kind: w === "." || w === ":" ? "op" : "word", text: w, line, col, len: j - i });
      adv(j - i);
      continue;
    }
    out.push({ kind: "op", text: c, line, col, len: 1 });
    adv(1);
  }
  out.push({ kind: "eof", text: "", line, col, len: 1 });
  return out;
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
