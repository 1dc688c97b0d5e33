import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { words6 } from "./bits.js";
import { AutoLpm4, type AutoLpm6, createLpm, SMALL_MAX } from "./create.js";
import { Lpm4Dir248, Lpm4Multibit, Lpm6Multibit } from "./multibit.js";
import { ReferenceLpm } from "./reference.js";
import { Lpm4Small, Lpm6Small } from "./small.js";
import type { Lpm, Lpm6 } from "./types.js";

type Width = 32 | 128;
interface P {
  a: bigint;
  len: number;
}
interface Op {
  del: boolean;
  p: P;
  pick: number;
}

const mask = (w: Width, len: number): bigint =>
  len === 0 ? 0n : (((1n << BigInt(w)) - 1n) >> BigInt(w - len)) << BigInt(w - len);
const ALL = (w: Width): bigint => (1n << BigInt(w)) - 1n;

const BASES: Record<Width, bigint[]> = {
  32: [0n, 0x0a000000n, 0x0a010200n, 0xc0a80100n, 0x80000000n, 0xffffffffn],
  128: [
    0n,
    0x20010db8n << 96n,
    (0x20010db8n << 96n) | (0xabcdn << 80n),
    0xffffn << 32n,
    0xfe80n << 112n,
    ALL(128),
    1n << 127n,
  ],
};

/**
 * Addresses clustered around a few bases so that random prefixes nest a lot: the base is
 * flipped either in random low bits or in a narrow window of bits around a hot length.
 */
function addrArb(w: Width): fc.Arbitrary<bigint> {
  const bases = BASES[w];
  const at =
    w === 32
      ? [0, 8, 14, 16, 20, 22, 24, 26, 28, 30]
      : [0, 12, 16, 20, 24, 28, 32, 36, 44, 48, 60, 64, 96, 116, 124];
  const noise = fc.oneof(
    fc
      .tuple(fc.bigInt({ min: 0n, max: ALL(w) }), fc.integer({ min: 0, max: w }))
      .map(([r, s]) => r >> BigInt(s)),
    fc
      .tuple(
        fc.bigInt({ min: 0n, max: 4095n }),
        fc.constantFrom(...at),
        fc.integer({ min: 1, max: 12 }),
      )
      .map(
        ([r, p, n]) => ((r & ((1n << BigInt(n)) - 1n)) << BigInt(Math.max(0, w - p - n))) & ALL(w),
      ),
  );
  return fc.tuple(fc.constantFrom(...bases), noise).map(([b, r]) => b ^ r);
}
/** `rareShort`: lengths 1..7 (2^17..2^23 entry rewrites in DIR-24-8) only now and then. */
function lenArb(w: Width, rareShort = false): fc.Arbitrary<number> {
  if (rareShort)
    return fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 7 }), weight: 1 },
      { arbitrary: fc.constant(0), weight: 1 },
      { arbitrary: fc.integer({ min: 8, max: 32 }), weight: 12 },
      { arbitrary: fc.constantFrom(16, 23, 24, 25, 32), weight: 6 },
    );
  const hot =
    w === 32
      ? [0, 1, 8, 15, 16, 17, 20, 23, 24, 25, 28, 31, 32]
      : [0, 1, 15, 16, 17, 24, 25, 32, 33, 36, 47, 48, 64, 96, 127, 128];
  return fc.oneof(fc.integer({ min: 0, max: w }), fc.constantFrom(...hot));
}
/**
 * Prefixes: a clustered address cut to a random length, or a base with a few random bits just above
 * the cut (siblings, cousins).
 */
