/**
 * reply-of: the replies of a flow are what the accepting socket sends back — from the
 * original's (local) destination to its source, ports swapped, mark 0 — routed by the output
 * lookup with a bound source, where `from` rules apply (ip_route_output_key_hash_rcu with
 * fl4->saddr set). Checked against the concrete engine's `ip route get DST from SRC`.
 */
import { describe, expect, it } from "vitest";
import { parseAssertion } from "../../src/analysis/assert.js";
import { evaluate } from "../../src/analysis/bdd/sat.js";
import { Analysis } from "../../src/analysis/classes.js";
import { encode, type HeaderPacket } from "../../src/analysis/header.js";
import { replySets } from "../../src/analysis/reply.js";
import { getAddr } from "../../src/addr/ip.js";
import { Host } from "../../src/index.js";
import { createHostState } from "../../src/model/host.js";
import { loadText } from "../../src/model/load.js";

const addr = (s: string) => {
  const a = getAddr(s);
  if (!a.ok) throw new Error(s);
  return a.value;
};

/** A clash-style host (uid 129 is the proxy): everything else goes to table 129, clash0. */
const CLASH = `ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip route add default via 192.168.1.1 dev eth0
ip tuntap add mode tun dev clash0
ip link set clash0 up
ip addr add 198.18.0.1/16 dev clash0
ip rule add not uidrange 129-129 lookup 129 pref 9000
ip route add default dev clash0 table 129
`;

/** The reply packet of a TCP flow to sshd on 192.168.1.10 from `peer`:`port`. */
const sshReply = (peer: string, port: number, over: Partial<HeaderPacket> = {}): HeaderPacket => ({
  family: 4,
  dst: addr(peer),
  src: addr("192.168.1.10"),
  iif: 1,
  oif: 0,
  fwmark: 0,
  uid: 0,
  ipproto: 6,
  sport: 22,
  dport: port,
  tos: 0,
  ctmark: 0,
  ctstate: 1,
  ...over,
});

function setOf(text: string, assertion: string) {
  const s = createHostState();
  loadText(s, text, "h.sh", {});
  const a = new Analysis(s);
  const as = parseAssertion(assertion);
  if (!as.ok) throw new Error(as.error.message);
  const r = replySets(a, as.value.packets, as.value.reply!);
  if (!r.ok) throw new Error(r.error.message);
  const pred = r.value.sets.find((x) => x.family === 4)!.pred;
  return (p: HeaderPacket) => evaluate(a.m, pred, encode(p));
}

describe("the reply set, built from the originals' selectors with fields swapped", () => {
  const has = setOf(
    CLASH,
    "never: reply-of: from 203.0.113.0/24 iif eth0 to 192.168.1.10 ipproto tcp " +
      "sport 40000-40010 dport 22 uid 0 -> dev clash0",
  );
  it("swaps addresses and ports, keeps the protocol and the socket's uid", () => {
    expect(has(sshReply("203.0.113.5", 40005))).toBe(true);
    expect(has(sshReply("203.0.113.5", 40011))).toBe(false);
    expect(has(sshReply("198.51.100.1", 40005))).toBe(false);
    expect(has(sshReply("203.0.113.5", 40005, { sport: 40005, dport: 22 }))).toBe(false);
    expect(has(sshReply("203.0.113.5", 40005, { ipproto: 17 }))).toBe(false);
    expect(has(sshReply("203.0.113.5", 40005, { uid: 1 }))).toBe(false);
  });
  it("is locally generated with mark 0 and tos 0 (no SO_MARK)", () => {
    expect(has(sshReply("203.0.113.5", 40005, { fwmark: 1 }))).toBe(false);
    expect(has(sshReply("203.0.113.5", 40005, { tos: 0x10 }))).toBe(false);
    expect(has(sshReply("203.0.113.5", 40005, { iif: 2 }))).toBe(false);
  });
  it("answers only from local addresses, never to martian sources", () => {
    const any = setOf(CLASH, "never: reply-of: iif eth0 -> dev clash0");
    expect(any(sshReply("1.2.3.4", 1))).toBe(true);
    expect(any(sshReply("1.2.3.4", 1, { src: addr("192.168.1.11") }))).toBe(false);
    // 198.18.0.1 (clash0's own address) is local too.
    expect(any(sshReply("1.2.3.4", 1, { src: addr("198.18.0.1") }))).toBe(true);
    for (const m of ["0.0.0.0", "224.0.0.1", "255.255.255.255", "127.0.0.1", "192.168.1.10"])
      expect(any(sshReply(m, 1)), m).toBe(false);
    expect(any(sshReply("1.2.3.4", 1, { src: addr("127.0.0.1") }))).toBe(false);
    // Without iif a loopback address is answered only to this host itself (lo).
    const all = setOf(CLASH, "never: reply-of: ipproto tcp -> dev clash0");
    expect(all(sshReply("192.168.1.10", 1, { src: addr("127.0.0.1") }))).toBe(true);
    expect(all(sshReply("1.2.3.4", 1, { src: addr("127.0.0.1") }))).toBe(false);
  });
});

