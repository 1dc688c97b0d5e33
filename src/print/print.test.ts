import { describe, expect, it } from "vitest";
import { parseAddr, parsePrefix } from "../addr/ip.js";
import type { Addr } from "../addr/ip.js";
import type { Decision, RouteDecision } from "../engine/types.js";
import { baseRule, createHostState } from "../model/host.js";
import type { HostState, Route } from "../model/types.js";
import { loadDump } from "../model/dump/index.js";
import { Emitter, JsonWriter } from "./emit.js";
import { printAddrs, printLinks } from "./links.js";
import { printRouteGet, routeGetResult } from "./routeget.js";
import { printRoutes } from "./routes.js";
import { printRules } from "./rules.js";

const A = (s: string): Addr => {
  const a = parseAddr(s);
  if (!a.ok) throw new Error(s);
  return a.value;
};
const P = (s: string) => {
  const p = parsePrefix(s, s.includes(":") ? 6 : 4);
  if (!p.ok) throw new Error(s);
  return p.value;
};

/** The §0 test bed links (a1, a2 veths up with carrier) without addresses. */
function bed(): HostState {
  const s = createHostState();
  s.links[0]!.up = true;
  s.links.push(
    {
      ifindex: 2,
      name: "a1",
      kind: "veth",
      mac: "02:00:00:00:00:02",
      mtu: 1500,
      up: true,
      carrier: true,
      group: 0,
      txqlen: 1000,
      peer: "if5",
      peerExternal: true,
    },
    {
      ifindex: 3,
      name: "a2",
      kind: "veth",
      mac: "02:00:00:00:00:03",
      mtu: 1500,
      up: true,
      carrier: true,
      group: 0,
      txqlen: 1000,
    },
  );
  s.nextIfindex = 4;
  return s;
}

function route(p: Partial<Route> & Pick<Route, "family" | "dst">): Route {
  return {
    table: 254,
    type: "unicast",
    tos: 0,
    metric: p.family === 6 ? 1024 : 0,
    protocol: 3,
    scope: 0,
    nexthops: [{ ifindex: 2, weight: 1, onlink: false, dead: false }],
    multipath: false,
    pref6: 0,
    seq: 0,
    ...p,
  };
}

/** A successful decision; type defaults to the route's (else unicast), oif to none (0). */
function decision(d: Partial<RouteDecision> & { daddr: string }): RouteDecision {
  const daddr = A(d.daddr);
  return {
    ok: true,
    type: d.route?.type ?? "unicast",
    oif: 0,
    cacheFlags: [],
    trace: [],
    flow: {
      family: daddr.family,
      daddr,
      saddr: daddr.family === 4 ? A("0.0.0.0") : A("::"),
      iif: 1,
      oif: 0,
      mark: 0,
      uid: 0,
      tos: 0,
      ipproto: 17,
      sport: 0,
      dport: 0,
    },
    ...d,
  };
}

describe("iproute2 JSON writer", () => {
  it("compact and pretty forms, empty arrays", () => {
    for (const pretty of [false, true]) {
      const w = new JsonWriter(pretty);
      w.startArray();
      w.startObject();
      w.name("a");
      w.value(1);
      w.name("f");
      w.startArray();
      w.endArray();
      w.name("g");
      w.startArray();
      w.value("x");
      w.value("y");
      w.endArray();
      w.name("n");
      w.value(null);
      w.endObject();
      w.endArray();
      expect(w.finish()).toBe(
        pretty
          ? '[ {\n        "a": 1,\n        "f": [ ],\n' +
              '        "g": [ "x","y" ],\n        "n": null\n    } ]\n'
          : '[{"a":1,"f":[],"g":["x","y"],"n":null}]\n',
      );
    }
    const e = new Emitter({ json: true, pretty: true });
    e.startList();
    e.endList();
    expect(e.text()).toBe("[ ]\n");
    const c = new Emitter({ json: true });
    c.startList();
    c.endList();
    expect(c.text()).toBe("[]\n");
  });
});