function prefixArb(w: Width, rareShort = false): fc.Arbitrary<P> {
  const near = fc
    .tuple(
      fc.constantFrom(...BASES[w]),
      lenArb(w, rareShort),
      fc.bigInt({ min: 0n, max: 0x3fffn }),
      fc.integer({ min: 0, max: 14 }),
    )
    .map(([b, len, r, k]) => ({
      a: b ^ ((r & ((1n << BigInt(Math.min(k, len))) - 1n)) << BigInt(w - len)),
      len,
    }));
  const far = fc.tuple(addrArb(w), lenArb(w, rareShort)).map(([a, len]) => ({ a, len }));
  return fc
    .oneof({ arbitrary: near, weight: 2 }, { arbitrary: far, weight: 1 })
    .map(({ a, len }) => ({ a: a & mask(w, len), len }));
}
function opsArb(w: Width, maxLength: number, rareShort = false): fc.Arbitrary<Op[]> {
  return fc.array(
    fc.record({ del: fc.boolean(), p: prefixArb(w, rareShort), pick: fc.nat(1000) }),
    { maxLength, size: "max" },
  );
}

/** Probe addresses: the edges of every prefix plus some random ones. */
function probes(w: Width, ps: P[], extra: bigint[]): bigint[] {
  const all = ALL(w),
    out = new Set<bigint>(extra);
  out.add(0n);
  out.add(all);
  for (const { a, len } of ps) {
    const last = a | (all & ~mask(w, len));
    for (const x of [a, last, (a - 1n) & all, (last + 1n) & all, a + (last - a) / 2n]) out.add(x);
  }
  return [...out];
}

/** Drive `impl` and the reference with the same operations and compare everything observable. */
function check<A extends number | bigint>(
  w: Width,
  impl: Lpm<A>,
  ops: Op[],
  extra: bigint[],
): void {
  const conv = (x: bigint): A => (w === 32 ? Number(x) : x) as A;
  const ref = new ReferenceLpm<A>(w);
  const seen: P[] = [];
  const liveIds = new Set<number>();
  const freshId = (pick: number): number => {
    let id = pick % 300;
    while (liveIds.has(id)) id++;
    return id;
  };
  for (const op of ops) {
    seen.push(op.p);
    if (op.del) {
      const live: P[] = [];
      ref.forEach((a, len) => live.push({ a: BigInt(a), len }));
      const p = live.length > 0 && op.pick % 4 !== 0 ? live[op.pick % live.length]! : op.p;
      const id = ref.get(conv(p.a), p.len);
      const r = ref.remove(conv(p.a), p.len);
      expect(impl.remove(conv(p.a), p.len)).toBe(r);
      if (r) liveIds.delete(id);
    } else {
      const old = ref.get(conv(op.p.a), op.p.len);
      const id = old >= 0 && op.pick % 3 === 0 ? old : freshId(op.pick);
      ref.insert(conv(op.p.a), op.p.len, id);
      impl.insert(conv(op.p.a), op.p.len, id);
      if (old >= 0) liveIds.delete(old);
      liveIds.add(id);
    }
    expect(impl.size).toBe(ref.size);
  }
  const live: [string, number, number][] = [],
    got: [string, number, number][] = [];
  ref.forEach((a, len, id) => live.push([String(a), len, id]));
  impl.forEach((a, len, id) => got.push([String(a), len, id]));
  expect(got.sort()).toEqual(live.sort());
  for (const [a, len, id] of live) expect(impl.get(conv(BigInt(a)), len)).toBe(id);
  for (const p of seen) expect(impl.get(conv(p.a), p.len)).toBe(ref.get(conv(p.a), p.len));
  for (const x of probes(w, seen, extra)) {
    const want = ref.lookup(conv(x));
    expect(impl.lookup(conv(x))).toBe(want);
    if (w === 128) expect((impl as unknown as Lpm6).lookup6w(...words6(x))).toBe(want);
  }
  for (let id = 0; id < 310; id++) expect(impl.parentOf(id)).toBe(ref.parentOf(id));
  // Empty it again: every removal must restore the covering prefixes.
  for (const [a, len] of live) expect(impl.remove(conv(BigInt(a)), len)).toBe(true);
  expect(impl.size).toBe(0);
  for (const x of probes(w, seen.slice(0, 5), extra)) expect(impl.lookup(conv(x))).toBe(-1);
}

