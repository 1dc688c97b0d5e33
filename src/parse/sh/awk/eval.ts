/**
 * An awk program running: variables (scalars and arrays, a function's locals), the record
 * and its fields (NF, `$n` assignment rebuilding `$0` with OFS), expressions and statements,
 * and what `print`/`printf` write. `next`, `exit`, `return`, `break`, `continue` unwind as
 * exceptions; a runtime error (division by zero, a bad regex) is an AwkError (status 2).
 * @module
 */
import type { Expr, Func, LValue, Program, Stmt } from "./ast.js";
import { sprintf } from "./format.js";
import { callBuiltin, type Ctx } from "./funcs.js";
import { awkRegex } from "./re.js";
import { splitFields, splitRecords } from "./record.js";
import { compare, numToStr, StrNum, toNum, toStr, truthy, UNINIT, type Val } from "./value.js";

export class AwkError {
  constructor(readonly message: string) {}
}
export class Next {}
export class Exit {
  constructor(readonly status: number | undefined) {}
}
class Return {
  constructor(readonly v: Val) {}
}
class Break {}
class Continue {}

/** A variable; `ref`: the caller's unused variable a parameter may turn into an array. */
type Cell = { v: Val; ref?: Cell } | { a: Map<string, Val> };

const MAX_DEPTH = 1000;
/** Loop iterations and calls one run may make: a loop that never ends stops with an error. */
export const MAX_AWK_STEPS = 2_000_000;

/** The main input, record by record (run.ts): `getline` reads from it too. */
export interface RecordSource {
  next(): string | undefined;
}

export class Awk implements Ctx {
  globals = new Map<string, Cell>();
  frames: Map<string, Cell>[] = [];
  record = "";
  fields: string[] | undefined = [];
  out = "";
  input: RecordSource | undefined;
  /** The files `getline <` reads, by name, with where it stands. */
  files = new Map<string, { recs: string[]; pos: number }>();
  steps = 0;
  constructor(
    readonly prog: Program,
    readonly write: (text: string) => void,
    readonly warn: (text: string) => void,
    readonly readFile: (name: string) => string | undefined = () => undefined,
    readonly run?: (command: string) => { stdout: string; status: number },
  ) {
    const init: [string, Val][] = [
      ["FS", " "],
      ["OFS", " "],
      ["ORS", "\n"],
      ["RS", "\n"],
      ["NR", 0],
      ["FNR", 0],
      ["SUBSEP", "\x1c"],
      ["CONVFMT", "%.6g"],
      ["OFMT", "%.6g"],
      ["RSTART", 0],
      ["RLENGTH", -1],
      ["FILENAME", ""],
    ];
    for (const [k, v] of init) this.globals.set(k, { v });
  }

  fail(message: string): never {
    throw new AwkError(message);
  }

  str(v: Val): string {
    return toStr(v, this.getVar("CONVFMT") as string);
  }

  cell(name: string): Cell {
    const local = this.frames.at(-1)?.get(name);
    if (local) return local;
    let c = this.globals.get(name);
    if (!c) this.globals.set(name, (c = { v: UNINIT }));
    return c;
  }

  getVar(name: string): Val {
    if (name === "NF") return this.split().length;
    if (name === "$0") return new StrNum(this.record);
    const c = this.cell(name);
    if ("a" in c) return this.fail(`can't use array ${name} in scalar context`);
    return c.v;
  }

  setVar(name: string, v: Val): void {
    if (name === "NF") return this.setNF(Math.trunc(toNum(v)));
    const c = this.cell(name);
    if ("a" in c) this.fail(`can't assign to ${name}; it's an array name.`);
    c.v = v;
  }

  isArray(e: Expr): boolean {
    return e.k === "var" && "a" in this.cell(e.name);
  }

  array(e: Expr): Map<string, Val> | undefined {
    if (e.k !== "var") return undefined;
    return this.arrayOf(e.name);
  }

  arrayOf(name: string): Map<string, Val> {
    return this.toArray(this.cell(name), name);
  }

