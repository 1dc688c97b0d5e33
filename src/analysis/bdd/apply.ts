/**
 * The Boolean connectives: not, and, or, xor, diff, ite, and the tests built on canonicity
 * (equal, implies, disjoint).
 *
 * Each operation is the textbook Shannon recursion (Bryant 1986, "apply"): settle the terminal
 * cases, look in the computed cache, split both operands on the top variable, recurse on the
 * two cofactors, `mk` the result. Every call descends at least one variable, so recursion depth
 * is at most `varCount + 1` (≤ MAX_VARS), never the size of the BDD.
 * @module
 */
import {
  type Bdd,
  type BddArena,
  cacheAt,
  cacheSet,
  cacheSlot,
  FALSE,
  mk,
  OP,
  TRUE,
} from "./arena.js";

/** ¬f. */
export function not(m: BddArena, f: Bdd): Bdd {
  if (f <= TRUE) return f ^ 1;
  const slot = cacheSlot(m, OP.not, f, 0, 0);
  const hit = cacheAt(m, slot, OP.not, f, 0, 0);
  if (hit >= 0) return hit;
  const lo = not(m, m.lows[f]!);
  const hi = not(m, m.highs[f]!);
  return cacheSet(m, slot, OP.not, f, 0, 0, mk(m, m.vars[f]!, lo, hi));
}

/** f ∧ g. */
export function and(m: BddArena, f: Bdd, g: Bdd): Bdd {
  if (f === FALSE || g === FALSE) return FALSE;
  if (f === TRUE || f === g) return g;
  if (g === TRUE) return f;
  if (f > g) return and(m, g, f); // commutative: one cache entry per pair
  const slot = cacheSlot(m, OP.and, f, g, 0);
  const hit = cacheAt(m, slot, OP.and, f, g, 0);
  if (hit >= 0) return hit;
  const vf = m.vars[f]!;
  const vg = m.vars[g]!;
  const v = vf < vg ? vf : vg;
  const lo = and(m, vf === v ? m.lows[f]! : f, vg === v ? m.lows[g]! : g);
  const hi = and(m, vf === v ? m.highs[f]! : f, vg === v ? m.highs[g]! : g);
  return cacheSet(m, slot, OP.and, f, g, 0, mk(m, v, lo, hi));
}

/** f ∨ g. */
export function or(m: BddArena, f: Bdd, g: Bdd): Bdd {
  if (f === TRUE || g === TRUE) return TRUE;
  if (f === FALSE || f === g) return g;
  if (g === FALSE) return f;
  if (f > g) return or(m, g, f);
  const slot = cacheSlot(m, OP.or, f, g, 0);
  const hit = cacheAt(m, slot, OP.or, f, g, 0);
  if (hit >= 0) return hit;
  const vf = m.vars[f]!;
  const vg = m.vars[g]!;
  const v = vf < vg ? vf : vg;
  const lo = or(m, vf === v ? m.lows[f]! : f, vg === v ? m.lows[g]! : g);
  const hi = or(m, vf === v ? m.highs[f]! : f, vg === v ? m.highs[g]! : g);
  return cacheSet(m, slot, OP.or, f, g, 0, mk(m, v, lo, hi));
}

/** f ⊕ g. */
export function xor(m: BddArena, f: Bdd, g: Bdd): Bdd {
  if (f === g) return FALSE;
  if (f === FALSE) return g;
  if (g === FALSE) return f;
  if (f === TRUE) return not(m, g);
  if (g === TRUE) return not(m, f);
  if (f > g) return xor(m, g, f);
  const slot = cacheSlot(m, OP.xor, f, g, 0);
  const hit = cacheAt(m, slot, OP.xor, f, g, 0);
  if (hit >= 0) return hit;
  const vf = m.vars[f]!;
  const vg = m.vars[g]!;
  const v = vf < vg ? vf : vg;
  const lo = xor(m, vf === v ? m.lows[f]! : f, vg === v ? m.lows[g]! : g);
  const hi = xor(m, vf === v ? m.highs[f]! : f, vg === v ? m.highs[g]! : g);
  return cacheSet(m, slot, OP.xor, f, g, 0, mk(m, v, lo, hi));
}

/** f ∧ ¬g: the packets of f that g does not take. */
export function diff(m: BddArena, f: Bdd, g: Bdd): Bdd {
  if (f === FALSE || g === TRUE || f === g) return FALSE;
  if (g === FALSE) return f;
  if (f === TRUE) return not(m, g);
  const slot = cacheSlot(m, OP.diff, f, g, 0);
  const hit = cacheAt(m, slot, OP.diff, f, g, 0);
  if (hit >= 0) return hit;
  const vf = m.vars[f]!;
  const vg = m.vars[g]!;
  const v = vf < vg ? vf : vg;
  const lo = diff(m, vf === v ? m.lows[f]! : f, vg === v ? m.lows[g]! : g);
  const hi = diff(m, vf === v ? m.highs[f]! : f, vg === v ? m.highs[g]! : g);
  return cacheSet(m, slot, OP.diff, f, g, 0, mk(m, v, lo, hi));
}

