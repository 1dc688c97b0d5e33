/**
 * PACKETS words read numbers and names as `ip route get` does (iproute2 iproute.c): mark,
 * uid and ports with get_u32/get_u16 base 0, ipproto by /etc/protocols name, tos as a
 * dsfield (hex).
 */
import { describe, expect, it } from "vitest";
import { parsePackets } from "./assert.js";

const num = (words: string) => {
  const r = parsePackets(words.split(" "));
  if (!r.ok) throw new Error(r.error.message);
  const s = r.value[0]!;
  return s.kind === "num" ? s.items : undefined;
};

describe("PACKETS numbers and names", () => {
  it("reads base 0: hex, octal and decimal", () => {
    expect(num("mark 0x81/0xff")).toEqual([{ lo: 0x81, hi: 0x81, mask: 0xff }]);
    expect(num("mark 010")).toEqual([{ lo: 8, hi: 8 }]);
    expect(num("uid 0-999")).toEqual([{ lo: 0, hi: 999 }]);
    expect(num("dport 0x35")).toEqual([{ lo: 53, hi: 53 }]);
  });
  it("reads ipproto names from the protocol table and tos as hex", () => {
    expect(num("ipproto tcp")).toEqual([{ lo: 6, hi: 6 }]);
    expect(num("ipproto ipv6-icmp")).toEqual([{ lo: 58, hi: 58 }]);
    expect(num("tos 10")).toEqual([{ lo: 0x10, hi: 0x10 }]);
  });
  it("refuses what ip refuses", () => {
    expect(parsePackets(["mark", "0x1ffffffff"]).ok).toBe(false);
    expect(parsePackets(["dport", "65536"]).ok).toBe(false);
    expect(parsePackets(["ipproto", "nosuch"]).ok).toBe(false);
  });
});
