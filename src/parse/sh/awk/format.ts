/**
 * awk's `printf`/`sprintf` formats, as C's printf does them: `%c %d %i %o %u %x %X %e %E %f
 * %F %g %G %s %%` with flags `- + space # 0`, width and precision (`*` takes an argument).
 * The caller says how a value reads as a number and as a string (value.ts).
 * @module
 */

export interface Conv<V> {
  num(v: V): number;
  str(v: V): string;
}

const NUM: Conv<unknown> = { num: (v) => Number(v), str: (v) => String(v) };

interface Spec {
  flags: string;
  width: number | undefined;
  prec: number | undefined;
}

/** Width: spaces, or zeros after the sign and `0x` when `0` is given and allowed. */
function pad(s: string, sp: Spec, zeroOk: boolean): string {
  const w = sp.width ?? 0;
  if (s.length >= w) return s;
  if (sp.flags.includes("-")) return s.padEnd(w);
  if (!zeroOk || !sp.flags.includes("0")) return s.padStart(w);
  const head = /^[-+ ]?(0[xX])?/.exec(s)![0];
  return head + s.slice(head.length).padStart(w - head.length, "0");
}

function sign(n: number, body: string, flags: string): string {
  if (n < 0 || Object.is(n, -0)) return `-${body}`;
  return (flags.includes("+") ? "+" : flags.includes(" ") ? " " : "") + body;
}

/**
 * `x` (not negative) with `prec` digits after the point, in fixed or exponent form, rounded
 * as glibc does: to nearest, a tie (an exactly representable half) to even. JavaScript's
 * toFixed/toExponential round a tie up.
 */
function digits(x: number, prec: number, exp: boolean): string {
  const conv = (p: number) => (exp ? x.toExponential(p) : x.toFixed(p));
  const plain = conv(prec);
  if (prec + 25 > 100) return plain;
  const long = conv(prec + 25);
  const m = /^(\d*)\.?(\d*)(e.*)?$/.exec(long)!;
  const frac = m[2]!;
  if (!/^50*$/.test(frac.slice(prec))) return plain;
  // A tie: keep the digit before it when that digit is even.
  const kept = (m[1]! + frac.slice(0, prec)).at(-1)!;
  if (Number(kept) % 2 === 1) return plain;
  const body = prec ? `${m[1]}.${frac.slice(0, prec)}` : m[1]!;
  return exp ? body + m[3]! : body;
}

/** `%e`'s exponent has at least two digits. */
function expForm(n: number, prec: number, upper: boolean): string {
  const s = digits(Math.abs(n), prec, true).replace(/e([-+])(\d)$/, (_m, sg, d) => `e${sg}0${d}`);
  return upper ? s.toUpperCase() : s;
}

function float(n: number, c: string, sp: Spec): string {
  if (!Number.isFinite(n)) {
    const t = Number.isNaN(n) ? "nan" : "inf";
    return sign(n, /[EFG]/.test(c) ? t.toUpperCase() : t, sp.flags);
  }
  const prec = sp.prec ?? 6;
  const alt = sp.flags.includes("#");
  let body: string;
  if (c === "f" || c === "F") body = digits(Math.abs(n), prec, false) + (alt && !prec ? "." : "");
  else if (c === "e" || c === "E") body = expForm(n, prec, c === "E");
  else {
    const p = prec === 0 ? 1 : prec;
    const x = n === 0 ? 0 : Number(expForm(n, p - 1, false).split("e")[1]);
    body =
      x < -4 || x >= p
        ? expForm(n, p - 1, c === "G")
        : digits(Math.abs(n), Math.max(0, p - 1 - x), false);
    if (!alt) body = body.replace(/\.(\d*?)0+($|[eE])/, ".$1$2").replace(/\.($|[eE])/, "$1");
  }
  return sign(n, body, sp.flags);
}

function integer(n: number, c: string, sp: Spec): string {
  const t = Number.isFinite(n) ? BigInt(Math.trunc(n)) : 0n;
  let body: string;
  if (c === "d" || c === "i") body = (t < 0n ? -t : t).toString();
  else {
    const u = BigInt.asUintN(64, t);
    body = u.toString(c === "o" ? 8 : c === "u" ? 10 : 16);
    if (c === "X") body = body.toUpperCase();
    if (sp.flags.includes("#") && u !== 0n && c !== "u")
      body = (c === "o" ? "0" : c === "x" ? "0x" : "0X") + body;
  }
  if (sp.prec !== undefined) body = sp.prec === 0 && t === 0n ? "" : body.padStart(sp.prec, "0");
  return c === "d" || c === "i" ? sign(t < 0n ? -1 : 1, body, sp.flags) : body;
}

/**
 * FORMAT with ARGS; `error` when the format is cut short (a bad conversion, too few ARGS),
 * with the text up to there.
 * @example sprintf("%s %s\n", ["7", "x"]).text // "7 x\n"
 */
export function sprintf<V>(
  fmt: string,
  args: readonly V[],
  conv: Conv<V> = NUM as Conv<V>,
): { text: string; error?: string } {
  let out = "";
  let k = 0;
  const next = (): V | undefined => args[k++];
  const re = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?([cdiouxXeEfFgGs%])?/g;
  let at = 0;
  let n = 0;
  for (let m = re.exec(fmt); m; m = re.exec(fmt)) {
    out += fmt.slice(at, m.index);
    at = re.lastIndex;
    const c = m[4];
    if (c === "%") {
      out += "%";
      continue;
    }
    const star = (s: string | undefined) => {
      if (s === "*") {
        const v = next();
        return v === undefined ? 0 : Math.trunc(conv.num(v));
      }
      return s === undefined ? undefined : s === "" ? 0 : Number(s);
    };
    const sp: Spec = { flags: m[1]!, width: star(m[2]), prec: star(m[3]) };
    if (sp.width !== undefined && sp.width < 0) (sp.flags += "-"), (sp.width = -sp.width);
    // mawk's order: the argument is looked for before the conversion is checked.
    if (k >= args.length) return { text: out, error: "not enough arguments passed to" };
    n++;
    if (!c) return { text: out, error: `improper conversion(number ${n}) in` };
    const v = next();
    out += one(c, v, sp, conv);
  }
  return { text: out + fmt.slice(at) };
}

function one<V>(c: string, v: V | undefined, sp: Spec, conv: Conv<V>): string {
  if (c === "s" || c === "c") {
    let s = v === undefined ? "" : conv.str(v);
    if (c === "c") {
      const isNum = typeof v === "number";
      s = isNum ? String.fromCharCode(Math.trunc(v as number) & 0xff) : s.slice(0, 1);
    } else if (sp.prec !== undefined) s = s.slice(0, sp.prec);
    return pad(s, sp, false);
  }
  const n = v === undefined ? 0 : conv.num(v);
  if ("eEfFgG".includes(c)) return pad(float(n, c, sp), sp, Number.isFinite(n));
  return pad(integer(n, c, sp), sp, sp.prec === undefined);
}
