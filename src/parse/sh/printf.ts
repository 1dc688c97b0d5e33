/**
 * bash's `printf FORMAT ARGS…`: `%s %b %q %d %i %u %x %X %o %c %%` with flags, width and
 * precision; the format is reused while arguments remain; integers are 64-bit.
 * @module
 */
import type { SourceLoc } from "../../core/loc.js";
import type { ShellApi as Shell, ShellIo } from "./api.js";

const ESC: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  e: "\x1b",
  "\\": "\\",
};

function escapes(s: string, stopAtC = false): { text: string; stop: boolean } {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== "\\" || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[++i]!;
    if (stopAtC && n === "c") return { text: out, stop: true };
    const oct = /^0?[0-7]{1,3}/.exec(s.slice(i));
    const hex = /^x[0-9a-fA-F]{1,2}/.exec(s.slice(i));
    if (ESC[n] !== undefined) out += ESC[n];
    else if (hex) {
      out += String.fromCharCode(parseInt(hex[0].slice(1), 16));
      i += hex[0].length - 1;
    } else if (oct) {
      out += String.fromCharCode(parseInt(oct[0], 8));
      i += oct[0].length - 1;
    } else out += "\\" + n;
  }
  return { text: out, stop: false };
}

function pad(s: string, flags: string, width: number, numeric: boolean): string {
  if (s.length >= width) return s;
  if (flags.includes("-")) return s.padEnd(width);
  if (flags.includes("0") && numeric) {
    const sign = /^[-+]/.test(s) ? s[0]! : "";
    return sign + s.slice(sign.length).padStart(width - sign.length, "0");
  }
  return s.padStart(width);
}

/** An argument as bash's printf reads an integer: 'c gives the character code. */
function toInt(a: string): bigint | undefined {
  if (a === "") return 0n;
  if (/^['"]/.test(a)) return BigInt(a.codePointAt(1) ?? 0);
  const t = a.trim();
  if (/^[-+]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.test(t)) {
    const neg = t.startsWith("-");
    const body = t.replace(/^[-+]/, "");
    const v = /^0[0-7]+$/.test(body) ? BigInt("0o" + body.slice(1)) : BigInt(body);
    return BigInt.asIntN(64, neg ? -v : v);
  }
  return undefined;
}

/** One conversion: the text, or undefined when an argument was not a number. */
function convert(
  conv: string,
  flags: string,
  prec: number | undefined,
  a: string,
): string | undefined {
  if (conv === "s") return prec !== undefined ? a.slice(0, prec) : a;
  if (conv === "b") return escapes(a, true).text;
  if (conv === "c") return a.charAt(0);
  if (conv === "q") return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`;
  const v = toInt(a);
  if (v === undefined) return undefined;
  if (conv === "d" || conv === "i") return (flags.includes("+") && v >= 0n ? "+" : "") + String(v);
  const u = BigInt.asUintN(64, v);
  if (conv === "u") return String(u);
  if (conv === "o") return u.toString(8);
  return conv === "x" ? u.toString(16) : u.toString(16).toUpperCase();
}

/**
 * Format like bash's printf builtin and write the text; status 1 when an argument was not
 * a number (bash prints what it could and warns).
 */
export function printf(sh: Shell, args: string[], io: ShellIo, loc: SourceLoc): number {
  let fmtArgs = args;
  if (fmtArgs[0] === "--") fmtArgs = fmtArgs.slice(1);
  if (fmtArgs[0] === "-v") {
    sh.warn("shell.runtime", "printf: -v is not modelled", loc, "-v");
    return 2;
  }
  const fmt = fmtArgs[0] ?? "";
  const rest = fmtArgs.slice(1);
  let k = 0;
  let out = "";
  let status = 0;
  const conversion = /%([-+ 0#]*)(\d+|\*)?(?:\.(\d+|\*))?([sbcqdiuoxX%])/.source;
  const esc = /\\(?:[0-7]{1,3}|x[0-9a-fA-F]{1,2}|.)/.source;
  const re = new RegExp(`${conversion}|${esc}|[^%\\\\]+|[%\\\\]`, "g");
  do {
    let used = false;
    for (const m of fmt.matchAll(re)) {
      if (!m[4]) {
        out += m[0].startsWith("\\") ? escapes(m[0]).text : m[0];
        continue;
      }
      if (m[4] === "%") {
        out += "%";
        continue;
      }
      const take = () => {
        used = true;
        return rest[k++] ?? "";
      };
      const width = m[2] === "*" ? Number(take()) : Number(m[2] ?? 0);
      const prec = m[3] === "*" ? Number(take()) : m[3] !== undefined ? Number(m[3]) : undefined;
      const a = k < rest.length ? take() : "";
      const t = convert(m[4], m[1] ?? "", prec, a);
      if (t === undefined) {
        sh.warn("shell.runtime", `printf: ${a}: invalid number`, loc, a);
        status = 1;
      }
      out += pad(t ?? "0", m[1] ?? "", width, /[diuoxX]/.test(m[4]));
    }
    if (!used) break;
  } while (k < rest.length);
  io.out(out);
  return status;
}
