/**
 * Reading answers out of a BDD: evaluate one assignment, count the satisfying assignments,
 * pick a witness, enumerate cubes.
 *
 * An assignment is a `Uint8Array` of 0/1 indexed by variable (length `varCount`). A cube is an
 * `Int8Array` indexed the same way with -1 for "either value".
 * @module
 */
import { type Bdd, type BddArena, FALSE, TRUE } from "./arena.js";

/** f at one full assignment. */
export function evaluate(m: BddArena, f: Bdd, bits: ArrayLike<number>): boolean {
  while (f > TRUE) f = bits[m.vars[f]!] ? m.highs[f]! : m.lows[f]!;
  return f === TRUE;
}

/**
 * Number of assignments of variables 0..nVars-1 that satisfy f (bigint: a header has
 * hundreds of variables). f must not depend on a variable ≥ nVars.
 * @example satCount(m, variable(m, 0), 3) // 4n
 */
export function satCount(m: BddArena, f: Bdd, nVars: number = m.varCount): bigint {
  const memo = new Map<number, bigint>();
  const levelOf = (n: Bdd): number => (n <= TRUE ? nVars : m.vars[n]!);
  // count(n) = satisfying assignments of the variables levelOf(n)..nVars-1.
  const count = (n: Bdd): bigint => {
    if (n <= TRUE) return BigInt(n);
    const known = memo.get(n);
    if (known !== undefined) return known;
    const v = m.vars[n]!;
    if (v >= nVars) throw new RangeError(`BDD depends on variable ${v} ≥ ${nVars}`);
    const lo = m.lows[n]!;
    const hi = m.highs[n]!;
    const c =
      (count(lo) << BigInt(levelOf(lo) - v - 1)) + (count(hi) << BigInt(levelOf(hi) - v - 1));
    memo.set(n, c);
    return c;
  };
  return count(f) << BigInt(levelOf(f));
}

/**
 * One satisfying assignment, or undefined when f is FALSE: the least in variable order
 * (each node takes its low edge unless that leads only to FALSE; unconstrained variables 0).
 * Linear in the depth, no allocation beyond the result.
 */
export function pickOne(m: BddArena, f: Bdd): Uint8Array | undefined {
  if (f === FALSE) return undefined;
  const bits = new Uint8Array(m.varCount);
  while (f > TRUE) {
    const lo = m.lows[f]!;
    if (lo !== FALSE) f = lo;
    else {
      bits[m.vars[f]!] = 1;
      f = m.highs[f]!;
    }
  }
  return bits;
}

/** What a "simple" witness looks like, for `minimalSat`. */
export interface Preference {
  /** The default value of each variable (missing = 0). */
  readonly defaults?: ArrayLike<number>;
  /**
   * Field id of each variable; a field's variables must be contiguous. Without it every
   * variable is its own field and `minimalSat` minimises the Hamming distance to `defaults`.
   */
  readonly fieldOf?: ArrayLike<number>;
  /**
   * Costs found by earlier calls with the same defaults and fields over the same arena
   * (`satMemo()`): a node's cost never changes, so a set that shares most nodes with one
   * already asked about (an assertion's violations after a small change) costs only its new
   * nodes. Without it every call starts afresh.
   */
  readonly memo?: SatMemo;
}

/** Kept costs of minimalSat: (cost + 1) per node × dirty flag, 0 when not known yet. */
export interface SatMemo {
  costs: Int32Array;
}

/** An empty memo for `Preference.memo`. */
export const satMemo = (): SatMemo => ({ costs: new Int32Array(0) });

/** Stored for an unreachable TRUE (cost infinity). */
const NO_PATH = 0x7fffffff;

/**
 * A satisfying assignment that changes the fewest fields from their defaults (exactly: a
 * shortest-path dynamic programme over the DAG), ties broken towards default bits. This is
 * what a counterexample should look like: "fwmark 0x1, everything else default".
 * Undefined when f is FALSE.
 */
