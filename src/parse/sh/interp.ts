/**
 * The shell interpreter over the syntax tree: exit statuses drive `&&`/`||`/`if`/`while`/
 * `set -e`; pipelines pass each stage's output to the next; `$(…)` captures output; functions
 * take positional parameters. No host command ever runs: every command is a builtin
 * (builtins.ts), one of the commands the caller supplies (routelab's tools, one entry per
 * name), or recorded once per name as skipped with empty output and status 0.
 * Evaluation depth follows the parse depth (bounded) and function calls are bounded, so a
 * crafted script ends in a located error, never a stack overflow; a step budget ends loops
 * that never finish.
 *
 * Kept whole: the run loop, redirections and function calls share the shell's state and its
 * control-flow signals; builtins and expansion live in their own modules.
 * @module
 */
import { evalArith } from "../arith.js";
import { IssueError, issue, type Issue } from "../../core/issue.js";
import type { SourceLoc } from "../../core/loc.js";
import type { AndOr, Assign, Command, List, Part, Pipeline, Redir, Word } from "./ast.js";
import { Flow, type ShellApi, type ShellIo, type ShellOptions } from "./api.js";
import { BUILTINS, PREFIXES, testCommand } from "./builtins.js";
import {
  type ExpandHost,
  type Field,
  expandFields,
  expandString,
  patternSource,
} from "./expand.js";
import { type ChildRun, childRun } from "./child.js";
import { expandPath, hasGlob } from "./glob.js";
import { parseShell } from "./parser.js";

/** Deepest function call nesting (bash: FUNCNEST, unlimited by default). */
export const MAX_CALL_DEPTH = 100;
/** Commands a script may run before it is taken for an endless loop. */
export const MAX_STEPS = 1_000_000;

export type { CommandCall, CommandOutcome, ShellCommand, ShellIo, ShellOptions } from "./api.js";

interface Frame {
  stdin: { text: string; pos: number } | undefined;
  stdinLoc: SourceLoc | undefined;
  out: string[] | undefined;
  errNull: boolean;
}

export class Shell implements ExpandHost, ShellApi {
  vars = new Map<string, string>();
  exported = new Set<string>();
  /** `$0` of a script run as a program (`sh FILE`); the file otherwise. */
  zero: string | undefined;
  /** Indexed arrays (`a=(x y)`); `vars` holds element 0, what `$a` gives. */
  arrays = new Map<string, string[]>();
  positionalArgs: string[];
  funcs = new Map<string, Extract<Command, { k: "func" }>>();
  status = 0;
  errexit = false;
  nounset = false;
  pipefail = false;
  /** `set -f`: no pathname expansion. */
  noglob = false;
  /** What `<(…)` wrote, by the `/dev/fd/N` path the command is given (bash counts down). */
  readonly procFiles = new Map<string, string>();
  readonly issues: Issue[] = [];
  readonly skipped = new Set<string>();
  readonly warnedUnset = new Set<string>();
  condDepth = 0;
  callDepth = 0;
  evalDepth = 0;
  steps = 0;
  locals: Map<string, string | undefined>[] = [];
  frame: Frame = { stdin: undefined, stdinLoc: undefined, out: undefined, errNull: false };
  /** Where the text in an output buffer came from, when it is one piece of one file. */
  readonly origins = new WeakMap<string[], SourceLoc | null>();
  /** `trap CMD EXIT`: run when the script ends, as bash does. */
  exitTrap: string | undefined;
  /** Issues of the command being run are dropped (its failure is handled by `||`). */
  handled = false;

  constructor(
    readonly file: string,
    readonly opts: ShellOptions,
  ) {
    // What bash run by root starts with (scripts test $EUID and extend $PATH).
    const base = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" };
    for (const [k, v] of Object.entries({ ...base, HOME: "/root", USER: "root", UID: "0" }))
      this.vars.set(k, v);
    this.vars.set("EUID", "0");
    for (const [k, v] of Object.entries(opts.env ?? {})) this.vars.set(k, v);
    for (const k of ["PATH", "HOME", "USER", ...Object.keys(opts.env ?? {})]) this.exported.add(k);
    if (!this.vars.has("IFS")) this.vars.set("IFS", " \t\n");
    this.positionalArgs = [...(opts.args ?? [])];
    if (opts.keepStdout) this.frame.out = [];
  }

