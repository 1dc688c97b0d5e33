/**
 * `sed [-n] [-E|-r] [-s] [-e SCRIPT]… [SCRIPT] [FILE…]` as GNU sed 4.9 runs a script
 * (execute.c): one cycle per input line over the pattern space, with the hold space, range
 * addresses, the `t` flag, text queued by `a`, and a last line without its newline printed
 * without one. Options sed has but routelab does not model (`-i`, `-f`, `-z`, …) are refused
 * with status 1 and a message, never ignored.
 * @module
 */
import { readInputs, splitLines, type TextIo } from "../text-io.js";
import { type Addr, type Cmd, parseSed, SedError } from "./script.js";

interface SedOpts {
  quiet: boolean;
  /** `-s`: each file its own stream (the same as one stream for a single input). */
  separate?: boolean;
  ere: boolean;
  scripts: string[];
  files: string[];
}

function parseArgs(args: readonly string[]): SedOpts | string {
  const o: SedOpts = { quiet: false, ere: false, scripts: [], files: [] };
  const operands: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "--") {
      operands.push(...args.slice(k + 1));
      break;
    }
    if (a === "--quiet" || a === "--silent") o.quiet = true;
    else if (a === "--regexp-extended") o.ere = true;
    else if (a.startsWith("--expression=")) o.scripts.push(a.slice(13));
    else if (a.startsWith("--")) return `option ${a} is not modelled`;
    else if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (c === "n") o.quiet = true;
        else if (c === "E" || c === "r") o.ere = true;
        else if (c === "s") o.separate = true;
        else if (c === "e") {
          const s = j + 1 < a.length ? a.slice(j + 1) : args[++k];
          if (s === undefined) return "option requires an argument -- 'e'";
          o.scripts.push(s);
          break;
        } else return `option -${c} is not modelled`;
      }
    } else operands.push(a);
  }
  if (o.scripts.length === 0) {
    const s = operands.shift();
    if (s === undefined) return "no script specified";
    o.scripts.push(s);
  }
  o.files = operands;
  if (o.separate && o.files.length > 1) return "option -s with several files is not modelled";
  return o;
}

/** Commands one run may execute: a script that loops on itself (`:a;ba`) stops with an error. */
export const MAX_SED_STEPS = 2_000_000;

/** One run's state: the input lines, the two spaces and what was written. */
class Sed {
  ps = "";
  hs = "";
  line = 0;
  next = 0;
  /** The current line ended with a newline (the output keeps a missing one missing). */
  nl = true;
  missing = false;
  appended: string[] = [];
  subst = false;
  quit: number | undefined;
  lastRe: RegExp | undefined;
  buf = "";
  steps = 0;
  constructor(
    readonly lines: { text: string; nl: boolean }[],
    readonly cmds: Cmd[],
    readonly quiet: boolean,
  ) {}

  write(text: string, nl: boolean): void {
    if (this.missing) this.buf += "\n";
    this.buf += text + (nl ? "\n" : "");
    this.missing = !nl;
  }

  read(): boolean {
    const l = this.lines[this.next];
    if (!l) return false;
    this.next++;
    this.line++;
    this.nl = l.nl;
    // `t`/`T` look at the substitutions since the last line was read.
    this.subst = false;
    this.ps = l.text;
    return true;
  }

  get isLast(): boolean {
    return this.next >= this.lines.length;
  }

  endCycle(print: boolean): void {
    if (print && !this.quiet) this.write(this.ps, this.nl);
    // An empty text (`a\` at the end of the script) writes nothing, not even a newline.
    for (const t of this.appended) if (t) this.write(t, true);
    this.appended = [];
  }

  regex(re: RegExp | undefined): RegExp {
    const r = re ?? this.lastRe;
    if (!r) throw new SedError("no previous regular expression", 0);
    this.lastRe = r;
    r.lastIndex = 0;
    return r;
  }

  matches(a: Addr): boolean {
    if (a.k === "line") return this.line === a.n;
    if (a.k === "last") return this.isLast;
    if (a.k === "re") return this.regex(a.re).test(this.ps);
    if (a.k === "step")
      return a.step <= 0
        ? this.line === a.first
        : this.line >= a.first && (this.line - a.first) % a.step === 0;
    return false;
  }

  /** Does the command apply to this line (match_address_p, ranges included). */
  selected(c: Cmd): boolean {
    if (!c.a1) return true;
    if (!c.a2) return this.matches(c.a1);
    if (c.active) {
      const a2 = c.a2;
      if (a2.k === "line" || a2.k === "plus") {
        if (this.line >= c.end!) c.active = false;
        if (this.line > c.end!) return this.selected(c);
        return true;
      }
      if (this.matches(a2)) c.active = false;
      return true;
    }
    const zero = c.a1.k === "line" && c.a1.n === 0;
    if (zero ? this.line !== 1 : !this.matches(c.a1)) return false;
    const a2 = c.a2;
    if (a2.k === "line" || a2.k === "plus") {
      c.end = a2.k === "plus" ? this.line + a2.n : a2.n;
      c.active = this.line < c.end;
      return true;
    }
    if (a2.k === "last") c.active = !this.isLast;
    else c.active = !(zero && this.matches(a2));
    return true;
  }

