/**
 * The shell's builtins and the plain utilities scripts use for text (`echo`, `printf`,
 * `test`/`[`/`[[`, `cat`, `read`, `set`, `shift`, `local`, …), as bash 5 behaves; one entry
 * per command name. `sudo`, `exec`, `command`, `env`, `nohup`, `timeout` only run the
 * command they are given.
 * @module
 */
import type { SourceLoc } from "../../core/loc.js";
import type { Field } from "./expand.js";
import { globToRe } from "./expand.js";
import { Flow, type ShellApi as Shell, type ShellIo } from "./api.js";
import { printf } from "./printf.js";
import { testExpr } from "./test-expr.js";
import { UTILITIES } from "./utilities.js";
import { getopts } from "./child.js";

export type Builtin = (sh: Shell, argv: Field[], io: ShellIo, loc: SourceLoc) => number;

const texts = (argv: Field[]) => argv.slice(1).map((f) => f.text);

function echo(_sh: Shell, argv: Field[], io: ShellIo): number {
  let args = texts(argv);
  let newline = true;
  let escapes = false;
  while (args[0] && /^-[neE]+$/.test(args[0])) {
    for (const c of args[0].slice(1)) {
      if (c === "n") newline = false;
      else escapes = c === "e";
    }
    args = args.slice(1);
  }
  let t = args.join(" ");
  if (escapes)
    t = t.replace(/\\(.)/g, (_m, c: string) => ({ n: "\n", t: "\t", "\\": "\\" })[c] ?? `\\${c}`);
  io.out(t + (newline ? "\n" : ""));
  return 0;
}

/** `cat`, `cat -`, `cat FILE…`: input or the files (read through the caller). */
function cat(sh: Shell, argv: Field[], io: ShellIo): number {
  const files = texts(argv).filter((a) => a === "-" || !a.startsWith("-"));
  if (files.length === 0) files.push("-");
  let st = 0;
  for (const f of files) {
    const t = f === "-" ? (io.stdin ?? "") : sh.readFile(f);
    if (t === undefined) {
      sh.warn("shell.redirect", `cat: ${f}: No such file or directory`, argv[0]!.loc, f);
      st = 1;
    } else io.out(t, f === "-" ? io.stdinLoc : { file: f, line: 1, col: 1 });
  }
  return st;
}

/** `read [-r] NAME…`: one line of input split on IFS; status 1 at end of input. */
function read(sh: Shell, argv: Field[]): number {
  const names = texts(argv).filter((a) => !a.startsWith("-"));
  const raw = texts(argv).some((a) => /^-\w*r/.test(a));
  const stdin = sh.frame.stdin;
  if (!stdin || stdin.pos >= stdin.text.length) {
    for (const n of names) sh.vars.set(n, "");
    return 1;
  }
  let end = stdin.text.indexOf("\n", stdin.pos);
  if (end < 0) end = stdin.text.length;
  let line = stdin.text.slice(stdin.pos, end);
  stdin.pos = end + 1;
  if (!raw) line = line.replace(/\\(.)/g, "$1");
  const ifs = sh.ifs();
  const ws = `[${[...ifs].map((c) => "\\" + c).join("") || " "}]`;
  const trimmed = line.replace(new RegExp(`^${ws}+|${ws}+$`, "g"), "");
  if (names.length === 0) names.push("REPLY");
  let rest = trimmed;
  names.forEach((n, k) => {
    if (k === names.length - 1) return void sh.vars.set(n, rest);
    const m = new RegExp(`^([^${ws.slice(1, -1)}]*)${ws}*(.*)$`, "s").exec(rest)!;
    sh.vars.set(n, m[1]!);
    rest = m[2]!;
  });
  return 0;
}

/** `set -e`, `set -u`, `set -o pipefail`, `set -- ARGS`. */
function set(sh: Shell, argv: Field[]): number {
  const args = texts(argv);
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "--" || (!a.startsWith("-") && !a.startsWith("+"))) {
      sh.positionalArgs = args.slice(a === "--" ? k + 1 : k);
      return 0;
    }
    const on = a.startsWith("-");
    if (a.slice(1) === "o" || a.slice(1) === "O") {
      const opt = args[++k];
      if (opt === "errexit") sh.errexit = on;
      if (opt === "nounset") sh.nounset = on;
      if (opt === "pipefail") sh.pipefail = on;
      if (opt === "noglob") sh.noglob = on;
      continue;
    }
    for (const c of a.slice(1)) {
      if (c === "e") sh.errexit = on;
      if (c === "u") sh.nounset = on;
      if (c === "f") sh.noglob = on;
    }
  }
  return 0;
}

