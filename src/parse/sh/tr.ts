/**
 * `tr [-c] [-d] [-s] SET1 [SET2]` as coreutils 9.1 translates standard input: sets with
 * ranges (`a-z`), classes (`[:lower:]`, …), escapes (`\n`, `\t`, `\\`, `\NNN`); SET2 is
 * padded with its last character; `-c` takes the complement of SET1 (bytes in increasing
 * order); `-s` squeezes runs of the last set's characters. `[c*n]` and `[=c=]` are refused
 * (status 1, a message), never read differently.
 * @module
 */
import type { TextIo } from "./text-io.js";

const CLASSES: Record<string, string> = {
  lower: "abcdefghijklmnopqrstuvwxyz",
  upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  digit: "0123456789",
};
function classChars(name: string): string | undefined {
  const all = Array.from({ length: 256 }, (_, k) => String.fromCharCode(k)).join("");
  const test: Record<string, RegExp> = {
    alpha: /[A-Za-z]/,
    alnum: /[A-Za-z0-9]/,
    space: /[ \t\n\r\f\v]/,
    blank: /[ \t]/,
    punct: /[!-/:-@[-`{-~]/,
    xdigit: /[0-9A-Fa-f]/,
    cntrl: /[\x00-\x1f\x7f]/,
    print: /[ -~]/,
    graph: /[!-~]/,
  };
  if (CLASSES[name]) return CLASSES[name];
  const re = test[name];
  return re ? [...all].filter((c) => re.test(c)).join("") : undefined;
}

const ESC: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  f: "\f",
  v: "\v",
  a: "\x07",
  b: "\b",
  "\\": "\\",
};

/** A set's characters in order, or the error tr reports. */
function expand(set: string): string[] | string {
  const raw: string[] = [];
  for (let i = 0; i < set.length; i++) {
    const cls = /^\[:([a-z]+):\]/.exec(set.slice(i));
    if (cls) {
      const chars = classChars(cls[1]!);
      if (chars === undefined) return `invalid character class '${cls[1]}'`;
      raw.push(...chars);
      i += cls[0].length - 1;
      continue;
    }
    if (/^\[(=.=|.\*\d*)\]/.test(set.slice(i))) return `'${set}': [=c=] and [c*n] are not modelled`;
    let c = set[i]!;
    if (c === "\\" && i + 1 < set.length) {
      const oct = /^[0-7]{1,3}/.exec(set.slice(i + 1));
      if (oct) {
        c = String.fromCharCode(parseInt(oct[0], 8));
        i += oct[0].length;
      } else c = ESC[set[++i]!] ?? set[i]!;
    }
    if (set[i + 1] === "-" && i + 2 < set.length) {
      const hi = set[i + 2]!;
      if (hi.charCodeAt(0) < c.charCodeAt(0))
        return `range-endpoints of '${c}-${hi}' are in reverse collating sequence order`;
      for (let k = c.charCodeAt(0); k <= hi.charCodeAt(0); k++) raw.push(String.fromCharCode(k));
      i += 2;
    } else raw.push(c);
  }
  return raw;
}

function complement(set: string[]): string[] {
  const has = new Set(set);
  return Array.from({ length: 256 }, (_, k) => String.fromCharCode(k)).filter((c) => !has.has(c));
}

/**
 * Run `tr ARGS` over standard input; its exit status.
 * @example runTr([",", " "], io) // commas become spaces
 */
export function runTr(args: readonly string[], io: TextIo): number {
  const flags = new Set<string>();
  let k = 0;
  for (; k < args.length && /^-[cdsC]+$/.test(args[k]!); k++)
    for (const c of args[k]!.slice(1)) flags.add(c === "C" ? "c" : c);
  if (args[k] === "--") k++;
  const sets = args.slice(k);
  const del = flags.has("d");
  const squeeze = flags.has("s");
  const need = del && squeeze ? 2 : del || (squeeze && sets.length < 2) ? 1 : 2;
  if (sets.length !== need) {
    io.warn(sets.length < need ? "tr: missing operand" : `tr: extra operand '${sets[need]}'`);
    return 1;
  }
  const parsed = sets.map(expand);
  const bad = parsed.find((p) => typeof p === "string");
  if (typeof bad === "string") {
    io.warn(`tr: ${bad}`);
    return 1;
  }
  let [s1, s2] = parsed as string[][];
  if (flags.has("c")) s1 = complement(s1!);
  let text = io.stdin ?? "";
  if (del) {
    const gone = new Set(s1);
    text = [...text].filter((c) => !gone.has(c)).join("");
  } else if (s2) {
    if (s2.length === 0 && s1!.length) {
      io.warn("tr: when not truncating set1, string2 must be non-empty");
      return 1;
    }
    const map = new Map<string, string>();
    s1!.forEach((c, n) => map.set(c, s2![Math.min(n, s2!.length - 1)]!));
    text = [...text].map((c) => map.get(c) ?? c).join("");
  }
  if (squeeze) {
    const last = new Set(del || !s2 ? (del ? s2 : s1) : s2);
    text = [...text].filter((c, n, a) => !(n > 0 && c === a[n - 1] && last.has(c))).join("");
  }
  io.out(text);
  return 0;
}
