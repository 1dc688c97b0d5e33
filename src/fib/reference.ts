/**
 * The obviously-correct LPM used only by tests: a map of prefixes and a linear scan,
 * longest first. Addresses are handled as bigints for both families.
 * @module
 */
import { checkId, checkLen, idInUse } from "./bits.js";
import type { Lpm } from "./types.js";

interface Entry {
  net: bigint;
  len: number;
  id: number;
}

/** Reference LPM for `width` 32 (A = number) or 128 (A = bigint). */
export class ReferenceLpm<A extends number | bigint> implements Lpm<A> {
  private readonly entries = new Map<string, Entry>();
  private readonly byId = new Map<number, Entry>();

  constructor(readonly width: 32 | 128) {}

  private mask(len: number): bigint {
    const all = (1n << BigInt(this.width)) - 1n;
    return len === 0 ? 0n : (all >> BigInt(this.width - len)) << BigInt(this.width - len);
  }
  private big(a: A): bigint {
    return typeof a === "bigint" ? BigInt.asUintN(this.width, a) : BigInt(a >>> 0);
  }
  private out(v: bigint): A {
    return (this.width === 32 ? Number(v) : v) as A;
  }

  get size(): number {
    return this.entries.size;
  }

  insert(addr: A, len: number, id: number): void {
    checkLen(len, this.width);
    checkId(id);
    const net = this.big(addr) & this.mask(len);
    const key = `${net}/${len}`;
    const old = this.entries.get(key);
    const owner = this.byId.get(id);
    if (owner && owner !== old) throw idInUse(id);
    if (old) this.byId.delete(old.id);
    const e = { net, len, id };
    this.entries.set(key, e);
    this.byId.set(id, e);
  }

  remove(addr: A, len: number): boolean {
    checkLen(len, this.width);
    const key = `${this.big(addr) & this.mask(len)}/${len}`;
    const e = this.entries.get(key);
    if (!e) return false;
    this.entries.delete(key);
    this.byId.delete(e.id);
    return true;
  }

  get(addr: A, len: number): number {
    checkLen(len, this.width);
    return this.entries.get(`${this.big(addr) & this.mask(len)}/${len}`)?.id ?? -1;
  }

  /** Longest prefix containing `a` with length < maxLen. */
  private scan(a: bigint, maxLen: number): number {
    let best: Entry | undefined;
    for (const e of this.entries.values()) {
      if (e.len < maxLen && (a & this.mask(e.len)) === e.net && (!best || e.len > best.len))
        best = e;
    }
    return best ? best.id : -1;
  }

  lookup(addr: A): number {
    return this.scan(this.big(addr), this.width + 1);
  }

  parentOf(id: number): number {
    const e = this.byId.get(id);
    return e ? this.scan(e.net, e.len) : -1;
  }

  clear(): void {
    this.entries.clear();
    this.byId.clear();
  }

  forEach(fn: (addr: A, len: number, id: number) => void): void {
    for (const e of [...this.entries.values()]) fn(this.out(e.net), e.len, e.id);
  }
}
