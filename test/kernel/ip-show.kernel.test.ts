/**
 * `ip … show` output formats and filters against the real `ip` (iproute2 6.1): for every
 * `ip-show/<case>.sh` (run in a throwaway namespace `ipshow_<pid>_<n>`) each line of
 * `<case>.cmds` is asked of both; stdout, stderr and exit status must agree byte for byte.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Host } from "../../src/index.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const DIR = join(HERE, "ip-show");
const why = process.getuid?.() !== 0 ? "not root" : undefined;
if (why) console.log(`ip-show kernel test skipped: ${why}`);

const namespaces: string[] = [];
afterAll(() => {
  for (const ns of namespaces) spawnSync("ip", ["netns", "del", ns]);
});

const CASES = readdirSync(DIR)
  .filter((f) => f.endsWith(".sh"))
  .map((f) => f.slice(0, -3));

describe.skipIf(!!why)("ip show: routelab vs iproute2 in a namespace", () => {
  CASES.forEach((name, n) => {
    it(name, () => {
      const ns = `ipshow_${process.pid}_${n}`;
      namespaces.push(ns);
      const setup = readFileSync(join(DIR, `${name}.sh`), "utf8");
      expect(spawnSync("ip", ["netns", "add", ns]).status).toBe(0);
      const r = spawnSync("ip", ["netns", "exec", ns, "bash", "-e"], { input: setup });
      expect(r.status, String(r.stderr)).toBe(0);
      const host = Host.load([{ name: `${name}.sh`, text: setup }]);
      expect(host.issues).toEqual([]);
      const lines = readFileSync(join(DIR, `${name}.cmds`), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "" && !l.startsWith("#"));
      for (const line of lines) {
        const args = line.trim().split(/\s+/);
        const k = spawnSync("ip", ["-n", ns, ...args], { encoding: "utf8" });
        const ours = host.ip(args);
        // The kernel draws random MACs (ifb cannot be given one): compare them as MAC.
        // Link-local addresses follow the MAC the device had when IPv6 started on it.
        const mac = (s: string) =>
          s.replace(/([0-9a-f]{2}:){5}[0-9a-f]{2}/g, "MAC").replace(/fe80::[0-9a-f:]+/g, "FE80");
        expect({ out: mac(ours.stdout), err: ours.stderr, status: ours.status }, line).toEqual({
          out: mac(k.stdout),
          err: k.stderr,
          status: k.status,
        });
      }
    });
  });
});
