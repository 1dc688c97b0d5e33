/**
 * Cubes, quantification and cofactors.
 *
 * A variable set or a partial assignment is passed around as a *cube*: the conjunction of its
 * literals, itself a BDD (a single path). Using a BDD id as the cache key lets one computed
 * cache serve every variable set (as CUDD does). Recursion depth is bounded by the variable
 * count, as in apply.ts.
 * @module
 */
import { and, not, or } from "./apply.js";
import {
  type Bdd,
  type BddArena,
  cacheGet,
  cachePut,
  checkVar,
  FALSE,
  mk,
  OP,
  TRUE,
} from "./arena.js";

/**
 * The conjunction of literals vars[i] = values[i] (values default to all 1).
 * @example cube(m, [0, 2]) // x0 ∧ x2;  cube(m, [0, 2], [1, 0]) // x0 ∧ ¬x2
 */
export function cube(m: BddArena, vars: readonly number[], values?: readonly number[]): Bdd {
  const lits = vars.map((v, i) => {
    checkVar(m, v);
    return { v, bit: values === undefined ? 1 : values[i] ? 1 : 0 };
  });
  lits.sort((a, b) => b.v - a.v); // build bottom-up: deepest variable first
  let r = TRUE;
  for (let i = 0; i < lits.length; i++) {
    const { v, bit } = lits[i]!;
    if (i > 0 && lits[i - 1]!.v === v) {
      if (lits[i - 1]!.bit !== bit) return FALSE; // x ∧ ¬x
      continue;
    }
    r = bit ? mk(m, v, FALSE, r) : mk(m, v, r, FALSE);
  }
  return r;
}

/** The rest of a cube below its top literal. */
function cubeRest(m: BddArena, c: Bdd): Bdd {
  const lo = m.lows[c]!;
  return lo === FALSE ? m.highs[c]! : lo;
}

/** ∃vars. f: the set f projected away from `vars` (they may then take any value). */
export function exists(m: BddArena, f: Bdd, vars: readonly number[]): Bdd {
  return existsCube(m, f, cube(m, vars));
}

/** ∃c. f for a positive cube `c` (as built by `cube(m, vars)`). */
export function existsCube(m: BddArena, f: Bdd, c: Bdd): Bdd {
  if (f <= TRUE) return f;
  const v = m.vars[f]!;
  while (c > TRUE && m.vars[c]! < v) c = cubeRest(m, c);
  if (c <= TRUE) return f;
  const hit = cacheGet(m, OP.exists, f, c, 0);
  if (hit >= 0) return hit;
  let r: Bdd;
  if (m.vars[c] === v) {
    const rest = cubeRest(m, c);
    const lo = existsCube(m, m.lows[f]!, rest);
    r = lo === TRUE ? TRUE : or(m, lo, existsCube(m, m.highs[f]!, rest));
  } else {
    const lo = existsCube(m, m.lows[f]!, c);
    r = mk(m, v, lo, existsCube(m, m.highs[f]!, c));
  }
  return cachePut(m, OP.exists, f, c, 0, r);
}

/** ∀vars. f, as ¬∃vars. ¬f (the complement is one linear pass each way). */
export function forall(m: BddArena, f: Bdd, vars: readonly number[]): Bdd {
  return not(m, exists(m, not(m, f), vars));
}

/**
 * f with the literals of cube `c` substituted (the generalised cofactor by a cube):
 * restrict(f, x0 ∧ ¬x2) = f[x0 := 1, x2 := 0]. The result does not depend on the cube's vars.
 */
export function restrict(m: BddArena, f: Bdd, c: Bdd): Bdd {
  if (c === FALSE) throw new RangeError("restrict by the empty cube");
  if (f <= TRUE) return f;
  const v = m.vars[f]!;
  while (c > TRUE && m.vars[c]! < v) c = cubeRest(m, c);
  if (c <= TRUE) return f;
  const hit = cacheGet(m, OP.restrict, f, c, 0);
  if (hit >= 0) return hit;
  let r: Bdd;
  if (m.vars[c] === v) {
    const positive = m.lows[c] === FALSE;
    r = restrict(m, positive ? m.highs[f]! : m.lows[f]!, cubeRest(m, c));
  } else {
    const lo = restrict(m, m.lows[f]!, c);
    r = mk(m, v, lo, restrict(m, m.highs[f]!, c));
  }
  return cachePut(m, OP.restrict, f, c, 0, r);
}

/** f[v := value], the Shannon cofactor on one variable. */
export function cofactor(m: BddArena, f: Bdd, v: number, value: 0 | 1): Bdd {
  return restrict(m, f, cube(m, [v], [value]));
}

/** ∃vars. (f ∧ g): the relational-product step of image computations (not fused yet). */
export function andExists(m: BddArena, f: Bdd, g: Bdd, vars: readonly number[]): Bdd {
  return exists(m, and(m, f, g), vars);
}
