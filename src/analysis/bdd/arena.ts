/**
 * The node store of a reduced ordered BDD: three parallel `Int32Array`s (var, low, high), an
 * open-addressing unique table that hash-conses every node, and a direct-mapped computed cache
 * shared by all operations. One arena per analysis: nodes are never freed one by one (no
 * reference counts, no garbage collection); `resetArena` empties the arena, or the analysis
 * drops it and makes a new one.
 *
 * Node ids are indexes into the table. 0 is the constant false, 1 the constant true; internal
 * nodes start at 2. Because every node is hash-consed and reduced (no node with low === high),
 * two BDDs over the same arena denote the same Boolean function iff their ids are equal.
 *
 * Variable order is the variable index: var 0 is the root-most. Terminals carry `TERMINAL_VAR`,
 * which is larger than every variable, so "the smaller var of f and g" picks the top variable.
 *
 * Operations read the arrays through the arena (`m.vars[f]`) every time and never keep an
 * array in a local across a call that can allocate: growing replaces the arrays.
 * @module
 */

/** A BDD: a node id in its arena. 0 = false, 1 = true. */
export type Bdd = number;

export const FALSE: Bdd = 0;
export const TRUE: Bdd = 1;

/** The var of the two terminals: below every real variable in the order. */
export const TERMINAL_VAR = 0x7fffffff;

/** Computed-cache operation tags (0 marks an empty cache slot). */
export const OP = {
  and: 1,
  or: 2,
  xor: 3,
  diff: 4,
  not: 5,
  ite: 6,
  exists: 7,
  restrict: 8,
  meets: 9,
} as const;

/** Largest variable count: keeps recursion depth (one frame per variable) far below the stack. */
export const MAX_VARS = 4096;

/** Default node limit (about 400 MB of tables); `createArena` takes another. */
export const DEFAULT_MAX_NODES = 1 << 25;

/** Ints per computed-cache slot: op, a, b, c, result. */
const SLOT = 5;

export interface BddArena {
  /** Variables are 0..varCount-1. */
  readonly varCount: number;
  /** Growing past this many nodes throws a RangeError. */
  readonly maxNodes: number;
  vars: Int32Array;
  lows: Int32Array;
  highs: Int32Array;
  /** Nodes in use, terminals included (ids 0..size-1). */
  size: number;
  /** Length of vars/lows/highs; a power of two. */
  capacity: number;
  /** Open-addressing table of node ids (0 = empty slot), 2 × capacity long. */
  unique: Int32Array;
  /** `capacity` slots of SLOT ints each. */
  cache: Int32Array;
}

export interface ArenaOptions {
  /** Initial node capacity, rounded up to a power of two (default 4096). */
  readonly initialNodes?: number;
  readonly maxNodes?: number;
}

/**
 * A new empty arena over `varCount` variables.
 * @example const m = createArena(8); mk(m, 0, FALSE, TRUE) // the BDD of x0
 */
export function createArena(varCount: number, opts: ArenaOptions = {}): BddArena {
  if (!Number.isInteger(varCount) || varCount < 0 || varCount > MAX_VARS)
    throw new RangeError(`variable count ${varCount} is not in 0..${MAX_VARS}`);
  let capacity = 4096;
  while (capacity < (opts.initialNodes ?? 0)) capacity *= 2;
  const m: BddArena = {
    varCount,
    maxNodes: opts.maxNodes ?? DEFAULT_MAX_NODES,
    vars: new Int32Array(capacity),
    lows: new Int32Array(capacity),
    highs: new Int32Array(capacity),
    size: 2,
    capacity,
    unique: new Int32Array(capacity * 2),
    cache: new Int32Array(capacity * SLOT),
  };
  initTerminals(m);
  return m;
}

function initTerminals(m: BddArena): void {
  m.vars[0] = TERMINAL_VAR;
  m.vars[1] = TERMINAL_VAR;
  m.lows[1] = 1;
  m.highs[1] = 1;
}

/** Forget every node but the terminals; ids handed out before are invalid afterwards. */
export function resetArena(m: BddArena): void {
  m.size = 2;
  m.unique.fill(0);
  m.cache.fill(0);
}

function hash3(a: number, b: number, c: number): number {
  const h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d);
  return h ^ (h >>> 15);
}

/**
 * The node (v ? high : low), reduced and hash-consed: returns `low` when both children are
 * equal, an existing node when one matches, else a new node. Children must sit below `v`.
 */
