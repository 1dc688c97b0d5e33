/**
 * Mark transformers against plain integer arithmetic: the kernel's MARK / CONNMARK formulas
 * (xt_MARK mark_tg, xt_CONNMARK connmark_tg_shift) on random marks, tests and composition
 * with an `ip rule fwmark` predicate read at the transformed mark. (Vectors only ever hold
 * fwmark variables: the ct mark starts as a new flow's 0, so `save` copies mark bits.)
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { and } from "../bdd/apply.js";
import { FALSE } from "../bdd/arena.js";
import { evaluate } from "../bdd/sat.js";
import { createHeaderArena, encode, eq, maskedEq, range } from "../header.js";
import {
  applyOp,
  compose,
  constant,
  fwmarkBitsPossible,
  identity,
  maskedTest,
  valueAt,
  within,
} from "./markvec.js";
import { v4 } from "../../addr/ip.js";

const packet = (fwmark: number, ctmark = 0) => ({
  family: 4 as const,
  dst: v4(0x01020304),
  src: v4(0),
  iif: 1,
  oif: 0,
  fwmark,
  uid: 0,
  ipproto: 17,
  sport: 0,
  dport: 0,
  tos: 0,
  ctmark,
  ctstate: 0,
});
const u32 = fc.integer({ min: 0, max: 0xffffffff });

describe("mark transformers", () => {
  it("dst = (dst & keep) ^ (src & take) ^ xor, bit for bit", () => {
    const m = createHeaderArena();
    fc.assert(
      fc.property(u32, u32, u32, u32, u32, u32, (mark, ct, keep, take, x, mask) => {
        const op = { kind: "mark", dst: "mark", keep, src: "ctmark", take, xor: x } as const;
        // The ct mark as the analysis carries it: a constant (a new flow's 0, or set) here.
        const vec = applyOp(m, op, identity(m, "fwmark"), constant(ct));
        const bits = encode(packet(mark, ct));
        const want = ((mark & keep) ^ (ct & take) ^ x) >>> 0;
        expect(valueAt(m, vec, bits)).toBe(want);
        const test = maskedTest(m, vec, (want & mask) >>> 0, mask);
        expect(evaluate(m, test, bits)).toBe(true);
        // An `ip rule fwmark V/M` read after the write: compose equals evaluating at `want`.
        const rule = maskedEq(m, "fwmark", (x & mask) >>> 0, mask);
        const after = compose(m, rule, vec);
        expect(evaluate(m, after, bits)).toBe(((want ^ x) & mask) === 0);
      }),
      { numRuns: 300 },
    );
  });

  it("within: bits constant on a set become constants; others stay", () => {
    const m = createHeaderArena();
    fc.assert(
      fc.property(u32, u32, (lo, hi) => {
        const [a, b] = lo <= hi ? [lo, hi] : [hi, lo];
        const set = and(m, range(m, "fwmark", a, b), eq(m, "uid", 7));
        const [can0, can1] = fwmarkBitsPossible(m, set);
        for (let i = 0; i < 32; i++) {
          const at = 1 << (31 - i);
          let z = false,
            o = false;
          // Brute force on the range's ends and a few points: a range's bit takes a value
          // iff some value in [a, b] has it; check with the BDD itself.
          const withBit = (v: number) =>
            and(m, set, maskedEq(m, "fwmark", v ? at >>> 0 : 0, at >>> 0)) !== FALSE;
          z = withBit(0);
          o = withBit(1);
          expect([!!(can0 & at), !!(can1 & at)]).toEqual([z, o]);
        }
        const v = within(m, set, identity(m, "fwmark"));
        if (a === b) expect(v).toEqual(constant(a));
      }),
      { numRuns: 200 },
    );
  });
});
