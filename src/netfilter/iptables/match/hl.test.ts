/**
 * ip6tables `-m hl` and `-j HL` as iptables 1.8.9 takes and saves them and the kernel's
 * hl_mt6 / hl_tg6 evaluate them; wording and save text checked against the real ip6tables.
 */
import { describe, expect, it } from "vitest";
import { parseAddr, type Addr } from "../../../addr/ip.js";
import type { NfHostView, NfPacket } from "../../types.js";
import {
  applyIptablesCommand,
  createIptablesRuleset,
  iptablesBaseChains,
  iptablesSave,
  type IptablesRuleset,
} from "../index.js";
import { hopLimit } from "./hl.js";

const A = (s: string): Addr => {
  const r = parseAddr(s);
  if (!r.ok) throw new Error(s);
  return r.value;
};
const host: NfHostView = { addrType: () => "unicast", linkExists: () => true };

function run(rs: IptablesRuleset, line: string) {
  const argv = line.split(" ");
  return applyIptablesCommand(rs, argv, [], argv[0] === "ip6tables" ? 6 : 4);
}
function load(lines: string[]): IptablesRuleset {
  const rs = createIptablesRuleset();
  for (const l of lines) expect(run(rs, l), l).toEqual([]);
  return rs;
}
function pkt(p: Partial<NfPacket> = {}): NfPacket {
  return {
    family: 6,
    saddr: A("fe80::1"),
    daddr: A("ff02::1"),
    ipproto: 58,
    sport: 0,
    dport: 0,
    mark: 0,
    tos: 0,
    iifname: "eth0",
    oifname: "",
    ctstate: "new",
    ctmark: 0,
    ctdir: "original",
    ...p,
  };
}
function verdict(rs: IptablesRuleset, table: string, name: string, p: NfPacket) {
  const c = iptablesBaseChains(rs).find((b) => b.table === table && b.chain === name)!;
  return c.evaluate(p, host);
}

describe("ip6tables -m hl", () => {
  it("saves each mode as ip6tables-save does (`--hl` is `--hl-eq`)", () => {
    const rs = load([
      "ip6tables -A INPUT -m hl --hl-eq 255 -j ACCEPT",
      "ip6tables -A INPUT -m hl ! --hl-eq 1",
      "ip6tables -A INPUT -m hl --hl-lt 5",
      "ip6tables -A INPUT -m hl --hl-gt 5",
      "ip6tables -A INPUT -m hl --hl 7",
    ]);
    expect(iptablesSave(rs, 6, { table: "filter" })).toContain(
      "-A INPUT -m hl --hl-eq 255 -j ACCEPT\n-A INPUT -m hl ! --hl-eq 1\n" +
        "-A INPUT -m hl --hl-lt 5\n-A INPUT -m hl --hl-gt 5\n-A INPUT -m hl --hl-eq 7\n",
    );
  });

  it("refuses what ip6tables refuses, with its words", () => {
    const rs = createIptablesRuleset();
    const msg = (l: string) =>
      run(rs, l)[0]?.message.replace(/^ip6?tables v1\.8\.9 \(nf_tables\): /, "");
    expect(msg("ip6tables -A INPUT -m hl")).toBe(
      "HL match: You must specify one of `--hl-eq', `--hl-lt', `--hl-gt'",
    );
    expect(msg("ip6tables -A INPUT -m hl ! --hl-lt 5")).toBe(
      'hl: option "--hl-lt" cannot be inverted.',
    );
    expect(msg("ip6tables -A INPUT -m hl --hl-eq 1 --hl-lt 3")).toBe(
      'hl: option "--hl-lt" cannot be used together with "--hl-eq".',
    );
    expect(msg("ip6tables -A INPUT -m hl --hl-eq 256")).toBe(
      'hl: bad value for option "--hl-eq", or out of range (0-255).',
    );
    expect(msg("iptables -A INPUT -m hl --hl-eq 1")).toMatch(/^Couldn't load match `hl'/);
  });

  it("neighbour discovery carries hop limit 255, other local packets 64", () => {
    expect(hopLimit(pkt({ icmpType: 135 }))).toBe(255);
    expect(hopLimit(pkt({ icmpType: 128 }))).toBe(64);
    expect(hopLimit(pkt({ ipproto: 17 }))).toBe(64);
    expect(hopLimit(pkt({ icmpType: 135, hoplimit: 3 }))).toBe(3);
  });

  it("matches on the packet's hop limit (ufw's ND rules accept only 255)", () => {
    const rs = load([
      "ip6tables -P INPUT DROP",
      "ip6tables -A INPUT -p icmpv6 --icmpv6-type neighbor-solicitation " +
        "-m hl --hl-eq 255 -j ACCEPT",
      "ip6tables -A INPUT -m hl --hl-lt 2 -j ACCEPT",
    ]);
    expect(verdict(rs, "filter", "INPUT", pkt({ icmpType: 135 })).verdict.kind).toBe("accept");
    const relayed = pkt({ icmpType: 135, hoplimit: 254 });
    expect(verdict(rs, "filter", "INPUT", relayed).verdict.kind).toBe("drop");
    expect(verdict(rs, "filter", "INPUT", pkt({ hoplimit: 1 })).verdict.kind).toBe("accept");
  });
});

describe("ip6tables -j HL", () => {
  it("saves, and is refused outside the mangle table", () => {
    const rs = load([
      "ip6tables -t mangle -A PREROUTING -j HL --hl-set 64",
      "ip6tables -t mangle -A PREROUTING -j HL --hl-dec 1",
      "ip6tables -t mangle -A PREROUTING -j HL --hl-inc 2",
    ]);
    expect(iptablesSave(rs, 6, { table: "mangle" })).toContain(
      "-A PREROUTING -j HL --hl-set 64\n-A PREROUTING -j HL --hl-dec 1\n" +
        "-A PREROUTING -j HL --hl-inc 2\n",
    );
    expect(run(rs, "ip6tables -A INPUT -j HL --hl-set 3")[0]?.message).toMatch(
      /RULE_APPEND failed \(Invalid argument\)/,
    );
    expect(run(rs, "ip6tables -t mangle -A INPUT -j HL --hl-dec 0")[0]?.message).toMatch(
      /HL: bad value for option "--hl-dec", or out of range \(1-255\)\.$/,
    );
  });

  it("sets, increments (at most 255) and decrements (at least 0) the hop limit", () => {
    const rs = load([
      "ip6tables -t mangle -A PREROUTING -j HL --hl-dec 70",
      "ip6tables -t mangle -A PREROUTING -m hl --hl-eq 0 -j MARK --set-mark 1",
      "ip6tables -t mangle -A PREROUTING -j HL --hl-inc 250",
      "ip6tables -t mangle -A PREROUTING -m hl --hl-eq 250 -j MARK --set-mark 2",
    ]);
    const out = verdict(rs, "mangle", "PREROUTING", pkt({ ipproto: 17 })).packet;
    expect(out.mark).toBe(2);
    expect(out.hoplimit).toBe(250);
  });
});
