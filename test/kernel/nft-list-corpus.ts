/** Rule corpus, bad inputs and argv scripts for nft-list.kernel.test.ts. */

type Fam = "ip" | "ip6" | "inet";
/** f: filter prerouting, o: route output, n: nat prerouting, p: nat postrouting, r: regular chain */
type Kind = "f" | "o" | "n" | "p" | "r";

const COMMON: [Kind, string][] = [
  ["f", "meta l4proto udp udp dport 53 accept"],
  ["f", "udp dport 53 accept"],
  ["f", "meta l4proto udp th dport 53 accept"],
  ["f", "meta l4proto { tcp, udp } th dport 53 accept"],
  ["f", "meta l4proto { tcp, udp } accept"],
  ["f", "meta l4proto tcp accept"],
  ["f", "meta l4proto != tcp accept"],
  ["f", "meta l4proto tcp meta mark set 1 tcp dport 80 accept"],
  ["f", "tcp dport { 443, 80 } accept"],
  ["f", "tcp dport { 80 } accept"],
  ["f", "tcp dport != { 80, 443 } accept"],
  ["f", "tcp dport 1000-2000 accept"],
  ["f", "tcp sport != 80 return"],
  ["f", "tcp sport { 1-100, 200 } return"],
  ["f", "udp sport 1-2 udp dport { 3, 5-8 } accept"],
  ["f", "tcp dport == 22 accept"],
  ["f", "tcp flags syn accept"],
  ["f", 'tcp flags syn counter comment "mss"'],
  ["f", "meta mark 0x1 accept"],
  ["f", "mark 51820 accept"],
  ["f", "meta mark and 0xff == 0x1 accept"],
  ["f", "meta mark & 0xff00 != 0 return"],
  ["f", "meta mark != 0x0 return"],
  ["f", "meta mark { 0x1, 0x2 } accept"],
  ["f", "meta mark set 0x1"],
  ["f", "mark set 1"],
  ["f", "meta mark set meta mark and 0xffff00ff or 0x100"],
  ["f", "meta mark set meta mark & 0xff00ffff | 0x10000"],
  ["f", "meta mark set (meta mark & 0xff00ffff) | 0x00020000"],
  ["f", "meta mark set mark xor 0x4"],
  ["f", "meta mark set mark and 0xff"],
  ["f", "meta mark set mark or 0x80"],
  ["f", "meta mark set ct mark"],
  ["f", "meta mark set ct mark and 0xff"],
  ["f", "ct mark set mark"],
  ["f", "ct mark set meta mark and 0xffff"],
  ["f", "ct mark set ct mark and 0xff or 0x100"],
  ["f", "ct mark set 0x10"],
  ["f", "ct mark 0x10 accept"],
  ["f", "ct mark and 0xff == 0x10 accept"],
  ["f", "ct mark & 0xff0000 != 0x0 accept"],
  ["f", "ct state established,related accept"],
  ["f", "ct state related,established accept"],
  ["f", "ct state { established, related } accept"],
  ["f", "ct state { new } accept"],
  ["f", "ct state new accept"],
  ["f", "ct state == established accept"],
  ["f", "ct state != established accept"],
  ["f", "ct state invalid drop"],
  ["f", "ct state untracked accept"],
  ["f", "ct state established,related,new,invalid,untracked accept"],
  ["f", "ct direction original accept"],
  ["f", "ct direction reply return"],
  ["o", "meta skuid 1000 accept"],
  ["o", "meta skuid 1000-2000 accept"],
  ["o", "meta skuid != 0 accept"],
  ["o", "meta skuid { 0, 1000 } return"],
  ["o", "meta skgid 0 accept"],
  ["o", "meta skgid 1000-2000 return"],
  ["f", 'iifname "wg*" accept'],
  ["f", 'iifname != "wg0" accept'],
  ["f", 'meta iifname "x" accept'],
  ["f", 'iifname { "eth0", "wg*" } accept'],
  ["o", 'oifname "eth0" accept'],
  ["f", 'iif "lo" accept'],
  ["o", 'oif "lo" accept'],
  ["f", "fib daddr type local accept"],
  ["f", "fib daddr type { local, broadcast } accept"],
  ["f", "fib daddr type != local accept"],
  ["f", "fib saddr type local accept"],
  ["f", "fib saddr . iif oif missing drop"],
  ["f", "fib saddr . mark . iif oif missing drop"],
  ["f", "fib daddr . iif type local accept"],
  ["f", "fib daddr oif exists accept"],
  ["f", "meta l4proto tcp socket transparent 1 accept"],
  ["f", "socket transparent 1 meta mark set 0x1 accept"],
  ["f", "socket wildcard 0 accept"],
  ["f", "meta nftrace set 1"],
  ["f", "counter"],
  ["f", "counter packets 5 bytes 100"],
  ["f", "log"],
  ["f", 'log prefix "hi " level info'],
  ["f", "limit rate 10/second"],
  ["f", "limit rate 100/minute accept"],
  ["f", "notrack"],
  ["f", 'accept comment "hello"'],
  ["f", 'tcp dport 80 counter accept comment "c"'],
  ["f", "continue"],
  ["f", "jump r"],
  ["f", "goto r"],
  ["f", "meta mark vmap { 0x1 : accept, 0x2 : drop, 0x3 : jump r }"],
  ["f", "meta l4proto tcp tproxy to :7893 meta mark set 1 accept"],
  ["f", "tcp dport 80 tproxy to :7893"],
  ["r", "return"],
  ["r", "drop"],
  ["n", "meta l4proto tcp redirect to :7892"],
  ["n", "udp dport 53 redirect to 5353"],
  ["n", "tcp dport 22 redirect to :2222"],
  ["p", 'oifname "eth0" masquerade'],
  ["p", "masquerade"],
  ["p", "meta l4proto tcp masquerade to :1000-2000"],
  ["p", "meta mark & 0xff0000 == 0x40000 counter masquerade"],
];

