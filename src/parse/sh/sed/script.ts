/**
 * A sed script read into commands, as GNU sed 4.9 reads it (compile.c): addresses (`N`, `$`,
 * `/RE/` or `\cREc` with `I`, `F~S`, ranges `A,B`, `A,+N`, `0,/RE/`, `!`), `{…}` blocks, commands
 * separated by `;` or newlines, `s` with any delimiter and flags `g`, `p`, `N`, `I`, and
 * `y`, `p`, `P`, `d`, `D`, `n`, `N`, `q`, `Q`, `=`, `h`, `H`, `g`, `G`, `x`, `z`, `a`/`i`/`c`,
 * `:label`, `b`, `t`, `T`, `#`. The block and branch targets become indexes into one flat
 * list. A command or flag sed has but routelab does not model is an error saying so.
 * @module
 */
import { posixToJs } from "../regex.js";

export type Addr =
  | { k: "line"; n: number }
  | { k: "last" }
  | { k: "re"; re: RegExp | undefined }
  | { k: "plus"; n: number }
  /** GNU's `first~step`: every step-th line from first. */
  | { k: "step"; first: number; step: number };

/** A replacement: literal text and group references (`&` is group 0). */
export type Repl = (string | number)[];

export interface Cmd {
  a1?: Addr;
  a2?: Addr;
  neg: boolean;
  name: string;
  /** `{`: the index after its `}`; `b`/`t`/`T`: the target (the list's length: the end). */
  jump?: number;
  label?: string;
  /** `q`/`Q`: the exit status. */
  status?: number;
  text?: string;
  re?: RegExp | undefined;
  repl?: Repl;
  global?: boolean;
  print?: boolean;
  nth?: number;
  map?: Map<string, string>;
  /** Range state (execution): inside the range, and its end line for `+N`/line ends. */
  active?: boolean;
  end?: number;
}

/** A script error: GNU sed's message and the character position (1-based) it names. */
export class SedError {
  constructor(
    readonly message: string,
    readonly char: number,
  ) {}
}

const SIMPLE = "=dDgGhHnNpPxz";
const NOT_MODELLED = "lwWrReFvm";

class Reader {
  i = 0;
  constructor(
    readonly s: string,
    readonly ere: boolean,
  ) {}
  ch(): string | undefined {
    return this.s[this.i];
  }
  fail(message: string): never {
    throw new SedError(message, this.i);
  }
  blanks(): void {
    while (this.ch() === " " || this.ch() === "\t") this.i++;
  }
}

/**
 * The commands of a script (several `-e` are joined with newlines, as sed does).
 * @example parseSed("1 s|$|x|p", false) // one `s` on line 1 that prints
 */
export function parseSed(text: string, ere: boolean): Cmd[] | SedError {
  const r = new Reader(text, ere);
  const cmds: Cmd[] = [];
  const open: number[] = [];
  try {
    for (;;) {
      while (/^[\s;]/.test(r.ch() ?? "")) r.i++;
      if (r.ch() === undefined) break;
      if (r.ch() === "#") {
        while (r.ch() !== undefined && r.ch() !== "\n") r.i++;
        continue;
      }
      const cmd = command(r);
      if (cmd.name === "{") open.push(cmds.length);
      if (cmd.name === "}") {
        const k = open.pop();
        if (k === undefined) return r.fail("unexpected `}'");
        cmds[k]!.jump = cmds.length + 1;
      }
      cmds.push(cmd);
      if (cmd.name !== "{") end(r);
    }
    if (open.length) throw new SedError("unmatched `{'", 0);
  } catch (e) {
    if (e instanceof SedError) return e;
    throw e;
  }
  return labels(cmds, text);
}

function labels(cmds: Cmd[], text: string): Cmd[] | SedError {
  for (const c of cmds) {
    if (!"btT".includes(c.name)) continue;
    if (!c.label) c.jump = cmds.length;
    else {
      const k = cmds.findIndex((d) => d.name === ":" && d.label === c.label);
      if (k < 0) return new SedError(`can't find label for jump to \`${c.label}'`, text.length);
      c.jump = k;
    }
  }
  return cmds;
}

/** After a command: blanks, then `;`, a newline, `}`, `#` or the end. */
function end(r: Reader): void {
  r.blanks();
  if (r.ch() === undefined || r.ch() === ";" || r.ch() === "\n" || r.ch() === "}" || r.ch() === "#")
    return;
  r.i++;
  r.fail(`extra characters after command`);
}

