/**
 * map, check and diff on every kernel-suite scenario (issue 10's "run on every scenario"),
 * each answer tied back to the concrete engine:
 * - check: for a sample of map classes, `always: REPRESENTATIVE -> dev D…` must hold and the
 *   `never:` form must fail with a counterexample inside the representative's packet set;
 * - diff: a scenario against itself changes nothing; against the scenario without its last
 *   `ip rule add`, every change's representative goes where before/after say in each host's
 *   engine (`ip route get`).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ERRNO, Host, type MapEntry } from "../../src/index.js";

const DIR = path.join(import.meta.dirname, "..", "kernel", "scenarios");
const scenarios = readdirSync(DIR).filter((f) => f.endsWith(".sh"));
/** Classes per family whose representative is checked as an assertion. */
const SAMPLE = 6;

/**
 * The representative as PACKETS words with every field pinned: `route get`'s defaults (mark
 * 0, uid 0, tos 0, UDP for IPv4 and ipproto 0 for IPv6, no ports), then the words it gives.
 */
function packetWords(c: MapEntry): string {
  const [dst, ...rest] = c.representative;
  const f: Record<string, string> = {
    mark: "0",
    uid: "0",
    tos: "0",
    ipproto: c.family === 4 ? "17" : "0",
    sport: "0",
    dport: "0",
  };
  for (let i = 0; i + 1 < rest.length; i += 2) f[rest[i]!] = rest[i + 1]!;
  const fields = Object.entries(f).map(([k, v]) => `${k} ${v}`);
  return `-${c.family} to ${dst} ${fields.join(" ")}`;
}

function devOutcome(c: MapEntry): string | undefined {
  if (!c.detail.ok || c.detail.devs.length === 0) return undefined;
  return c.detail.devs.map((d) => `dev ${d}`).join(" or ");
}

function checkSample(host: Host, classes: readonly MapEntry[]): void {
  for (const fam of [4, 6]) {
    for (const c of classes.filter((x) => x.family === fam).slice(0, SAMPLE)) {
      const out = devOutcome(c);
      if (!out) continue;
      const pkt = packetWords(c);
      const r = host.check([`always: ${pkt} -> ${out}`, `never: ${pkt} -> ${out}`]);
      if (!r.ok) throw new Error(`${pkt}: ${r.error.message}`);
      const [always, never] = r.value;
      expect(always!.holds, `always: ${pkt} -> ${out}`).toBe(true);
      expect(never!.holds, `never: ${pkt} -> ${out}`).toBe(false);
      expect(never!.counterexample).toBeDefined();
    }
  }
}

/** The script without its last `ip rule add` line (undefined when it has none). */
function withoutLastRule(text: string): string | undefined {
  const lines = text.split("\n");
  for (let i = lines.length - 1; i >= 0; i--)
    if (/^\s*ip (-[46] )?rule add /.test(lines[i]!))
      return [...lines.slice(0, i), ...lines.slice(i + 1)].join("\n");
  return undefined;
}

/** The concrete engine's answer agrees with an outcome's words (devices, or the errno). */
function agrees(host: Host, words: readonly string[], outcome: string): boolean {
  const r = host.ip(["route", "get", ...words]);
  const refused = /^refused (E[A-Z]+)/.exec(outcome)?.[1];
  if (refused) return r.status !== 0 && r.stderr.includes(ERRNO[refused as keyof typeof ERRNO]);
  // A multipath outcome names every path ("dev a1 … dev a2"): the engine's hash picks one.
  const devs = [...outcome.matchAll(/\bdev (\S+)/g)].map((m) => m[1]);
  const dev = /\bdev (\S+)/.exec(r.stdout)?.[1];
  return r.status === 0 && devs.includes(dev);
}

describe("map, check and diff on every kernel scenario", () => {
  it("has scenarios", () => expect(scenarios.length).toBeGreaterThan(20));
  for (const f of scenarios)
    it(f, () => {
      const text = readFileSync(path.join(DIR, f), "utf8");
      const host = Host.load([{ name: f, text }]);
      const map = host.map();
      if (!map.ok) throw new Error(map.error.message);
      expect(map.value.classes.length).toBeGreaterThan(0);
      checkSample(host, map.value.classes);
      expect(host.diff(Host.load([{ name: f, text }]))).toEqual([]);
      const before = withoutLastRule(text);
      if (before === undefined) return;
      const b = Host.load([{ name: `${f}-before`, text: before }]);
      for (const c of b.diff(host)) {
        const w = c.representative.join(" ");
        expect(agrees(b, c.representative, c.before), `before ${w}: ${c.before}`).toBe(true);
        expect(agrees(host, c.representative, c.after), `after ${w}: ${c.after}`).toBe(true);
      }
    });
});
