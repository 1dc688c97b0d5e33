/**
 * Packets from a socket bound to a source address (`from` without `iif`, bound.ts) as the
 * kernel routes them with `ip route get DST from SRC` (each verified on the kernel in a
 * namespace with this setup): `from` rules match the source; a source that is not ours is
 * ENETUNREACH, a multicast or loopback one leaving by another device than lo EINVAL;
 * multicast and broadcast destinations leave by the device owning the source; IPv6 does not
 * check the source.
 */
import { describe, expect, it } from "vitest";
import { createHostState } from "../model/host.js";
import { loadText } from "../model/load.js";
import { parseAssertion, parsePackets } from "./assert.js";
import { and, or } from "./bdd/apply.js";
import { FALSE } from "./bdd/arena.js";
import { checkAssertion, mapClasses } from "./check.js";
import { Analysis } from "./classes.js";

const SETUP = `ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in b1 c1 a1 a2; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
ip route add default via 10.1.0.2
ip route add default via 10.2.0.2 table 100
ip rule add pref 100 from 10.2.0.1 lookup 100
ip -6 addr add fd01::1/64 dev a1 nodad
ip -6 addr add fd02::1/64 dev a2 nodad
ip -6 route add default via fd01::2 dev a1
ip -6 route add default via fd02::2 dev a2 table 100
ip -6 rule add pref 100 from fd02::/64 lookup 100
`;

const s = createHostState();
loadText(s, SETUP, "bound.sh", {});
const a = new Analysis(s);

function holds(text: string): boolean {
  const as = parseAssertion(text);
  if (!as.ok) throw new Error(as.error.message);
  const r = checkAssertion(a, as.value);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.holds;
}

describe("packets from a bound source", () => {
  it("match `from` rules with their source", () => {
    expect(holds("always: from 10.2.0.1 to 8.8.8.8 -> dev a2 and table 100")).toBe(true);
    expect(holds("always: from 10.1.0.1 to 8.8.8.8 -> dev a1 and table main")).toBe(true);
    expect(holds("always: -6 from fd02::/64 to 2001:db8::/32 -> dev a2 and table 100")).toBe(true);
  });

  it("are refused from a source that is not ours, multicast, or loopback off lo", () => {
    expect(holds("always: from 8.8.4.4 -> dropped")).toBe(true);
    expect(holds("always: from 224.0.0.5 -> dropped")).toBe(true);
    expect(holds("always: from 127.0.0.1 to 8.8.8.8 -> dropped")).toBe(true);
    expect(holds("always: from 127.0.0.1 to 127.0.0.5 -> delivered")).toBe(true);
    // IPv6 route lookups do not check the source.
    expect(holds("always: -6 from fd09::7 to 2001:db8::/32 -> dev a1")).toBe(true);
  });

  it("send multicast and broadcast by the device owning the source", () => {
    expect(holds("always: from 10.2.0.1 to 224.0.0.0/4,255.255.255.255 -> dev a2")).toBe(true);
    expect(holds("never: from 10.2.0.1 to 224.0.0.0/4 -> table 100")).toBe(true);
    expect(holds("always: from 10.2.0.1 to 0.0.0.0 -> delivered")).toBe(true);
  });

  it("are classes of their own universe: source free but 0.0.0.0 / ::", () => {
    const sel = parsePackets(["from", "0.0.0.0/0,::/0"]);
    if (!sel.ok) throw new Error(sel.error.message);
    const classes = mapClasses(a, sel.value);
    if (!classes.ok) throw new Error(classes.error.message);
    for (const fam of [4, 6] as const) {
      let union = FALSE;
      for (const c of classes.value.filter((x) => x.outcome.family === fam)) {
        expect(c.outcome.bound).toBe(true);
        expect(and(a.m, union, c.pred)).toBe(FALSE);
        union = or(a.m, union, c.pred);
      }
      expect(union).toBe(a.boundUniverse(fam));
    }
  });
});