  /** An unused variable becomes an array when used as one (a parameter: the caller's too). */
  toArray(cell: Cell, name: string): Map<string, Val> {
    const c = cell as { v?: Val; ref?: Cell; a?: Map<string, Val> };
    if (c.a) return c.a;
    if (c.v !== UNINIT) this.fail(`can't use scalar ${name} as array`);
    const a = c.ref ? this.toArray(c.ref, name) : new Map<string, Val>();
    delete c.v;
    delete c.ref;
    c.a = a;
    return a;
  }

  /** The record's fields, split on FS when first needed. */
  split(): string[] {
    if (this.fields) return this.fields;
    const f = splitFields(this.record, this.str(this.getVar("FS")));
    if (typeof f === "string") return this.fail(f);
    this.fields = f;
    return f;
  }

  setRecord(text: string): void {
    this.record = text;
    this.fields = undefined;
  }

  /** `$n = v` and `NF = n` rebuild `$0` with OFS. */
  rebuild(): void {
    this.record = this.split().join(this.str(this.getVar("OFS")));
  }

  setNF(n: number): void {
    const f = this.split();
    f.length = Math.max(0, n);
    this.fields = Array.from(f, (x) => x ?? "");
    this.rebuild();
  }

  getField(i: number): Val {
    if (i < 0) this.fail(`trying to access out of range field ${i}`);
    if (i === 0) return new StrNum(this.record);
    const f = this.split();
    return i <= f.length ? new StrNum(f[i - 1]!) : UNINIT;
  }

  setField(i: number, v: Val): void {
    if (i < 0) this.fail(`trying to access out of range field ${i}`);
    const s = this.str(v);
    if (i === 0) return this.setRecord(s);
    const f = this.split();
    while (f.length < i) f.push("");
    f[i - 1] = s;
    this.rebuild();
  }

  key(subs: Expr[]): string {
    return subs.map((e) => this.str(this.ev(e))).join(this.str(this.getVar("SUBSEP")));
  }

  getL(t: LValue): Val {
    if (t.k === "var") return this.getVar(t.name);
    if (t.k === "field") return this.getField(Math.trunc(toNum(this.ev(t.e))));
    const a = this.arrayOf(t.name);
    const k = this.key(t.subs);
    let v = a.get(k);
    // A reference creates the element (POSIX).
    if (v === undefined) a.set(k, (v = UNINIT));
    return v;
  }

  setL(t: LValue, v: Val): void {
    if (t.k === "var") return this.setVar(t.name, v);
    if (t.k === "field") return this.setField(Math.trunc(toNum(this.ev(t.e))), v);
    const k = this.key(t.subs);
    this.arrayOf(t.name).set(k, v);
  }

  regexOf(e: Expr): RegExp {
    const src = e.k === "re" ? e.src : this.str(this.ev(e));
    const re = awkRegex(src);
    if (typeof re === "string") this.fail(`regular expression compile failed (${re})\n${src}`);
    re.lastIndex = 0;
    return re;
  }

  ev(e: Expr): Val {
    switch (e.k) {
      case "num":
      case "str":
        return e.v;
      case "re":
        return this.regexOf(e).test(this.record) ? 1 : 0;
      case "var":
      case "index":
      case "field":
        return this.getL(e);
      case "group":
        return this.ev(e.e);
      case "assign":
        return this.assign(e.op, e.target, e.e);
      case "cond":
        return this.ev(truthy(this.ev(e.c)) ? e.t : e.f);
      case "and":
        return truthy(this.ev(e.a)) && truthy(this.ev(e.b)) ? 1 : 0;
      case "or":
        return truthy(this.ev(e.a)) || truthy(this.ev(e.b)) ? 1 : 0;
      case "in":
        return this.arrayOf(e.name).has(this.key(e.subs)) ? 1 : 0;
      case "match": {
        const s = this.str(this.ev(e.a));
        return this.regexOf(e.re).test(s) !== e.neg ? 1 : 0;
      }
      case "cmp":
        return compare(this.ev(e.a), this.ev(e.b), e.op, this.str(this.getVar("CONVFMT"))) ? 1 : 0;
      case "concat":
        return this.str(this.ev(e.a)) + this.str(this.ev(e.b));
      case "bin":
        return this.arith(e.op, toNum(this.ev(e.a)), toNum(this.ev(e.b)));
    }
    return this.evMore(e);
  }

