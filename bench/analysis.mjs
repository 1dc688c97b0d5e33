// The analysis bench (issue 10): map, check and one incremental re-check on a large realistic
// host (bench/analysis-host.mjs), in a child process so its peak RSS is its own.
//
//   node --expose-gc bench/analysis.mjs [N]    (prints one JSON line)
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Host } from "routelab";
import { analysisHostScript } from "./analysis-host.mjs";

export const CHECKS = [
  "never: uid 1000 -> dev tun0",
  "always: -4 to 100.64.0.0/10 -> dev tailscale0 or dev tun0 or dev wg0",
  "never: -6 -> dev eth0",
  "always: ipproto udp dport 53 -> dev tun0",
  "never: mark 0x80000/0xff0000 -> dev tailscale0",
];

/** Peak resident set of this process (VmHWM), MiB. */
function peakRssMiB() {
  const st = readFileSync("/proc/self/status", "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(st)?.[1] ?? Number.NaN) / 1024;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function measure(n) {
  const text = analysisHostScript(n);
  const host = Host.load([{ name: "analysis-host.sh", text }]);
  const errors = host.issues.filter((i) => (i.severity ?? "error") === "error");
  if (errors.length) throw new Error(`load issues: ${JSON.stringify(errors.slice(0, 3))}`);
  let t0 = performance.now();
  const c0 = process.cpuUsage();
  const map = host.map();
  const mapS = (performance.now() - t0) / 1000;
  const mapCpuS = process.cpuUsage(c0).user / 1e6;
  if (!map.ok) throw new Error(map.error.message);
  t0 = performance.now();
  const c1 = process.cpuUsage();
  const check = host.check(CHECKS);
  const checkS = (performance.now() - t0) / 1000;
  const checkCpuS = process.cpuUsage(c1).user / 1e6;
  if (!check.ok) throw new Error(check.error.message);
  // One change, then the checks again: in turn a route added to and deleted from tailscale's
  // table, a rule added and deleted (each undone, so the host is back where it started). The
  // first window right after load runs partly before V8 has compiled the patch paths and
  // before the analysis' caches hold this host's results: reported apart (update_cold_us);
  // the second window (other prefixes and prefs) is the steady state a session works in.
  const cold = updates(host, 200, 200);
  const warm = updates(host, 201, 300);
  return {
    n,
    classes: map.value.classes.length,
    failing: check.value.filter((c) => !c.holds).length,
    map_s: mapS,
    map_cpu_s: mapCpuS,
    check_s: checkS,
    check_cpu_s: checkCpuS,
    update_us: median(warm.times),
    // CPU time of the same updates: the wall time above includes waiting for a shared CPU.
    update_cpu_us: median(warm.cpu),
    update_cold_us: median(cold.times),
    update_cold_kinds_us: cold.kinds.map(median),
    // Per kind (steady state): route add, route del, rule add, rule del.
    update_kinds_us: warm.kinds.map(median),
    analysis_rss_mib: peakRssMiB(),
  };
}

/**
 * 200 changes, each followed by the checks: a route under 10.`octet`.0.0/16 added to
 * tailscale's table and deleted, a rule at pref 7000+`pref`+i with mark `pref`·1000+i added
 * and deleted (no window repeats another's prefixes, prefs or marks). Wall and CPU
 * time per change (µs), and the wall times by kind.
 */
function updates(host, octet, pref) {
  const times = [];
  const cpu = [];
  /** @type {number[][]} */
  const kinds = [[], [], [], []];
  for (let i = 0; i < 200; i++) {
    const change =
      i % 4 === 0
        ? `route add 10.${octet}.${i >> 2}.0/24 dev tailscale0 table 52`
        : i % 4 === 1
          ? `route del 10.${octet}.${i >> 2}.0/24 dev tailscale0 table 52`
          : i % 4 === 2
            ? `rule add pref ${7000 + pref + i} fwmark ${pref * 1000 + i} lookup 52`
            : `rule del pref ${7000 + pref + i - 1}`;
    const t = performance.now();
    const c = process.cpuUsage();
    const issues = host.applyBatch(change + "\n");
    const r = host.check(CHECKS);
    const us = (performance.now() - t) * 1000;
    times.push(us);
    kinds[i % 4].push(us);
    cpu.push(process.cpuUsage(c).user);
    if (issues.length || !r.ok) throw new Error(`change ${change}: ${JSON.stringify(issues)}`);
  }
  return { times, cpu, kinds };
}

/** Run the bench in a child (its own peak RSS) and return its figures. */
export function benchAnalysis(n = 3000) {
  const r = spawnSync(
    process.execPath,
    ["--expose-gc", fileURLToPath(import.meta.url), String(n)],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`analysis bench failed: ${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 3000);
  console.log(JSON.stringify(measure(n)));
}
