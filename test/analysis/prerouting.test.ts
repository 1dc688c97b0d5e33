/**
 * check and map on received packets through PREROUTING, through the public Host: a
 * transparent-proxy gateway (TPROXY with --tproxy-mark, `ip rule fwmark 1 lookup 100`,
 * `local 0.0.0.0/0 dev lo table 100`), wg-quick's restore of the conn mark, its address
 * guard in raw, and NAT, which the analysis names instead of answering. Each answer is the
 * kernel's reading: TPROXY's socket is assigned and its mark set (tproxy_tg4), the input
 * lookup then sees that mark (ip_route_input_slow after NF_INET_PRE_ROUTING); a TPROXY'd
 * packet the lookup does not deliver locally is dropped (ip_forward drops a packet with a
 * socket), as the engine's journey does.
 */
import { describe, expect, it } from "vitest";
import { Host } from "../../src/index.js";

const BASE = `ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.2/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip link add lan0 type veth peer name lan0-peer
ip link set lan0-peer up
ip link set lan0 up
ip addr add 10.0.0.1/24 dev lan0
sysctl -w net.ipv4.ip_forward=1
`;
const TPROXY = `iptables -t mangle -A PREROUTING -d 10.0.0.0/8 -j RETURN
iptables -t mangle -A PREROUTING -d 192.168.0.0/16 -j RETURN
iptables -t mangle -A PREROUTING -i lan0 -p tcp -j TPROXY --on-port 7893 --tproxy-mark 0x1/0x1
`;
const DELIVER = `ip rule add fwmark 0x1/0x1 lookup 100 pref 200
ip route add local 0.0.0.0/0 dev lo table 100
`;

function host(text: string): Host {
  const h = Host.load([{ name: "gw.sh", text }]);
  expect(h.issues).toEqual([]);
  return h;
}

function check(h: Host, a: string) {
  const r = h.check([a]);
  if (!r.ok) throw new Error(r.error.message);
  return r.value[0]!;
}

const WEB = "iif lan0 from 10.0.0.7 to 1.1.1.1 ipproto tcp dport 443";