  evMore(e: Expr): Val {
    switch (e.k) {
      case "not":
        return truthy(this.ev(e.e)) ? 0 : 1;
      case "neg":
        return -toNum(this.ev(e.e));
      case "plus":
        return toNum(this.ev(e.e));
      case "incdec": {
        const old = toNum(this.getL(e.target));
        const now = e.op === "++" ? old + 1 : old - 1;
        this.setL(e.target, now);
        return e.prefix ? now : old;
      }
      case "call":
        return callBuiltin(this, e.name, e.args);
      case "ucall":
        return this.call(e.name, e.args);
      case "getline":
        return e.cmd ? this.getlineCmd(e.target, e.cmd) : this.getline(e.target, e.file);
    }
    return this.fail(`unexpected expression ${e.k}`);
  }

  /** `getline`: the next record of the main input (NR, FNR count it) or of FILE. */
  getline(target: LValue | undefined, file: Expr | undefined): number {
    let r: string | undefined;
    if (file) {
      const name = this.str(this.ev(file));
      let f = this.files.get(name);
      if (!f) {
        const text = this.readFile(name);
        if (text === undefined) return -1;
        f = { recs: splitRecords(text, this.str(this.getVar("RS"))), pos: 0 };
        this.files.set(name, f);
      }
      r = f.recs[f.pos++];
    } else {
      r = this.input?.next();
      if (r !== undefined) for (const v of ["NR", "FNR"]) this.setVar(v, toNum(this.getVar(v)) + 1);
    }
    if (r === undefined) return 0;
    if (target) this.setL(target, new StrNum(r));
    else this.setRecord(r);
    return 1;
  }

  /** `CMD | getline [VAR]`: the command runs once (until closed); NR counts its records. */
  getlineCmd(target: LValue | undefined, cmd: Expr): number {
    const command = this.str(this.ev(cmd));
    const key = `|${command}`;
    let f = this.files.get(key);
    if (!f) {
      const out = this.runCommand(command, "`CMD | getline`").stdout;
      f = { recs: splitRecords(out, this.str(this.getVar("RS"))), pos: 0 };
      this.files.set(key, f);
    }
    const r = f.recs[f.pos++];
    if (r === undefined) return 0;
    this.setVar("NR", toNum(this.getVar("NR")) + 1);
    if (target) this.setL(target, new StrNum(r));
    else this.setRecord(r);
    return 1;
  }

  runCommand(command: string, what: string): { stdout: string; status: number } {
    if (!this.run) return this.fail(`${what} is not modelled here (no shell to run "${command}")`);
    return this.run(command);
  }

  system(command: string): number {
    const r = this.runCommand(command, "system()");
    this.write(r.stdout);
    return r.status;
  }

  close(name: string): number {
    return this.files.delete(name) || this.files.delete(`|${name}`) ? 0 : -1;
  }

  arith(op: string, a: number, b: number): number {
    switch (op) {
      case "+":
        return a + b;
      case "-":
        return a - b;
      case "*":
        return a * b;
      case "/":
        if (b === 0) this.fail("division by zero");
        return a / b;
      case "%":
        if (b === 0) this.fail("division by zero in %");
        return a % b;
    }
    return a ** b;
  }

  assign(op: string, t: LValue, e: Expr): Val {
    let v = this.ev(e);
    if (op !== "=") v = this.arith(op[0]!, toNum(this.getL(t)), toNum(v));
    this.setL(t, v);
    return v;
  }

