import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { and, or } from "./bdd/apply.js";
import { type Bdd, FALSE } from "./bdd/arena.js";
import { witness, witnessAfter } from "./describe.js";
import { addrPrefix, createHeaderArena, eq } from "./header.js";

const m = createHeaderArena();

/** A few IPv4 destination prefixes, each with a mark or a uid: sets of the analysis' shape. */
const setArb = fc
  .array(
    fc.record({
      addr: fc.integer({ min: 0, max: 0xffffffff }),
      len: fc.integer({ min: 0, max: 32 }),
      field: fc.constantFrom("fwmark" as const, "uid" as const, undefined),
      value: fc.integer({ min: 0, max: 7 }),
    }),
    { maxLength: 5 },
  )
  .map((xs) => {
    let f: Bdd = FALSE;
    for (const x of xs) {
      const addr = { family: 4 as const, v: x.len ? (x.addr >>> (32 - x.len)) << (32 - x.len) : 0 };
      let p = addrPrefix(m, "dst", { addr: { ...addr, v: addr.v >>> 0 }, len: x.len });
      if (x.field) p = and(m, p, eq(m, x.field, x.value));
      f = or(m, f, p);
    }
    return f;
  });

describe("witnessAfter", () => {
  it("gives the witness a search of the whole new set gives", () => {
    fc.assert(
      fc.property(setArb, setArb, setArb, (before, gained, kept) => {
        // After: part of before kept, some packets gained.
        const after = or(m, and(m, before, kept), gained);
        const w = witnessAfter(m, after, { set: before, w: witness(m, before) });
        expect(w?.bits).toEqual(witness(m, after)?.bits);
      }),
      { numRuns: 300 },
    );
  });
});
