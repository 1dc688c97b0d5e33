/**
 * The packet header as BDD variables: which bits a routing or netfilter decision can test,
 * in which order, and encoders from selectors (prefix, value, range, mark/mask) to BDDs.
 *
 * **Layout.** Each field is a run of contiguous variables, most significant bit first, so a
 * prefix of a field is a path from the field's first variable:
 *
 * | field   | bits | meaning                                                          |
 * |---------|------|------------------------------------------------------------------|
 * | family  | 1    | 0 = AF_INET, 1 = AF_INET6                                        |
 * | dst     | 128  | destination; IPv4 in the top 32 bits (see below)                 |
 * | src     | 128  | source, embedded the same way                                    |
 * | iif     | 8    | input device: an index into the analysis' device table           |
 * | oif     | 8    | bound output device (SO_BINDTODEVICE, `ip rule oif`), same table |
 * | fwmark  | 32   | skb->mark                                                        |
 * | uid     | 32   | socket owner (`ip rule uidrange`, `-m owner`)                    |
 * | ipproto | 8    | IP protocol / IPv6 next header                                   |
 * | sport   | 16   | source port                                                      |
 * | dport   | 16   | destination port                                                 |
 * | tos     | 8    | the TOS / traffic-class byte (DSCP and ECN)                      |
 * | ctmark  | 32   | conntrack mark (CONNMARK, `ct mark`)                             |
 * | ctstate | 3    | conntrack state, one of `CT_STATE`                               |
 *
 * **Why this order.** A BDD is smallest when the variables that split the space most come
 * first and the ones tested together sit together. Every route lookup (fib_table_lookup) is a
 * longest-prefix match on dst, and `ip rule to` is a dst prefix too, so dst comes first:
 * a routing table then becomes a BDD shaped like its own prefix trie (prefixes share their
 * leading bits), with the other fields hanging below as small, shared sub-BDDs. family sits
 * above dst because every prefix tests it (IPv4 and IPv6 tables are separate). Below dst come
 * the other fib_rule_match selectors, roughly from most to least used: src (`from`),
 * iif/oif, fwmark, uid, then the L4 selectors (ipproto, sport, dport) and tos. Conntrack
 * fields are only read by netfilter and go last. This is HSA's and Batfish's choice as well
 * (dstIp first in BDDPacket); the cost is that a policy keyed on marks is repeated under each
 * dst region it covers.
 *
 * **IPv4 embedding.** An IPv4 address a is the 128-bit value a << 96: its 32 bits are the
 * first 32 variables of the field, so an IPv4 /len prefix tests exactly `len` dst variables
 * (the same variables an IPv6 /len tests; family tells them apart). The low 96 bits of an
 * IPv4 address are zero only under `wellFormed`: AND it into a universe before counting
 * packets or picking witnesses.
 *
 * Values of fields up to 32 bits are numbers; dst and src are bigints (or use `addrPrefix`).
 * A value that does not fit its field is a caller bug (RangeError).
 * @module
 */
import type { Addr, Prefix } from "../addr/ip.js";
import { v4, v6 } from "../addr/ip.js";
import type { Family } from "../core/kinds.js";
import { and, or } from "./bdd/apply.js";
import { type Bdd, type BddArena, createArena, FALSE, mk, TRUE } from "./bdd/arena.js";
import { cube } from "./bdd/quantify.js";
import { minimalSat } from "./bdd/sat.js";

export type FieldName =
  | "family"
  | "dst"
  | "src"
  | "iif"
  | "oif"
  | "fwmark"
  | "uid"
  | "ipproto"
  | "sport"
  | "dport"
  | "tos"
  | "ctmark"
  | "ctstate";

export interface Field {
  readonly name: FieldName;
  /** The variable of the field's most significant bit. */
  readonly offset: number;
  readonly width: number;
}

/** Fields in variable order (see the module comment for why). */
const ORDER: ReadonlyArray<readonly [FieldName, number]> = [
  ["family", 1],
  ["dst", 128],
  ["src", 128],
  ["iif", 8],
  ["oif", 8],
  ["fwmark", 32],
  ["uid", 32],
  ["ipproto", 8],
  ["sport", 16],
  ["dport", 16],
  ["tos", 8],
  ["ctmark", 32],
  ["ctstate", 3],
];

