import { describe, expect, it } from "vitest";
import { getS32, getU16, getU32, getU8, getUnsigned, strtoul } from "./num.js";

// Answers of iproute2 6.1 (`ip route add … metric X`, `proto X`, `rule … pref X`,
// `suppress_prefixlength X`) observed in a namespace, and of glibc strtoul.
describe("get_u32 (lib/utils.c, strtoul base 0)", () => {
  const table: [string, number | undefined][] = [
    ["0", 0],
    ["10", 10],
    ["010", 8], // metric 010 is printed as "metric 8"
    ["0x10", 16],
    ["0X1f", 31],
    ["4294967295", 0xffffffff],
    ["0xffffffff", 0xffffffff],
    ["4294967296", undefined], // "metric" value is invalid
    ["-1", undefined], // wraps to ULONG_MAX: invalid
    ["-0", 0], // accepted by ip
    ["-0x0", 0], // table -0x0 is table 0
    [" 5", 5], // strtoul skips leading white space
    ["+7", 7],
    ["5x", undefined],
    ["0x", undefined],
    ["08", undefined],
    ["", undefined],
    [" ", undefined],
    ["99999999999999999999999", undefined],
  ];
  for (const [s, want] of table) it(JSON.stringify(s), () => expect(getU32(s)).toBe(want));
  it("get_unsigned reads the same", () => expect(getUnsigned("0x64")).toBe(100));
});

describe("get_u16 / get_u8 ranges", () => {
  it("u16", () => {
    expect(getU16("0xffff")).toBe(0xffff);
    expect(getU16("65536")).toBeUndefined();
  });
  it("u8", () => {
    expect(getU8("0377")).toBe(255);
    expect(getU8("256")).toBeUndefined(); // proto 256: "protocol" value is invalid
    expect(getU8("-1")).toBeUndefined();
  });
  it("base 10 reads 010 as ten (inet_proto_a2n: ipproto 010 is ipproto-10)", () => {
    expect(getU8("010", 10)).toBe(10);
    expect(getU8("0x11", 10)).toBeUndefined();
  });
});

describe("get_s32 (strtol)", () => {
  it("signed values", () => {
    expect(getS32("-010")).toBe(-8);
    expect(getS32("0x10")).toBe(16); // suppress_prefixlength 0x10 → 16
    expect(getS32("2147483647")).toBe(0x7fffffff);
    expect(getS32("2147483648")).toBeUndefined();
    expect(getS32("-2147483648")).toBe(-0x80000000);
    expect(getS32("-2147483649")).toBeUndefined();
  });
});

describe("strtoul", () => {
  it("stops at the first non-digit and reports where", () => {
    expect(strtoul("12.5")).toEqual({ value: 12n, end: 2, erange: false });
    expect(strtoul("0x")).toEqual({ value: 0n, end: 1, erange: false });
    expect(strtoul("x")).toEqual({ value: 0n, end: 0, erange: false });
  });
  it("negation wraps modulo 2^64", () => {
    expect(strtoul("-1").value).toBe((1n << 64n) - 1n);
  });
  it("base 16 accepts an optional 0x (rtnl_dsfield_a2n)", () => {
    expect(strtoul("0x10", 16).value).toBe(16n);
    expect(strtoul("10", 16).value).toBe(16n);
  });
});