describe("printRules", () => {
  it("default RPDB of a new namespace", () => {
    const s = createHostState();
    expect(printRules(s, 4)).toBe(
      "0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n",
    );
    expect(printRules(s, 6, { json: true })).toBe(
      '[{"priority":0,"src":"all","table":"local"},{"priority":32766,"src":"all",' +
        '"table":"main"}]\n',
    );
    expect(printRules(s, 4, { details: true })).toBe(
      "0:\tfrom all lookup local proto kernel\n32766:\tfrom all lookup main proto kernel\n" +
        "32767:\tfrom all lookup default proto kernel\n",
    );
  });

  it("the reference dump (kernel-semantics §4.3) prints back as the kernel printed it", () => {
    const text = [
      "0:\tfrom all lookup local",
      "492:\tfrom all iif nonexist0 [detached] lookup 111",
      "493:\tfrom all to 1.1.1.1 lookup main suppress_prefixlength 0",
      "494:\tfrom all tos 0x10 lookup 110",
      "495:\tfrom all ipproto udp sport 53 lookup 109",
      "496:\tfrom all ipproto tcp dport 80-443 lookup 108",
      "497:\tfrom all uidrange 1000-2000 lookup 107",
      "498:\tfrom all oif a1 lookup 106",
      "499:\tfrom all iif lo lookup 105",
      "500:\tfrom all lookup 103",
      "501:\tfrom all fwmark 0/0xff00 lookup 104",
      "1000:\tfrom all lookup [l3mdev-table]",
      "32762:\tfrom all fwmark 0x10/0xff lookup 102",
      "32764:\tnot from 10.9.0.0/16 to 192.168.0.0/16 lookup main",
      "40000:\tfrom all blackhole",
      "40003:\tfrom 1.2.3.6 goto 40010 [unresolved]",
      "40004:\tfrom 1.2.3.7 nop",
      "40008:\tfrom all lookup main suppress_ifgroup 5",
      "40009:\tfrom all fwmark 0xff lookup 112",
      "40013:\tfrom 0.0.0.0/1 lookup 115",
      "40014:\tnot from all fwmark 0x5 lookup 116",
      "40016:\tfrom all ipproto ipproto-253 lookup 118",
      "40017:\tfrom all lookup 119 proto static",
      "",
    ].join("\n");
    const s = bed();
    expect(loadDump(s, text, "rules.txt")).toEqual([]);
    expect(printRules(s, 4)).toBe(text);
    const json = printRules(s, 4, { json: true });
    expect(json).toContain(
      '{"priority":492,"src":"all","iif":"nonexist0","iif_detached":null,"table":"111"}',
    );
    expect(json).toContain(
      '{"priority":501,"src":"all","fwmark":"0","fwmask":"0xff00","table":"104"}',
    );
    expect(json).toContain('{"priority":1000,"src":"all","l3mdev":null}');
    expect(json).toContain('{"priority":40003,"src":"1.2.3.6","goto":40010,"unresolved":null}');
    expect(json).toContain('{"priority":40008,"src":"all","table":"main","suppress_ifgroup":"5"}');
    expect(json).toContain('{"priority":40017,"src":"all","table":"119","protocol":"static"}');
  });

  it("[unresolved] and [detached] follow the state", () => {
    const s = bed();
    s.rules4.push(
      { ...baseRule(4, 10), action: "goto", gotoPref: 32766 },
      { ...baseRule(4, 11), table: 5, iifname: "a1", oifname: "zz" },
    );
    s.rules4.sort((a, b) => a.pref - b.pref);
    expect(printRules(s, 4)).toContain(
      "10:\tfrom all goto 32766\n11:\tfrom all iif a1 oif zz [detached] lookup 5\n",
    );
    s.rules4 = s.rules4.filter((r) => r.pref !== 32766);
    expect(printRules(s, 4)).toContain("10:\tfrom all goto 32766 [unresolved]\n");
  });
});

