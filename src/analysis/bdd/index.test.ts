import { expect, it } from "vitest";
import { and, createArena, not, or, satCount, variable } from "./index.js";

it("the module example holds", () => {
  const m = createArena(3);
  const [x0, x1] = [variable(m, 0), variable(m, 1)];
  const f = or(m, and(m, x0, x1), and(m, x0, not(m, x1))); // x0 ∧ (x1 ∨ ¬x1)
  expect(f === x0).toBe(true);
  expect(satCount(m, f, 3)).toBe(4n);
});
