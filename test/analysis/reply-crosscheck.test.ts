/**
 * Replies (reply-of) are never trusted alone: on every kernel-suite scenario, every reply
 * class's representative goes through the concrete engine as `ip route get DST from SRC …`
 * (the output lookup with a bound source) and must get the class's outcome; the classes of a
 * family are disjoint.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { and, or } from "../../src/analysis/bdd/apply.js";
import { FALSE } from "../../src/analysis/bdd/arena.js";
import { Analysis } from "../../src/analysis/classes.js";
import { crossCheckReplies, replyClasses } from "../../src/analysis/reply.js";
import { formatAddr } from "../../src/addr/ip.js";
import { loadScenario } from "../load-scenario.js";

const DIR = path.join(import.meta.dirname, "..", "kernel", "scenarios");
const scenarios = readdirSync(DIR).filter((f) => f.endsWith(".sh"));

describe("reply classes vs engine on every kernel scenario", () => {
  for (const f of scenarios)
    it(f, () => {
      const { s } = loadScenario(path.join(DIR, f));
      const a = new Analysis(s);
      const classes = replyClasses(a);
      expect(classes.length).toBeGreaterThan(0);
      const bad = crossCheckReplies(s, classes).map(
        (b) =>
          `${formatAddr(b.cls.representative.dst)} from ` +
          `${formatAddr(b.cls.representative.src)}: ${b.diffs.join("; ")}`,
      );
      expect(bad).toEqual([]);
      for (const fam of [4, 6] as const) {
        let union = FALSE;
        for (const c of classes.filter((x) => x.outcome.family === fam)) {
          expect(and(a.m, union, c.pred)).toBe(FALSE);
          union = or(a.m, union, c.pred);
        }
      }
    });
});
