/**
 * The `tunnel-source` lint against real packets: for every lint case with a `# packet: {…}`
 * line (journey-send.py's options plus `uid`), the packet is sent from a real socket in a
 * namespace set up by the case, and counters at the end of POSTROUTING (after NAT) record
 * the device and source it leaves with. routelab must report `tunnel-source` exactly when
 * the kernel sends it by another device than a tunnel with that tunnel's address as source.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Host } from "../../src/index.js";
import * as h from "./harness.js";

const CASES = path.join(h.REPO_ROOT, "test", "analysis", "lint", "cases");
const SEND = path.join(h.HERE, "journey-send.py");
const PY = fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const TUNNEL_KINDS = new Set(["tun", "wireguard"]);

interface Sent {
  readonly dev: string;
  readonly src: string;
}

function sh(ns: string, args: string[], input?: string) {
  const r = spawnSync("ip", ["netns", "exec", ns, ...args], { encoding: "utf8", input });
  if (r.status !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** The namespace's devices and IPv4 addresses, as the kernel lists them. */
interface Dev {
  readonly name: string;
  readonly kind: string;
  readonly addrs: readonly string[];
}

function devices(ns: string): Dev[] {
  const j = JSON.parse(sh(ns, ["ip", "-d", "-j", "addr", "show"])) as Record<string, any>[];
  return j.map((d) => ({
    name: d.ifname,
    kind: d.linkinfo?.info_kind ?? "",
    addrs: (d.addr_info ?? []).filter((a: any) => a.family === "inet").map((a: any) => a.local),
  }));
}

/** One counter per (device, IPv4 address) at POSTROUTING priority 300, after source NAT. */
function counters(devs: readonly Dev[], dport: number): string {
  const addrs = devs.flatMap((d) => d.addrs);
  const rules = devs.flatMap((d) =>
    addrs.map(
      (a) => `add rule ip rltsrc out oifname "${d.name}" ip saddr ${a} udp dport ${dport} counter`,
    ),
  );
  return [
    "add table ip rltsrc",
    "add chain ip rltsrc out { type filter hook postrouting priority 300; }",
    ...rules,
  ].join("\n");
}

/** Where the packet left: the counters that counted it. */
function sent(ns: string): Sent[] {
  const j = JSON.parse(sh(ns, ["nft", "-j", "list", "chain", "ip", "rltsrc", "out"]));
  const out: Sent[] = [];
  for (const x of j.nftables) {
    const expr = x.rule?.expr as Record<string, any>[] | undefined;
    const n = expr?.find((e) => e.counter)?.counter.packets ?? 0;
    if (!expr || !n) continue;
    const dev = expr.find((e) => e.match?.left?.meta?.key === "oifname")?.match.right;
    const src = expr.find((e) => e.match?.left?.payload?.field === "saddr")?.match.right;
    out.push({ dev, src });
  }
  return out;
}

/** Left by a device other than a tunnel with one of the tunnel's addresses as source. */
function leaks(devs: readonly Dev[], s: readonly Sent[]): boolean {
  return s.some((x) => {
    const t = devs.find((d) => d.addrs.includes(x.src));
    return !!t && TUNNEL_KINDS.has(t.kind) && t.name !== x.dev;
  });
}

if (!h.isRoot()) {
  if (process.env.CI === "true")
    throw new Error("CI=true but not root: the lint-source kernel suite needs network namespaces");
  it.skip("tunnel-source vs kernel: needs root for network namespaces", () => {});
} else {
  describe("tunnel-source: kernel packets vs routelab lint", () => {
    afterAll(() => h.deleteAllCreated());
    const cases = fs
      .readdirSync(CASES)
      .filter((f) => f.endsWith(".sh"))
      .filter((f) => /^# packet: /m.test(fs.readFileSync(path.join(CASES, f), "utf8")));
    it("has cases", () => expect(cases.length).toBeGreaterThan(1));
    for (const f of cases)
      it(f, () => {
        const file = path.join(CASES, f);
        const text = fs.readFileSync(file, "utf8");
        const spec = JSON.parse(/^# packet: (.*)$/m.exec(text)![1]!);
        const host = Host.load([{ name: f, text }]);
        expect(host.errors).toEqual([]);
        const lint = host.lint("");
        if (!lint.ok) throw new Error(lint.error.message);
        const found = lint.value.some((x) => x.id === "tunnel-source");
        const ns = h.nsName(`lsrc${f}`);
        h.createNetns(ns);
        try {
          expect(h.runScenarioScript(ns, file).ok).toBe(true);
          const devs = devices(ns);
          sh(ns, ["nft", "-f", "-"], counters(devs, spec.dport));
          const { uid = 0, ...opts } = spec;
          const priv = uid
            ? ["setpriv", "--reuid", String(uid), "--regid", String(uid), "--clear-groups"]
            : [];
          sh(ns, [...priv, PY, SEND, JSON.stringify(opts)]);
          const s = sent(ns);
          expect(s.length, "the packet left once").toBe(1);
          expect({ f, sent: s, leaks: leaks(devs, s) }).toEqual({ f, sent: s, leaks: found });
        } finally {
          h.deleteNetns(ns);
        }
      });
  });
}