export function minimalSat(m: BddArena, f: Bdd, pref: Preference = {}): Uint8Array | undefined {
  if (f === FALSE) return undefined;
  const def = (v: number): number => (pref.defaults?.[v] ? 1 : 0);
  const field = (v: number): number => pref.fieldOf?.[v] ?? v;
  const kept = pref.memo;
  if (kept && kept.costs.length < 2 * m.capacity) {
    const grown = new Int32Array(2 * m.capacity);
    grown.set(kept.costs);
    kept.costs = grown;
  }
  const memo = kept ? undefined : new Map<number, number>();
  const get = (key: number): number | undefined => {
    if (memo) return memo.get(key);
    const c = kept!.costs[key]!;
    return c === 0 ? undefined : c === NO_PATH ? Number.POSITIVE_INFINITY : c - 1;
  };
  const set = (key: number, c: number): void => {
    if (memo) memo.set(key, c);
    else kept!.costs[key] = c === Number.POSITIVE_INFINITY ? NO_PATH : c + 1;
  };
  // The field of n's variable already differs from its default (dirty) iff the path changed an
  // earlier variable of that same field. Depth ≤ varCount.
  const step = (n: Bdd, dirty: boolean, bit: number): { child: Bdd; cost: number } => {
    const v = m.vars[n]!;
    const child = bit ? m.highs[n]! : m.lows[n]!;
    const changed = bit !== def(v);
    const childDirty = (dirty || changed) && child > TRUE && field(m.vars[child]!) === field(v);
    return { child, cost: (changed && !dirty ? 1 : 0) + cost(child, childDirty) };
  };
  const cost = (n: Bdd, dirty: boolean): number => {
    if (n <= TRUE) return n === TRUE ? 0 : Number.POSITIVE_INFINITY;
    const key = n * 2 + (dirty ? 1 : 0);
    const known = get(key);
    if (known !== undefined) return known;
    const d = def(m.vars[n]!);
    const c = Math.min(step(n, dirty, d).cost, step(n, dirty, d ^ 1).cost);
    set(key, c);
    return c;
  };
  const bits = new Uint8Array(m.varCount);
  for (let v = 0; v < bits.length; v++) bits[v] = def(v);
  let dirty = false;
  while (f > TRUE) {
    const v = m.vars[f]!;
    const d = def(v);
    const keep = step(f, dirty, d);
    const bit: number = keep.cost <= step(f, dirty, d ^ 1).cost ? d : d ^ 1;
    bits[v] = bit;
    const child = bit ? m.highs[f]! : m.lows[f]!;
    dirty = (dirty || bit !== d) && child > TRUE && field(m.vars[child]!) === field(v);
    f = child;
  }
  return bits;
}

/** Cubes of f and whether they are all of them. */
export interface Cubes {
  readonly cubes: Int8Array[];
  /** False when enumeration stopped at the limit. */
  readonly complete: boolean;
}

/**
 * The paths of f to TRUE as cubes (-1 = either value), disjoint and together exactly f, in
 * low-before-high order; at most `limit` of them. Iterative (an explicit stack).
 */
export function cubes(m: BddArena, f: Bdd, limit: number): Cubes {
  const out: Int8Array[] = [];
  if (f === FALSE) return { cubes: out, complete: true };
  const path = new Int8Array(m.varCount).fill(-1);
  // Stack of (node, var to set on the way in, bit); var -1 for the root.
  const stack: number[] = [f, -1, 0];
  const trail: number[] = []; // variables set on the current path, to undo
  while (stack.length > 0) {
    const bit = stack.pop()!;
    const v = stack.pop()!;
    const n = stack.pop()!;
    if (v >= 0) {
      // Undo everything set at or below v (siblings of an earlier branch).
      while (trail.length > 0 && trail[trail.length - 1]! >= v) path[trail.pop()!] = -1;
      path[v] = bit;
      trail.push(v);
    }
    if (n === FALSE) continue;
    if (n === TRUE) {
      if (out.length === limit) return { cubes: out, complete: false };
      out.push(path.slice());
      continue;
    }
    const nv = m.vars[n]!;
    stack.push(m.highs[n]!, nv, 1, m.lows[n]!, nv, 0);
  }
  return { cubes: out, complete: true };
}