/** if f then g else h, i.e. (f ∧ g) ∨ (¬f ∧ h). */
export function ite(m: BddArena, f: Bdd, g: Bdd, h: Bdd): Bdd {
  if (f === TRUE || g === h) return g;
  if (f === FALSE) return h;
  if (g === TRUE && h === FALSE) return f;
  if (g === FALSE && h === TRUE) return not(m, f);
  if (g === TRUE || g === f) return or(m, f, h);
  if (h === FALSE || h === f) return and(m, f, g);
  const slot = cacheSlot(m, OP.ite, f, g, h);
  const hit = cacheAt(m, slot, OP.ite, f, g, h);
  if (hit >= 0) return hit;
  const vf = m.vars[f]!;
  const vg = m.vars[g]!;
  const vh = m.vars[h]!;
  const v = Math.min(vf, vg, vh);
  const lo = ite(
    m,
    vf === v ? m.lows[f]! : f,
    vg === v ? m.lows[g]! : g,
    vh === v ? m.lows[h]! : h,
  );
  const hi = ite(
    m,
    vf === v ? m.highs[f]! : f,
    vg === v ? m.highs[g]! : g,
    vh === v ? m.highs[h]! : h,
  );
  return cacheSet(m, slot, OP.ite, f, g, h, mk(m, v, lo, hi));
}

/** f ≡ g. Canonical form makes this an integer compare (same arena only). */
export function equal(f: Bdd, g: Bdd): boolean {
  return f === g;
}

/** f → g holds for every assignment (f ⊆ g as packet sets). */
export function implies(m: BddArena, f: Bdd, g: Bdd): boolean {
  return diff(m, f, g) === FALSE;
}

/** f ∧ g is unsatisfiable (the packet sets do not overlap). */
export function disjoint(m: BddArena, f: Bdd, g: Bdd): boolean {
  return !meets(m, f, g);
}

/**
 * f ∧ g is satisfiable, without building f ∧ g: the recursion stops at the first common
 * path, so a set meeting a short one (a prefix) costs that path's length, and no node is made.
 */
export function meets(m: BddArena, f: Bdd, g: Bdd): boolean {
  for (;;) {
    if (f === FALSE || g === FALSE) return false;
    if (f === TRUE || g === TRUE || f === g) return true;
    const vf = m.vars[f]!;
    const vg = m.vars[g]!;
    const v = vf < vg ? vf : vg;
    const f0 = vf === v ? m.lows[f]! : f;
    const f1 = vf === v ? m.highs[f]! : f;
    const g0 = vg === v ? m.lows[g]! : g;
    const g1 = vg === v ? m.highs[g]! : g;
    // One side empty: follow the other without branching (a prefix's path), uncached.
    if (f0 === FALSE || g0 === FALSE) {
      [f, g] = [f1, g1];
      continue;
    }
    if (f1 === FALSE || g1 === FALSE) {
      [f, g] = [f0, g0];
      continue;
    }
    const [a, b] = f < g ? [f, g] : [g, f];
    const slot = cacheSlot(m, OP.meets, a, b, 0);
    const hit = cacheAt(m, slot, OP.meets, a, b, 0);
    if (hit >= 0) return hit === TRUE;
    const r = meets(m, f0, g0) || meets(m, f1, g1);
    cacheSet(m, slot, OP.meets, a, b, 0, r ? TRUE : FALSE);
    return r;
  }
}

/** ⋁ fs (FALSE for none), folded pairwise so intermediate BDDs stay balanced in size. */
export function orAll(m: BddArena, fs: readonly Bdd[]): Bdd {
  return fold(m, fs, or, FALSE);
}

/** ⋀ fs (TRUE for none). */
export function andAll(m: BddArena, fs: readonly Bdd[]): Bdd {
  return fold(m, fs, and, TRUE);
}

function fold(
  m: BddArena,
  fs: readonly Bdd[],
  op: (m: BddArena, f: Bdd, g: Bdd) => Bdd,
  unit: Bdd,
): Bdd {
  if (fs.length === 0) return unit;
  let level = fs.slice();
  while (level.length > 1) {
    const next: Bdd[] = [];
    for (let i = 0; i < level.length; i += 2)
      next.push(i + 1 < level.length ? op(m, level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}
