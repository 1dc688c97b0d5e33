/**
 * Received packets (`iif`, `from`) through the public Host: map and check answer what
 * ip_route_input_slow and fib_validate_source do, as verified on the kernel
 * (/work/shared/reference/kernel-semantics.md §3.3–3.4, E46, E49, E66–E68): strict rp_filter
 * drops a source whose reverse route leaves by another device, loose only an unroutable
 * (or blackholed) one, src_valid_mark makes the reverse lookup use the packet's mark,
 * rp_filter=0 still drops our own addresses as sources unless accept_local, and
 * forwarding is the ingress device's.
 */
import { describe, expect, it } from "vitest";
import { Host } from "../../src/index.js";

const SETUP = `ip link set lo up
sysctl -w net.ipv4.ip_forward=1
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
ip link add a3 type veth peer name d1
for d in b1 c1 d1 a1 a2 a3; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
ip addr add 10.3.0.1/24 dev a3
ip route add default via 10.1.0.2
ip route add blackhole 10.66.0.0/16
ip route add default via 10.2.0.2 table 100
ip rule add pref 100 fwmark 0x1 lookup 100
sysctl -w net.ipv4.conf.a1.rp_filter=1
sysctl -w net.ipv4.conf.a2.rp_filter=2
sysctl -w net.ipv4.conf.a3.rp_filter=0
sysctl -w net.ipv4.conf.a1.src_valid_mark=1
sysctl -w net.ipv4.conf.a3.accept_local=1
sysctl -w net.ipv4.conf.d1.forwarding=0
`;
const host = Host.load([{ name: "input.sh", text: SETUP }]);

function holds(a: string): boolean {
  const r = host.check([a]);
  if (!r.ok) throw new Error(r.error.message);
  return r.value[0]!.holds;
}

describe("received packets", () => {
  it("has a clean host", () => expect(host.issues).toEqual([]));

  it("strict rp_filter drops a source whose reverse route leaves by another device", () => {
    expect(holds("always: from 10.2.0.0/24 iif a1 to 10.1.0.1 -> dropped")).toBe(true);
    expect(holds("always: from 8.8.8.0/24 iif a1 to 10.1.0.1 mark 0 -> delivered")).toBe(true);
  });

  it("src_valid_mark: the reverse lookup uses the mark (table 100 leaves by a2)", () => {
    expect(holds("always: from 8.8.8.0/24 iif a1 to 10.1.0.1 mark 1 -> dropped")).toBe(true);
  });

  it("loose rp_filter: any route back, but not a blackhole", () => {
    expect(holds("always: from 8.8.8.0/24 iif a2 to 10.2.0.1 -> delivered")).toBe(true);
    expect(holds("always: from 10.66.0.0/16 iif a2 to 10.2.0.1 mark 0 -> dropped")).toBe(true);
  });

  it("rp_filter=0 drops our own address as a source unless accept_local", () => {
    expect(holds("always: from 10.1.0.1 iif a3 to 10.3.0.1 -> delivered")).toBe(true);
    // conf.all.rp_filter=0, b1's own 0: no reverse lookup, but the local source is martian.
    expect(holds("always: from 10.1.0.1 iif b1 to 10.3.0.1 -> dropped")).toBe(true);
    expect(holds("always: from 8.8.8.8 iif b1 to 10.3.0.1 -> delivered")).toBe(true);
  });

  it("forwards by the input lookup; the reverse lookup runs with the forward device as iif", () => {
    expect(holds("always: from 8.8.8.8 iif a1 to 10.2.0.9 mark 0 -> dev a2")).toBe(true);
    expect(holds("always: from 8.8.8.8 iif b1 to 9.9.9.9 mark 0 -> dev a1 and via 10.1.0.2")).toBe(
      true,
    );
  });

  it("forwarding is the ingress device's: off on d1, local delivery still works", () => {
    expect(holds("always: from 8.8.8.8 iif d1 to 9.9.9.9 -> dropped")).toBe(true);
    expect(holds("always: from 8.8.8.8 iif d1 to 10.2.0.1 -> delivered")).toBe(true);
  });

  it("martians: source 0.0.0.0 (not to a broadcast), loopback without route_localnet", () => {
    expect(holds("always: from 0.0.0.0/32 iif a2 to 10.2.0.1 -> dropped")).toBe(true);
    expect(holds("always: from 127.0.0.0/8 iif a2 to 10.2.0.1 -> dropped")).toBe(true);
    expect(holds("always: from 0.0.0.0/32 iif a2 to 255.255.255.255 -> delivered")).toBe(true);
  });

  it("map iif says which packets rp_filter drops, with a representative to ask the kernel", () => {
    const r = host.map("iif a1");
    if (!r.ok) throw new Error(r.error.message);
    const rp = r.value.classes.find((c) => c.outcome.startsWith("dropped by rp_filter (strict)"));
    expect(rp?.representative).toEqual(expect.arrayContaining(["from", "iif", "a1"]));
    const out = host.ip(["route", "get", ...rp!.representative]);
    expect(out.status).not.toBe(0);
    expect(r.value.classes.every((c) => c.packets.startsWith("iif = a1"))).toBe(true);
  });

  it("a failed check on received packets prints a counterexample with from and iif", () => {
    const out = host.ip(["check", "never: iif a1 -> dropped"]);
    expect(out.status).toBe(1);
    expect(out.stdout).toMatch(/counterexample: route get \S+ from \S+ iif a1/);
  });
});
