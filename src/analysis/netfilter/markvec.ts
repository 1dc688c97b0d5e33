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
 * fwmarkBitsPossible's answers per node, kept for the arena's life: a node's answer never
 * changes (nodes are immutable), so each is computed once. A reset arena (fewer nodes than
 * the memo saw) starts a new memo.
 */
const possible = new WeakMap<BddArena, { size: number; memo: Map<Bdd, [number, number]> }>();
function possibleMemo(m: BddArena): Map<Bdd, [number, number]> {
  let p = possible.get(m);
  if (!p || m.size < p.size) possible.set(m, (p = { size: m.size, memo: new Map() }));
  p.size = m.size;
  return p.memo;
}

/**
 * Which values each fwmark bit takes on the packets of f, in one pass over f without
 * building anything: [bits that can be 0, bits that can be 1] (bit 31 - i for fwmark bit i).
 */
export function fwmarkBitsPossible(m: BddArena, f: Bdd): [number, number] {
  const off = FIELDS.fwmark.offset;
  const end = off + BITS;
  /** fwmark bits at levels strictly between a and b (both variable indexes). */
  const skipped = (a: number, b: number): number => {
    const lo = Math.max(a + 1, off);
    const hi = Math.min(b, end);
    let r = 0;
    for (let v = lo; v < hi; v++) r |= 1 << (31 - (v - off));
    return r;
  };
  const level = (g: Bdd): number => (g <= TRUE ? end : Math.min(m.vars[g]!, end));
  const memo = possibleMemo(m);
  const go = (g: Bdd): [number, number] => {
    if (g <= TRUE || m.vars[g]! >= end) return [0, 0];
    const known = memo.get(g);
    if (known) return known;
    const v = m.vars[g]!;
    let z = 0,
      o = 0;
    for (const [child, value] of [
      [m.lows[g]!, 0],
      [m.highs[g]!, 1],
    ] as const) {
      if (child === FALSE) continue;
      const [cz, co] = go(child);
      const free = skipped(v, level(child));
      z |= cz | free;
      o |= co | free;
      if (v >= off) {
        if (value) o |= 1 << (31 - (v - off));
        else z |= 1 << (31 - (v - off));
      }
    }
    const r: [number, number] = [z, o];
    memo.set(g, r);
    return r;
  };
  if (f === FALSE) return [0, 0];
  const [z, o] = go(f);
  const free = skipped(-1, level(f));
  return [z | free, o | free];
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