function check(host: Host, a: string) {
  const r = host.check([a]);
  if (!r.ok) throw new Error(r.error.message);
  return r.value[0]!;
}

describe("reply-of on a TUN auto-route host (clash)", () => {
  // Peers on clash0's own subnet are routed there by main itself: not the question.
  const SSH =
    "never: reply-of: from 0.0.0.0/0 not from 198.18.0.0/16 iif eth0 to 192.168.1.10 " +
    "ipproto tcp dport 22 -> dev clash0";

  it("fails: sshd's replies take table 129 into the TUN", () => {
    const host = Host.load([{ name: "clash.sh", text: CLASH }]);
    const r = check(host, SSH);
    expect(r.holds).toBe(false);
    const ce = r.counterexample!;
    expect([ce.src, ce.ipproto, ce.sport, ce.fwmark]).toEqual([addr("192.168.1.10"), 6, 22, 0]);
    expect(r.original?.dst).toEqual(addr("192.168.1.10"));
    expect(r.original?.dport).toBe(22);
    expect(r.originalIif).toBe("eth0");
    expect(r.outcome).toMatchObject({ table: 129, rule: 9000, paths: [{ dev: 4 }] });
    // The engine, asked as `ip route get DST from 192.168.1.10 …`, agrees.
    const d = host.routeGet(ce.dst, { from: ce.src, ipproto: 6, sport: 22, dport: ce.dport });
    expect(d.ok && d.value.ok && [d.value.table, d.value.oif]).toEqual([129, 4]);
    expect(r.notes?.join(" ")).toContain("mark 0 (no SO_MARK");
  });

  it("holds once replies from the host's address look up main first", () => {
    const host = Host.load([
      { name: "clash.sh", text: `${CLASH}ip rule add from 192.168.1.10 lookup main\n` },
    ]);
    expect(check(host, SSH).holds).toBe(true);
    // The unbound traffic of other users still enters the TUN.
    expect(check(host, "always: -4 uid 1000 to 1.0.0.0/8 -> dev clash0").holds).toBe(true);
  });

  it("prints the reply, the original it answers and the reply's trace", () => {
    const host = Host.load([{ name: "clash.sh", text: CLASH }]);
    const r = host.ip(["check", SSH]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/counterexample: reply route get \S+ from 192\.168\.1\.10 /);
    expect(r.stdout).toMatch(/answering: from \S+ iif eth0 to 192\.168\.1\.10 ipproto 6 /);
    expect(r.stdout).toContain("# reply-of:");
    expect(r.stdout).toContain("trace:");
    expect(r.stdout).toContain("clash0");
    const files: Record<string, string> = { "c.yaml": `checks:\n  - '${SSH}'\n` };
    const h = Host.load([{ name: "clash.sh", text: CLASH }], { readFile: (p) => files[p] });
    expect(h.ip(["check", "--file", "c.yaml"]).status).toBe(1);
    const j = JSON.parse(host.ip(["-j", "check", SSH]).stdout)[0];
    expect(j.original).toContain("192.168.1.10");
    expect(j.counterexample).toContain("from");
  });

  it("refuses what a reply does not have, and originals that are forwarded", () => {
    const host = Host.load([{ name: "clash.sh", text: CLASH }]);
    const bad = (a: string) => {
      const r = host.check([a]);
      return r.ok ? "ok" : r.error.code;
    };
    expect(bad("never: reply-of: mark 1 -> dev clash0")).toBe("analysis.unsupported");
    expect(bad("never: reply-of: tos 0x10 -> dev clash0")).toBe("analysis.unsupported");
    expect(bad("never: reply-of: oif eth0 -> dev clash0")).toBe("analysis.unsupported");
    expect(bad("never: reply-of: iif nosuch0 -> dev clash0")).toBe("analysis.unknown");
    expect(bad("never: reply-of: not iif eth0 -> dev clash0")).toBe("analysis.syntax");
    const fwd = host.check(["never: reply-of: to 10.0.0.0/8 -> dev clash0"]);
    expect(!fwd.ok && fwd.error.message).toContain("not delivered locally");
    // Partly local: only the local addresses are asked, and the answer says so.
    const part = check(host, "never: reply-of: to 192.168.1.0/24 iif eth0 -> dev eth0");
    expect(part.notes?.join(" ")).toContain("forwarded");
  });
});