  // ---- files ----
  readFile(path: string): string | undefined {
    return this.procFiles.get(path) ?? this.opts.readFile?.(path);
  }
  /** Is `path` a directory: the caller's `readDir`, else the directories every host has. */
  isDir(path: string): boolean {
    if (this.opts.readDir) return this.opts.readDir(path) !== undefined;
    return path === "/" || /^\/(proc|sys|etc|tmp|dev)\/?$/.test(path);
  }
  glob(pattern: string): string[] | undefined {
    const readDir = this.opts.readDir;
    if (this.noglob || !readDir || !hasGlob(pattern)) return undefined;
    const exists = (p: string) => this.readFile(p) !== undefined || readDir(p) !== undefined;
    return expandPath(pattern, { readDir, exists });
  }

  // ---- ExpandHost ----
  array(name: string): string[] {
    const v = this.vars.get(name);
    const arr = this.arrays.get(name);
    // Arrays are sparse (`a[5]=x`): the set elements, in index order.
    return arr ? arr.filter(() => true) : v === undefined ? [] : [v];
  }
  element(name: string, i: number): string | undefined {
    const arr = this.arrays.get(name);
    if (!arr) return i === 0 || i === -1 ? this.vars.get(name) : undefined;
    return arr[i < 0 ? arr.length + i : i];
  }
  /**
   * `<(…)`: the command runs now (as bash runs it beside the one reading it) and its output
   * is the file `/dev/fd/N`; `>(…)` would need the reader's output: not modelled.
   */
  procsub(p: Extract<Part, { k: "procsub" }>): string {
    const path = `/dev/fd/${63 - this.procFiles.size}`;
    if (p.dir === ">") {
      const message = "process substitution >(…) is not modelled: what is written there is lost";
      this.warn("shell.unsupported", message, p.loc, ">(");
      this.procFiles.set(path, "");
      return path;
    }
    const out: string[] = [];
    const saved = this.frame;
    this.frame = { ...saved, out, stdin: undefined };
    try {
      this.subshell(() => this.runList(p.body));
    } finally {
      this.frame = saved;
    }
    this.procFiles.set(path, out.join(""));
    return path;
  }
  param(name: string, loc: SourceLoc, quiet: boolean): string | undefined {
    if (/^\d+$/.test(name))
      return name === "0" ? (this.zero ?? this.file) : this.positionalArgs[Number(name) - 1];
    if (name === "#") return String(this.positionalArgs.length);
    if (name === "?") return String(this.status);
    if (name === "@" || name === "*") return this.positionalArgs.join(" ");
    if (name === "$") return "1";
    if (name === "!") return "";
    if (name === "-") return (this.errexit ? "e" : "") + (this.nounset ? "u" : "");
    const v = this.vars.get(name);
    if (v === undefined && !quiet) {
      if (this.nounset) this.error(`${name}: unbound variable`, loc, "$" + name);
      if (!this.warnedUnset.has(name)) {
        this.warnedUnset.add(name);
        this.warn(
          "shell.unset-variable",
          `variable "${name}" is not set (expands to nothing)`,
          loc,
          "$" + name,
        );
      }
    }
    return v;
  }
  positional(): string[] {
    return this.positionalArgs;
  }
  assign(name: string, value: string): void {
    this.vars.set(name, value);
  }
  cmdsub(p: Extract<Part, { k: "cmdsub" }>): string {
    const out: string[] = [];
    const saved = this.frame;
    this.frame = { ...saved, out, stdin: undefined };
    try {
      this.subshell(() => this.runList(p.body));
    } finally {
      this.frame = saved;
    }
    return out.join("").replace(/\n+$/, "");
  }
  arith(text: string, loc: SourceLoc): string {
    const r = evalArith(text, { get: (n) => this.vars.get(n), set: (n, v) => this.vars.set(n, v) });
    if (typeof r === "string") return r;
    throw new IssueError(
      issue("shell.arith", `${text.trim()}: ${r.error}`, { loc, token: text }, "error"),
    );
  }
  /** A shell error (bad substitution, arithmetic): reported, and the script stops, as in bash. */
  error(message: string, loc: SourceLoc, token?: string): never {
    throw new IssueError(issue("shell.runtime", message, { loc, token }, "error"));
  }

