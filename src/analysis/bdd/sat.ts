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

/** Kept choices of minimalSat per node × dirty flag (packChoice), 0 when not known yet. */
export interface SatMemo {
  costs: Int32Array;
}

/** An empty memo for `Preference.memo`. */
export const satMemo = (): SatMemo => ({ costs: new Int32Array(0) });

/**
 * A satisfying assignment that changes the fewest fields from their defaults (exactly: a
 * shortest-path dynamic programme over the DAG), ties broken towards default bits. This is
 * what a counterexample should look like: "fwmark 0x1, everything else default".
 * Undefined when f is FALSE.
 */
export function minimalSat(m: BddArena, f: Bdd, pref: Preference = {}): Uint8Array | undefined {
  if (f === FALSE) return undefined;
  const { vars, lows, highs } = m;
  const { solve, def, field } = solver(m, pref);
  const bits = new Uint8Array(m.varCount);
  const defaults = pref.defaults;
  if (defaults) for (let v = 0; v < bits.length; v++) bits[v] = defaults[v] ? 1 : 0;
  let dirty = false;
  while (f > TRUE) {
    const v = vars[f]!;
    const bit: number = solve(f, dirty) & 1;
    bits[v] = bit;
    const child = bit ? highs[f]! : lows[f]!;
    dirty = (dirty || bit !== def(v)) && child > TRUE && field(vars[child]!) === field(v);
    f = child;
  }
  return bits;
}

/**
 * How many fields `minimalSat`'s witness of f changes (Infinity when f is FALSE), without
 * building it: a caller holding a cheaper witness need not search f.
 */
export function minimalCost(m: BddArena, f: Bdd, pref: Preference = {}): number {
  if (f <= TRUE) return f === TRUE ? 0 : Number.POSITIVE_INFINITY;
  return costOf(solver(m, pref).solve(f, false));
}

/**
 * Whether `bits` comes before minimalSat's witness of f in its tie order (the default bit at
 * the first variable where they differ), read along the witness' path only as far as that
 * variable. For a caller comparing two witnesses of equal cost without building f's.
 */
export function precedesMinimal(
  m: BddArena,
  f: Bdd,
  bits: ArrayLike<number>,
  pref: Preference = {},
): boolean {
  if (f === FALSE) return true;
  const { vars, lows, highs } = m;
  const { solve, def, field } = solver(m, pref);
  let dirty = false;
  let v = 0;
  while (f > TRUE) {
    const at = vars[f]!;
    // Variables the path skips take their default.
    for (; v < at; v++) if (bits[v] !== def(v)) return false;
    const bit: number = solve(f, dirty) & 1;
    if (bits[at] !== bit) return bits[at] === def(at);
    const child = bit ? highs[f]! : lows[f]!;
    dirty = (dirty || bit !== def(at)) && child > TRUE && field(vars[child]!) === field(at);
    f = child;
    v = at + 1;
  }
  for (; v < m.varCount; v++) if (bits[v] !== def(v)) return false;
  return true;
}

/** minimalSat's dynamic programme over the nodes (kept in `pref.memo` when given). */
function solver(m: BddArena, pref: Preference) {
  const { vars, lows, highs } = m;
  const defaults = pref.defaults;
  const fieldOf = pref.fieldOf;
  const def = (v: number): number => (defaults?.[v] ? 1 : 0);
  const field = (v: number): number => (fieldOf ? fieldOf[v]! : v);
  const kept = pref.memo;
  if (kept && kept.costs.length < 2 * m.capacity) {
    const grown = new Int32Array(2 * m.capacity);
    grown.set(kept.costs);
    kept.costs = grown;
  }
  const table = kept?.costs;
  const local = table ? undefined : new Map<number, number>();
  // Taking `bit` at node n (variable v, default d): 1 when it makes n's field differ first,
  // plus the child's cost. The field of a variable already differs from its default (dirty)
  // iff the path changed an earlier variable of that same field. Depth ≤ varCount.
  const edge = (n: Bdd, v: number, d: number, dirty: boolean, bit: number): number => {
    const child = bit ? highs[n]! : lows[n]!;
    if (child <= TRUE)
      return child === TRUE ? (bit !== d && !dirty ? 1 : 0) : Number.POSITIVE_INFINITY;
    const changed = bit !== d;
    const childDirty = (dirty || changed) && field(vars[child]!) === field(v);
    return (changed && !dirty ? 1 : 0) + costOf(solve(child, childDirty));
  };
  // n's best choice, packed (packChoice): its cost and the bit to take, ties to the default.
  const solve = (n: Bdd, dirty: boolean): number => {
    const key = n * 2 + (dirty ? 1 : 0);
    const known = table ? table[key]! : (local!.get(key) ?? 0);
    if (known !== 0) return known;
    const v = vars[n]!;
    const d = def(v);
    const keep = edge(n, v, d, dirty, d);
    const flip = edge(n, v, d, dirty, d ^ 1);
    const p = keep <= flip ? packChoice(keep, d) : packChoice(flip, d ^ 1);
    if (table) table[key] = p;
    else local!.set(key, p);
    return p;
  };
  return { solve, def, field };
}

/** Cost of no satisfying path. */
const INF = 0x3ffffffe;

/** A node's best cost and bit in one non-zero int (0 marks "not solved yet"). */
const packChoice = (cost: number, bit: number): number => ((Math.min(cost, INF) + 1) << 1) | bit;

const costOf = (packed: number): number => {
  const c = (packed >> 1) - 1;
  return c >= INF ? Number.POSITIVE_INFINITY : c;
};

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