function command(r: Reader): Cmd {
  const cmd: Cmd = { neg: false, name: "" };
  cmd.a1 = address(r);
  if (cmd.a1 && r.ch() === ",") {
    r.i++;
    r.blanks();
    cmd.a2 = address(r, true);
    if (!cmd.a2) r.fail("unexpected `,'");
  }
  r.blanks();
  while (r.ch() === "!") {
    cmd.neg = true;
    r.i++;
    r.blanks();
  }
  const c = r.ch();
  r.i++;
  if (c === undefined) r.fail("missing command");
  cmd.name = c;
  if (c === "}" && (cmd.a1 || cmd.neg)) r.fail("} doesn't want any addresses");
  if (c === "{" || c === "}" || SIMPLE.includes(c)) return cmd;
  if (c === "q" || c === "Q") {
    r.blanks();
    const m = /^\d+/.exec(r.s.slice(r.i));
    cmd.status = m ? Number(m[0]) : 0;
    r.i += m ? m[0].length : 0;
  } else if (c === ":") {
    if (cmd.a1) r.fail(": doesn't want any addresses");
    cmd.label = label(r);
    if (!cmd.label) r.fail('":" lacks a label');
  } else if ("btT".includes(c)) cmd.label = label(r);
  else if (c === "s") substitute(r, cmd);
  else if (c === "y") transliterate(r, cmd);
  else if ("aic".includes(c)) cmd.text = textArg(r);
  else if (NOT_MODELLED.includes(c)) r.fail(`command \`${c}' is not modelled`);
  else r.fail(`unknown command: \`${c}'`);
  return cmd;
}

function label(r: Reader): string {
  r.blanks();
  const start = r.i;
  while (/^[^;\n]/.test(r.ch() ?? "")) r.i++;
  return r.s.slice(start, r.i).trimEnd();
}

function address(r: Reader, second = false): Addr | undefined {
  const s = r.s.slice(r.i);
  const num = /^\d+/.exec(s);
  if (second && s[0] === "+") {
    const m = /^\+(\d+)/.exec(s);
    if (!m) r.fail("expected newer version of sed");
    r.i += m[0].length;
    return { k: "plus", n: Number(m[1]) };
  }
  if (num) {
    r.i += num[0].length;
    const step = /^~(\d+)/.exec(r.s.slice(r.i));
    if (step && !second) {
      r.i += step[0].length;
      return { k: "step", first: Number(num[0]), step: Number(step[1]) };
    }
    if (num[0] !== "0" || second) return { k: "line", n: Number(num[0]) };
    if (r.ch() !== ",") r.fail("invalid usage of line address 0");
    return { k: "line", n: 0 };
  }
  if (s[0] === "$") {
    r.i++;
    return { k: "last" };
  }
  if (s[0] === "/" || s[0] === "\\") {
    if (s[0] === "\\") r.i++;
    const delim = r.ch();
    if (delim === undefined || delim === "\n" || delim === "\\")
      r.fail("unexpected end of regular expression");
    r.i++;
    const src = delimited(r, delim, true);
    let icase = false;
    while (r.ch() === "I" || r.ch() === "M") {
      if (r.ch() === "M") r.fail("the M address flag is not modelled");
      icase = true;
      r.i++;
    }
    return { k: "re", re: compile(r, src, icase) };
  }
  return undefined;
}

/**
 * The text up to the unescaped delimiter (consumed). In a regular expression a bracket
 * expression may hold the delimiter, and `\n` is a newline; `\DELIM` is the delimiter itself.
 */
function delimited(r: Reader, delim: string, regex: boolean): string {
  let out = "";
  for (;;) {
    const c = r.ch();
    if (c === undefined || (c === "\n" && regex))
      r.fail(regex ? "unterminated address regex" : "unterminated `s' command");
    r.i++;
    if (c === delim) return out;
    if (c === "\\") {
      const n = r.ch();
      r.i++;
      if (n === undefined) r.fail("unterminated `s' command");
      if (n === delim && delim !== "&") out += n;
      else if (n === "n" && regex) out += "\n";
      else if (n === "t" && regex) out += "\t";
      else if (n === "\n") out += regex ? "\n" : "\\\n";
      else out += `\\${n}`;
    } else if (c === "[" && regex) out += bracketText(r);
    else out += c;
  }
}