/**
 * Backends are reused across runs (a DIR-24-8 is 64 MiB): `check` empties them, and a failed
 * run clears them. Emptying must also have freed every trie node.
 */
function runAll<A extends number | bigint>(
  w: Width,
  t: Lpm<A> & { nodeCount?: number },
  numRuns: number,
  rareShort = false,
): void {
  fc.assert(
    fc.property(
      opsArb(w, w === 32 ? 50 : 40, rareShort),
      fc.array(addrArb(w), { maxLength: 20 }),
      (ops, extra) => {
        let ok = false;
        try {
          check<A>(w, t, ops, extra);
          if (t.nodeCount !== undefined) expect(t.nodeCount).toBe(0);
          ok = true;
        } finally {
          if (!ok) t.clear();
        }
      },
    ),
    { seed: 42, numRuns },
  );
}

// lookup, lookup6w, parentOf, get, forEach and size all compared.
describe("backends agree with the reference on random tables", () => {
  // DIR-24-8 shares its update code with Lpm4Multibit but pays 2^24 writes for every /0:
  // short prefixes are rarer there.
  it("Lpm4Small", () => runAll<number>(32, new Lpm4Small(), 80));
  it("Lpm4Multibit", () => runAll<number>(32, new Lpm4Multibit(), 80));
  it("Lpm4Dir248", () => runAll<number>(32, new Lpm4Dir248(), 50, true));
  it("createLpm(4)", () => runAll<number>(32, createLpm(4), 30));
  it("Lpm6Small", () => runAll<bigint>(128, new Lpm6Small(), 80));
  it("Lpm6Multibit", () => runAll<bigint>(128, new Lpm6Multibit(), 80));
  it("createLpm(6)", () => runAll<bigint>(128, createLpm(6), 30));
});

const ip4 = (s: string): number => s.split(".").reduce((v, o) => v * 256 + Number(o), 0);