  warn(code: Issue["code"], message: string, loc: SourceLoc, token?: string): void {
    this.report([issue(code, message, { loc, token }, "warning")]);
  }

  /** Record a command's issues: dropped when handled by `||`, info when stderr is discarded. */
  report(issues: readonly Issue[]): void {
    for (const i of issues) {
      const sev = i.severity ?? "error";
      if (sev === "warning" && this.handled) continue;
      if (sev === "warning" && this.frame.errNull) this.issues.push({ ...i, severity: "info" });
      else this.issues.push({ ...i, severity: sev });
    }
  }

  ifs(): string {
    return this.vars.get("IFS") ?? " \t\n";
  }
  fields(words: readonly Word[]): Field[] {
    return expandFields(words, this, this.ifs());
  }
  string(w: Word): string {
    return expandString(w, this);
  }
  /** `case` / `[[ == ]]` pattern match. */
  matches(value: string, pattern: Word): boolean {
    return new RegExp(`^(?:${patternSource(pattern, this)})$`, "s").test(value);
  }

  // ---- running ----
  step(loc: SourceLoc): void {
    if (++this.steps > MAX_STEPS)
      this.error(`script ran over ${MAX_STEPS} commands (an endless loop?)`, loc);
  }

  runList(list: List): number {
    for (const ao of list) this.runAndOr(ao);
    return this.status;
  }

  runAndOr(ao: AndOr): number {
    const all = [{ op: "&&" as const, p: ao.first }, ...ao.rest];
    for (let k = 0; k < all.length; k++) {
      const { op, p } = all[k]!;
      if (k > 0 && (op === "&&") !== (this.status === 0)) continue;
      const last = k === all.length - 1;
      const savedHandled = this.handled;
      this.handled = !last && all[k + 1]!.op === "||";
      if (!last) this.condDepth++;
      try {
        this.runPipeline(p);
      } finally {
        if (!last) this.condDepth--;
        this.handled = savedHandled;
      }
      if (last && this.status !== 0 && this.errexit && this.condDepth === 0 && !p.bang)
        throw new Flow("exit", this.status);
    }
    return this.status;
  }

  runPipeline(p: Pipeline): void {
    if (p.bang) this.condDepth++;
    try {
      if (p.cmds.length === 1) this.runCommand(p.cmds[0]!);
      else this.runStages(p);
    } finally {
      if (p.bang) this.condDepth--;
    }
    if (p.bang) this.status = this.status === 0 ? 1 : 0;
  }

  /** `a | b | c`: each stage in a subshell, its output the next one's input. */
  runStages(p: Pipeline): void {
    const saved = this.frame;
    let input = saved.stdin;
    let inputLoc = saved.stdinLoc;
    let worst = 0;
    p.cmds.forEach((c, k) => {
      const last = k === p.cmds.length - 1;
      const out: string[] = [];
      this.frame = { ...saved, stdin: input, out: last ? saved.out : out, stdinLoc: inputLoc };
      try {
        this.subshell(() => this.runCommand(c));
      } finally {
        this.frame = saved;
      }
      if (this.status !== 0) worst = this.status;
      input = { text: out.join(""), pos: 0 };
      inputLoc = this.origins.get(out) ?? undefined;
    });
    if (this.pipefail && worst !== 0) this.status = worst;
  }

  /** Run `fn` with the shell's variables, parameters and functions restored after (a subshell). */
  subshell(fn: () => void): void {
    const vars = new Map(this.vars);
    const exported = new Set(this.exported);
    const args = this.positionalArgs;
    const funcs = new Map(this.funcs);
    const opts = [this.errexit, this.nounset, this.pipefail, this.noglob] as const;
    try {
      fn();
    } catch (e) {
      if (e instanceof Flow && e.kind === "exit") this.status = e.n;
      else throw e;
    } finally {
      this.vars = vars;
      this.exported = exported;
      this.positionalArgs = args;
      this.funcs = funcs;
      [this.errexit, this.nounset, this.pipefail, this.noglob] = opts;
    }
  }

