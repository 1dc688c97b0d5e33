/**
 * head, tail and wc against coreutils: each case runs the real tool (the oracle, C locale) on
 * the same standard input or files and routelab's through `readFile`; output and status must
 * agree.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runHead, runTail } from "./head-tail.js";
import type { TextIo } from "./text-io.js";
import { runWc } from "./wc.js";

const DIR = mkdtempSync(join(tmpdir(), "routelab-wc-"));
const A = join(DIR, "a");
const B = join(DIR, "b");
writeFileSync(A, "default via 10.0.0.1 dev eth0\n10.0.0.0/8 dev eth0 scope link\n");
writeFileSync(B, "one two  three\nfour");
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const TEXT = "1 one\n2 two\n3 three\n4 four\n5\n6\n7\n8\n9\n10\n11 eleven\n12";
const RUNS = { head: runHead, tail: runTail, wc: runWc } as const;
const CASES: [keyof typeof RUNS, string[]][] = [
  ["head", []],
  ["head", ["-n", "1"]],
  ["head", ["-1"]],
  ["head", ["-n", "-2"]],
  ["head", ["-c", "5"]],
  ["head", ["-c", "-3"]],
  ["head", ["-n0"]],
  ["head", ["-n", "x"]],
  ["head", [A]],
  ["tail", []],
  ["tail", ["-n", "1"]],
  ["tail", ["-1"]],
  ["tail", ["-n", "+11"]],
  ["tail", ["-n", "+1"]],
  ["tail", ["-c", "4"]],
  ["tail", ["-c", "+20"]],
  ["tail", ["-n", "0"]],
  ["tail", ["-n", "1", B]],
  ["wc", []],
  ["wc", ["-l"]],
  ["wc", ["-w"]],
  ["wc", ["-c"]],
  ["wc", ["-lw"]],
  ["wc", ["-l", A]],
  ["wc", [A, B]],
  ["wc", ["-l", A, B]],
  ["wc", ["-c", A, "-"]],
  ["wc", [A]],
  ["wc", ["-m", B]],
];

function readFile(p: string): string | undefined {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
}

describe("head, tail and wc as coreutils", () => {
  for (const [tool, args] of CASES)
    it(`${tool} ${args.join(" ").replaceAll(DIR, "DIR")}`, () => {
      const env = { ...process.env, LC_ALL: "C" };
      const real = spawnSync(tool, args, { input: TEXT, encoding: "utf8", env });
      let out = "";
      const errs: string[] = [];
      const io: TextIo = {
        stdin: TEXT,
        readFile,
        out: (t) => (out += t),
        warn: (m) => errs.push(m),
      };
      const status = RUNS[tool](args, io);
      expect({ out, status }).toEqual({ out: real.stdout, status: real.status });
      expect(errs.length > 0).toBe(real.stderr !== "");
    });
});
