/**
 * Cases from the kernel reference (../shared/reference/kernel-semantics.md §7, each
 * verified in a namespace on 6.18 / iproute2 6.1): the expected text is what the kernel
 * printed there, byte for byte. The live differential suite (test/kernel) re-checks the
 * same behaviours against the running kernel.
 */
import { describe, expect, it } from "vitest";
import { createHostState } from "../../src/model/host.js";
import { loadText } from "../../src/model/load.js";
import { runBatch } from "../../src/interfaces/commands.js";

/** The §0 bed, with the peers kept in the same host (up, no address) so links have carrier. */
const BED = `
ip link set lo up
ip link add a1 type veth peer name b1
ip link add a2 type veth peer name c1
for d in b1 c1 a1 a2; do ip link set $d up; done
ip addr add 10.1.0.1/24 dev a1
ip addr add 10.2.0.1/24 dev a2
ip -6 addr add fd01::1/64 dev a1 nodad
ip -6 addr add fd02::1/64 dev a2 nodad
sysctl -w net.ipv4.ip_forward=1
ip route add default via 10.1.0.2
ip route add default via 10.2.0.2 table 200
`;

function run(setup: string, probes: string, json = false): { out: string; err: string } {
  const s = createHostState();
  const issues = loadText(s, BED + setup, "case.sh");
  const errors = issues.filter((i) => i.severity === "error");
  expect(errors).toEqual([]);
  const r = runBatch(s, { force: true, json }, probes, "probes");
  return { out: r.stdout, err: r.stderr };
}
const line = (s: string) => s + " \n    cache \n";