const V4: [Kind, string][] = [
  ["f", "ip saddr { 10.0.0.3, 10.0.0.1 } accept"],
  ["f", "ip daddr { 10.0.0.0/8, 172.16.0.0/12 } return"],
  ["f", "ip daddr { 10.0.0.0/24, 10.0.1.0/24 } accept"],
  ["f", "ip daddr { 10.0.0.1, 10.0.0.2, 10.0.1.0/24 } accept"],
  ["f", "ip daddr 10.1.2.3/8 return"],
  ["f", "ip daddr 127.0.0.0/8 return"],
  ["f", "ip saddr != 10.0.0.0/8 return"],
  ["f", "ip saddr 10.0.0.1-10.0.0.5 return"],
  ["f", "ip saddr != 10.0.0.1-10.0.0.5 return"],
  ["f", "ip daddr != { 1.1.1.1, 2.2.2.0/24 } accept"],
  ["f", "ip protocol tcp tcp dport 22 accept"],
  ["f", "ip protocol udp accept"],
  ["f", "ip protocol != udp accept"],
  ["f", "ip daddr 1.1.1.1 tcp dport 80 accept"],
  ["f", "ip daddr vmap { 3.3.3.3 : accept, 4.4.4.0/24 : drop }"],
  ["f", "ip daddr . tcp dport { 1.1.1.1 . 80, 2.2.2.2 . 443 } accept"],
  ["f", "meta l4proto tcp tproxy ip to 127.0.0.1:7893"],
  ["n", "meta l4proto udp udp dport 53 dnat ip to 1.2.3.4:53"],
  ["n", "tcp dport 80 dnat ip to 10.0.0.1"],
  ["p", "snat ip to 1.2.3.4"],
  ["p", "snat ip to 1.2.3.4-1.2.3.8"],
  ["p", "snat ip to 1.2.3.4-1.2.3.5"],
  ["p", 'ip saddr 172.17.0.0/16 oifname != "docker0" masquerade'],
];

const V6: [Kind, string][] = [
  ["f", "ip6 daddr fd00::/8 accept"],
  ["f", "ip6 saddr ::1 accept"],
  ["f", "ip6 saddr != fe80::/10 return"],
  ["f", "ip6 daddr { ::1, fc00::/7, fe80::/10 } return"],
  ["f", "ip6 nexthdr udp accept"],
  ["f", "ip6 nexthdr udp udp dport 53 accept"],
  ["f", "meta l4proto tcp tproxy ip6 to [::1]:7893"],
  ["f", "meta l4proto udp tproxy to :7893"],
];

const INET_ONLY: [Kind, string][] = [
  ["f", "meta l4proto { tcp, udp } tproxy to :7893 meta mark set 1 accept"],
  ["f", 'log prefix "x" level warn'],
  ["f", "log level debug"],
  ["f", "ct mark set 0x1 meta mark set ct mark"],
  ["f", "icmp type echo-request accept"],
  ["f", "icmp type { echo-request, echo-reply } accept"],
  ["f", "icmpv6 type { nd-neighbor-solicit, nd-router-advert } accept"],
  ["f", "meta l4proto icmp accept"],
  ["f", "meta l4proto ipv6-icmp accept"],
  ["f", "ip6 nexthdr ipv6-icmp accept"],
  ["f", "limit rate over 10/second drop"],
  ["f", "limit rate 10/second burst 20 packets accept"],
  ["f", "ct state vmap { established : accept, invalid : drop }"],
  ["f", "ip dscp cs1 accept"],
  ["f", "meta pkttype broadcast drop"],
  ["f", "ip ttl 1 drop"],
  ["f", 'meta l4proto tcp tcp dport 443 ct state new log prefix "https " counter accept'],
  ["f", "reject with icmp type host-unreachable"],
  ["f", "reject with icmpv6 type admin-prohibited"],
  ["f", "ip daddr 224.0.0.0/4 drop"],
  ["o", "meta skuid root accept"],
  ["n", "meta l4proto tcp redirect"],
  ["f", "meta nfproto ipv4 ip saddr 1.2.3.4 accept"],
  ["f", "meta nfproto ipv6 accept"],
  ["f", "meta nfproto ipv4 accept"],
  ["f", "meta l4proto tcp reject with tcp reset"],
  ["f", "reject"],
  ["f", "reject with icmpx type admin-prohibited"],
  ["f", "reject with icmpx port-unreachable"],
];

