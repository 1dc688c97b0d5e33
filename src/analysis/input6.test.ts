/**
 * Received IPv6 packets (input6.ts) as the kernel routes them with `ip -6 route get DST from
 * SRC iif DEV` (verified on the kernel: test/kernel/scenarios/input-ipv6.sh and its probes):
 * ip6_pol_route_input looks up with the ingress device as oif, so link-local and multicast
 * destinations take only its routes (rt6_need_strict), other destinations prefer its route
 * within a node but below the router preference (rt6_score_route); iif and from rules apply;
 * the forwarding sysctl is not read by the lookup.
 */
import { describe, expect, it } from "vitest";
import { createHostState } from "../model/host.js";
import { loadText } from "../model/load.js";
import { parseAssertion } from "./assert.js";
import { and, or } from "./bdd/apply.js";
import { FALSE } from "./bdd/arena.js";
import { checkAssertion, mapClasses } from "./check.js";
import { Analysis } from "./classes.js";
import { parsePackets } from "./assert.js";

const SETUP = `ip link set lo up
sysctl -w net.ipv6.conf.all.forwarding=1
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
ip link add a3 type veth peer name d1
for d in b1 c1 d1 a1 a2 a3; do ip link set $d up; done
sysctl -w net.ipv6.conf.a3.forwarding=0
ip -6 addr add fd01::1/64 dev a1 nodad
ip -6 addr add fd02::1/64 dev a2 nodad
ip -6 addr add fd03::1/64 dev a3 nodad
ip -6 route add default via fd01::2 dev a1
ip -6 route add fd60::/48 dev a2
ip -6 route append fd60::/48 dev a3
ip -6 route add fd61::/48 dev a2 pref high
ip -6 route append fd61::/48 dev a3 pref low
ip -6 route add default via fd02::2 dev a2 table 100
ip -6 rule add pref 100 iif a1 from fd01:0:0:0:8000::/65 lookup 100
ip -6 rule add pref 130 iif a2 from fd02::66 blackhole
ip addr add 10.1.0.1/24 dev a1
`;

function analysis(text = SETUP): Analysis {
  const s = createHostState();
  loadText(s, text, "input6.sh", {});
  return new Analysis(s);
}

function holds(a: Analysis, text: string): boolean {
  const as = parseAssertion(text);
  if (!as.ok) throw new Error(as.error.message);
  const r = checkAssertion(a, as.value);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.holds;
}

describe("received IPv6 packets", () => {
  const a = analysis();

  it("binds link-local and multicast destinations to the ingress device", () => {
    expect(holds(a, "always: -6 iif a2 from fd02::7 to fe80::2 -> dev a2")).toBe(true);
    expect(holds(a, "always: -6 iif a3 to ff02::/16 -> dev a3 and table local")).toBe(true);
    // Another link-local prefix: no route of a3's, and the default route is a1's.
    expect(holds(a, "always: -6 iif a3 to fe80:0:0:1::/64 -> dropped")).toBe(true);
    expect(holds(a, "always: -6 iif a1 to fe80:0:0:1::/64 -> dev a1 and via fd01::2")).toBe(true);
  });

  it("prefers the ingress device's route within a node, below the router preference", () => {
    expect(holds(a, "always: -6 iif a3 to fd60::/48 -> dev a3")).toBe(true);
    expect(holds(a, "always: -6 iif a1 to fd60::/48 -> dev a2")).toBe(true);
    expect(holds(a, "always: -6 iif a3 to fd61::/48 -> dev a2")).toBe(true);
  });

  it("applies iif and from rules; forwarding off on the ingress device is not read", () => {
    expect(
      holds(a, "always: -6 iif a1 from fd01::8000:0:0:0/65 to 2001:db8::/32 -> table 100"),
    ).toBe(true);
    expect(holds(a, "never: -6 iif a2 -> table 100")).toBe(true);
    expect(holds(a, "always: -6 iif a2 from fd02::66 to 2001:db8::/32 -> dropped")).toBe(true);
    expect(holds(a, "always: -6 iif a3 to 2001:db8::/32 -> dev a1 and via fd01::2")).toBe(true);
  });

  it("delivers local and anycast destinations on lo", () => {
    expect(holds(a, "always: -6 iif a2 to fd01::1,fd03::1 -> delivered")).toBe(true);
    // a1 forwards, so its subnet-router anycast fd01:: is ours; a3 does not: fd03:: is not.
    expect(holds(a, "always: -6 iif a2 from fd02::7 to fd01:: -> delivered")).toBe(true);
    expect(holds(a, "always: -6 iif a2 from fd02::7 to fd03:: -> dev a3")).toBe(true);
  });

  it("maps both families without -4/-6, each class within one family", () => {
    const sel = parsePackets(["iif", "a1"]);
    if (!sel.ok) throw new Error(sel.error.message);
    const classes = mapClasses(a, sel.value);
    if (!classes.ok) throw new Error(classes.error.message);
    const fams = new Set(classes.value.map((c) => c.outcome.family));
    expect([...fams].sort()).toEqual([4, 6]);
    let union = FALSE;
    for (const c of classes.value) {
      expect(and(a.m, union, c.pred)).toBe(FALSE);
      union = or(a.m, union, c.pred);
    }
    const a1 = a.s.links.find((l) => l.name === "a1")!.ifindex;
    expect(union).toBe(a.inputUniverseOf([a1], [4, 6]));
  });

  it("does not answer destinations under a source-specific route", () => {
    const b = analysis(`${SETUP}ip -6 route add fd70::/48 from fd09::/64 dev a2\n`);
    const as = parseAssertion("always: -6 iif a1 to fd70::/48 -> dev a2");
    if (!as.ok) throw new Error(as.error.message);
    const r = checkAssertion(b, as.value);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.holds).toBe(true);
    expect(r.value.unmodelled?.[0]).toMatch(/fd70::\/48 from fd09::\/64.*source-specific/);
    // Outside that prefix the answers stand.
    expect(holds(b, "always: -6 iif a3 to fd60::/48 -> dev a3")).toBe(true);
  });
});
