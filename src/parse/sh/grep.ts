/**
 * `grep` as GNU grep 3.8 filters text (standard input or files read through the caller):
 * `-E`/`-F`/`-G`, `-e PAT`, `-i`, `-v`, `-w`, `-x`, `-q`, `-s`, `-c`, `-o`, `-n`, `-h`/`-H`,
 * `-l`. Exit status 0 when a line was selected, 1 when none, 2 on an error (unless `-q`
 * selected one). An option not listed here is refused (status 2, a warning), never ignored.
 * @module
 */
import { posixToJs } from "./regex.js";

/** What grep reads and where it writes. */
export interface GrepIo {
  stdin: string | undefined;
  readFile(path: string): string | undefined;
  out(text: string): void;
  /** A message grep prints on stderr. */
  warn(message: string): void;
}

interface GrepOpts {
  mode: "G" | "E" | "F";
  pats: string[];
  flags: Set<string>;
  files: string[];
}

const FLAGS = "ivwxqscnohHlL";
const LONG: Record<string, string> = {
  "--quiet": "q",
  "--silent": "q",
  "--invert-match": "v",
  "--ignore-case": "i",
  "--word-regexp": "w",
  "--line-regexp": "x",
  "--count": "c",
  "--only-matching": "o",
  "--line-number": "n",
  "--no-messages": "s",
  "--extended-regexp": "E",
  "--fixed-strings": "F",
  "--basic-regexp": "G",
};

/** The options and operands, or the option grep would refuse here. */
function parseArgs(args: readonly string[]): GrepOpts | string {
  const o: GrepOpts = { mode: "G", pats: [], flags: new Set(), files: [] };
  let patGiven = false;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "--") {
      const rest = args.slice(k + 1);
      if (!patGiven && rest.length) o.pats.push(rest.shift()!), (patGiven = true);
      o.files.push(...rest);
      break;
    }
    if (a.startsWith("--")) {
      const m = /^--regexp=(.*)$/s.exec(a);
      if (m) o.pats.push(m[1]!), (patGiven = true);
      else if (LONG[a] && "EFG".includes(LONG[a]!)) o.mode = LONG[a] as "G" | "E" | "F";
      else if (LONG[a]) o.flags.add(LONG[a]!);
      else return a;
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (c === "e") {
          const p = j + 1 < a.length ? a.slice(j + 1) : args[++k];
          if (p === undefined) return "-e";
          o.pats.push(p);
          patGiven = true;
          break;
        }
        if ("EFG".includes(c)) o.mode = c as "G" | "E" | "F";
        else if (FLAGS.includes(c)) o.flags.add(c);
        else return `-${c}`;
      }
      continue;
    }
    if (!patGiven) {
      o.pats.push(a);
      patGiven = true;
    } else o.files.push(a);
  }
  if (!patGiven) return "(no pattern)";
  // A pattern with newlines is several patterns.
  o.pats = o.pats.flatMap((p) => p.split("\n"));
  return o;
}

function matcher(o: GrepOpts): RegExp | string {
  const parts = o.pats.map((p) =>
    o.mode === "F" ? p.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&") : posixToJs(p, o.mode === "E"),
  );
  const bad = parts.find((p) => p.startsWith("!"));
  if (bad) return bad.slice(1);
  let src = parts.map((p) => `(?:${p})`).join("|");
  if (o.flags.has("x")) src = `^(?:${src})$`;
  else if (o.flags.has("w")) src = `(?<![\\w])(?:${src})(?![\\w])`;
  try {
    return new RegExp(src, o.flags.has("i") ? "gi" : "g");
  } catch {
    return "Invalid regular expression";
  }
}

/**
 * Run `grep ARGS`; its exit status.
 * @example runGrep(["-q", "^default"], io) // 0 when a line starts with "default"
 */
export function runGrep(args: readonly string[], io: GrepIo): number {
  const o = parseArgs(args);
  if (typeof o === "string") {
    io.warn(`grep: option ${o} is not modelled`);
    return 2;
  }
  const re = matcher(o);
  if (typeof re === "string") {
    io.warn(`grep: ${re}`);
    return 2;
  }
  const f = o.flags;
  const names = o.files.length ? o.files : ["-"];
  const label = (f.has("H") || names.length > 1) && !f.has("h");
  let selected = false;
  let error = false;
  for (const name of names) {
    const text = name === "-" ? (io.stdin ?? "") : io.readFile(name);
    if (text === undefined) {
      if (!f.has("s")) io.warn(`grep: ${name}: No such file or directory`);
      error = true;
      continue;
    }
    const shown = name === "-" ? "(standard input)" : name;
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    let count = 0;
    let out = "";
    lines.forEach((line, n) => {
      re.lastIndex = 0;
      if (re.test(line) === f.has("v")) return;
      count++;
      const pre = (label ? `${shown}:` : "") + (f.has("n") ? `${n + 1}:` : "");
      if (f.has("o") && !f.has("v")) {
        re.lastIndex = 0;
        for (const m of line.matchAll(re)) if (m[0]) out += `${pre}${m[0]}\n`;
      } else out += `${pre}${line}\n`;
    });
    if (count) selected = true;
    if (f.has("q")) {
      if (selected) return 0;
      continue;
    }
    if (f.has("l")) out = count ? `${shown}\n` : "";
    else if (f.has("L")) out = count ? "" : `${shown}\n`;
    else if (f.has("c")) out = `${label ? `${shown}:` : ""}${count}\n`;
    io.out(out);
  }
  return error ? 2 : selected ? 0 : 1;
}