function layout(): { fields: Record<FieldName, Field>; vars: number } {
  const fields = {} as Record<FieldName, Field>;
  let offset = 0;
  for (const [name, width] of ORDER) {
    fields[name] = { name, offset, width };
    offset += width;
  }
  return { fields, vars: offset };
}

const LAYOUT = layout();

/** Every field by name. */
export const FIELDS: Readonly<Record<FieldName, Field>> = LAYOUT.fields;

/** Variables in a header (419). */
export const HEADER_VARS: number = LAYOUT.vars;

/** FIELD_OF_VAR[v] = the index in variable order of the field holding variable v. */
export const FIELD_OF_VAR: Int32Array = (() => {
  const out = new Int32Array(HEADER_VARS);
  ORDER.forEach(([name], i) => {
    const f = FIELDS[name];
    out.fill(i, f.offset, f.offset + f.width);
  });
  return out;
})();

/**
 * Conntrack states as the `ctstate` field encodes them (the xt_conntrack / nft `ct state`
 * names). NEW is 0 so that a default witness is the first packet of a flow.
 */
export const CT_STATE = { new: 0, established: 1, related: 2, invalid: 3, untracked: 4 } as const;

/** A new arena sized for packet headers. */
export function createHeaderArena(): BddArena {
  return createArena(HEADER_VARS, { initialNodes: 1 << 16 });
}

/** value as a bigint, checked to fit the field. */
function fieldValue(f: Field, value: number | bigint): bigint {
  const v = typeof value === "bigint" ? value : Number.isInteger(value) ? BigInt(value) : -1n;
  if (v < 0n || v >> BigInt(f.width) !== 0n)
    throw new RangeError(`${value} does not fit the ${f.width}-bit field ${f.name}`);
  return v;
}

/**
 * The field's value as 32-bit words, left-aligned, most significant first: bit i of the field
 * (i = 0 the most significant) is `bitAt(w, i)`. Numbers on fields up to 32 bits never touch
 * bigint, which keeps encoders cheap (thousands of prefixes per analysis).
 */
function wordsOf(f: Field, value: number | bigint): number[] {
  if (typeof value === "number" && f.width <= 32) {
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** f.width)
      throw new RangeError(`${value} does not fit the ${f.width}-bit field ${f.name}`);
    return [f.width === 32 ? value >>> 0 : (value << (32 - f.width)) >>> 0];
  }
  const words = Math.ceil(f.width / 32);
  const aligned = fieldValue(f, value) << BigInt(words * 32 - f.width);
  const out: number[] = [];
  for (let k = words - 1; k >= 0; k--)
    out.push(Number(BigInt.asUintN(32, aligned >> BigInt(32 * k))));
  return out;
}

/** Bit i (0 = most significant) of a field given as `wordsOf` words. */
function bitAt(w: readonly number[], i: number): number {
  return (w[i >>> 5]! >>> (31 - (i & 31))) & 1;
}

/** The conjunction of the field's first `len` bits equal to those of `w`: len + 1 nodes. */
function prefixChain(m: BddArena, f: Field, w: readonly number[], len: number): Bdd {
  let r = TRUE;
  for (let i = len - 1; i >= 0; i--) {
    r = bitAt(w, i) ? mk(m, f.offset + i, FALSE, r) : mk(m, f.offset + i, r, FALSE);
  }
  return r;
}

/** Throw unless 0 ≤ len ≤ width. */
function checkLen(f: Field, len: number): void {
  if (!Number.isInteger(len) || len < 0 || len > f.width)
    throw new RangeError(`length ${len} is not in 0..${f.width} for field ${f.name}`);
}

/**
 * The first `len` bits of the field equal those of `value` (its lower bits are ignored).
 * Built bottom-up with `mk` only: len + 1 nodes, no apply.
 * @example prefix(m, "fwmark", 0x100, 24) // fwmark in 0x100..0x1ff
 */
