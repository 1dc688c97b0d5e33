import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Addr } from "../../addr/ip.js";
import { parseAddr } from "../../addr/ip.js";
import type { SourceLoc } from "../../core/loc.js";
import type { NfHostView, NfPacket } from "../types.js";
import {
  applyIpsetCommand,
  applyIptablesCommand,
  createIptablesRuleset,
  iptablesBaseChains,
  iptablesSave,
  runIptables,
  runIptablesRestore,
} from "./index.js";
import type { IptablesRuleset } from "./index.js";

const a = (s: string): Addr => {
  const r = parseAddr(s);
  if (!r.ok) throw new Error(s);
  return r.value;
};

function locsFor(argv: string[], line = 1): SourceLoc[] {
  let col = 1;
  return argv.map((w) => {
    const l = { file: "t.sh", line, col };
    col += w.length + 1;
    return l;
  });
}

/** Split on spaces, honouring double quotes (enough for these tests). */
function words(cmd: string): string[] {
  return (cmd.match(/"[^"]*"|\S+/g) ?? []).map((w) => (w.startsWith('"') ? w.slice(1, -1) : w));
}

function load(lines: string[], rs: IptablesRuleset = createIptablesRuleset()): IptablesRuleset {
  lines.forEach((l, i) => {
    const argv = words(l);
    const issues =
      argv[0] === "ipset"
        ? applyIpsetCommand(rs, argv, locsFor(argv, i + 1))
        : applyIptablesCommand(rs, argv, locsFor(argv, i + 1), argv[0] === "ip6tables" ? 6 : 4);
    if (issues.length) throw new Error(`${l}: ${issues[0]!.message}`);
  });
  return rs;
}

const host: NfHostView = {
  addrType(addr: Addr, dev?: string) {
    const s = addr.family === 4 ? addr.v : -1;
    if (addr.family === 4 && s === a("10.1.0.1").v)
      return dev === undefined || dev === "a1" || dev === "lo" ? "local" : "unicast";
    if (addr.family === 4 && s >>> 24 === 127) return "local";
    if (addr.family === 4 && s === a("10.1.0.255").v) return "broadcast";
    if (addr.family === 4 && s >>> 28 === 0xe) return "multicast";
    return "unicast";
  },
  linkExists: () => true,
};

function pkt(p: Partial<NfPacket> = {}): NfPacket {
  return {
    family: 4,
    saddr: a("10.1.0.1"),
    daddr: a("8.8.8.8"),
    ipproto: 17,
    sport: 40000,
    dport: 53,
    mark: 0,
    tos: 0,
    iifname: "",
    oifname: "a1",
    ctstate: "new",
    ctmark: 0,
    ctdir: "original",
    ...p,
  };
}

function chain(rs: IptablesRuleset, table: string, name: string, family: "ip" | "ip6" = "ip") {
  const c = iptablesBaseChains(rs).find(
    (b) => b.table === table && b.chain === name && b.family === family,
  );
  if (!c) throw new Error(`no base chain ${table} ${name}`);
  return c;
}

describe("chain traversal", () => {
  it("goto/RETURN returns to the caller of the chain that did -g (E64: final mark 0x101)", () => {
    const rs = load([
      "iptables -t mangle -N A",
      "iptables -t mangle -N B",
      "iptables -t mangle -A OUTPUT -j A",
      "iptables -t mangle -A OUTPUT -j MARK --or-mark 0x100",
      "iptables -t mangle -A A -g B",
      "iptables -t mangle -A A -j MARK --or-mark 0x10",
      "iptables -t mangle -A B -j MARK --or-mark 0x1",
      "iptables -t mangle -A B -j RETURN",
      "iptables -t mangle -A B -j MARK --or-mark 0x2",
    ]);
    const r = chain(rs, "mangle", "OUTPUT").evaluate(pkt(), host);
    expect(r.packet.mark).toBe(0x101);
    expect(r.verdict).toEqual({ kind: "accept" });
    expect(r.steps.map((s) => `${s.chain}#${s.ruleIndex}:${s.effect ?? "-"}`)).toEqual([
      "OUTPUT#1:jump A",
      "A#1:goto B",
      "B#1:MARK xset 0x1/0x1 (0x0 -> 0x1)",
      "B#2:return",
      "OUTPUT#2:MARK xset 0x100/0x100 (0x1 -> 0x101)",
      "OUTPUT#0:policy accept",
    ]);
    expect(r.steps[0]!.text).toBe("-A OUTPUT -j A");
    expect(r.steps[0]!.table).toBe("ip mangle OUTPUT");
    expect(r.steps[0]!.loc).toEqual({ file: "t.sh", line: 3, col: 1 });
  });

  it("RETURN in a built-in chain and the end of a goto'd chain both fall to the policy", () => {
    const rs = load([
      "iptables -N X",
      "iptables -P INPUT DROP",
      "iptables -A INPUT -p udp -g X",
      "iptables -A INPUT -j ACCEPT",
      "iptables -A X -j LOG",
    ]);
    const r = chain(rs, "filter", "INPUT").evaluate(pkt({ iifname: "a1", oifname: "" }), host);
    expect(r.verdict.kind).toBe("drop");
    const r2 = chain(rs, "filter", "INPUT").evaluate(
      pkt({ ipproto: 6, iifname: "a1", oifname: "" }),
      host,
    );
    expect(r2.verdict).toEqual({ kind: "accept" });
  });

  it("MARK/CONNMARK bit math (E61): 0xabcd -> 0xe1f", () => {
    const rs = load([
      "iptables -t mangle -A OUTPUT -j MARK --set-xmark 0x12/0xf0",
      "iptables -t mangle -A OUTPUT -j CONNMARK --set-xmark 0x5500/0xffffffff",
      "iptables -t mangle -A OUTPUT -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xff",
      "iptables -t mangle -A OUTPUT -j CONNMARK --restore-mark --nfmask 0xf000 --ctmask 0x0f00",
    ]);
    const r = chain(rs, "mangle", "OUTPUT").evaluate(
      pkt({ mark: 0xabcd, ctmark: 0x1234, ctstate: "established" }),
      host,
    );
    expect(r.packet.mark).toBe(0xe1f);
    expect(r.packet.ctmark).toBe(0x551f);
    // without a conntrack entry CONNMARK does nothing
    const r2 = chain(rs, "mangle", "OUTPUT").evaluate(
      pkt({ mark: 0xabcd, ctmark: 0, ctstate: "untracked" }),
      host,
    );
    expect(r2.packet.mark).toBe(0xab1f);
    expect(r2.packet.ctmark).toBe(0);
  });

  it("MARK variants match the kernel formula (mark & ~mask) ^ value", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.constantFrom("set-mark", "set-xmark", "and-mark", "or-mark", "xor-mark"),
        (mark, v, m, op) => {
          const arg =
            op === "set-mark" || op === "set-xmark"
              ? `0x${v.toString(16)}/0x${m.toString(16)}`
              : `0x${v.toString(16)}`;
          const rs = load([`iptables -t mangle -A OUTPUT -j MARK --${op} ${arg}`]);
          const got = chain(rs, "mangle", "OUTPUT").evaluate(pkt({ mark }), host).packet.mark;
          const want =
            op === "set-xmark"
              ? ((mark & ~m) ^ v) >>> 0
              : op === "set-mark"
                ? ((mark & ~(v | m)) ^ v) >>> 0
                : op === "and-mark"
                  ? (mark & v) >>> 0
                  : op === "or-mark"
                    ? (mark | v) >>> 0
                    : (mark ^ v) >>> 0;
          expect(got).toBe(want);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("clash uid-based setup", () => {
  const rs = load([
    "iptables -t mangle -N CLASH",
    "iptables -t mangle -A CLASH -d 10.0.0.0/8 -j RETURN",
    "iptables -t mangle -A CLASH -d 192.168.0.0/16 -j RETURN",
    "iptables -t mangle -A CLASH -j MARK --set-mark 129",
    "iptables -t mangle -A PREROUTING -j CLASH",
    "iptables -t mangle -A OUTPUT -m owner ! --uid-owner 129 -j CLASH",
  ]);
  const out = chain(rs, "mangle", "OUTPUT");
  it("marks a uid-1000 packet to the internet with 0x81 (route chain)", () => {
    expect(out.type).toBe("route");
    expect(out.priority).toBe(-150);
    const r = out.evaluate(pkt({ skuid: 1000 }), host);
    expect(r.packet.mark).toBe(0x81);
    expect(r.steps.find((s) => s.effect?.startsWith("MARK"))?.text).toBe(
      "-A CLASH -j MARK --set-xmark 0x81/0xffffffff",
    );
  });
  it("leaves the proxy's own uid and private destinations alone", () => {
    expect(out.evaluate(pkt({ skuid: 129 }), host).packet.mark).toBe(0);
    expect(out.evaluate(pkt({ skuid: 1000, daddr: a("192.168.1.1") }), host).packet.mark).toBe(0);
  });
  it("! --uid-owner matches packets without a socket (xt_owner: match ^ invert == 0)", () => {
    const pre = chain(rs, "mangle", "PREROUTING");
    expect(pre.evaluate(pkt({ iifname: "a1", oifname: "" }), host).packet.mark).toBe(0x81);
    const rs2 = load([
      "iptables -t mangle -A POSTROUTING -m owner --uid-owner 1000 -j MARK --set-mark 1",
      "iptables -t mangle -A POSTROUTING -m owner ! --uid-owner 1000 -j MARK --or-mark 2",
    ]);
    expect(chain(rs2, "mangle", "POSTROUTING").evaluate(pkt({}), host).packet.mark).toBe(2);
    expect(
      chain(rs2, "mangle", "POSTROUTING").evaluate(pkt({ skuid: 1000 }), host).packet.mark,
    ).toBe(1);
  });
});

describe("matches", () => {
  it("conntrack / state", () => {
    const rs = load([
      "iptables -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
      "iptables -A INPUT -m state --state INVALID -j DROP",
      "iptables -A INPUT -m conntrack --ctdir REPLY -j REJECT",
      "iptables -A INPUT -m conntrack ! --ctstate NEW -j DROP",
    ]);
    const c = chain(rs, "filter", "INPUT");
    const p = (x: Partial<NfPacket>) =>
      c.evaluate(pkt({ iifname: "a1", oifname: "", ...x }), host).verdict.kind;
    expect(p({ ctstate: "established" })).toBe("accept");
    expect(p({ ctstate: "related" })).toBe("accept");
    expect(p({ ctstate: "invalid" })).toBe("drop");
    expect(p({ ctstate: "new", ctdir: "reply" })).toBe("reject");
    // --ctdir never matches without conntrack; ! --ctstate NEW does
    expect(p({ ctstate: "untracked" })).toBe("drop");
    expect(p({ ctstate: "new" })).toBe("accept");
    expect(c.needsConntrack).toBe(true);
    const rs2 = load([
      "iptables -A FORWARD -m conntrack --ctstate DNAT -j ACCEPT",
      "iptables -A FORWARD -j DROP",
    ]);
    expect(
      chain(rs2, "filter", "FORWARD").evaluate(
        pkt({ iifname: "a1", ctstate: "established", ctDnat: true }),
        host,
      ).verdict.kind,
    ).toBe("accept");
    expect(
      chain(rs2, "filter", "FORWARD").evaluate(pkt({ iifname: "a1", ctstate: "established" }), host)
        .verdict.kind,
    ).toBe("drop");
  });

  it("tcp/udp ports, multiport, iprange, mark, connmark", () => {
    const rs = load([
      "iptables -A FORWARD -p tcp ! --dport :100 -j DROP",
      "iptables -A FORWARD -p udp -m multiport --dports 53,123,5000:5010 -j ACCEPT",
      "iptables -A FORWARD -m iprange --src-range 10.9.0.1-10.9.0.9 -j ACCEPT",
      "iptables -A FORWARD -m mark --mark 0x40000/0xff0000 -j ACCEPT",
      "iptables -A FORWARD -m connmark ! --mark 0x0/0xff -j ACCEPT",
      "iptables -A FORWARD -j REJECT --reject-with icmp-admin-prohibited",
    ]);
    const c = chain(rs, "filter", "FORWARD");
    const v = (x: Partial<NfPacket>) =>
      c.evaluate(pkt({ iifname: "a1", oifname: "a2", ...x }), host).verdict;
    expect(v({ ipproto: 6, dport: 443 }).kind).toBe("drop");
    expect(v({ ipproto: 6, dport: 80 })).toEqual({ kind: "reject", with: "icmp-admin-prohibited" });
    expect(v({ dport: 5005 }).kind).toBe("accept");
    expect(v({ dport: 5011 }).kind).toBe("reject");
    expect(v({ dport: 9, saddr: a("10.9.0.9") }).kind).toBe("accept");
    expect(v({ dport: 9, saddr: a("10.9.0.10") }).kind).toBe("reject");
    expect(v({ dport: 9, mark: 0x40001 }).kind).toBe("accept");
    expect(v({ dport: 9, ctmark: 0x100, ctstate: "established" }).kind).toBe("reject");
    expect(v({ dport: 9, ctmark: 0x101, ctstate: "established" }).kind).toBe("accept");
    // connmark needs a ct
    expect(v({ dport: 9, ctmark: 0x101, ctstate: "untracked" }).kind).toBe("reject");
  });

  it("addrtype through the host view, with --limit-iface-in", () => {
    const rs = load([
      "iptables -t mangle -N P",
      "iptables -t mangle -A PREROUTING -j P",
      "iptables -t mangle -A P -m addrtype --dst-type LOCAL --limit-iface-in -j RETURN",
      "iptables -t mangle -A P -m addrtype --dst-type BROADCAST,MULTICAST -j RETURN",
      "iptables -t mangle -A P -j MARK --set-mark 1",
    ]);
    const c = chain(rs, "mangle", "PREROUTING");
    const m = (x: Partial<NfPacket>) => c.evaluate(pkt({ oifname: "", ...x }), host).packet.mark;
    expect(m({ iifname: "a1", daddr: a("10.1.0.1") })).toBe(0);
    expect(m({ iifname: "a2", daddr: a("10.1.0.1") })).toBe(1); // local only on a1
    expect(m({ iifname: "a2", daddr: a("224.0.0.251") })).toBe(0);
    expect(m({ iifname: "a2", daddr: a("8.8.8.8") })).toBe(1);
  });

  it("ipset hash:net through -m set", () => {
    const rs = load([
      "ipset create cn hash:net",
      "ipset add cn 1.0.1.0/24",
      "iptables -t mangle -A OUTPUT -m set ! --match-set cn dst -j MARK --set-mark 2",
    ]);
    const c = chain(rs, "mangle", "OUTPUT");
    expect(c.evaluate(pkt({ daddr: a("1.0.1.7") }), host).packet.mark).toBe(0);
    expect(c.evaluate(pkt({ daddr: a("1.0.2.7") }), host).packet.mark).toBe(2);
  });

  it("interface wildcards and inversions", () => {
    const rs = load([
      "iptables -A FORWARD -i wg+ ! -o eth0 -j ACCEPT",
      "iptables -A FORWARD -j DROP",
    ]);
    const c = chain(rs, "filter", "FORWARD");
    expect(c.evaluate(pkt({ iifname: "wg0", oifname: "eth1" }), host).verdict.kind).toBe("accept");
    expect(c.evaluate(pkt({ iifname: "wg0", oifname: "eth0" }), host).verdict.kind).toBe("drop");
    expect(c.evaluate(pkt({ iifname: "eth1", oifname: "eth2" }), host).verdict.kind).toBe("drop");
  });
});

describe("rpfilter, NOTRACK, NFQUEUE", () => {
  it("rpfilter routes the source back through the host's FIB", () => {
    const rs = load([
      "iptables -t raw -A PREROUTING -m rpfilter --invert -j DROP",
      "iptables -t raw -A PREROUTING -j NOTRACK",
    ]);
    const fibHost: NfHostView = {
      ...host,
      fibLookup: (q) =>
        q.daddr.family === 4 && q.daddr.v >>> 24 === 10
          ? "a1"
          : q.daddr.family === 4 && q.daddr.v >>> 24 === 172
            ? "a2"
            : undefined,
    };
    const c = chain(rs, "raw", "PREROUTING");
    expect(
      c.evaluate(pkt({ saddr: a("10.1.0.2"), iifname: "a1", oifname: "" }), fibHost).packet.ctstate,
    ).toBe("untracked");
    expect(
      c.evaluate(pkt({ saddr: a("172.16.0.2"), iifname: "a1", oifname: "" }), fibHost).verdict.kind,
    ).toBe("drop");
    expect(
      c.evaluate(pkt({ saddr: a("8.8.8.8"), iifname: "a1", oifname: "" }), fibHost).verdict.kind,
    ).toBe("drop");
    const loose = load(["iptables -t raw -A PREROUTING -m rpfilter --loose --invert -j DROP"]);
    expect(
      chain(loose, "raw", "PREROUTING").evaluate(
        pkt({ saddr: a("172.16.0.2"), iifname: "a1", oifname: "" }),
        fibHost,
      ).verdict.kind,
    ).toBe("accept");
  });
  it("NFQUEUE returns a queue verdict", () => {
    const rs = load(["iptables -A FORWARD -p udp -j NFQUEUE --queue-balance 4:7"]);
    expect(chain(rs, "filter", "FORWARD").evaluate(pkt({ iifname: "a1" }), host).verdict).toEqual({
      kind: "queue",
      num: 4,
    });
  });
});

describe("targets", () => {
  it("TPROXY applies its mark and returns the redirect", () => {
    const rs = load([
      "iptables -t mangle -A PREROUTING -p udp -j TPROXY --on-port 7893 --tproxy-mark 0x1/0x1",
    ]);
    const r = chain(rs, "mangle", "PREROUTING").evaluate(
      pkt({ iifname: "lo", oifname: "", mark: 0x100 }),
      host,
    );
    expect(r.verdict).toEqual({ kind: "tproxy", port: 7893 });
    expect(r.packet.mark).toBe(0x101);
    const rs2 = load([
      "ip6tables -t mangle -A PREROUTING -p tcp -j TPROXY --on-port 0 --on-ip ::1",
    ]);
    const r2 = chain(rs2, "mangle", "PREROUTING", "ip6").evaluate(
      pkt({
        family: 6,
        saddr: a("fd00::1"),
        daddr: a("fd00::2"),
        ipproto: 6,
        dport: 443,
        iifname: "a1",
        oifname: "",
      }),
      host,
    );
    expect(r2.verdict).toEqual({ kind: "tproxy", addr: a("::1"), port: 443 });
  });

  it("NAT verdicts and conntrack need", () => {
    const rs = load([
      "iptables -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80",
      "iptables -t nat -A OUTPUT -p udp --dport 53 -j REDIRECT --to-ports 1053",
      "iptables -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE",
      "iptables -t nat -A INPUT -j ACCEPT",
    ]);
    expect(
      chain(rs, "nat", "PREROUTING").evaluate(
        pkt({ ipproto: 6, dport: 8080, iifname: "a1", oifname: "" }),
        host,
      ).verdict,
    ).toEqual({ kind: "dnat", addr: a("172.17.0.2"), port: 80 });
    expect(chain(rs, "nat", "OUTPUT").evaluate(pkt(), host).verdict).toEqual({
      kind: "redirect",
      port: 1053,
    });
    expect(
      chain(rs, "nat", "POSTROUTING").evaluate(
        pkt({ saddr: a("172.17.0.5"), oifname: "eth0" }),
        host,
      ).verdict,
    ).toEqual({ kind: "masquerade" });
    const bases = iptablesBaseChains(rs);
    expect(
      bases.map((b) => `${b.table}/${b.chain}/${b.priority}/${b.type}/${b.needsConntrack}`),
    ).toEqual([
      "nat/PREROUTING/-100/nat/true",
      "nat/OUTPUT/-100/nat/true",
      "nat/INPUT/100/nat/false",
      "nat/POSTROUTING/100/nat/true",
    ]);
  });

  it("only chains iptables-nft created are hooked; security sits at 150", () => {
    const rs = load([
      "iptables -t security -P INPUT ACCEPT",
      "iptables -t raw -N x",
      "iptables -A OUTPUT -j ACCEPT",
    ]);
    expect(iptablesBaseChains(rs).map((b) => `${b.table} ${b.chain} ${b.priority}`)).toEqual([
      "filter OUTPUT 0",
      "security INPUT 150",
    ]);
  });
});

describe("issues", () => {
  it("point at the offending word with iptables' wording", () => {
    const rs = createIptablesRuleset();
    const argv = [
      "iptables",
      "-t",
      "mangle",
      "-A",
      "OUTPUT",
      "-j",
      "MARK",
      "--set-mark",
      "0x100000000",
    ];
    const issues = applyIptablesCommand(rs, argv, locsFor(argv, 7), 4);
    expect(issues).toEqual([
      {
        code: "iptables.bad-value",
        message:
          "iptables v1.8.9 (nf_tables): MARK: bad integer value for option " +
          '"--set-mark", or out of range.',
        loc: { file: "t.sh", line: 7, col: 49 },
        token: "0x100000000",
        expected: "a 32-bit value[/mask]",
      },
    ]);
    const i2 = applyIptablesCommand(
      rs,
      words("iptables -A INPUT -p tcp --dportt 80 -j ACCEPT"),
      locsFor(words("iptables -A INPUT -p tcp --dportt 80 -j ACCEPT")),
      4,
    );
    expect(i2[0]!.message).toBe('iptables v1.8.9 (nf_tables): unknown option "--dportt"');
    expect(i2[0]!.token).toBe("--dportt");
    const i3 = applyIptablesCommand(
      rs,
      words("iptables -A INPUT -m owner --uid-owner 0 -j ACCEPT"),
      locsFor(words("x")),
      4,
    );
    expect(i3[0]!.message).toBe(
      "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain INPUT",
    );
    expect(i3[0]!.expected).toBe("-m owner is only valid in OUTPUT, POSTROUTING");
    load(["iptables -t mangle -N tp", "iptables -t mangle -A tp -p tcp -j TPROXY --on-port 1"], rs);
    const i5 = applyIptablesCommand(
      rs,
      words("iptables -t mangle -A OUTPUT -j tp"),
      locsFor(words("x")),
      4,
    );
    expect(i5[0]!.expected).toBe(
      "-j TPROXY in chain tp is reached from OUTPUT but is only valid in PREROUTING",
    );
    const i4 = applyIptablesCommand(
      rs,
      words("iptables -A INPUT -m physdev --physdev-in eth0 -j ACCEPT"),
      locsFor(words("iptables -A INPUT -m physdev --physdev-in eth0 -j ACCEPT")),
      4,
    );
    expect(i4[0]!.code).toBe("iptables.unsupported");
    expect(i4[0]!.token).toBe("physdev");
  });

  it("a failed command leaves the ruleset unchanged (atomic)", () => {
    const rs = load(["iptables -N a", "iptables -N b", "iptables -A a -j b", "iptables -A b -j a"]);
    const before = iptablesSave(rs, 4);
    const r = runIptables(rs, words("iptables -A INPUT -j a"), locsFor(["x"]), 4);
    expect(r.status).toBe(4);
    expect(r.stderr).toBe(
      "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Too many links): rule in chain INPUT\n",
    );
    expect(iptablesSave(rs, 4)).toBe(before);
  });

  it("restore errors carry the line", () => {
    const rs = createIptablesRuleset();
    const r = runIptablesRestore(rs, "*filter\n-A INPUT -j ACCEPT\n-A INPUT --foo\nCOMMIT\n", 4, {
      noflush: true,
      loc: { file: "rules.v4", line: 10, col: 1 },
    });
    expect(r.status).toBe(2);
    expect(r.issues[0]!.loc).toEqual({ file: "rules.v4", line: 12, col: 10 });
    expect(r.issues[0]!.message).toBe(
      'iptables-restore v1.8.9 (nf_tables): unknown option "--foo"\nError occurred at line: 3',
    );
    expect(iptablesSave(rs, 4)).toBe("");
  });
});

describe("save / restore round trip", () => {
  const ruleArb = fc.record({
    chain: fc.constantFrom("PREROUTING", "OUTPUT", "POSTROUTING", "C1"),
    src: fc.option(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 32 })), {
      nil: undefined,
    }),
    neg: fc.boolean(),
    proto: fc.constantFrom("", "tcp", "udp"),
    port: fc.option(
      fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 })),
      { nil: undefined },
    ),
    mark: fc.option(
      fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })),
      { nil: undefined },
    ),
    target: fc.constantFrom(
      "-j ACCEPT",
      "-j RETURN",
      "-j C1",
      "-j MARK --set-mark 0x81",
      "-j CONNMARK --save-mark --mask 0xff",
      '-j LOG --log-prefix "x y"',
      "",
    ),
  });
  it("iptables-save output restores to itself", () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 12 }), (rules) => {
        const rs = load(["iptables -t mangle -N C1"]);
        for (const r of rules) {
          if (r.chain === "C1" && r.target === "-j C1") continue;
          const parts = ["iptables", "-t", "mangle", "-A", r.chain];
          if (r.src) parts.push(...(r.neg ? ["!"] : []), "-s", `10.${r.src[0]}.0.0/${r.src[1]}`);
          if (r.proto) parts.push("-p", r.proto);
          if (r.proto && r.port)
            parts.push("--dport", `${Math.min(...r.port)}:${Math.max(...r.port)}`);
          if (r.mark) parts.push("-m", "mark", "--mark", `${r.mark[0]}/${r.mark[1]}`);
          parts.push(...words(r.target));
          const argv = parts;
          runIptables(rs, argv, locsFor(argv), 4); // some combinations are rightly rejected
        }
        const text = iptablesSave(rs, 4);
        const rs2 = createIptablesRuleset();
        const rr = runIptablesRestore(rs2, text, 4);
        expect(rr.issues).toEqual([]);
        expect(iptablesSave(rs2, 4)).toBe(text);
      }),
      { numRuns: 100 },
    );
  });
});

