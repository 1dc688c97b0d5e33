/**
 * `routelab diff`: a script before/after adding one rule shows exactly the packets that rule
 * moves, and each change's representative goes where "after" says in the concrete engine.
 */
import { describe, expect, it } from "vitest";
import { Host } from "../../../src/index.js";

const BEFORE = `ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip link add eth1 type veth peer name eth1-peer
ip link set eth1-peer up
ip link set eth1 up
ip addr add 10.0.2.10/24 dev eth1
ip route add default via 10.0.2.1 dev eth1 table 200
`;
const RULE = "ip rule add uidrange 1000-1000 to 8.8.0.0/16 lookup 200 pref 100\n";

describe("diff", () => {
  const a = Host.load([{ name: "before.sh", text: BEFORE }]);
  const b = Host.load([{ name: "after.sh", text: BEFORE + RULE }]);

  it("is empty between equal hosts", () => {
    expect(a.diff(Host.load([{ name: "same.sh", text: BEFORE }]))).toEqual([]);
  });

  it("shows exactly the packets the added rule moves", () => {
    const cs = a.diff(b);
    expect(cs).toHaveLength(1);
    const c = cs[0]!;
    expect(c.family).toBe(4);
    expect(c.packets).toBe("dst = 8.8.0.0/16, uid = 1000");
    // Without custom rules the kernel skips the RPDB: no deciding rule.
    expect(c.before).toBe("dev eth0 via 192.168.1.1 table main");
    expect(c.after).toBe("dev eth1 via 10.0.2.1 table 200 rule 100");
    // The representative, through the concrete engine of each host.
    expect(a.ip(["route", "get", ...c.representative]).stdout).toMatch(/ dev eth0 /);
    expect(b.ip(["route", "get", ...c.representative]).stdout).toMatch(/ dev eth1 /);
  });

  it("CLI output: before/after and exit 1 when something changes", async () => {
    const { diffOutput } = await import("../../../src/index.js");
    const r = diffOutput(a.diff(b), false);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("before: dev eth0");
    expect(diffOutput([], false).status).toBe(0);
  });
});