describe("printRoutes", () => {
  it("trailing spaces, flags, multipath, IPv6 metric/pref, table order (hash buckets)", () => {
    const s = bed();
    s.links[2]!.carrier = false; // a2: up, no carrier
    s.routes.push(
      route({ family: 4, dst: P("10.1.0.0/24"), protocol: 2, scope: 253, prefsrc: A("10.1.0.1") }),
      route({
        family: 4,
        dst: P("10.50.0.0/16"),
        metric: 50,
        nexthops: [{ gateway: A("10.2.0.2"), ifindex: 3, weight: 1, onlink: false, dead: false }],
      }),
      route({
        family: 4,
        dst: P("10.60.0.0/16"),
        multipath: true,
        nexthops: [
          { gateway: A("10.1.0.2"), ifindex: 2, weight: 1, onlink: false, dead: false },
          { gateway: A("10.2.0.2"), ifindex: 3, weight: 1, onlink: false, dead: true },
        ],
      }),
      route({
        family: 4,
        type: "blackhole",
        dst: P("198.51.100.0/24"),
        nexthops: [{ ifindex: 0, weight: 1, onlink: false, dead: false }],
      }),
      route({
        family: 4,
        dst: P("0.0.0.0/0"),
        table: 257,
        nexthops: [{ gateway: A("10.1.0.2"), ifindex: 2, weight: 1, onlink: false, dead: false }],
      }),
      route({
        family: 4,
        dst: P("0.0.0.0/0"),
        table: 1,
        nexthops: [{ gateway: A("10.1.0.2"), ifindex: 2, weight: 1, onlink: false, dead: false }],
      }),
      route({
        family: 4,
        dst: P("10.51.0.0/16"),
        tos: 0x10,
        nexthops: [{ gateway: A("10.2.0.2"), ifindex: 3, weight: 1, onlink: false, dead: false }],
      }),
      route({ family: 6, dst: P("fd01::/64"), protocol: 2, metric: 256 }),
      route({
        family: 6,
        type: "blackhole",
        dst: P("fd66::/64"),
        nexthops: [{ ifindex: 0, weight: 1, onlink: false, dead: false }],
      }),
      route({
        family: 6,
        type: "multicast",
        table: 255,
        dst: P("ff00::/8"),
        protocol: 2,
        metric: 256,
        nexthops: [{ ifindex: 3, weight: 1, onlink: false, dead: false }],
      }),
      route({
        family: 6,
        dst: P("::/0"),
        nexthops: [{ gateway: A("fd01::2"), ifindex: 2, weight: 1, onlink: false, dead: false }],
      }),
    );
    expect(printRoutes(s, { table: "all" })).toBe(
      [
        // same hash bucket (id & 255): the table created last is dumped first
        "default via 10.1.0.2 dev a1 table 1 ",
        "default via 10.1.0.2 dev a1 table 257 ",
        "10.1.0.0/24 dev a1 proto kernel scope link src 10.1.0.1 ",
        "10.50.0.0/16 via 10.2.0.2 dev a2 metric 50 linkdown ",
        "10.51.0.0/16 tos 0x10 via 10.2.0.2 dev a2 linkdown ",
        "10.60.0.0/16 ",
        "\tnexthop via 10.1.0.2 dev a1 weight 1 ",
        "\tnexthop via 10.2.0.2 dev a2 weight 1 dead linkdown ",
        "blackhole 198.51.100.0/24 ",
        "fd01::/64 dev a1 proto kernel metric 256 pref medium",
        "blackhole fd66::/64 dev lo metric 1024 pref medium",
        "default via fd01::2 dev a1 metric 1024 pref medium",
        "multicast ff00::/8 dev a2 table local proto kernel metric 256 linkdown pref medium",
        "",
      ].join("\n"),
    );
    expect(printRoutes(s, {})).not.toContain("fd01");
    expect(printRoutes(s, { table: 257, details: true })).toBe(
      "unicast default via 10.1.0.2 dev a1 proto boot scope global \n",
    );
    expect(printRoutes(s, { family: 4, table: 254, json: true })).toContain(
      '{"type":"blackhole","dst":"198.51.100.0/24","flags":[]}',
    );
    expect(printRoutes(s, { family: 4, json: true })).toContain(
      '{"dst":"10.60.0.0/16","flags":[],"nexthops":[{"gateway":"10.1.0.2","dev":"a1",' +
        '"weight":1,"flags":[]},{"gateway":"10.2.0.2","dev":"a2","weight":1,"flags":["dead",' +
        '"linkdown"]}]}',
    );
  });

  it("IPv6 walker order: a node's source routes first, covering prefixes after them", () => {
    const s = bed();
    s.routes.push(
      route({ family: 6, dst: P("fd00::/8") }),
      route({ family: 6, dst: P("fd77::/64") }),
      route({ family: 6, dst: P("fd77::1/128") }),
      route({ family: 6, dst: P("fd77::/64"), src: P("fd01::/64") }),
      route({ family: 6, dst: P("fd01::/64"), metric: 256 }),
    );
    expect(
      printRoutes(s, { family: 6 })
        .split("\n")
        .map((l) => l.split(" dev")[0]),
    ).toEqual(["fd01::/64", "fd77::/64 from fd01::/64", "fd77::1", "fd77::/64", "fd00::/8", ""]);
  });
});

