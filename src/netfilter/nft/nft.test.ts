import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  createNftRuleset,
  loadNftText,
  nftListRuleset,
  nftBaseChains,
  applyNftCommand,
  loadNftJson,
} from "./index.js";
import type { NfHostView, NfPacket } from "../types.js";
import { parseAddr, type Addr } from "../../addr/ip.js";
import { corpusText } from "../../../test/kernel/nft-list-corpus.js";

const A = (s: string): Addr => {
  const r = parseAddr(s);
  if (!r.ok) throw new Error(s);
  return r.value;
};

function pkt(p: Partial<NfPacket> = {}): NfPacket {
  return {
    family: 4,
    saddr: A("10.0.0.1"),
    daddr: A("1.1.1.1"),
    ipproto: 17,
    sport: 40000,
    dport: 53,
    mark: 0,
    tos: 0,
    iifname: "",
    oifname: "eth0",
    skuid: 1000,
    skgid: 1000,
    ctstate: "new",
    ctmark: 0,
    ctdir: "original",
    ...p,
  };
}

const host: NfHostView = {
  addrType: (a) =>
    (a.family === 4 && a.v >>> 24 === 127) || (a.family === 4 && a.v === A("10.0.0.1").v)
      ? "local"
      : "unicast",
  linkExists: () => true,
};

function load(text: string) {
  const rs = createNftRuleset();
  const issues = loadNftText(rs, text, "t.nft");
  expect(issues).toEqual([]);
  return rs;
}

function chain(rs: ReturnType<typeof load>, name: string) {
  const c = nftBaseChains(rs).find((x) => x.chain === name);
  if (!c) throw new Error(name);
  return c;
}

