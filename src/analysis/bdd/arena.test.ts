import { describe, expect, it } from "vitest";
import { and, or } from "./apply.js";
import {
  createArena,
  FALSE,
  mk,
  nodeCount,
  notVariable,
  resetArena,
  TRUE,
  variable,
} from "./arena.js";
import { cube } from "./quantify.js";
import { bitsOf } from "./reference.js";
import { evaluate, satCount } from "./sat.js";

describe("BDD arena", () => {
  it("hash-conses: the same (var, low, high) is the same node", () => {
    const m = createArena(4);
    const a = mk(m, 2, FALSE, TRUE);
    expect(mk(m, 2, FALSE, TRUE)).toBe(a);
    expect(variable(m, 2)).toBe(a);
    expect(notVariable(m, 2)).not.toBe(a);
    expect(m.size).toBe(4); // two terminals, x2, ¬x2
  });

  it("reduces: a node whose children are equal is its child", () => {
    const m = createArena(4);
    const x3 = variable(m, 3);
    expect(mk(m, 1, x3, x3)).toBe(x3);
    expect(mk(m, 0, TRUE, TRUE)).toBe(TRUE);
  });

  it("grows past its initial capacity without changing any node", () => {
    const m = createArena(20);
    // All 2^12 minterms over x0..x11 ORed: forces several doublings of a 4096-node table.
    const minterms: number[] = [];
    for (let a = 0; a < 1 << 12; a += 3) {
      minterms.push(
        cube(
          m,
          Array.from({ length: 12 }, (_, v) => v),
          Array.from(bitsOf(12, a)),
        ),
      );
    }
    const first = minterms[0]!;
    let f = FALSE;
    for (const c of minterms) f = or(m, f, c);
    expect(m.capacity).toBeGreaterThan(4096);
    expect(satCount(m, f, 12)).toBe(BigInt(minterms.length));
    for (let a = 0; a < 1 << 12; a++) expect(evaluate(m, f, bitsOf(12, a))).toBe(a % 3 === 0);
    // Ids handed out before growing still name the same node.
    expect(
      cube(
        m,
        Array.from({ length: 12 }, (_, v) => v),
        Array.from(bitsOf(12, 0)),
      ),
    ).toBe(first);
  });

  it("resetArena forgets every node; ids start again after the terminals", () => {
    const m = createArena(4);
    and(m, variable(m, 0), variable(m, 1));
    expect(m.size).toBeGreaterThan(2);
    resetArena(m);
    expect(m.size).toBe(2);
    expect(variable(m, 3)).toBe(2);
  });

  it("refuses variables outside the arena and growth past maxNodes", () => {
    const m = createArena(4, { maxNodes: 4096 });
    expect(() => variable(m, 4)).toThrow(RangeError);
    expect(() => variable(m, -1)).toThrow(RangeError);
    expect(() => createArena(100_000)).toThrow(RangeError);
    const big = createArena(16, { maxNodes: 4096 });
    expect(() => {
      for (let a = 0; a < 1 << 16; a++)
        cube(
          big,
          Array.from({ length: 16 }, (_, v) => v),
          Array.from(bitsOf(16, a)),
        );
    }).toThrow(/arena is full/);
  });

  it("nodeCount counts reachable nodes, terminals included", () => {
    const m = createArena(4);
    expect(nodeCount(m, TRUE)).toBe(1);
    expect(nodeCount(m, and(m, variable(m, 0), variable(m, 1)))).toBe(4);
  });
});
