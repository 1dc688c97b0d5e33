/**
 * sort and cut against coreutils: each case runs the real tool (the oracle, in the C locale)
 * and routelab's on the same input; output and status must agree. vpnc-script's
 * `sort -n | cut -d' ' -f3-` also has a fixed expectation.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runCut } from "./cut.js";
import { runSort } from "./sort.js";
import type { TextIo } from "./text-io.js";

type Run = (args: string[], io: TextIo) => number;

function ours(run: Run, args: string[], stdin: string) {
  let out = "";
  const errs: string[] = [];
  const status = run(args, {
    stdin,
    readFile: () => undefined,
    out: (t) => (out += t),
    warn: (m) => errs.push(m),
  });
  return { out, status, errs };
}

const LINES = "b 10 x\na 9 y\nc 10 a\n  d -1 z\nB 2.5 q\n\na 9 y\ne abc w\n";
const PASSWD = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\nnone\n";
const ROUTES = "4294967295 203.0.113.5 via 192.168.1.1 dev eth0\n100 203.0.113.5 dev wlan0\n";

const NUMS = "10 b\n9 a\n-3 c\n1.5 d\n 2 e\nx f\n\n10 a\n0x10 g\n+5 h\n1e2 i\n";
const GROUP = "root:x:0:0\nbin:x:2:2\nsys:x:3:3\nadm::10:4\n";

const SORTS: string[][] = [
  [],
  ["-n"],
  ["-r"],
  ["-nr"],
  ["-u"],
  ["-n", "-u"],
  ["-k2"],
  ["-k2n"],
  ["-k", "2,2n", "-k1,1r"],
  ["-k2,2", "-n"],
  ["-t", " ", "-k3"],
  ["-s", "-k1,1"],
  ["-f"],
  ["-b", "-k2"],
  ["-k1.2,1.3"],
  ["-n", "-k2", "-r"],
];
const CUTS: [string[], string][] = [
  [["-d", " ", "-f3-"], ROUTES],
  [["-d:", "-f1,7"], PASSWD],
  [["-d:", "-f", "1-3,6"], PASSWD],
  [["-d:", "-s", "-f2"], PASSWD],
  [["-d:", "-f-2"], PASSWD],
  [["-c1-4"], PASSWD],
  [["-c", "2,5-"], PASSWD],
  [["-f2"], "a\tb\tc\nno tab\n"],
  [["-d:", "--output-delimiter=|", "-f1,3"], PASSWD],
  [["-d", " ", "-f9"], ROUTES],
  [["-f0"], "x\n"],
  [["-f3-2"], "x\n"],
  [["-d", "ab", "-f1"], "x\n"],
  [["-x"], "x\n"],
  [[], "x\n"],
  [["-d:", "-f2"], "a:b\nnodelim\n:\n"],
  [["-d:", "-f3,1"], GROUP],
  [["-c3"], "ab\nabcd\n"],
  [["-c", "1,1,2"], "abc\n"],
  [["-f1"], "a\tb"],
  [["-d", ":", "-f", "1,"], GROUP],
  [["-b1-2"], "abc\n"],
  [["-d:", "-f", "-"], GROUP],
];

const C = { ...process.env, LC_ALL: "C" };
const HAS = spawnSync("sort", ["--version"]).status === 0;

const MORE_SORTS: [string[], string][] = [
  [["-n"], NUMS],
  [["-rn"], NUMS],
  [["-un"], NUMS],
  [["-k2,2", "-k1,1n"], NUMS],
  [["-k1.1,1.1"], NUMS],
  [["-n", "-s"], NUMS],
  [["-t:", "-k3n"], GROUP],
  [["-t:", "-k3,3nr"], GROUP],
  [["-t", ":", "-k2,2", "-k1"], GROUP],
  [["-t:", "-k5"], GROUP],
  [["-k", "2b"], " x  b\n x a\n"],
  [["-k3"], "a b\nc\n"],
  [["-nu", "-k1,1"], "1 a\n1 b\n2 c\n"],
  [["-k1,1", "-u"], "a 1\na 2\nb 3\n"],
  [["-k0"], NUMS],
  [["-t", "ab"], NUMS],
];

describe.skipIf(!HAS)("sort as coreutils sorts (C locale)", () => {
  for (const [args, input] of MORE_SORTS)
    it(`sort ${args.join(" ")} (${input.length} bytes)`, () => {
      const real = spawnSync("sort", args, { input, encoding: "utf8", env: C });
      const r = ours(runSort, args, input);
      expect({ out: r.out, status: r.status }).toEqual({ out: real.stdout, status: real.status });
    });
  for (const args of SORTS)
    it(`sort ${args.join(" ")}`, () => {
      const real = spawnSync("sort", args, { input: LINES, encoding: "utf8", env: C });
      const r = ours(runSort, args, LINES);
      expect({ out: r.out, status: r.status }).toEqual({ out: real.stdout, status: real.status });
    });
});

describe.skipIf(!HAS)("cut as coreutils cuts", () => {
  for (const [args, input] of CUTS)
    it(`cut ${args.join(" ")}`, () => {
      const real = spawnSync("cut", args, { input, encoding: "utf8", env: C });
      const r = ours(runCut, args, input);
      expect({ out: r.out, status: r.status }).toEqual({ out: real.stdout, status: real.status });
      expect(r.errs.length > 0).toBe(real.stderr !== "");
    });
});

describe("vpnc-script's sort -n | cut -d' ' -f3-", () => {
  it("orders the routes by metric and drops the metric and the destination", () => {
    const sorted = ours(runSort, ["-n"], ROUTES).out;
    expect(ours(runCut, ["-d", " ", "-f3-"], sorted).out).toBe(
      "dev wlan0\nvia 192.168.1.1 dev eth0\n",
    );
  });

  it("an option sort has but routelab does not model is refused", () => {
    expect(ours(runSort, ["-V"], "x\n")).toEqual({
      out: "",
      status: 2,
      errs: ["sort: option -V is not modelled"],
    });
  });
});
