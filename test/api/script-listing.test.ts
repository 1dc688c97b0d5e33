/**
 * A setup script that reads `ip … show` (`$(…)`, a pipe into `read`, `>/dev/null && …`) sees
 * what iproute2 6.1 prints, as bash running the script on that host would.
 */
import { expect, it } from "vitest";
import { Host } from "../../src/index.js";

const PRE =
  "ip link add eth0 type dummy\nip link set eth0 up\nip addr add 10.0.0.2/24 dev eth0\n" +
  "ip route add default via 10.0.0.1 dev eth0\n";

it("$(ip -4 route show default) gives the route's words", () => {
  const h = Host.load([
    {
      name: "s.sh",
      text: `${PRE}set -- $(ip -4 route show default)\nip rule add pref 10 oif "$5" lookup 100\n`,
    },
  ]);
  expect(h.issues).toEqual([]);
  expect(h.ip("rule show pref 10").stdout).toBe("10:\tfrom all oif eth0 lookup 100\n");
});

it("ip route show | while read … copies the main table (a split-tunnel idiom)", () => {
  const copy =
    "ip route show table main | while read -r line; do ip route add $line table 7; done\n";
  const h = Host.load([{ name: "s.sh", text: PRE + copy }]);
  expect(h.issues).toEqual([]);
  expect(h.ip("route show table 7").stdout).toBe(
    "default via 10.0.0.1 dev eth0 \n10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2 \n",
  );
});

it("ip link show dev X >/dev/null 2>&1 && … follows ip's exit status", () => {
  const text =
    `${PRE}ip link show dev eth0 >/dev/null 2>&1 && ip rule add pref 11 lookup 11\n` +
    "ip link show dev wg0 >/dev/null 2>&1 && ip rule add pref 12 lookup 12\n" +
    'DEV=$(ip -4 route show to default)\n[ -n "$DEV" ] && ip rule add pref 13 lookup 13\n';
  const h = Host.load([{ name: "s.sh", text }]);
  // ip's refusal after 2>/dev/null is kept as info.
  expect(h.issues.map((i) => [i.severity, i.message])).toEqual([
    ["info", 'Device "wg0" does not exist.'],
  ]);
  expect(h.ip("rule show").stdout).toContain("11:\tfrom all lookup 11\n");
  expect(h.ip("rule show").stdout).not.toContain("lookup 12");
  expect(h.ip("rule show").stdout).toContain("13:\tfrom all lookup 13\n");
});

it("a listing routelab refuses is a located warning and empty output, never a guess", () => {
  const text =
    `${PRE}DEV=$(ip -br -4 route show to default)\n` +
    '[ -z "$DEV" ] && ip rule add pref 14 lookup 14\n';
  const h = Host.load([{ name: "s.sh", text }]);
  expect(h.issues.map((i) => [i.severity, i.loc?.line, i.loc?.col, i.message])).toEqual([
    ["warning", 5, 7, 'option "-brief" is not modelled for ip route show'],
  ]);
  expect(h.ip("rule show").stdout).toContain("14:\tfrom all lookup 14\n");
});

it("route show [to] [root|match|exact] PREFIX selects as iproute2 6.1 does", () => {
  // Outputs of iproute2 6.1 on Linux 6.1 with this setup (eth0 a veth, 10.1.0.0/16 added).
  const h = Host.load([{ name: "s.sh", text: `${PRE}ip route add 10.1.0.0/16 via 10.0.0.1\n` }]);
  const dflt = "default via 10.0.0.1 dev eth0 \n";
  const net = "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2 \n";
  const sub = "10.1.0.0/16 via 10.0.0.1 dev eth0 \n";
  const show = (a: string) => h.ip(`route show ${a}`).stdout;
  expect(show("to default")).toBe(dflt);
  expect(show("root 10.0.0.0/8")).toBe(net + sub);
  expect(show("match 10.1.2.3")).toBe(dflt + sub);
  expect(show("10.1.0.0/16")).toBe(sub);
  expect(show("exact 10.0.0.0/24")).toBe(net);
  expect(h.ip("-6 route show default").stdout).toBe("");
});

it("ip -o route / ip -o rule print as iproute2 6.1 does (a multipath route on one line)", () => {
  // Outputs of iproute2 6.1 on Linux 6.1 (ip -o route show, ip -o rule, in a namespace).
  const mp =
    "ip route add 10.9.0.0/16 nexthop via 10.0.0.1 dev eth0 " +
    "nexthop via 10.0.0.3 dev eth0 weight 2\n";
  const h = Host.load([{ name: "s.sh", text: PRE + mp }]);
  expect(h.ip("-o route show").stdout).toBe(
    "default via 10.0.0.1 dev eth0 \n" +
      "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2 \n" +
      "10.9.0.0/16 \\\tnexthop via 10.0.0.1 dev eth0 weight 1 " +
      "\\\tnexthop via 10.0.0.3 dev eth0 weight 2 \n",
  );
  expect(h.ip("-o rule").stdout).toBe(h.ip("rule").stdout);
});

it("/proc/sys globs and reads are the virtual host's (all, default and each link)", () => {
  // Linux 6.1 ran this in a new namespace: rule `105: from all lookup 2`, every rp_filter 2.
  const text =
    "ip link set lo up\nip link add eth0 type veth peer name eth0p\n" +
    "sysctl -q -w net.ipv4.conf.all.rp_filter=1\n" +
    "for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 2 > $f; done\n" +
    "n=0; for d in /proc/sys/net/ipv4/conf/*/; do n=$((n+1)); done\n" +
    "ip rule add pref $((100 + n)) lookup $(cat /proc/sys/net/ipv4/conf/eth0/rp_filter)\n";
  const h = Host.load([{ name: "s.sh", text }], { readDir: () => undefined });
  expect(h.issues).toEqual([]);
  expect(h.ip("rule show pref 105").stdout).toBe("105:\tfrom all lookup 2\n");
  expect(h.sysctl("net.ipv4.conf.eth0p.rp_filter")).toBe("2");
  expect(h.sysctl("net.ipv4.conf.all.rp_filter")).toBe("2");
});
