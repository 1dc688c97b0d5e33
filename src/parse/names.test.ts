import { describe, expect, it } from "vitest";
import {
  dsfieldA2n,
  getRtRealmsOrRaw,
  inetProtoA2n,
  parseRtNames,
  rtprotA2n,
  rtscopeA2n,
  rttableA2n,
} from "./names.js";

const TABLES = new Map([
  [255, "local"],
  [254, "main"],
  [253, "default"],
]);

// What `ip` 6.1 stored for each spelling (read back with `ip route show` / `ip rule`).
describe("rt_names a2n as iproute2 6.1 reads them", () => {
  it("rtnl_rttable_a2n: names, then strtoul base 0 up to 2^32-1", () => {
    expect(rttableA2n("main", TABLES)).toBe(254);
    expect(rttableA2n("0x64", TABLES)).toBe(100); // table 0x64 → table 100
    expect(rttableA2n("010", TABLES)).toBe(8); // table 010 → table 8
    expect(rttableA2n("unspec", TABLES)).toBe(0);
    expect(rttableA2n("4294967295", TABLES)).toBe(0xffffffff);
    expect(rttableA2n("-0x0", TABLES)).toBe(0);
    expect(rttableA2n("4294967296", TABLES)).toBeUndefined();
    expect(rttableA2n("wan", TABLES)).toBeUndefined();
  });
  it("rtnl_rtprot_a2n: base 0 up to 255", () => {
    expect(rtprotA2n("static")).toBe(4);
    expect(rtprotA2n("010")).toBe(8); // proto 010 → proto gated
    expect(rtprotA2n("0x10")).toBe(16); // proto 0x10 → proto dhcp
    expect(rtprotA2n("256")).toBeUndefined();
    expect(rtprotA2n("-1")).toBeUndefined();
  });
  it("rtnl_rtscope_a2n: base 0; universe is not a name", () => {
    expect(rtscopeA2n("link")).toBe(253);
    expect(rtscopeA2n("0x10")).toBe(16); // scope 0x10 → scope 16
    expect(rtscopeA2n(" 0x10")).toBe(16); // strtoul skips white space
    expect(rtscopeA2n("256")).toBeUndefined();
    expect(rtscopeA2n("universe")).toBeUndefined();
  });
  it("rtnl_dsfield_a2n: names, else base 16", () => {
    expect(dsfieldA2n("010")).toBe(0x10); // tos 010 → tos 0x10
    expect(dsfieldA2n("10")).toBe(0x10);
    expect(dsfieldA2n("0x10")).toBe(0x10);
    expect(dsfieldA2n("AF11")).toBe(0x28);
    expect(dsfieldA2n("default")).toBe(0);
    expect(dsfieldA2n("0x100")).toBeUndefined();
    expect(dsfieldA2n("-1")).toBeUndefined();
    expect(dsfieldA2n("0xg")).toBeUndefined();
  });
  it("inet_proto_a2n: names, else decimal u8", () => {
    expect(inetProtoA2n("tcp")).toBe(6);
    expect(inetProtoA2n("TCP")).toBe(6); // an alias in /etc/protocols
    expect(inetProtoA2n("010")).toBe(10); // ipproto 010 → ipproto-10
    expect(inetProtoA2n("0x11")).toBeUndefined();
    expect(inetProtoA2n("ipproto-6")).toBeUndefined();
  });
  it("get_rt_realms_or_raw", () => {
    expect(getRtRealmsOrRaw("010")).toBe(8); // realms 010 → realms 8
    expect(getRtRealmsOrRaw("1/010")).toBe((1 << 16) | 8); // realms 1/010 → realms 1/8
    expect(getRtRealmsOrRaw("unknown/2")).toBe(2);
    expect(getRtRealmsOrRaw("1/x")).toBeUndefined();
  });
});

describe("parseRtNames (rtnl_tab_initialize)", () => {
  it("reads hex and decimal ids, skips comments and blank lines", () => {
    const r = parseRtNames("# reserved\n\n255\tlocal\n  0x64 wan # uplink\n010 ten\n");
    expect(r.entries).toEqual([
      { id: 255, name: "local", line: 3 },
      { id: 100, name: "wan", line: 4 },
      { id: 10, name: "ten", line: 5 }, // sscanf %d: decimal
    ]);
    expect(r.corrupt).toBeUndefined();
  });
  it("stops at a line that does not scan and reports it", () => {
    const r = parseRtNames("1 a\nbogus line\n2 b\n");
    expect(r.entries).toEqual([{ id: 1, name: "a", line: 1 }]);
    expect(r.corrupt).toEqual({ line: 2, text: "bogus line" });
  });
  it("skips ids outside the table", () => {
    expect(parseRtNames("300 big\n-1 neg\n", 255).entries).toEqual([]);
  });
});
