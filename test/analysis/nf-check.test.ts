/**
 * check and map through the public Host when netfilter steers by mark: a clash-style host
 * marks every locally generated packet 129 in mangle OUTPUT except the proxy's own uid 129
 * and local destinations; `fwmark 129 lookup 129` (default dev clash0) then decides at the
 * re-route (ip_route_me_harder). A filter OUTPUT rule drops udp/9.
 */
import { describe, expect, it } from "vitest";
import { formatAddr } from "../../src/addr/ip.js";
import { Host } from "../../src/index.js";

const BASE = `ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip tuntap add mode tun dev clash0
ip link set clash0 up
ip addr add 198.18.0.1/16 dev clash0
ip rule add fwmark 129 lookup 129 pref 8000
ip route add default dev clash0 table 129
iptables -t mangle -N CLASH
iptables -t mangle -A CLASH -d 127.0.0.0/8 -j RETURN
iptables -t mangle -A CLASH -d 192.168.0.0/16 -j RETURN
`;
const MARK = `iptables -t mangle -A CLASH -j MARK --set-mark 129
iptables -t mangle -A OUTPUT -j CLASH
iptables -A OUTPUT -p udp --dport 9 -j DROP
`;
const EXEMPT = "iptables -t mangle -A CLASH -m owner --uid-owner 129 -j RETURN\n";
const good = Host.load([{ name: "clash.sh", text: BASE + EXEMPT + MARK }]);
const broken = Host.load([{ name: "clash-broken.sh", text: BASE + MARK }]);

function check(host: Host, a: string) {
  const r = host.check([a]);
  if (!r.ok) throw new Error(r.error.message);
  return r.value[0]!;
}

const PUBLIC = "not to 127.0.0.0/8 not to 192.168.0.0/16 not to 198.18.0.0/16";
const UNICAST = "not to 0.0.0.0/32 not to 224.0.0.0/4 not to 255.255.255.255/32";

describe("check with OUTPUT marks", () => {
  it("loads cleanly", () => {
    expect(good.issues).toEqual([]);
    expect(broken.issues).toEqual([]);
  });

  it("never: uid 129 -> dev clash0 holds when OUTPUT exempts the proxy uid", () => {
    const r = check(good, `never: uid 129 mark 0 ${PUBLIC} -> dev clash0`);
    expect(r.holds).toBe(true);
    expect(r.unmodelled).toBeUndefined();
  });

  it("fails without the exemption, with a counterexample the trace confirms", () => {
    const r = check(broken, `never: uid 129 mark 0 ${PUBLIC} -> dev clash0`);
    expect(r.holds).toBe(false);
    expect(r.counterexample?.uid).toBe(129);
    expect(r.outcome?.nf?.markText).toBe("0x81");
    expect(r.outcome?.rule).toBe(8000);
    const t = broken.trace([formatAddr(r.counterexample!.dst), "uid", "129"]);
    if (!t.ok) throw new Error(t.error.message);
    expect(t.value.final.oif).toBe("clash0");
    expect(t.value.final.mark).toBe(129);
  });

  it("every other uid's public unicast traffic is re-routed into clash0 with mark 0x81", () => {
    const r = check(good, `always: -4 not uid 129 ${PUBLIC} ${UNICAST} not dport 9 -> dev clash0`);
    expect(r.holds).toBe(true);
  });

  it("the filter rule drops udp/9 whatever the uid", () => {
    expect(check(good, "always: -4 ipproto udp dport 9 -> dropped").holds).toBe(true);
    expect(check(good, "never: -4 ipproto tcp dport 9 -> dropped").holds).toBe(true);
  });

  it("packets whose re-route the analysis does not model are named, not answered", () => {
    const r = check(good, "always: -4 not uid 129 not dport 9 to 224.0.0.0/4 -> dev clash0");
    expect(r).toMatchObject({ holds: true });
    expect(r.unmodelled?.join()).toMatch(/multicast or broadcast destination/);
  });

  it("map reports the OUTPUT verdict and the final mark", () => {
    const r = good.map(["-4", "uid", "1000", "to", "1.1.1.1"]);
    if (!r.ok) throw new Error(r.error.message);
    const outcomes = r.value.classes.map((c) => c.outcome);
    expect(outcomes).toContain("dev clash0 table 129 rule 8000 mark 0x81");
    expect(outcomes.some((o) => /^dropped by ip filter OUTPUT #1 \(clash.sh:\d+\)/.test(o))).toBe(
      true,
    );
  });
});

/** The same through nft: a sing-box-style `route` chain with a bypass set and a uid exemption. */
const NFT = `ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip tuntap add mode tun dev tun0
ip link set tun0 up
ip addr add 172.19.0.1/30 dev tun0
ip route add default dev tun0 table 2022
ip rule add pref 9001 fwmark 0x2023 lookup 2022
nft -f - <<'EOF2'
table inet sb {
  set bypass { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.168.0.0/16 } }
  chain output {
    type route hook output priority mangle; policy accept;
    meta skuid 1000 return
    ip daddr @bypass return
    meta l4proto { tcp, udp } meta mark set meta mark & 0xffff0000 | 0x2023
  }
}
EOF2
`;

describe("check with nft OUTPUT marks", () => {
  const host = Host.load([{ name: "sb.sh", text: NFT }]);
  it("loads cleanly", () => expect(host.issues).toEqual([]));

  it("the exempted uid and the bypass set never enter tun0", () => {
    const pub = "not to 172.19.0.0/30 not to 127.0.0.0/8 not to 224.0.0.0/4";
    expect(check(host, `never: -4 uid 1000 mark 0 ${pub} -> dev tun0`).holds).toBe(true);
    expect(check(host, "never: -4 mark 0 to 10.0.0.0/8 -> dev tun0").holds).toBe(true);
  });

  it("other users' tcp/udp is marked 0x2023 and re-routed into tun0", () => {
    const r = check(host, "always: -4 not uid 1000 mark 0 ipproto udp to 1.0.0.0/8 -> dev tun0");
    expect(r.holds).toBe(true);
    const m = host.map(["-4", "uid", "0", "mark", "0", "ipproto", "udp", "to", "1.1.1.1"]);
    if (!m.ok) throw new Error(m.error.message);
    expect(m.value.classes.map((c) => c.outcome)).toEqual([
      "dev tun0 table 2022 rule 9001 mark 0x2023",
    ]);
  });

  it("icmp is not marked: it stays on eth0", () => {
    const r = check(host, "always: -4 mark 0 ipproto icmp to 1.0.0.0/8 -> dev eth0");
    expect(r.holds).toBe(true);
  });
});
