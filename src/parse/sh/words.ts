/**
 * The word level of the shell parser: quoting ('…', "…", $'…', `\`), parameter expansion
 * (`$x`, `${x:-w}`, `${#x}`, `${x%%p}`, `${x/p/r}`, …), command substitution (`$(…)`, `…`)
 * and arithmetic (`$((…))`). Command-level parsing (parser.ts) extends this class.
 * Positions are offsets into the source, turned into file:line:col on demand.
 * @module
 */
import { IssueError, issue } from "../../core/issue.js";
import type { SourceLoc } from "../../core/loc.js";
import type { List, Part, Word } from "./ast.js";

/** Deepest nesting of compound commands and expansions parsed (bash has none; JS has a stack). */
export const SH_MAX_DEPTH = 150;

const PARAM_OPS = [":-", ":=", ":+", ":?", "##", "%%", "//", "/#", "/%", "^^", ",,"];
const PARAM_OPS1 = ["-", "=", "+", "?", "#", "%", "/", "^", ","];
const SPECIAL = "@*#?$!-0123456789";

/** Where a parse starts in its file (sub-parses of here-documents and `…` keep positions). */
export interface Origin {
  file: string;
  line: number;
  col: number;
}

export abstract class WordReader {
  i = 0;
  depth = 0;
  readonly lineStarts: number[] = [0];
  constructor(
    readonly src: string,
    readonly origin: Origin,
  ) {
    for (let k = 0; k < src.length; k++) if (src.charCodeAt(k) === 10) this.lineStarts.push(k + 1);
  }

  /** Parse a command list up to `)` (for `$(…)`); implemented by the command parser. */
  abstract subList(close: string): List;
  /** Parse a whole other text (backquotes, arithmetic) with this parser's depth. */
  abstract subParse(text: string, at: number, mode: "script" | "heredoc"): List | Word;

  loc(at = this.i): SourceLoc {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    const col = at - this.lineStarts[lo]! + 1;
    return {
      file: this.origin.file,
      line: this.origin.line + lo,
      col: lo === 0 ? this.origin.col + col - 1 : col,
    };
  }
  peek(o = 0): string {
    return this.src[this.i + o] ?? "";
  }
  startsWith(s: string): boolean {
    return this.src.startsWith(s, this.i);
  }
  fail(message: string, at = this.i, token?: string, expected?: string): never {
    throw new IssueError(issue("shell.syntax", message, { loc: this.loc(at), token, expected }));
  }
  enter(at: number): void {
    if (++this.depth > SH_MAX_DEPTH)
      this.fail(
        `nesting too deep (over ${SH_MAX_DEPTH} levels)`,
        at,
        undefined,
        "shallower nesting",
      );
  }
  leave(): void {
    this.depth--;
  }

  /** One word at the cursor, or undefined at a metacharacter. `stop` ends it early. */
  readWord(stop = ""): Word | undefined {
    const start = this.i;
    const parts: Part[] = [];
    while (this.i < this.src.length) {
      const c = this.peek();
      if ((c === "<" || c === ">") && this.peek(1) === "(") {
        parts.push(this.readProcSub());
        continue;
      }
      if (" \t\r\n;&|<>()".includes(c) || (stop && stop.includes(c))) break;
      this.wordChar(parts, false);
    }
    return this.i === start ? undefined : { parts, loc: this.loc(start) };
  }

  /** One unit of a word: a quote, an expansion, an escape or a plain character. */
  wordChar(parts: Part[], inParam: boolean): void {
    const c = this.peek();
    if (c === "\\") {
      this.i++;
      if (this.peek() === "\n") this.i++;
      else if (this.i < this.src.length) lit(parts, this.src[this.i++]!, true);
    } else if (c === "'") this.readSingle(parts);
    else if (c === '"') this.readDouble(parts);
    else if (c === "$" && this.peek(1) === "'") this.readAnsi(parts);
    else if (c === "$" || c === "`") this.readDollar(parts, false);
    else lit(parts, this.src[this.i++]!, inParam);
  }

  readSingle(parts: Part[]): void {
    const start = this.i++;
    const end = this.src.indexOf("'", this.i);
    if (end < 0) this.fail("unexpected EOF while looking for matching `''", start, "'", "'");
    lit(parts, this.src.slice(this.i, end), true);
    this.i = end + 1;
  }

