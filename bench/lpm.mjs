// Longest-prefix-match benchmarks over BGP-like random tables (fixed-seed xorshift).
// The project bench runner imports these after `npm run build` and prints the table; nothing
// here prints. Every function returns plain numbers.
//
//   benchLpm4({ prefixes: 1_000_000, lookups: 10_000_000 })  DIR-24-8
//   benchLpm6({ prefixes: 200_000, lookups: 2_000_000 })     multibit trie, lookup6w
//   benchChange({ prefixes4, prefixes6, changes })            insert/remove cost on full tables
//
// Lookup sets are half "hit" (a random address inside a random table prefix) and half
// "uniform" (uniform over 2^32 for v4, uniform inside a random RIR block such as 2a00::/12 for v6),
// timed separately after a warm-up.
import { Lpm4Dir248, Lpm6Multibit } from "#fib";

/** xorshift32 with a fixed seed; returns uint32. */
function rng(seed = 0x9e3779b9) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** Pick from [[value, weight], ...] with u uniform in [0,1). */
function weighted(table) {
  const total = table.reduce((s, [, w]) => s + w, 0);
  const cum = [];
  let acc = 0;
  for (const [v, w] of table) {
    acc += w / total;
    cum.push([v, acc]);
  }
  return (u) => {
    for (const [v, c] of cum) if (u < c) return v;
    return cum[cum.length - 1][0];
  };
}

// IPv4 length mix of a BGP full table (analysis-perf-ts-anchors.md B.2).
const LEN4 = weighted([
  [24, 62.6],
  [22, 11.5],
  [23, 10],
  [21, 4.5],
  [20, 4],
  [19, 2.5],
  [18, 1.6],
  [17, 1.0],
  [16, 1.0],
  [15, 0.15],
  [14, 0.1],
  [13, 0.08],
  [12, 0.07],
  [11, 0.04],
  [10, 0.03],
  [9, 0.02],
  [8, 0.01],
  [25, 0.1],
  [26, 0.1],
  [27, 0.1],
  [28, 0.1],
  [29, 0.1],
  [30, 0.1],
  [31, 0.05],
  [32, 0.15],
]);

const mask4 = (len) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);

/** `n` distinct IPv4 prefixes: { addr: Uint32Array, len: Uint8Array }. */
export function genPrefixes4(n, seed = 1) {
  const r = rng(seed),
    addr = new Uint32Array(n),
    len = new Uint8Array(n),
    seen = new Set();
  for (let i = 0; i < n; ) {
    const l = LEN4(r() / 2 ** 32),
      a = (r() & mask4(l)) >>> 0,
      k = a * 64 + l;
    if (seen.has(k)) continue;
    seen.add(k);
    addr[i] = a;
    len[i] = l;
    i++;
  }
  return { addr, len };
}

// IPv6: allocations (/29-/32) inside the RIR blocks, most prefixes being more-specifics of them.
const RIR6 = weighted([
  [0x2001, 20],
  [0x2400, 18],
  [0x2600, 20],
  [0x2800, 8],
  [0x2a00, 30],
  [0x2c00, 4],
]);
const ALLOC6 = weighted([
  [32, 70],
  [29, 20],
  [31, 4],
  [30, 3],
  [28, 3],
]);
const LEN6 = weighted([
  [48, 45],
  [32, 15],
  [44, 9],
  [40, 8],
  [36, 4],
  [29, 4],
  [46, 2],
  [47, 2],
  [45, 1.5],
  [42, 1.5],
  [43, 1],
  [41, 1],
  [38, 1],
  [33, 0.7],
  [34, 0.6],
  [35, 0.7],
  [37, 0.5],
  [39, 0.5],
  [56, 1],
  [64, 0.8],
  [128, 0.2],
]);

