/**
 * Compact LPM backends for small tables (up to a few hundred or thousand prefixes).
 *
 * Prefixes sit in one `Int32Array`, sorted by (network address, length), each with the index
 * of its parent (the longest prefix strictly containing it). Prefixes are nested or disjoint,
 * so the deepest prefix containing an address is an ancestor-or-self of the last prefix that
 * starts at or before it: a lookup is a binary search plus a short walk up the parent chain.
 * Insert and remove shift the array and redo the parents in one stack sweep, O(n).
 * A 10-route table takes one 256-byte array.
 * @module
 */
import { checkId, checkLen, idInUse, MASK4, MASK6, toWords } from "./bits.js";
import type { Lpm4, Lpm6 } from "./types.js";

const S4 = 4; // v4 stride: [addr, len, id, parentIndex]
const S6 = 8; // v6 stride: [w0, w1, w2, w3, len, id, parentIndex, unused]

const stack = new Int32Array(130);

/** Sorted-array LPM for IPv4. */
export class Lpm4Small implements Lpm4 {
  private d = new Int32Array(4 * S4);
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** Index of the first entry with key >= (a, len), a uint32. */
  private lowerBound(a: number, len: number): number {
    const d = this.d;
    let lo = 0,
      hi = this.n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1,
        b = m * S4,
        s = d[b]! >>> 0;
      if (s < a || (s === a && d[b + 1]! < len)) lo = m + 1;
      else hi = m;
    }
    return lo;
  }

  private find(a: number, len: number): number {
    const i = this.lowerBound(a, len),
      b = i * S4;
    return i < this.n && this.d[b]! >>> 0 === a && this.d[b + 1] === len ? i : -1;
  }

  private indexOfId(id: number): number {
    const d = this.d,
      n = this.n;
    for (let i = 0; i < n; i++) if (d[i * S4 + 2] === id) return i;
    return -1;
  }

  lookup(addr: number): number {
    const d = this.d,
      a = addr >>> 0;
    let lo = 0,
      hi = this.n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (d[m * S4]! >>> 0 <= a) lo = m + 1;
      else hi = m;
    }
    let i = lo - 1;
    while (i >= 0) {
      const b = i * S4;
      if (((d[b]! ^ a) & MASK4[d[b + 1]!]!) === 0) return d[b + 2]!;
      i = d[b + 3]!;
    }
    return -1;
  }

  parentOf(id: number): number {
    const i = this.indexOfId(id);
    if (i < 0) return -1;
    const p = this.d[i * S4 + 3]!;
    return p < 0 ? -1 : this.d[p * S4 + 2]!;
  }

  get(addr: number, len: number): number {
    checkLen(len, 32);
    const i = this.find((addr & MASK4[len]!) >>> 0, len);
    return i < 0 ? -1 : this.d[i * S4 + 2]!;
  }

  insert(addr: number, len: number, id: number): void {
    checkLen(len, 32);
    checkId(id);
    const a = (addr & MASK4[len]!) >>> 0;
    const i = this.lowerBound(a, len);
    const owner = this.indexOfId(id);
    if (i < this.n && this.d[i * S4]! >>> 0 === a && this.d[i * S4 + 1] === len) {
      if (owner >= 0 && owner !== i) throw idInUse(id);
      this.d[i * S4 + 2] = id;
      return;
    }
    if (owner >= 0) throw idInUse(id);
    if ((this.n + 1) * S4 > this.d.length) {
      const g = new Int32Array(this.d.length * 2);
      g.set(this.d);
      this.d = g;
    }
    const d = this.d;
    d.copyWithin((i + 1) * S4, i * S4, this.n * S4);
    d[i * S4] = a;
    d[i * S4 + 1] = len;
    d[i * S4 + 2] = id;
    this.n++;
    this.relink();
  }

  remove(addr: number, len: number): boolean {
    checkLen(len, 32);
    const i = this.find((addr & MASK4[len]!) >>> 0, len);
    if (i < 0) return false;
    this.d.copyWithin(i * S4, (i + 1) * S4, this.n * S4);
    this.n--;
    if (this.d.length > 16 * S4 && this.n * S4 * 4 <= this.d.length)
      this.d = this.d.slice(0, this.d.length / 2);
    this.relink();
    return true;
  }

  /** Recompute every parent index with one stack sweep over the sorted entries. */
  private relink(): void {
    const d = this.d,
      n = this.n;
    let sp = 0;
    for (let i = 0; i < n; i++) {
      const b = i * S4,
        a = d[b]!;
      while (sp > 0) {
        const t = stack[sp - 1]! * S4;
        if (((a ^ d[t]!) & MASK4[d[t + 1]!]!) === 0) break; // distinct and sorted: t contains i
        sp--;
      }
      d[b + 3] = sp > 0 ? stack[sp - 1]! : -1;
      stack[sp++] = i;
    }
  }

  clear(): void {
    this.d = new Int32Array(4 * S4);
    this.n = 0;
  }

  forEach(fn: (addr: number, len: number, id: number) => void): void {
    const d = this.d.slice(0, this.n * S4);
    for (let b = 0; b < d.length; b += S4) fn(d[b]! >>> 0, d[b + 1]!, d[b + 2]!);
  }
}

/** Compare the start address at `d[b..b+3]` with (w0..w3), all unsigned: -1, 0 or 1. */
function cmp6(d: Int32Array, b: number, w0: number, w1: number, w2: number, w3: number): number {
  let x = d[b]! >>> 0,
    y = w0 >>> 0;
  if (x !== y) return x < y ? -1 : 1;
  x = d[b + 1]! >>> 0;
  y = w1 >>> 0;
  if (x !== y) return x < y ? -1 : 1;
  x = d[b + 2]! >>> 0;
  y = w2 >>> 0;
  if (x !== y) return x < y ? -1 : 1;
  x = d[b + 3]! >>> 0;
  y = w3 >>> 0;
  if (x !== y) return x < y ? -1 : 1;
  return 0;
}

