/**
 * IP addresses and prefixes in the iproute2 grammar.
 *
 * IPv4 is a uint32 `number`; IPv6 is a 128-bit `bigint`. Two grammars:
 * - iproute2's (`getAddr`, `parsePrefix`: lib/utils.c get_addr_1/get_prefix_1). Its
 *   get_addr_ipv4 reads each octet with strtoul base 0 and fills missing octets with zeros
 *   on the right: `10/8` is 10.0.0.0/8, `010.1.0.0/16` is 8.1.0.0/16, `0x0a.0.0.1` is
 *   10.0.0.1 (checked against `ip` 6.1). The length is get_netmask: base 0 (`/010` is /8)
 *   or a contiguous dotted mask (`/255.0.0.0`).
 * - inet_pton's (`parseAddr`): four decimal octets. IPv6 always follows inet_pton, also
 *   inside iproute2, so `::ffff:010.1.2.3` is refused there.
 *
 * @example
 * ```ts
 * const p = parsePrefix("10/8", 4);
 * // { ok: true, value: { addr: { family: 4, v: 0x0a000000 }, len: 8 } }
 * if (p.ok) formatPrefix(p.value);  // "10.0.0.0/8"
 * ```
 * @module
 */

import type { Family } from "../core/kinds.js";
import { getUnsigned, strtoul } from "./num.js";

export type { Family };
export interface Addr4 {
  readonly family: 4;
  readonly v: number;
}
export interface Addr6 {
  readonly family: 6;
  readonly v: bigint;
}
export type Addr = Addr4 | Addr6;
export interface Prefix {
  readonly addr: Addr;
  readonly len: number;
}

export const MASK128 = (1n << 128n) - 1n;

/** Build an IPv4 address from a uint32. @example v4(0x0a000001) // 10.0.0.1 */
export function v4(v: number): Addr4 {
  return { family: 4, v: v >>> 0 };
}
/** Build an IPv6 address from a bigint. @example v6(1n) // ::1 */
export function v6(v: bigint): Addr6 {
  return { family: 6, v: v & MASK128 };
}

export const ANY4: Addr4 = v4(0);
export const ANY6: Addr6 = v6(0n);

/** Address width in bits. @example bits(4) // 32 */
export function bits(f: Family): number {
  return f === 4 ? 32 : 128;
}

/** uint32 netmask for a prefix length. @example mask4(24) === 0xffffff00 */
export function mask4(len: number): number {
  return len <= 0 ? 0 : len >= 32 ? 0xffffffff : (0xffffffff << (32 - len)) >>> 0;
}
/** 128-bit netmask. @example mask6(64) */
export function mask6(len: number): bigint {
  return len <= 0 ? 0n : (MASK128 << BigInt(128 - len)) & MASK128;
}

/**
 * Does `p` contain address `a` (families must agree)?
 * @example contains({ addr: v4(0x0a000000), len: 8 }, v4(0x0a010203)) // true
 */
export function contains(p: Prefix, a: Addr): boolean {
  if (p.addr.family !== a.family) return false;
  if (a.family === 4) {
    const m = mask4(p.len);
    return (((p.addr.v as number) ^ a.v) & m) === 0;
  }
  return (((p.addr.v as bigint) ^ a.v) & mask6(p.len)) === 0n;
}

/** Address equality. @example addrEq(v4(1), v4(1)) // true */
export function addrEq(a: Addr | undefined, b: Addr | undefined): boolean {
  if (!a || !b) return a === b;
  return a.family === b.family && a.v === b.v;
}

/**
 * The network part of a prefix (host bits cleared).
 * @example network({ addr: v4(0x0a010203), len: 8 }) // 10.0.0.0
 */
export function network(p: Prefix): Addr {
  if (p.addr.family === 4) return v4(p.addr.v & mask4(p.len));
  return v6(p.addr.v & mask6(p.len));
}

/** Whether host bits are set beyond `len` (iproute2 routes refuse those). */
export function hasHostBits(p: Prefix): boolean {
  return !addrEq(network(p), p.addr);
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; expected: string };

/** Four dotted decimal octets, 1-3 digits each (routelab's strict reading). */
function dottedDecimal(s: string): number | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > 255) return undefined;
    v = v * 256 + Number(p);
  }
  return v >>> 0;
}

/** glibc inet_pton4 (the IPv4 tail of an IPv6 address): no leading zeros, no hex. */
function inetPton4(s: string): number | undefined {
  const v = dottedDecimal(s);
  if (v === undefined) return undefined;
  return s.split(".").some((p) => p.length > 1 && p[0] === "0") ? undefined : v;
}

