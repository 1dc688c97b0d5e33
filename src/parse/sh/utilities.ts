/**
 * The utilities setup scripts run to decide what to do, answered without running anything:
 * `uname` (routelab models a Linux host), the pure-text tools `expr`, `grep`, `sed`, `awk`,
 * `sort`, `cut`, `tr`, `head`, `tail` and `wc` (expr.ts, grep.ts, sed/, awk/, sort.ts, cut.ts,
 * tr.ts, head-tail.ts, wc.ts) and `run-parts --list` (the names in a directory, read
 * through the caller).
 * @module
 */
import type { SourceLoc } from "../../core/loc.js";
import type { ShellApi as Shell, ShellIo } from "./api.js";
import type { Field } from "./expand.js";
import { runExpr } from "./expr.js";
import { runGrep } from "./grep.js";
import { runAwk } from "./awk/run.js";
import { runCut } from "./cut.js";
import { runSed } from "./sed/run.js";
import { runSort } from "./sort.js";
import { runTr } from "./tr.js";
import { runHead, runTail } from "./head-tail.js";
import { runWc } from "./wc.js";
import type { TextIo } from "./text-io.js";

type Utility = (sh: Shell, argv: Field[], io: ShellIo, loc: SourceLoc) => number;

const texts = (argv: Field[]) => argv.slice(1).map((f) => f.text);

/**
 * What `uname` says of a field the caller did not give: Debian 12's kernel on x86_64 (what
 * iproute2 6.1, the tool routelab prints as, runs on).
 */
export const UNAME_ASSUMED = {
  nodename: "localhost",
  release: "6.1.0",
  version: "#1 SMP PREEMPT_DYNAMIC",
  machine: "x86_64",
} as const;

/** uname's fields in the order it prints them (coreutils uname.c), by option letter. */
const FIELDS = [
  ["s", "kernel-name"],
  ["n", "nodename"],
  ["r", "kernel-release"],
  ["v", "kernel-version"],
  ["m", "machine"],
  ["p", "processor"],
  ["i", "hardware-platform"],
  ["o", "operating-system"],
] as const;
const KEY = { n: "nodename", r: "release", v: "version", m: "machine" } as const;
const assumed = new WeakMap<object, Set<string>>();

/** `uname [-snrvmpioa]`: Linux; a field the caller did not give is assumed, with one warning. */
function uname(sh: Shell, argv: Field[], io: ShellIo, loc: SourceLoc): number {
  const want = new Set<string>();
  for (const a of texts(argv)) {
    const long = FIELDS.find(([, name]) => a === `--${name}`)?.[0];
    if (a === "--all") want.add("a");
    else if (long) want.add(long);
    else if (/^-[snrvmpioa]+$/.test(a)) for (const c of a.slice(1)) want.add(c);
    else {
      sh.warn("shell.runtime", `uname: invalid option -- '${a.replace(/^-+/, "")}'`, loc, a);
      return 1;
    }
  }
  if (want.size === 0) want.add("s");
  const all = want.has("a");
  const out: string[] = [];
  for (const [c] of FIELDS) {
    // -a leaves out -p and -i when they are unknown, as coreutils does on Linux.
    if (!(want.has(c) || (all && c !== "p" && c !== "i"))) continue;
    if (c === "s") out.push("Linux");
    else if (c === "o") out.push("GNU/Linux");
    else if (c === "p" || c === "i") out.push("unknown");
    else out.push(field(sh, KEY[c], loc));
  }
  io.out(out.join(" ") + "\n");
  return 0;
}

function field(sh: Shell, key: keyof typeof UNAME_ASSUMED, loc: SourceLoc): string {
  const given = sh.opts.uname?.[key];
  if (given !== undefined) return given;
  const done = assumed.get(sh) ?? new Set<string>();
  assumed.set(sh, done);
  const v = UNAME_ASSUMED[key];
  if (!done.has(key)) {
    done.add(key);
    sh.warn("load.assumed", `uname: the host's ${key} is not known: assumed "${v}"`, loc, "uname");
  }
  return v;
}

/** `expr ARGS` (expr.ts); its errors on stderr are warnings at the command. */
function expr(sh: Shell, argv: Field[], io: ShellIo, loc: SourceLoc): number {
  const r = runExpr(texts(argv));
  if (r.error) sh.warn("shell.runtime", r.error, loc, "expr");
  io.out(r.stdout);
  return r.status;
}

function grep(sh: Shell, argv: Field[], io: ShellIo, loc: SourceLoc): number {
  return runGrep(texts(argv), {
    stdin: io.stdin,
    readFile: (p) => sh.readFile(p),
    out: (t) => io.out(t),
    warn: (m) => sh.warn("shell.runtime", m, loc, "grep"),
  });
}

/** What a pure-text tool reads and writes: the command's streams, its stderr a warning. */
function textIo(sh: Shell, io: ShellIo, loc: SourceLoc, tool: string): TextIo {
  const env: Record<string, string> = {};
  for (const k of sh.exported) {
    const v = sh.vars.get(k);
    if (v !== undefined) env[k] = v;
  }
  return {
    stdin: io.stdin,
    readFile: (p) => sh.readFile(p),
    out: (t) => io.out(t),
    warn: (m) => sh.warn("shell.runtime", m, loc, tool),
    env,
    run: (command) => sh.runCaptured(command),
  };
}

const textTool =
  (tool: string, run: (args: string[], io: TextIo) => number): Utility =>
  (sh, argv, io, loc) =>
    run(texts(argv), textIo(sh, io, loc, tool));

/** run-parts' default name rule (Debian run-parts.c): letters, digits, `_` and `-` only. */
const RUN_PARTS_NAME = /^[a-zA-Z0-9_-]+$/;

/**
 * `run-parts --list DIR`: the regular files whose names run-parts accepts, sorted, as
 * `DIR/NAME`. Running them (no `--list`) would need their modes: skipped, as any command
 * outside routelab's world.
 */
function runParts(sh: Shell, argv: Field[], io: ShellIo, loc: SourceLoc): number {
  const args = texts(argv);
  const dir = args.filter((a) => !a.startsWith("-")).at(-1);
  if (!args.includes("--list") || args.some((a) => a.startsWith("-") && a !== "--list")) {
    sh.skip("run-parts", argv[0]!.loc);
    return 0;
  }
  const names = dir === undefined ? undefined : sh.opts.readDir?.(dir);
  if (dir === undefined || names === undefined) {
    const why = dir === undefined ? "missing operand" : `failed to open directory ${dir}`;
    sh.warn("shell.runtime", `run-parts: ${why}: No such file or directory`, loc, "run-parts");
    return 1;
  }
  const files = [...names]
    .filter((n) => RUN_PARTS_NAME.test(n)) // a subdirectory (`name/`) is not a file
    .sort()
    .map((n) => `${dir}/${n}`)
    .filter((p) => sh.readFile(p) !== undefined);
  io.out(files.map((p) => p + "\n").join(""));
  return 0;
}

export const UTILITIES: Record<string, Utility> = {
  uname,
  expr,
  grep,
  sed: textTool("sed", runSed),
  awk: textTool("awk", runAwk),
  mawk: textTool("mawk", runAwk),
  gawk: textTool("gawk", runAwk),
  sort: textTool("sort", runSort),
  cut: textTool("cut", runCut),
  tr: textTool("tr", runTr),
  head: textTool("head", runHead),
  tail: textTool("tail", runTail),
  wc: textTool("wc", runWc),
  "run-parts": runParts,
};