const W6 = new Int32Array(4);

/** Sorted-array LPM for IPv6. */
export class Lpm6Small implements Lpm6 {
  private d = new Int32Array(2 * S6);
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** Normalise (addr, len) into W6 (host bits cleared). */
  private load(addr: bigint, len: number): void {
    checkLen(len, 128);
    toWords(addr, W6);
    for (let k = 0; k < 4; k++) W6[k] = W6[k]! & MASK6[len * 4 + k]!;
  }

  private lowerBound(len: number): number {
    const d = this.d,
      w0 = W6[0]!,
      w1 = W6[1]!,
      w2 = W6[2]!,
      w3 = W6[3]!;
    let lo = 0,
      hi = this.n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1,
        b = m * S6,
        c = cmp6(d, b, w0, w1, w2, w3);
      if (c < 0 || (c === 0 && d[b + 4]! < len)) lo = m + 1;
      else hi = m;
    }
    return lo;
  }

  private isAt(i: number, len: number): boolean {
    const b = i * S6;
    return (
      i < this.n && this.d[b + 4] === len && cmp6(this.d, b, W6[0]!, W6[1]!, W6[2]!, W6[3]!) === 0
    );
  }

  private indexOfId(id: number): number {
    const d = this.d,
      n = this.n;
    for (let i = 0; i < n; i++) if (d[i * S6 + 5] === id) return i;
    return -1;
  }

  lookup(addr: bigint): number {
    toWords(addr, W6);
    return this.lookup6w(W6[0]!, W6[1]!, W6[2]!, W6[3]!);
  }

  lookup6w(w0: number, w1: number, w2: number, w3: number): number {
    const d = this.d;
    let lo = 0,
      hi = this.n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (cmp6(d, m * S6, w0, w1, w2, w3) <= 0) lo = m + 1;
      else hi = m;
    }
    let i = lo - 1;
    while (i >= 0) {
      const b = i * S6,
        m = d[b + 4]! * 4;
      if (
        (((d[b]! ^ w0) & MASK6[m]!) |
          ((d[b + 1]! ^ w1) & MASK6[m + 1]!) |
          ((d[b + 2]! ^ w2) & MASK6[m + 2]!) |
          ((d[b + 3]! ^ w3) & MASK6[m + 3]!)) ===
        0
      )
        return d[b + 5]!;
      i = d[b + 6]!;
    }
    return -1;
  }

  parentOf(id: number): number {
    const i = this.indexOfId(id);
    if (i < 0) return -1;
    const p = this.d[i * S6 + 6]!;
    return p < 0 ? -1 : this.d[p * S6 + 5]!;
  }

  get(addr: bigint, len: number): number {
    this.load(addr, len);
    const i = this.lowerBound(len);
    return this.isAt(i, len) ? this.d[i * S6 + 5]! : -1;
  }

  insert(addr: bigint, len: number, id: number): void {
    this.load(addr, len);
    checkId(id);
    const i = this.lowerBound(len);
    const owner = this.indexOfId(id);
    if (this.isAt(i, len)) {
      if (owner >= 0 && owner !== i) throw idInUse(id);
      this.d[i * S6 + 5] = id;
      return;
    }
    if (owner >= 0) throw idInUse(id);
    if ((this.n + 1) * S6 > this.d.length) {
      const g = new Int32Array(this.d.length * 2);
      g.set(this.d);
      this.d = g;
    }
    const d = this.d,
      b = i * S6;
    d.copyWithin(b + S6, b, this.n * S6);
    d.set(W6, b);
    d[b + 4] = len;
    d[b + 5] = id;
    this.n++;
    this.relink();
  }

  remove(addr: bigint, len: number): boolean {
    this.load(addr, len);
    const i = this.lowerBound(len);
    if (!this.isAt(i, len)) return false;
    this.d.copyWithin(i * S6, (i + 1) * S6, this.n * S6);
    this.n--;
    if (this.d.length > 16 * S6 && this.n * S6 * 4 <= this.d.length)
      this.d = this.d.slice(0, this.d.length / 2);
    this.relink();
    return true;
  }

  private relink(): void {
    const d = this.d,
      n = this.n;
    let sp = 0;
    for (let i = 0; i < n; i++) {
      const b = i * S6;
      while (sp > 0) {
        const t = stack[sp - 1]! * S6,
          m = d[t + 4]! * 4;
        if (
          (((d[b]! ^ d[t]!) & MASK6[m]!) |
            ((d[b + 1]! ^ d[t + 1]!) & MASK6[m + 1]!) |
            ((d[b + 2]! ^ d[t + 2]!) & MASK6[m + 2]!) |
            ((d[b + 3]! ^ d[t + 3]!) & MASK6[m + 3]!)) ===
          0
        )
          break;
        sp--;
      }
      d[b + 6] = sp > 0 ? stack[sp - 1]! : -1;
      stack[sp++] = i;
    }
  }

  clear(): void {
    this.d = new Int32Array(2 * S6);
    this.n = 0;
  }

  forEach(fn: (addr: bigint, len: number, id: number) => void): void {
    const d = this.d.slice(0, this.n * S6);
    for (let b = 0; b < d.length; b += S6) {
      const v =
        (BigInt(d[b]! >>> 0) << 96n) |
        (BigInt(d[b + 1]! >>> 0) << 64n) |
        (BigInt(d[b + 2]! >>> 0) << 32n) |
        BigInt(d[b + 3]! >>> 0);
      fn(v, d[b + 4]!, d[b + 5]!);
    }
  }
}
