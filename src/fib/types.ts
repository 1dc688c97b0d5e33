/**
 * The longest-prefix-match contract shared by every backend in `src/fib/`.
 *
 * A structure maps prefixes to small integer ids; the route engine keeps, per id, the
 * aliases (routes) of that prefix. `lookup` gives the longest prefix containing an address
 * and `parentOf` walks to the next shorter one that also contains it, which is how the
 * kernel backtracks when every alias of a prefix is skipped (tos, oif, dead nexthop):
 *
 * ```ts
 * for (let id = lpm.lookup(dst); id >= 0; id = lpm.parentOf(id)) {
 *   const r = firstUsableAlias(aliases[id]);
 *   if (r) return r;
 * }
 * ```
 *
 * Addresses are IPv4 uint32 `number`s and IPv6 128-bit `bigint`s, as in `src/addr/ip.ts`.
 * Host bits beyond the prefix length are ignored on insert/remove/get.
 * @module
 */

/** Longest-prefix match over prefixes of one family. `A` is `number` (v4) or `bigint` (v6). */
export interface Lpm<A> {
  /**
   * Add a prefix with id `id` (an integer, 0 <= id <= MAX_ID), or give an existing prefix the
   * new id. An id names at most one prefix at a time: reusing a live id for another prefix
   * throws. Backends with id-indexed arrays grow them to the largest id seen.
   */
  insert(addr: A, len: number, id: number): void;
  /** Remove a prefix; false when it was not present. Its id becomes free. */
  remove(addr: A, len: number): boolean;
  /** Id of the longest prefix containing `addr`, or -1. */
  lookup(addr: A): number;
  /**
   * Id of the longest prefix strictly shorter than prefix(id) that contains it; -1 if none or if
   * `id` is not live.
   */
  parentOf(id: number): number;
  /** Exact match: the id of exactly this prefix, or -1. */
  get(addr: A, len: number): number;
  /** Visit every prefix (order unspecified). Do not modify the structure from the callback. */
  forEach(fn: (addr: A, len: number, id: number) => void): void;
  /** Remove every prefix (all ids become free). */
  clear(): void;
  /** Number of prefixes. */
  readonly size: number;
}

/** IPv4: `lookup` takes the uint32 (an int32 bit pattern works too). */
export type Lpm4 = Lpm<number>;

/** IPv6 adds a bigint-free lookup for hot loops. */
export interface Lpm6 extends Lpm<bigint> {
  /** `lookup` with the address as four uint32 words, most significant first. */
  lookup6w(w0: number, w1: number, w2: number, w3: number): number;
}

/** Largest id accepted (ids are stored as int32; negative values encode pointers). */
export const MAX_ID = 0x3fffffff;
