/**
 * awk's values (POSIX awk "Expressions in awk"): numbers, strings, and the "numeric strings"
 * that come from input (fields, `split`, `-v`, ENVIRON), which compare as numbers when they
 * look like one. An uninitialized value is both "" and 0.
 * @module
 */
import { sprintf } from "./format.js";

/** Text from input: a number in comparisons when it looks like one. */
export class StrNum {
  constructor(readonly s: string) {}
}

export type Val = number | string | StrNum;

/** The value of a variable never assigned. */
export const UNINIT = new StrNum("");

const NUMERIC = /^[ \t\n]*[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)[ \t\n]*$/;
const PREFIX = /^[ \t\n]*([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?))/;

/** The leading number of a string, as strtod reads it (0 when there is none). */
export function strToNum(s: string): number {
  const m = PREFIX.exec(s);
  return m ? Number(m[1]) : 0;
}

export function toNum(v: Val): number {
  if (typeof v === "number") return v;
  return strToNum(typeof v === "string" ? v : v.s);
}

/** A number as text: an integer as `%d`, otherwise with CONVFMT (or OFMT for print). */
export function numToStr(n: number, fmt: string): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return n === 0 ? "0" : String(n);
  if (Number.isNaN(n)) return n < 0 ? "-nan" : "nan";
  if (!Number.isFinite(n)) return n < 0 ? "-inf" : "inf";
  return sprintf(fmt, [n]).text;
}

export function toStr(v: Val, convfmt: string): string {
  if (typeof v === "number") return numToStr(v, convfmt);
  return typeof v === "string" ? v : v.s;
}

/** Does the value compare as a number. */
export function isNumeric(v: Val): boolean {
  if (typeof v === "number") return true;
  if (typeof v === "string") return false;
  return v === UNINIT || NUMERIC.test(v.s);
}

export function truthy(v: Val): boolean {
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v !== "";
  if (v === UNINIT) return false;
  return NUMERIC.test(v.s) ? toNum(v) !== 0 : v.s !== "";
}

/** `a OP b`: numerically when both look numeric, otherwise as strings (by code point). */
export function compare(a: Val, b: Val, op: string, convfmt: string): boolean {
  let c: number;
  if (isNumeric(a) && isNumeric(b)) c = toNum(a) - toNum(b);
  else {
    const x = toStr(a, convfmt);
    const y = toStr(b, convfmt);
    c = x < y ? -1 : x > y ? 1 : 0;
  }
  switch (op) {
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
    case "==":
      return c === 0;
    default:
      return c !== 0;
  }
}