describe("nft evaluation", () => {
  it("jump/goto/return: return after goto resumes after the last jump (E64 => 0x101)", () => {
    const rs = load(`table ip t {
      chain out { type route hook output priority mangle; policy accept;
        jump A
        meta mark set meta mark or 0x100
      }
      chain A { goto B; meta mark set meta mark or 0x10; }
      chain B { meta mark set meta mark or 0x1; return; meta mark set meta mark or 0x2; }
    }
`);
    const r = chain(rs, "out").evaluate(pkt(), host);
    expect(r.packet.mark).toBe(0x101);
    expect(r.verdict).toEqual({ kind: "accept" });
    expect(r.steps.map((s) => `${s.chain}#${s.ruleIndex}:${s.matched}`)).toEqual([
      "out#1:true",
      "A#1:true",
      "B#1:true",
      "B#2:true",
      "out#2:true",
      "out#0:true",
    ]);
    expect(r.steps[0]!.text).toBe("jump A");
    expect(r.steps[2]!.text).toBe("meta mark set meta mark | 0x00000001");
    expect(r.steps[2]!.markBefore).toBe(0);
    expect(r.steps[2]!.markAfter).toBe(1);
  });

  it("accept ends the base chain; drop policy applies at the end", () => {
    const rs = load(`table inet t { chain c { type filter hook prerouting priority 0; policy drop;
      udp dport 53 accept
      meta mark set 0x5
    }; }`);
    const c = chain(rs, "c");
    expect(c.evaluate(pkt(), host).verdict).toEqual({ kind: "accept" });
    const r = c.evaluate(pkt({ dport: 80 }), host);
    expect(r.verdict.kind).toBe("drop");
    expect(r.packet.mark).toBe(5);
    expect(r.steps.at(-1)!.text).toBe("policy drop");
  });

  it("verdict maps: inline and named, jump target returns", () => {
    const rs = load(`table ip t {
      map m { type mark : verdict; elements = { 0x1 : accept, 0x2 : drop, 0x3 : jump sub } }
      chain c { type filter hook output priority 0;
        meta mark vmap @m
        ip daddr vmap { 9.9.9.0/24 : drop, 8.8.8.8 : accept }
        meta mark set 0x77
      }
      chain sub { meta mark set 0x33; }
    }`);
    const c = chain(rs, "c");
    expect(c.evaluate(pkt({ mark: 1 }), host).verdict.kind).toBe("accept");
    expect(c.evaluate(pkt({ mark: 2 }), host).verdict.kind).toBe("drop");
    const r3 = c.evaluate(pkt({ mark: 3 }), host);
    expect(r3.packet.mark).toBe(0x77);
    expect(c.evaluate(pkt({ daddr: A("9.9.9.9") }), host).verdict.kind).toBe("drop");
    expect(c.evaluate(pkt({ daddr: A("8.8.8.8") }), host).verdict.kind).toBe("accept");
    expect(c.evaluate(pkt({ daddr: A("8.8.8.9") }), host).packet.mark).toBe(0x77);
  });

  it("interval sets: prefixes, ranges, single addresses, negation", () => {
    const rs = load(`table inet t {
      set s { type ipv4_addr; flags interval;
        elements = { 10.0.0.0/8, 192.168.1.5-192.168.1.9, 1.2.3.4 } }
      chain c { type filter hook prerouting priority 0;
        ip daddr @s return
        ip daddr != { 8.8.8.8, 9.9.9.0/24 } meta mark set 0x1
        tcp dport { 80, 1000-2000 } meta mark set 0x2
      }
    }`);
    const c = chain(rs, "c");
    for (const d of ["10.200.0.1", "192.168.1.5", "192.168.1.9", "1.2.3.4"])
      expect(c.evaluate(pkt({ daddr: A(d) }), host).packet.mark, d).toBe(0);
    expect(c.evaluate(pkt({ daddr: A("192.168.1.10") }), host).packet.mark).toBe(1);
    expect(c.evaluate(pkt({ daddr: A("9.9.9.200") }), host).packet.mark).toBe(0);
    expect(
      c.evaluate(pkt({ daddr: A("9.9.8.1"), ipproto: 6, dport: 1500 }), host).packet.mark,
    ).toBe(2);
    // inet chain: an ip daddr rule never matches IPv6
    expect(
      c.evaluate(pkt({ family: 6, saddr: A("fd00::1"), daddr: A("fd00::2") }), host).packet.mark,
    ).toBe(0);
  });

  it("mark math matches the kernel's (x & mask) ^ xor for every value", () => {
    const rs = load(`table ip t { chain c { type filter hook output priority 0;
      meta mark set meta mark and 0xffff00ff or 0x100
      ct mark set ct mark and 0xff xor 0x5
      meta mark set meta mark xor 0x4
    }; }`);
    const c = chain(rs, "c");
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), (m, cm) => {
        const r = c.evaluate(pkt({ mark: m, ctmark: cm }), host);
        expect(r.packet.mark).toBe((((m & 0xffff00ff) | 0x100) ^ 0x4) >>> 0);
        expect(r.packet.ctmark).toBe(((cm & 0xff) ^ 0x5) >>> 0);
      }),
    );
  });

  it("wg-quick connmark save/restore", () => {
    const rs = load(`add table ip wg-quick-wg0
add chain ip wg-quick-wg0 premangle { type filter hook prerouting priority -150; }
add chain ip wg-quick-wg0 postmangle { type filter hook postrouting priority -150; }
add rule ip wg-quick-wg0 postmangle meta l4proto udp mark 51820 ct mark set mark
add rule ip wg-quick-wg0 premangle meta l4proto udp meta mark set ct mark
`);
    const post = chain(rs, "postmangle").evaluate(pkt({ mark: 51820 }), host);
    expect(post.packet.ctmark).toBe(51820);
    const pre = chain(rs, "premangle").evaluate(pkt({ ctmark: 51820, iifname: "eth0" }), host);
    expect(pre.packet.mark).toBe(51820);
    expect(chain(rs, "premangle").needsConntrack).toBe(true);
  });

  it("fib, socket, skuid, ct state, iifname wildcard", () => {
    const rs = load(`table inet t {
      chain pre { type filter hook prerouting priority -300;
        iifname != "wg*" fib saddr type local drop
        ct state established,related meta mark set 0x10 accept
        socket transparent 1 meta mark set 0x1 accept
      }
      chain out { type route hook output priority mangle;
        meta skuid != 0 meta mark set 0x2
      }
    }`);
    const pre = chain(rs, "pre");
    expect(pre.evaluate(pkt({ iifname: "eth0", saddr: A("127.0.0.1") }), host).verdict.kind).toBe(
      "drop",
    );
    expect(pre.evaluate(pkt({ iifname: "wg0", saddr: A("127.0.0.1") }), host).verdict.kind).toBe(
      "accept",
    );
    const est = pre.evaluate(
      pkt({ iifname: "eth0", saddr: A("8.8.8.8"), ctstate: "established" }),
      host,
    );
    expect(est.packet.mark).toBe(0x10);
    const sock = pre.evaluate(
      pkt({ iifname: "eth0", saddr: A("8.8.8.8"), socketExists: true }),
      host,
    );
    expect(sock.packet.mark).toBe(1);
    expect(pre.evaluate(pkt({ iifname: "eth0", saddr: A("8.8.8.8") }), host).packet.mark).toBe(0);
    const out = chain(rs, "out");
    expect(out.type).toBe("route");
    expect(out.evaluate(pkt(), host).packet.mark).toBe(2);
    // no socket owner (forwarded): meta skuid does not match even with !=
    expect(out.evaluate(pkt({ skuid: undefined }), host).packet.mark).toBe(0);
    expect(out.needsConntrack).toBe(false);
  });

  it("tproxy: continues the rule when a socket exists, stops it when not (nft semantics)", () => {
    const rs = load(`table inet t { chain pre { type filter hook prerouting priority mangle;
      meta l4proto udp tproxy ip to 127.0.0.1:7893 meta mark set 0x1 accept
      meta mark set 0x9
    }; }`);
    const pre = chain(rs, "pre");
    const hit = pre.evaluate(pkt(), { ...host, tproxySocket: () => true });
    expect(hit.verdict).toEqual({ kind: "tproxy", addr: A("127.0.0.1"), port: 7893 });
    expect(hit.packet.mark).toBe(1);
    const miss = pre.evaluate(pkt(), { ...host, tproxySocket: () => false });
    expect(miss.verdict.kind).toBe("accept");
    expect(miss.packet.mark).toBe(9);
  });

  it("fib saddr . iif oif missing uses the optional fibLookup", () => {
    const rs = load(
      "table ip6 rpf { chain pre { type filter hook prerouting priority raw; " +
        'iifname "a1" fib saddr . iif oif missing drop; }; }',
    );
    const c = chain(rs, "pre");
    const p6 = pkt({ family: 6, saddr: A("fd02::99"), daddr: A("fd98::1"), iifname: "a1" });
    const viaA2: NfHostView = { ...host, fibLookup: () => "a2" };
    const viaA1: NfHostView = { ...host, fibLookup: () => "a1" };
    expect(c.evaluate(p6, viaA2).verdict.kind).toBe("drop");
    expect(c.evaluate(p6, viaA1).verdict.kind).toBe("accept");
  });

  it("nat statements are terminal verdicts and enable conntrack", () => {
    const rs = load(`table ip nat {
      chain pre { type nat hook prerouting priority dstnat; meta l4proto tcp redirect to :7892; }
      chain post { type nat hook postrouting priority srcnat; oifname "eth0" masquerade; }
      chain out { type nat hook output priority -100; udp dport 53 dnat to 10.0.0.53:5353; }
    }`);
    expect(chain(rs, "pre").evaluate(pkt({ ipproto: 6 }), host).verdict).toEqual({
      kind: "redirect",
      port: 7892,
    });
    expect(chain(rs, "post").evaluate(pkt(), host).verdict).toEqual({ kind: "masquerade" });
    expect(chain(rs, "out").evaluate(pkt(), host).verdict).toEqual({
      kind: "dnat",
      addr: A("10.0.0.53"),
      port: 5353,
    });
    expect(nftBaseChains(rs).every((c) => c.needsConntrack)).toBe(true);
    expect(chain(rs, "pre").priority).toBe(-100);
  });
});

