/**
 * tr against coreutils: each case runs the real `tr` (the oracle, C locale) and routelab's
 * on the same input; output and status must agree.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runTr } from "./tr.js";

const TEXT = "Hello, World  10.8.0.2\ttab\n\nend,,x\n";
const CASES: string[][] = [
  [",", " "],
  ["a-z", "A-Z"],
  ["[:lower:]", "[:upper:]"],
  ["[:upper:]", "[:lower:]"],
  ["-d", ","],
  ["-d", "[:digit:]"],
  ["-cd", "0-9\\n"],
  ["-s", " "],
  ["-s", ",", ":"],
  ["-ds", ",", "l"],
  ["-c", "a-zA-Z\\n", "_"],
  ["lo", "x"],
  ["a", "xyz"],
  [".", "\\n"],
  ["\\t", "\\040"],
  ["-d", "[:space:]"],
  ["-s", "[:space:]"],
  [],
  ["-d"],
  ["a", "b", "c"],
  ["z-a", "x"],
  ["[:nope:]", "x"],
];
const HAS = spawnSync("tr", ["a", "a"], { input: "" }).status === 0;

describe.skipIf(!HAS)("tr as coreutils translates", () => {
  for (const args of CASES)
    it(`tr ${args.join(" ")}`, () => {
      const env = { ...process.env, LC_ALL: "C" };
      const real = spawnSync("tr", args, { input: TEXT, encoding: "utf8", env });
      let out = "";
      const errs: string[] = [];
      const status = runTr(args, {
        stdin: TEXT,
        readFile: () => undefined,
        out: (t) => (out += t),
        warn: (m) => errs.push(m),
      });
      expect({ out, status }).toEqual({ out: real.stdout, status: real.status });
      expect(errs[0] ?? "").toBe(real.stderr.split("\n")[0]);
    });
});

describe("tr: vpnc-script's split DNS list", () => {
  it("commas become spaces", () => {
    let out = "";
    runTr([",", " "], {
      stdin: "a.example,b.example\n",
      readFile: () => undefined,
      out: (t) => (out += t),
      warn: () => {},
    });
    expect(out).toBe("a.example b.example\n");
  });

  it("[c*n] is refused, not read differently", () => {
    const errs: string[] = [];
    const st = runTr(["a-z", "[x*]"], {
      stdin: "a",
      readFile: () => undefined,
      out: () => {},
      warn: (m) => errs.push(m),
    });
    expect(st).toBe(1);
    expect(errs[0]).toMatch(/not modelled/);
  });
});