describe("robustness", () => {
  const vocab = [
    "-A",
    "-I",
    "-D",
    "-R",
    "-N",
    "-X",
    "-F",
    "-Z",
    "-P",
    "-E",
    "-C",
    "-S",
    "-L",
    "-t",
    "nat",
    "mangle",
    "raw",
    "filter",
    "INPUT",
    "OUTPUT",
    "PREROUTING",
    "X",
    "1",
    "2",
    "-s",
    "-d",
    "!",
    "-p",
    "tcp",
    "udp",
    "icmp",
    "--dport",
    "--sport",
    "80",
    "1:2",
    "-m",
    "mark",
    "--mark",
    "0x1/0x1",
    "multiport",
    "--dports",
    "1,2",
    "conntrack",
    "--ctstate",
    "NEW",
    "owner",
    "--uid-owner",
    "0",
    "-j",
    "-g",
    "ACCEPT",
    "DROP",
    "MARK",
    "--set-mark",
    "CONNMARK",
    "--save-mark",
    "TPROXY",
    "--on-port",
    "--on-ip",
    "::1",
    "10.0.0.1/8",
    "fd00::/8",
    "DNAT",
    "--to-destination",
    "[fd00::1]:80",
    "1.2.3.4:5-6",
    "comment",
    "--comment",
    "",
    "-",
    "--",
    "--=",
    "-jACCEPT",
    "--dport=",
    "set",
    "--match-set",
    "s",
    "src",
    "LOG",
    "--log-prefix",
    "REJECT",
    "--reject-with",
    "-w",
    "-4",
    "-6",
    "-vnL",
    "--tcp-flags",
    "SYN",
    "ALL",
  ];
  it("never throws on arbitrary argv, always answers with a status", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...vocab), { maxLength: 14 }),
        fc.boolean(),
        (words, six) => {
          const rs = createIptablesRuleset();
          const argv = [six ? "ip6tables" : "iptables", ...words];
          const r = runIptables(rs, argv, locsFor(argv), six ? 6 : 4);
          expect(typeof r.status).toBe("number");
          if (r.status !== 0) expect(r.issues.length).toBe(1);
          iptablesSave(rs, six ? 6 : 4);
        },
      ),
      { numRuns: 3000 },
    );
  });
  it("never throws on arbitrary restore text", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom(
              "*filter",
              "*nat",
              "COMMIT",
              ":INPUT DROP [0:0]",
              ":U - [0:0]",
              "# c",
              "",
            ),
            fc.array(fc.constantFrom(...vocab), { maxLength: 8 }).map((w) => w.join(" ")),
          ),
          { maxLength: 10 },
        ),
        (lines) => {
          const rs = createIptablesRuleset();
          const r = runIptablesRestore(rs, lines.join("\n") + "\n", 4, { noflush: true });
          expect(typeof r.status).toBe("number");
          if (r.status !== 0) expect(r.issues.length).toBe(1);
        },
      ),
      { numRuns: 1500 },
    );
  });
});