const IP_ONLY: [Kind, string][] = [
  ["n", "ip daddr 1.1.1.1 tcp dport 53 counter dnat to 2.2.2.2"],
  ["f", "ip protocol icmp accept"],
  ["n", "meta l4proto { tcp, udp } th dport 53 dnat to 127.0.0.1:5353"],
  ["n", "redirect"],
  ["f", "meta l4proto udp udp dport 53 dnat to 1.2.3.4:53".replace(/dnat.*/, "accept")],
  ["f", "reject"],
  ["f", "reject with icmp type port-unreachable"],
  ["f", "reject with icmp type host-unreachable"],
  ["f", "reject with tcp reset"],
  ["f", "ip protocol tcp reject with tcp reset"],
  ["f", "meta l4proto tcp reject with tcp reset"],
  ["f", "meta l4proto tcp tproxy to 127.0.0.1:7893"],
  ["n", "tcp dport 80 dnat to 10.0.0.1:8080"],
  ["p", "snat to 1.2.3.4"],
];

const IP6_ONLY: [Kind, string][] = [
  ["f", "icmpv6 type echo-request accept"],
  ["f", "reject with icmpv6 type admin-prohibited"],
  ["f", "reject"],
  ["f", "reject with icmpv6 type port-unreachable"],
];

export const RULE_CORPUS: { family: Fam; kind: Kind; rule: string }[] = [
  ...(["ip", "ip6", "inet"] as Fam[]).flatMap((family) =>
    COMMON.map(([kind, rule]) => ({ family, kind, rule })),
  ),
  ...(["ip", "inet"] as Fam[]).flatMap((family) =>
    V4.map(([kind, rule]) => ({
      family,
      kind,
      rule: family === "ip" ? rule.replace(/ (dnat|snat|tproxy) ip to/, " $1 to") : rule,
    })),
  ),
  ...(["ip6", "inet"] as Fam[]).flatMap((family) =>
    V6.map(([kind, rule]) => ({
      family,
      kind,
      rule: family === "ip6" ? rule.replace(/ tproxy ip6 to/, " tproxy to") : rule,
    })),
  ),
  ...INET_ONLY.map(([kind, rule]) => ({ family: "inet" as Fam, kind, rule })),
  ...IP_ONLY.map(([kind, rule]) => ({ family: "ip" as Fam, kind, rule })),
  ...IP6_ONLY.map(([kind, rule]) => ({ family: "ip6" as Fam, kind, rule })),
];

/** One table per family with the five chain kinds; rules in corpus order. */
export function corpusText(): string {
  let out = "";
  for (const family of ["ip", "ip6", "inet"] as Fam[]) {
    const rules = RULE_CORPUS.filter((r) => r.family === family);
    const chain = (k: Kind) =>
      rules
        .filter((r) => r.kind === k)
        .map((r) => `\t\t${r.rule}\n`)
        .join("");
    out += `table ${family} corpus {\n`;
    out += `\tchain r {\n${chain("r")}\t}\n`;
    out += `\tchain f {\n\t\ttype filter hook prerouting priority mangle; policy accept;\n${chain("f")}\t}\n`;
    out += `\tchain o {\n\t\ttype route hook output priority mangle; policy accept;\n${chain("o")}\t}\n`;
    out += `\tchain n {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n${chain("n")}\t}\n`;
    out += `\tchain p {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n${chain("p")}\t}\n`;
    out += "}\n";
  }
  return out;
}

