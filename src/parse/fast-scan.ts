/**
 * Allocation-free scanners for the hot paths of big inputs (full-table loads, batch
 * questions): they read a token in place (`text`, `start`, `end`) and accept only the plain
 * spellings (`192.0.2.0/24`, `2001:db8::/32`, `1024`). Anything else gives -1 / false and the
 * caller hands the input to the general grammar (`src/addr/ip.ts`, `src/parse/ipcmd.ts`),
 * so an accepted token always means what the general grammar says it means.
 *
 * This module owns the character codes and the in-place helpers every fast path uses
 * (parse/, model/batch-load.ts, model/dump/stream-*.ts).
 * @module
 */

/** Character codes the scanners compare with (`text.charCodeAt(i) === SPACE`). */
export const TAB = 9,
  LF = 10,
  CR = 13,
  SPACE = 32,
  DQUOTE = 34,
  HASH = 35,
  SQUOTE = 39,
  COMMA = 44,
  DOT = 46,
  SLASH = 47,
  DIGIT_0 = 48,
  DIGIT_9 = 57,
  COLON = 58,
  SEMICOLON = 59,
  UPPER_A = 65,
  UPPER_E = 69,
  UPPER_F = 70,
  LBRACKET = 91,
  BACKSLASH = 92,
  RBRACKET = 93,
  LOWER_A = 97,
  LOWER_E = 101,
  LOWER_F = 102,
  LOWER_Z = 122,
  LBRACE = 123,
  RBRACE = 125,
  /** Printable ASCII is `!` (33) .. `~` (126). */
  TILDE = 126;

/** A decimal digit? */
export function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

/** A space or a tab (the word separators of `ip` output and batch lines)? */
export function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** JSON whitespace: space, tab, CR or LF? */
export function isJsonSpace(c: number): boolean {
  return c === SPACE || c === TAB || c === CR || c === LF;
}

/** Where char code `c` first occurs in text[start, end), else `end`. */
export function byteAt(text: string, start: number, end: number, c: number): number {
  let i = start;
  while (i < end && text.charCodeAt(i) !== c) i++;
  return i;
}

/**
 * Short strings met on line after line (device names, gateways, protocols) are sliced once:
 * the first 16 distinct ones are kept and handed back instead of a new slice.
 */
export class Interner {
  private readonly keys: string[] = [];
  get(text: string, start: number, end: number): string {
    const ks = this.keys;
    for (let i = 0; i < ks.length; i++) if (eqAt(text, start, end, ks[i]!)) return ks[i]!;
    const k = text.slice(start, end);
    if (ks.length < 16) ks.push(k);
    return k;
  }
}

/** Does text[start, end) equal `lit`? */
export function eqAt(text: string, start: number, end: number, lit: string): boolean {
  if (end - start !== lit.length) return false;
  for (let i = 0; i < lit.length; i++)
    if (text.charCodeAt(start + i) !== lit.charCodeAt(i)) return false;
  return true;
}

/** A dotted quad `a.b.c.d` (1-3 digits per octet, each <= 255) as a uint32, else -1. */
export function quadAt(text: string, start: number, end: number): number {
  let v = 0,
    octet = 0,
    digits = 0,
    dots = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      // A leading zero makes get_addr_ipv4's strtoul(…, 0) read octal: general parser.
      if (digits === 1 && octet === 0) return -1;
      if (++digits > 3) return -1;
      octet = octet * 10 + (c - DIGIT_0);
    } else if (c === DOT) {
      if (!digits || octet > 255 || ++dots > 3) return -1;
      v = v * 256 + octet;
      octet = 0;
      digits = 0;
    } else return -1;
  }
  if (!digits || octet > 255 || dots !== 3) return -1;
  return (v * 256 + octet) >>> 0;
}

/** A prefix length: 1-3 digits, no leading zero, <= max; else -1. */
export function lenAt(text: string, start: number, end: number, max: number): number {
  if (end <= start || end - start > 3) return -1;
  // `/010` is 8 to get_prefix_1 (base 0): leave leading zeros to the general parser.
  if (end - start > 1 && text.charCodeAt(start) === DIGIT_0) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - DIGIT_0);
  }
  return n <= max ? n : -1;
}

