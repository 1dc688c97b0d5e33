import { describe, expect, it } from "vitest";
import { formatPrefix, getAddr, getAddrIpv4, parseAddr, parsePrefix } from "./ip.js";

const pfx = (s: string, f?: 4 | 6): string | undefined => {
  const r = parsePrefix(s, f);
  return r.ok ? formatPrefix(r.value, { defaultWord: "" }) : undefined;
};

// `ip route add WORD dev lo` then `ip route show` with iproute2 6.1 in a namespace:
// the route the kernel holds, or undefined for "any valid prefix is expected".
describe("get_prefix_1 (ip route add WORD) as iproute2 6.1 reads it", () => {
  const table: [string, string | undefined][] = [
    ["010.1.0.0/16", "8.1.0.0/16"],
    ["0x0b.0.0.0/8", "11.0.0.0/8"],
    ["12/8", "12.0.0.0/8"],
    ["13.1/16", "13.1.0.0/16"],
    ["0x0e/8", "14.0.0.0/8"],
    ["15.0.0.0/010", "15.0.0.0/8"],
    ["16.0.0.0/0x10", "16.0.0.0/16"],
    ["017.0.0.1", "15.0.0.1"],
    ["0", "0.0.0.0"],
    ["33.0.0.0/+8", "33.0.0.0/8"],
    ["70.0.0.0/255.0.0.0", "70.0.0.0/8"],
    ["18.0.0.08", undefined],
    ["19.256.0.0/16", undefined],
    ["34.0.0.0/", undefined],
    ["35.", undefined],
    [".36", undefined],
    ["37..0.1", undefined],
    ["1.2.3.4.5", undefined],
    ["038.0.0.0/8", undefined],
    ["0x.0.0.0/8", undefined],
    ["58.0.0.0/08", undefined],
    ["59.0.0.0/33", undefined],
    ["71.0.0.0/255.0.255.0", undefined],
    ["0xffffffff", undefined],
    ["4294967295", undefined],
  ];
  for (const [s, want] of table) it(s, () => expect(pfx(s)).toBe(want));
});

describe("IPv6 follows inet_pton, also for an IPv4 tail (ip -6 route add)", () => {
  const table: [string, string | undefined][] = [
    ["::ffff:1.2.3.4", "::ffff:1.2.3.4"],
    ["::ffff:010.1.2.3", undefined],
    ["::ffff:0x1.1.2.3", undefined],
    ["::1.2.3.04", undefined],
    ["2001:db8::/0x20", "2001:db8::/32"],
    ["2001:db9::/040", "2001:db9::/32"],
  ];
  for (const [s, want] of table) it(s, () => expect(pfx(s, 6)).toBe(want));
});

describe("get_addr_1 (route get WORD, via WORD)", () => {
  it("reads octets with base 0 and fills from the right", () => {
    // `ip route get 010.1.0.1` answered for 8.1.0.1; `route get 12` for 12.0.0.0.
    expect(getAddrIpv4("010.1.0.1")).toBe(0x08010001);
    expect(getAddrIpv4("12")).toBe(0x0c000000);
    expect(getAddrIpv4("0x0a.0.0.1")).toBe(0x0a000001);
  });
  it("family mismatches and junk are refused", () => {
    expect(getAddr("10.0.0.1", 6).ok).toBe(false);
    expect(getAddr("fd00::1", 4).ok).toBe(false);
    expect(getAddr("13.1.0.0x").ok).toBe(false);
  });
  it("default is the zero address", () => {
    expect(getAddr("default", 6)).toEqual({ ok: true, value: { family: 6, v: 0n } });
  });
  it("default takes no length", () => {
    expect(parsePrefix("default/0").ok).toBe(false);
    expect(pfx("default", 6)).toBe("::/0");
  });
});

describe("parseAddr stays inet_pton: four decimal octets", () => {
  it("refuses the short forms iproute2 accepts", () => {
    expect(parseAddr("10").ok).toBe(false);
    expect(parseAddr("0x0a.0.0.1").ok).toBe(false);
    expect(parseAddr("10.0.0.1").ok).toBe(true);
  });
});
