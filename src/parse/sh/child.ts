/**
 * Scripts run as programs (`sh FILE ARGS`, `bash -c 'TEXT'`, `/etc/x/init.sh -i eth0`): a
 * child shell that sees only the exported variables, no functions, its own positional
 * parameters, `$0` and options, and whose changes to variables end with it, as a process
 * started by execve would. The file is read through the caller; a file that is not a shell
 * script (its `#!` names another interpreter) stays outside routelab's world (skipped).
 * Also `getopts`, which such scripts parse their arguments with.
 * @module
 */
import type { SourceLoc } from "../../core/loc.js";
import type { ShellApi } from "./api.js";
import type { Field } from "./expand.js";

/** The shells a script may be run with (`#!/bin/sh`, `sh FILE`). */
const SHELLS = /^(sh|bash|dash|ash|busybox sh)$/;

/** What a child run needs: the script text, the name it runs as, its arguments and options. */
export interface ChildRun {
  text: string;
  file: string;
  args: string[];
  errexit: boolean;
}

/**
 * How a command runs a script, or undefined when it does not: `sh [-e|-x…] FILE ARGS`,
 * `sh -c TEXT [NAME ARGS]`, `sh` alone (its standard input), or a path whose file starts
 * with a shell's `#!`. A missing file is the shell's message and status.
 */
export function childRun(
  sh: ShellApi,
  argv: Field[],
  loc: SourceLoc,
  stdin: string | undefined,
): ChildRun | { status: number } | undefined {
  const name = argv[0]!.text;
  const base = name.replace(/^.*\//, "");
  if (SHELLS.test(base)) return shellCommand(sh, argv, loc, stdin);
  if (!name.includes("/")) return undefined;
  const text = sh.readFile(name);
  if (text === undefined) {
    if (sh.isDir(name)) return undefined;
    sh.warn("shell.redirect", `${name}: No such file or directory`, argv[0]!.loc, name);
    return { status: 127 };
  }
  const bang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(text);
  const interp = bang ? `${bang[1]!.replace(/^.*\//, "")}${bang[2] ? ` ${bang[2]}` : ""}` : "sh";
  const shell = interp.replace(/ -\w+$/, "");
  if (!SHELLS.test(shell) && !(shell.startsWith("env ") && SHELLS.test(shell.slice(4))))
    return undefined;
  const errexit = / -\w*e/.test(interp);
  return { text, file: name, args: argv.slice(1).map((f) => f.text), errexit };
}

function shellCommand(
  sh: ShellApi,
  argv: Field[],
  loc: SourceLoc,
  stdin: string | undefined,
): ChildRun | { status: number } {
  const a = argv.slice(1).map((f) => f.text);
  let errexit = false;
  let k = 0;
  for (; k < a.length && /^-[a-z]+$/.test(a[k]!) && a[k] !== "-c"; k++)
    if (a[k]!.includes("e")) errexit = true;
  if (a[k] === "-c") {
    const text = a[k + 1] ?? "";
    return { text, file: a[k + 2] ?? argv[0]!.text, args: a.slice(k + 3), errexit };
  }
  const file = a[k];
  // No file: the script is standard input (`curl … | sh`).
  if (file === undefined) return { text: stdin ?? "", file: argv[0]!.text, args: [], errexit };
  const text = sh.readFile(file);
  if (text === undefined) {
    // dash (Debian's sh) exits 2, bash 127, each with its own words.
    const bash = argv[0]!.text.replace(/^.*\//, "") === "bash";
    const message = bash
      ? `bash: ${file}: No such file or directory`
      : `sh: 0: cannot open ${file}: No such file`;
    sh.warn("shell.redirect", message, loc, file);
    return { status: bash ? 127 : 2 };
  }
  return { text, file, args: a.slice(k + 1), errexit };
}

const optpos = new WeakMap<object, { ind: number; pos: number }>();

/**
 * `getopts OPTSTRING NAME [ARGS]` as bash does: the next option of the positional
 * parameters (or ARGS) in NAME, its argument in OPTARG, OPTIND advanced; a leading `:` in
 * OPTSTRING reports errors silently (`?`/`:` in NAME, the letter in OPTARG). Status 1 at the
 * first operand or `--`.
 */
export function getopts(sh: ShellApi, argv: Field[]): number {
  const [spec = "", name = "OPTARG_NAME", ...given] = argv.slice(1).map((f) => f.text);
  const args = given.length ? given : sh.positionalArgs;
  const silent = spec.startsWith(":");
  let ind = Number(sh.vars.get("OPTIND") ?? "1") || 1;
  // Where inside a bundled argument (-abc) the last call stopped (bash's sh_optpos).
  const last = optpos.get(sh);
  let pos = last && last.ind === ind ? last.pos : 1;
  const arg = args[ind - 1];
  const done = () => {
    sh.vars.set(name, "?");
    sh.vars.set("OPTIND", String(ind));
    optpos.delete(sh);
    return 1;
  };
  if (arg === undefined || !arg.startsWith("-") || arg === "-") return done();
  if (arg === "--") {
    ind++;
    return done();
  }
  const c = arg[pos]!;
  pos++;
  const next = () => {
    if (pos >= arg.length) ind++, (pos = 1);
  };
  const k = spec.indexOf(c);
  sh.vars.delete("OPTARG");
  if (c === ":" || k < 0) {
    next();
    sh.vars.set(name, "?");
    if (silent) sh.vars.set("OPTARG", c);
  } else if (spec[k + 1] === ":") {
    let value: string | undefined = arg.slice(pos);
    ind++;
    pos = 1;
    if (!value) {
      value = args[ind - 1];
      if (value !== undefined) ind++;
    }
    if (value === undefined) {
      sh.vars.set(name, silent ? ":" : "?");
      if (silent) sh.vars.set("OPTARG", c);
    } else {
      sh.vars.set(name, c);
      sh.vars.set("OPTARG", value);
    }
  } else {
    next();
    sh.vars.set(name, c);
  }
  sh.vars.set("OPTIND", String(ind));
  optpos.set(sh, { ind, pos });
  return 0;
}