describe("kernel cases (reference §7)", () => {
  it("E1: fwmark 0 has no mask and matches every mark", () => {
    const r = run(
      "ip rule add pref 10 fwmark 0 lookup 200\n",
      "rule show\nroute get 10.99.0.1 mark 1\n",
    );
    expect(r.out).toContain("10:\tfrom all lookup 200\n");
    expect(r.out).toContain(
      line("10.99.0.1 via 10.2.0.2 dev a2 table 200 src 10.2.0.1 mark 1 uid 0"),
    );
  });
  it("E2: fwmark 0/0xffffffff matches only unmarked packets", () => {
    const r = run(
      "ip rule add pref 10 fwmark 0/0xffffffff lookup 200\n",
      "rule show\nroute get 8.8.8.8\nroute get 8.8.8.8 mark 1\n",
    );
    expect(r.out).toContain("10:\tfrom all fwmark 0 lookup 200\n");
    expect(r.out).toContain(line("8.8.8.8 via 10.2.0.2 dev a2 table 200 src 10.2.0.1 uid 0"));
    expect(r.out).toContain(line("8.8.8.8 via 10.1.0.2 dev a1 src 10.1.0.1 mark 1 uid 0"));
  });
  it("E9: an oif turns a prohibit into an on-link route", () => {
    const r = run(
      "ip rule add pref 82 to 10.1.0.77 prohibit\n",
      "route get 10.1.0.77\nroute get 10.1.0.77 oif a1\n",
    );
    expect(r.err).toBe("RTNETLINK answers: Permission denied\nCommand failed probes:1\n");
    expect(r.out).toBe(line("10.1.0.77 dev a1 src 10.1.0.1 uid 0"));
  });
  it("E11: input lookups use uid 0 whatever the uid argument", () => {
    const r = run(
      "ip rule add pref 10 uidrange 0-0 lookup 200\n",
      "route get 8.8.8.8 from 10.1.0.2 iif a1\n",
    );
    expect(r.out).toBe("8.8.8.8 from 10.1.0.2 via 10.2.0.2 dev a2 table 200 \n    cache iif a1 \n");
  });
  it("E14: route get is UDP by default", () => {
    const r = run(
      "ip rule add pref 10 ipproto udp lookup 200\n",
      "route get 8.8.8.8\nroute get 8.8.8.8 ipproto tcp\n",
    );
    expect(r.out).toBe(
      line("8.8.8.8 via 10.2.0.2 dev a2 table 200 src 10.2.0.1 uid 0") +
        line("8.8.8.8 via 10.1.0.2 dev a1 src 10.1.0.1 uid 0"),
    );
  });
  it("E16/E18: port 65535 and bad tos values are refused with the kernel's words", () => {
    const r = run(
      "",
      "rule add dport 65535 lookup 117\nrule add pref 11 tos 0x12 lookup 200\n" +
        "rule add pref 12 tos 0x20 lookup 200\n",
    );
    expect(r.err).toBe(
      "Error: Invalid dport range.\nCommand failed probes:1\n" +
        "Error: Invalid dsfield (tos): ECN bits must be 0.\nCommand failed probes:2\n" +
        "Error: Invalid tos.\nCommand failed probes:3\n",
    );
  });
  it("E21: error routes defeat suppress_prefixlength (the wg-quick trap)", () => {
    const wg =
      "ip route add default dev a2 table 51820\n" +
      "ip rule add not fwmark 51820 table 51820 pref 32764\n" +
      "ip rule add table main suppress_prefixlength 0 pref 32763\n";
    const r = run(wg, "route get 8.8.8.8\nroute get 8.8.8.8 mark 51820\n");
    expect(r.out).toBe(
      line("8.8.8.8 dev a2 table 51820 src 10.2.0.1 uid 0") +
        line("8.8.8.8 via 10.1.0.2 dev a1 src 10.1.0.1 mark 0xca6c uid 0"),
    );
    const t = run(wg + "ip route replace unreachable default\n", "route get 8.8.8.8\n");
    expect(t.err).toBe("RTNETLINK answers: No route to host\nCommand failed probes:1\n");
  });
  it("E22: suppress_prefixlength rejects prefixes up to and including N", () => {
    const wg = (n: number) =>
      "ip route add default dev a2 table 51820\n" +
      "ip rule add not fwmark 51820 table 51820 pref 32764\n" +
      `ip rule add table main suppress_prefixlength ${n} pref 32763\n`;
    expect(run(wg(23), "route get 10.1.0.2\n").out).toBe(
      line("10.1.0.2 dev a1 src 10.1.0.1 uid 0"),
    );
    expect(run(wg(24), "route get 10.1.0.2\n").out).toBe(
      line("10.1.0.2 dev a2 table 51820 src 10.2.0.1 uid 0"),
    );
  });
  it("E28: goto jumps, an unresolved goto is skipped, a non-matching target goes on after", () => {
    const base =
      "ip route add default via 10.2.0.2 table 300\nip rule add pref 10 goto 100\n" +
      "ip rule add pref 50 lookup 200\nip rule add pref 100 lookup 300\n";
    expect(run(base, "route get 8.8.8.8\n").out).toBe(
      line("8.8.8.8 via 10.2.0.2 dev a2 table 300 src 10.2.0.1 uid 0"),
    );
    const r = run(base + "ip rule del pref 100\n", "rule show\nroute get 8.8.8.8\n");
    expect(r.out).toContain("10:\tfrom all goto 100 [unresolved]\n");
    expect(r.out).toContain(line("8.8.8.8 via 10.2.0.2 dev a2 table 200 src 10.2.0.1 uid 0"));
    const t = run(
      base + "ip rule del pref 100\nip rule add pref 100 from 1.1.1.1 lookup 300\n",
      "route get 8.8.8.8\n",
    );
    expect(t.out).toBe(line("8.8.8.8 via 10.1.0.2 dev a1 src 10.1.0.1 uid 0"));
    expect(run("", "rule add pref 20 goto 15\n").err).toBe(
      "Error: Backward goto not supported.\nCommand failed probes:1\n",
    );
  });
  it("E29: automatic prefs count down from the second rule", () => {
    const r = run(
      "ip rule add from 10.9.0.0/16 lookup 100\nip rule add from 10.9.0.0/16 lookup 100\n",
      "rule show\n",
    );
    expect(r.out).toBe(
      "0:\tfrom all lookup local\n32764:\tfrom 10.9.0.0/16 lookup 100\n" +
        "32765:\tfrom 10.9.0.0/16 lookup 100\n32766:\tfrom all lookup main\n" +
        "32767:\tfrom all lookup default\n",
    );
  });
  it("E31: EEXIST is asymmetric", () => {
    const r = run(
      "ip rule add pref 200 from 1.1.1.1 lookup 300\n",
      "rule add pref 200 lookup 300\n",
    );
    expect(r.err).toBe("RTNETLINK answers: File exists\nCommand failed probes:1\n");
    expect(
      run("ip rule add pref 100 lookup 300\n", "rule add pref 100 from 1.1.1.1 lookup 300\n").err,
    ).toBe("");
  });
  it("E46: strict rp_filter drops a source routed elsewhere, loose passes it", () => {
    expect(
      run("sysctl -w net.ipv4.conf.all.rp_filter=1\n", "route get 10.2.0.2 from 10.2.0.5 iif a1\n")
        .err,
    ).toBe("RTNETLINK answers: Invalid argument\nCommand failed probes:1\n");
    expect(
      run(
        "sysctl -w net.ipv4.conf.all.rp_filter=2\nsysctl -w net.ipv4.conf.a1.rp_filter=1\n",
        "route get 10.2.0.2 from 10.2.0.5 iif a1\n",
      ).out,
    ).toBe("10.2.0.2 from 10.2.0.5 dev a2 \n    cache iif a1 \n");
  });
  it("E49: forwarding off gives No route to host, local delivery still works", () => {
    const r = run(
      "sysctl -w net.ipv4.ip_forward=0\n",
      "route get 10.2.0.2 from 8.8.8.8 iif a1\nroute get 10.1.0.1 from 8.8.8.8 iif a1\n",
    );
    expect(r.err).toBe("RTNETLINK answers: No route to host\nCommand failed probes:1\n");
    // Until an IPv4 rule is added or deleted, local and main are one table (reported as main).
    expect(r.out).toBe("local 10.1.0.1 from 8.8.8.8 dev lo \n    cache <local> iif a1 \n");
    const t = run(
      "sysctl -w net.ipv4.ip_forward=0\nip rule add pref 5 lookup 300\n",
      "route get 10.1.0.1 from 8.8.8.8 iif a1\n",
    );
    expect(t.out).toBe(
      "local 10.1.0.1 from 8.8.8.8 dev lo table local \n    cache <local> iif a1 \n",
    );
  });
  it("E66: src_valid_mark lets the reverse-path check use the mark", () => {
    const base =
      "ip route replace default via 10.2.0.2\nip route add default via 10.1.0.2 table 100\n" +
      "ip rule add pref 100 fwmark 1 lookup 100\nsysctl -w net.ipv4.conf.all.rp_filter=1\n";
    expect(run(base, "route get 10.2.0.2 from 8.8.8.8 iif a1 mark 1\n").err).toBe(
      "RTNETLINK answers: Invalid argument\nCommand failed probes:1\n",
    );
    expect(
      run(
        base + "sysctl -w net.ipv4.conf.a1.src_valid_mark=1\n",
        "route get 10.2.0.2 from 8.8.8.8 iif a1 mark 1\n",
      ).out,
    ).toBe("10.2.0.2 from 8.8.8.8 via 10.1.0.2 dev a1 table 100 mark 1 \n    cache iif a1 \n");
  });
  it("E70: output source checks", () => {
    const r = run(
      "",
      "route get 10.1.0.2 from 10.9.9.9\nroute get 10.1.0.2 from 127.0.0.1\nroute get 0.0.0.0\n",
    );
    expect(r.err).toBe(
      "RTNETLINK answers: Network is unreachable\nCommand failed probes:1\n" +
        "RTNETLINK answers: Invalid argument\nCommand failed probes:2\n",
    );
    expect(r.out).toBe("local 0.0.0.0 dev lo src 127.0.0.1 uid 0 \n    cache <local> \n");
  });
  it("E71: IPv6 error routes", () => {
    const r = run(
      "ip -6 route add blackhole fd66::/64\nip -6 route add unreachable fd66:1::/64\n" +
        "ip -6 route add prohibit fd66:2::/64\n",
      "route get fd66::1\nroute get fd66:1::1\nroute get fd66:2::1\n",
    );
    expect(r.err).toBe(
      "RTNETLINK answers: Invalid argument\nCommand failed probes:1\n" +
        "RTNETLINK answers: No route to host\nCommand failed probes:2\n" +
        "RTNETLINK answers: Permission denied\nCommand failed probes:3\n",
    );
  });
});
