/**
 * `awk [-F FS] [-v VAR=VALUE]… [-f FILE | 'PROGRAM'] [FILE | VAR=VALUE]…` as POSIX awk runs
 * it (Debian's awk is mawk): BEGIN actions, then each record of each operand against the
 * patterns in order, then END actions; `exit` runs the END actions unless given in one;
 * `getline` reads the next record of the same input, or of a file read through the caller. A
 * syntax error is awk's message with its line and status 2; what routelab does not model is
 * refused the same way, never run differently.
 * @module
 */
import type { TextIo } from "../text-io.js";
import type { Expr, Item } from "./ast.js";
import { Awk, AwkError, Exit, Next, type RecordSource } from "./eval.js";
import { unescapeAwk } from "./lexer.js";
import { parseAwk } from "./parser.js";
import { splitRecords } from "./record.js";
import { StrNum, toNum, truthy } from "./value.js";

interface AwkArgs {
  fs?: string;
  assigns: string[];
  program: string;
  operands: string[];
}

function parseArgs(args: readonly string[], io: TextIo): AwkArgs | string {
  const o: AwkArgs = { assigns: [], program: "", operands: [] };
  let k = 0;
  let fromFile = false;
  for (; k < args.length; k++) {
    const a = args[k]!;
    if (a === "--") {
      k++;
      break;
    }
    if (!a.startsWith("-") || a === "-") break;
    const opt = a.slice(0, 2);
    const value = a.length > 2 ? a.slice(2) : args[++k];
    if (value === undefined) return `option requires an argument -- ${opt.slice(1)}`;
    if (opt === "-F") o.fs = value === "t" ? "\t" : unescapeAwk(value);
    else if (opt === "-v") o.assigns.push(value);
    else if (opt === "-f") {
      const t = io.readFile(value);
      if (t === undefined) return `couldn't open file ${value}`;
      o.program += `${t}\n`;
      fromFile = true;
    } else return `option ${a} is not modelled`;
  }
  if (!fromFile) {
    if (k >= args.length) return "no program given";
    o.program = args[k++]!;
  }
  o.operands = args.slice(k);
  return o;
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;

function assign(awk: Awk, text: string): void {
  const m = ASSIGNMENT.exec(text)!;
  awk.setVar(m[1]!, new StrNum(unescapeAwk(m[2]!)));
}

/** One record against every pattern (ranges keep their state in `inRange`). */
function record(awk: Awk, items: Item[], inRange: boolean[]): void {
  items.forEach((it, k) => {
    const p = it.pattern;
    let hit = p.k === "all";
    if (p.k === "expr") hit = truthyVal(awk, p.e);
    else if (p.k === "range") {
      if (!inRange[k] && truthyVal(awk, p.a)) inRange[k] = true;
      if (inRange[k]) {
        hit = true;
        if (truthyVal(awk, p.b)) inRange[k] = false;
      }
    }
    if (!hit) return;
    if (it.action) awk.block(it.action);
    else awk.write(`${awk.record}${awk.str(awk.getVar("ORS"))}`);
  });
}

function truthyVal(awk: Awk, e: Expr): boolean {
  return truthy(awk.ev(e));
}

/**
 * The main input: every record of every operand in turn (standard input when there is no
 * file operand), `VAR=VALUE` operands assigned when reached; `getline` reads from it too.
 */
class Input implements RecordSource {
  k = 0;
  recs: string[] = [];
  pos = 0;
  failed = false;
  readonly list: string[];
  constructor(
    readonly awk: Awk,
    operands: string[],
    readonly io: TextIo,
  ) {
    const files = operands.filter((o) => !ASSIGNMENT.test(o));
    this.list = files.length ? operands : [...operands, "-"];
  }

  next(): string | undefined {
    while (this.pos >= this.recs.length) if (!this.open()) return undefined;
    return this.recs[this.pos++];
  }

  /** The next file operand (FILENAME, FNR from 0); false when there is none left. */
  open(): boolean {
    const { awk, io } = this;
    while (this.k < this.list.length) {
      const op = this.list[this.k++]!;
      if (ASSIGNMENT.test(op)) {
        assign(awk, op);
        continue;
      }
      const text = op === "-" ? (io.stdin ?? "") : io.readFile(op);
      if (text === undefined) {
        io.warn(`awk: cannot open ${op} (No such file or directory)`);
        this.failed = true;
        continue;
      }
      awk.setVar("FILENAME", op);
      awk.setVar("FNR", 0);
      this.recs = splitRecords(text, awk.str(awk.getVar("RS")));
      this.pos = 0;
      return true;
    }
    return false;
  }
}

/** Each record of the main input against the patterns. */
function input(awk: Awk, src: Input, main: Item[]): void {
  const inRange = main.map(() => false);
  for (let r = src.next(); r !== undefined; r = src.next()) {
    awk.setVar("NR", toNum(awk.getVar("NR")) + 1);
    awk.setVar("FNR", toNum(awk.getVar("FNR")) + 1);
    awk.setRecord(r);
    try {
      record(awk, main, inRange);
    } catch (x) {
      if (!(x instanceof Next)) throw x;
    }
  }
}

/** Run the program's parts; the exit status (undefined: none given). */
function execute(awk: Awk, o: AwkArgs, io: TextIo): number {
  const items = awk.prog.items;
  const begin = items.filter((i) => i.pattern.k === "begin");
  const end = items.filter((i) => i.pattern.k === "end");
  const main = items.filter((i) => i.pattern.k !== "begin" && i.pattern.k !== "end");
  let status: number | undefined;
  const src = new Input(awk, o.operands, io);
  awk.input = src;
  try {
    for (const i of begin) awk.block(i.action!);
    if (main.length || end.length) input(awk, src, main);
  } catch (x) {
    if (!(x instanceof Exit)) throw x;
    status = x.status;
  }
  try {
    for (const i of end) awk.block(i.action!);
  } catch (x) {
    if (!(x instanceof Exit)) throw x;
    if (x.status !== undefined) status = x.status;
  }
  return status ?? (src.failed ? 2 : 0);
}

/**
 * Run `awk ARGS`; its exit status.
 * @example runAwk(["-F:", "{print $1}"], io)
 */
export function runAwk(args: readonly string[], io: TextIo): number {
  const o = parseArgs(args, io);
  if (typeof o === "string") {
    io.warn(`awk: ${o}`);
    return 2;
  }
  const prog = parseAwk(o.program);
  if (!("items" in prog)) {
    io.warn(`awk: line ${prog.line}: ${prog.message}`);
    return 2;
  }
  let out = "";
  const awk = new Awk(
    prog,
    (t) => (out += t),
    (t) => io.warn(t),
    (name) => (name === "-" || name === "/dev/stdin" ? io.stdin : io.readFile(name)),
    io.run ? (command) => io.run!(command) : undefined,
  );
  const environ = awk.arrayOf("ENVIRON");
  for (const [k, v] of Object.entries(io.env ?? {})) environ.set(k, new StrNum(v));
  try {
    if (o.fs !== undefined) awk.setVar("FS", o.fs);
    for (const a of o.assigns) {
      if (!ASSIGNMENT.test(a)) throw new AwkError(`improper assignment: -v ${a}`);
      assign(awk, a);
    }
    const status = execute(awk, o, io);
    io.out(out);
    return status;
  } catch (x) {
    if (!(x instanceof AwkError)) throw x;
    io.out(out);
    io.warn(`awk: run time error: ${x.message}`);
    return 2;
  }
}
