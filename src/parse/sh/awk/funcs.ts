/**
 * awk's built-in functions (POSIX awk "String Functions", "Arithmetic Functions"): `length`,
 * `substr`, `index`, `split`, `sub`, `gsub`, `match` (RSTART, RLENGTH), `sprintf`,
 * `tolower`, `toupper`, `close`, `system`, `int`, `sqrt`, `exp`, `log`, `sin`, `cos`, `atan2`.
 * @module
 */
import type { Expr, LValue } from "./ast.js";
import { sprintf } from "./format.js";
import { splitFields } from "./record.js";
import { StrNum, toNum, type Val } from "./value.js";

/** What a built-in needs of the running program. */
export interface Ctx {
  ev(e: Expr): Val;
  str(v: Val): string;
  getL(t: LValue): Val;
  setL(t: LValue, v: Val): void;
  /** The array a name holds (made one if it was never used). */
  array(e: Expr): Map<string, Val> | undefined;
  isArray(e: Expr): boolean;
  getVar(name: string): Val;
  setVar(name: string, v: Val): void;
  regexOf(e: Expr): RegExp;
  /** `close(FILE)`: forget a file `getline <` reads (0), -1 when it was not open. */
  close(name: string): number;
  /** `system(CMD)`: CMD run by a child shell, its output after awk's so far; its status. */
  system(command: string): number;
  fail(message: string): never;
}

const ARITY: Record<string, [number, number]> = {
  length: [0, 1],
  substr: [2, 3],
  index: [2, 2],
  split: [2, 3],
  sub: [2, 3],
  gsub: [2, 3],
  match: [2, 2],
  sprintf: [1, Infinity],
  tolower: [1, 1],
  close: [1, 1],
  system: [1, 1],
  toupper: [1, 1],
  int: [1, 1],
  sqrt: [1, 1],
  exp: [1, 1],
  log: [1, 1],
  sin: [1, 1],
  cos: [1, 1],
  atan2: [2, 2],
};

const MATH: Record<string, (x: number, y: number) => number> = {
  int: Math.trunc,
  sqrt: Math.sqrt,
  exp: Math.exp,
  log: Math.log,
  sin: Math.sin,
  cos: Math.cos,
  atan2: Math.atan2,
};

export function callBuiltin(c: Ctx, name: string, args: Expr[]): Val {
  const [min, max] = ARITY[name]!;
  if (args.length < min || args.length > max)
    c.fail(`wrong number of arguments in call to ${name}`);
  const s = (k: number) => c.str(c.ev(args[k]!));
  const n = (k: number) => toNum(c.ev(args[k]!));
  switch (name) {
    case "length":
      if (args.length === 0) return c.str(c.getVar("$0")).length;
      if (c.isArray(args[0]!)) return c.array(args[0]!)!.size;
      return s(0).length;
    case "substr":
      return substr(s(0), n(1), args.length > 2 ? n(2) : undefined);
    case "index":
      return s(0).indexOf(s(1)) + 1;
    case "split":
      return split(c, args);
    case "sub":
    case "gsub":
      return substitute(c, args, name === "gsub");
    case "match":
      return match(c, s(0), c.regexOf(args[1]!));
    case "sprintf": {
      const vals = args.slice(1).map((a) => c.ev(a));
      const r = sprintf(s(0), vals, { num: toNum, str: (v) => c.str(v) });
      return r.error ? c.fail(`${r.error} sprintf(${JSON.stringify(s(0))})`) : r.text;
    }
    case "tolower":
      return s(0).toLowerCase();
    case "close":
      return c.close(s(0));
    case "system":
      return c.system(s(0));
    case "toupper":
      return s(0).toUpperCase();
  }
  return MATH[name]!(n(0), args.length > 1 ? n(1) : 0);
}

/** `substr(s, m[, n])`: positions rounded, the part inside the string (POSIX). */
function substr(s: string, m: number, n: number | undefined): string {
  const start = Math.round(m);
  const end = n === undefined ? Infinity : start + Math.round(n);
  const from = Math.max(start, 1);
  const to = Math.min(end, s.length + 1);
  return to > from ? s.slice(from - 1, to - 1) : "";
}

function split(c: Ctx, args: Expr[]): number {
  const text = c.str(c.ev(args[0]!));
  const arr = c.array(args[1]!);
  if (!arr) return c.fail("split: second argument is not an array");
  let parts: string[] | string;
  if (args[2]?.k === "re") parts = splitFields(text, args[2].src, true);
  else parts = splitFields(text, args[2] ? c.str(c.ev(args[2])) : c.str(c.getVar("FS")));
  if (typeof parts === "string") return c.fail(parts);
  arr.clear();
  parts.forEach((p, k) => arr.set(String(k + 1), new StrNum(p)));
  return parts.length;
}

function match(c: Ctx, s: string, re: RegExp): number {
  re.lastIndex = 0;
  const m = re.exec(s);
  c.setVar("RSTART", m ? m.index + 1 : 0);
  c.setVar("RLENGTH", m ? m[0].length : -1);
  return m ? m.index + 1 : 0;
}

/** The replacement: `&` the match, `\&` a literal `&`, `\\` a backslash. */
function expand(repl: string, matched: string): string {
  return repl.replace(/\\\\|\\&|&/g, (t) => (t === "&" ? matched : t === "\\&" ? "&" : "\\"));
}

/** `sub`/`gsub(re, repl[, target])`: the number of replacements (an empty match after a
 * match is skipped, as in awk). */
function substitute(c: Ctx, args: Expr[], global: boolean): number {
  const re = c.regexOf(args[0]!);
  const repl = c.str(c.ev(args[1]!));
  const target: LValue = args[2] ? asLValue(c, args[2]) : { k: "field", e: { k: "num", v: 0 } };
  const text = c.str(c.getL(target));
  let out = "";
  let at = 0;
  let count = 0;
  let prevEnd = -1;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const end = m.index + m[0].length;
    if (m[0] === "") re.lastIndex++;
    if (m[0] === "" && m.index === prevEnd) continue;
    prevEnd = end;
    out += text.slice(at, m.index) + expand(repl, m[0]);
    at = end;
    count++;
    if (!global) break;
  }
  if (count) c.setL(target, out + text.slice(at));
  return count;
}

function asLValue(c: Ctx, e: Expr): LValue {
  const t = e.k === "group" ? e.e : e;
  if (t.k === "var" || t.k === "index" || t.k === "field") return t;
  return c.fail("sub/gsub: third argument is not a variable");
}
