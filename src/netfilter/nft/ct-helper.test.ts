/**
 * `ct helper` objects and `ct helper set` (nftables' examples/ct_helpers.nft): listed as
 * `nft list ruleset` / `nft -a` print them, refused as the kernel refuses them, evaluated
 * with no routing effect. Expected texts were taken from nft 1.0.6 on Linux.
 */
import { describe, expect, it } from "vitest";
import { parseAddr, type Addr } from "../../addr/ip.js";
import type { NfHostView, NfPacket } from "../types.js";
import {
  applyNftCommand,
  createNftRuleset,
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

const SRC = `table ip a {
	ct helper h1 { type "ftp" protocol tcp; }
	ct helper h2 {
		type "tftp" protocol udp
		l3proto ip
	}
	chain c {
		type filter hook prerouting priority 0; ct helper set "h1"; tcp dport 21 ct helper set "h2"
	}
}
table inet b {
	ct helper h3 { type "sip" protocol udp; l3proto ip6; }
	ct helper h4 { type "ftp" protocol tcp; }
	chain d {
		type filter hook input priority 0
		ct helper set udp dport map { 5060 : "h3", 69 : "h4" }
		meta mark set 7
	}
}
`;

const LISTED_A =
  "table ip a { # handle 1\n" +
  '\tct helper h1 { # handle 2\n\t\ttype "ftp" protocol tcp\n\t\tl3proto ip\n\t}\n\n' +
  '\tct helper h2 { # handle 3\n\t\ttype "tftp" protocol udp\n\t\tl3proto ip\n\t}\n\n' +
  "\tchain c { # handle 1\n\t\ttype filter hook prerouting priority filter; policy accept;\n" +
  '\t\tct helper set "h1" # handle 4\n\t\ttcp dport 21 ct helper set "h2" # handle 5\n\t}\n}\n';

function load(text: string) {
  const rs = createNftRuleset();
  expect(loadNftText(rs, text, "t.nft")).toEqual([]);
  return rs;
}
const nft = (rs: ReturnType<typeof load>, cmd: string) =>
  applyNftCommand(rs, ["nft", cmd], [{ file: "s.sh", line: 1, col: 5 }]);

describe("nft ct helper objects", () => {
  it("lists objects before chains, l3proto defaulting to the table's family", () => {
    const out = nftListRuleset(load(SRC), { handles: true });
    expect(out.startsWith(LISTED_A)).toBe(true);
    expect(out).toContain(
      '\tct helper h4 { # handle 3\n\t\ttype "ftp" protocol tcp\n\t\tl3proto inet\n',
    );
    // The anonymous map takes handle 4 before its rule.
    expect(out).toContain(
      '\t\tct helper set udp dport map { 69 : "h4", 5060 : "h3" } # handle 5\n',
    );
  });

  it("refuses as the kernel does: unknown helper or protocol, missing or busy object", () => {
    const rs = load(SRC);
    const msg = (cmd: string) => nft(rs, cmd)[0]?.message;
    const ENOENT = "Error: Could not process rule: No such file or directory";
    expect(msg('add ct helper ip a h7 { type "nosuch" protocol tcp; }')).toBe(ENOENT);
    expect(msg('add ct helper ip a h8 { type "ftp" protocol udp; }')).toBe(ENOENT);
    expect(msg('add rule ip a c ct helper set "nope"')).toBe(ENOENT);
    expect(msg("delete ct helper ip a h6")).toBe(ENOENT);
    expect(msg("delete ct helper ip a h1")).toBe(
      "Error: Could not process rule: Device or resource busy",
    );
    expect(msg('create ct helper ip a h1 { type "ftp" protocol tcp; }')).toBe(
      "Error: Could not process rule: File exists",
    );
    expect(msg('add ct helper ip a h1 { type "ftp" protocol tcp; }')).toBeUndefined();
    expect(msg("add ct helper ip a h9 { type ftp protocol tcp; }")).toBe(
      "Error: syntax error, unexpected string, expecting quoted string",
    );
  });

  it("deletes an unused object", () => {
    const rs = load(SRC);
    expect(nft(rs, 'add ct helper ip a h6 { type "irc" protocol tcp; }')).toEqual([]);
    expect(nft(rs, "delete ct helper ip a h6")).toEqual([]);
    expect(nftListRuleset(rs)).not.toContain("h6");
  });

  it("assigning a helper changes no verdict, mark or address; it needs conntrack", () => {
    const rs = load(SRC);
    const d = nftBaseChains(rs).find((c) => c.chain === "d")!;
    expect(d.needsConntrack).toBe(true);
    const pkt: NfPacket = {
      family: 4,
      saddr: A("10.0.0.2"),
      daddr: A("10.0.0.1"),
      ipproto: 17,
      sport: 40000,
      dport: 69,
      mark: 0,
      tos: 0,
      iifname: "eth0",
      oifname: "",
      ctstate: "new",
      ctmark: 0,
      ctdir: "original",
    };
    const r = d.evaluate(pkt, host);
    expect(r.verdict).toEqual({ kind: "accept" });
    expect(r.packet.mark).toBe(7);
    expect(r.packet.daddr).toEqual(A("10.0.0.1"));
  });
});
