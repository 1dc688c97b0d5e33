/**
 * `cut -f LIST [-d C] [-s] | -c LIST | -b LIST [FILE…]` as coreutils 9.1 cuts lines: a LIST
 * of `N`, `N-`, `-M`, `N-M` (commas between), selected in increasing order once each; with
 * `-f` a line without the delimiter is printed whole unless `-s`. Characters and bytes are
 * the same here (text is read as characters). Options cut has but routelab does not model
 * are refused (status 1, a message).
 * @module
 */
import { readInputs, splitLines, type TextIo } from "./text-io.js";

interface CutOpts {
  mode?: "f" | "c";
  list: string;
  delim: string;
  outDelim?: string;
  onlyDelimited: boolean;
  files: string[];
}

function parseArgs(args: readonly string[]): CutOpts | string {
  const o: CutOpts = { list: "", delim: "\t", onlyDelimited: false, files: [] };
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "--") {
      o.files.push(...args.slice(k + 1));
      break;
    }
    if (a.startsWith("--output-delimiter=")) {
      o.outDelim = a.slice(19);
      continue;
    }
    if (!a.startsWith("-") || a === "-") {
      o.files.push(a);
      continue;
    }
    const c = a[1]!;
    if (c === "s" && a.length === 2) {
      o.onlyDelimited = true;
      continue;
    }
    if (!"fcbd".includes(c)) return `invalid option -- '${a.slice(1)}' is not modelled`;
    const value = a.length > 2 ? a.slice(2) : args[++k];
    if (value === undefined) return `option requires an argument -- '${c}'`;
    if (c === "d") {
      if ([...value].length !== 1) return "the delimiter must be a single character";
      o.delim = value;
    } else {
      if (o.mode) return "only one type of list may be specified";
      o.mode = c === "f" ? "f" : "c";
      o.list = value;
    }
  }
  if (!o.mode) return "you must specify a list of bytes, characters, or fields";
  if (o.mode === "c" && o.outDelim !== undefined)
    return "--output-delimiter with -c is not modelled";
  return o;
}

/** The positions a LIST selects, as a test on a 1-based position. */
function parseList(list: string): ((n: number) => boolean) | string {
  const ranges: [number, number][] = [];
  for (const part of list.split(",")) {
    const m = /^(\d*)(-?)(\d*)$/.exec(part);
    if (!m || part === "" || part === "-") return `invalid field range`;
    const lo = m[1] ? Number(m[1]) : 1;
    const hi = m[2] ? (m[3] ? Number(m[3]) : Infinity) : lo;
    if (lo === 0 || (m[3] && Number(m[3]) === 0)) return "fields and positions are numbered from 1";
    if (hi < lo) return "invalid decreasing range";
    ranges.push([lo, hi]);
  }
  return (n) => ranges.some(([lo, hi]) => n >= lo && n <= hi);
}

/**
 * Run `cut ARGS`; its exit status.
 * @example runCut(["-d", " ", "-f3-"], io) // each line from its third field on
 */
export function runCut(args: readonly string[], io: TextIo): number {
  const o = parseArgs(args);
  if (typeof o === "string") {
    io.warn(`cut: ${o}`);
    return 1;
  }
  const pick = parseList(o.list);
  if (typeof pick === "string") {
    io.warn(`cut: ${pick}`);
    return 1;
  }
  const input = readInputs(o.files, io, (f) => `cut: ${f}: No such file or directory`);
  let out = "";
  for (const text of input.text)
    for (const line of splitLines(text).lines) {
      if (o.mode === "c") {
        out += `${[...line].filter((_, k) => pick(k + 1)).join(o.outDelim ?? "")}\n`;
        continue;
      }
      if (!line.includes(o.delim)) {
        if (!o.onlyDelimited) out += `${line}\n`;
        continue;
      }
      const kept = line.split(o.delim).filter((_, k) => pick(k + 1));
      out += `${kept.join(o.outDelim ?? o.delim)}\n`;
    }
  io.out(out);
  return input.failed ? 1 : 0;
}
