/**
 * What the interpreter offers to the commands it runs: standard streams, the shell state a
 * builtin may change, and the table of modelled commands (one entry per command name).
 * @module
 */
import type { Issue } from "../../core/issue.js";
import type { SourceLoc } from "../../core/loc.js";
import type { Command } from "./ast.js";
import type { Field } from "./expand.js";

/** A command's standard streams. */
export interface ShellIo {
  /** Standard input (here-document, pipe, `<` file); undefined when nothing was given. */
  stdin: string | undefined;
  /** Where the here-document text starts in its file (tools report positions in it). */
  stdinLoc?: SourceLoc;
  /** Write to standard output; `from`: where the text is written in a file (`cat` of a
   * here-document), so the next stage of a pipe reports positions in it. */
  out(text: string, from?: SourceLoc): void;
  /** True when the script reads the output (a pipe, `$(…)`, a file) rather than a terminal. */
  captured: boolean;
}

/** One call of a command the caller models. */
export interface CommandCall {
  /** The words, the command name first, each with its location. */
  argv: Field[];
  loc: SourceLoc;
  io: ShellIo;
  shell: ShellApi;
}

/** What a modelled command did: its exit status and what the real tool would print. */
export interface CommandOutcome {
  status: number;
  issues?: Issue[];
}

export type ShellCommand = (call: CommandCall) => CommandOutcome;

/** The commands and files the interpreter can reach (all virtual). */
export interface ShellOptions {
  /** routelab's tools by command name (path prefixes are stripped before lookup). */
  commands?: Readonly<Record<string, ShellCommand>>;
  /** Read a file (`. FILE`, `< FILE`, `cat FILE`); undefined when there is none. */
  readFile?: (path: string) => string | undefined;
  /**
   * The names in a directory (pathname expansion, `[ -d ]`, `run-parts --list`), `/` after a
   * subdirectory's; undefined when the path is not a directory there. Without it no pattern
   * matches (bash then keeps the word as written) and only a few well-known directories exist.
   */
  readDir?: (path: string) => readonly string[] | undefined;
  /**
   * What `uname` answers: routelab models a Linux host. A field left out is an assumption
   * `uname` states once (a warning) when a script prints it.
   */
  uname?: Readonly<Partial<Record<"nodename" | "release" | "version" | "machine", string>>>;
  /** `> FILE`: e.g. /proc/sys/… sets a sysctl; undefined means not modelled (skipped). */
  writeFile?: (
    path: string,
    text: string,
    append: boolean,
    loc: SourceLoc,
  ) => CommandOutcome | undefined;
  /** Initial variables. */
  env?: Readonly<Record<string, string>>;
  /** Keep the script's own standard output (tests; the loader discards it). */
  keepStdout?: boolean;
  /** Positional parameters ($1 …). */
  args?: readonly string[];
}

/** Control flow: `exit`, `return`, `break`, `continue`. */
export class Flow {
  constructor(
    readonly kind: "exit" | "return" | "break" | "continue",
    readonly n: number,
  ) {}
}

/** The shell state builtins read and change (the interpreter's `Shell`). */
export interface ShellApi {
  vars: Map<string, string>;
  /** The exported names: what a script run as a program (`sh FILE`) sees. */
  exported: Set<string>;
  /** Indexed arrays; `vars` holds their element 0. */
  arrays: Map<string, string[]>;
  positionalArgs: string[];
  funcs: Map<string, Extract<Command, { k: "func" }>>;
  status: number;
  errexit: boolean;
  nounset: boolean;
  pipefail: boolean;
  /** `set -f`: no pathname expansion. */
  noglob: boolean;
  locals: Map<string, string | undefined>[];
  exitTrap: string | undefined;
  readonly frame: { stdin: { text: string; pos: number } | undefined };
  readonly opts: ShellOptions;
  warn(code: Issue["code"], message: string, loc: SourceLoc, token?: string): void;
  ifs(): string;
  /** A file as the script sees it: process substitutions (`<(…)`) first, then `readFile`. */
  readFile(path: string): string | undefined;
  /** Is `path` a directory (`[ -d ]`, `run-parts`). */
  isDir(path: string): boolean;
  /** A command outside routelab's world: reported once per name, empty output, status 0. */
  skip(name: string, loc: SourceLoc): void;
  runText(text: string, file: string): void;
  /**
   * TEXT run as `sh -c TEXT` runs it (awk's `system()`, `CMD | getline`): a child shell that
   * sees the exported variables; its standard output captured, its exit status.
   */
  runCaptured(text: string): { stdout: string; status: number };
  dispatch(argv: Field[], loc: SourceLoc): void;
}
