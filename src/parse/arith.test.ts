import { describe, expect, it } from "vitest";
import { evalArith } from "./arith.js";

// bash 5: `echo $((010)) $((0x10)) $((1<<4|1)) $((-7/2)) $((-7%2))` prints 8 16 17 -3 -1;
// arithmetic is 64-bit and wraps: `echo $((2**63)) $((9223372036854775807+1))` prints
// -9223372036854775808 twice; `$((2**53+1))` is exact (9007199254740993).
describe("evalArith (bash $((…)))", () => {
  const env = new Map([
    ["t", "210"],
    ["o", "010"],
  ]);
  const table: [string, string | { error: string }][] = [
    ["010", "8"],
    ["0x10", "16"],
    ["1<<4|1", "17"],
    ["-7/2", "-3"],
    ["-7%2", "-1"],
    ["t - 200", "10"],
    ["o + 1", "9"], // a variable's value is evaluated as an expression
    ["unset + 1", "1"],
    ["2**63", "-9223372036854775808"],
    ["9223372036854775807+1", "-9223372036854775808"],
    ["2**53+1", "9007199254740993"],
    ["0xffffffff << 8", "1099511627520"],
    ["1/0", { error: "division by 0" }],
    ["08", { error: 'value too great for base (error token is "08")' }],
  ];
  for (const [e, want] of table) it(e, () => expect(evalArith(e, env)).toEqual(want));
  it("nesting thousands deep is an error, not a stack overflow", () => {
    const deep = "(".repeat(5000) + "1" + ")".repeat(5000);
    expect(evalArith(deep, env)).toEqual({
      error: "expression nested too deeply (over 200 levels)",
    });
  });
});