function shift(sh: Shell, argv: Field[], _io: ShellIo, loc: SourceLoc): number {
  const n = argv[1] ? Number(argv[1].text) : 1;
  if (!Number.isInteger(n) || n < 0) {
    sh.warn("shell.runtime", `shift: ${argv[1]!.text}: numeric argument required`, loc);
    return 1;
  }
  if (n > sh.positionalArgs.length) return 1;
  sh.positionalArgs = sh.positionalArgs.slice(n);
  return 0;
}

/** `local`/`export`/`readonly`/`declare`: NAME=VALUE sets; `local` restores at return. */
function declare(sh: Shell, argv: Field[]): number {
  const local = argv[0]!.text === "local" && sh.locals.length > 0;
  const exp = argv[0]!.text === "export" || texts(argv).some((a) => /^-\w*x/.test(a));
  for (const a of texts(argv)) {
    if (a.startsWith("-")) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/s.exec(a);
    if (!m) continue;
    if (exp) sh.exported.add(m[1]!);
    const frame = sh.locals[sh.locals.length - 1];
    if (local && frame && !frame.has(m[1]!)) frame.set(m[1]!, sh.vars.get(m[1]!));
    if (m[2] !== undefined) sh.vars.set(m[1]!, m[2]);
    else if (local) sh.vars.set(m[1]!, "");
  }
  return 0;
}

function unset(sh: Shell, argv: Field[]): number {
  const fns = texts(argv).includes("-f");
  for (const a of texts(argv)) {
    const el = /^([A-Za-z_]\w*)\[(-?\d+)\]$/.exec(a);
    if (el && !fns) unsetElement(sh, el[1]!, Number(el[2]));
    else if (!a.startsWith("-")) (fns ? sh.funcs : sh.vars).delete(a), fns || sh.arrays.delete(a);
  }
  return 0;
}

/** `unset 'a[i]'`: the element goes, the others keep their indices (arrays are sparse). */
function unsetElement(sh: Shell, name: string, i: number): void {
  const arr = sh.arrays.get(name);
  if (!arr) return void (i === 0 && sh.vars.delete(name));
  const k = i < 0 ? arr.length + i : i;
  delete arr[k];
  while (arr.length && !(arr.length - 1 in arr)) arr.length--;
  if (k === 0) sh.vars.delete(name);
}

function flow(kind: "exit" | "return" | "break" | "continue"): Builtin {
  return (sh, argv) => {
    const dflt = kind === "break" || kind === "continue" ? 1 : sh.status;
    const n = argv[1] ? Number(argv[1].text) : dflt;
    throw new Flow(
      kind,
      Number.isFinite(n) ? (kind === "exit" || kind === "return" ? n & 255 : n) : 2,
    );
  };
}

/** `. FILE` / `source FILE`: read through the caller and run here. */
function source(sh: Shell, argv: Field[], _io: ShellIo, loc: SourceLoc): number {
  const f = argv[1]?.text ?? "";
  const text = sh.readFile(f);
  if (text === undefined) {
    sh.warn("shell.redirect", `${f}: No such file or directory`, argv[1]?.loc ?? loc, f);
    return 1;
  }
  const saved = sh.positionalArgs;
  if (argv.length > 2) sh.positionalArgs = texts(argv).slice(1);
  try {
    sh.runText(text, f);
  } finally {
    sh.positionalArgs = saved;
  }
  return sh.status;
}

function evalCmd(sh: Shell, argv: Field[], _io: ShellIo, loc: SourceLoc): number {
  sh.runText(texts(argv).join(" "), loc.file);
  return sh.status;
}

