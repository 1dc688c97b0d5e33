import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
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
import { createArena, FALSE, TRUE } from "./arena.js";
import {
  bddOfTable,
  type Table,
  table2,
  tableOf,
  tableOfBdd,
  tableOfCubes,
  tableVar,
} from "./reference.js";

const N = 8;
const RUNS = { numRuns: 300, seed: 0xb0d1 };

/** A Boolean function of N variables: a dense random table, a union of cubes, or a literal. */
const fnArb: fc.Arbitrary<Table> = fc.oneof(
  fc.uint8Array({ minLength: 1 << N, maxLength: 1 << N }).map((t) => t.map((x) => x & 1)),
  fc.array(fc.tuple(fc.nat(255), fc.nat(255)), { maxLength: 4 }).map((cs) => tableOfCubes(N, cs)),
  fc.nat(N - 1).map((v) => tableVar(N, v)),
  fc.constantFrom(
    tableOf(N, () => 0),
    tableOf(N, () => 1),
  ),
);

describe("Boolean connectives agree with truth tables", () => {
  const m = createArena(N); // one arena for all runs: the computed cache is shared, as in use
  const cases: ReadonlyArray<
    [string, (f: number, g: number) => number, (x: number, y: number) => number]
  > = [
    ["and", (f, g) => and(m, f, g), (x, y) => x & y],
    ["or", (f, g) => or(m, f, g), (x, y) => x | y],
    ["xor", (f, g) => xor(m, f, g), (x, y) => x ^ y],
    ["diff", (f, g) => diff(m, f, g), (x, y) => x & (y ^ 1)],
    ["not f", (f) => not(m, f), (x) => x ^ 1],
  ];
  for (const [name, op, model] of cases) {
    it(`${name}: same table, and the very node the table builds (canonical)`, () => {
      fc.assert(
        fc.property(fnArb, fnArb, (s, t) => {
          const r = op(bddOfTable(m, s, N), bddOfTable(m, t, N));
          const want = table2(s, t, model);
          expect(tableOfBdd(m, r, N)).toEqual(want);
          expect(r).toBe(bddOfTable(m, want, N));
        }),
        RUNS,
      );
    });
  }

  it("ite(f, g, h) = (f ∧ g) ∨ (¬f ∧ h)", () => {
    fc.assert(
      fc.property(fnArb, fnArb, fnArb, (s, t, u) => {
        const r = ite(m, bddOfTable(m, s, N), bddOfTable(m, t, N), bddOfTable(m, u, N));
        const want = s.map((x, a) => (x ? t[a]! : u[a]!));
        expect(r).toBe(bddOfTable(m, want, N));
      }),
      RUNS,
    );
  });

  it("equal, implies, disjoint and meets are the set relations of the tables", () => {
    fc.assert(
      fc.property(fnArb, fnArb, (s, t) => {
        const f = bddOfTable(m, s, N);
        const g = bddOfTable(m, t, N);
        expect(equal(f, g)).toBe(s.every((x, a) => x === t[a]));
        expect(implies(m, f, g)).toBe(s.every((x, a) => x <= t[a]!));
        expect(disjoint(m, f, g)).toBe(s.every((x, a) => (x & t[a]!) === 0));
        // Without building f ∧ g: the arena gains no node.
        const size = m.size;
        expect(meets(m, f, g)).toBe(s.some((x, a) => (x & t[a]!) === 1));
        expect(m.size).toBe(size);
      }),
      RUNS,
    );
  });

  it("orAll and andAll fold any number of operands", () => {
    fc.assert(
      fc.property(fc.array(fnArb, { maxLength: 7 }), (ts) => {
        const fs = ts.map((t) => bddOfTable(m, t, N));
        const any = tableOf(N, (a) => (ts.some((t) => t[a]) ? 1 : 0));
        const all = tableOf(N, (a) => (ts.every((t) => t[a]) ? 1 : 0));
        expect(orAll(m, fs)).toBe(bddOfTable(m, any, N));
        expect(andAll(m, fs)).toBe(bddOfTable(m, all, N));
      }),
      { ...RUNS, numRuns: 100 },
    );
  });

  it("equivalent formulas built differently meet at one node", () => {
    const [a, b, c] = [0, 1, 2].map((v) => bddOfTable(m, tableVar(N, v), N)) as [
      number,
      number,
      number,
    ];
    // De Morgan, distribution, absorption.
    expect(not(m, and(m, a, b))).toBe(or(m, not(m, a), not(m, b)));
    expect(and(m, a, or(m, b, c))).toBe(or(m, and(m, a, b), and(m, a, c)));
    expect(or(m, a, and(m, a, b))).toBe(a);
    expect(xor(m, a, a)).toBe(FALSE);
    expect(or(m, a, not(m, a))).toBe(TRUE);
  });
});
