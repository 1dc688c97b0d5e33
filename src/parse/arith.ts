/**
 * Shell arithmetic expansion `$((…))` for setup scripts (a recursive-descent evaluator over
 * the operators scripts use for table ids, marks and priorities).
 * @module
 */

/**
 * Shell arithmetic (`$((…))`): integers (decimal, 0x hex), variables (unset = 0, as the shell
 * does), unary -/+/~, * / %, + -, << >>, &, ^, |, parentheses. Returns the value or an error text.
 * @example evalArith("t - 200", new Map([["t", "210"]])) // 10
 */
export function evalArith(expr: string, env: ReadonlyMap<string, string>): number | string {
  const toks =
    expr.match(/0[xX][0-9a-fA-F]+|\d+|[A-Za-z_][A-Za-z0-9_]*|<<|>>|[-+*/%&|^~()]|\S/g) ?? [];
  let i = 0;
  const num = (t: string): number | string => {
    if (/^0[xX]/.test(t)) return parseInt(t, 16);
    // A leading 0 is octal, as in C: $((010)) is 8, and $((08)) is an error.
    if (/^0[0-7]+$/.test(t)) return parseInt(t, 8);
    if (/^0\d+$/.test(t)) return `value too great for base (error token is "${t}")`;
    if (/^\d+$/.test(t)) return Number(t);
    if (/^[A-Za-z_]/.test(t)) {
      const v = env.get(t) ?? "0";
      const r = evalArith(v, env);
      return typeof r === "string" ? `"${t}" is not a number` : r;
    }
    return `unexpected "${t}"`;
  };
  const prec: Record<string, number> = {
    "|": 1,
    "^": 2,
    "&": 3,
    "<<": 4,
    ">>": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
  };
  const unary = (): number | string => {
    const t = toks[i++];
    if (t === undefined) return "missing operand";
    if (t === "-" || t === "+" || t === "~") {
      const v = unary();
      if (typeof v === "string") return v;
      return t === "-" ? -v : t === "~" ? ~v : v;
    }
    if (t === "(") {
      const v = binary(0);
      if (typeof v === "string") return v;
      if (toks[i++] !== ")") return "missing )";
      return v;
    }
    return num(t);
  };
  const binary = (min: number): number | string => {
    let lhs = unary();
    if (typeof lhs === "string") return lhs;
    for (;;) {
      const op = toks[i];
      const p = op !== undefined ? prec[op] : undefined;
      if (p === undefined || p <= min - 1 || p < min) return lhs;
      i++;
      const rhs = binary(p + 1);
      if (typeof rhs === "string") return rhs;
      const r = applyOp(op!, lhs, rhs);
      if (typeof r === "string") return r;
      lhs = r;
    }
  };
  const v = binary(1);
  if (typeof v === "string") return v;
  if (i < toks.length) return `unexpected "${toks[i]}"`;
  return v;
}

/** One binary operator on integers, or the shell's error text. */
function applyOp(op: string, lhs: number, rhs: number): number | string {
  switch (op) {
    case "+":
      return lhs + rhs;
    case "-":
      return lhs - rhs;
    case "*":
      return lhs * rhs;
    case "/":
      return rhs === 0 ? "division by 0" : Math.trunc(lhs / rhs);
    case "%":
      return rhs === 0 ? "division by 0" : lhs % rhs;
    case "<<":
      return lhs * 2 ** rhs;
    case ">>":
      return Math.floor(lhs / 2 ** rhs);
    case "&":
      return lhs & rhs;
    case "|":
      return lhs | rhs;
    default:
      return lhs ^ rhs;
  }
}