  runCommand(c: Command): void {
    this.step(c.loc);
    if (c.k === "simple") return this.closingProcFiles(() => this.runSimple(c));
    if (c.k === "func") {
      this.funcs.set(c.name, c);
      this.status = 0;
      return;
    }
    if (++this.evalDepth > 400) this.error("commands nested too deeply", c.loc);
    try {
      const run = () => this.withRedirs(c.redirs, c.loc, () => this.runCompound(c));
      if (c.redirs.length) this.closingProcFiles(run);
      else run();
    } finally {
      this.evalDepth--;
    }
  }

  runCompound(c: Exclude<Command, { k: "simple" | "func" }>): void {
    switch (c.k) {
      case "group":
        if (c.subshell) this.subshell(() => this.runList(c.body));
        else this.runList(c.body);
        return;
      case "if":
        for (const cl of c.clauses) {
          if (this.cond(cl.cond) === 0) return void this.runList(cl.body);
        }
        this.status = 0;
        if (c.otherwise) this.runList(c.otherwise);
        return;
      case "while":
        return this.runWhile(c);
      case "for":
        return this.runFor(c);
      case "case":
        return this.runCase(c);
      case "arith":
        this.status = this.arith(this.string(c.expr), c.loc) === "0" ? 1 : 0;
        return;
      case "cond":
        this.status = testCommand(
          this,
          "[[",
          c.words.map((w) => this.string(w)),
          c.loc,
          true,
        );
        return;
    }
  }

  cond(list: List): number {
    this.condDepth++;
    try {
      return this.runList(list);
    } finally {
      this.condDepth--;
    }
  }

  /** Run a loop body; true when the loop should stop (`break`). */
  loopBody(body: List): boolean {
    try {
      this.runList(body);
    } catch (e) {
      if (!(e instanceof Flow) || (e.kind !== "break" && e.kind !== "continue")) throw e;
      if (e.n > 1) throw new Flow(e.kind, e.n - 1);
      return e.kind === "break";
    }
    return false;
  }

  runWhile(c: Extract<Command, { k: "while" }>): void {
    let st = 0;
    for (;;) {
      this.step(c.loc);
      const ok = this.cond(c.cond) === 0;
      if (ok === c.until) break;
      const stop = this.loopBody(c.body);
      st = this.status;
      if (stop) break;
    }
    this.status = st;
  }

  runFor(c: Extract<Command, { k: "for" }>): void {
    if (c.arith) return this.runArithFor(c.arith, c);
    const items = c.items ? this.fields(c.items).map((f) => f.text) : [...this.positionalArgs];
    this.status = 0;
    for (const it of items) {
      this.vars.set(c.name, it);
      if (this.loopBody(c.body)) break;
    }
  }

  /**
   * `for ((INIT; COND; STEP))`: each expression is expanded when it is evaluated, as bash's
   * eval_arith_for_command does; an empty COND is true.
   */
  runArithFor(expr: Word, c: Extract<Command, { k: "for" }>): void {
    const part = (k: number): string => {
      const parts = this.string(expr).split(";");
      if (parts.length !== 3) this.error("syntax error: arithmetic expression required", c.loc);
      return parts[k]!.trim() || (k === 1 ? "1" : "0");
    };
    this.arith(part(0), c.loc);
    this.status = 0;
    for (;;) {
      this.step(c.loc);
      if (this.arith(part(1), c.loc) === "0") break;
      if (this.loopBody(c.body)) break;
      this.arith(part(2), c.loc);
    }
  }

  runCase(c: Extract<Command, { k: "case" }>): void {
    const v = this.string(c.word);
    this.status = 0;
    for (const arm of c.arms)
      if (arm.patterns.some((p) => this.matches(v, p))) return void this.runList(arm.body);
  }

  io(): ShellIo {
    const f = this.frame;
    const rest = f.stdin ? f.stdin.text.slice(f.stdin.pos) : undefined;
    return {
      stdin: rest,
      ...(f.stdinLoc ? { stdinLoc: f.stdinLoc } : {}),
      out: (t, from) => {
        if (!f.out) return;
        this.origins.set(f.out, f.out.length === 0 && from ? from : null);
        f.out.push(t);
      },
      captured: f.out !== undefined,
    };
  }