  call(name: string, args: Expr[]): Val {
    const f: Func | undefined = this.prog.funcs.get(name);
    if (!f) return this.fail(`function ${name} never defined`);
    if (args.length > f.params.length) this.fail(`too many arguments in call to ${name}`);
    if (this.frames.length >= MAX_DEPTH) this.fail(`function call nesting too deep (${name})`);
    this.step();
    const frame = new Map<string, Cell>();
    f.params.forEach((p, k) => {
      const a = args[k];
      // An array is passed by reference, a scalar by value.
      const c = a?.k === "var" ? this.cell(a.name) : undefined;
      if (c && "a" in c) frame.set(p, c);
      else if (c?.v === UNINIT) frame.set(p, { v: UNINIT, ref: c });
      else frame.set(p, { v: a ? this.ev(a) : UNINIT });
    });
    this.frames.push(frame);
    try {
      this.block(f.body);
      return UNINIT;
    } catch (x) {
      if (x instanceof Return) return x.v;
      throw x;
    } finally {
      this.frames.pop();
    }
  }

  block(body: Stmt[]): void {
    for (const s of body) this.exec(s);
  }

  exec(s: Stmt): void {
    switch (s.k) {
      case "expr":
        return void this.ev(s.e);
      case "print":
      case "printf":
        return this.print(s);
      case "block":
        return this.block(s.body);
      case "if":
        if (truthy(this.ev(s.c))) this.exec(s.t);
        else if (s.f) this.exec(s.f);
        return;
      case "next":
        throw new Next();
      case "break":
        throw new Break();
      case "continue":
        throw new Continue();
      case "exit":
        throw new Exit(s.e ? Math.trunc(toNum(this.ev(s.e))) & 0xff : undefined);
      case "return":
        throw new Return(s.e ? this.ev(s.e) : UNINIT);
      case "delete":
        if (!s.subs) return this.arrayOf(s.name).clear();
        return void this.arrayOf(s.name).delete(this.key(s.subs));
    }
    this.loop(s);
  }

  step(): void {
    if (++this.steps > MAX_AWK_STEPS)
      this.fail(`ran over ${MAX_AWK_STEPS} loop iterations and calls (an endless loop?)`);
  }

  /** Run a loop's body once; false when it broke out. */
  body(b: Stmt): boolean {
    this.step();
    try {
      this.exec(b);
    } catch (x) {
      if (x instanceof Break) return false;
      if (!(x instanceof Continue)) throw x;
    }
    return true;
  }

  loop(s: Stmt): void {
    if (s.k === "while") while (truthy(this.ev(s.c)) && this.body(s.body));
    else if (s.k === "do") while (this.body(s.body) && truthy(this.ev(s.c)));
    else if (s.k === "for") {
      if (s.init) this.exec(s.init);
      while ((!s.c || truthy(this.ev(s.c))) && this.body(s.body)) if (s.step) this.exec(s.step);
    } else if (s.k === "forin")
      for (const k of [...this.arrayOf(s.name).keys()]) {
        this.setL(s.v, new StrNum(k));
        if (!this.body(s.body)) break;
      }
  }

  print(s: Extract<Stmt, { k: "print" | "printf" }>): void {
    let text: string;
    if (s.k === "printf") {
      const [fmt, ...rest] = s.args.map((a) => this.ev(a));
      const r = sprintf(this.str(fmt!), rest, { num: toNum, str: (v) => this.str(v) });
      if (r.error) {
        // What was formatted before the missing argument is written, as mawk does.
        this.write(r.text);
        this.fail(`${r.error} printf(${JSON.stringify(this.str(fmt!))})`);
      }
      text = r.text;
    } else {
      const ofmt = this.str(this.getVar("OFMT"));
      const vals = s.args.length ? s.args.map((a) => this.ev(a)) : [new StrNum(this.record)];
      const parts = vals.map((v) => (typeof v === "number" ? numToStr(v, ofmt) : this.str(v)));
      text = parts.join(this.str(this.getVar("OFS"))) + this.str(this.getVar("ORS"));
    }
    if (!s.dest) return this.write(text);
    const to = this.str(this.ev(s.dest.e));
    if (to === "/dev/stdout" || to === "-") this.write(text);
    else if (to === "/dev/stderr") this.warn(text.replace(/\n$/, ""));
    else if (to !== "/dev/null") this.fail(`output to a file (${to}) is not modelled`);
  }
}
