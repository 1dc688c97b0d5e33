/**
 * Shell arithmetic `$((…))` and `((…))` as bash evaluates it (expr.c): 64-bit signed
 * integers that wrap, C precedence, `?:`, `&&`/`||`, comparisons, assignments (`=`, `+=`,
 * …, `++`, `--`) and `,`. Values are BigInt clamped with `BigInt.asIntN(64, …)`, so
 * `$((2**63))` is -9223372036854775808 as in bash, never a floating-point number.
 * Nesting is depth-limited: a crafted `((((…))))` is a located error, not a stack overflow.
 * @module
 */

/** Variables the expression reads and assigns (the shell's). */
export interface ArithEnv {
  get(name: string): string | undefined;
  set?(name: string, value: string): void;
}

/** Deepest parenthesis / operator nesting evaluated (bash has none; the JS stack does). */
export const ARITH_MAX_DEPTH = 200;

class ArithError {
  constructor(readonly message: string) {}
}

const wrap = (v: bigint): bigint => BigInt.asIntN(64, v);
const NUMBER = /0[xX][0-9a-fA-F]*|[0-9]+#[0-9A-Za-z@_]+|\d+|[A-Za-z_][A-Za-z0-9_]*/.source;
const OPERATOR = /\*\*=?|<<=|>>=|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=/.source;
const TOKEN = new RegExp(`${NUMBER}|${OPERATOR}|[-+*/%&|^~!<>=?:(),]|\\S`, "g");