/** `n` distinct IPv6 prefixes: { words: Uint32Array(4n), len: Uint8Array }. */
export function genPrefixes6(n, seed = 2) {
  const r = rng(seed),
    u = () => r() / 2 ** 32;
  const nAlloc = Math.max(1, Math.ceil(n / 6));
  const allocW0 = new Uint32Array(nAlloc),
    allocLen = new Uint8Array(nAlloc);
  for (let i = 0; i < nAlloc; i++) {
    const block = RIR6(u()),
      l = ALLOC6(u()),
      blockBits = block === 0x2001 ? 16 : 12;
    // random bits between the block and the allocation length, all inside word 0
    const rnd = r() & (0xffffffff >>> blockBits);
    allocW0[i] = ((block << 16) | rnd) & mask4(l);
    allocLen[i] = l;
  }
  const words = new Uint32Array(4 * n),
    len = new Uint8Array(n),
    seen = new Set();
  for (let i = 0; i < n; ) {
    const ai = Math.floor(nAlloc * u() * u()); // skewed: big allocations carry many more-specifics
    let l = LEN6(u());
    if (l < allocLen[ai]) l = allocLen[ai];
    // the allocation's bits, random ones below it, then cut to l
    const w = [(allocW0[ai] | (r() & ~mask4(allocLen[ai]))) >>> 0, r(), r(), r()];
    for (let k = 0; k < 4; k++) {
      const b = Math.min(32, Math.max(0, l - 32 * k));
      w[k] = (w[k] & mask4(b)) >>> 0;
    }
    const key = `${w[0]}:${w[1]}:${w[2]}:${w[3]}/${l}`;
    if (seen.has(key)) continue;
    seen.add(key);
    words.set(w, 4 * i);
    len[i] = l;
    i++;
  }
  return { words, len };
}

const big6 = (w, i) =>
  (BigInt(w[i]) << 96n) | (BigInt(w[i + 1]) << 64n) | (BigInt(w[i + 2]) << 32n) | BigInt(w[i + 3]);