describe("printLinks / printAddrs", () => {
  it("a new namespace's lo", () => {
    const s = createHostState();
    expect(printLinks(s)).toBe(
      "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n" +
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n",
    );
    expect(printAddrs(s, { json: true })).toBe(
      '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK"],"mtu":65536,"qdisc":"noop",' +
        '"operstate":"DOWN","group":"default","txqlen":1000,"link_type":"loopback",' +
        '"address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00","addr_info":[]}]\n',
    );
  });

  it("tun without reader, veth with a down peer, labels, secondary, nodad", () => {
    const s = bed();
    s.links.push(
      {
        ifindex: 4,
        name: "wg0",
        kind: "tun",
        mac: null,
        mtu: 1420,
        up: true,
        carrier: false,
        group: 0,
        txqlen: 500,
        tunNoReader: true,
      },
      {
        ifindex: 5,
        name: "b9",
        kind: "veth",
        mac: "02:00:00:00:00:05",
        mtu: 1500,
        up: true,
        carrier: false,
        group: 3,
        txqlen: 1000,
        peer: "c9",
      },
      {
        ifindex: 6,
        name: "c9",
        kind: "veth",
        mac: "02:00:00:00:00:06",
        mtu: 1500,
        up: false,
        carrier: false,
        group: 0,
        txqlen: 1000,
        peer: "b9",
      },
    );
    s.addrs.push(
      {
        family: 4,
        ifindex: 4,
        local: A("10.66.0.2"),
        prefixlen: 32,
        scope: 0,
        secondary: false,
        noprefixroute: false,
        nodad: false,
      },
      {
        family: 6,
        ifindex: 4,
        local: A("fd66::2"),
        prefixlen: 128,
        scope: 0,
        secondary: false,
        noprefixroute: false,
        nodad: true,
      },
      {
        family: 4,
        ifindex: 2,
        local: A("10.1.0.1"),
        prefixlen: 24,
        broadcast: A("10.1.0.255"),
        scope: 0,
        secondary: false,
        noprefixroute: false,
        nodad: false,
        label: "a1:x",
      },
      {
        family: 4,
        ifindex: 2,
        local: A("10.1.0.9"),
        prefixlen: 24,
        scope: 0,
        secondary: true,
        noprefixroute: true,
        nodad: false,
      },
    );
    expect(printAddrs(s, { dev: "wg0" })).toBe(
      [
        "4: wg0: <NO-CARRIER,POINTOPOINT,MULTICAST,NOARP,UP> mtu 1420 qdisc pfifo_fast state " +
          "DOWN group default qlen 500",
        "    link/none ",
        "    inet 10.66.0.2/32 scope global wg0",
        "       valid_lft forever preferred_lft forever",
        "    inet6 fd66::2/128 scope global nodad ",
        "       valid_lft forever preferred_lft forever",
        "",
      ].join("\n"),
    );
    expect(printAddrs(s, { family: 4, dev: "a1" })).toBe(
      [
        "2: a1@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group " +
          "default qlen 1000 link-netnsid 0",
        "    inet 10.1.0.1/24 brd 10.1.0.255 scope global a1:x",
        "       valid_lft forever preferred_lft forever",
        "    inet 10.1.0.9/24 scope global secondary noprefixroute a1",
        "       valid_lft forever preferred_lft forever",
        "",
      ].join("\n"),
    );
    expect(printLinks(s, { dev: "b9" })).toBe(
      "5: b9@c9: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state " +
        "LOWERLAYERDOWN mode DEFAULT group 3 qlen 1000\n" +
        "    link/ether 02:00:00:00:00:05 brd ff:ff:ff:ff:ff:ff\n",
    );
  });
});

