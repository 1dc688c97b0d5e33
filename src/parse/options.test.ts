import { describe, expect, it } from "vitest";
import { parseIpOptions } from "./options.js";
import type { Word } from "./shell.js";

const ws = (line: string): Word[] =>
  line.split(" ").map((text, k) => ({ text, loc: { file: "t", line: 1, col: k + 1 } }));

// ip 6.1: `ip -4 -j route`, `ip --json -d -f inet6 rule`, `ip -x`, `ip -family ipx route`.
describe("parseIpOptions (ip.c main)", () => {
  it("reads options up to the object word", () => {
    expect(parseIpOptions(ws("-4 -j route"), 0)).toEqual({
      opts: { family: 4, json: true },
      next: 2,
    });
    expect(parseIpOptions(ws("--json -d -f inet6 rule"), 0)).toEqual({
      opts: { json: true, details: true, family: 6 },
      next: 4,
    });
  });
  it("refuses what ip refuses, with ip's text", () => {
    expect(parseIpOptions(ws("-x route"), 0).error?.message).toBe(
      'Option "-x" is unknown, try "ip -help".',
    );
    expect(parseIpOptions(ws("-family ipx route"), 0).error?.message).toBe(
      'Error: argument "ipx" is wrong: invalid protocol family',
    );
  });
  it("-force needs three letters; -f is -family", () => {
    expect(parseIpOptions(ws("-for -batch f"), 0).opts).toEqual({ force: true, batch: "f" });
    expect(parseIpOptions(ws("-f inet route"), 0).opts).toEqual({ family: 4 });
  });
});
