/**
 * Received packets (input.ts, input6.ts) against the engine on every kernel-suite scenario:
 * for every device and family, every input class's representative goes through `route get
 * DST from SRC iif DEV [mark M]`, or its journey (`trace`) when the host has PREROUTING
 * chains, and must get the class's outcome; the classes of a device are disjoint and cover
 * its universe. The same on every real-packet journey family (test/kernel/journey/*.sh: the
 * netfilter setups whose journeys journey.kernel.test.ts confirms with the kernel: TPROXY,
 * CONNMARK, NAT…).
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { and, or } from "../../src/analysis/bdd/apply.js";
import { FALSE } from "../../src/analysis/bdd/arena.js";
import { Analysis } from "../../src/analysis/classes.js";
import { crossCheck } from "../../src/analysis/crosscheck.js";
import { formatAddr } from "../../src/addr/ip.js";
import { loadScenario } from "../load-scenario.js";
import { buildNetfilter } from "../../src/model/netfilter.js";

const DIR = path.join(import.meta.dirname, "..", "kernel", "scenarios");
const scenarios = readdirSync(DIR).filter((f) => f.endsWith(".sh"));
/** The real-packet journey families: netfilter setups whose journeys the kernel confirms. */
const JOURNEYS = path.join(import.meta.dirname, "..", "kernel", "journey");
const journeys = readdirSync(JOURNEYS).filter((f) => f.endsWith(".sh"));

describe("input classes vs engine on every kernel scenario", () => {
  for (const f of scenarios) it(f, () => crossCheckInput(path.join(DIR, f)));
});

describe("input classes vs engine on every real-packet journey family (PREROUTING)", () => {
  for (const f of journeys) it(f, () => crossCheckInput(path.join(JOURNEYS, f)));
});

/** Every device's input classes: the engine agrees, and they partition its universe. */
function crossCheckInput(file: string): void {
  const { s } = loadScenario(file);
  const nf = buildNetfilter(s);
  const a = new Analysis(s, undefined, () => nf.chains);
  for (const dev of a.inputDevices())
    for (const fam of [4, 6] as const) {
      const classes = a.classes(undefined, [fam], [dev]);
      const bad = crossCheck(s, classes, nf.chains, a.m).map(
        (b) =>
          `iif ${dev} ${formatAddr(b.cls.representative.dst)} from ` +
          `${formatAddr(b.cls.representative.src)} mark ${b.cls.representative.fwmark}: ` +
          b.diffs.join("; "),
      );
      expect(bad).toEqual([]);
      let union = FALSE;
      for (const c of classes) {
        expect(and(a.m, union, c.pred)).toBe(FALSE);
        union = or(a.m, union, c.pred);
      }
      expect(union).toBe(a.inputUniverse(dev, fam));
    }
}
