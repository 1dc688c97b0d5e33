/**
 * Kernel differential suite for `ip route get`: every scenario in test/kernel/scenarios is
 * set up in a throwaway network namespace, the kernel answers the probes (fixed ones from
 * `<family>.probes` plus fast-check generated ones), routelab answers the same batch, and
 * the answers must agree field for field (errors: the exact message).
 *
 * See test/kernel/README.md for how to add a scenario and the environment variables.
 */
import * as fs from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as h from "./harness.js";

const cfg = h.suiteConfig();
const ROOT = h.isRoot();
const SUITE = "ip route get: kernel vs routelab";

interface Stat {
  name: string;
  fixed: number;
  random: number;
  setupMs: number;
  kernelMs: number;
  routelabMs: number;
  fixedDisagreements: number;
  randomDisagreements: number;
  note: string;
}
const stats: Stat[] = [];
let shrinkSpentMs = 0;

function compareAll(
  lines: string[],
  labels: string[],
  k: h.Answer[],
  r: h.Answer[],
): h.Disagreement[] {
  const out: h.Disagreement[] = [];
  lines.forEach((probe, i) => {
    const diffs = h.compareAnswers(k[i], r[i]);
    if (diffs.length)
      out.push({
        probe,
        where: labels[i] ?? "",
        kernel: h.describeAnswer(k[i]),
        routelab: h.describeAnswer(r[i]),
        diffs,
      });
  });
  return out;
}

/** One scenario's row of the summary printed after the suite. */
function statLine(s: Stat): string {
  const counts = `fixed ${String(s.fixed).padStart(3)}  random ${String(s.random).padStart(3)}`;
  const ms = (n: number, width: number) => `${String(n).padStart(width)}ms`;
  const kernel = `setup ${ms(s.setupMs, 5)}  kernel ${ms(s.kernelMs, 4)}`;
  const routelab = cfg.kernelOnly
    ? ""
    : `  routelab ${ms(s.routelabMs, 5)}` +
      `  disagree ${s.fixedDisagreements}/${s.randomDisagreements}`;
  return `  ${s.name.padEnd(28)} ${counts}  ${kernel}${routelab}${s.note ? `  ${s.note}` : ""}`;
}

function printAnswers(
  title: string,
  lines: string[],
  labels: string[],
  k: h.Answer[],
  r?: h.Answer[],
): void {
  const rows = lines.map((l, i) => {
    const base = `  ${labels[i]?.padEnd(10) ?? ""} ${l}\n      kernel:   ${h.describeAnswer(k[i])}`;
    return r ? `${base}\n      routelab: ${h.describeAnswer(r[i])}` : base;
  });
  console.log(`${title}\n${rows.join("\n")}`);
}

