/**
 * `expr` as coreutils 9.1 evaluates it (expr.c eval1…eval7): `|`, `&`, comparisons (numeric
 * when both sides are integers, else string order), `+ - * / %` on arbitrary-precision
 * integers, `STRING : REGEX` (basic regular expression anchored at the start: the first
 * `\(…\)` group, else the length matched), `match`, `substr`, `index`, `length`, `+ TOKEN`
 * and parentheses. Exit status 0 when the result is neither empty nor 0, 1 when it is, 2 on
 * a bad expression, 3 on a bad regular expression. It reads nothing but its arguments.
 * @module
 */
import { posixToJs } from "./regex.js";

type Val = { int: bigint } | { str: string };

class ExprError {
  constructor(
    readonly message: string,
    readonly status: number,
  ) {}
}

const q = (s: string) => `\u2018${s}\u2019`;

function isInt(s: string): boolean {
  return /^-?\d+$/.test(s);
}

function text(v: Val): string {
  return "int" in v ? String(v.int) : v.str;
}

/** coreutils null(): the empty string, or an integer zero (`0`, `-0`, `00`). */
function isNull(v: Val): boolean {
  if ("int" in v) return v.int === 0n;
  return v.str === "" || /^-?0+$/.test(v.str);
}

function toInt(v: Val): bigint {
  if ("int" in v) return v.int;
  if (!isInt(v.str)) throw new ExprError("non-integer argument", 2);
  return BigInt(v.str);
}

/** `STRING : REGEX` (docolon). */
function colon(s: Val, r: Val): Val {
  const src = posixToJs(text(r), false);
  if (src.startsWith("!")) throw new ExprError(src.slice(1), 2);
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${src})`, "s");
  } catch {
    throw new ExprError("Invalid regular expression", 2);
  }
  const m = re.exec(text(s));
  // The number of capturing groups: what an always-matching alternative returns.
  const groups = new RegExp(`${src}|`).exec("")!.length - 1;
  if (groups > 0) return { str: m?.[1] ?? "" };
  return { int: m ? BigInt([...m[0]].length) : 0n };
}

class Parser {
  i = 0;
  constructor(readonly a: readonly string[]) {}

  next(tok: string): boolean {
    if (this.a[this.i] !== tok) return false;
    this.i++;
    return true;
  }

  or(): Val {
    let l = this.and();
    while (this.next("|")) {
      const r = this.and();
      if (isNull(l)) l = isNull(r) ? { int: 0n } : r;
    }
    return l;
  }

  and(): Val {
    let l = this.cmp();
    while (this.next("&")) {
      const r = this.cmp();
      if (isNull(l) || isNull(r)) l = { int: 0n };
    }
    return l;
  }

  cmp(): Val {
    let l = this.add();
    for (;;) {
      const op = ["<", "<=", "=", "==", "!=", ">=", ">"].find((o) => this.a[this.i] === o);
      if (!op) return l;
      this.i++;
      const r = this.add();
      const [x, y] = [text(l), text(r)];
      const c = isInt(x) && isInt(y) ? cmpBig(BigInt(x), BigInt(y)) : x < y ? -1 : x > y ? 1 : 0;
      const t = { "<": c < 0, "<=": c <= 0, "=": c === 0, "==": c === 0, "!=": c !== 0 }[op];
      l = { int: (t ?? (op === ">=" ? c >= 0 : c > 0)) ? 1n : 0n };
    }
  }

  add(): Val {
    let l = this.mul();
    for (;;) {
      const op = this.next("+") ? "+" : this.next("-") ? "-" : undefined;
      if (!op) return l;
      const r = this.mul();
      l = { int: op === "+" ? toInt(l) + toInt(r) : toInt(l) - toInt(r) };
    }
  }

  mul(): Val {
    let l = this.match();
    for (;;) {
      const op = ["*", "/", "%"].find((o) => this.a[this.i] === o);
      if (!op) return l;
      this.i++;
      const r = this.match();
      const [x, y] = [toInt(l), toInt(r)];
      if (op !== "*" && y === 0n) throw new ExprError("division by zero", 2);
      l = { int: op === "*" ? x * y : op === "/" ? x / y : x % y };
    }
  }

  match(): Val {
    let l = this.unary();
    while (this.next(":")) l = colon(l, this.unary());
    return l;
  }

  unary(): Val {
    const t = this.a[this.i];
    if (t === "+") {
      this.i++;
      return { str: this.token() };
    }
    if (t === "length") return (this.i++, { int: BigInt([...text(this.unary())].length) });
    if (t === "match") {
      this.i++;
      const s = this.unary();
      return colon(s, this.unary());
    }
    if (t === "index") {
      this.i++;
      const s = [...text(this.unary())];
      const chars = text(this.unary());
      return { int: BigInt(s.findIndex((c) => chars.includes(c)) + 1) };
    }
    if (t === "substr") {
      this.i++;
      const s = [...text(this.unary())];
      const [p, n] = [text(this.unary()), text(this.unary())];
      if (!isInt(p) || !isInt(n) || Number(p) < 1 || Number(n) < 1) return { str: "" };
      return { str: s.slice(Number(p) - 1, Number(p) - 1 + Number(n)).join("") };
    }
    return this.primary();
  }

  primary(): Val {
    if (this.i >= this.a.length) throw this.missing();
    if (this.next("(")) {
      const v = this.or();
      if (this.i >= this.a.length)
        throw new ExprError(`syntax error: expecting ${q(")")} after ${q(this.a[this.i - 1]!)}`, 2);
      if (!this.next(")"))
        throw new ExprError(
          `syntax error: expecting ${q(")")} instead of ${q(this.a[this.i]!)}`,
          2,
        );
      return v;
    }
    if (this.a[this.i] === ")") throw new ExprError(`syntax error: unexpected ${q(")")}`, 2);
    return { str: this.a[this.i++]! };
  }

  token(): string {
    if (this.i >= this.a.length) throw this.missing();
    return this.a[this.i++]!;
  }

  missing(): ExprError {
    const last = this.a[this.i - 1];
    return new ExprError(
      last === undefined ? "missing operand" : `syntax error: missing argument after ${q(last)}`,
      2,
    );
  }
}

function cmpBig(x: bigint, y: bigint): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Evaluate `expr ARGS`: what it prints and its exit status, or its error message.
 * @example runExpr(["1", "+", "2"]) // { stdout: "3\n", status: 0 }
 */
export function runExpr(args: readonly string[]): {
  stdout: string;
  status: number;
  error?: string;
} {
  const a = args[0] === "--" ? args.slice(1) : args;
  const p = new Parser(a);
  try {
    const v = p.or();
    if (p.i < a.length) throw new ExprError(`syntax error: unexpected argument ${q(a[p.i]!)}`, 2);
    return { stdout: `${text(v)}\n`, status: isNull(v) ? 1 : 0 };
  } catch (e) {
    if (!(e instanceof ExprError)) throw e;
    return { stdout: "", status: e.status, error: `expr: ${e.message}` };
  }
}
