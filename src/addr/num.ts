/**
 * Numbers as iproute2 reads them: C `strtoul`/`strtol` (glibc, 64-bit `long`) and the
 * lib/utils.c wrappers `get_unsigned`, `get_u32`, `get_u16`, `get_u8`, `get_s32`.
 *
 * Base 0 is what `ip` passes almost everywhere: `0x10` is 16, `010` is 8, `10` is 10. Like
 * strtoul, leading white space and one sign are accepted: `-0` is 0, while `-1` wraps to
 * ULONG_MAX and fails every range check. The whole word must be digits (`5x`, `0x`, `08`
 * fail). This lives in addr/ because get_addr_ipv4 reads each octet with strtoul too.
 *
 * @example
 * ```ts
 * getU32("0x64"); // 100
 * getU8("010");   // 8
 * getU8("256");   // undefined
 * ```
 * @module
 */

const ULONG_MAX = (1n << 64n) - 1n;
const LONG_MAX = (1n << 63n) - 1n;

/** What strtoul/strtol saw: the value, where parsing stopped, and ERANGE. */
export interface StrtoResult {
  /** The converted value (already wrapped/clamped as C does). */
  readonly value: bigint;
  /** Index of the first character not used (0 when no digits: endptr == nptr). */
  readonly end: number;
  /** errno == ERANGE. */
  readonly erange: boolean;
}

/** C isspace in the "C" locale. */
function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
}

function digitOf(c: string | undefined): number {
  if (c === undefined) return 99;
  const k = c.charCodeAt(0);
  if (k >= 48 && k <= 57) return k - 48;
  if (k >= 97 && k <= 122) return k - 87;
  if (k >= 65 && k <= 90) return k - 55;
  return 99;
}

/** Sign, base prefix and digits: the magnitude, shared by strtoul and strtol. */
function scan(s: string, base: number): { neg: boolean; mag: bigint; end: number } {
  let i = 0;
  while (isSpace(s[i])) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") neg = s[i++] === "-";
  let b = base;
  // "0x" counts as a prefix only when a hex digit follows; else "0" is the number.
  const hexPrefix = (s[i] === "0" && (s[i + 1] === "x" || s[i + 1] === "X")) as boolean;
  if ((b === 0 || b === 16) && hexPrefix && digitOf(s[i + 2]) < 16) {
    i += 2;
    b = 16;
  } else if (b === 0) b = s[i] === "0" ? 8 : 10;
  const start = i;
  let mag = 0n;
  while (digitOf(s[i]) < b) mag = mag * BigInt(b) + BigInt(digitOf(s[i++]));
  return { neg, mag, end: i === start ? 0 : i };
}

/**
 * glibc strtoul: a negative number is negated in unsigned arithmetic; a magnitude above
 * ULONG_MAX gives ULONG_MAX with ERANGE.
 * @example strtoul("-1", 0).value === 2n ** 64n - 1n
 */
export function strtoul(s: string, base = 0): StrtoResult {
  const { neg, mag, end } = scan(s, base);
  if (mag > ULONG_MAX) return { value: ULONG_MAX, end, erange: true };
  return { value: neg ? (ULONG_MAX + 1n - mag) & ULONG_MAX : mag, end, erange: false };
}

/** glibc strtol: clamps to LONG_MIN/LONG_MAX with ERANGE. @example strtol("-8", 0).value */
export function strtol(s: string, base = 0): StrtoResult {
  const { neg, mag, end } = scan(s, base);
  const limit = neg ? LONG_MAX + 1n : LONG_MAX;
  if (mag > limit) return { value: neg ? -limit : limit, end, erange: true };
  return { value: neg ? -mag : mag, end, erange: false };
}

/**
 * The body every get_uN shares: non-empty, all of it digits, no overflow, `<= max`.
 * rt_names.c's a2n functions use the same test without the ERANGE check, which changes
 * nothing for any max below ULONG_MAX.
 */
export function getUnsignedMax(s: string, max: number, base = 0): number | undefined {
  if (s.length === 0) return undefined;
  const r = strtoul(s, base);
  if (r.end === 0 || r.end !== s.length) return undefined;
  if (r.erange || r.value > BigInt(max)) return undefined;
  return Number(r.value);
}

/** get_unsigned (UINT_MAX is 2^32-1). @example getUnsigned("010") // 8 */
export function getUnsigned(s: string, base = 0): number | undefined {
  return getUnsignedMax(s, 0xffffffff, base);
}
/** get_u32. @example getU32("0xffffffff") // 4294967295 */
export function getU32(s: string, base = 0): number | undefined {
  return getUnsignedMax(s, 0xffffffff, base);
}
/** get_u16. @example getU16("0x10000") // undefined */
export function getU16(s: string, base = 0): number | undefined {
  return getUnsignedMax(s, 0xffff, base);
}
/** get_u8. @example getU8("0377") // 255 */
export function getU8(s: string, base = 0): number | undefined {
  return getUnsignedMax(s, 0xff, base);
}

/** get_s32: strtol, then INT32 range. @example getS32("-010") // -8 */
export function getS32(s: string, base = 0): number | undefined {
  if (s.length === 0) return undefined;
  const r = strtol(s, base);
  if (r.end === 0 || r.end !== s.length || r.erange) return undefined;
  if (r.value > 0x7fffffffn || r.value < -0x80000000n) return undefined;
  return Number(r.value);
}
