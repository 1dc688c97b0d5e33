/**
 * A small JSON parser that keeps source positions, so a rejected dump entry can be reported
 * as `file:line:col`. Accepts one or more top-level values one after another (pasting
 * `ip -j rule show; ip -j -6 rule show` gives two arrays).
 * @module
 */

export type JNode =
  | { t: "obj"; pos: number; entries: { key: string; keyPos: number; value: JNode }[] }
  | { t: "arr"; pos: number; items: JNode[] }
  | { t: "str"; pos: number; v: string }
  | { t: "num"; pos: number; v: number; raw: string }
  | { t: "bool"; pos: number; v: boolean }
  | { t: "null"; pos: number };

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly pos: number,
    readonly expected: string,
    readonly token: string,
  ) {
    super(message);
  }
}

/** Parse all top-level JSON values in `text`. Throws JsonSyntaxError with a position. */
export function parseJsonValues(text: string): JNode[] {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const tokenAt = (p: number) =>
    text.slice(p, p + 12).split(/[\s,:\]}]/)[0] || text.slice(p, p + 1);
  const fail = (expected: string): never => {
    throw new JsonSyntaxError(
      `expected ${expected}`,
      i,
      expected,
      i < text.length ? tokenAt(i) : "end of input",
    );
  };
  const value = (): JNode => {
    ws();
    const c = text[i];
    const pos = i;
    if (c === "{") {
      i++;
      const entries: { key: string; keyPos: number; value: JNode }[] = [];
      ws();
      if (text[i] === "}") {
        i++;
        return { t: "obj", pos, entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("a string key");
        const keyPos = i;
        const key = str();
        ws();
        if (text[i] !== ":") fail("':'");
        i++;
        entries.push({ key, keyPos, value: value() });
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return { t: "obj", pos, entries };
        }
        fail("',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const items: JNode[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return { t: "arr", pos, items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return { t: "arr", pos, items };
        }
        fail("',' or ']'");
      }
    }
    if (c === '"') return { t: "str", pos, v: str() };
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 40));
    if (m) {
      i += m[0].length;
      return { t: "num", pos, v: Number(m[0]), raw: m[0] };
    }
    if (text.startsWith("true", i)) {
      i += 4;
      return { t: "bool", pos, v: true };
    }
    if (text.startsWith("false", i)) {
      i += 5;
      return { t: "bool", pos, v: false };
    }
    if (text.startsWith("null", i)) {
      i += 4;
      return { t: "null", pos };
    }
    return fail("a JSON value");
  };
  const str = (): string => {
    const start = i;
    i++;
    let out = "";
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") {
        const e = text[i + 1];
        const map: Record<string, string> = {
          n: "\n",
          t: "\t",
          r: "\r",
          b: "\b",
          f: "\f",
          "/": "/",
          "\\": "\\",
          '"': '"',
        };
        if (e === "u") {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        if (e === undefined || map[e] === undefined) {
          i++;
          fail("a valid escape");
        }
        out += map[e!]!;
        i += 2;
        continue;
      }
      out += text[i];
      i++;
    }
    if (i >= text.length) {
      i = start;
      fail("a closed string");
    }
    i++;
    return out;
  };
  const out: JNode[] = [];
  ws();
  while (i < text.length) {
    out.push(value());
    ws();
  }
  return out;
}

/** Offsets to 1-based line/column. */
export class LineIndex {
  private starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") this.starts.push(i + 1);
  }
  at(pos: number): { line: number; col: number } {
    let lo = 0,
      hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: pos - this.starts[lo]! + 1 };
  }
}

/** Plain JS value of a node (for simple checks). */
export function plain(n: JNode): unknown {
  switch (n.t) {
    case "obj":
      return Object.fromEntries(n.entries.map((e) => [e.key, plain(e.value)]));
    case "arr":
      return n.items.map(plain);
    case "null":
      return null;
    default:
      return n.v;
  }
}
