/**
 * wg-quick's own script as the oracle: /usr/bin/wg-quick from Debian's wireguard-tools
 * package (installed by .ci/run; not part of this repository) runs `up` in a throwaway
 * namespace `wgq_<pid>_<n>` with
 * the wireguard-only steps replaced — test/kernel/wg-quick/shim-ip turns `ip link add X
 * type wireguard` into a tun with a reader, shim-wg records the `wg` calls and answers
 * `wg show X fwmark|allowed-ips|endpoints` from them; resolvconf is absent. routelab loads
 * the same base script and the same `.conf`; the rules, routes of every table (both
 * families), src_valid_mark and `nft list ruleset` must agree byte for byte.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Host } from "../../src/index.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const DIR = join(HERE, "wg-quick");
/** The packaged script (Debian wireguard-tools); nothing of it is vendored here. */
const SCRIPT = "/usr/bin/wg-quick";

function canRun(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  for (const [cmd, arg] of [
    ["nft", "--version"],
    ["python3", "--version"],
    ["bash", "--version"],
  ] as const)
    if (spawnSync(cmd, [arg]).status !== 0) return `${cmd} not installed`;
  if (!existsSync(SCRIPT)) return `${SCRIPT} missing (apt-get install wireguard-tools)`;
  return undefined;
}
const why = canRun();
if (why && process.env.CI === "true")
  throw new Error(`wg-quick kernel test cannot run under CI: ${why}`);
if (why) console.log(`wg-quick kernel test skipped: ${why}`);

/** What both sides are asked, as `ip`/`nft` arguments. */
const QUESTIONS: string[][] = [
  ["ip", "rule"],
  ["ip", "-6", "rule"],
  ["ip", "route", "show", "table", "all"],
  ["ip", "-6", "route", "show", "table", "all"],
  ["nft", "list", "ruleset"],
];

const namespaces: string[] = [];
afterAll(() => {
  for (const ns of namespaces) spawnSync("ip", ["netns", "del", ns]);
});

/** Run wg-quick up in a fresh namespace; the answers to QUESTIONS and src_valid_mark. */
function kernelSide(conf: string, n: number): string[] {
  const ns = `wgq_${process.pid}_${n}`;
  namespaces.push(ns);
  const run = (args: string[], env?: NodeJS.ProcessEnv) =>
    spawnSync("ip", ["netns", "exec", ns, ...args], { encoding: "utf8", env });
  expect(spawnSync("ip", ["netns", "add", ns]).status).toBe(0);
  expect(run(["bash", "-e", join(DIR, "base.sh")]).status).toBe(0);
  const tmp = mkdtempSync(join(tmpdir(), "wgq-"));
  try {
    copyFileSync(SCRIPT, join(tmp, "wg-quick"));
    copyFileSync(join(DIR, "shim-ip"), join(tmp, "ip"));
    copyFileSync(join(DIR, "shim-wg"), join(tmp, "wg"));
    copyFileSync(join(DIR, conf), join(tmp, "wg0.conf"));
    // PATH without resolvconf: the script's own directory comes first (wg-quick SELF).
    const env = { ...process.env, WGSHIM_STATE: tmp, PATH: "/usr/sbin:/usr/bin:/sbin:/bin" };
    const up = run(["bash", join(tmp, "wg-quick"), "up", join(tmp, "wg0.conf")], env);
    expect(up.status, up.stderr).toBe(0);
    const out = QUESTIONS.map((q) => run(q).stdout);
    out.push(run(["sysctl", "-n", "net.ipv4.conf.all.src_valid_mark"]).stdout);
    const pid = Number(readFileSync(join(tmp, "reader.pid"), "utf8"));
    if (pid > 0) process.kill(pid);
    return out;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** routelab loads base.sh and the .conf (as wg0.conf) and answers the same questions. */
function routelabSide(conf: string): string[] {
  const host = Host.load([
    { name: "base.sh", text: readFileSync(join(DIR, "base.sh"), "utf8") },
    { name: "wg0.conf", text: readFileSync(join(DIR, conf), "utf8") },
  ]);
  expect(host.issues.filter((i) => i.severity !== "warning")).toEqual([]);
  const out = QUESTIONS.map((q) => {
    const r = host.ip(q[0] === "ip" ? q.slice(1) : q);
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  });
  out.push(`${host.sysctl("net.ipv4.conf.all.src_valid_mark") ?? "0"}\n`);
  return out;
}

const CONFS = readdirSync(DIR).filter((f) => f.endsWith(".conf"));

describe.skipIf(!!why)("wg-quick up: routelab vs wg-quick in a namespace", () => {
  CONFS.forEach((conf, n) => {
    it(conf, () => {
      const k = kernelSide(conf, n);
      const r = routelabSide(conf);
      QUESTIONS.forEach((q, i) => expect(r[i], q.join(" ")).toBe(k[i]));
      expect(r[QUESTIONS.length]).toBe(k[QUESTIONS.length]);
    });
  });
});