describe("PREROUTING before the input lookup", () => {
  it("a TPROXY gateway delivers the LAN's tcp locally through its fwmark table", () => {
    const h = host(BASE + TPROXY + DELIVER);
    const r = check(h, `always: ${WEB} -> delivered`);
    expect(r.holds).toBe(true);
    expect(r.unmodelled).toBeUndefined();
    // Its udp and the destinations the chain returns are forwarded as before (as they arrive
    // from the wire: unmarked; one arriving with mark 1 would meet the fwmark rule).
    expect(
      check(h, "always: iif lan0 from 10.0.0.7 to 1.1.1.1 mark 0 ipproto udp -> sent").holds,
    ).toBe(true);
    expect(check(h, "always: iif lan0 from 10.0.0.7 to 192.168.1.1 mark 0 -> dev eth0").holds).toBe(
      true,
    );
  });

  it("a map class says the mark TPROXY set and that it took the packets", () => {
    const h = host(BASE + TPROXY + DELIVER);
    const m = h.map(["iif", "lan0", "from", "10.0.0.7", "to", "1.1.1.1", "ipproto", "tcp"]);
    if (!m.ok) throw new Error(m.error.message);
    const c = m.value.classes.find((x) => x.detail.nf?.tproxy);
    expect(c?.detail.type).toBe("local");
    expect(c?.detail.tableName).toBe("100");
    expect(c?.detail.nf?.representativeMark).toBe("0x1");
    expect(m.value.notes.join(" ")).toContain("PREROUTING");
  });

  it("without the fwmark rule TPROXY'd packets are forwarded by the lookup, so dropped", () => {
    const h = host(BASE + TPROXY);
    const r = check(h, `always: ${WEB} -> dropped`);
    expect(r.holds).toBe(true);
    const m = h.map(["iif", "lan0", "from", "10.0.0.7", "to", "1.1.1.1", "ipproto", "tcp"]);
    if (!m.ok) throw new Error(m.error.message);
    expect(m.value.classes.map((c) => c.outcome)).toContain(
      "dropped by TPROXY (the route is not local) table main mark " +
        "mark & 0xfffffffe | 0x1 (TPROXY socket)",
    );
  });

  it("CONNMARK --restore-mark on a flow's first packet restores ct mark 0", () => {
    // A packet arriving with 0x100 has those bits replaced by the new connection's mark 0.
    const text =
      BASE +
      "ip rule add fwmark 0x100/0xff00 lookup 100 pref 200\n" +
      "ip route add unreachable default table 100\n" +
      "iptables -t mangle -A PREROUTING -j CONNMARK --restore-mark --nfmask 0xff00 " +
      "--ctmask 0xff00\n";
    const h = host(text);
    expect(check(h, "always: iif lan0 from 10.0.0.7 to 1.1.1.1 mark 0x100 -> sent").holds).toBe(
      true,
    );
  });

  it("wg-quick's nft restore (`meta mark set ct mark`) gives a first packet mark 0", () => {
    const text =
      BASE +
      "ip rule add not fwmark 0xca6c lookup 51820 pref 100\n" +
      "ip route add unreachable default table 51820\n" +
      "nft -f - <<'EOF'\ntable ip wg-quick-wg0 {\n chain premangle {\n" +
      "  type filter hook prerouting priority mangle; policy accept;\n" +
      "  meta l4proto udp meta mark set ct mark\n }\n}\nEOF\n";
    const h = host(text);
    // Arriving with the tunnel's mark, udp loses it (ct mark 0): the not-fwmark rule takes it.
    const udp = "iif eth0 from 8.8.8.8 to 1.1.1.1 mark 0xca6c ipproto udp";
    expect(check(h, `always: ${udp} -> dropped`).holds).toBe(true);
    const tcp = "iif eth0 from 8.8.8.8 to 1.1.1.1 mark 0xca6c ipproto tcp";
    expect(check(h, `always: ${tcp} -> sent`).holds).toBe(true);
  });

  it("a raw PREROUTING drop is named with its rule", () => {
    const text =
      BASE +
      "iptables -t raw -A PREROUTING ! -i lan0 -d 10.0.0.1 -m addrtype ! --src-type LOCAL " +
      "-j DROP\n";
    const h = host(text);
    const r = check(h, "always: iif eth0 from 8.8.8.8 to 10.0.0.1 -> dropped");
    expect(r.holds).toBe(true);
    expect(check(h, "always: iif lan0 from 10.0.0.7 to 10.0.0.1 -> delivered").holds).toBe(true);
    const m = h.map(["iif", "eth0", "from", "8.8.8.8", "to", "10.0.0.1"]);
    if (!m.ok) throw new Error(m.error.message);
    expect(m.value.classes[0]?.outcome).toMatch(/^dropped by ip raw PREROUTING #1 \(gw\.sh:12\)/);
  });

  it("packets reaching a DNAT rule are not answered, and the rule is named", () => {
    for (const nat of [
      "iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 2222 -j DNAT " +
        "--to-destination 10.0.0.5:22\n",
      "nft -f - <<'EOF'\ntable ip nat {\n chain pre {\n" +
        "  type nat hook prerouting priority dstnat; policy accept;\n" +
        '  iifname "eth0" tcp dport 2222 dnat to 10.0.0.5:22\n }\n}\nEOF\n',
    ]) {
      const h = host(BASE + nat);
      const r = check(h, "always: iif eth0 from 8.8.8.8 to 192.168.1.2 ipproto tcp -> delivered");
      expect(r.unmodelled?.length, nat).toBe(1);
      expect(r.unmodelled?.[0], nat).toMatch(/PREROUTING #1|pre #1/);
      expect(r.unmodelled?.[0], nat).toMatch(/DNAT|dnat/);
      // The other packets are answered: delivered to the gateway's address.
      expect(r.holds, nat).toBe(true);
    }
  });
});
