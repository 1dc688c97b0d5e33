/**
 * NAT statements whose address or port is a map lookup (parser_bison.y `nat_stmt_args`):
 * parsed with or without `to`, listed as `nft list ruleset` prints them (checked against nft
 * 1.0.6 with nftables' own examples/nat.nft), and evaluated as nft_lookup + nft_nat do.
 */
import { describe, expect, it } from "vitest";
import { parseAddr, type Addr } from "../../addr/ip.js";
import type { NfHostView, NfPacket } from "../types.js";
import {
  createNftRuleset,
  loadNftJson,
  loadNftText,
  nftBaseChains,
  nftListRuleset,
} from "./index.js";

const A = (s: string): Addr => {
  const r = parseAddr(s);
  if (!r.ok) throw new Error(s);
  return r.value;
};
const host: NfHostView = { addrType: () => "unicast", linkExists: () => true };
const pkt = (p: Partial<NfPacket>): NfPacket => ({
  family: 4,
  saddr: A("192.168.2.2"),
  daddr: A("10.0.0.1"),
  ipproto: 6,
  sport: 40000,
  dport: 2000,
  mark: 0,
  tos: 0,
  iifname: "eth0",
  oifname: "",
  ctstate: "new",
  ctmark: 0,
  ctdir: "original",
  ...p,
});

const NAT = `table ip nat {
	chain prerouting {
		type nat hook prerouting priority 0;
		dnat tcp dport map { 1000 : 1.1.1.1, 2000 : 2.2.2.2, 3000 : 3.3.3.3} \\
				: tcp dport map { 1000 : 1234, 2000 : 2345, 3000 : 3456 }
	}
	chain postrouting {
		type nat hook postrouting priority 0;
		snat ip saddr map { 192.168.1.1 : 1.1.1.1, 192.168.2.2 : 2.2.2.2, 192.168.3.3 : 3.3.3.3 }
	}
}
`;
const LISTED =
  "table ip nat {\n\tchain prerouting {\n" +
  "\t\ttype nat hook prerouting priority filter; policy accept;\n" +
  "\t\tdnat to tcp dport map { 1000 : 1.1.1.1, 2000 : 2.2.2.2, 3000 : 3.3.3.3 }" +
  ":tcp dport map { 1000 : 1234, 2000 : 2345, 3000 : 3456 }\n\t}\n\n" +
  "\tchain postrouting {\n\t\ttype nat hook postrouting priority filter; policy accept;\n" +
  "\t\tsnat to ip saddr map { 192.168.1.1 : 1.1.1.1, 192.168.2.2 : 2.2.2.2, " +
  "192.168.3.3 : 3.3.3.3 }\n\t}\n}\n";

function load(text: string) {
  const rs = createNftRuleset();
  expect(loadNftText(rs, text, "t.nft")).toEqual([]);
  return rs;
}
const chain = (rs: ReturnType<typeof load>, name: string) =>
  nftBaseChains(rs).find((c) => c.chain === name)!;

describe("nft NAT map forms", () => {
  it("lists nat.nft as nft does, and reads its own listing back (`}:tcp dport map`)", () => {
    expect(nftListRuleset(load(NAT))).toBe(LISTED);
    expect(nftListRuleset(load(LISTED))).toBe(LISTED);
  });

  it("inet: `dnat ip to KEY map`, named maps, sorted anonymous maps, a fixed port", () => {
    const text = `table inet t {
	map m { type ipv4_addr : ipv4_addr; elements = { 10.0.0.1 : 1.1.1.1 }; }
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		dnat ip to ip daddr map { 10.0.0.2 : 2.2.2.2, 10.0.0.1 : 1.1.1.1 }
		dnat ip to ip saddr map @m
		meta l4proto tcp dnat ip to ip daddr map { 10.0.0.3 : 3.3.3.3 }:80
	}
}`;
    const out = nftListRuleset(load(text));
    expect(out).toContain(
      "\t\tdnat ip to ip daddr map { 10.0.0.1 : 1.1.1.1, 10.0.0.2 : 2.2.2.2 }\n",
    );
    expect(out).toContain("\t\tdnat ip to ip saddr map @m\n");
    expect(out).toContain(
      "\t\tmeta l4proto tcp dnat ip to ip daddr map { 10.0.0.3 : 3.3.3.3 }:80\n",
    );
  });

  it("a port map needs a transport protocol, as nft says", () => {
    const rs = createNftRuleset();
    const text =
      "table ip y { chain c { type nat hook prerouting priority 0; " +
      "dnat to ip daddr map { 10.0.0.1 : 1.1.1.1 } : ip daddr map { 10.0.0.1 : 22 }; } }";
    expect(loadNftText(rs, text, "t.nft")[0]?.message).toBe(
      "Error: transport protocol mapping is only valid after transport protocol match",
    );
  });

  it("translates to the element the key falls in; no element: no translation", () => {
    const rs = load(NAT);
    expect(chain(rs, "prerouting").evaluate(pkt({}), host).verdict).toEqual({
      kind: "dnat",
      addr: A("2.2.2.2"),
      port: 2345,
    });
    expect(chain(rs, "prerouting").evaluate(pkt({ dport: 80 }), host).verdict).toEqual({
      kind: "accept",
    });
    expect(chain(rs, "postrouting").evaluate(pkt({}), host).verdict).toEqual({
      kind: "snat",
      addr: A("2.2.2.2"),
    });
  });

  it("reads `nft -j` map lookups ({ map: { key, data: { set } } })", () => {
    const key = { payload: { protocol: "ip", field: "saddr" } };
    const snat = { addr: { map: { key, data: { set: [["192.168.1.1", "1.1.1.1"]] } } } };
    const json = JSON.stringify({
      nftables: [
        { table: { family: "ip", name: "nat" } },
        {
          chain: {
            ...{ family: "ip", table: "nat", name: "post", type: "nat" },
            ...{ hook: "postrouting", prio: 100, policy: "accept" },
          },
        },
        { rule: { family: "ip", table: "nat", chain: "post", expr: [{ snat }] } },
      ],
    });
    const rs = createNftRuleset();
    expect(loadNftJson(rs, json, "r.json")).toEqual([]);
    expect(nftListRuleset(rs)).toContain("\t\tsnat to ip saddr map { 192.168.1.1 : 1.1.1.1 }\n");
  });
});
