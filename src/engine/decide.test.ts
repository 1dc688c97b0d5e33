/**
 * The compiled decider against routeGet: random hosts (rules of every selector and action,
 * several tables, every route type, tos, metrics, dead and linkdown nexthops, local
 * addresses, with and without custom rules) and random questions. Every question the
 * decider answers must print exactly what routeGet's decision prints, and name the same
 * route; the ones it leaves to routeGet are counted (they must stay a minority).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createHostState } from "../model/host.js";
import { loadText } from "../model/load.js";
import { routeGetResult } from "../print/routeget.js";
import { Answer4, answerToDecision, compileDecider, queryOf, type Query4 } from "./decide.js";
import { routeGet } from "./route.js";

const BED = `
ip link set lo up
ip link add eth0 type veth peer name peer0
ip link add eth1 type veth peer name peer1
ip link add eth2 type veth peer name peer2
ip link set peer0 up
ip link set eth0 up
ip link set eth1 up
ip link set peer2 up
ip link set eth2 up
ip link set eth2 group 7
ip addr add 10.0.0.2/24 dev eth0
ip addr add 10.1.0.2/24 dev eth1
ip addr add 10.2.0.2/16 dev eth2
ip addr add 10.2.0.3/16 dev eth2
ip addr add 192.168.9.1/32 dev lo
`;

const PFX = [
  "0.0.0.0/0",
  "10.0.0.0/8",
  "10.9.0.0/16",
  "10.9.1.0/24",
  "10.9.1.7/32",
  "192.168.0.0/16",
  "1.0.0.0/24",
  "1.0.0.0/8",
  "8.8.8.0/24",
  "10.2.0.0/16",
  "128.0.0.0/1",
  "172.16.0.0/12",
];
const TABLES = ["main", "local", "100", "200", "300"];
const GW = ["10.0.0.1", "10.1.0.1", "10.2.0.9"];

const routeLine = fc
  .record({
    op: fc.constantFrom("add", "add", "append", "prepend", "replace"),
    type: fc.constantFrom(
      "",
      "",
      "",
      "",
      "blackhole ",
      "unreachable ",
      "prohibit ",
      "throw ",
      "local ",
    ),
    p: fc.nat(100),
    t: fc.constantFrom(...TABLES),
    metric: fc.constantFrom(-1, 0, 10, 20),
    tos: fc.constantFrom(0, 0, 0, 0x10, 0x08),
    via: fc.nat(8),
    src: fc.nat(5),
    mp: fc.nat(9),
  })
  .map((o) => {
    const parts = ["ip route", o.op, o.type + PFX[o.p % PFX.length]!, "table", o.t];
    if (o.metric >= 0) parts.push("metric", String(o.metric));
    if (o.tos && o.type === "") parts.push("tos", "0x" + o.tos.toString(16));
    if (o.type === "" || o.type === "local ") {
      if (o.mp === 0 && o.type === "")
        parts.push("nexthop", "via", GW[0]!, "nexthop", "via", GW[1]!);
      else if (o.via % 4 === 0) parts.push("dev", ["eth0", "eth1", "eth2", "lo"][o.via % 4]!);
      else parts.push("via", GW[o.via % GW.length]!);
      if (o.src === 0) parts.push("src", "10.0.0.2");
      if (o.src === 1) parts.push("src", "192.168.9.1");
    }
    return parts.join(" ");
  });

const ruleLine = fc
  .record({
    pref: fc.nat(60),
    not: fc.nat(6),
    sel: fc.array(fc.nat(15), { maxLength: 3 }),
    act: fc.nat(12),
    t: fc.constantFrom("100", "200", "300", "main", "local", "default"),
    mark: fc.constantFrom(1, 2, 0x10, 0),
    uid: fc.nat(2000),
    port: fc.nat(2000),
  })
  .map((o) => {
    const parts = ["ip rule add pref", String(100 + o.pref * 10)];
    if (o.not === 0) parts.push("not");
    for (const s of o.sel) {
      switch (s) {
        case 0:
          parts.push("fwmark", String(o.mark));
          break;
        case 1:
          parts.push("fwmark", `${o.mark}/0xf`);
          break;
        case 2:
          parts.push("uidrange", `${o.uid}-${o.uid + 100}`);
          break;
        case 3:
          parts.push("from", "10.0.0.0/24");
          break;
        case 4:
          parts.push("to", "10.9.0.0/16");
          break;
        case 5:
          parts.push("to", "8.8.8.8");
          break;
        case 6:
          parts.push("tos", "0x10");
          break;
        case 7:
          parts.push("ipproto", "tcp");
          break;
        case 8:
          parts.push("dport", `${o.port}-${o.port + 500}`);
          break;
        case 9:
          parts.push("sport", String(o.port));
          break;
        case 10:
          parts.push("iif", "lo");
          break;
        case 11:
          parts.push("iif", "eth0");
          break;
        case 12:
          parts.push("oif", "eth0");
          break;
        case 13:
          parts.push("from", "192.168.9.1");
          break;
        default:
          parts.push("suppress_prefixlength", "0");
          break;
      }
    }
    if (o.act < 7) parts.push("lookup", o.t);
    else if (o.act === 7) parts.push("goto", String(100 + ((o.pref + 3) % 60) * 10));
    else if (o.act === 8) parts.push("nop");
    else if (o.act === 9) parts.push("unreachable");
    else if (o.act === 10) parts.push("prohibit");
    else if (o.act === 11) parts.push("blackhole");
    else parts.push("lookup", o.t, "suppress_ifgroup", "7");
    return parts.join(" ");
  });

const extra = fc.constantFrom(
  "ip link set peer1 down",
  "sysctl -w net.ipv4.conf.all.ignore_routes_with_linkdown=1",
  "ip link set eth1 down",
  "ip route add 10.9.9.0/24 via 10.1.0.1 table 100",
);
const host = fc.record({
  routes: fc.array(routeLine, { minLength: 3, maxLength: 40 }),
  rules: fc.array(ruleLine, { maxLength: 12 }),
  extra: fc.array(extra, { maxLength: 2 }),
  delRule: fc.boolean(),
});

const ADDRS = [
  0x0a090107, 0x0a0901c8, 0x0a090201, 0x0a000001, 0x0a000009, 0xc0a80101, 0xc0a80901, 0x01000001,
  0x01020304, 0x08080808, 0xac100505, 0x0a020304, 0xc8010101, 0x0a010001, 0x7f000001, 0xe0000001,
  0xffffffff, 0, 0x0a0000ff,
];
const SRCS = [0, 0, 0, 0x0a000002, 0xc0a80901, 0x0a020003, 0x0a000063, 0x7f000001];
const probe = fc
  .record({
    d: fc.nat(ADDRS.length * 4),
    noise: fc.nat(255),
    src: fc.nat(SRCS.length - 1),
    mark: fc.constantFrom(0, 1, 2, 0x10, 0x12, 0xff),
    uid: fc.nat(2200),
    tos: fc.constantFrom(0, 0x10, 0x08, 0x1c, 0x04),
    proto: fc.constantFrom(17, 6, 1),
    sport: fc.nat(2600),
    dport: fc.nat(2600),
  })
  .map(
    (o): Query4 => ({
      dst: (ADDRS[o.d % ADDRS.length]! ^ (o.d >= ADDRS.length * 2 ? o.noise : 0)) >>> 0,
      src: SRCS[o.src]!,
      mark: o.mark,
      uid: o.uid,
      tos: o.tos,
      proto: o.proto,
      sport: o.sport,
      dport: o.dport,
    }),
  );

describe("compiled decider", () => {
  it("answers as routeGet (printed answer and route), leaving only the rare cases to it", () => {
    let decided = 0,
      total = 0;
    fc.assert(
      fc.property(host, fc.array(probe, { minLength: 30, maxLength: 60 }), (h, probes) => {
        const s = createHostState();
        const script =
          BED +
          [...h.extra, ...h.routes, ...h.rules, ...(h.delRule ? ["ip rule del pref 0"] : [])].join(
            "\n",
          ) +
          "\n";
        loadText(s, script, "random.sh");
        const d = compileDecider(s);
        const a = new Answer4();
        for (const q of probes) {
          total++;
          if (!d.decide(q, a)) continue;
          decided++;
          const mine = answerToDecision(d, q, a);
          const ref = routeGet(s, queryOf(q));
          const pq = {
            family: 4 as const,
            ...(q.src ? { from: { family: 4 as const, v: q.src } } : {}),
            uid: q.uid,
            mark: q.mark,
          };
          expect(routeGetResult(s, mine, pq)).toEqual(routeGetResult(s, ref, pq));
          expect(mine.route).toBe(ref.route);
          expect(routeGetResult(s, mine, { ...pq, fibmatch: true, json: true })).toEqual(
            routeGetResult(s, ref, { ...pq, fibmatch: true, json: true }),
          );
        }
        expect(d.current()).toBe(true);
      }),
      { numRuns: 400, seed: 0xdec1de },
    );
    // Most questions are the decider's own (the probes include many special destinations and
    // sources on purpose).
    expect(decided / total).toBeGreaterThan(0.5);
  });
});