/**
 * get_addr_ipv4 (lib/utils.c): up to four octets, each strtoul base 0 and <= 255, missing
 * ones zero. strtoul's leading white space and sign come along (`-0` is an octet 0).
 * @example getAddrIpv4("010.1") === 0x08010000
 */
export function getAddrIpv4(s: string): number | undefined {
  const ap = [0, 0, 0, 0];
  let cp = s;
  for (let i = 0; i < 4; i++) {
    const r = strtoul(cp);
    if (r.value > 255n || r.end === 0) return undefined;
    ap[i] = Number(r.value);
    if (r.end === cp.length) break;
    if (i === 3 || cp[r.end] !== ".") return undefined;
    cp = cp.slice(r.end + 1);
  }
  return ((ap[0]! << 24) | (ap[1]! << 16) | (ap[2]! << 8) | ap[3]!) >>> 0;
}

function parse6(s: string): bigint | undefined {
  if (s.length === 0 || s.length > 45) return undefined;
  // Embedded IPv4 tail (::ffff:1.2.3.4).
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  if (s.indexOf(".", lastColon) >= 0) {
    const v = inetPton4(s.slice(lastColon + 1));
    if (v === undefined) return undefined;
    tail = [v >>> 16, v & 0xffff];
    s = s.slice(0, lastColon + 1) + (s[lastColon - 1] === ":" ? "" : "0");
    if (s.endsWith(":0")) s = s.slice(0, -2);
    else if (!s.endsWith("::")) s = s.slice(0, -1);
  }
  const dbl = s.indexOf("::");
  if (dbl !== s.lastIndexOf("::")) return undefined;
  const groups: number[] = [];
  const parseGroups = (t: string): number[] | undefined => {
    if (t === "") return [];
    const out: number[] = [];
    for (const g of t.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  if (dbl >= 0) {
    const head = parseGroups(s.slice(0, dbl));
    const rest = parseGroups(s.slice(dbl + 2));
    if (!head || !rest) return undefined;
    const fill = 8 - head.length - rest.length - tail.length;
    if (fill < 1) return undefined;
    groups.push(...head, ...new Array<number>(fill).fill(0), ...rest, ...tail);
  } else {
    const all = parseGroups(s);
    if (!all) return undefined;
    groups.push(...all, ...tail);
    if (groups.length !== 8) return undefined;
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  return v;
}

/**
 * Parse a single address (no length). `family` restricts it; `0.0.0.0` style only for v4.
 * @example parseAddr("fd01::1").ok // true
 */
export function parseAddr(s: string, family?: Family): ParseResult<Addr> {
  if (family !== 6 && s.includes(".") && !s.includes(":")) {
    const v = dottedDecimal(s);
    if (v !== undefined) return { ok: true, value: v4(v) };
  } else if (family !== 4 && s.includes(":")) {
    const v = parse6(s);
    if (v !== undefined) return { ok: true, value: v6(v) };
  }
  return {
    ok: false,
    expected: family === 4 ? "an IPv4 address" : family === 6 ? "an IPv6 address" : "an IP address",
  };
}

const expectedAddr = (family: Family | undefined, what: string): string =>
  family === 4 ? `an IPv4 ${what}` : family === 6 ? `an IPv6 ${what}` : `an IP ${what}`;

/**
 * get_addr_1 without `default`/`all`/`any`: a word with `:` is IPv6 (inet_pton), anything
 * else IPv4 (get_addr_ipv4); a family that disagrees refuses it.
 */
function getAddrWord(s: string, family: Family | undefined): Addr | undefined {
  if (s.includes(":")) {
    if (family === 4) return undefined;
    const v = parse6(s);
    return v === undefined ? undefined : v6(v);
  }
  if (family === 6) return undefined;
  const v = getAddrIpv4(s);
  return v === undefined ? undefined : v4(v);
}

/**
 * An address as `ip` reads it (get_addr → get_addr_1): `default`, `all` and `any` are the
 * zero address of `family` (4 without one), `10` is 10.0.0.0, `0x0a.0.0.1` is 10.0.0.1.
 * @example getAddr("010.0.0.1") // { ok: true, value: 8.0.0.1 }
 */
export function getAddr(s: string, family?: Family): ParseResult<Addr> {
  if (s === "default" || s === "all" || s === "any")
    return { ok: true, value: (family ?? 4) === 4 ? ANY4 : ANY6 };
  const a = getAddrWord(s, family);
  return a ? { ok: true, value: a } : { ok: false, expected: expectedAddr(family, "address") };
}

/**
 * get_netmask (lib/utils.c): get_unsigned base 0, or a dotted IPv4 mask with contiguous
 * ones (`255.0.0.0` is 8), whatever the family of the address.
 */
function getNetmask(s: string): number | undefined {
  const n = getUnsigned(s);
  if (n !== undefined) return n;
  if (s.includes(":")) return undefined;
  const m = getAddrIpv4(s);
  if (m === undefined) return undefined;
  const host = ~m >>> 0;
  if ((host & (host + 1)) !== 0) return undefined;
  return Math.clz32(host); // the ones of the mask: clz32(0) is 32
}

/**
 * A prefix as `ip` reads it (get_prefix_1): `default`/`all`/`any` (length 0, no `/len`
 * allowed; family 4 when none is given, as `ip` without -6), `A`, `A/len`, `10/8`.
 * Without `/len` the length is the full width.
 * @example parsePrefix("172.16/12", 4)
 */
export function parsePrefix(s: string, family?: Family): ParseResult<Prefix> {
  const slash = s.indexOf("/");
  const a = slash >= 0 ? s.slice(0, slash) : s;
  const bad = { ok: false as const, expected: expectedAddr(family, "prefix") };
  if (a === "default" || a === "all" || a === "any") {
    if (slash >= 0) return bad;
    return { ok: true, value: { addr: (family ?? 4) === 4 ? ANY4 : ANY6, len: 0 } };
  }
  const addr = getAddrWord(a, family);
  if (!addr) return bad;
  const w = bits(addr.family);
  if (slash < 0) return { ok: true, value: { addr, len: w } };
  const len = getNetmask(s.slice(slash + 1));
  if (len === undefined || len > w) return { ok: false, expected: `a prefix length 0..${w}` };
  return { ok: true, value: { addr, len } };
}

/** Format an IPv4 uint32. @example fmt4(0x0a000001) // "10.0.0.1" */
export function fmt4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** Format an IPv6 bigint as inet_ntop does (RFC 5952, embedded v4 for ::ffff:0:0/96 and ::/96). */
export function fmt6(v: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  // glibc inet_ntop prints ::a.b.c.d for v4-compatible (not :: or ::1) and ::ffff:a.b.c.d.
  if (
    g[0] === 0 &&
    g[1] === 0 &&
    g[2] === 0 &&
    g[3] === 0 &&
    g[4] === 0 &&
    (g[5] === 0xffff || (g[5] === 0 && (g[6] !== 0 || (g[7] ?? 0) > 1)))
  ) {
    const tail = fmt4(Number(v & 0xffffffffn));
    return g[5] === 0xffff ? `::ffff:${tail}` : `::${tail}`;
  }
  let best = -1,
    bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (x: number) => x.toString(16);
  if (best < 0) return g.map(hex).join(":");
  const head = g.slice(0, best).map(hex).join(":");
  const tail = g
    .slice(best + bestLen)
    .map(hex)
    .join(":");
  return `${head}::${tail}`;
}

/** Format an address. @example formatAddr(v4(0x0a000001)) // "10.0.0.1" */
export function formatAddr(a: Addr): string {
  return a.family === 4 ? fmt4(a.v) : fmt6(a.v);
}

/**
 * Format a prefix as iproute2 prints a route/rule destination: `default` for /0 when
 * `defaultWord`, the bare address at full length, else `A/len`.
 * @example formatPrefix({ addr: v4(0), len: 0 }) // "default"
 */
export function formatPrefix(
  p: Prefix,
  opts: { defaultWord?: string; bareFull?: boolean } = {},
): string {
  const defaultWord = opts.defaultWord ?? "default";
  if (p.len === 0 && defaultWord && (p.addr.family === 4 ? p.addr.v === 0 : p.addr.v === 0n))
    return defaultWord;
  if ((opts.bareFull ?? true) && p.len === bits(p.addr.family)) return formatAddr(p.addr);
  return `${formatAddr(p.addr)}/${p.len}`;
}

/** IPv4 classification helpers used by martian checks (route.c ipv4_is_*). */
export const is4 = {
  multicast: (v: number) => v >>> 28 === 0xe,
  lbcast: (v: number) => v === 0xffffffff,
  /**
   * ipv4_is_zeronet on 6.x route paths: only 0.0.0.0 (the rest of 0/8 is unicast since
   * "Allow 0.0.0.0/8 as a valid address range").
   */
  zeronet: (v: number) => v === 0,
  loopback: (v: number) => v >>> 24 === 127,
  linkLocalMulticast: (v: number) => v >>> 8 === 0xe00000,
};

/** IPv6 classification (ipv6_addr_type subset). */
export const is6 = {
  multicast: (v: bigint) => v >> 120n === 0xffn,
  linkLocal: (v: bigint) => v >> 118n === 0x3fan,
  loopback: (v: bigint) => v === 1n,
  any: (v: bigint) => v === 0n,
};
