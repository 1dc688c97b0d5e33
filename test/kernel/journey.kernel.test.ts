/**
 * Real-packet differential suite for netfilter + routing: every family in
 * test/kernel/journey/ is built in throwaway namespaces, its packets are sent from real
 * sockets (or injected by the far side), the kernel's nft trace and the far sides' captures
 * say what happened, and routelab's `trace` must tell the same story: the final verdict,
 * device, addresses, mark, and the sequence of hooks and rules (with their verdicts).
 *
 * See test/kernel/README.md ("Real-packet journeys") for the file format and variables.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as h from "./harness.js";
import * as j from "./journey-harness.js";

const cfg = h.suiteConfig();
const ROOT = h.isRoot();
const SUITE = "real-packet journeys: kernel vs routelab trace";

interface Stat {
  name: string;
  packets: number;
  setupMs: number;
  packetsMs: number;
  routelabMs: number;
  disagreements: number;
  verdicts: Record<string, number>;
  note: string;
}
const stats: Stat[] = [];

/** One family's row of the summary printed after the suite. */
function statLine(s: Stat, withRoutelab: boolean): string {
  const ms = (n: number, width: number) => `${String(n).padStart(width)}ms`;
  const times = `setup ${ms(s.setupMs, 5)}  packets ${ms(s.packetsMs, 5)}`;
  const verdicts = Object.entries(s.verdicts)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  const routelab = withRoutelab
    ? `  routelab ${ms(s.routelabMs, 4)}  disagree ${s.disagreements}`
    : "";
  const note = s.note ? `  ${s.note}` : "";
  return (
    `  ${s.name.padEnd(26)} packets ${String(s.packets).padStart(3)}  ${times}` +
    `  [${verdicts}]${routelab}${note}`
  );
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
    console.warn(`[journey.kernel] SKIPPED: ${h.missingToolsLine(MISSING)}`);
    it.skip(`${SUITE}: skipped, ${h.missingToolsLine(MISSING)}`, () => {});
  }
} else if (!ROOT) {
  if (process.env.CI === "true") {
    describe(SUITE, () => {
      it("runs as root in CI", () => {
        throw new Error(
          "CI=true but the suite is not running as root: the real-packet suite " +
            "needs network namespaces and must not be skipped in CI",
        );
      });
    });
  } else {
    console.warn(
      `[journey.kernel] SKIPPED: not root (uid ${process.getuid?.()}); ` +
        "the real-packet suite needs network namespaces",
    );
    it.skip(`${SUITE}: skipped, needs root for network namespaces`, () => {});
  }
} else {
  const families = j.loadFamilies(j.JOURNEY_DIR, cfg.filter);
  const t0 = Date.now();

  describe(SUITE, () => {
    let cli = { ok: false, reason: "not checked" };

    beforeAll(() => {
      h.installExitHook();
      process.once("exit", () => j.deleteOwnNamespaces());
      const reaped = j.reapStale();
      if (reaped.length)
        console.log(`[journey.kernel] removed stale namespaces of dead runs: ${reaped.join(" ")}`);
      cli = cfg.kernelOnly
        ? { ok: false, reason: "ROUTELAB_KERNEL_ONLY=1" }
        : j.routelabTraceStatus(cfg.cli);
    });

    afterAll(() => {
      j.deleteOwnNamespaces();
      j.removeHelperDir();
      const mode = cfg.kernelOnly
        ? "kernel only"
        : cli.ok
          ? "kernel vs routelab"
          : `kernel only (routelab unavailable: ${cli.reason})`;
      const rows = stats.map((s) => statLine(s, cli.ok));
      const total = stats.reduce((a, s) => a + s.packets, 0);
      const seconds = ((Date.now() - t0) / 1000).toFixed(1);
      console.log(
        `[journey.kernel] ${mode}: ${stats.length} families, ${total} packets, ${seconds} s\n` +
          rows.join("\n"),
      );
    });

    it("has families", () => {
      expect(
        families.length,
        `no families in ${j.JOURNEY_DIR}${cfg.filter ? ` matching ${cfg.filter}` : ""}`,
      ).toBeGreaterThan(0);
    });

    for (const fam of families) {
      describe(fam.name, () => {
        const stat: Stat = {
          name: fam.name,
          packets: fam.packets.length,
          setupMs: 0,
          packetsMs: 0,
          routelabMs: 0,
          disagreements: 0,
          verdicts: {},
          note: "",
        };
        stats.push(stat);
        let run: j.FamilyKernelRun | null = null;
        let rl: j.RoutelabAnswer[] | null = null;
        let stray: string[] = [];
        const lines = fam.packets.map((p, i) => j.renderPacket(p, i));

        beforeAll(async () => {
          if (fam.errors.length) return;
          run = await j.runFamilyKernel(fam);
          stat.setupMs = run.setupMs;
          stat.packetsMs = run.packetsMs;
          for (const o of run.outcomes)
            stat.verdicts[o.final.verdict] = (stat.verdicts[o.final.verdict] ?? 0) + 1;
          if (!run.ok) stat.note = "SETUP FAILED";
          if (cli.ok) {
            const r = j.routelabRun(cfg.cli, fam, lines);
            rl = r.answers;
            stray = r.stray;
            stat.routelabMs = r.ms;
          }
        }, 120_000);

        it("family files are valid", () => {
          if (fam.errors.length) expect.fail(`${fam.name}: ${fam.errors.join("\n")}`);
        });

        it("kernel setup runs", () => {
          expect(fam.errors, "family files invalid").toEqual([]);
          if (!run!.ok) expect.fail(`${fam.name}: ${run!.error}`);
        });

        it(`packets (${fam.packets.length})`, () => {
          expect(fam.errors, "family files invalid").toEqual([]);
          expect(run?.ok, "kernel setup failed").toBe(true);
          const k = run!.outcomes;
          const report: string[] = [];
          const bad: string[] = [];
          fam.packets.forEach((p, i) => {
            const ko = k[i]!;
            const head = `${fam.name}.packets:${p.line}  ${lines[i]}`;
            const ro = rl?.[i];
            const diffs = ro ? j.compareOutcome(ko, ro) : [];
            if (cfg.verbose || diffs.length) {
              const block = [
                head,
                `    kernel:   ${j.describeFinal(ko.final)}`,
                ...(ro ? [`    routelab: ${ro.ok ? j.describeFinal(ro.final) : ro.raw}`] : []),
                ...ko.notes.map((n) => `    note: ${n}`),
              ];
              if (cfg.verbose) {
                block.push("    kernel trace:", ...ko.steps.map((s) => `      ${j.formatStep(s)}`));
                if (ro?.ok) {
                  const same =
                    JSON.stringify(ro.steps.map(j.formatStep)) ===
                    JSON.stringify(ko.steps.map(j.formatStep));
                  block.push(
                    same
                      ? `    routelab trace: the same ${ro.steps.length} steps`
                      : "    routelab trace:",
                    ...(same ? [] : ro.steps.map((s) => `      ${j.formatStep(s)}`)),
                  );
                }
                if (process.env.ROUTELAB_KERNEL_RAW === "1")
                  block.push("    raw:", ...ko.raw.map((l) => `      ${l}`));
              }
              if (diffs.length)
                block.push(...diffs.map((d) => `    DIFF ${d.replace(/\n/g, "\n    ")}`));
              (diffs.length ? bad : report).push(block.join("\n"));
            }
          });
          stat.disagreements = bad.length;
          if (report.length) console.log(report.join("\n"));
          if (!cfg.kernelOnly && !cli.ok)
            expect.fail(
              `routelab trace unavailable: ${cli.reason} ` +
                "(set ROUTELAB_KERNEL_ONLY=1 to run the kernel side only)",
            );
          const extra = stray.length
            ? "\nroutelab printed output not tied to a packet:\n  " +
              stray.slice(0, 10).join("\n  ")
            : "";
          if (bad.length || stray.length)
            expect.fail(
              `${fam.name}: ${bad.length}/${fam.packets.length} packets disagree\n` +
                bad.join("\n") +
                extra,
            );
        });
      });
    }
  });
}
