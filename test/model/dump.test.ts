import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Family, Prefix } from "../../src/addr/ip.js";
import { baseRule, createHostState } from "../../src/model/host.js";
import type { Rule } from "../../src/model/types.js";
import { printRoutes } from "../../src/print/routes.js";
import { printRules } from "../../src/print/rules.js";
import { detectDumpFormat, loadDump } from "../../src/model/dump/index.js";

describe("detectDumpFormat", () => {
  it("recognizes every supported dump from its content", () => {
    expect(detectDumpFormat('[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK"]}]\n')).toBe(
      "ip-json-link",
    );
    expect(detectDumpFormat('[{"ifindex":1,"ifname":"lo","addr_info":[]}]\n')).toBe("ip-json-addr");
    expect(detectDumpFormat('[ {\n        "priority": 0,\n        "src": "all"\n    } ]\n')).toBe(
      "ip-json-rule",
    );
    expect(
      detectDumpFormat('[{"dst":"default","gateway":"10.1.0.2","dev":"a1","flags":[]}]\n'),
    ).toBe("ip-json-route");
    expect(detectDumpFormat("0:\tfrom all lookup local\n")).toBe("ip-rule-text");
    expect(detectDumpFormat("default via 10.1.0.2 dev a1 \n")).toBe("ip-route-text");
    expect(detectDumpFormat("blackhole fd66::/64 dev lo metric 1024 pref medium\n")).toBe(
      "ip-route-text",
    );
    expect(detectDumpFormat("net.ipv4.ip_forward = 1\n")).toBe("sysctl");
    expect(detectDumpFormat("1: lo: <LOOPBACK> mtu 65536\n")).toBeUndefined();
    expect(detectDumpFormat("[]\n")).toBeUndefined();
  });
});

describe("loadDump issues", () => {
  it("a bad rule line is reported with file:line:col, token and expectation; others load", () => {
    const s = createHostState();
    const issues = loadDump(
      s,
      "0:\tfrom all lookup local\n" +
        "100:\tfrom all fwmark zz lookup 5\n" +
        "32766:\tfrom all lookup main\n",
      "r.txt",
    );
    expect(issues).toEqual([
      {
        code: "dump.rejected",
        message: "expected MARK[/MASK] in hex",
        loc: { file: "r.txt", line: 2, col: 22 },
        token: "zz",
        expected: "MARK[/MASK] in hex",
      },
    ]);
    expect(printRules(s, 4)).toBe("0:\tfrom all lookup local\n32766:\tfrom all lookup main\n");
  });

  it("unknown rule words and table names, unsupported JSON keys, JSON syntax errors", () => {
    const s = createHostState();
    const t = loadDump(s, "5:\tfrom all frobnicate lookup 5\n6:\tfrom all lookup mytab\n", "r.txt");
    expect(t.map((i) => [i.loc?.line, i.loc?.col, i.token])).toEqual([
      [1, 13, "frobnicate"],
      [2, 20, "mytab"],
    ]);
    s.tableNames.set(77, "mytab");
    expect(loadDump(s, "6:\tfrom all lookup mytab\n", "r.txt")).toEqual([]);
    expect(s.rules4.map((r) => r.table)).toEqual([77]);
    const j = loadDump(s, '[{"priority":5,"src":"all","table":"5","weird":1}]', "r.json");
    expect(j).toMatchObject([{ loc: { line: 1, col: 40 }, token: "weird" }]);
    const syn = loadDump(s, '[{"priority":5,\n "src":"all" "table":"5"}]', "r.json", {
      format: "ip-json-rule",
    });
    expect(syn).toMatchObject([
      {
        code: "dump.json-syntax",
        loc: { file: "r.json", line: 2, col: 14 },
        expected: "',' or '}'",
      },
    ]);
    expect(loadDump(s, "hello world\n", "x.txt")).toMatchObject([
      { code: "dump.unknown-format", loc: { line: 1, col: 1 }, token: "hello" },
    ]);
  });

  it("route text: unknown attributes and orphan nexthop lines", () => {
    const s = createHostState();
    const issues = loadDump(
      s,
      "10.0.0.0/8 via 10.1.0.2 dev a1 bogus 5 \n" +
        "\tnexthop via 10.1.0.3 dev a1 weight 1 \n" +
        "10.2.0.0/16 dev a1 \n",
      "rt.txt",
    );
    expect(issues.map((i) => [i.loc?.line, i.loc?.col, i.token])).toEqual([
      [1, 32, "bogus"],
      [2, 2, "nexthop"],
    ]);
    expect(printRoutes(s, {})).toBe("10.2.0.0/16 dev a1 \n");
    expect(loadDump(s, "10.0.0.0/8 \n10.3.0.0/16 dev a1 \n", "rt.txt")).toMatchObject([
      { loc: { line: 1, col: 1 }, token: "10.0.0.0/8" },
    ]);
  });

  it("sysctl lines, interface names with dots, bad lines", () => {
    const s = createHostState();
    const issues = loadDump(
      s,
      "net.ipv4.ip_forward = 1\n" +
        "net.ipv4.conf.eth0/100.rp_filter = 2\n" +
        "net.ipv4.ip_local_port_range = 32768\t60999\n" +
        "kernel.x = \n" +
        "not a sysctl line\n",
      "sysctl.txt",
    );
    expect(issues).toMatchObject([{ loc: { line: 5, col: 1 }, token: "not" }]);
    expect(s.sysctl.get("net.ipv4.ip_forward")).toBe("1");
    expect(s.sysctl.get("net.ipv4.conf.eth0.100.rp_filter")).toBe("2");
    expect(s.sysctl.get("net.ipv4.ip_local_port_range")).toBe("32768\t60999");
    expect(s.sysctl.get("kernel.x")).toBe("");
  });
});