function gc() {
  if (typeof globalThis.gc === "function") {
    globalThis.gc();
    globalThis.gc();
  }
}
function mem() {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
const MiB = 1024 * 1024;

// Each timed loop is compiled on its own (new Function) so its call site only ever sees one
// backend class: a shared loop over several classes runs ~4x slower (reference doc B.2).
const loop4 = () =>
  new Function(
    "t",
    "q",
    "let s = 0; for (let i = 0; i < q.length; i++) s += t.lookup(q[i]); return s;",
  );
const loop6 = () =>
  new Function(
    "t",
    "q",
    "let s = 0; for (let i = 0; i < q.length; i += 4) " +
      "s += t.lookup6w(q[i], q[i + 1], q[i + 2], q[i + 3]); return s;",
  );

/** Time `fn(t, q)` (already warmed up): best of `reps` runs, in lookups per second. */
function rate(fn, t, q, count, reps = 3) {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    fn(t, q);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return count / best;
}

/** IPv4 DIR-24-8 on `prefixes` BGP-like prefixes, `lookups` queries (half hit, half uniform). */
export async function benchLpm4({ prefixes = 1_000_000, lookups = 10_000_000, seed = 1 } = {}) {
  const { addr, len } = genPrefixes4(prefixes, seed);
  const r = rng(seed + 100),
    half = lookups >>> 1;
  const hit = new Uint32Array(half),
    uni = new Uint32Array(half);
  for (let i = 0; i < half; i++) {
    const j = r() % prefixes;
    hit[i] = (addr[j] | (r() & ~mask4(len[j]))) >>> 0;
    uni[i] = r();
  }
  gc();
  const m0 = mem();
  const t0 = performance.now();
  const t = new Lpm4Dir248();
  for (let i = 0; i < prefixes; i++) t.insert(addr[i], len[i], i);
  const buildMs = performance.now() - t0;
  gc();
  const heapMiB = (mem() - m0) / MiB;
  const fh = loop4(),
    fu = loop4();
  fh(t, hit);
  fu(t, uni);
  const hitPerSec = rate(fh, t, hit, half),
    uniformPerSec = rate(fu, t, uni, half);
  return {
    prefixes,
    lookups: 2 * half,
    buildMs,
    heapMiB,
    structMiB: t.bytes / MiB,
    tbl8Groups: t.nodeCount,
    perSec: 2 / (1 / hitPerSec + 1 / uniformPerSec),
    hitPerSec,
    uniformPerSec,
  };
}

/** IPv6 multibit trie on `prefixes` BGP-like prefixes, `lookups` lookup6w queries. */
export async function benchLpm6({ prefixes = 200_000, lookups = 2_000_000, seed = 2 } = {}) {
  const { words, len } = genPrefixes6(prefixes, seed);
  const addrs = new Array(prefixes);
  for (let i = 0; i < prefixes; i++) addrs[i] = big6(words, 4 * i);
  const r = rng(seed + 100),
    half = lookups >>> 1;
  const hit = new Uint32Array(4 * half),
    uni = new Uint32Array(4 * half);
  for (let i = 0; i < half; i++) {
    const j = r() % prefixes,
      l = len[j];
    for (let k = 0; k < 4; k++) {
      const b = Math.min(32, Math.max(0, l - 32 * k));
      hit[4 * i + k] = (words[4 * j + k] | (r() & ~mask4(b))) >>> 0;
    }
    // uniform inside a random RIR block (2000::/3 is mostly empty)
    const block = RIR6(r() / 2 ** 32);
    uni[4 * i] = ((block << 16) | (r() & (block === 0x2001 ? 0xffff : 0xfffff))) >>> 0;
    uni[4 * i + 1] = r();
    uni[4 * i + 2] = r();
    uni[4 * i + 3] = r();
  }
  gc();
  const m0 = mem();
  const t0 = performance.now();
  const t = new Lpm6Multibit();
  for (let i = 0; i < prefixes; i++) t.insert(addrs[i], len[i], i);
  const buildMs = performance.now() - t0;
  gc();
  const heapMiB = (mem() - m0) / MiB;
  const fh = loop6(),
    fu = loop6();
  fh(t, hit);
  fu(t, uni);
  const hitPerSec = rate(fh, t, hit, half),
    uniformPerSec = rate(fu, t, uni, half);
  return {
    prefixes,
    lookups: 2 * half,
    buildMs,
    heapMiB,
    structMiB: t.bytes / MiB,
    nodes: t.nodeCount,
    perSec: 2 / (1 / hitPerSec + 1 / uniformPerSec),
    hitPerSec,
    uniformPerSec,
  };
}

/**
 * Route churn on full tables: `changes` new BGP-like prefixes inserted one by one into a
 * `prefixes4` (v4) / `prefixes6` (v6) table, then removed again. Average µs per operation.
 */
export async function benchChange({
  prefixes4 = 1_000_000,
  prefixes6 = 200_000,
  changes = 100_000,
  seed = 3,
} = {}) {
  const out = {};
  {
    const { addr, len } = genPrefixes4(prefixes4 + changes, seed);
    const t = new Lpm4Dir248();
    for (let i = 0; i < prefixes4; i++) t.insert(addr[i], len[i], i);
    let t0 = performance.now();
    for (let i = prefixes4; i < prefixes4 + changes; i++) t.insert(addr[i], len[i], i);
    out.v4InsertUs = ((performance.now() - t0) * 1000) / changes;
    t0 = performance.now();
    for (let i = prefixes4; i < prefixes4 + changes; i++) t.remove(addr[i], len[i]);
    out.v4RemoveUs = ((performance.now() - t0) * 1000) / changes;
  }
  {
    const { words, len } = genPrefixes6(prefixes6 + changes, seed);
    const addrs = new Array(prefixes6 + changes);
    for (let i = 0; i < addrs.length; i++) addrs[i] = big6(words, 4 * i);
    const t = new Lpm6Multibit();
    for (let i = 0; i < prefixes6; i++) t.insert(addrs[i], len[i], i);
    let t0 = performance.now();
    for (let i = prefixes6; i < prefixes6 + changes; i++) t.insert(addrs[i], len[i], i);
    out.v6InsertUs = ((performance.now() - t0) * 1000) / changes;
    t0 = performance.now();
    for (let i = prefixes6; i < prefixes6 + changes; i++) t.remove(addrs[i], len[i]);
    out.v6RemoveUs = ((performance.now() - t0) * 1000) / changes;
  }
  out.changes = changes;
  return out;
}
