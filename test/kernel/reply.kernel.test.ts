import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Analysis, type PacketClass } from "../../src/analysis/classes.js";
import { replyClasses, replyWords } from "../../src/analysis/reply.js";
import { formatAddr } from "../../src/addr/ip.js";
import { ERRNO } from "../../src/engine/types.js";
import { linkByIndex } from "../../src/model/links.js";
import { loadScenario } from "../load-scenario.js";
import type { HostState } from "../../src/model/types.js";
import * as h from "./harness.js";

const cfg = h.suiteConfig();
const engineGaps: string[] = [];

/** Reply classes per scenario sent to the kernel (the biggest of each family first). */
const SAMPLE = 16;

/** Differences between the kernel's answer and the class's outcome ([] when they agree). */
function compare(s: HostState, c: PacketClass, a: h.Answer | undefined): string[] {
  const o = c.outcome;
  if (!a) return ["no kernel answer"];
  if (a.kind === "error") {
    if (o.ok) return [`kernel refuses (${a.messages.join(" ")}), analysis routes`];
    const want = o.errno ? ERRNO[o.errno] : undefined;
    return a.messages.some((m) => want && m.includes(want))
      ? []
      : [`kernel ${a.messages.join(" ")}, analysis ${o.errno}`];
  }
  if (a.kind !== "ok") return [`kernel answer ${a.kind}`];
  if (!o.ok) return [`kernel routes (${a.raw}), analysis refuses ${o.errno}`];
  const r = (a.json as Record<string, unknown>[])[0] ?? {};
  const out: string[] = [];
  const devs = o.paths.map((p) => linkByIndex(s, p.dev)?.name);
  if (!devs.includes(String(r.dev))) out.push(`dev ${r.dev} not in ${devs.join("|")}`);
  const gws = o.paths.flatMap((p) => (p.gateway ? [formatAddr(p.gateway)] : []));
  const gw = r.gateway === undefined ? undefined : String(r.gateway);
  if (gw !== undefined ? !gws.includes(gw) : gws.length === devs.length && gws.length)
    out.push(`gateway ${gw ?? "-"}, analysis ${gws.join("|") || "-"}`);
  const type = r.type === undefined ? "unicast" : String(r.type);
  if (type !== o.type) out.push(`type ${type}, analysis ${o.type}`);
  const table = r.table === undefined ? "main" : String(r.table);
  const want = o.table === undefined ? undefined : (s.tableNames.get(o.table) ?? String(o.table));
  if (want !== undefined && table !== want) out.push(`table ${table}, analysis ${want}`);
  // IPv4 prints a prefsrc only when it differs from the bound source (rt_fill_info); IPv6
  // prints the route's own source selection whatever the bound one.
  const bound = formatAddr(c.representative.src);
  if (o.family === 4 && r.prefsrc !== undefined && r.prefsrc !== bound)
    out.push(`src ${r.prefsrc}, not the bound ${bound}`);
  return out;
}

if (!h.isRoot()) {
  // Under CI every suite must run: no root there is a failure, not a skip.
  if (process.env.CI === "true")
    throw new Error("CI=true but not root: the reply kernel suite needs network namespaces");
  it.skip("replies vs kernel: needs root for network namespaces", () => {});
} else {
  const scenarios = h.loadScenarios(h.SCENARIO_DIR, cfg.filter);
  describe("reply representatives: kernel vs routelab reply-of", () => {
    beforeAll(() => h.installExitHook());
    afterAll(() => {
      h.deleteAllCreated();
      if (engineGaps.length)
        console.warn(
          `[reply.kernel] replies the engine answers unlike the kernel ` +
            `(engine gaps, not analysis ones):\n  ${engineGaps.join("\n  ")}`,
        );
    });
    for (const sc of scenarios)
      it(sc.name, () => {
        const { s } = loadScenario(sc.script);
        const classes = replyClasses(new Analysis(s));
        const sample = [4, 6].flatMap((f) =>
          classes.filter((c) => c.outcome.family === f).slice(0, SAMPLE / 2),
        );
        const lines = sample.map((c) => `route get ${replyWords(c.representative).join(" ")}`);
        const ns = h.nsName(`rp${sc.name}`);
        h.createNetns(ns);
        try {
          const setup = h.runScenarioScript(ns, sc.script);
          expect(setup.ok, setup.stderr).toBe(true);
          const k = h.kernelBatch(ns, lines);
          const r = h.routelabBatch(cfg.cli, sc.script, lines);
          const bad: string[] = [];
          sample.forEach((c, i) => {
            const diffs = compare(s, c, k.answers[i]);
            if (!diffs.length) return;
            const line = `${lines[i]}: ${diffs.join("; ")}`;
            if (h.compareAnswers(k.answers[i], r.answers[i]).length) engineGaps.push(line);
            else bad.push(line);
          });
          expect(bad).toEqual([]);
        } finally {
          h.deleteNetns(ns);
        }
      });
  });
}