/** A bracket expression's text after its `[` (consumed), with the `[`. */
function bracketText(r: Reader): string {
  const start = r.i - 1;
  let j = r.i;
  if (r.s[j] === "^") j++;
  if (r.s[j] === "]") j++;
  for (; j < r.s.length && r.s[j] !== "]"; j++) {
    const cls = /^\[[:.=][^\]]*[:.=]\]/.exec(r.s.slice(j));
    if (cls) j += cls[0].length - 1;
  }
  if (j >= r.s.length) r.fail("unterminated address regex");
  r.i = j + 1;
  return r.s.slice(start, j + 1);
}

function compile(r: Reader, src: string, icase: boolean): RegExp | undefined {
  if (src === "") return undefined; // the last regular expression used
  const js = posixToJs(src, r.ere);
  if (js.startsWith("!")) r.fail(js.slice(1));
  try {
    return new RegExp(js, icase ? "gi" : "g");
  } catch {
    return r.fail("Invalid regular expression");
  }
}

function substitute(r: Reader, cmd: Cmd): void {
  const delim = r.ch();
  if (delim === undefined || delim === "\n" || delim === "\\") r.fail("unterminated `s' command");
  r.i++;
  const src = delimited(r, delim, true);
  const repl = replacement(r, delimited(r, delim, false));
  let icase = false;
  for (;;) {
    const c = r.ch();
    if (c === "g") cmd.global = true;
    else if (c === "p") cmd.print = true;
    else if (c === "i" || c === "I") icase = true;
    else if (c !== undefined && /\d/.test(c)) {
      const m = /^\d+/.exec(r.s.slice(r.i))!;
      cmd.nth = Number(m[0]);
      if (cmd.nth === 0) r.fail("number option to `s' command may not be zero");
      r.i += m[0].length - 1;
    } else if (c !== undefined && "emMw".includes(c))
      r.fail(`the \`${c}' flag of s is not modelled`);
    else break;
    r.i++;
  }
  cmd.re = compile(r, src, icase);
  cmd.repl = repl;
  const groups = cmd.re ? new RegExp(`${cmd.re.source}|`).exec("")!.length - 1 : 9;
  const ref = repl.find((p) => typeof p === "number" && p > groups);
  if (ref !== undefined) r.fail(`invalid reference \\${ref} on \`s' command's RHS`);
}

/** The replacement's parts: `&`, `\1`…`\9`, `\n` a newline, `\X` the character X. */
function replacement(r: Reader, text: string): Repl {
  const parts: Repl = [];
  let lit = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "&") {
      parts.push(lit, 0);
      lit = "";
    } else if (c !== "\\" || i + 1 >= text.length) lit += c;
    else {
      const n = text[++i]!;
      if (/\d/.test(n)) {
        parts.push(lit, Number(n));
        lit = "";
      } else if ("LUluE".includes(n)) r.fail(`case conversion \\${n} in s is not modelled`);
      else
        lit += ({ n: "\n", t: "\t", r: "\r", a: "\x07", f: "\f", v: "\v" } as const)[n as "n"] ?? n;
    }
  }
  parts.push(lit);
  return parts.filter((p) => p !== "");
}

function transliterate(r: Reader, cmd: Cmd): void {
  const delim = r.ch();
  if (delim === undefined || delim === "\n" || delim === "\\") r.fail("unterminated `y' command");
  r.i++;
  const unescapeY = (t: string) =>
    t.replace(/\\(.)/gs, (_m, c: string) => (c === "n" ? "\n" : c === "\\" ? "\\" : `\\${c}`));
  const from = [...unescapeY(delimited(r, delim, false))];
  const to = [...unescapeY(delimited(r, delim, false))];
  if (from.length !== to.length) r.fail("strings for `y' command are different lengths");
  cmd.map = new Map(from.map((c, k) => [c, to[k]!]));
}

/** `a TEXT`, `a\` NEWLINE `TEXT` (GNU's one-line form too); `\` NEWLINE continues it. */
function textArg(r: Reader): string {
  r.blanks();
  if (r.ch() === "\\") {
    r.i++;
    r.blanks();
    if (r.ch() === "\n") r.i++;
  }
  let out = "";
  while (r.ch() !== undefined && r.ch() !== "\n") {
    if (r.ch() === "\\" && r.i + 1 < r.s.length) r.i++;
    out += r.ch();
    r.i++;
  }
  return out;
}
