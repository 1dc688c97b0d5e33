/**
 * `nft list tables|table|chain|chains|sets|set|maps|map` print as nftables 1.0.6 does
 * (expected texts recorded from `nft` 1.0.6 in a namespace after the same commands).
 */
import { describe, expect, it } from "vitest";
import { Host } from "../../index.js";

const SETUP = `nft add table ip t
nft add chain ip t c '{ type filter hook output priority 0; }'
nft add rule ip t c ip daddr 1.2.3.4 accept
nft add chain ip t d
nft add table inet u
nft add set ip t s '{ type ipv4_addr; }'
`;
const host = Host.load([{ name: "nft.sh", text: SETUP }]);
const nft = (cmd: string) => host.ip(["nft", ...cmd.split(" ")]);

describe("nft list", () => {
  it("tables, all families or one", () => {
    expect(nft("list tables").stdout).toBe("table ip t\ntable inet u\n");
    expect(nft("list tables ip").stdout).toBe("table ip t\n");
  });
  it("one table (family ip by default), with handles", () => {
    const t =
      "table ip t {\n\tset s {\n\t\ttype ipv4_addr\n\t}\n\n" +
      "\tchain c {\n\t\ttype filter hook output priority filter; policy accept;\n" +
      "\t\tip daddr 1.2.3.4 accept\n\t}\n\n\tchain d {\n\t}\n}\n";
    expect(nft("list table ip t").stdout).toBe(t);
    expect(nft("list table t").stdout).toBe(t);
    expect(nft("-a list table ip t").stdout).toBe(
      "table ip t { # handle 1\n\tset s { # handle 4\n\t\ttype ipv4_addr\n\t}\n\n" +
        "\tchain c { # handle 1\n\t\ttype filter hook output priority filter; policy accept;\n" +
        "\t\tip daddr 1.2.3.4 accept # handle 2\n\t}\n\n\tchain d { # handle 3\n\t}\n}\n",
    );
  });
  it("one chain inside its table", () => {
    expect(nft("list chain ip t c").stdout).toBe(
      "table ip t {\n\tchain c {\n\t\ttype filter hook output priority filter; policy accept;\n" +
        "\t\tip daddr 1.2.3.4 accept\n\t}\n}\n",
    );
  });
  it("a missing table or chain fails as nft does: status 1, carets under the name", () => {
    const r = nft("list table ip nosuch");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "Error: No such file or directory\nlist table ip nosuch\n              ^^^^^^\n",
    );
    expect(nft("list table nosuch").stderr).toBe(
      "Error: No such file or directory\nlist table nosuch\n           ^^^^^^\n",
    );
    expect(nft("list chain ip t nochain").stderr).toBe(
      "Error: No such file or directory\nlist chain ip t nochain\n                ^^^^^^^\n",
    );
    expect(nft("list chain ip nosuch c").stderr).toBe(
      "Error: No such file or directory\nlist chain ip nosuch c\n              ^^^^^^\n",
    );
    expect(nft("list table inet t").stderr).toBe(
      "Error: No such file or directory\nlist table inet t\n                ^\n",
    );
  });

  // Recorded from nft 1.0.6 (test/kernel/nft-list.kernel.test.ts compares them live).
  const h2 = Host.load([
    {
      name: "sets.sh",
      text: `nft -f - <<'EOF'
table inet filter {
  set blackhole { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.168.1.1 } }
  set empty6 { type ipv6_addr; }
  map portmap { type inet_service : ipv4_addr; elements = { 80 : 10.0.0.1, 443 : 10.0.0.2 } }
  chain input { type filter hook input priority 0; policy drop; ip saddr @blackhole drop; }
  chain fwd_custom { counter; }
}
table ip nat {
  comment "c"
  set s2 { type ipv4_addr; timeout 1h; size 100; comment "c"; }
  chain post { type nat hook postrouting priority srcnat; masquerade; }
}
table ip6 empty { }
EOF
`,
    },
  ]);
  const nft2 = (cmd: string) => h2.ip(["nft", ...cmd.split(" ")]);
  const SETS =
    "table inet filter {\n\tset blackhole {\n\t\ttype ipv4_addr\n\t\tflags interval\n" +
    "\t\telements = { 10.0.0.0/8, 192.168.1.1 }\n\t}\n\tset empty6 {\n\t\ttype ipv6_addr\n\t}\n}\n";
  const S2 = '\tset s2 {\n\t\ttype ipv4_addr\n\t\tsize 100\n\t\ttimeout 1h\n\t\tcomment "c"\n\t}\n';
  const PORTMAP =
    "\tmap portmap {\n\t\ttype inet_service : ipv4_addr\n" +
    "\t\telements = { 80 : 10.0.0.1, 443 : 10.0.0.2 }\n\t}\n";

  it("sets: every table of the family, bare, with its sets and their elements", () => {
    expect(nft2("list sets").stdout).toBe(`${SETS}table ip nat {\n${S2}}\ntable ip6 empty {\n}\n`);
    expect(nft2("list sets inet").stdout).toBe(SETS);
    expect(nft2("list sets ip6").stdout).toBe("table ip6 empty {\n}\n");
  });
  it("maps: the maps only", () => {
    expect(nft2("list maps").stdout).toBe(
      `table inet filter {\n${PORTMAP}}\ntable ip nat {\n}\ntable ip6 empty {\n}\n`,
    );
  });
  it("chains: declarations without rules, no blank line between", () => {
    expect(nft2("list chains").stdout).toBe(
      "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; " +
        "policy drop;\n\t}\n\tchain fwd_custom {\n\t}\n}\ntable ip nat {\n\tchain post {\n" +
        "\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t}\n}\n" +
        "table ip6 empty {\n}\n",
    );
    expect(nft2("-a list chains ip").stdout).toBe(
      "table ip nat {\n\tchain post { # handle 1\n" +
        "\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t}\n}\n",
    );
  });
  it("one set or map in its bare table; a set is not a map", () => {
    expect(nft2("list set ip nat s2").stdout).toBe(`table ip nat {\n${S2}}\n`);
    expect(nft2("list map inet filter portmap").stdout).toBe(`table inet filter {\n${PORTMAP}}\n`);
    const r = nft2("list set inet filter portmap");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "Error: No such file or directory\nlist set inet filter portmap\n" +
        "                     ^^^^^^^\n",
    );
    expect(nft2("list map inet filter blackhole").status).toBe(1);
    expect(nft2("list set ip nope a").stderr).toBe(
      "Error: No such file or directory\nlist set ip nope a\n            ^^^^\n",
    );
  });
  it("a script reads them back", () => {
    const h = Host.load([
      {
        name: "read.sh",
        text:
          "nft add table ip t\nnft add set ip t s '{ type ipv4_addr; }'\n" +
          'if nft list sets | grep -q "set s "; then ip rule add pref 5 lookup 5; fi\n',
      },
    ]);
    expect(h.issues).toEqual([]);
    expect(h.ip(["rule"]).stdout).toContain("5:\tfrom all lookup 5");
  });
});
