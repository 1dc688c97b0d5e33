import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createArena, FALSE, variable } from "./arena.js";
import { cofactor, cube, exists, forall, restrict } from "./quantify.js";
import {
  bddOfTable,
  type Table,
  tableExists,
  tableOf,
  tableOfBdd,
  tableOfCubes,
  tableRestrict,
} from "./reference.js";

const N = 8;
const RUNS = { numRuns: 300, seed: 0x9a47 };

const fnArb: fc.Arbitrary<Table> = fc.oneof(
  fc.uint8Array({ minLength: 1 << N, maxLength: 1 << N }).map((t) => t.map((x) => x & 1)),
  fc.array(fc.tuple(fc.nat(255), fc.nat(255)), { maxLength: 4 }).map((cs) => tableOfCubes(N, cs)),
);
const varsArb = fc.uniqueArray(fc.nat(N - 1), { maxLength: N });
/** A partial assignment: distinct variables with a bit each. */
const litsArb = fc.uniqueArray(fc.tuple(fc.nat(N - 1), fc.nat(1)), {
  maxLength: N,
  selector: ([v]) => v,
});

describe("quantifiers and cofactors agree with truth tables", () => {
  const m = createArena(N);

  it("exists", () => {
    fc.assert(
      fc.property(fnArb, varsArb, (t, vars) => {
        const r = exists(m, bddOfTable(m, t, N), vars);
        expect(r).toBe(bddOfTable(m, tableExists(t, vars), N));
      }),
      RUNS,
    );
  });

  it("forall = the assignments whose every completion over vars is in t", () => {
    fc.assert(
      fc.property(fnArb, varsArb, (t, vars) => {
        const r = forall(m, bddOfTable(m, t, N), vars);
        const inv = t.map((x) => x ^ 1);
        expect(tableOfBdd(m, r, N)).toEqual(tableExists(inv, vars).map((x) => x ^ 1));
      }),
      RUNS,
    );
  });

  it("restrict by a cube substitutes its literals", () => {
    fc.assert(
      fc.property(fnArb, litsArb, (t, lits) => {
        const c = cube(
          m,
          lits.map(([v]) => v),
          lits.map(([, b]) => b),
        );
        const r = restrict(m, bddOfTable(m, t, N), c);
        expect(r).toBe(bddOfTable(m, tableRestrict(t, new Map(lits)), N));
      }),
      RUNS,
    );
  });

  it("cofactor on one variable", () => {
    fc.assert(
      fc.property(fnArb, fc.nat(N - 1), fc.constantFrom(0 as const, 1 as const), (t, v, b) => {
        const r = cofactor(m, bddOfTable(m, t, N), v, b);
        expect(tableOfBdd(m, r, N)).toEqual(tableRestrict(t, new Map([[v, b]])));
      }),
      RUNS,
    );
  });

  it("cube is the conjunction of its literals; contradictory literals give FALSE", () => {
    fc.assert(
      fc.property(litsArb, (lits) => {
        const c = cube(
          m,
          lits.map(([v]) => v),
          lits.map(([, b]) => b),
        );
        const want = tableOf(N, (a) => (lits.every(([v, b]) => ((a >> v) & 1) === b) ? 1 : 0));
        expect(c).toBe(bddOfTable(m, want, N));
      }),
      RUNS,
    );
    expect(cube(m, [3, 3], [1, 0])).toBe(FALSE);
    expect(cube(m, [3, 3])).toBe(variable(m, 3));
  });

  it("restrict by the empty cube is a caller bug", () => {
    expect(() => restrict(m, variable(m, 1), FALSE)).toThrow(RangeError);
  });
});
