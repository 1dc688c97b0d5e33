/**
 * The analysis is never trusted alone: on every kernel-suite scenario, every class's
 * representative goes through the concrete engine (routeGet, or its journey when OUTPUT
 * chains decide) and must get the class's outcome; the classes of a family are disjoint and
 * together are the whole universe. The same for packets from sockets bound to a source
 * address (`route get DST from SRC`, bound.ts).
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { and, or } from "../../src/analysis/bdd/apply.js";
import { FALSE } from "../../src/analysis/bdd/arena.js";
import { boundOutcomesOf } from "../../src/analysis/bound.js";
import { Analysis } from "../../src/analysis/classes.js";
import { crossCheck } from "../../src/analysis/crosscheck.js";
import { formatAddr } from "../../src/addr/ip.js";
import { loadScenario } from "../load-scenario.js";
import { buildNetfilter } from "../../src/model/netfilter.js";

const DIR = path.join(import.meta.dirname, "..", "kernel", "scenarios");
const scenarios = readdirSync(DIR).filter((f) => f.endsWith(".sh"));

describe("analysis vs engine on every kernel scenario", () => {
  it("has scenarios", () => expect(scenarios.length).toBeGreaterThan(20));
  for (const f of scenarios)
    it(f, () => {
      const { s } = loadScenario(path.join(DIR, f));
      const nf = buildNetfilter(s);
      const a = new Analysis(s, undefined, () => nf.chains);
      const classes = a.classes();
      const bad = crossCheck(s, classes, nf.chains, a.m).map(
        (b) => `${formatAddr(b.cls.representative.dst)}: ${b.diffs.join("; ")}`,
      );
      expect(bad).toEqual([]);
      for (const fam of [4, 6] as const) {
        let union = FALSE;
        for (const c of classes.filter((x) => x.outcome.family === fam)) {
          expect(and(a.m, union, c.pred)).toBe(FALSE);
          union = or(a.m, union, c.pred);
        }
        expect(union).toBe(a.universe(fam));
      }
    });
});

describe("bound sockets (from without iif) vs engine on every kernel scenario", () => {
  for (const f of scenarios)
    it(f, () => {
      const { s } = loadScenario(path.join(DIR, f));
      const nf = buildNetfilter(s);
      const a = new Analysis(s, undefined, () => nf.chains);
      const classes = a.classes(undefined, [4, 6], undefined, boundOutcomesOf(a, [4, 6]));
      const bad = crossCheck(s, classes, nf.chains, a.m).map(
        (b) =>
          `${formatAddr(b.cls.representative.dst)} from ` +
          `${formatAddr(b.cls.representative.src)}: ${b.diffs.join("; ")}`,
      );
      expect(bad).toEqual([]);
      for (const fam of [4, 6] as const) {
        let union = FALSE;
        for (const c of classes.filter((x) => x.outcome.family === fam)) {
          expect(c.outcome.bound).toBe(true);
          expect(and(a.m, union, c.pred)).toBe(FALSE);
          union = or(a.m, union, c.pred);
        }
        expect(union).toBe(a.boundUniverse(fam));
      }
    });
});
