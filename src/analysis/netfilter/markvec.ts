/**
 * Mark transformers: skb->mark (or the conntrack mark) as 32 BDDs, one per bit (index 0 = the
 * most significant, as header.ts lays fields out), each a function of the original header.
 * A packet's mark after a chain is the vector evaluated at the packet. MARK / CONNMARK /
 * `meta mark set` / `ct mark set` are bitwise (`dst = (dst & keep) ^ (src & take) ^ xor`),
 * so each new bit is a small function of the same bit of two vectors: the representation is
 * exact and closed under every write the front-ends express. A later test `mark & m == v`
 * becomes a predicate over the original header by reading the vector's bits, and an
 * `ip rule fwmark` at re-route by substituting the vector into the rule's predicate
 * (`compose`).
 * @module
 */
import type { NfSymMarkOp } from "../../netfilter/symbolic.js";
import { and, ite, not, or, xor } from "../bdd/apply.js";
import { type Bdd, type BddArena, FALSE, mk, TRUE, variable } from "../bdd/arena.js";
import { evaluate } from "../bdd/sat.js";
import { FIELDS } from "../header.js";

/** 32 bit functions, most significant first. */
export type MarkVec = readonly Bdd[];

const BITS = 32;

/** Bit i (0 = most significant) of a 32-bit value. */
const bit = (v: number, i: number): number => (v >>> (31 - i)) & 1;

/** The vector of a field as it is (each bit its own variable). */
export function identity(m: BddArena, field: "fwmark" | "ctmark"): MarkVec {
  const off = FIELDS[field].offset;
  return Array.from({ length: BITS }, (_, i) => variable(m, off + i));
}

/** A constant mark. */
export function constant(value: number): MarkVec {
  return Array.from({ length: BITS }, (_, i) => (bit(value, i) ? TRUE : FALSE));
}

/** dst' = (dst & keep) ^ (src & take) ^ xor, bit by bit. */
export function applyOp(m: BddArena, op: NfSymMarkOp, dst: MarkVec, src: MarkVec): MarkVec {
  return dst.map((d, i) => {
    let r = bit(op.keep, i) ? d : FALSE;
    if (bit(op.take, i)) r = xor(m, r, src[i]!);
    return bit(op.xor, i) ? not(m, r) : r;
  });
}

/** The packets whose value is v on the bits of mask: (vec & mask) == value. */
export function maskedTest(m: BddArena, vec: MarkVec, value: number, mask: number): Bdd {
  if ((value & ~mask) >>> 0 !== 0) return FALSE;
  let r = TRUE;
  for (let i = BITS - 1; i >= 0 && r !== FALSE; i--) {
    if (!bit(mask, i)) continue;
    r = and(m, r, bit(value, i) ? vec[i]! : not(m, vec[i]!));
  }
  return r;
}

/**
 * The vector as it reads on the packets of `pred`: a bit constant there becomes the
 * constant, so transformers that give those packets the same mark compare equal (a MARK
 * --set-mark 0x81 and "unchanged" on packets whose mark already is 0x81).
 */
export function within(m: BddArena, pred: Bdd, v: MarkVec): MarkVec {
  const off = FIELDS.fwmark.offset;
  let can: [number, number] | undefined;
  return v.map((b) => {
    if (b <= TRUE) return b;
    const j = m.vars[b]! - off;
    const lit = j >= 0 && j < BITS && m.lows[b]! <= TRUE && m.highs[b]! <= TRUE;
    if (!lit) {
      if (and(m, pred, b) === FALSE) return FALSE;
      return and(m, pred, not(m, b)) === FALSE ? TRUE : b;
    }
    // A literal (the original mark bit j or its negation): read what pred allows for it.
    can ??= fwmarkBitsPossible(m, pred);
    const at = 1 << (31 - j);
    const positive = m.highs[b] === TRUE;
    if (!(can[0] & at)) return positive ? TRUE : FALSE; // bit j is 1 on every packet
    if (!(can[1] & at)) return positive ? FALSE : TRUE;
    return b;
  });
}

/**
 * fwmarkBitsPossible's answers per node (bits that can be 0, bits that can be 1), kept for
 * the arena's life: a node's answer never changes (nodes are immutable), so each is computed
 * once. A reset arena (fewer nodes than the memo saw) starts a new memo.
 */
interface Possible {
  size: number;
  known: Uint8Array;
  zero: Int32Array;
  one: Int32Array;
}

const possible = new WeakMap<BddArena, Possible>();

function possibleMemo(m: BddArena): Possible {
  let p = possible.get(m);
  if (!p || m.size < p.size) {
    const n = m.capacity;
    p = { size: m.size, known: new Uint8Array(n), zero: new Int32Array(n), one: new Int32Array(n) };
    possible.set(m, p);
  } else if (p.known.length < m.capacity) {
    const grow = <T extends Uint8Array | Int32Array>(a: T, b: T): T => (b.set(a), b);
    p.known = grow(p.known, new Uint8Array(m.capacity));
    p.zero = grow(p.zero, new Int32Array(m.capacity));
    p.one = grow(p.one, new Int32Array(m.capacity));
  }
  p.size = m.size;
  return p;
}

