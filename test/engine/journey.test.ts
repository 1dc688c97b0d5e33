/**
 * The packet journey against cases the reference verified with real packets in a
 * namespace (kernel-semantics.md E12, E52, E53, E55, E59, E60, E64) and the issue's
 * clash example. The live real-packet suite (test/kernel/journey*) re-checks them.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { createHostState } from "../../src/model/host.js";
import { loadText } from "../../src/model/load.js";
import { buildNetfilter } from "../../src/model/netfilter.js";
import { journey, type JourneyResult } from "../../src/engine/journey.js";
import { parseTrace } from "../../src/interfaces/trace.js";
import type { HostState } from "../../src/model/types.js";

const BED = `
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in b1 c1 a1 a2; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
sysctl -w net.ipv4.ip_forward=1
ip route add default via 10.1.0.2
ip route add default via 10.2.0.2 table 100
`;

function host(script: string): HostState {
  const s = createHostState();
  const issues = loadText(s, script, "case.sh").filter((i) => i.severity === "error");
  expect(issues).toEqual([]);
  return s;
}

function trace(s: HostState, args: string): JourneyResult {
  const nf = buildNetfilter(s);
  expect(nf.issues).toEqual([]);
  const end = { file: "<t>", line: 1, col: 1 };
  const q = parseTrace(
    args.split(" ").map((text) => ({ text, loc: end })),
    end,
  );
  if ("exit" in q) throw new Error(q.message);
  return journey(s, nf.chains, q);
}

describe("journey: output path re-routing", () => {
  it("E52: a mangle mark re-routes and the packet keeps its first source", () => {
    const s = host(
      BED +
        "ip rule add pref 100 fwmark 1 lookup 100\n" +
        "iptables -t mangle -A OUTPUT -p udp --dport 9999 -j MARK --set-mark 1\n",
    );
    const r = trace(s, "10.99.0.1 ipproto udp dport 9999");
    expect(r.final).toMatchObject({
      verdict: "sent",
      oif: "a2",
      saddr: "10.1.0.1",
      daddr: "10.99.0.1",
      mark: 1,
    });
  });
  it("E53: a mark set in the filter table does not re-route", () => {
    const s = host(
      BED +
        "ip rule add pref 100 fwmark 1 lookup 100\n" +
        "iptables -t filter -A OUTPUT -p udp --dport 9999 -j MARK --set-mark 1\n",
    );
    expect(trace(s, "10.99.0.1 ipproto udp dport 9999").final).toMatchObject({
      verdict: "sent",
      oif: "a1",
      mark: 1,
    });
  });
  it("E53: an nft route chain re-routes, an nft filter chain does not", () => {
    const route = host(
      BED +
        "ip rule add pref 100 fwmark 1 lookup 100\nnft add table ip t\n" +
        "nft add chain ip t o '{ type route hook output priority -150; }'\n" +
        "nft add rule ip t o meta mark set 1\n",
    );
    expect(trace(route, "10.99.0.1 ipproto udp dport 9999").final).toMatchObject({
      oif: "a2",
      saddr: "10.1.0.1",
    });
    const filter = host(
      BED +
        "ip rule add pref 100 fwmark 1 lookup 100\nnft add table ip t\n" +
        "nft add chain ip t o '{ type filter hook output priority -150; }'\n" +
        "nft add rule ip t o meta mark set 1\n",
    );
    expect(trace(filter, "10.99.0.1 ipproto udp dport 9999").final).toMatchObject({ oif: "a1" });
  });
  it("E12: after a re-route uid rules no longer match (IPv4 re-routes with uid 0)", () => {
    const s = host(BED + "ip rule add pref 50 uidrange 1000-1000 lookup 100\n");
    expect(trace(s, "10.99.0.1 uid 1000 ipproto udp dport 9999").final).toMatchObject({
      oif: "a2",
      saddr: "10.2.0.1",
    });
    const t = host(
      BED +
        "ip rule add pref 50 uidrange 1000-1000 lookup 100\n" +
        "iptables -t mangle -A OUTPUT -p udp --dport 9999 -j MARK --set-mark 0x5\n",
    );
    expect(trace(t, "10.99.0.1 uid 1000 ipproto udp dport 9999").final).toMatchObject({
      oif: "a1",
      saddr: "10.2.0.1",
      mark: 5,
    });
  });
  it("E64: goto and RETURN give mark 0x101", () => {
    const s = host(
      BED +
        [
          "iptables -t mangle -N A",
          "iptables -t mangle -N B",
          "iptables -t mangle -A OUTPUT -p udp --dport 9999 -j A",
          "iptables -t mangle -A OUTPUT -p udp --dport 9999 -j MARK --or-mark 0x100",
          "iptables -t mangle -A A -g B",
          "iptables -t mangle -A A -j MARK --or-mark 0x10",
          "iptables -t mangle -A B -j MARK --or-mark 0x1",
          "iptables -t mangle -A B -j RETURN",
          "iptables -t mangle -A B -j MARK --or-mark 0x2",
        ].join("\n") +
        "\n",
    );
    expect(trace(s, "10.99.0.1 ipproto udp dport 9999").final.mark).toBe(0x101);
  });
  it("E59: accept in an earlier nft base chain does not stop the mangle chain", () => {
    const s = host(
      BED +
        "nft add table ip early\n" +
        "nft add chain ip early out '{ type filter hook output priority -300; }'\n" +
        "nft add rule ip early out udp dport 9999 accept\n" +
        "iptables -t mangle -A OUTPUT -p udp --dport 9999 -j MARK --set-mark 0x42\n",
    );
    expect(trace(s, "10.99.0.1 ipproto udp dport 9999").final.mark).toBe(0x42);
  });
  it("E60: a marked local packet re-routed to a local route loops through lo into TPROXY", () => {
    const s = host(
      BED +
        "ip rule add pref 200 fwmark 0x1/0x1 lookup 101\n" +
        "ip route add local default dev lo table 101\n" +
        "iptables -t mangle -A OUTPUT -p udp --dport 9999 -j MARK --set-mark 1\n" +
        "iptables -t mangle -A PREROUTING -i lo -p udp --dport 9999 -m mark --mark 1 -j TPROXY " +
        "--on-port 12345 --on-ip 127.0.0.1\n",
    );
    const r = trace(s, "10.99.0.1 ipproto udp dport 9999");
    expect(r.final.verdict).toBe("delivered");
    expect(
      r.trace.some(
        (t) => t.kind === "hook" && t.hook === "prerouting" && t.iif === "lo" && t.mark === 1,
      ),
    ).toBe(true);
  });
});

describe("journey: the issue's clash example", () => {
  const script = readFileSync(
    new URL("../../examples/clash-uid-standalone.sh", import.meta.url),
    "utf8",
  );
  it("marks 0x81 in mangle OUTPUT, re-routes to clash0 and leaves with the eth0 source", () => {
    const s = host(script);
    const r = trace(s, "1.1.1.1 uid 1000 ipproto udp dport 443");
    expect(r.final).toMatchObject({
      verdict: "sent",
      oif: "clash0",
      saddr: "192.168.31.194",
      daddr: "1.1.1.1",
      mark: 0x81,
    });
    expect(
      r.trace.some(
        (t) =>
          t.kind === "rule" && t.table === "mangle" && t.hook === "output" && t.markAfter === 0x81,
      ),
    ).toBe(true);
    expect(r.trace.some((t) => t.kind === "route" && t.stage === "reroute")).toBe(true);
  });
  it("the proxy's own traffic (uid 129) is not marked and leaves by eth0", () => {
    const s = host(script);
    expect(trace(s, "1.1.1.1 uid 129 ipproto tcp dport 443").final).toMatchObject({
      verdict: "sent",
      oif: "eth0",
      mark: 0,
    });
  });
  it("the reply comes back on clash0 and loose rp_filter lets it in; strict drops it", () => {
    const s = host(script);
    expect(trace(s, "1.1.1.1 uid 1000 ipproto udp dport 443 reply").final).toMatchObject({
      verdict: "delivered",
      saddr: "1.1.1.1",
      daddr: "192.168.31.194",
    });
    const strict = host(script + "sysctl -w net.ipv4.conf.clash0.rp_filter=1\n");
    const r = trace(strict, "1.1.1.1 uid 1000 ipproto udp dport 443 reply");
    expect(r.final.verdict).toBe("dropped");
    expect(r.final.reason).toMatch(/rp_filter/);
  });
});