describe("loadDump semantics", () => {
  it("JSON rules without addresses take the family hint (default 4); v4+v6 lists split", () => {
    const j =
      '[{"priority":0,"src":"all","table":"local"},{"priority":32766,"src":"all","table":"ma' +
      'in"}]\n';
    const s = createHostState();
    expect(loadDump(s, j, "r6.json", 6)).toEqual([]);
    expect(s.rules6.map((r) => r.pref)).toEqual([0, 32766]);
    expect(s.rules4.length).toBe(3);
    expect(loadDump(s, j, "r4.json")).toEqual([]);
    expect(s.rules4.map((r) => r.pref)).toEqual([0, 32766]);
    const t = createHostState();
    expect(
      loadDump(
        t,
        "0:\tfrom all lookup local\n" +
          "32766:\tfrom all lookup main\n" +
          "32767:\tfrom all lookup default\n" +
          "0:\tfrom all lookup local\n" +
          "5:\tfrom all lookup 7\n" +
          "32766:\tfrom all lookup main\n",
        "both.txt",
      ),
    ).toEqual([]);
    expect(t.rules6.map((r) => r.pref)).toEqual([0, 5, 32766]);
    expect(t.v6CustomRules).toBe(true);
    expect(t.v4CustomRules).toBe(false);
  });

  it("links named by dumps are made (up, carrier unless linkdown), detached ones not", () => {
    const s = createHostState();
    expect(
      loadDump(
        s,
        "default via 10.1.0.2 dev eth0 \n10.9.0.0/16 dev wgx scope link linkdown \n",
        "r.txt",
      ),
    ).toEqual([]);
    expect(s.links.map((l) => [l.name, l.up, l.carrier])).toEqual([
      ["lo", false, true],
      ["eth0", true, true],
      ["wgx", true, false],
    ]);
    expect(loadDump(s, "9:\tfrom all iif eth1 oif gone [detached] lookup 5\n", "r.txt")).toEqual(
      [],
    );
    expect(s.links.map((l) => l.name)).toEqual(["lo", "eth0", "wgx", "eth1"]);
    expect(printRules(s, 4)).toBe("9:\tfrom all iif eth1 oif gone [detached] lookup 5\n");
  });

  it("a route dump replaces the routes of the (family, table) pairs it contains", () => {
    const s = createHostState();
    loadDump(s, "10.1.0.0/24 dev a1 \n10.2.0.0/24 dev a1 table 5 \n", "1.txt");
    loadDump(s, "10.3.0.0/24 dev a1 \n", "2.txt");
    expect(printRoutes(s, { table: "all" })).toBe(
      "10.2.0.0/24 dev a1 table 5 \n10.3.0.0/24 dev a1 \n",
    );
  });

  it("-d text dumps and multipath text load", () => {
    const s = createHostState();
    const text =
      "unicast 10.60.0.0/16 table main proto boot scope global \n" +
      "\tnexthop via 10.1.0.2 dev a1 weight 1 \n" +
      "\tnexthop via 10.2.0.2 dev a2 weight 3 \n" +
      "unicast fd78::/64 table main proto boot scope global metric 1024 pref medium\n" +
      "\tnexthop via fd01::2 dev a1 weight 1 \n" +
      "\tnexthop via fd02::2 dev a2 weight 2 \n";
    expect(loadDump(s, text, "d.txt")).toEqual([]);
    expect(printRoutes(s, { table: "all", details: true })).toBe(text);
  });
});