  runSimple(c: Extract<Command, { k: "simple" }>): void {
    const argv = this.fields(c.words);
    if (argv.length === 0) {
      this.status = 0;
      for (const a of c.assigns)
        if (a.array) this.assignArray(a.name, a.array, a.append);
        else if (a.index) this.assignElement(a, this.string(a.value));
        else this.assignVar(a.name, this.string(a.value), a.append);
      if (c.redirs.length) this.withRedirs(c.redirs, c.loc, () => undefined);
      return;
    }
    const temp = c.assigns.map((a) => [a.name, this.string(a.value)] as const);
    const saved = temp.map(([n]) => [n, this.vars.get(n)] as const);
    for (const [n, v] of temp) this.vars.set(n, v);
    // `NAME=value cmd`: in cmd's environment.
    const exportedNow = temp.map(([n]) => n).filter((n) => !this.exported.has(n));
    for (const n of exportedNow) this.exported.add(n);
    try {
      this.withRedirs(c.redirs, c.loc, () => this.dispatch(argv, c.loc));
      for (const a of c.declArrays ?? []) this.assignArray(a.name, a.array!, a.append);
    } finally {
      // Assignments before a command last for that command only (special builtins aside).
      for (const n of exportedNow) this.exported.delete(n);
      for (const [n, v] of saved)
        if (v === undefined) this.vars.delete(n);
        else this.vars.set(n, v);
    }
  }

  assignVar(name: string, value: string, append: boolean): void {
    this.vars.set(name, append ? (this.vars.get(name) ?? "") + value : value);
    const arr = this.arrays.get(name);
    if (arr) arr[0] = this.vars.get(name)!;
  }

  /** The `<(…)` files a command was given are gone when it ends (bash closes the pipes). */
  closingProcFiles(fn: () => void): void {
    const before = this.procFiles.size;
    try {
      fn();
    } finally {
      for (const k of [...this.procFiles.keys()].slice(before)) this.procFiles.delete(k);
    }
  }

  /** `a[i]=v` / `a[i]+=v`: i is arithmetic; i < 0 counts back from the highest index + 1. */
  assignElement(a: Assign, value: string): void {
    const arr = this.arrays.get(a.name) ?? (this.vars.has(a.name) ? [this.vars.get(a.name)!] : []);
    let i = Number(this.arith(this.string(a.index!), a.loc));
    if (i < 0) i += arr.length;
    if (i < 0) this.error(`${a.name}[${i - arr.length}]: bad array subscript`, a.loc, a.name);
    arr[i] = a.append ? (arr[i] ?? "") + value : value;
    this.arrays.set(a.name, arr);
    if (i === 0) this.vars.set(a.name, arr[0]!);
  }

  /** `a=(W…)` / `a+=(W…)`: the words expanded to fields (split, as bash does). */
  assignArray(name: string, words: Word[], append: boolean): void {
    const els = this.fields(words).map((f) => f.text);
    const arr = append ? [...this.array(name), ...els] : els;
    this.arrays.set(name, arr);
    if (arr.length) this.vars.set(name, arr[0]!);
    else this.vars.delete(name);
  }

