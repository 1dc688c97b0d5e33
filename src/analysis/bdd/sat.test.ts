import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createArena, FALSE, TRUE, variable } from "./arena.js";
import { bddOfTable, bitsOf, indexOf, type Table, tableCount, tableOfCubes } from "./reference.js";
import {
  cubes,
  evaluate,
  minimalCost,
  minimalSat,
  pickOne,
  precedesMinimal,
  satCount,
} from "./sat.js";

const N = 8;
const RUNS = { numRuns: 300, seed: 0x5a7 };

const fnArb: fc.Arbitrary<Table> = fc.oneof(
  fc.uint8Array({ minLength: 1 << N, maxLength: 1 << N }).map((t) => t.map((x) => x & 1)),
  fc.array(fc.tuple(fc.nat(255), fc.nat(255)), { maxLength: 4 }).map((cs) => tableOfCubes(N, cs)),
  fc.nat(255).map((a) => tableOfCubes(N, [[255, a]])), // a single assignment
  fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) =>
    tableOfCubes(N, [
      [255, a],
      [255, b],
    ]),
  ),
);

/** Assignment indexes satisfying t. */
function models(t: Table): number[] {
  const out: number[] = [];
  t.forEach((x, a) => x && out.push(a));
  return out;
}

describe("reading answers out of a BDD", () => {
  const m = createArena(N + 4);

  it("evaluate reads the table", () => {
    fc.assert(
      fc.property(fnArb, fc.nat(255), (t, a) => {
        expect(evaluate(m, bddOfTable(m, t, N), bitsOf(N, a))).toBe(t[a] === 1);
      }),
      RUNS,
    );
  });

  it("satCount counts the table's ones, doubling for each extra free variable", () => {
    fc.assert(
      fc.property(fnArb, fc.nat(4), (t, extra) => {
        const f = bddOfTable(m, t, N);
        expect(satCount(m, f, N)).toBe(BigInt(tableCount(t)));
        expect(satCount(m, f, N + extra)).toBe(BigInt(tableCount(t)) << BigInt(extra));
      }),
      RUNS,
    );
  });

  it("satCount is exact past 2^53 and refuses variables beyond nVars", () => {
    const big = createArena(300);
    expect(satCount(big, TRUE, 300)).toBe(1n << 300n);
    expect(satCount(big, variable(big, 299), 300)).toBe(1n << 299n);
    expect(() => satCount(big, variable(big, 299), 10)).toThrow(RangeError);
  });

  it("pickOne satisfies f and is the least model, variable 0 deciding first", () => {
    fc.assert(
      fc.property(fnArb, (t) => {
        const got = pickOne(m, bddOfTable(m, t, N));
        const ms = models(t);
        if (ms.length === 0) {
          expect(got).toBeUndefined();
          return;
        }
        // Least in variable order = least bit-reversed index (variable 0 is bit 0 of a).
        const key = (a: number): number => indexOf(bitsOf(N, a).reverse(), N);
        const least = ms.reduce((x, y) => (key(y) < key(x) ? y : x));
        expect(indexOf(got!, N)).toBe(least);
        expect([...got!.subarray(N)]).toEqual([0, 0, 0, 0]); // unconstrained: 0
      }),
      RUNS,
    );
  });

  it("minimalSat satisfies f and changes as few fields as any model does", () => {
    // Fields: contiguous runs given by cut points; defaults: any bits.
    const prefArb = fc.tuple(fc.nat(255), fc.uniqueArray(fc.integer({ min: 1, max: N - 1 })));
    fc.assert(
      fc.property(fnArb, prefArb, (t, [defaultIdx, cuts]) => {
        const fieldOf = Array.from({ length: N }, (_, v) => cuts.filter((c) => c <= v).length);
        const defaults = bitsOf(N, defaultIdx);
        const changed = (a: number): number =>
          new Set(fieldOf.filter((_, v) => ((a >> v) & 1) !== defaults[v])).size;
        const got = minimalSat(m, bddOfTable(m, t, N), { defaults, fieldOf });
        const cost = minimalCost(m, bddOfTable(m, t, N), { defaults, fieldOf });
        const ms = models(t);
        if (ms.length === 0) {
          expect(got).toBeUndefined();
          expect(cost).toBe(Number.POSITIVE_INFINITY);
          return;
        }
        const a = indexOf(got!, N);
        expect(t[a]).toBe(1);
        expect(changed(a)).toBe(Math.min(...ms.map(changed)));
        expect(cost).toBe(changed(a));
        // Every model of equal cost: does it come first in the tie order (default bit at the
        // first variable where it differs from the witness)?
        const wb = [...got!];
        for (const x of ms.filter((x) => changed(x) === changed(a))) {
          const xb = [...bitsOf(N, x), ...wb.slice(N)]; // the arena's other variables: 0
          const v = xb.findIndex((b, i) => b !== wb[i]);
          const want = v < 0 || xb[v] === defaults[v];
          expect(precedesMinimal(m, bddOfTable(m, t, N), xb, { defaults, fieldOf })).toBe(want);
        }
      }),
      RUNS,
    );
  });

  it("minimalSat counts changed fields, not changed bits", () => {
    // Fields x0..x5 | x6 | x7, defaults 0. x0..x5 all 1 changes one field (six bits);
    // x6 ∧ x7 changes two fields (two bits).
    const fieldOf = [0, 0, 0, 0, 0, 0, 1, 2];
    const t = tableOfCubes(N, [
      [0b00111111, 0b00111111],
      [0b11000000, 0b11000000],
    ]);
    const got = minimalSat(m, bddOfTable(m, t, N), { fieldOf });
    expect([...got!.subarray(0, N)]).toEqual([1, 1, 1, 1, 1, 1, 0, 0]);
  });

  it("minimalSat without a preference is the model with the fewest ones", () => {
    fc.assert(
      fc.property(fnArb, (t) => {
        const got = minimalSat(m, bddOfTable(m, t, N));
        const ms = models(t);
        if (ms.length === 0) {
          expect(got).toBeUndefined();
          return;
        }
        const ones = (a: number): number => bitsOf(N, a).reduce((s, b) => s + b, 0);
        expect(t[indexOf(got!, N)]).toBe(1);
        expect(ones(indexOf(got!, N))).toBe(Math.min(...ms.map(ones)));
      }),
      RUNS,
    );
  });

  it("cubes are disjoint and cover exactly f; the limit cuts enumeration", () => {
    fc.assert(
      fc.property(fnArb, fc.nat(6), (t, limit) => {
        const f = bddOfTable(m, t, N);
        const all = cubes(m, f, 1 << N);
        expect(all.complete).toBe(true);
        const hits = new Uint8Array(1 << N);
        for (let a = 0; a < 1 << N; a++)
          for (const c of all.cubes)
            if (c.subarray(0, N).every((x, v) => x < 0 || x === ((a >> v) & 1))) hits[a]! += 1;
        expect(hits).toEqual(t);
        const some = cubes(m, f, limit);
        expect(some.cubes).toEqual(all.cubes.slice(0, limit));
        expect(some.complete).toBe(all.cubes.length <= limit);
      }),
      RUNS,
    );
    expect(cubes(m, FALSE, 5)).toEqual({ cubes: [], complete: true });
  });
});