/** Bad inputs; `commit`: the error only shows on a real commit (kernel validation). */
export const ERROR_CASES: { text: string; setup?: string; commit?: boolean }[] = [
  { text: "table ip t { chain c { jump nope; }; }" },
  { text: "table ip t { chain c { type filter hook prerouting priority 0; tproxy to :1; }; }" },
  { text: "table ip t { chain c { type route hook input priority 0; }; }" },
  { text: "table ip t { chain c { type nat hook forward priority 0; }; }" },
  { text: 'include "/etc/x.nft"' },
  { text: "add rule ip nope c accept" },
  { text: "add chain ip t c" },
  { text: "table ip t { chain c { ip daddr @nope accept; }; }" },
  { text: "table ip t { chain c { type filter hook output priority dstnat; }; }" },
  { text: "table ip t { chain c { type filter hook prerouting priority 0; policy foo; }; }" },
  { text: "define x = 1.2.3.4\ntable ip t { chain c { ip daddr $y; }; }" },
  { text: "table ip t { chain c { tcp dport foo; }; }" },
  { text: "table ip t { chain c { return } }" },
  { text: "table ip t { chain c { meta l4proto udp tcp dport 1; }; }" },
  { text: "table ip t { chain c { masquerade to :1000-2000; }; }" },
  {
    text: "table ip t { set s { type ipv4_addr; flags interval; elements = { 10.0.0.0-10.0.0.255, 0.0.0.0/1 }; }; }",
  },
  {
    text: "table ip t { chain b { type filter hook output priority 0; jump c; }; chain c { jump d; }; chain d { jump c; }; }",
    commit: true,
  },
  { text: "table ip t { chain b { type filter hook output priority 0; jump b; }; }", commit: true },
  {
    text: "table ip t { chain b { type filter hook output priority 0; jump c; }; chain c { goto c; }; }",
    commit: true,
  },
  {
    text: "table ip t { chain c { type filter hook prerouting priority 0; dnat to 1.2.3.4; }; }",
    commit: true,
  },
  {
    text: "table ip t { chain c { type filter hook output priority 0; meta l4proto tcp tproxy to :1; }; }",
    commit: true,
  },
  {
    text: "table ip t { chain c { type nat hook output priority 0; masquerade; }; }",
    commit: true,
  },
  {
    text: "table ip t { chain b { type filter hook prerouting priority 0; jump c; }; chain c { meta l4proto tcp redirect to :1; }; }",
    commit: true,
  },
  {
    text: "table ip t { chain c { type filter hook output priority 0; fib saddr . iif oif missing drop; }; }",
    commit: true,
  },
  {
    text: "delete rule ip t c handle 99",
    setup: "table ip t { chain c { accept; }; }",
    commit: true,
  },
];

/** Command-line scripts (argv without the leading `nft`). */
export const ARGV_SCRIPTS: string[][][] = [
  [
    ["add", "table", "inet", "x"],
    [
      "add",
      "chain",
      "inet",
      "x",
      "pre",
      "{ type filter hook prerouting priority mangle; policy accept; }",
    ],
    ["add", "chain", "inet", "x", "sub"],
    ["add", "rule", "inet", "x", "pre", "iifname", "lo", "return"],
    ["add", "rule", "inet", "x", "pre", "jump", "sub"],
    ["insert", "rule", "inet", "x", "pre", "meta", "mark", "0x1", "return"],
    [
      "add",
      "rule",
      "inet",
      "x",
      "sub",
      "meta",
      "l4proto",
      "{",
      "tcp,",
      "udp",
      "}",
      "meta",
      "mark",
      "set",
      "0x1",
    ],
    ["add", "set", "inet", "x", "s", "{ type ipv4_addr; flags interval; }"],
    ["add", "element", "inet", "x", "s", "{ 10.0.0.0/8, 192.168.0.0/16 }"],
    ["add", "rule", "inet", "x", "sub", "ip", "daddr", "@s", "return"],
    ["add", "element", "inet", "x", "s", "{ 172.16.0.0/12 }"],
    ["delete", "element", "inet", "x", "s", "{ 10.0.0.0/8 }"],
    ["add", "rule", "inet", "x", "pre", "handle", "4", "counter"],
    ["insert", "rule", "inet", "x", "pre", "handle", "5", "counter"],
    ["delete", "rule", "inet", "x", "pre", "handle", "4"],
    ["add", "map", "inet", "x", "m", "{ type mark : verdict; }"],
    ["add", "element", "inet", "x", "m", "{ 0x2 : drop, 0x1 : accept }"],
    ["add", "rule", "inet", "x", "pre", "meta", "mark", "vmap", "@m"],
    ["add", "rule", "inet", "x", "nope", "accept"],
    ["delete", "chain", "inet", "x", "sub"],
  ],
  [
    ["add", "table", "ip", "t"],
    ["add", "chain", "ip", "t", "c", "{ type filter hook output priority 0 ; }"],
    ["add", "rule", "ip", "t", "c", "counter"],
    ["flush", "chain", "ip", "t", "c"],
    ["add", "rule", "ip", "t", "c", "udp", "dport", "53", "accept"],
    ["add", "table", "ip", "u"],
    ["delete", "table", "ip", "u"],
    ["add", "table", "ip", "v"],
    ["flush", "ruleset"],
    ["add", "table", "ip", "w"],
    ["add", "chain", "ip", "w", "c"],
  ],
];