/** Binary operators by precedence (bash expr.c, lowest first). */
const BINARY: Record<string, number> = {
  "||": 1,
  "&&": 2,
  "|": 3,
  "^": 4,
  "&": 5,
  "==": 6,
  "!=": 6,
  "<": 7,
  ">": 7,
  "<=": 7,
  ">=": 7,
  "<<": 8,
  ">>": 8,
  "+": 9,
  "-": 9,
  "*": 10,
  "/": 10,
  "%": 10,
  "**": 11,
};
const ASSIGN = new Set(["=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "|=", "^=", "**="]);

/** A number as bash reads it: decimal, 0x hex, 0 octal, BASE#digits. */
function parseNumber(t: string): bigint {
  const bad = () => new ArithError(`value too great for base (error token is "${t}")`);
  if (/^0[xX]/.test(t)) {
    if (t.length === 2) throw new ArithError(`invalid number (error token is "${t}")`);
    return wrap(BigInt(t));
  }
  const m = /^(\d+)#(.+)$/.exec(t);
  const base = m ? Number(m[1]) : /^0\d/.test(t) ? 8 : 10;
  const digits = m ? m[2]! : t;
  if (base < 2 || base > 64)
    throw new ArithError(`invalid arithmetic base (error token is "${t}")`);
  let v = 0n;
  for (const c of digits) {
    const d = digitValue(c, base);
    if (d < 0 || d >= base) throw bad();
    v = wrap(v * BigInt(base) + BigInt(d));
  }
  return v;
}

/** bash's digit values: 0-9, a-z, A-Z (a-z again below base 37), @, _. */
function digitValue(c: string, base: number): number {
  if (c >= "0" && c <= "9") return c.charCodeAt(0) - 48;
  if (c >= "a" && c <= "z") return c.charCodeAt(0) - 87;
  if (c >= "A" && c <= "Z") return c.charCodeAt(0) - (base <= 36 ? 55 : 29);
  if (c === "@") return 62;
  if (c === "_") return 63;
  return -1;
}

class Evaluator {
  i = 0;
  depth = 0;
  constructor(
    readonly toks: string[],
    readonly env: ArithEnv,
    readonly outer: number,
    /** False while parsing the untaken side of `&&`, `||`, `?:` (no assignment, no error). */
    public live = true,
  ) {}

  enter(): void {
    if (++this.depth + this.outer > ARITH_MAX_DEPTH)
      throw new ArithError(`expression nested too deeply (over ${ARITH_MAX_DEPTH} levels)`);
  }

  /** A variable's value: its text evaluated as an expression (bash), unset or empty = 0. */
  variable(name: string): bigint {
    const v = this.env.get(name);
    if (v === undefined || v.trim() === "") return 0n;
    if (/^\s*-?(0|[1-9]\d*)\s*$/.test(v)) return wrap(BigInt(v.trim()));
    return evalArithBig(v, this.env, this.outer + this.depth + 1);
  }

  assign(name: string, v: bigint): bigint {
    if (this.live) this.env.set?.(name, String(v));
    return v;
  }

  comma(): bigint {
    let v = this.assignment();
    while (this.toks[this.i] === ",") {
      this.i++;
      v = this.assignment();
    }
    return v;
  }

  assignment(): bigint {
    const name = this.toks[this.i];
    const op = this.toks[this.i + 1];
    if (name && /^[A-Za-z_]/.test(name) && op && ASSIGN.has(op)) {
      this.i += 2;
      this.enter();
      const rhs = this.assignment();
      this.depth--;
      if (op === "=") return this.assign(name, rhs);
      return this.assign(name, this.apply(op.slice(0, -1), this.variable(name), rhs));
    }
    return this.ternary();
  }

  ternary(): bigint {
    const c = this.binary(1);
    if (this.toks[this.i] !== "?") return c;
    this.i++;
    this.enter();
    const live = this.live;
    this.live = live && c !== 0n;
    const a = this.comma();
    if (this.toks[this.i++] !== ":")
      throw new ArithError("`:' expected for conditional expression");
    this.live = live && c === 0n;
    const b = this.assignment();
    this.live = live;
    this.depth--;
    return c !== 0n ? a : b;
  }

  binary(min: number): bigint {
    let lhs = this.unary();
    for (;;) {
      const op = this.toks[this.i];
      const p = op !== undefined ? BINARY[op] : undefined;
      if (p === undefined || p < min) return lhs;
      this.i++;
      this.enter();
      const live = this.live;
      if (op === "&&") this.live = live && lhs !== 0n;
      if (op === "||") this.live = live && lhs === 0n;
      // `**` is right-associative; the others left.
      const rhs = this.binary(op === "**" ? p : p + 1);
      this.live = live;
      this.depth--;
      lhs = this.apply(op!, lhs, rhs);
    }
  }

  unary(): bigint {
    const t = this.toks[this.i++];
    if (t === undefined) throw new ArithError("syntax error: operand expected");
    this.enter();
    try {
      return this.unaryOf(t);
    } finally {
      this.depth--;
    }
  }

  unaryOf(t: string): bigint {
    if (t === "-") return wrap(-this.unary());
    if (t === "+") return this.unary();
    if (t === "~") return wrap(~this.unary());
    if (t === "!") return this.unary() === 0n ? 1n : 0n;
    if (t === "++" || t === "--") {
      const name = this.toks[this.i++] ?? "";
      if (!/^[A-Za-z_]/.test(name)) throw new ArithError("syntax error: operand expected");
      return this.assign(name, wrap(this.variable(name) + (t === "++" ? 1n : -1n)));
    }
    if (t === "(") {
      const v = this.comma();
      if (this.toks[this.i++] !== ")") throw new ArithError("missing `)'");
      return v;
    }
    if (/^[0-9]/.test(t)) return parseNumber(t);
    if (/^[A-Za-z_]/.test(t)) {
      const post = this.toks[this.i];
      if (post === "++" || post === "--") {
        this.i++;
        const v = this.variable(t);
        this.assign(t, wrap(v + (post === "++" ? 1n : -1n)));
        return v;
      }
      return this.variable(t);
    }
    throw new ArithError(`syntax error: operand expected (error token is "${t}")`);
  }

  apply(op: string, a: bigint, b: bigint): bigint {
    switch (op) {
      case "+":
        return wrap(a + b);
      case "-":
        return wrap(a - b);
      case "*":
        return wrap(a * b);
      case "/":
      case "%":
        if (b === 0n) {
          if (!this.live) return 0n;
          throw new ArithError("division by 0");
        }
        // INTMAX_MIN / -1 overflows in C; bash answers INTMAX_MIN (and 0 for %).
        if (b === -1n) return op === "/" ? wrap(-a) : 0n;
        return op === "/" ? a / b : a % b;
      case "**":
        if (b < 0n) {
          if (!this.live) return 0n;
          throw new ArithError("exponent less than 0");
        }
        return powWrap(a, b);
      case "<<":
        return wrap(a << (b & 63n));
      case ">>":
        return a >> (b & 63n);
      default:
        return compare(op, a, b);
    }
  }
}

/** Comparisons and bitwise/logical operators (0/1 for the tests). */
function compare(op: string, a: bigint, b: bigint): bigint {
  const t = (c: boolean) => (c ? 1n : 0n);
  switch (op) {
    case "&":
      return a & b;
    case "|":
      return a | b;
    case "^":
      return a ^ b;
    case "&&":
      return t(a !== 0n && b !== 0n);
    case "||":
      return t(a !== 0n || b !== 0n);
    case "==":
      return t(a === b);
    case "!=":
      return t(a !== b);
    case "<":
      return t(a < b);
    case ">":
      return t(a > b);
    case "<=":
      return t(a <= b);
    default:
      return t(a >= b);
  }
}

/** a ** b wrapping at 64 bits after every step (square-and-multiply, as bash's ipow). */
function powWrap(a: bigint, b: bigint): bigint {
  let r = 1n;
  let base = a;
  let e = b;
  while (e > 0n) {
    if (e & 1n) r = wrap(r * base);
    base = wrap(base * base);
    e >>= 1n;
  }
  return r;
}

/**
 * Evaluate an arithmetic expression to a 64-bit integer, or bash's error text.
 * @example String(evalArithBig("2**63", new Map())) // "-9223372036854775808"
 */
export function evalArithBig(expr: string, env: ArithEnv, outer = 0): bigint {
  const toks = expr.match(TOKEN) ?? [];
  if (toks.length === 0) return 0n;
  const e = new Evaluator(toks, env, outer);
  const v = e.comma();
  if (e.i < toks.length)
    throw new ArithError(
      `syntax error in expression (error token is "${toks.slice(e.i).join(" ")}")`,
    );
  return v;
}

/**
 * Shell arithmetic: the value as a decimal string, or `{ error }` with bash's message.
 * @example evalArith("t - 200", new Map([["t", "210"]])) // "10"
 */
export function evalArith(expr: string, env: ArithEnv): string | { error: string } {
  try {
    return String(evalArithBig(expr, env));
  } catch (e) {
    if (e instanceof ArithError) return { error: e.message };
    throw e;
  }
}