/**
 * Which values each fwmark bit takes on the packets of f, in one pass over f without
 * building anything: [bits that can be 0, bits that can be 1] (bit 31 - i for fwmark bit i).
 */
export function fwmarkBitsPossible(m: BddArena, f: Bdd): [number, number] {
  const off = FIELDS.fwmark.offset;
  const end = off + BITS;
  const { vars, lows, highs } = m;
  /** fwmark bits at levels strictly between a and b (both variable indexes). */
  const skipped = (a: number, b: number): number => {
    const lo = Math.max(a + 1, off);
    const hi = Math.min(b, end);
    let r = 0;
    for (let v = lo; v < hi; v++) r |= 1 << (31 - (v - off));
    return r;
  };
  const level = (g: Bdd): number => (g <= TRUE ? end : Math.min(vars[g]!, end));
  const p = possibleMemo(m);
  // Fills the memo for g (a node above the fwmark's last bit).
  const go = (g: Bdd): void => {
    if (p.known[g]) return;
    const v = vars[g]!;
    const own = v >= off ? 1 << (31 - (v - off)) : 0;
    let z = 0;
    let o = 0;
    for (let value = 0; value < 2; value++) {
      const child = value ? highs[g]! : lows[g]!;
      if (child === FALSE) continue;
      const free = skipped(v, level(child));
      let cz = 0;
      let co = 0;
      if (child > TRUE && vars[child]! < end) {
        go(child);
        cz = p.zero[child]!;
        co = p.one[child]!;
      }
      z |= cz | free | (value ? 0 : own);
      o |= co | free | (value ? own : 0);
    }
    p.zero[g] = z;
    p.one[g] = o;
    p.known[g] = 1;
  };
  if (f === FALSE) return [0, 0];
  const free = skipped(-1, level(f));
  if (f <= TRUE || vars[f]! >= end) return [free, free];
  go(f);
  return [p.zero[f]! | free, p.one[f]! | free];
}

/** The packets for which the two vectors differ. */
export function differs(m: BddArena, a: MarkVec, b: MarkVec): Bdd {
  let r = FALSE;
  for (let i = 0; i < BITS; i++) if (a[i] !== b[i]) r = or(m, r, xor(m, a[i]!, b[i]!));
  return r;
}

/** A string equal for equal vectors (canonical BDDs: equal functions, equal ids). */
export const vecKey = (v: MarkVec): string => v.join(",");

/** The vector's value for one packet (its header bits). */
export function valueAt(m: BddArena, v: MarkVec, bits: ArrayLike<number>): number {
  let r = 0;
  for (let i = 0; i < BITS; i++) r = (r << 1) | (evaluate(m, v[i]!, bits) ? 1 : 0);
  return r >>> 0;
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/**
 * How the vector reads: `0x81`, `mark & 0xff00 | 0x81` (bits kept from the original mark),
 * `mark ^ 0x1`, or `f(mark, ct mark)` when a bit is any other function.
 */
export function describeVec(m: BddArena, v: MarkVec): string {
  const off = FIELDS.fwmark.offset;
  let ones = 0,
    keep = 0,
    flip = 0;
  for (let i = 0; i < BITS; i++) {
    const b = v[i]!;
    const at = 1 << (31 - i);
    if (b === TRUE) ones |= at;
    else if (b === FALSE) continue;
    else if (b === variable(m, off + i)) keep |= at;
    else if (b === not(m, variable(m, off + i))) flip |= at;
    else return "computed from the mark and the ct mark";
  }
  if (!keep && !flip) return hex(ones);
  const parts = [`mark & ${hex(keep | flip)}`];
  if (flip) parts.push(`^ ${hex(flip)}`);
  if (ones) parts.push(`| ${hex(ones)}`);
  return keep === -1 && !flip && !ones ? "unchanged" : parts.join(" ");
}

/**
 * f with fwmark bit i replaced by vec[i] (vector composition): the packets whose mark after
 * the writes satisfies f. Only fwmark variables are substituted; the others stay.
 */
export function compose(m: BddArena, f: Bdd, vec: MarkVec): Bdd {
  const off = FIELDS.fwmark.offset;
  const memo = new Map<Bdd, Bdd>();
  const go = (g: Bdd): Bdd => {
    if (g <= TRUE) return g;
    const known = memo.get(g);
    if (known !== undefined) return known;
    const v = m.vars[g]!;
    const lo = go(m.lows[g]!);
    const hi = go(m.highs[g]!);
    let r: Bdd;
    if (v >= off && v < off + BITS) r = ite(m, vec[v - off]!, hi, lo);
    else if (v < off) r = lo === hi ? lo : mk(m, v, lo, hi);
    else r = ite(m, variable(m, v), hi, lo);
    memo.set(g, r);
    return r;
  };
  return go(f);
}