/** `command -v NAME`, `type NAME`, `which NAME`: found when routelab answers it. */
function lookup(sh: Shell, argv: Field[], io: ShellIo): number {
  const names = texts(argv).filter((a) => !a.startsWith("-"));
  let st = 0;
  for (const n of names) {
    const base = n.replace(/^.*\//, "");
    if (sh.funcs.has(n) || BUILTINS[n]) io.out(n + "\n");
    else if (sh.opts.commands?.[base]) io.out(`/usr/sbin/${base}\n`);
    else st = 1;
  }
  return st;
}

function test(close?: string): Builtin {
  return (sh, argv, _io, loc) => {
    let args = texts(argv);
    if (close) {
      if (args[args.length - 1] !== close) {
        sh.warn("shell.runtime", `${argv[0]!.text}: missing \`${close}'`, loc);
        return 2;
      }
      args = args.slice(0, -1);
    }
    return testCommand(sh, argv[0]!.text, args, loc, false);
  };
}

/** `test`, `[` and `[[`: 0 true, 1 false, 2 (with bash's message) on a malformed expression. */
export function testCommand(
  sh: Shell,
  name: string,
  args: string[],
  loc: SourceLoc,
  bash: boolean,
): number {
  const r = testExpr(args, {
    exists: (p) => sh.readFile(p) !== undefined || sh.isDir(p),
    isFile: (p) => sh.readFile(p) !== undefined,
    isDir: (p) => sh.isDir(p),
    match: (v, pat) => new RegExp(`^(?:${globToRe(pat)})$`, "s").test(v),
    bash,
  });
  if (typeof r === "string") {
    sh.warn("shell.runtime", `${name}: ${r}`, loc);
    return 2;
  }
  return r ? 0 : 1;
}

const ok: Builtin = () => 0;

/** `trap CMD EXIT|0` keeps the command for the end of the script; `trap - EXIT` drops it.
 * Signal traps never fire: nothing sends the script a signal. */
function trap(sh: Shell, argv: Field[]): number {
  const a = texts(argv);
  if (a.length >= 2 && a.slice(1).some((x) => x === "EXIT" || x === "0"))
    sh.exitTrap = a[0] === "-" || a[0] === "" ? undefined : a[0];
  return 0;
}

/** `seq [FIRST [INCR]] LAST` (coreutils): integers only, one per line. */
function seq(sh: Shell, argv: Field[], io: ShellIo, loc: SourceLoc): number {
  const a = texts(argv).filter((x) => !/^-[a-z]/.test(x));
  const n = a.map(Number);
  if (a.length === 0 || a.length > 3 || n.some((x) => !Number.isInteger(x))) {
    sh.warn("shell.runtime", `seq: invalid argument "${a.join(" ")}"`, loc);
    return 1;
  }
  const [first, incr, last] =
    a.length === 1
      ? [1, 1, n[0]!]
      : a.length === 2
        ? [n[0]!, 1, n[1]!]
        : (n as [number, number, number]);
  if (incr === 0 || Math.abs((last - first) / incr) > 1e6) {
    sh.warn("shell.runtime", `seq: invalid increment or range "${a.join(" ")}"`, loc);
    return 1;
  }
  let out = "";
  for (let v = first; incr > 0 ? v <= last : v >= last; v += incr) out += `${v}\n`;
  io.out(out);
  return 0;
}

/** `basename PATH [SUFFIX]` and `dirname PATH`: string operations (coreutils). */
function basename(_sh: Shell, argv: Field[], io: ShellIo): number {
  const [p = "", suffix] = texts(argv);
  let b = p.replace(/\/+$/, "").replace(/^.*\//, "") || (p.startsWith("/") ? "/" : "");
  if (suffix && b !== suffix && b.endsWith(suffix)) b = b.slice(0, -suffix.length);
  io.out(b + "\n");
  return 0;
}
function dirname(_sh: Shell, argv: Field[], io: ShellIo): number {
  const p = (texts(argv)[0] ?? "").replace(/\/+$/, "");
  const k = p.lastIndexOf("/");
  io.out((k < 0 ? "." : k === 0 ? "/" : p.slice(0, k).replace(/\/+$/, "") || "/") + "\n");
  return 0;
}

/**
 * `cd [-L|-P] [DIR|-]` moves only `$PWD`/`$OLDPWD` (bash's logical path): tools read relative
 * file names from there (`nft -f`, nft's `include "./x.nft"`). Nothing checks DIR exists.
 */
function cd(sh: Shell, argv: Field[]): number {
  const a = texts(argv).filter((x) => x !== "-L" && x !== "-P");
  const old = sh.vars.get("PWD");
  const to = a[0] === "-" ? sh.vars.get("OLDPWD") : (a[0] ?? sh.vars.get("HOME") ?? "/root");
  if (to === undefined) return 1;
  const base = to.startsWith("/") || old === undefined ? "" : old;
  const abs = to.startsWith("/") || old !== undefined;
  const parts: string[] = [];
  for (const p of `${base}/${to}`.split("/"))
    if (p === ".." && (abs || (parts.length && parts[parts.length - 1] !== ".."))) parts.pop();
    else if (p && p !== ".") parts.push(p);
  sh.vars.set("PWD", abs ? `/${parts.join("/")}` : parts.join("/") || ".");
  if (old !== undefined) sh.vars.set("OLDPWD", old);
  return 0;
}

/** `id -u` and friends: setup scripts run as root. */
function id(_sh: Shell, argv: Field[], io: ShellIo): number {
  const a = texts(argv).join(" ");
  io.out(
    /-u|-g/.test(a) ? (/n/.test(a) ? "root\n" : "0\n") : "uid=0(root) gid=0(root) groups=0(root)\n",
  );
  return 0;
}

export const BUILTINS: Record<string, Builtin> = {
  ":": ok,
  true: ok,
  false: () => 1,
  echo,
  printf: (sh, argv, io, loc) => printf(sh, texts(argv), io, loc),
  cat,
  read,
  set,
  shift,
  local: declare,
  export: declare,
  readonly: declare,
  declare: declare,
  typeset: declare,
  unset,
  exit: flow("exit"),
  return: flow("return"),
  break: flow("break"),
  continue: flow("continue"),
  ".": source,
  source,
  eval: evalCmd,
  type: lookup,
  command,
  which: lookup,
  test: test(),
  "[": test("]"),
  id,
  seq,
  basename,
  dirname,
  // No effect on the virtual host: time, traps, the shell's limits.
  sleep: ok,
  wait: ok,
  trap,
  cd,
  umask: ok,
  ulimit: ok,
  shopt: ok,
  hash: ok,
  logger: ok,
  // Kernel modules are always there on the virtual host.
  modprobe: ok,
  insmod: ok,
  ...UTILITIES,
  getopts: (sh, argv) => getopts(sh, argv),
};

/** Commands that run the command they are given (`sudo ip …`, `env A=1 ip …`). */
export const PREFIXES: Record<string, (argv: Field[]) => Field[]> = {
  sudo: (a) => dropOptions(a.slice(1), /^-[ugCDhpr]$/),
  exec: (a) => dropOptions(a.slice(1), /^-a$/),
  nohup: (a) => a.slice(1),
  // `busybox APPLET …` runs the applet: its changes are the full tool's (udhcpc's script).
  busybox: (a) => a.slice(1),
  nice: (a) => dropOptions(a.slice(1), /^-n$/),
  timeout: (a) => dropOptions(a.slice(1), /^-[sk]$/).slice(1),
  env: (a) => {
    let k = 1;
    while (k < a.length && /^-|^\w+=/.test(a[k]!.text)) k++;
    return a.slice(k);
  },
};

/** `command -v NAME` looks the name up; `command NAME …` runs it. */
function command(sh: Shell, argv: Field[], io: ShellIo, loc: SourceLoc): number {
  if (argv[1]?.text === "-v" || argv[1]?.text === "-V") return lookup(sh, argv.slice(1), io);
  const rest = dropOptions(argv.slice(1), /^-p$/);
  if (rest.length === 0) return 0;
  sh.dispatch(rest, loc);
  return sh.status;
}

function dropOptions(a: Field[], withValue: RegExp): Field[] {
  let k = 0;
  while (k < a.length && a[k]!.text.startsWith("-")) {
    if (a[k]!.text === "--") return a.slice(k + 1);
    k += withValue.test(a[k]!.text) ? 2 : 1;
  }
  return a.slice(k);
}