  /** Run the script over the pattern space; false when the cycle ends without printing. */
  run(): boolean {
    let pc = 0;
    while (pc < this.cmds.length) {
      const c = this.cmds[pc]!;
      pc++;
      if (++this.steps > MAX_SED_STEPS)
        throw new SedError(`ran over ${MAX_SED_STEPS} commands (an endless loop?)`, 0);
      if (c.name === "}" || c.name === ":") continue;
      if (this.selected(c) === c.neg) {
        if (c.name === "{") pc = c.jump!;
        continue;
      }
      const r = this.exec(c);
      if (r === "end") return true;
      if (r === "drop") return false;
      if (typeof r === "number") pc = r;
    }
    return true;
  }

  /** One command: "end"/"drop" end the cycle (with/without printing), a number jumps. */
  exec(c: Cmd): "end" | "drop" | number | undefined {
    switch (c.name) {
      case "p":
        return void this.write(this.ps, true);
      case "P":
        return void this.write(this.ps.split("\n")[0]!, true);
      case "d":
        return "drop";
      case "D": {
        const k = this.ps.indexOf("\n");
        if (k < 0) return "drop";
        this.ps = this.ps.slice(k + 1);
        this.endCycle(false);
        return 0;
      }
      case "n":
        if (this.isLast) return ((this.quit = 0), "end");
        this.endCycle(true);
        this.read();
        return;
      case "N":
        if (this.isLast) return ((this.quit = 0), "end");
        this.line++;
        this.subst = false;
        this.ps += `\n${this.lines[this.next]!.text}`;
        this.nl = this.lines[this.next++]!.nl;
        return;
      case "q":
        return ((this.quit = c.status), "end");
      case "Q":
        return ((this.quit = c.status), "drop");
      case "=":
        return void this.write(String(this.line), true);
      case "s":
        return void this.substitute(c);
      case "y":
        return void (this.ps = [...this.ps].map((ch) => c.map!.get(ch) ?? ch).join(""));
      case "b":
        return c.jump;
      case "t":
      case "T": {
        const jump = this.subst === (c.name === "t");
        this.subst = false;
        return jump ? c.jump : undefined;
      }
      case "a":
        return void this.appended.push(c.text!);
      case "i":
        return void (c.text && this.write(c.text, true));
      case "c":
        if (!c.a2 || !c.active) this.write(c.text!, true);
        return "drop";
    }
    return this.space(c.name);
  }

  space(name: string): undefined {
    if (name === "h") this.hs = this.ps;
    else if (name === "H") this.hs += `\n${this.ps}`;
    else if (name === "g") this.ps = this.hs;
    else if (name === "G") this.ps += `\n${this.hs}`;
    else if (name === "x") [this.ps, this.hs] = [this.hs, this.ps];
    else if (name === "z") this.ps = "";
    return undefined;
  }

  /** `s/RE/REPL/FLAGS`: GNU's do_subst (an empty match right after a match is skipped). */
  substitute(c: Cmd): void {
    const re = this.regex(c.re);
    const ps = this.ps;
    let out = "";
    let at = 0;
    let count = 0;
    let done = false;
    let prevEnd = -1;
    for (let m = re.exec(ps); m; m = re.exec(ps)) {
      const start = m.index;
      const end = start + m[0].length;
      if (m[0] === "") re.lastIndex++;
      if (m[0] === "" && start === prevEnd) continue;
      prevEnd = end;
      count++;
      if (count < (c.nth ?? 1)) continue;
      out +=
        ps.slice(at, start) +
        c.repl!.map((p) => (typeof p === "number" ? (m[p] ?? "") : p)).join("");
      at = end;
      done = true;
      if (!c.global) break;
    }
    if (!done) return;
    this.ps = out + ps.slice(at);
    this.subst = true;
    if (c.print) this.write(this.ps, true);
  }
}

/**
 * Run `sed ARGS` over standard input or the files; its exit status.
 * @example runSed(["-n", "s/^.*dev \\([a-z0-9]*\\).*$/\\1/p"], io) // the device names
 */
export function runSed(args: readonly string[], io: TextIo): number {
  const o = parseArgs(args);
  if (typeof o === "string") {
    io.warn(`sed: ${o}`);
    return 1;
  }
  const cmds = parseSed(o.scripts.join("\n"), o.ere);
  if (cmds instanceof SedError) {
    io.warn(`sed: -e expression #1, char ${cmds.char}: ${cmds.message}`);
    return 1;
  }
  const input = readInputs(o.files, io, (f) => `sed: can't read ${f}: No such file or directory`);
  const lines = input.text.flatMap((t) => {
    const s = splitLines(t);
    return s.lines.map((text, k) => ({ text, nl: s.last || k < s.lines.length - 1 }));
  });
  const sed = new Sed(lines, cmds, o.quiet);
  try {
    while (sed.quit === undefined && sed.read()) {
      const print = sed.run();
      sed.endCycle(print);
    }
  } catch (e) {
    if (!(e instanceof SedError)) throw e;
    io.out(sed.buf);
    io.warn(`sed: ${e.message}`);
    return 4;
  }
  io.out(sed.buf);
  return sed.quit ?? (input.failed ? 2 : 0);
}
