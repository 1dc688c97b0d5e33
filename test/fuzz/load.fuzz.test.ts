/**
 * Any input, no internal error: 20,000 mutated scripts, command lines and dumps (fixed seed)
 * load into a host that answers, each within its time bound, every issue located.
 * `npm run fuzz` runs more (FUZZ_RUNS, FUZZ_SEED).
 */
import { describe, it } from "vitest";
import { fuzz } from "./fuzz.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 20000);
const SEED = Number(process.env.FUZZ_SEED ?? 0x9f00d);

describe("load fuzz", () => {
  it(`${RUNS} mutated inputs: no internal error, no hang, every issue located`, () => {
    fuzz(RUNS, SEED);
  }, 600_000);
});
