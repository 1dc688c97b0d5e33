/**
 * Backend choice by table size, with promotion and demotion as a table grows or shrinks.
 *
 * | family | size          | backend        | memory (BGP-like tables, measured)          |
 * |--------|---------------|----------------|---------------------------------------------|
 * | 4      | ≤ SMALL_MAX   | `Lpm4Small`    | 16 B per prefix (10 routes: ~350 B)         |
 * | 4      | ≤ MEDIUM_MAX4 | `Lpm4Multibit` | 256 KiB root + 64 B nodes (131k: 18 MiB)    |
 * | 4      | larger        | `Lpm4Dir248`   | 64 MiB tbl24 + 1 KiB per long /24 (1M: 77 MiB) |
 * | 6      | ≤ SMALL_MAX   | `Lpm6Small`    | 32 B per prefix                             |
 * | 6      | larger        | `Lpm6Multibit` | 256 KiB root + 1 KiB / 64 B nodes (200k: ~45 MiB) |
 *
 * The wrapper's `lookup` forwards to `impl`; a hot loop over one table should take
 * `lpm.impl` once and call its `lookup` directly (one backend class per call site).
 * @module
 */
import { Lpm4Dir248, Lpm4Multibit, Lpm6Multibit } from "./multibit.js";
import { Lpm4Small, Lpm6Small } from "./small.js";
import type { Family } from "../core/kinds.js";
import type { Lpm, Lpm4, Lpm6 } from "./types.js";

/** Largest table kept in the sorted-array backends. */
export const SMALL_MAX = 1024;
/** Largest IPv4 table kept in `Lpm4Multibit` before moving to DIR-24-8. */
export const MEDIUM_MAX4 = 131072;

type Backend4 = Lpm4Small | Lpm4Multibit | Lpm4Dir248;
type Backend6 = Lpm6Small | Lpm6Multibit;

function tier4(size: number): 0 | 1 | 2 {
  return size <= SMALL_MAX ? 0 : size <= MEDIUM_MAX4 ? 1 : 2;
}
function make4(tier: 0 | 1 | 2, size = 0): Backend4 {
  return tier === 0
    ? new Lpm4Small()
    : tier === 1
      ? new Lpm4Multibit()
      : new Lpm4Dir248(size >>> 7);
}

/** Copy every prefix of `from` into `to`, shortest first (the cheapest order for the tries). */
export function copyLpm<A>(from: Lpm<A>, to: Lpm<A>): void {
  const addrs: A[] = [],
    lens: number[] = [],
    ids: number[] = [];
  from.forEach((a, l, id) => {
    addrs.push(a);
    lens.push(l);
    ids.push(id);
  });
  const order = Array.from(lens.keys()).sort((x, y) => lens[x]! - lens[y]!);
  for (const i of order) to.insert(addrs[i]!, lens[i]!, ids[i]!);
}

/** IPv4 LPM that switches backend with its size. */
export class AutoLpm4 implements Lpm4 {
  impl: Backend4;
  private tier: 0 | 1 | 2;
  constructor(expectedSize = 0) {
    this.tier = tier4(expectedSize);
    this.impl = make4(this.tier, expectedSize);
  }
  get size(): number {
    return this.impl.size;
  }
  lookup(a: number): number {
    return this.impl.lookup(a);
  }
  parentOf(id: number): number {
    return this.impl.parentOf(id);
  }
  get(addr: number, len: number): number {
    return this.impl.get(addr, len);
  }
  forEach(fn: (addr: number, len: number, id: number) => void): void {
    this.impl.forEach(fn);
  }
  /** Empty the table and go back to the small backend. */
  clear(): void {
    this.tier = 0;
    this.impl = make4(0);
  }
  insert(addr: number, len: number, id: number): void {
    this.impl.insert(addr, len, id);
    if (this.tier < 2 && tier4(this.impl.size) > this.tier) this.switchTo(tier4(this.impl.size));
  }
  remove(addr: number, len: number): boolean {
    if (!this.impl.remove(addr, len)) return false;
    // Demote with hysteresis: only once the table is down to a quarter of the lower tier's limit.
    const t = tier4(this.impl.size * 4);
    if (t < this.tier) this.switchTo(t);
    return true;
  }
  private switchTo(t: 0 | 1 | 2): void {
    const next = make4(t, this.impl.size);
    copyLpm<number>(this.impl, next);
    this.impl = next;
    this.tier = t;
  }
}

/** IPv6 LPM that switches backend with its size. */
export class AutoLpm6 implements Lpm6 {
  impl: Backend6;
  private small: boolean;
  constructor(expectedSize = 0) {
    this.small = expectedSize <= SMALL_MAX;
    // Pool nodes sized for the expected table: fewer regrowths (and GCs) while filling it.
    this.impl = this.small ? new Lpm6Small() : new Lpm6Multibit(expectedSize * 2.5);
  }
  get size(): number {
    return this.impl.size;
  }
  lookup(a: bigint): number {
    return this.impl.lookup(a);
  }
  lookup6w(w0: number, w1: number, w2: number, w3: number): number {
    return this.impl.lookup6w(w0, w1, w2, w3);
  }
  parentOf(id: number): number {
    return this.impl.parentOf(id);
  }
  get(addr: bigint, len: number): number {
    return this.impl.get(addr, len);
  }
  forEach(fn: (addr: bigint, len: number, id: number) => void): void {
    this.impl.forEach(fn);
  }
  /** Empty the table and go back to the small backend. */
  clear(): void {
    this.small = true;
    this.impl = new Lpm6Small();
  }
  insert(addr: bigint, len: number, id: number): void {
    this.impl.insert(addr, len, id);
    if (this.small && this.impl.size > SMALL_MAX) this.switchTo(false);
  }
  remove(addr: bigint, len: number): boolean {
    if (!this.impl.remove(addr, len)) return false;
    if (!this.small && this.impl.size * 4 <= SMALL_MAX) this.switchTo(true);
    return true;
  }
  private switchTo(small: boolean): void {
    const next = small ? new Lpm6Small() : new Lpm6Multibit(this.impl.size * 2.5);
    copyLpm<bigint>(this.impl, next);
    this.impl = next;
    this.small = small;
  }
}

/**
 * An LPM for `family`, starting on the backend that fits `expectedSize` and moving to
 * another as the table grows past (or shrinks well below) the thresholds.
 * @example
 * const t = createLpm(4);
 * t.insert(0x0a000000, 8, 0);   // 10/8
 * t.lookup(0x0a010203);         // 0
 */
export function createLpm(family: 4, expectedSize?: number): AutoLpm4;
export function createLpm(family: 6, expectedSize?: number): AutoLpm6;
export function createLpm(family: Family, expectedSize?: number): AutoLpm4 | AutoLpm6;
export function createLpm(family: Family, expectedSize = 0): AutoLpm4 | AutoLpm6 {
  return family === 4 ? new AutoLpm4(expectedSize) : new AutoLpm6(expectedSize);
}