describe("printRouteGet", () => {
  const s = bed();
  s.tableNames.set(200, "200");
  it("IPv4 output lookups (kernel-semantics §4.2)", () => {
    expect(
      printRouteGet(s, decision({ daddr: "10.1.0.2", oif: 2, prefsrc: A("10.1.0.1") }), {
        family: 4,
      }),
    ).toBe("10.1.0.2 dev a1 src 10.1.0.1 uid 0 \n    cache \n");
    expect(
      printRouteGet(
        s,
        decision({
          daddr: "10.1.0.1",
          type: "local",
          oif: 1,
          table: 255,
          prefsrc: A("10.1.0.1"),
          cacheFlags: ["local"],
        }),
        { family: 4 },
      ),
    ).toBe("local 10.1.0.1 dev lo table local src 10.1.0.1 uid 0 \n    cache <local> \n");
    expect(
      printRouteGet(
        s,
        decision({
          daddr: "10.1.0.255",
          type: "broadcast",
          oif: 2,
          table: 255,
          prefsrc: A("10.1.0.1"),
          cacheFlags: ["brd", "local"],
        }),
        { family: 4 },
      ),
    ).toBe("broadcast 10.1.0.255 dev a1 table local src 10.1.0.1 uid 0 \n    cache <local,brd> \n");
    const d = decision({
      daddr: "8.8.8.8",
      gateway: A("10.2.0.2"),
      oif: 3,
      table: 200,
      prefsrc: A("10.2.0.1"),
    });
    d.flow.mark = 0x11;
    expect(printRouteGet(s, d, { family: 4 })).toBe(
      "8.8.8.8 via 10.2.0.2 dev a2 table 200 src 10.2.0.1 mark 0x11 uid 0 \n    cache \n",
    );
    expect(printRouteGet(s, d, { family: 4, mark: 5, json: true })).toBe(
      '[{"dst":"8.8.8.8","gateway":"10.2.0.2","dev":"a2","table":"200","prefsrc":"10.2.0.1",' +
        '"flags":[],"mark":5,"uid":0,"cache":[]}]\n',
    );
    expect(
      printRouteGet(
        s,
        decision({
          daddr: "224.0.0.1",
          type: "multicast",
          oif: 2,
          prefsrc: A("10.1.0.1"),
          cacheFlags: ["local", "mc"],
        }),
        { family: 4 },
      ),
    ).toBe(
      "multicast 224.0.0.1 dev a1 src 10.1.0.1 rt_offload_failed uid 0 \n    cache <local,mc> \n",
    );
    const tos = decision({
      daddr: "10.51.0.1",
      gateway: A("10.2.0.2"),
      oif: 3,
      prefsrc: A("10.2.0.1"),
      route: route({ family: 4, dst: P("10.51.0.0/16"), tos: 0x10 }),
    });
    expect(printRouteGet(s, tos, { family: 4 })).toBe(
      "10.51.0.1 tos 0x10 via 10.2.0.2 dev a2 src 10.2.0.1 uid 0 \n    cache \n",
    );
  });

  it("IPv4 input lookups: from, no src, no uid, iif after cache", () => {
    const d = decision({
      daddr: "8.8.8.8",
      gateway: A("10.1.0.2"),
      oif: 2,
      prefsrc: A("10.1.0.1"),
      cacheFlags: ["redirect"],
      iif: 2,
    });
    expect(printRouteGet(s, d, { family: 4, from: A("10.1.0.2"), iif: "a1" })).toBe(
      "8.8.8.8 from 10.1.0.2 via 10.1.0.2 dev a1 \n    cache <redirect> iif a1 \n",
    );
    expect(printRouteGet(s, d, { family: 4, from: A("10.1.0.2"), iif: "a1", json: true })).toBe(
      '[{"dst":"8.8.8.8","from":"10.1.0.2","gateway":"10.1.0.2","dev":"a1","flags":[],' +
        '"cache":["redirect"],"iif":"a1"}]\n',
    );
    expect(printRouteGet(s, d, { family: 4, from: A("10.1.0.2"), iif: "a1", uid: 1500 })).toContain(
      "dev a1 uid 1500 \n    cache <redirect> iif a1 \n",
    );
  });

  it("IPv6: from ::, proto, metric, pref, no uid/mark/cache", () => {
    const r = route({ family: 6, dst: P("::/0") });
    const d = decision({
      daddr: "fd99::1",
      gateway: A("fd01::2"),
      oif: 2,
      prefsrc: A("fd01::1"),
      route: r,
      table: 254,
    });
    d.flow.mark = 7;
    expect(printRouteGet(s, d, { family: 6 })).toBe(
      "fd99::1 from :: via fd01::2 dev a1 src fd01::1 metric 1024 pref medium\n",
    );
    const local = decision({
      daddr: "fd01::1",
      type: "local",
      oif: 1,
      table: 255,
      prefsrc: A("fd01::1"),
      route: route({
        family: 6,
        type: "local",
        table: 255,
        dst: P("fd01::1/128"),
        protocol: 2,
        metric: 0,
      }),
    });
    expect(printRouteGet(s, local, { family: 6, json: true })).toBe(
      '[{"type":"local","dst":"fd01::1","from":"::","dev":"lo","table":"local",' +
        '"protocol":"kernel","prefsrc":"fd01::1","metric":0,"flags":[],"pref":"medium"}]\n',
    );
  });

  it("fibmatch prints the FIB entry; errors print RTNETLINK answers", () => {
    const r = route({
      family: 4,
      dst: P("10.1.0.0/24"),
      protocol: 2,
      scope: 253,
      prefsrc: A("10.1.0.1"),
    });
    expect(
      printRouteGet(s, decision({ daddr: "10.1.0.2", route: r, table: 254 }), {
        family: 4,
        fibmatch: true,
      }),
    ).toBe("10.1.0.0/24 dev a1 proto kernel scope link src 10.1.0.1 \n");
    const { flow } = decision({ daddr: "10.1.0.77" });
    const err: Decision = { ok: false, errno: "EACCES", flow, trace: [] };
    expect(routeGetResult(s, err, { family: 4 })).toEqual({
      stdout: "",
      stderr: "RTNETLINK answers: Permission denied\n",
      status: 2,
    });
  });

  // iproute2 6.1 in a namespace: `ip route get 10.9.0.1 connected` through a tun with no
  // IPv4 address anywhere (no RTA_PREFSRC), plain and with -j.
  it("connected without a source: the answer, then Failed to connect the route", () => {
    const d = decision({ daddr: "10.9.0.1", oif: 2 });
    expect(routeGetResult(s, d, { family: 4, uid: 0, connected: true })).toEqual({
      stdout: "10.9.0.1 dev a1 uid 0 \n    cache \n",
      stderr: "Failed to connect the route\n",
      status: 1,
    });
    expect(routeGetResult(s, d, { family: 4, uid: 0, connected: true, json: true })).toEqual({
      stdout: '[{"dst":"10.9.0.1","dev":"a1","flags":[],"uid":0,"cache":[]}',
      stderr: "Failed to connect the route\n",
      status: 1,
    });
  });
});