export function prefix(m: BddArena, name: FieldName, value: number | bigint, len: number): Bdd {
  const f = FIELDS[name];
  checkLen(f, len);
  return prefixChain(m, f, wordsOf(f, value), len);
}

/** The field equals `value`. @example eq(m, "ipproto", 6) // TCP */
export function eq(m: BddArena, name: FieldName, value: number | bigint): Bdd {
  return prefix(m, name, value, FIELDS[name].width);
}

/**
 * lo ≤ field ≤ hi (FALSE when lo > hi), as two comparator chains ANDed: width nodes each,
 * the BDD a range-to-prefix split would also give (the BDD is canonical).
 * @example range(m, "dport", 1024, 65535)
 */
export function range(m: BddArena, name: FieldName, lo: number | bigint, hi: number | bigint): Bdd {
  const f = FIELDS[name];
  if (fieldValue(f, lo) > fieldValue(f, hi)) return FALSE;
  const l = wordsOf(f, lo);
  const h = wordsOf(f, hi);
  let geq = TRUE; // the bits from i on are ≥ those of lo
  let leq = TRUE; // the bits from i on are ≤ those of hi
  for (let i = f.width - 1; i >= 0; i--) {
    const v = f.offset + i;
    geq = bitAt(l, i) ? mk(m, v, FALSE, geq) : mk(m, v, geq, TRUE);
    leq = bitAt(h, i) ? mk(m, v, TRUE, leq) : mk(m, v, leq, FALSE);
  }
  return and(m, geq, leq);
}

/**
 * (field & mask) === value: xt_mark's `-m mark --mark value/mask` (mark_mt). A value with
 * bits outside the mask never matches. `ip rule fwmark v/m` compares `(mark ^ v) & m`
 * (fib_rule_match), so pass it `v & m`.
 * @example maskedEq(m, "fwmark", 0x10, 0xf0)
 */
export function maskedEq(
  m: BddArena,
  name: FieldName,
  value: number | bigint,
  mask: number | bigint,
): Bdd {
  const f = FIELDS[name];
  const v = wordsOf(f, value);
  const care = wordsOf(f, mask);
  if (v.some((x, k) => (x & ~care[k]!) !== 0)) return FALSE;
  let r = TRUE;
  for (let i = f.width - 1; i >= 0; i--) {
    if (!bitAt(care, i)) continue;
    r = bitAt(v, i) ? mk(m, f.offset + i, FALSE, r) : mk(m, f.offset + i, r, FALSE);
  }
  return r;
}

/** Packets of one address family. */
export function family(m: BddArena, fam: Family): Bdd {
  return eq(m, "family", fam === 4 ? 0 : 1);
}

/** An address as the 128-bit value of a dst/src field (IPv4 in the top 32 bits). */
export function embed(a: Addr): bigint {
  return a.family === 4 ? BigInt(a.v >>> 0) << 96n : a.v;
}

/**
 * The packets of p's family whose dst (or src) is in p.
 * @example addrPrefix(m, "dst", { addr: v4(0x0a000000), len: 8 }) // 10.0.0.0/8
 */
export function addrPrefix(m: BddArena, name: "dst" | "src", p: Prefix): Bdd {
  const max = p.addr.family === 4 ? 32 : 128;
  if (!Number.isInteger(p.len) || p.len < 0 || p.len > max)
    throw new RangeError(`prefix length ${p.len} is not in 0..${max}`);
  const f = FIELDS[name];
  // IPv4: the address is the first word of the embedded value, no bigint needed.
  const w = p.addr.family === 4 ? [p.addr.v >>> 0, 0, 0, 0] : wordsOf(f, p.addr.v);
  const chain = prefixChain(m, f, w, p.len);
  // family (variable 0) sits above every address variable: put its literal on top directly.
  const fam = FIELDS.family.offset;
  return p.addr.family === 4 ? mk(m, fam, chain, FALSE) : mk(m, fam, FALSE, chain);
}

