import { describe, expect, it } from "vitest";
import { evalArith } from "./arith.js";

// bash 5: `echo $((010)) $((0x10)) $((1<<4|1)) $((-7/2)) $((-7%2))` prints 8 16 17 -3 -1.
describe("evalArith (bash $((…)))", () => {
  const env = new Map([
    ["t", "210"],
    ["o", "010"],
  ]);
  const table: [string, number | string][] = [
    ["010", 8],
    ["0x10", 16],
    ["1<<4|1", 17],
    ["-7/2", -3],
    ["-7%2", -1],
    ["t - 200", 10],
    ["o + 1", 9], // a variable's value is evaluated as an expression
    ["unset + 1", 1],
    ["1/0", "division by 0"],
    ["08", 'value too great for base (error token is "08")'],
  ];
  for (const [e, want] of table) it(e, () => expect(evalArith(e, env)).toBe(want));
});
