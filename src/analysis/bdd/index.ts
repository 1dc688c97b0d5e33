/**
 * A small reduced ordered BDD (Bryant 1986) for exact sets of packets, in the spirit of the
 * BDD engines of Batfish (`bddreachability/`), Atomic Predicates and APKeep.
 *
 * **Representation.** A `BddArena` holds every node of one analysis in three `Int32Array`s
 * (`vars`, `lows`, `highs`) indexed by node id, an open-addressing unique table that
 * hash-conses `(var, low, high)`, and one direct-mapped computed cache shared by all
 * operations. Node 0 is false, node 1 is true. The BDD is reduced (no node with
 * low === high) and hash-consed, so it is canonical: two functions are equal iff their ids
 * are equal, `equal` is `===`, and "is this set empty" is `f === FALSE`. There is no
 * reference counting or garbage collection: an analysis builds into one arena and throws it
 * away (or `resetArena`s it). Tables double when full.
 *
 * **Variable order** is the variable index (0 = root-most); there is no dynamic reordering.
 * For packets, `../header.ts` lays the fields out as family (1 bit), dst (128, IPv4 in the top
 * 32 bits), src (128), iif, oif, fwmark, uid, ipproto, sport, dport, tos, ctmark, ctstate,
 * each most significant bit first. Destination prefix bits come first because every route
 * lookup is a longest-prefix match on dst: a routing table then is a BDD shaped like its
 * prefix trie, with the other selectors as small shared sub-BDDs below it.
 *
 * **Operations** are free functions taking the arena: `not`, `and`, `or`, `xor`, `diff`,
 * `ite`, `implies`, `exists`, `forall`, `restrict`/`cofactor`, `satCount`, `pickOne`,
 * `minimalSat` (the witness that changes the fewest fields), `cubes`. They recurse once per
 * variable level, so the stack depth is bounded by the variable count (≤ MAX_VARS; a packet
 * header has about 420), never by the size of the BDD.
 *
 * Invalid arguments (a variable outside the arena, an arena past its node limit) throw a
 * RangeError: they are bugs or resource limits of the caller, not user input errors.
 *
 * @example
 * ```ts
 * import { and, createArena, not, or, satCount, variable } from "./index.js";
 * const m = createArena(3);
 * const [x0, x1] = [variable(m, 0), variable(m, 1)];
 * const f = or(m, and(m, x0, x1), and(m, x0, not(m, x1))); // x0 ∧ (x1 ∨ ¬x1)
 * f === x0;            // true: equal functions have equal ids
 * satCount(m, f, 3);   // 4n: x0 = 1, x1 and x2 free
 * ```
 * @module
 */
export {
  and,
  andAll,
  diff,
  disjoint,
  equal,
  implies,
  ite,
  meets,
  not,
  or,
  orAll,
  xor,
} from "./apply.js";
export {
  type ArenaOptions,
  type Bdd,
  type BddArena,
  createArena,
  FALSE,
  MAX_VARS,
  mk,
  nodeCount,
  notVariable,
  resetArena,
  TRUE,
  variable,
} from "./arena.js";
export { andExists, cofactor, cube, exists, existsCube, forall, restrict } from "./quantify.js";
export {
  type Cubes,
  cubes,
  evaluate,
  minimalSat,
  type Preference,
  pickOne,
  satCount,
} from "./sat.js";