/**
 * The headers that describe real packets: an IPv4 packet's addresses have zero low 96 bits,
 * and ctstate is one of CT_STATE.
 */
export function wellFormed(m: BddArena): Bdd {
  const low96 = (f: Field): number[] => Array.from({ length: 96 }, (_, i) => f.offset + 32 + i);
  const zeros = [...low96(FIELDS.dst), ...low96(FIELDS.src)];
  const v4Clean = cube(
    m,
    zeros,
    zeros.map(() => 0),
  );
  const addrs = or(m, family(m, 6), v4Clean);
  return and(m, addrs, range(m, "ctstate", 0, CT_STATE.untracked));
}

/** A concrete packet header read back from an assignment. */
export interface HeaderPacket {
  readonly family: Family;
  readonly dst: Addr;
  readonly src: Addr;
  readonly iif: number;
  readonly oif: number;
  readonly fwmark: number;
  readonly uid: number;
  readonly ipproto: number;
  readonly sport: number;
  readonly dport: number;
  readonly tos: number;
  readonly ctmark: number;
  readonly ctstate: number;
}

/** The value of one field in an assignment (bits indexed by variable). */
export function readField(bits: ArrayLike<number>, name: FieldName): bigint {
  const f = FIELDS[name];
  let v = 0n;
  for (let lsb = 0; lsb < f.width; lsb += 32) {
    let word = 0;
    for (let k = Math.min(31, f.width - 1 - lsb); k >= 0; k--)
      word = (word << 1) | (bits[f.offset + f.width - 1 - lsb - k] ? 1 : 0);
    v |= BigInt(word >>> 0) << BigInt(lsb);
  }
  return v;
}

/** The packet an assignment describes; IPv4 addresses are read from the top 32 bits. */
export function decode(bits: ArrayLike<number>): HeaderPacket {
  const fam: Family = bits[FIELDS.family.offset] ? 6 : 4;
  const addr = (name: "dst" | "src"): Addr => {
    const v = readField(bits, name);
    return fam === 4 ? v4(Number(v >> 96n)) : v6(v);
  };
  const num = (name: FieldName): number => Number(readField(bits, name));
  return {
    family: fam,
    dst: addr("dst"),
    src: addr("src"),
    iif: num("iif"),
    oif: num("oif"),
    fwmark: num("fwmark"),
    uid: num("uid"),
    ipproto: num("ipproto"),
    sport: num("sport"),
    dport: num("dport"),
    tos: num("tos"),
    ctmark: num("ctmark"),
    ctstate: num("ctstate"),
  };
}

/**
 * The assignment of a concrete packet (the inverse of `decode`): evaluate a packet set at it
 * with `evaluate(m, f, encode(p))`. The packet's address families must match `p.family`.
 */
export function encode(p: HeaderPacket): Uint8Array {
  if (p.dst.family !== p.family || p.src.family !== p.family)
    throw new RangeError(`address family does not match family ${p.family}`);
  const bits = new Uint8Array(HEADER_VARS);
  const put = (name: FieldName, value: number | bigint): void => {
    const f = FIELDS[name];
    const w = wordsOf(f, value);
    for (let i = 0; i < f.width; i++) bits[f.offset + i] = bitAt(w, i);
  };
  put("family", p.family === 4 ? 0 : 1);
  put("dst", embed(p.dst));
  put("src", embed(p.src));
  for (const name of NUMERIC_FIELDS) put(name, p[name]);
  return bits;
}

/** The fields a HeaderPacket holds as plain numbers. */
const NUMERIC_FIELDS = [
  "iif",
  "oif",
  "fwmark",
  "uid",
  "ipproto",
  "sport",
  "dport",
  "tos",
  "ctmark",
  "ctstate",
] as const;

/**
 * A packet of f that differs from the all-zero header in the fewest fields (minimalSat with
 * the header's fields), or undefined when f is empty. AND `wellFormed` into f first.
 */
export function witness(m: BddArena, f: Bdd): HeaderPacket | undefined {
  const bits = minimalSat(m, f, { fieldOf: FIELD_OF_VAR });
  return bits === undefined ? undefined : decode(bits);
}