const MISSING = ROOT ? h.missingTools() : [];
if (ROOT && MISSING.length) {
  // Root without the netfilter tools: one line saying what to install; CI must not skip.
  if (process.env.CI === "true")
    describe(SUITE, () => {
      it("has the netfilter tools in CI", () => {
        throw new Error(`CI=true: ${h.missingToolsLine(MISSING)}`);
      });
    });
  else {
    console.warn(`[route-get.kernel] SKIPPED: ${h.missingToolsLine(MISSING)}`);
    it.skip(`${SUITE}: skipped, ${h.missingToolsLine(MISSING)}`, () => {});
  }
} else if (!ROOT) {
  if (process.env.CI === "true") {
    describe(SUITE, () => {
      it("runs as root in CI", () => {
        throw new Error(
          "CI=true but the suite is not running as root: the kernel differential suite " +
            "needs network namespaces and must not be skipped in CI",
        );
      });
    });
  } else {
    console.warn(
      `[route-get.kernel] SKIPPED: not root (uid ${process.getuid?.()}); ` +
        "the kernel differential suite needs network namespaces",
    );
    it.skip(`${SUITE}: skipped, needs root for network namespaces`, () => {});
  }
} else {
  const scenarios = [
    ...h.loadScenarios(h.SCENARIO_DIR, cfg.filter),
    ...h.loadScenarios(h.EXAMPLES_DIR, cfg.filter, "example-"),
  ];

  describe(SUITE, () => {
    let cli: h.CliStatus = { ok: false, reason: "not checked" };

    beforeAll(() => {
      h.installExitHook();
      const reaped = h.reapStaleNetns();
      if (reaped.length)
        console.log(
          `[route-get.kernel] removed stale namespaces of dead runs: ${reaped.join(" ")}`,
        );
      cli = cfg.kernelOnly
        ? { ok: false, reason: "ROUTELAB_KERNEL_ONLY=1" }
        : h.routelabCliStatus(cfg.cli);
    });

    afterAll(() => {
      h.deleteAllCreated();
      h.removeTmpDir();
      const mode = cfg.kernelOnly
        ? "kernel only"
        : cli.ok
          ? "kernel vs routelab"
          : `kernel only (routelab unavailable: ${cli.reason})`;
      const lines = stats.map(statLine);
      const tf = stats.reduce((a, s) => a + s.fixed, 0);
      const tr = stats.reduce((a, s) => a + s.random, 0);
      const head = `[route-get.kernel] ${mode}: ${stats.length} scenarios`;
      console.log(`${head}, ${tf} fixed + ${tr} random probes\n${lines.join("\n")}`);
    });

    for (const sc of scenarios) {
      describe(sc.name, () => {
        const ns = h.nsName(sc.name);
        const stat: Stat = {
          name: sc.name,
          fixed: sc.probes.length,
          random: 0,
          setupMs: 0,
          kernelMs: 0,
          routelabMs: 0,
          fixedDisagreements: 0,
          randomDisagreements: 0,
          note: "",
        };
        stats.push(stat);
        let setup: h.SetupResult = { ok: false, ms: 0, stderr: "not run" };
        let arb: fc.Arbitrary<h.ProbeSpec> | null = null;
        let randomLines: string[] = [];
        let kernel: h.BatchOutcome | null = null;
        let routelab: h.BatchOutcome | null = null;
        const seed = h.scenarioSeed(cfg.seed, sc.name);
        const fixedLines = sc.probes.map((p) => p.text);
        const fixedLabels = sc.probes.map((p) => `L${p.line}`);
        const kCache = new Map<string, h.Answer>();
        const rCache = new Map<string, h.Answer>();

        const askKernel = (line: string): h.Answer => {
          let a = kCache.get(line);
          if (!a) {
            a = h.kernelBatch(ns, [line]).answers[0] ?? { kind: "missing", detail: "no answer" };
            kCache.set(line, a);
          }
          return a;
        };
        const askRoutelab = (line: string): h.Answer => {
          let a = rCache.get(line);
          if (!a) {
            a = h.routelabBatch(cfg.cli, sc.script, [line]).answers[0] ?? {
              kind: "missing",
              detail: "no answer",
            };
            rCache.set(line, a);
          }
          return a;
        };

        beforeAll(() => {
          h.createNetns(ns);
          setup = h.runScenarioScript(ns, sc.script);
          stat.setupMs = setup.ms;
          if (!setup.ok) return;
          if (cfg.runs > 0) {
            arb = h.probeArbitrary(h.readVocabulary(ns));
            // Collect the probes with fc.check itself (not fc.sample, whose bias differs), so
            // the shrinking run below replays exactly these values from the caches.
            const specs: h.ProbeSpec[] = [];
            fc.check(
              fc.property(arb, (p) => {
                specs.push(p);
                return true;
              }),
              { seed, numRuns: cfg.runs },
            );
            randomLines = specs.map((p) => h.renderProbe(p));
            stat.random = randomLines.length;
          }
          const all = [...fixedLines, ...randomLines];
          kernel = h.kernelBatch(ns, all);
          stat.kernelMs = kernel.ms;
          all.forEach((l, i) => kCache.set(l, kernel!.answers[i]!));
          if (cli.ok) {
            routelab = h.routelabBatch(cfg.cli, sc.script, all);
            stat.routelabMs = routelab.ms;
            all.forEach((l, i) =>
              rCache.set(l, routelab!.answers[i] ?? { kind: "missing", detail: "no answer" }),
            );
          }
        });

        afterAll(() => {
          h.deleteNetns(ns);
        });

        it("setup script runs cleanly in a namespace", () => {
          if (!setup.ok)
            expect.fail(`${sc.name}.sh failed in the kernel (scenario bug):\n${setup.stderr}`);
        });

        it(`fixed probes (${sc.probes.length})`, () => {
          expect(setup.ok, "setup failed").toBe(true);
          const k = kernel!.answers.slice(0, fixedLines.length);
          const bad = fixedLines
            .map((l, i) => ({ l, label: fixedLabels[i], p: h.kernelAnswerProblem(k[i]!) }))
            .filter((x) => x.p !== null);
          if (bad.length)
            expect.fail(
              `probe bugs in ${sc.name}.probes (the kernel rejected them as usage errors):\n` +
                bad.map((b) => `  ${b.label} ${b.l}: ${b.p}`).join("\n"),
            );
          if (cfg.kernelOnly || !cli.ok) {
            if (cfg.verbose) printAnswers(`[${sc.name}] fixed probes`, fixedLines, fixedLabels, k);
            if (!cfg.kernelOnly)
              expect.fail(
                `routelab CLI unavailable: ${cli.reason} ` +
                  "(set ROUTELAB_KERNEL_ONLY=1 to validate the kernel side only)",
              );
            return;
          }
          const broken = h.brokenBatch(routelab!);
          if (broken) expect.fail(`routelab could not run ${sc.name}: ${broken}`);
          const r = routelab!.answers.slice(0, fixedLines.length);
          if (cfg.verbose) printAnswers(`[${sc.name}] fixed probes`, fixedLines, fixedLabels, k, r);
          const dis = compareAll(
            fixedLines,
            fixedLabels.map((l) => `${sc.name}.probes:${l.slice(1)}`),
            k,
            r,
          );
          stat.fixedDisagreements = dis.length;
          const status = routelab!.statuses[0];
          const kstatus = kernel!.statuses[0];
          const extra: string[] = [];
          if (JSON.stringify(routelab!.stray) !== JSON.stringify(kernel!.stray))
            extra.push(
              "unattributable output differs (warnings / extra lines):" +
                `\n    kernel:   ${JSON.stringify(kernel!.stray.slice(0, 10))}` +
                `\n    routelab: ${JSON.stringify(routelab!.stray.slice(0, 10))}`,
            );
          if (dis.length || extra.length)
            expect.fail(
              `${sc.name}: ${dis.length}/${fixedLines.length} fixed probes disagree ` +
                `(kernel exit ${kstatus}, routelab exit ${status})\n` +
                dis.map((d) => h.formatDisagreement(sc.name, d)).join("\n") +
                (extra.length ? `\n${extra.join("\n")}` : ""),
            );
          expect(status, "routelab exit status (1 if any line failed, like ip)").toBe(kstatus);
        });

        if (h.SHARED_STREAM.test(fs.readFileSync(sc.probesFile, "utf8")))
          it("fixed probes on a shared stream (text, 2>&1)", () => {
            expect(setup.ok, "setup failed").toBe(true);
            if (cfg.kernelOnly || !cli.ok) return;
            const k = h.sharedStreamBatch("ip", ["-n", ns, "-force", "-batch"], fixedLines);
            const r = h.sharedStreamBatch(
              process.execPath,
              [cfg.cli, "--load", sc.script, "-force", "-batch"],
              fixedLines,
            );
            expect(r).toBe(k);
          });

        it(`randomized probes (${cfg.runs}, seed ${seed})`, () => {
          expect(setup.ok, "setup failed").toBe(true);
          if (cfg.runs === 0) return;
          const off = fixedLines.length;
          const k = kernel!.answers.slice(off);
          const labels = randomLines.map((_, i) => `#${i + 1}`);
          const bad = randomLines
            .map((l, i) => ({ l, p: h.kernelAnswerProblem(k[i]!) }))
            .filter((x) => x.p !== null);
          if (bad.length)
            expect.fail(
              `generator bug: the kernel rejected generated probes as usage errors:\n${bad
                .slice(0, 20)
                .map((b) => `  ${b.l}: ${b.p}`)
                .join("\n")}`,
            );
          if (cfg.kernelOnly || !cli.ok) {
            // (an unavailable CLI is reported once, by the fixed-probe test)
            if (cfg.verbose) printAnswers(`[${sc.name}] random probes`, randomLines, labels, k);
            return;
          }
          const broken = h.brokenBatch(routelab!);
          if (broken) expect.fail(`routelab could not run ${sc.name}: ${broken}`);
          const r = routelab!.answers.slice(off);
          if (cfg.verbose) printAnswers(`[${sc.name}] random probes`, randomLines, labels, k, r);
          const dis = compareAll(randomLines, labels, k, r);
          stat.randomDisagreements = dis.length;
          if (!dis.length) return;

          // Shrink: the property asks both sides for one probe (answers cached; the batch
          // above pre-filled both caches, so replaying up to the first failure is free).
          // Out of budget, unknown probes count as passing: fast-check then stops with the
          // smallest counterexample found so far.
          const t0 = Date.now();
          const budget = Math.min(cfg.shrinkMs, Math.max(0, cfg.shrinkTotalMs - shrinkSpentMs));
          let fresh = 0;
          let missesBeforeFailure = 0;
          let failedOnce = false;
          let budgetHit = false;
          const property = fc.property(arb!, (spec) => {
            const line = h.renderProbe(spec);
            if (!rCache.has(line) || !kCache.has(line)) {
              if (Date.now() - t0 > budget) {
                budgetHit = true;
                return true;
              }
              fresh++;
              if (!failedOnce) missesBeforeFailure++;
            }
            const ok = h.compareAnswers(askKernel(line), askRoutelab(line)).length === 0;
            if (!ok) failedOnce = true;
            return ok;
          });
          const details = fc.check(property, { seed, numRuns: cfg.runs });
          shrinkSpentMs += Date.now() - t0;
          let minimal = "";
          if (details.failed && details.counterexample) {
            const line = h.renderProbe(details.counterexample[0]);
            const kA = askKernel(line);
            const rA = askRoutelab(line);
            const notes = [
              `${details.numShrinks} shrinks`,
              `${fresh} fresh probes`,
              `${Date.now() - t0}ms`,
              ...(budgetHit
                ? [
                    budget === 0
                      ? "suite shrink budget exhausted: not shrunk"
                      : "shrink budget exhausted",
                  ]
                : []),
              ...(missesBeforeFailure ? [`${missesBeforeFailure} replay cache misses`] : []),
            ];
            minimal = h.formatDisagreement(sc.name, {
              probe: line,
              where: `minimal counterexample (${notes.join(", ")})`,
              kernel: h.describeAnswer(kA),
              routelab: h.describeAnswer(rA),
              diffs: h.compareAnswers(kA, rA),
            });
          } else {
            minimal =
              "  (fast-check replay did not reproduce the failure: " +
              "answers differ between batch and single runs?)";
          }
          expect.fail(
            `${sc.name}: ${dis.length}/${randomLines.length} random probes disagree ` +
              `(seed ${seed})\n${minimal}\n` +
              `  first raw disagreements:\n${dis
                .slice(0, 5)
                .map((d) => h.formatDisagreement(sc.name, d))
                .join("\n")}`,
          );
        });
      });
    }
  });
}
