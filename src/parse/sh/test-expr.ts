/**
 * `test` / `[ … ]` / `[[ … ]]` expressions as bash evaluates them (test.c): string and integer
 * comparisons, `-z`/`-n`, file tests against the virtual host's files, `!`, `-a`/`-o`,
 * `&&`/`||` and parentheses. The POSIX rules for one to four arguments come first, as in
 * bash, so `[ "$x" = -n ]` compares strings.
 * @module
 */

export interface TestHost {
  exists(path: string): boolean;
  /** A regular file (`-f`, `-s`, `-r`, `-w`: the virtual host keeps no modes or sizes). */
  isFile(path: string): boolean;
  isDir(path: string): boolean;
  match(value: string, pattern: string): boolean;
  /** `[[ … ]]`: `==`/`!=` match patterns, `&&`/`||`, `<`/`>` compare strings. */
  bash: boolean;
}

const UNARY_FILE = new Set([
  "-e",
  "-f",
  "-r",
  "-s",
  "-w",
  "-a",
  "-L",
  "-h",
  "-x",
  "-d",
  "-p",
  "-S",
  "-b",
  "-c",
]);
const INT_OPS = new Set(["-eq", "-ne", "-lt", "-le", "-gt", "-ge"]);
const BINARY = new Set(["=", "==", "!=", "<", ">", "=~", ...INT_OPS, "-nt", "-ot", "-ef"]);

/** bash's integer reading for `-eq` and friends (leading/trailing blanks allowed). */
function int(s: string): bigint | string {
  const t = s.trim();
  if (!/^[-+]?\d+$/.test(t)) return `${s}: integer expression expected`;
  return BigInt(t);
}

function binary(a: string, op: string, b: string, h: TestHost): boolean | string {
  if (INT_OPS.has(op)) {
    const x = int(a);
    const y = int(b);
    if (typeof x === "string") return x;
    if (typeof y === "string") return y;
    return {
      "-eq": x === y,
      "-ne": x !== y,
      "-lt": x < y,
      "-le": x <= y,
      "-gt": x > y,
      "-ge": x >= y,
    }[op]!;
  }
  if (op === "=" || op === "==") return h.bash ? h.match(a, b) : a === b;
  if (op === "!=") return h.bash ? !h.match(a, b) : a !== b;
  if (op === "<") return a < b;
  if (op === ">") return a > b;
  if (op === "=~") {
    try {
      return new RegExp(b).test(a);
    } catch {
      return "invalid regular expression";
    }
  }
  // -nt/-ot/-ef: the virtual host keeps no file times.
  return false;
}

function unary(op: string, a: string, h: TestHost): boolean {
  if (op === "-z") return a === "";
  if (op === "-n") return a !== "";
  if (op === "-d") return h.isDir(a);
  if (op === "-f" || op === "-s" || op === "-r" || op === "-w") return h.isFile(a);
  if (op === "-x" || op === "-t" || op === "-p" || op === "-S" || op === "-b" || op === "-c")
    return false;
  return h.exists(a);
}

class TestParser {
  i = 0;
  constructor(
    readonly a: string[],
    readonly h: TestHost,
  ) {}

  or(): boolean | string {
    let v = this.and();
    while (this.a[this.i] === "-o" || (this.h.bash && this.a[this.i] === "||")) {
      this.i++;
      const r = this.and();
      if (typeof r === "string") return r;
      if (typeof v === "string") return v;
      v = v || r;
    }
    return v;
  }

  and(): boolean | string {
    let v = this.not();
    while (this.a[this.i] === "-a" || (this.h.bash && this.a[this.i] === "&&")) {
      this.i++;
      const r = this.not();
      if (typeof r === "string") return r;
      if (typeof v === "string") return v;
      v = v && r;
    }
    return v;
  }

  not(): boolean | string {
    if (this.a[this.i] === "!") {
      this.i++;
      const v = this.not();
      return typeof v === "string" ? v : !v;
    }
    return this.primary();
  }

  primary(): boolean | string {
    const a = this.a;
    const t = a[this.i];
    if (t === undefined) return "argument expected";
    if (t === "(") {
      this.i++;
      const v = this.or();
      if (a[this.i++] !== ")") return "`)' expected";
      return v;
    }
    if (a[this.i + 1] !== undefined && BINARY.has(a[this.i + 1]!) && a[this.i + 2] !== undefined) {
      this.i += 3;
      return binary(t, a[this.i - 2]!, a[this.i - 1]!, this.h);
    }
    if (
      (t === "-z" || t === "-n" || UNARY_FILE.has(t) || t === "-d" || t === "-t") &&
      a[this.i + 1] !== undefined
    ) {
      this.i += 2;
      return unary(t, a[this.i - 1]!, this.h);
    }
    this.i++;
    return t !== "";
  }
}

/**
 * Evaluate test's arguments (without the closing `]`): true, false, or bash's error text.
 * @example testExpr(["1", "-lt", "2"], host) // true
 */
export function testExpr(args: string[], h: TestHost): boolean | string {
  // POSIX: with 0–2 arguments the meaning is fixed by the count (test.c posixtest).
  if (args.length === 0) return false;
  if (args.length === 1) return args[0] !== "";
  if (args.length === 2 && args[0] === "!") return args[1] === "";
  if (args.length === 2 && !h.bash && !(args[0]!.startsWith("-") && args[0]!.length === 2))
    return `${args[0]}: unary operator expected`;
  if (args.length === 3 && BINARY.has(args[1]!)) return binary(args[0]!, args[1]!, args[2]!, h);
  const p = new TestParser(args, h);
  const v = p.or();
  if (typeof v === "string") return v;
  if (p.i < args.length) return `${args[p.i]}: too many arguments`.replace(/^.*: too/, "too");
  return v;
}
