// A large realistic host for the analysis bench, as a generated setup script: a LAN uplink
// (v4 + v6), docker0, tailscale (table 52, rules 5210-5270, its fwmark bits in 0xff0000),
// wg-quick (table 51820, not fwmark 51820 + suppress_prefixlength 0), a sing-tun style TUN
// (table 2022, rules 9000-9010) and a chnroute-style bypass: a few thousand prefixes both as
// routes (table 100, rule 8000) and in an ipset matched by iptables (the marks it would set
// are netfilter, which the analysis reports as not modelled).

/** Deterministic pseudo-random prefixes, /12-/24, distinct. */
function bypassPrefixes(n, seed = 7) {
  let x = seed >>> 0;
  const next = () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x;
  };
  const seen = new Set();
  const out = [];
  while (out.length < n) {
    const len = 12 + (next() % 13);
    const a = (next() & (0xffffffff << (32 - len))) >>> 0;
    const first = a >>> 24;
    if (first === 0 || first === 10 || first === 127 || first >= 224) continue;
    const k = `${a}/${len}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(`${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${len}`);
  }
  return out;
}

/** The setup script text, with `n` bypass prefixes. */
export function analysisHostScript(n = 3000) {
  const L = [];
  L.push(
    "ip link set lo up",
    "ip link add eth0 type veth peer name eth0-peer",
    "ip link set eth0-peer up",
    "ip link set eth0 up",
    "ip addr add 192.168.1.10/24 dev eth0",
    "ip -6 addr add 2001:db8:1::10/64 dev eth0 nodad",
    "ip route add default via 192.168.1.1 dev eth0",
    "ip -6 route add default via 2001:db8:1::1 dev eth0",
    // docker
    "ip link add docker0 type bridge",
    "ip link set docker0 up",
    "ip addr add 172.17.0.1/16 dev docker0",
    // tailscale
    "ip tuntap add mode tun dev tailscale0",
    "ip link set tailscale0 up",
    "ip addr add 100.100.1.2/32 dev tailscale0",
    "ip -6 addr add fd7a:115c:a1e0::2/128 dev tailscale0 nodad",
    "ip route add 100.64.0.0/10 dev tailscale0 table 52",
    "ip route add 100.100.100.100/32 dev tailscale0 table 52",
    "ip -6 route add fd7a:115c:a1e0::/48 dev tailscale0 table 52",
  );
  for (let i = 0; i < 64; i++)
    L.push(`ip route add 10.${100 + (i >> 4)}.${i & 15}.0/24 dev tailscale0 table 52`);
  for (const f of ["", "-6 "])
    L.push(
      `ip ${f}rule add pref 5210 fwmark 0x80000/0xff0000 lookup main`,
      `ip ${f}rule add pref 5230 fwmark 0x80000/0xff0000 lookup default`,
      `ip ${f}rule add pref 5250 fwmark 0x80000/0xff0000 unreachable`,
      `ip ${f}rule add pref 5270 lookup 52`,
    );
  // wg-quick
  L.push(
    "ip tuntap add mode tun dev wg0",
    "ip link set wg0 up",
    "ip addr add 10.8.0.2/32 dev wg0",
    "ip -6 addr add fd00:8::2/128 dev wg0 nodad",
    "ip route add 0.0.0.0/0 dev wg0 table 51820",
    "ip -6 route add ::/0 dev wg0 table 51820",
  );
  for (const f of ["", "-6 "])
    L.push(
      `ip ${f}rule add not fwmark 51820 table 51820 pref 6000`,
      `ip ${f}rule add table main suppress_prefixlength 0 pref 5999`,
    );
  // sing-tun
  L.push(
    "ip tuntap add mode tun dev tun0",
    "ip link set tun0 up",
    "ip addr add 172.19.0.1/30 dev tun0",
    "ip -6 addr add fdfe:dcba:9876::1/126 dev tun0 nodad",
    "ip route add default dev tun0 table 2022",
    "ip -6 route add default dev tun0 table 2022",
  );
  for (const f of ["", "-6 "])
    L.push(
      `ip ${f}rule add pref 9000 uidrange 1000-1000 goto 9010`,
      `ip ${f}rule add pref 9001 not fwmark 0x2023 ipproto udp dport 53 lookup 2022`,
      `ip ${f}rule add pref 9002 not fwmark 0x2023 lookup 2022`,
      `ip ${f}rule add pref 9010 nop`,
    );
  // chnroute bypass
  const pre = bypassPrefixes(n);
  L.push("ip rule add pref 8000 lookup 100", "ipset create chn hash:net");
  for (const p of pre) L.push(`ip route add ${p} via 192.168.1.1 dev eth0 table 100`);
  for (const p of pre) L.push(`ipset add chn ${p}`);
  L.push(
    "iptables -t mangle -A OUTPUT -m set --match-set chn dst -j MARK --set-mark 0x2023",
    "iptables -t mangle -A OUTPUT -p udp --dport 53 -j MARK --set-mark 0x2023",
  );
  return L.join("\n") + "\n";
}