  /** Run one command by name: function, builtin, prefix (sudo …), routelab's tool, or skipped. */
  dispatch(argv: Field[], loc: SourceLoc): void {
    const name = argv[0]!.text;
    const fn = this.funcs.get(name);
    if (fn)
      return this.call(
        fn,
        argv.slice(1).map((f) => f.text),
        loc,
      );
    const b = BUILTINS[name];
    if (b) {
      this.status = b(this, argv, this.io(), loc);
      return;
    }
    const prefix = PREFIXES[name];
    if (prefix) {
      const rest = prefix(argv);
      if (rest.length) return this.dispatch(rest, loc);
      this.status = 0;
      return;
    }
    const base = name.replace(/^.*\//, "");
    const tool = this.opts.commands?.[base];
    if (tool) {
      const r = tool({
        argv: [{ ...argv[0]!, text: base }, ...argv.slice(1)],
        loc,
        io: this.io(),
        shell: this,
      });
      this.report(r.issues ?? []);
      this.status = r.status;
      return;
    }
    const child = childRun(this, argv, loc, this.io().stdin);
    if (child && "text" in child) return this.runChild(child);
    if (child) return void (this.status = child.status);
    this.skip(base, argv[0]!.loc);
  }

  /**
   * A script run as a program: a child that sees the exported variables (and the command's
   * own `NAME=value` prefixes), none of the functions, and whose changes end with it.
   */
  runChild(c: ChildRun): void {
    const keep = {
      vars: this.vars,
      arrays: this.arrays,
      funcs: this.funcs,
      exported: this.exported,
      args: this.positionalArgs,
      zero: this.zero,
      locals: this.locals,
      trap: this.exitTrap,
      opts: [this.errexit, this.nounset, this.pipefail, this.noglob] as const,
    };
    this.vars = new Map([...this.vars].filter(([k]) => this.exported.has(k)));
    this.vars.set("IFS", " \t\n");
    this.exported = new Set(this.exported);
    [this.arrays, this.funcs, this.locals] = [new Map(), new Map(), []];
    [this.positionalArgs, this.zero, this.exitTrap] = [c.args, c.file, undefined];
    [this.errexit, this.nounset, this.pipefail, this.noglob] = [c.errexit, false, false, false];
    try {
      try {
        this.runText(c.text, c.file);
      } catch (e) {
        if (!(e instanceof Flow) || e.kind !== "exit") throw e;
        this.status = e.n;
      }
      runExitTrap(this);
    } finally {
      Object.assign(this, {
        vars: keep.vars,
        arrays: keep.arrays,
        funcs: keep.funcs,
        exported: keep.exported,
        positionalArgs: keep.args,
        zero: keep.zero,
        locals: keep.locals,
        exitTrap: keep.trap,
      });
      [this.errexit, this.nounset, this.pipefail, this.noglob] = keep.opts;
    }
  }

  runCaptured(text: string): { stdout: string; status: number } {
    const out: string[] = [];
    const saved = this.frame;
    this.frame = { ...saved, out, stdin: undefined };
    try {
      this.runChild({ text, file: "sh", args: [], errexit: false });
    } finally {
      this.frame = saved;
    }
    return { stdout: out.join(""), status: this.status };
  }

  /** A command outside routelab's world: reported once per name, empty output, status 0. */
  skip(name: string, loc: SourceLoc): void {
    this.status = 0;
    if (this.skipped.has(name)) return;
    this.skipped.add(name);
    const at = `${loc.file}:${loc.line}:${loc.col}`;
    this.issues.push(
      issue(
        "shell.skipped",
        `skipped: ${name} (not modelled), first at ${at}`,
        { loc, token: name },
        "warning",
      ),
    );
  }

  call(fn: Extract<Command, { k: "func" }>, args: string[], loc: SourceLoc): void {
    if (this.callDepth >= MAX_CALL_DEPTH)
      this.error(
        `${fn.name}: maximum function nesting level exceeded (${MAX_CALL_DEPTH})`,
        loc,
        fn.name,
      );
    const savedArgs = this.positionalArgs;
    this.positionalArgs = args;
    this.callDepth++;
    this.locals.push(new Map());
    try {
      this.runCommand(fn.body);
    } catch (e) {
      if (!(e instanceof Flow) || e.kind !== "return") throw e;
      this.status = e.n;
    } finally {
      this.callDepth--;
      for (const [n, v] of this.locals.pop()!)
        if (v === undefined) this.vars.delete(n);
        else this.vars.set(n, v);
      this.positionalArgs = savedArgs;
    }
  }

  /** Apply redirections around `fn`: standard output to a sink, stderr discarded, input. */
  withRedirs(redirs: readonly Redir[], loc: SourceLoc, fn: () => void): void {
    if (redirs.length === 0) return fn();
    const saved = this.frame;
    const f: Frame = { ...saved };
    const files: { path: string; append: boolean; buf: string[]; loc: SourceLoc }[] = [];
    let fd2: "null" | "out" | "tty" = saved.errNull ? "null" : "tty";
    for (const r of redirs) {
      const target = r.op === "<<" ? "" : this.string(r.target);
      if (r.op === "<<" || r.op === "<<<") {
        const body = r.op === "<<" ? this.string(r.body ?? r.target) : target + "\n";
        f.stdin = { text: body, pos: 0 };
        f.stdinLoc = r.body?.loc ?? r.loc;
      } else if (r.op === "<") {
        const text = this.readFile(target);
        if (text === undefined) {
          this.warn("shell.redirect", `${target}: No such file or directory`, r.target.loc, target);
          this.status = 1;
          return;
        }
        f.stdin = { text, pos: 0 };
        f.stdinLoc = { file: target, line: 1, col: 1 };
      } else if (r.op === ">&" || r.op === "<&") {
        if (r.fd === 2 && target === "1") fd2 = f.out === undefined ? "null" : "out";
        if (r.fd === 1 && target === "2") f.out = undefined;
      } else if (r.op !== "<>") {
        const sink = target === "/dev/null" ? undefined : this.fileSink(files, target, r);
        if (r.fd === 1 || r.op.startsWith("&")) f.out = sink;
        if (r.fd === 2 || r.op.startsWith("&")) fd2 = "null";
      }
    }
    f.errNull = fd2 === "null";
    this.frame = f;
    try {
      fn();
    } finally {
      this.frame = saved;
      for (const w of files) this.flush(w);
    }
  }

  fileSink(
    files: { path: string; append: boolean; buf: string[]; loc: SourceLoc }[],
    path: string,
    r: Redir,
  ): string[] {
    const w = {
      path,
      append: r.op === ">>" || r.op === "&>>",
      buf: [] as string[],
      loc: r.target.loc,
    };
    files.push(w);
    return w.buf;
  }

  /** Output written to a file: the caller models some (/proc/sys/…); others are skipped once. */
  flush(w: { path: string; append: boolean; buf: string[]; loc: SourceLoc }): void {
    const r = this.opts.writeFile?.(w.path, w.buf.join(""), w.append, w.loc);
    if (!r) return this.skip(`> ${w.path}`, w.loc);
    this.report(r.issues ?? []);
    if (r.status !== 0) this.status = r.status;
  }

  /** Parse and run more script text (`.`/`source`, `eval`) at this depth. */
  runText(text: string, file: string): void {
    if (++this.evalDepth > 400) this.error("scripts sourced too deeply", { file, line: 1, col: 1 });
    try {
      const { list, error } = parseShell(text, file);
      this.runList(list);
      if (error) throw new IssueError({ ...error, severity: "error" });
    } finally {
      this.evalDepth--;
    }
  }
}

/** What running a script left: its exit status and the issues, in the order they happened. */
export interface ShellResult {
  status: number;
  issues: Issue[];
  /** The script's standard output, with `keepStdout`. */
  stdout?: string;
}

/**
 * Run a script on the virtual host the commands model. Never throws on bad input.
 * @example runShell("x=$((1+2)); echo $x", "s.sh", {}).status // 0
 */
export function runShell(text: string, file: string, opts: ShellOptions = {}): ShellResult {
  const sh = new Shell(file, opts);
  const { list, error } = parseShell(text, file);
  let fatal: unknown;
  for (const step of [() => sh.runList(list), () => runExitTrap(sh)]) {
    try {
      step();
    } catch (e) {
      if (e instanceof Flow) sh.status = e.n;
      else fatal ??= e;
    }
  }
  if (fatal !== undefined) {
    if (fatal instanceof IssueError) {
      sh.issues.push({ ...fatal.issue, severity: fatal.issue.severity ?? "error" });
      sh.status = 1;
    } else if (fatal instanceof RangeError) {
      const loc = { file, line: 1, col: 1 };
      sh.issues.push(issue("shell.runtime", "script nested too deeply", { loc }, "error"));
    } else throw fatal;
    return result(sh);
  }
  if (error) {
    sh.issues.push({ ...error, severity: "error" });
    sh.status = 2;
  }
  return result(sh);
}

/** The EXIT trap runs once, whatever ended the script; its own `exit` keeps the status. */
function runExitTrap(sh: Shell): void {
  const trap = sh.exitTrap;
  if (!trap) return;
  sh.exitTrap = undefined;
  const status = sh.status;
  try {
    sh.runText(trap, sh.file);
    sh.status = status;
  } catch (e) {
    if (!(e instanceof Flow)) throw e;
  }
}

function result(sh: Shell): ShellResult {
  const r: ShellResult = { status: sh.status, issues: sh.issues };
  if (sh.opts.keepStdout) r.stdout = sh.frame.out?.join("") ?? "";
  return r;
}
