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
  const r = new JsonReader(text);
  const out: JNode[] = [];
  r.ws();
  while (r.i < text.length) {
    out.push(r.value());
    r.ws();
  }
  return out;
}

const ESCAPES: ReadonlyMap<string, string> = new Map([
  ["n", "\n"],
  ["t", "\t"],
  ["r", "\r"],
  ["b", "\b"],
  ["f", "\f"],
  ["/", "/"],
  ["\\", "\\"],
  ['"', '"'],
]);

/** A recursive-descent reader: `i` is the position in `text`. */
class JsonReader {
  i = 0;
  constructor(readonly text: string) {}

  ws(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i++;
  }

  tokenAt(p: number): string {
    return this.text.slice(p, p + 12).split(/[\s,:\]}]/)[0] || this.text.slice(p, p + 1);
  }

  fail(expected: string): never {
    const token = this.i < this.text.length ? this.tokenAt(this.i) : "end of input";
    throw new JsonSyntaxError(`expected ${expected}`, this.i, expected, token);
  }

  /** Consume `c` if it is next. */
  eat(c: string): boolean {
    if (this.text[this.i] !== c) return false;
    this.i++;
    return true;
  }

  value(): JNode {
    this.ws();
    const c = this.text[this.i];
    const pos = this.i;
    if (c === "{") return this.object(pos);
    if (c === "[") return this.array(pos);
    if (c === '"') return { t: "str", pos, v: this.str() };
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(
      this.text.slice(this.i, this.i + 40),
    );
    if (m) {
      this.i += m[0].length;
      return { t: "num", pos, v: Number(m[0]), raw: m[0] };
    }
    for (const [word, node] of [
      ["true", { t: "bool", pos, v: true }],
      ["false", { t: "bool", pos, v: false }],
      ["null", { t: "null", pos }],
    ] as const) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return node;
      }
    }
    return this.fail("a JSON value");
  }

  object(pos: number): JNode {
    this.i++;
    const entries: { key: string; keyPos: number; value: JNode }[] = [];
    this.ws();
    if (this.eat("}")) return { t: "obj", pos, entries };
    for (;;) {
      this.ws();
      if (this.text[this.i] !== '"') this.fail("a string key");
      const keyPos = this.i;
      const key = this.str();
      this.ws();
      if (!this.eat(":")) this.fail("':'");
      entries.push({ key, keyPos, value: this.value() });
      this.ws();
      if (this.eat(",")) continue;
      if (this.eat("}")) return { t: "obj", pos, entries };
      this.fail("',' or '}'");
    }
  }

  array(pos: number): JNode {
    this.i++;
    const items: JNode[] = [];
    this.ws();
    if (this.eat("]")) return { t: "arr", pos, items };
    for (;;) {
      items.push(this.value());
      this.ws();
      if (this.eat(",")) continue;
      if (this.eat("]")) return { t: "arr", pos, items };
      this.fail("',' or ']'");
    }
  }

  str(): string {
    const text = this.text;
    const start = this.i;
    this.i++;
    let out = "";
    while (this.i < text.length && text[this.i] !== '"') {
      if (text[this.i] !== "\\") {
        out += text[this.i++];
        continue;
      }
      const e = text[this.i + 1];
      if (e === "u") {
        out += String.fromCharCode(parseInt(text.slice(this.i + 2, this.i + 6), 16));
        this.i += 6;
        continue;
      }
      const ch = e === undefined ? undefined : ESCAPES.get(e);
      if (ch === undefined) {
        this.i++;
        this.fail("a valid escape");
      }
      out += ch;
      this.i += 2;
    }
    if (this.i >= text.length) {
      this.i = start;
      this.fail("a closed string");
    }
    this.i++;
    return out;
  }
}

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