describe("nft loaders", () => {
  it("printing is a fixed point: load(print(load(x))) prints the same (corpus)", () => {
    const a = load(corpusText());
    const p1 = nftListRuleset(a);
    const b = load(p1.replace(/counter packets \d+ bytes \d+/g, (m) => m));
    expect(nftListRuleset(b)).toBe(p1);
  });

  it("argv: locations map back to the shell words", () => {
    const rs = createNftRuleset();
    const argv = ["nft", "add", "rule", "ip", "nope", "c", "accept"];
    const locs = argv.map((_, i) => ({ file: "s.sh", line: 3, col: 1 + i * 10 }));
    const issues = applyNftCommand(rs, argv, locs);
    expect(issues[0]).toMatchObject({
      message: "Error: Could not process rule: No such file or directory",
      loc: { file: "s.sh", line: 3, col: 41 },
    });
  });

  it("argv: nft -f uses readFile; a failing batch changes nothing", () => {
    const rs = createNftRuleset();
    const files: Record<string, string> = {
      "/etc/a.nft": "table ip t { chain c { type filter hook output priority 0; accept; }; }\n",
      "/etc/b.nft": "add table ip u\nadd rule ip u nope accept\n",
    };
    expect(applyNftCommand(rs, ["nft", "-f", "/etc/a.nft"], [], (p) => files[p])).toEqual([]);
    expect(applyNftCommand(rs, ["nft", "-f", "/etc/b.nft"], [], (p) => files[p])[0]?.message).toBe(
      "Error: Could not process rule: No such file or directory",
    );
    expect(nftListRuleset(rs)).toBe(
      "table ip t {\n\tchain c {\n\t\ttype filter hook output priority filter; policy accept;\n" +
        "\t\taccept\n\t}\n}\n",
    );
    expect(applyNftCommand(rs, ["nft", "-c", "add", "table", "ip", "z"], [])).toEqual([]);
    expect(rs.tables.map((t) => t.name)).toEqual(["t"]);
  });

  it("unsupported and unknown input gives located issues", () => {
    const rs = createNftRuleset();
    const i1 = loadNftText(
      rs,
      "table ip t { chain c { meta mark set numgen inc mod 2; }; }\n",
      "x.nft",
    );
    expect(i1[0]).toMatchObject({ loc: { file: "x.nft", line: 1, col: 38 }, token: "numgen" });
    expect(i1[0]!.message).toMatch(/numgen/);
    const i2 = loadNftText(rs, "table ip t { chain c { foo bar; }; }\n", "x.nft");
    expect(i2[0]).toMatchObject({
      message: "Error: No symbol type information",
      loc: { col: 24 },
      token: "foo",
    });
    const i3 = loadNftText(rs, "table ip t { chain c { return } }\n", "x.nft");
    expect(i3[0]!.message).toBe(
      "Error: syntax error, unexpected '}', expecting newline or semicolon",
    );
  });

  it("JSON loader rejects what it does not model with a clear error", () => {
    const rs = createNftRuleset();
    const j = JSON.stringify({
      nftables: [
        { table: { family: "ip", name: "t", handle: 1 } },
        { chain: { family: "ip", table: "t", name: "c", handle: 1 } },
        { rule: { family: "ip", table: "t", chain: "c", handle: 2, expr: [{ numgen: {} }] } },
      ],
    });
    const issues = loadNftJson(rs, j, "x.json");
    expect(issues[0]!.message).toMatch(/unsupported statement "numgen"/);
    expect(rs.tables).toEqual([]);
  });
});