  /** $'…': ANSI-C escapes (\n \t \\ \' \xHH \NNN). */
  readAnsi(parts: Part[]): void {
    const start = this.i;
    this.i += 2;
    let t = "";
    for (;;) {
      if (this.i >= this.src.length)
        this.fail("unexpected EOF while looking for matching `''", start);
      const c = this.src[this.i++]!;
      if (c === "'") break;
      if (c !== "\\") {
        t += c;
        continue;
      }
      const e = this.src[this.i++] ?? "";
      const hex = /^x([0-9a-fA-F]{1,2})/.exec(this.src.slice(this.i - 1, this.i + 2));
      const oct = /^[0-7]{1,3}/.exec(this.src.slice(this.i - 1, this.i + 2));
      if (hex) {
        t += String.fromCharCode(parseInt(hex[1]!, 16));
        this.i += hex[0].length - 1;
      } else if (oct) {
        t += String.fromCharCode(parseInt(oct[0], 8));
        this.i += oct[0].length - 1;
      } else t += { n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", e: "\x1b" }[e] ?? e;
    }
    lit(parts, t, true);
  }

  readDouble(parts: Part[]): void {
    const start = this.i++;
    const inner: Part[] = [];
    for (;;) {
      if (this.i >= this.src.length)
        this.fail("unexpected EOF while looking for matching `\"'", start, '"', '"');
      const c = this.peek();
      if (c === '"') break;
      this.dqChar(inner);
    }
    this.i++;
    if (inner.length === 0) lit(parts, "", true);
    for (const p of inner) parts.push(p);
  }

  /** One unit inside "…" or an unquoted here-document: `\` escapes only $ ` " \ newline. */
  dqChar(parts: Part[], heredoc = false): void {
    const c = this.peek();
    const n = this.peek(1);
    if (
      c === "\\" &&
      (n === "$" || n === "`" || n === "\\" || n === "\n" || (n === '"' && !heredoc))
    ) {
      this.i += 2;
      if (n !== "\n") lit(parts, n, true);
    } else if (c === "$" || c === "`") this.readDollar(parts, true);
    else lit(parts, this.src[this.i++]!, true);
  }

  /** `$…` or a backquote at the cursor. */
  readDollar(parts: Part[], quoted: boolean): void {
    const start = this.i;
    const loc = this.loc(start);
    if (this.peek() === "`") return void parts.push(this.readBackquote(quoted));
    const n = this.peek(1);
    if (n === "(" && this.peek(2) === "(") {
      const expr = this.readArith(start);
      if (expr) return void parts.push({ k: "arith", expr, quoted, loc });
    }
    if (n === "(") {
      this.enter(start);
      this.i += 2;
      const body = this.subList(")");
      this.leave();
      return void parts.push({ k: "cmdsub", body, quoted, loc });
    }
    if (n === "{") return void parts.push(this.readBrace(quoted));
    if (/[A-Za-z_]/.test(n)) {
      let j = this.i + 1;
      while (/[A-Za-z0-9_]/.test(this.src[j] ?? "")) j++;
      parts.push({ k: "param", name: this.src.slice(this.i + 1, j), quoted, loc });
      this.i = j;
      return;
    }
    if (n && SPECIAL.includes(n)) {
      this.i += 2;
      return void parts.push({ k: "param", name: n, quoted, loc });
    }
    this.i++;
    lit(parts, "$", quoted);
  }

  /** `<(…)` or `>(…)` at the cursor (bash's process substitution). */
  readProcSub(): Part {
    const start = this.i;
    const dir = this.peek() as "<" | ">";
    this.enter(start);
    this.i += 2;
    const body = this.subList(")");
    this.leave();
    return { k: "procsub", dir, body, quoted: false, loc: this.loc(start) };
  }

  /** `$((…))` up to its matching `))`; undefined when it is really `$( (…) )`. */
  readArith(start: number): Word | undefined {
    this.enter(start);
    let depth = 0;
    let j = start + 3;
    for (; j < this.src.length; j++) {
      const c = this.src[j];
      if (c === "(") depth++;
      else if (c === ")") {
        if (depth === 0) break;
        depth--;
      }
    }
    if (this.src[j] !== ")" || this.src[j + 1] !== ")") {
      this.leave();
      if (j >= this.src.length)
        this.fail("unexpected EOF while looking for matching `))'", start, "$((", "))");
      return undefined;
    }
    const expr = this.subParse(this.src.slice(start + 3, j), start + 3, "heredoc") as Word;
    this.i = j + 2;
    this.leave();
    return expr;
  }

  readBackquote(quoted: boolean): Part {
    const start = this.i++;
    let t = "";
    for (;;) {
      if (this.i >= this.src.length)
        this.fail("unexpected EOF while looking for matching ``'", start);
      const c = this.src[this.i++]!;
      if (c === "`") break;
      if (c === "\\" && "$`\\".includes(this.peek())) t += this.src[this.i++]!;
      else t += c;
    }
    this.enter(start);
    const body = this.subParse(t, start + 1, "script") as List;
    this.leave();
    return { k: "cmdsub", body, quoted, loc: this.loc(start) };
  }

  /** `${…}`: name, length, and the operators of bash's parameter expansion. */
  readBrace(quoted: boolean): Part {
    const start = this.i;
    const loc = this.loc(start);
    this.i += 2;
    this.enter(start);
    let length = false;
    if (this.peek() === "#" && this.peek(1) !== "}") {
      length = true;
      this.i++;
    }
    const m = /^(?:[A-Za-z_][A-Za-z0-9_]*|\d+|[@*#?$!-])/.exec(
      this.src.slice(this.i, this.i + 200),
    );
    if (!m) this.fail("bad substitution", start, this.src.slice(start, this.i + 1), "${NAME}");
    this.i += m[0].length;
    const name = m[0];
    const index =
      /^[A-Za-z_]/.test(name) && this.peek() === "[" ? this.readIndex(start) : undefined;
    let op: string | undefined = length ? "length" : undefined;
    let arg: Word | undefined;
    if (!length && this.peek() !== "}") {
      op = PARAM_OPS.find((o) => this.startsWith(o)) ?? PARAM_OPS1.find((o) => this.startsWith(o));
      if (!op && this.peek() === ":") op = ":";
      if (!op) this.fail("bad substitution", start, this.src.slice(start, this.i + 1), "}");
      this.i += op.length;
      arg = this.readParamArg(start);
    }
    if (this.peek() !== "}") this.fail("bad substitution", start, "${", "}");
    this.i++;
    this.leave();
    const more = { ...(op ? { op } : {}), ...(arg ? { arg } : {}), ...(index ? { index } : {}) };
    return { k: "param", name, quoted, loc, ...more };
  }

  /** `[@]`, `[*]` or `[EXPR]` after a name in `${…}`: the subscript as a word. */
  readIndex(start: number): Word {
    const end = this.src.indexOf("]", this.i);
    if (end < 0) this.fail("bad substitution", start, "${", "]");
    const text = this.src.slice(this.i + 1, end);
    const at = this.i + 1;
    this.i = end + 1;
    if (text === "@" || text === "*")
      return { parts: [{ k: "lit", text, quoted: false }], loc: this.loc(at) };
    return this.subParse(text, at, "heredoc") as Word;
  }

  /** The word after a `${name OP` up to the closing `}`. */
  readParamArg(start: number): Word {
    const at = this.i;
    const parts: Part[] = [];
    for (;;) {
      if (this.i >= this.src.length)
        this.fail("unexpected EOF while looking for matching `}'", start, "${", "}");
      if (this.peek() === "}") break;
      this.wordChar(parts, false);
    }
    return { parts, loc: this.loc(at) };
  }
}

/** Append literal text, merging with the previous literal of the same quoting. */
export function lit(parts: Part[], text: string, quoted: boolean): void {
  const last = parts[parts.length - 1];
  if (last && last.k === "lit" && last.quoted === quoted) last.text += text;
  else parts.push({ k: "lit", text, quoted });
}

/** The word's text when it is one unquoted literal (reserved words, names), else undefined. */
export function plainText(w: Word | undefined): string | undefined {
  if (!w || w.parts.length !== 1) return undefined;
  const p = w.parts[0]!;
  return p.k === "lit" && !p.quoted ? p.text : undefined;
}
