/**
 * The obviously-correct model the BDD is tested against: a truth table over n ≤ 16 variables,
 * one byte per assignment. Assignment index a gives variable v the value (a >> v) & 1.
 * Used by tests only.
 * @module
 */
import { type Bdd, type BddArena, mk } from "./arena.js";
import { evaluate } from "./sat.js";

export type Table = Uint8Array;

/** The table of variable v over n variables. */
export function tableVar(n: number, v: number): Table {
  return tableOf(n, (a) => (a >> v) & 1);
}

/** The table of the function `fn` of the assignment index. */
export function tableOf(n: number, fn: (a: number) => number): Table {
  const t = new Uint8Array(1 << n);
  for (let a = 0; a < t.length; a++) t[a] = fn(a) ? 1 : 0;
  return t;
}

/** Pointwise combination of two tables. */
export function table2(s: Table, t: Table, fn: (x: number, y: number) => number): Table {
  return s.map((x, a) => (fn(x, t[a]!) ? 1 : 0));
}

/** ∃vars. t. */
export function tableExists(t: Table, vars: readonly number[]): Table {
  let r = t;
  for (const v of vars) r = r.map((x, a) => x | r[a ^ (1 << v)]!);
  return r;
}

/** t with the variables of `lits` fixed: t[v := bit]. */
export function tableRestrict(t: Table, lits: ReadonlyMap<number, number>): Table {
  return t.map((_, a) => {
    let b = a;
    for (const [v, bit] of lits) b = bit ? b | (1 << v) : b & ~(1 << v);
    return t[b]!;
  });
}

/** Assignment index a as a bit array. */
export function bitsOf(n: number, a: number): Uint8Array {
  const bits = new Uint8Array(n);
  for (let v = 0; v < n; v++) bits[v] = (a >> v) & 1;
  return bits;
}

/** Index of a bit array (the inverse of bitsOf). */
export function indexOf(bits: ArrayLike<number>, n: number): number {
  let a = 0;
  for (let v = 0; v < n; v++) if (bits[v]) a |= 1 << v;
  return a;
}

/** The truth table of a BDD, by evaluating every assignment. */
export function tableOfBdd(m: BddArena, f: Bdd, n: number): Table {
  return tableOf(n, (a) => (evaluate(m, f, bitsOf(n, a)) ? 1 : 0));
}

/** The BDD of a table by Shannon expansion on variables 0..n-1 (only `mk`, no apply). */
export function bddOfTable(m: BddArena, t: Table, n: number): Bdd {
  const build = (v: number, base: number): Bdd => {
    if (v === n) return t[base]!;
    const lo = build(v + 1, base);
    return mk(m, v, lo, build(v + 1, base | (1 << v)));
  };
  return build(0, 0);
}

/**
 * The union of cubes over n variables; cube [care, value] holds the assignments a with
 * (a & care) === (value & care). Gives the sparse, structured functions random tables miss.
 */
export function tableOfCubes(n: number, cs: ReadonlyArray<readonly [number, number]>): Table {
  return tableOf(n, (a) => (cs.some(([care, value]) => ((a ^ value) & care) === 0) ? 1 : 0));
}

/** Number of 1 entries. */
export function tableCount(t: Table): number {
  let c = 0;
  for (const x of t) c += x;
  return c;
}