/** LARTC split access: two uplinks, replies from each uplink's address go back through it. */
const ISP = `ip link set lo up
ip link add wan1 type veth peer name wan1-peer
ip link add wan2 type veth peer name wan2-peer
ip link set wan1-peer up
ip link set wan2-peer up
ip link set wan1 up
ip link set wan2 up
ip addr add 100.64.10.2/30 dev wan1
ip addr add 203.0.113.34/29 dev wan2
ip route add default via 100.64.10.1 dev wan1
ip route add 203.0.113.32/29 dev wan2 src 203.0.113.34 table 3
ip route add default via 203.0.113.33 table 3
`;

describe("reply-of on a multi-ISP host", () => {
  const A =
    "always: reply-of: from 198.51.100.0/24 iif wan2 to 203.0.113.34 ipproto tcp dport 443 " +
    "-> dev wan2 and via 203.0.113.33";

  it("fails without a source rule: replies to ISP2's connections leave by ISP1", () => {
    const r = check(Host.load([{ name: "isp.sh", text: ISP }]), A);
    expect(r.holds).toBe(false);
    expect(r.counterexample?.src).toEqual(addr("203.0.113.34"));
    expect(r.outcome).toMatchObject({ table: 254, paths: [{ gateway: addr("100.64.10.1") }] });
  });

  it("holds with `ip rule add from ISP2's address table 3`", () => {
    const host = Host.load([
      { name: "isp.sh", text: `${ISP}ip rule add from 203.0.113.34 table 3 pref 101\n` },
    ]);
    expect(check(host, A).holds).toBe(true);
    expect(check(host, A.replace("always", "never")).holds).toBe(false);
    // ISP1's replies are untouched.
    const one = "always: reply-of: iif wan1 to 100.64.10.2 from 198.51.100.0/24 -> dev wan1";
    expect(check(host, one).holds).toBe(true);
  });
});

describe("reply-of and net.ipv4.tcp_fwmark_accept", () => {
  it("refuses TCP replies when accepted sockets take the original's mark", () => {
    const host = Host.load([
      { name: "clash.sh", text: `${CLASH}sysctl -w net.ipv4.tcp_fwmark_accept=1\n` },
    ]);
    const r = host.check(["never: reply-of: ipproto tcp dport 22 -> dev clash0"]);
    expect(!r.ok && r.error.message).toContain("tcp_fwmark_accept");
    expect(host.check(["never: reply-of: ipproto udp -> dev lo"]).ok).toBe(true);
  });
});

describe("lint --ssh-peer asks the login's replies with their bound source", () => {
  const ids = (text: string) => {
    const r = Host.load([{ name: "h.sh", text }]).lint("--ssh-peer 203.0.113.5");
    if (!r.ok) throw new Error(r.error.message);
    return r.value.filter((f) => f.id.startsWith("ssh-reply"));
  };
  it("finds sshd's replies in the TUN, as `ip route get … from` the login's address", () => {
    const [f] = ids(CLASH);
    expect(f?.id).toBe("ssh-reply-moved");
    expect(f?.packets?.representative.slice(0, 3)).toEqual(["203.0.113.5", "from", "192.168.1.10"]);
    expect(f?.packets?.outcome).toContain("clash0");
  });
  it("is silent once a `from` rule keeps them on main", () => {
    expect(ids(`${CLASH}ip rule add from 192.168.1.10 lookup main\n`)).toEqual([]);
  });
});