describe("rule text/JSON round trip (property)", () => {
  const v4: fc.Arbitrary<Prefix> = fc
    .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 32 }))
    .map(([v, len]) => ({ addr: { family: 4 as const, v: v >>> 0 }, len }));
  const v6: fc.Arbitrary<Prefix> = fc
    .tuple(fc.bigInt({ min: 1n, max: (1n << 128n) - 1n }), fc.integer({ min: 1, max: 128 }))
    .map(([v, len]) => ({ addr: { family: 6 as const, v }, len }));
  const port = fc.integer({ min: 1, max: 65534 });
  const range = fc
    .tuple(port, port)
    .map(([a, b]) => (a <= b ? [a, b] : [b, a]) as [number, number]);
  const rule = (family: Family) =>
    fc
      .record({
        pref: fc.integer({ min: 1, max: 40000 }),
        invert: fc.boolean(),
        src: fc.option(family === 4 ? v4 : v6, { nil: undefined }),
        dst: fc.option(family === 4 ? v4 : v6, { nil: undefined }),
        tos: fc.constantFrom(0, 0x04, 0x10, 0x30),
        fw: fc.option(
          fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0xffffffff, 0xff, 0)),
          { nil: undefined },
        ),
        iif: fc.option(fc.constantFrom("lo", "a1", "nope0"), { nil: undefined }),
        oif: fc.option(fc.constantFrom("a1", "nope1"), { nil: undefined }),
        uid: fc.option(
          fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 5000, max: 0xffffffff })),
          { nil: undefined },
        ),
        ipproto: fc.constantFrom(0, 6, 17, 253),
        sport: fc.option(range, { nil: undefined }),
        dport: fc.option(range, { nil: undefined }),
        act: fc.constantFrom("lookup", "goto", "nop", "blackhole", "unreachable", "prohibit"),
        table: fc.constantFrom(100, 253, 254, 255, 4294967295),
        supp: fc.constantFrom(-1, 0, 24),
        group: fc.constantFrom(-1, 0, 5),
        proto: fc.constantFrom(0, 2, 4, 99),
      })
      .map(
        (x): Rule => ({
          ...baseRule(family, x.pref),
          invert: x.invert,
          tos: x.tos,
          ipproto: x.ipproto,
          protocol: x.proto,
          ...(x.src ? { src: x.src } : {}),
          ...(x.dst ? { dst: x.dst } : {}),
          ...(x.fw && (x.fw[0] || x.fw[1])
            ? { fwmark: x.fw[0], fwmask: x.fw[1], markSet: true, maskSet: x.fw[1] !== 0xffffffff }
            : {}),
          ...(x.iif ? { iifname: x.iif } : {}),
          ...(x.oif ? { oifname: x.oif } : {}),
          ...(x.uid ? { uidRange: x.uid } : {}),
          ...(x.sport ? { sport: x.sport } : {}),
          ...(x.dport ? { dport: x.dport } : {}),
          action: x.act as Rule["action"],
          ...(x.act === "lookup"
            ? { table: x.table, suppressPrefixlen: x.supp, suppressIfgroup: x.group }
            : {}),
          ...(x.act === "goto" ? { gotoPref: x.pref + 7 } : {}),
        }),
      );

  for (const family of [4, 6] as const) {
    it(`IPv${family}: print -> load -> print is the identity (text and JSON, with -d)`, () => {
      fc.assert(
        fc.property(fc.array(rule(family), { maxLength: 12 }), (rules) => {
          const s = createHostState();
          s.links.push({
            ifindex: 2,
            name: "a1",
            kind: "veth",
            mac: "02:00:00:00:00:02",
            mtu: 1500,
            up: true,
            carrier: true,
            group: 0,
            txqlen: 1000,
          });
          const list = [...(family === 4 ? s.rules4 : s.rules6), ...rules].sort(
            (a, b) => a.pref - b.pref,
          );
          if (family === 4) s.rules4 = list;
          else s.rules6 = list;
          for (const json of [false, true]) {
            const out = printRules(s, family, { json, details: true });
            const t = createHostState();
            t.links = s.links.map((l) => ({ ...l }));
            expect(loadDump(t, out, "p", family)).toEqual([]);
            expect(printRules(t, family, { json, details: true })).toBe(out);
            expect(printRules(t, family, {})).toBe(printRules(s, family, {}));
          }
        }),
        { numRuns: 150 },
      );
    });
  }
});
