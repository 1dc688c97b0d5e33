/**
 * `sort [-n] [-r] [-u] [-b] [-f] [-s] [-t C] [-k POS1[,POS2]]… [FILE…]` as coreutils 9.1
 * sorts in the C locale (byte order): keys are fields (`-t C`, or by default a run of blanks
 * and the non-blanks after it), `F[.C]` with per-key options `n r b f`; `-n` reads a leading
 * number (blanks, `-`, digits, a `.`), a line without one is 0. Lines that compare equal on
 * every key are ordered by the whole line unless `-s` or `-u` (which keeps the first of each
 * run). Options sort has but routelab does not model are refused (status 2, a message).
 * @module
 */
import { readInputs, splitLines, type TextIo } from "./text-io.js";

interface KeyOpts {
  n: boolean;
  r: boolean;
  b: boolean;
  f: boolean;
}

interface Key extends KeyOpts {
  f1: number;
  c1: number;
  f2: number;
  c2: number;
}

interface SortOpts extends KeyOpts {
  u: boolean;
  s: boolean;
  t?: string;
  keys: Key[];
  files: string[];
}

const FLAGS = "nrubfs";

function parseArgs(args: readonly string[]): SortOpts | string {
  const o: SortOpts = {
    n: false,
    r: false,
    u: false,
    b: false,
    f: false,
    s: false,
    keys: [],
    files: [],
  };
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "--") {
      o.files.push(...args.slice(k + 1));
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      o.files.push(a);
      continue;
    }
    if (a.startsWith("--")) return `option '${a}' is not modelled`;
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (FLAGS.includes(c)) {
        o[c as keyof KeyOpts | "u" | "s"] = true;
        continue;
      }
      if (c !== "t" && c !== "k") return `option -${c} is not modelled`;
      const value = j + 1 < a.length ? a.slice(j + 1) : args[++k];
      if (value === undefined) return `option requires an argument -- '${c}'`;
      if (c === "t") {
        if ([...value].length !== 1) return `multi-character tab '${value}'`;
        o.t = value;
      } else {
        const key = parseKey(value);
        if (typeof key === "string") return key;
        o.keys.push(key);
      }
      break;
    }
  }
  return o;
}

/** `-k F[.C][OPTS][,F[.C][OPTS]]`. */
function parseKey(spec: string): Key | string {
  const m = /^(\d+)(?:\.(\d+))?([nrbf]*)(?:,(\d+)(?:\.(\d+))?([nrbf]*))?$/.exec(spec);
  if (!m) return `invalid key specification '${spec}' (or one not modelled)`;
  const f1 = Number(m[1]);
  if (f1 === 0) return `field number is zero: invalid field specification '${spec}'`;
  const opts = (m[3] ?? "") + (m[6] ?? "");
  return {
    f1,
    c1: m[2] ? Number(m[2]) : 1,
    f2: m[4] ? Number(m[4]) : Infinity,
    c2: m[5] ? Number(m[5]) : 0,
    n: opts.includes("n"),
    r: opts.includes("r"),
    b: opts.includes("b"),
    f: opts.includes("f"),
  };
}

/** Where each field starts: after the separator, or (no -t) at the blanks before it. */
function fieldStarts(line: string, t: string | undefined): number[] {
  const starts = [0];
  if (t !== undefined) {
    for (let i = line.indexOf(t); i >= 0; i = line.indexOf(t, i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 1; i < line.length; i++)
    if (/[ \t]/.test(line[i]!) && !/[ \t]/.test(line[i - 1]!)) starts.push(i);
  return starts;
}

/**
 * The text of a key in a line (begfield/limfield in coreutils sort.c): a character offset
 * may run past its field, up to the end of the line.
 */
function keyText(line: string, key: Key, t: string | undefined): string {
  const starts = fieldStarts(line, t);
  const end = (f: number) =>
    f < starts.length ? starts[f]! - (t === undefined ? 0 : 1) : line.length;
  if (key.f1 > starts.length) return "";
  let from = starts[key.f1 - 1]!;
  if (key.b) while (/[ \t]/.test(line[from] ?? "")) from++;
  from = Math.min(from + key.c1 - 1, line.length);
  let to = line.length;
  if (key.f2 !== Infinity && key.f2 <= starts.length) {
    const fs = starts[key.f2 - 1]!;
    to = key.c2 === 0 ? end(key.f2) : Math.min(fs + key.c2, line.length);
  }
  return to > from ? line.slice(from, to) : "";
}

/** The leading number as `sort -n` reads it. */
function numeric(s: string): number {
  const m = /^[ \t]*(-?)(\d*)(?:\.(\d*))?/.exec(s)!;
  if (!m[2] && !m[3]) return 0;
  return Number(`${m[1]}${m[2] || "0"}.${m[3] || "0"}`);
}

function compareBy(a: string, b: string, o: KeyOpts): number {
  let c: number;
  if (o.n) c = Math.sign(numeric(a) - numeric(b));
  else {
    let x = o.b ? a.replace(/^[ \t]+/, "") : a;
    let y = o.b ? b.replace(/^[ \t]+/, "") : b;
    if (o.f) [x, y] = [x.toUpperCase(), y.toUpperCase()];
    c = x < y ? -1 : x > y ? 1 : 0;
  }
  return o.r ? -c : c;
}

function keyed(o: SortOpts): Key[] {
  const global = { n: o.n, r: o.r, b: o.b, f: o.f };
  if (o.keys.length === 0) return [{ f1: 1, c1: 1, f2: Infinity, c2: 0, ...global }];
  // A key without options of its own takes the global ones.
  return o.keys.map((k) => (k.n || k.r || k.b || k.f ? k : { ...k, ...global }));
}

/**
 * Run `sort ARGS`; its exit status.
 * @example runSort(["-n"], io) // lines by their leading number
 */
export function runSort(args: readonly string[], io: TextIo): number {
  const o = parseArgs(args);
  if (typeof o === "string") {
    io.warn(`sort: ${o}`);
    return 2;
  }
  const input = readInputs(
    o.files,
    io,
    (f) => `sort: cannot read: ${f}: No such file or directory`,
  );
  if (input.failed) return 2;
  const lines = input.text.flatMap((t) => splitLines(t).lines);
  const keys = keyed(o);
  const byKeys = (a: string, b: string) => {
    for (const k of keys) {
      const c = compareBy(keyText(a, k, o.t), keyText(b, k, o.t), k);
      if (c) return c;
    }
    return 0;
  };
  const last = (a: string, b: string) =>
    o.s || o.u ? 0 : compareBy(a, b, { ...o, n: false, b: false, f: false });
  const sorted = lines
    .map((line, i) => ({ line, i }))
    .sort((x, y) => byKeys(x.line, y.line) || last(x.line, y.line) || x.i - y.i)
    .map((e) => e.line);
  const kept = o.u ? sorted.filter((l, k) => k === 0 || byKeys(sorted[k - 1]!, l) !== 0) : sorted;
  io.out(kept.map((l) => `${l}\n`).join(""));
  return 0;
}
