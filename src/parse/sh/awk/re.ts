/**
 * awk's regular expressions (POSIX EREs, with awk's escapes `\n`, `\t`, `\/`, `\"`, `\\`)
 * as JavaScript ones, through regex.ts; a dynamic one (a string used as a regex) is read the
 * same way. Compiled once per source.
 * @module
 */
import { posixToJs } from "../regex.js";

const cache = new Map<string, RegExp | string>();
const ESC: Record<string, string> = { n: "\n", t: "\t", r: "\r", f: "\f", v: "\v", a: "\x07" };

/**
 * The regex for an ERE source, or the error message (a string).
 * @example awkRegex("metric ([^ ]+)") // /metric ([^ ]+)/g
 */
export function awkRegex(src: string): RegExp | string {
  const hit = cache.get(src);
  if (hit !== undefined) return hit;
  // awk's own escapes first: they are characters, not regex operators.
  const text = src.replace(
    /\\([\s\S])/g,
    (m, c: string) => ESC[c] ?? (c === "/" || c === '"' ? c : m),
  );
  const js = posixToJs(text, true);
  let r: RegExp | string;
  if (js.startsWith("!")) r = js.slice(1);
  else
    try {
      r = new RegExp(js, "g");
    } catch {
      r = "invalid regular expression";
    }
  cache.set(src, r);
  return r;
}