/**
 * A plain decimal u32 (`0`, or no leading zero): else -1 (octal/hex spellings go to the
 * general parser).
 */
export function u32At(text: string, start: number, end: number): number {
  const len = end - start;
  if (len < 1 || len > 10) return -1;
  if (len > 1 && text.charCodeAt(start) === DIGIT_0) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - DIGIT_0);
  }
  return n <= 0xffffffff ? n : -1;
}

const G = new Int32Array(8);

/**
 * An IPv6 address of hex groups with at most one `::` (no embedded IPv4) into four uint32
 * words `out[0..3]`, most significant first; false when not that shape.
 */
export function v6At(text: string, start: number, end: number, out: Uint32Array): boolean {
  if (end - start < 2 || end - start > 39) return false;
  let n = 0,
    gap = -1,
    digits = 0,
    g = 0;
  let i = start;
  if (text.charCodeAt(i) === COLON) {
    if (text.charCodeAt(i + 1) !== COLON) return false;
    gap = 0;
    i += 2;
    if (i === end) {
      out[0] = 0;
      out[1] = 0;
      out[2] = 0;
      out[3] = 0;
      return true;
    }
  }
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    let d: number;
    if (isDigit(c)) d = c - DIGIT_0;
    else if (c >= LOWER_A && c <= LOWER_F) d = c - LOWER_A + 10;
    else if (c >= UPPER_A && c <= UPPER_F) d = c - UPPER_A + 10;
    else if (c === COLON) {
      if (!digits) return false;
      if (n >= 8) return false;
      G[n++] = g;
      g = 0;
      digits = 0;
      if (text.charCodeAt(i + 1) === COLON) {
        if (gap >= 0) return false;
        gap = n;
        i++;
        if (i + 1 === end) break;
      } else if (i + 1 === end) return false;
      continue;
    } else return false;
    if (++digits > 4) return false;
    g = (g << 4) | d;
  }
  if (digits) {
    if (n >= 8) return false;
    G[n++] = g;
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  // Expand the gap.
  const fill = 8 - n;
  let w0 = 0,
    w1 = 0,
    w2 = 0,
    w3 = 0;
  for (let k = 0, src = 0; k < 8; k++) {
    let v = 0;
    if (gap >= 0 && k >= gap && k < gap + fill) v = 0;
    else v = G[src++]!;
    switch (k >> 1) {
      case 0:
        w0 = (w0 << 16) | v;
        break;
      case 1:
        w1 = (w1 << 16) | v;
        break;
      case 2:
        w2 = (w2 << 16) | v;
        break;
      default:
        w3 = (w3 << 16) | v;
    }
  }
  out[0] = w0 >>> 0;
  out[1] = w1 >>> 0;
  out[2] = w2 >>> 0;
  out[3] = w3 >>> 0;
  return true;
}

/** Four uint32 words (most significant first) as a bigint. */
export function wordsToBig(w: Uint32Array): bigint {
  const hi = w[0]! * 4294967296 + w[1]!,
    lo = w[2]! * 4294967296 + w[3]!;
  // Numbers are exact up to 2^53: build each 64-bit half from two 32-bit words.
  const h =
    hi === 0 ? 0n : hi < 9007199254740992 ? BigInt(hi) : (BigInt(w[0]!) << 32n) | BigInt(w[1]!);
  const l =
    lo === 0 ? 0n : lo < 9007199254740992 ? BigInt(lo) : (BigInt(w[2]!) << 32n) | BigInt(w[3]!);
  return h === 0n ? l : l === 0n ? h << 64n : (h << 64n) | l;
}

/** Clear the bits of `w` beyond `len` (in place). */
export function mask6Words(w: Uint32Array, len: number): void {
  for (let k = 0; k < 4; k++) {
    const b = len - 32 * k;
    if (b >= 32) continue;
    w[k] = b <= 0 ? 0 : (w[k]! & (0xffffffff << (32 - b))) >>> 0;
  }
}
