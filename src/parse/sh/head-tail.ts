/**
 * `head` and `tail` as coreutils 9.1 cut their input: `-n N` / `-N` lines, `-n -N` all but
 * the last N (head), `-n +N` from line N on (tail), `-c` the same in characters; a last line
 * without its newline stays without one. One input (standard input or a file read through the
 * caller); several files (their `==> NAME <==` headers) and `-f` are refused (status 1).
 * @module
 */
import { readInputs, type TextIo } from "./text-io.js";

interface Cut {
  bytes: boolean;
  /** How many, or the first to keep (`+N`, tail) or how many to drop at the end (`-N`, head). */
  n: number;
  sign: "" | "+" | "-";
  files: string[];
}

function parseArgs(tool: "head" | "tail", args: readonly string[]): Cut | string {
  const o: Cut = { bytes: false, n: 10, sign: "", files: [] };
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    const short = /^-(\d+)$/.exec(a);
    if (short) {
      o.n = Number(short[1]);
      continue;
    }
    const m = /^-([nc])(.*)$/.exec(a) ?? /^--(lines|bytes)=(.*)$/.exec(a);
    if (m) {
      const v = m[2] || args[++k];
      const num = v === undefined ? null : /^([+-]?)(\d+)$/.exec(v);
      const bytes = m[1] === "c" || m[1] === "bytes";
      if (!num) return `invalid number of ${bytes ? "bytes" : "lines"}: '${v ?? ""}'`;
      o.bytes = bytes;
      o.n = Number(num[2]);
      o.sign = num[1] as Cut["sign"];
      if (o.sign === (tool === "head" ? "+" : "-")) o.sign = "";
      continue;
    }
    if (a === "-q" || a === "-s") continue;
    if (a.startsWith("-") && a !== "-") return `option ${a} is not modelled`;
    o.files.push(a);
  }
  if (o.files.length > 1) return "several files (with their headers) are not modelled";
  return o;
}

/** The units head/tail count: characters, or lines with their newlines. */
function units(text: string, bytes: boolean): string[] {
  return bytes ? [...text] : (text.match(/[^\n]*\n|[^\n]+$/g) ?? []);
}

function run(tool: "head" | "tail", args: readonly string[], io: TextIo): number {
  const o = parseArgs(tool, args);
  if (typeof o === "string") {
    io.warn(`${tool}: ${o}`);
    return 1;
  }
  const input = readInputs(o.files, io, (f) =>
    tool === "head"
      ? `head: cannot open '${f}' for reading: No such file or directory`
      : `tail: cannot open '${f}' for reading: No such file or directory`,
  );
  if (input.failed) return 1;
  const u = units(input.text[0] ?? "", o.bytes);
  let kept: string[];
  if (tool === "head")
    kept = o.sign === "-" ? u.slice(0, Math.max(0, u.length - o.n)) : u.slice(0, o.n);
  else kept = o.sign === "+" ? u.slice(Math.max(0, o.n - 1)) : o.n === 0 ? [] : u.slice(-o.n);
  io.out(kept.join(""));
  return 0;
}

/** `head [-n N|-N|-c N] [FILE]`. */
export const runHead = (args: readonly string[], io: TextIo) => run("head", args, io);
/** `tail [-n N|-n +N|-N|-c N] [FILE]`. */
export const runTail = (args: readonly string[], io: TextIo) => run("tail", args, io);