describe("edge cases", () => {
  const all4 = (): [string, Lpm<number>][] => [
    ["small", new Lpm4Small()],
    ["multibit", new Lpm4Multibit()],
    ["dir248", new Lpm4Dir248()],
    ["auto", createLpm(4)],
  ];
  const all6 = (): [string, Lpm6][] => [
    ["small", new Lpm6Small()],
    ["multibit", new Lpm6Multibit()],
    ["auto", createLpm(6)],
  ];

  it("empty tables answer -1 everywhere", () => {
    for (const [, t] of all4()) {
      expect([
        t.lookup(0),
        t.lookup(0xffffffff),
        t.parentOf(0),
        t.parentOf(-1),
        t.get(0, 0),
        t.size,
      ]).toEqual([-1, -1, -1, -1, -1, 0]);
      expect(t.remove(0, 0)).toBe(false);
    }
    for (const [, t] of all6()) {
      expect([t.lookup(0n), t.lookup6w(0, 0, 0, 0), t.parentOf(7), t.get(0n, 0), t.size]).toEqual([
        -1, -1, -1, -1, 0,
      ]);
    }
  });

  it("backtracks from the longest match to /0 (kernel fib_table_lookup order)", () => {
    for (const [name, t] of all4()) {
      t.insert(0, 0, 9);
      t.insert(ip4("10.0.0.0"), 8, 1);
      t.insert(ip4("10.1.0.0"), 16, 2);
      t.insert(ip4("10.1.2.0"), 24, 3);
      t.insert(ip4("10.1.2.128"), 25, 4);
      t.insert(ip4("10.1.2.200"), 32, 5);
      const chain: number[] = [];
      for (let id = t.lookup(ip4("10.1.2.201")); id >= 0; id = t.parentOf(id)) chain.push(id);
      expect(chain, name).toEqual([4, 3, 2, 1, 9]);
      expect(t.lookup(ip4("10.1.2.200")), name).toBe(5);
      expect(t.parentOf(5), name).toBe(4);
      // Remove a middle prefix: its children are re-parented and its range falls back.
      expect(t.remove(ip4("10.1.2.0"), 24)).toBe(true);
      expect(t.parentOf(4), name).toBe(2);
      expect(t.lookup(ip4("10.1.2.1")), name).toBe(2);
      expect(t.parentOf(3), name).toBe(-1);
      // Re-adding it re-parents them again.
      t.insert(ip4("10.1.2.0"), 24, 3);
      expect([t.parentOf(4), t.parentOf(3), t.lookup(ip4("10.1.2.1"))], name).toEqual([3, 2, 3]);
    }
  });

  it("ignores host bits, takes int32 patterns, handles /0 and /32 at the top of the space", () => {
    for (const [name, t] of all4()) {
      t.insert(ip4("192.168.1.77"), 24, 0);
      expect(t.get(ip4("192.168.1.0"), 24), name).toBe(0);
      t.insert(0xffffffff, 32, 1);
      t.insert(0, 0, 2);
      expect(
        [
          t.lookup(-1),
          t.lookup(0xfffffffe),
          t.lookup(ip4("192.168.1.255") | 0),
          t.parentOf(1),
          t.parentOf(0),
        ],
        name,
      ).toEqual([1, 2, 0, 2, 2]);
      expect(t.remove(0, 0)).toBe(true);
      expect([t.lookup(0xfffffffe), t.parentOf(1), t.lookup(-1)], name).toEqual([-1, -1, 1]);
    }
  });

  it("replaces the id of an existing prefix and re-parents its children", () => {
    for (const [name, t] of all4()) {
      t.insert(ip4("10.0.0.0"), 8, 1);
      t.insert(ip4("10.1.0.0"), 16, 2);
      t.insert(ip4("10.0.0.0"), 8, 7);
      expect(
        [t.size, t.lookup(ip4("10.9.9.9")), t.parentOf(2), t.parentOf(1), t.parentOf(7)],
        name,
      ).toEqual([2, 7, 7, -1, -1]);
      // The old id is free again; a live id may not name a second prefix.
      t.insert(ip4("11.0.0.0"), 8, 1);
      expect(() => t.insert(ip4("12.0.0.0"), 8, 2), name).toThrow(/already names/);
      t.insert(ip4("11.0.0.0"), 8, 1); // same prefix, same id: no-op
      expect(t.size, name).toBe(3);
    }
  });

  it("rejects bad lengths and ids", () => {
    for (const [, t] of all4()) {
      expect(() => t.insert(0, 33, 0)).toThrow(RangeError);
      expect(() => t.insert(0, -1, 0)).toThrow(RangeError);
      expect(() => t.insert(0, 8, -1)).toThrow(RangeError);
      expect(() => t.insert(0, 8, 1.5)).toThrow(RangeError);
      expect(t.size).toBe(0);
    }
    for (const [, t] of all6()) expect(() => t.insert(0n, 129, 0)).toThrow(RangeError);
  });

  it("IPv6: /0, /128, stride boundaries and lookup6w", () => {
    const db8 = 0x20010db8n << 96n;
    for (const [name, t] of all6()) {
      t.insert(0n, 0, 0);
      t.insert(db8, 32, 1);
      t.insert(db8 | (0xabcdn << 64n), 48, 2); // host bits beyond /48 are dropped
      t.insert(db8 | (1n << 64n), 64, 3);
      t.insert(db8 | (1n << 64n) | 1n, 128, 4);
      t.insert((1n << 128n) - 1n, 128, 5);
      t.insert(1n, 128, 6);
      expect(t.get(db8, 48), name).toBe(2);
      expect(
        [
          t.lookup(db8 | (1n << 64n) | 1n),
          t.parentOf(4),
          t.parentOf(3),
          t.parentOf(2),
          t.parentOf(1),
          t.parentOf(0),
        ],
        name,
      ).toEqual([4, 3, 2, 1, 0, -1]);
      expect(
        [
          t.lookup6w(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff),
          t.lookup6w(0, 0, 0, 1),
          t.lookup6w(0, 0, 0, 2),
        ],
        name,
      ).toEqual([5, 6, 0]);
      expect(t.remove(db8, 48)).toBe(true);
      expect([t.parentOf(3), t.lookup(db8 | 5n)], name).toEqual([1, 1]);
      expect(t.remove(0n, 0)).toBe(true);
      expect([t.lookup(2n), t.parentOf(1), t.parentOf(6)], name).toEqual([-1, -1, -1]);
    }
  });

  it("frees trie nodes when their last prefix goes", () => {
    const d = new Lpm4Dir248(),
      m = new Lpm4Multibit(),
      s = new Lpm6Multibit();
    d.insert(ip4("10.1.2.0"), 24, 0);
    d.insert(ip4("10.1.2.128"), 25, 1);
    d.insert(ip4("10.1.2.7"), 32, 2);
    expect(d.nodeCount).toBe(1);
    d.remove(ip4("10.1.2.128"), 25);
    expect(d.nodeCount).toBe(1);
    d.remove(ip4("10.1.2.7"), 32);
    expect(d.nodeCount).toBe(0);
    expect(d.lookup(ip4("10.1.2.7"))).toBe(0);
    m.insert(ip4("10.1.2.7"), 32, 0);
    expect(m.nodeCount).toBe(4);
    m.remove(ip4("10.1.2.7"), 32);
    expect(m.nodeCount).toBe(0);
    s.insert(1n, 128, 0);
    expect(s.nodeCount).toBe(26);
    s.remove(1n, 128);
    expect(s.nodeCount).toBe(0);
  });

  it("createLpm promotes small -> multibit -> and demotes, keeping every answer", () => {
    let x = 0x9e3779b9;
    const rnd = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    const t4 = createLpm(4) as AutoLpm4,
      t6 = createLpm(6) as AutoLpm6;
    const ps: [number, number][] = [];
    for (let i = 0; i < SMALL_MAX + 200; i++) {
      const len = 8 + (rnd() % 25),
        a = (rnd() & (0xffffffff << (32 - len))) >>> 0;
      if (t4.get(a, len) >= 0) continue;
      t4.insert(a, len, i);
      t6.insert(BigInt(a) << 96n, len, i);
      ps.push([a, len]);
    }
    expect(t4.impl).toBeInstanceOf(Lpm4Multibit);
    expect(t6.impl).toBeInstanceOf(Lpm6Multibit);
    const s4 = new Lpm4Small();
    ps.forEach(([a, len], i) => s4.insert(a, len, t4.get(a, len)));
    for (let i = 0; i < 3000; i++) {
      const q = rnd(),
        want = s4.lookup(q);
      expect(t4.lookup(q)).toBe(want);
      expect(t6.lookup6w(q, 0, 0, 0)).toBe(want);
      if (want >= 0) {
        expect(t4.parentOf(want)).toBe(s4.parentOf(want));
        expect(t6.parentOf(want)).toBe(s4.parentOf(want));
      }
    }
    for (const [a, len] of ps.slice(0, ps.length - 100)) {
      t4.remove(a, len);
      t6.remove(BigInt(a) << 96n, len);
      s4.remove(a, len);
    }
    expect(t4.impl).toBeInstanceOf(Lpm4Small);
    expect(t6.impl).toBeInstanceOf(Lpm6Small);
    for (let i = 0; i < 2000; i++) {
      const q = rnd();
      expect(t4.lookup(q)).toBe(s4.lookup(q));
      expect(t6.lookup(BigInt(q) << 96n)).toBe(s4.lookup(q));
    }
    expect(new AutoLpm4(1e6).impl).toBeInstanceOf(Lpm4Dir248);
  });
});