export function mk(m: BddArena, v: number, low: Bdd, high: Bdd): Bdd {
  if (low === high) return low;
  const mask = m.unique.length - 1;
  let i = hash3(v, low, high) & mask;
  for (;;) {
    const n = m.unique[i]!;
    if (n === 0) break;
    if (m.vars[n] === v && m.lows[n] === low && m.highs[n] === high) return n;
    i = (i + 1) & mask;
  }
  if (m.size === m.capacity) {
    grow(m);
    return mk(m, v, low, high);
  }
  const n = m.size++;
  m.vars[n] = v;
  m.lows[n] = low;
  m.highs[n] = high;
  m.unique[i] = n;
  return n;
}

/** Double every table. Node ids stay valid; the computed cache starts empty again. */
function grow(m: BddArena): void {
  const capacity = m.capacity * 2;
  if (capacity > m.maxNodes)
    throw new RangeError(`BDD arena is full (${m.capacity} nodes, limit ${m.maxNodes})`);
  m.vars = copyInto(new Int32Array(capacity), m.vars);
  m.lows = copyInto(new Int32Array(capacity), m.lows);
  m.highs = copyInto(new Int32Array(capacity), m.highs);
  m.capacity = capacity;
  m.unique = new Int32Array(capacity * 2);
  const mask = m.unique.length - 1;
  for (let n = 2; n < m.size; n++) {
    let i = hash3(m.vars[n]!, m.lows[n]!, m.highs[n]!) & mask;
    while (m.unique[i] !== 0) i = (i + 1) & mask;
    m.unique[i] = n;
  }
  m.cache = new Int32Array(capacity * SLOT);
}

function copyInto(to: Int32Array, from: Int32Array): Int32Array {
  to.set(from);
  return to;
}

function slotOf(m: BddArena, op: number, a: number, b: number, c: number): number {
  const h = hash3(a, b, c) ^ Math.imul(op, 0x27d4eb2f);
  return (h & (m.capacity - 1)) * SLOT;
}

/**
 * The computed-cache slot of op(a, b, c): an operation reads it before recursing and writes
 * the same slot after (`cacheAt`, `cacheSet`), hashing once. A slot taken before the tables
 * grew still lies inside the new cache: the entry written there is only never found.
 */
export const cacheSlot = slotOf;

/** The result cached in slot `s` for op(a, b, c), or -1. */
export function cacheAt(
  m: BddArena,
  s: number,
  op: number,
  a: number,
  b: number,
  c: number,
): number {
  const t = m.cache;
  if (t[s] === op && t[s + 1] === a && t[s + 2] === b && t[s + 3] === c) return t[s + 4]!;
  return -1;
}

/** Remember op(a, b, c) = r in slot `s` (overwrites whatever shared it). Returns r. */
export function cacheSet(
  m: BddArena,
  s: number,
  op: number,
  a: number,
  b: number,
  c: number,
  r: Bdd,
): Bdd {
  const t = m.cache;
  t[s] = op;
  t[s + 1] = a;
  t[s + 2] = b;
  t[s + 3] = c;
  t[s + 4] = r;
  return r;
}

/** The cached result of op(a, b, c), or -1. */
export function cacheGet(m: BddArena, op: number, a: number, b: number, c: number): number {
  return cacheAt(m, slotOf(m, op, a, b, c), op, a, b, c);
}

/** Remember op(a, b, c) = r (overwrites whatever shared the slot). Returns r. */
export function cachePut(m: BddArena, op: number, a: number, b: number, c: number, r: Bdd): Bdd {
  return cacheSet(m, slotOf(m, op, a, b, c), op, a, b, c, r);
}

/** Throw unless `v` is a variable of the arena. */
export function checkVar(m: BddArena, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v >= m.varCount)
    throw new RangeError(`variable ${v} is not in 0..${m.varCount - 1}`);
}

/**
 * The BDD of the single variable `v` (true where v = 1).
 * @example variable(m, 3) // x3
 */
export function variable(m: BddArena, v: number): Bdd {
  checkVar(m, v);
  return mk(m, v, FALSE, TRUE);
}

/** The BDD of ¬v (true where v = 0). */
export function notVariable(m: BddArena, v: number): Bdd {
  checkVar(m, v);
  return mk(m, v, TRUE, FALSE);
}

/** Number of distinct nodes reachable from `f`, terminals included. */
export function nodeCount(m: BddArena, f: Bdd): number {
  const seen = new Set<number>();
  const stack = [f];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n > 1) stack.push(m.lows[n]!, m.highs[n]!);
  }
  return seen.size;
}
