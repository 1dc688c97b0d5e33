/**
 * map and check through the public Host, on a clash-style host: every packet not owned by
 * uid 129 goes to table 129 (default dev clash0); the local table (pref 0) still delivers
 * local destinations first (fib_default_rules_init).
 */
import { describe, expect, it } from "vitest";
import { Host } from "../../src/index.js";

const SETUP = `ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip tuntap add mode tun dev clash0
ip link set clash0 up
ip addr add 198.18.0.1/16 dev clash0
ip rule add not uidrange 129-129 lookup 129 pref 9000
ip route add default dev clash0 table 129
`;
const host = Host.load([{ name: "clash.sh", text: SETUP }]);

function check(a: string) {
  const r = host.check([a]);
  if (!r.ok) throw new Error(r.error.message);
  return r.value[0]!;
}

describe("check", () => {
  it("has a clean host", () => expect(host.issues).toEqual([]));

  it("holds: the proxy's own uid never enters the tunnel but for clash0's own subnet", () => {
    expect(check("never: uid 129 not to 198.18.0.0/16 -> dev clash0").holds).toBe(true);
    // 198.18.0.0/16 is on-link on clash0 (its prefix route in main).
    const r = check("never: uid 129 -> dev clash0");
    expect(r.holds).toBe(false);
    expect(r.outcome?.table).toBe(254);
  });

  it("holds: other users' public traffic takes table 129 by rule 9000", () => {
    const a = "always: -4 uid 1000 to 1.0.0.0/8 -> dev clash0 and table 129 and rule 9000";
    expect(check(a).holds).toBe(true);
  });

  it("fails with the simplest counterexample: local destinations are delivered first", () => {
    const r = check("always: uid 1000 -> dev clash0");
    expect(r.holds).toBe(false);
    // 0.0.0.0 is the all-default destination; the kernel routes it to lo (no destination).
    expect(r.counterexample?.uid).toBe(1000);
    expect(r.counterexample?.fwmark).toBe(0);
    expect(r.outcome?.ok).toBe(true);
    expect(r.outcome?.type).toBe("local");
  });

  it("a fail's counterexample really has the outcome the engine gives it", () => {
    const r = check("never: -4 to 8.8.8.8 -> dev clash0");
    expect(r.holds).toBe(false);
    const ce = r.counterexample!;
    const d = host.routeGet("8.8.8.8", { uid: ce.uid, mark: ce.fwmark });
    expect(d.ok && d.value.ok && d.value.table).toBe(129);
  });

  it("IPv6 without a default route is dropped, never sent", () => {
    expect(check("always: -6 to 2000::/3 -> dropped").holds).toBe(true);
    expect(check("never: -6 to 2000::/3 -> sent").holds).toBe(true);
  });

  it("`or` and `not` combine outcomes", () => {
    // 127.255.255.255 is a broadcast on lo (local table), neither delivered nor clash0/eth0.
    const a = "always: -4 not uid 129 -> dev clash0 or delivered or dev eth0 or dev lo";
    expect(check(a).holds).toBe(true);
    expect(check(a.replace(" or dev lo", "")).counterexample?.dst).toEqual({
      family: 4,
      v: 0x7fffffff,
    });
    expect(check("never: -4 uid 129 to 1.0.0.0/8 -> not dev eth0").holds).toBe(true);
  });

  it("refuses bad input as issues", () => {
    const bad = (a: string) => {
      const r = host.check([a]);
      return r.ok ? "ok" : r.error.code;
    };
    expect(bad("sometimes: uid 1 -> dev eth0")).toBe("analysis.syntax");
    expect(bad("never: uid x -> dev eth0")).toBe("analysis.syntax");
    expect(bad("never: uid 1 -> dev")).toBe("analysis.syntax");
    expect(bad("never: oif eth0 -> dev eth0")).toBe("analysis.unsupported");
    expect(bad("never: iif nosuch0 -> delivered")).toBe("analysis.unknown");
    expect(bad("never: uid 1 -> dev nosuch0")).toBe("analysis.unknown");
  });

  it("answers on the command line with exit 0, 1 and 2", () => {
    expect(host.ip(["check", "never: -6 -> dev clash0"]).status).toBe(0);
    const fail = host.ip(["check", "always: uid 1000 -> dev clash0"]);
    expect(fail.status).toBe(1);
    expect(fail.stdout).toContain("counterexample: route get 0.0.0.0 uid 1000");
    expect(fail.stdout).toContain("trace:");
    expect(host.ip(["check", "never: nonsense"]).status).toBe(2);
  });

  it("reads a checks file (a YAML list of assertions)", () => {
    const files: Record<string, string> = {
      "c.yaml":
        "checks:\n  - never: -6 -> dev clash0  # v4-only tunnel\n" +
        "  - 'always: -6 to 2000::/3 -> dropped'\n",
    };
    const h = Host.load([{ name: "clash.sh", text: SETUP }], { readFile: (p) => files[p] });
    const r = h.ip(["check", "--file", "c.yaml"]);
    expect(r.stdout).toBe("PASS never: -6 -> dev clash0\nPASS always: -6 to 2000::/3 -> dropped\n");
    expect(r.status).toBe(0);
  });
});

describe("map", () => {
  it("splits by the deciding rule and names the outcome", () => {
    const r = host.map("-4 to 1.0.0.0/8");
    if (!r.ok) throw new Error(r.error.message);
    const outs = r.value.classes.map((c) => c.outcome);
    expect(outs).toContain("dev clash0 table 129 rule 9000");
    expect(outs).toContain("dev eth0 via 192.168.1.1 table main rule 32766");
    const eth = r.value.classes.find((c) => c.detail.devs[0] === "eth0")!;
    expect(eth.packets).toContain("uid = 129");
    expect(eth.representative).toEqual(["1.0.0.0", "uid", "129"]);
  });

  it("every class is non-empty and the filter is honoured", () => {
    const r = host.map(["uid", "129"]);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.classes.length).toBeGreaterThan(0);
    for (const c of r.value.classes) expect(c.detail.rule).not.toBe(9000);
  });
});

describe("incremental re-check", () => {
  it("answers after a change as a fresh host would", () => {
    const h = Host.load([{ name: "clash.sh", text: SETUP }]);
    const a = "never: uid 129 -> dev clash0";
    expect(h.check([a]).ok).toBe(true);
    const changes = [
      "route add 1.0.0.0/8 dev clash0",
      "rule add uidrange 129-129 lookup 129 pref 8000",
      "rule del pref 8000",
      "route del 1.0.0.0/8 dev clash0",
    ];
    let text = SETUP;
    for (const c of changes) {
      expect(h.applyBatch(c + "\n")).toEqual([]);
      text += `ip ${c}\n`;
      const fresh = Host.load([{ name: "x.sh", text }]);
      const want = fresh.check([a]);
      const got = h.check([a]);
      expect(got.ok && got.value[0]!.holds).toBe(want.ok && want.value[0]!.holds);
      expect(h.map().ok && h.map()).toEqual(fresh.map().ok && fresh.map());
    }
  });
});
