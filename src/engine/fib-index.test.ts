/**
 * The FIB index against the linear scans it replaced: random hosts built by random route
 * scripts (add/append/prepend/replace/change/del, all route types, tos, metrics, IPv6
 * source routes, multipath, link down/up in between), then random flows looked up in every
 * table (and the merged local+main view) both ways. Also checks that the incrementally
 * maintained index equals one rebuilt from scratch, and the gateway checks of `route add`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contains, v4, v6, type Addr, type Family } from "../addr/ip.js";
import { createHostState } from "../model/host.js";
import { loadText } from "../model/load.js";
import { dropFib, gatewayDev4, gatewayVia6, hostFib } from "../model/fib-index.js";
import { SCOPE, TABLE } from "../core/kinds.js";
import type { HostState, Route } from "../model/types.js";
import { fibTableLookup, fibTableLookupReference, type TableResult } from "./fib.js";
import type { Flow } from "./types.js";

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
ip addr add 10.0.0.2/24 dev eth0
ip addr add 10.1.0.2/24 dev eth1
ip addr add 10.2.0.2/16 dev eth2
ip -6 addr add fd00::2/64 dev eth0 nodad
ip -6 addr add fd01::2/64 dev eth1 nodad
ip route add 10.9.0.0/16 via 10.0.0.1 table 100
ip route add 10.8.0.0/16 dev eth0 table 200
`;

const PFX4 = [
  "0.0.0.0/0",
  "10.0.0.0/8",
  "10.9.0.0/16",
  "10.9.1.0/24",
  "10.9.1.128/25",
  "10.9.1.7/32",
  "192.168.0.0/16",
  "192.168.1.0/24",
  "1.0.0.0/24",
  "1.0.0.0/8",
  "10.0.0.0/24",
  "10.2.0.0/16",
  "128.0.0.0/1",
  "172.16.0.0/12",
];
const PFX6 = [
  "::/0",
  "2001:db8::/32",
  "2001:db8:1::/48",
  "2001:db8:1:1::/64",
  "2001:db8:1:1::7/128",
  "fd00::/8",
  "fd00::/64",
  "fd01::/64",
  "2000::/3",
  "2001:db8:1::/56",
];
const ADDR4 = [
  "10.9.1.7",
  "10.9.1.200",
  "10.9.2.1",
  "10.0.0.1",
  "10.0.0.9",
  "192.168.1.1",
  "192.168.2.1",
  "1.0.0.1",
  "1.2.3.4",
  "8.8.8.8",
  "172.16.5.5",
  "10.2.3.4",
  "200.1.1.1",
  "10.1.0.1",
];
const ADDR6 = [
  "2001:db8:1:1::7",
  "2001:db8:1:1::8",
  "2001:db8:1:2::1",
  "2001:db8:2::1",
  "fd00::1",
  "fd00::99",
  "fd01::1",
  "2606:4700::1111",
  "2001:db8::1",
  "fe80::1",
];
const TABLES = ["main", "local", "100", "200"];

const routeLine = fc
  .record({
    fam: fc.constantFrom<Family>(4, 6),
    op: fc.constantFrom(
      "add",
      "add",
      "add",
      "append",
      "prepend",
      "replace",
      "change",
      "del",
      "del",
    ),
    type: fc.constantFrom(
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
    table: fc.constantFrom(...TABLES),
    metric: fc.constantFrom(-1, 0, 10, 20, 1024),
    tos: fc.constantFrom(0, 0, 0x10, 0x08),
    via: fc.nat(5),
    src: fc.nat(6),
    mp: fc.boolean(),
  })
  .map((o) => {
    const pfx = o.fam === 4 ? PFX4[o.p % PFX4.length]! : PFX6[o.p % PFX6.length]!;
    const parts = [o.fam === 6 ? "ip -6 route" : "ip route", o.op, o.type + pfx, "table", o.table];
    if (o.metric >= 0) parts.push("metric", String(o.metric));
    if (o.fam === 4 && o.tos && o.type === "") parts.push("tos", "0x" + o.tos.toString(16));
    if (o.fam === 6 && o.src < 2) parts.push("from", o.src === 0 ? "fd00::/64" : "2001:db8::/32");
    const unicast = o.type === "" || o.type === "local ";
    if (unicast || o.op === "del") {
      const gw4 = ["10.0.0.1", "10.1.0.1", "10.2.0.9"],
        gw6 = ["fd00::1", "fd01::1"];
      const devs = ["eth0", "eth1", "eth2"];
      if (o.mp && o.fam === 4 && o.type === "")
        parts.push("nexthop", "via", gw4[0]!, "nexthop", "via", gw4[1]!);
      else if (o.via % 3 === 0) parts.push("dev", devs[o.via % devs.length]!);
      else if (o.via % 3 === 1 && o.op !== "del")
        parts.push("via", o.fam === 4 ? gw4[o.via % gw4.length]! : gw6[o.via % gw6.length]!);
      else if (o.op !== "del")
        parts.push(
          "via",
          o.fam === 4 ? gw4[(o.via >> 1) % gw4.length]! : gw6[(o.via >> 1) % gw6.length]!,
          "dev",
          devs[o.via % 2]!,
        );
    }
    return parts.join(" ");
  });

const event = fc.constantFrom(
  "ip link set eth1 down",
  "ip link set eth1 up",
  "ip link set peer0 down",
  "ip link set peer0 up",
  "sysctl -w net.ipv4.conf.all.ignore_routes_with_linkdown=1",
  "sysctl -w net.ipv6.conf.all.ignore_routes_with_linkdown=1",
  "ip addr add 10.9.1.7/32 dev eth0",
  "ip route flush table 200",
);
const script = fc.array(
  fc.oneof({ arbitrary: routeLine, weight: 12 }, { arbitrary: event, weight: 1 }),
  { minLength: 5, maxLength: 60 },
);

const probe = fc.record({
  fam: fc.constantFrom<Family>(4, 6),
  a: fc.nat(1000),
  noise: fc.nat(0xff),
  tos: fc.constantFrom(0, 0x10, 0x08, 0x1c, 0x04),
  oif: fc.constantFrom(0, 0, 1, 2, 4, 6),
  src: fc.nat(3),
});

function flowOf(p: {
  fam: Family;
  a: number;
  noise: number;
  tos: number;
  oif: number;
  src: number;
}): Flow {
  let daddr: Addr;
  if (p.fam === 4) {
    const base = ADDR4[p.a % ADDR4.length]!.split(".").map(Number);
    daddr = v4(
      (((base[0]! << 24) | (base[1]! << 16) | (base[2]! << 8) | base[3]!) ^
        (p.a > 500 ? p.noise : 0)) >>>
        0,
    );
  } else {
    const s = ADDR6[p.a % ADDR6.length]!;
    daddr = v6(parse6(s) ^ (p.a > 500 ? BigInt(p.noise) : 0n));
  }
  const saddr =
    p.fam === 4 ? v4(0) : v6(p.src === 0 ? 0n : parse6(p.src === 1 ? "fd00::5" : "2001:db8::5"));
  return {
    family: p.fam,
    daddr,
    saddr,
    iif: 1,
    oif: p.oif,
    mark: 0,
    uid: 0,
    tos: p.tos,
    ipproto: 17,
    sport: 0,
    dport: 0,
    hasSaddr: p.src !== 0,
  };
}

function parse6(s: string): bigint {
  const [h, t] = s.split("::");
  const hs = h ? h.split(":") : [],
    ts = t ? t.split(":") : [];
  const all = [...hs, ...new Array(8 - hs.length - ts.length).fill("0"), ...ts];
  return all.reduce((acc, x) => (acc << 16n) | BigInt(parseInt(x, 16)), 0n);
}

const show = (r: TableResult) =>
  r.kind === "none"
    ? "none"
    : `${r.kind}:${r.route.seq}:${"nhIndex" in r ? r.nhIndex : ""}:${"errno" in r ? r.errno : ""}`;

function build(lines: string[]): HostState {
  const s = createHostState();
  loadText(s, BED + lines.join("\n") + "\n", "random.sh");
  return s;
}

/** The old linear fib_check_nh_v4_gw of ops.ts. */
function gatewayLinear(
  s: HostState,
  table: number,
  gw: Addr,
  oif: number | undefined,
): number | undefined {
  const tables =
    table !== TABLE.main ? [table, TABLE.local, TABLE.main] : [TABLE.local, TABLE.main];
  const inTable = (t: number) => {
    let best: Route | undefined;
    for (const r of [...s.routes].sort((a, b) => a.seq - b.seq)) {
      if (r.family !== gw.family || r.table !== t || !contains(r.dst, gw)) continue;
      if (best && best.dst.len > r.dst.len) continue;
      if (best && best.dst.len === r.dst.len && best.metric <= r.metric) continue;
      if (r.scope < SCOPE.link) continue;
      if (r.type !== "unicast" && r.type !== "local") continue;
      const nh = r.nexthops.find((n) => !oif || n.ifindex === oif);
      if (!nh) continue;
      best = r;
    }
    return best;
  };
  if (table !== TABLE.main) {
    const r = inTable(table);
    if (r) return r.nexthops.find((n) => !oif || n.ifindex === oif)?.ifindex;
  }
  for (const t of tables.slice(table !== TABLE.main ? 1 : 0)) {
    const r = inTable(t);
    if (r) {
      // A local route is a valid gateway (fib_check_nh_v4_gw accepts RTN_LOCAL).
      return r.nexthops.find((n) => !oif || n.ifindex === oif)?.ifindex;
    }
  }
  return undefined;
}

function viaLinear(s: HostState, table: number, gw: Addr, ifindex: number): Route | undefined {
  for (const tb of table === TABLE.main ? [TABLE.main] : [table, TABLE.main]) {
    const hits = s.routes
      .filter((r) => r.family === 6 && r.table === tb && contains(r.dst, gw) && !r.src?.len)
      .filter((r) => !ifindex || r.nexthops.some((n) => n.ifindex === ifindex))
      .sort((a, b) => b.dst.len - a.dst.len || a.metric - b.metric || a.seq - b.seq);
    const node = hits.filter((r) => r.dst.len === hits[0]?.dst.len && r.metric === hits[0]?.metric);
    const rank = (r: Route) => (r.pref6 ^ 2) & 3;
    const r = node.reduce<Route | undefined>(
      (b, x) => (!b || rank(x) > rank(b) ? x : b),
      undefined,
    );
    const reject = r && ["blackhole", "unreachable", "prohibit", "throw"].includes(r.type);
    if (r && !reject && !r.nexthops.some((n) => n.gateway)) return r;
  }
  return undefined;
}

describe("FIB index", () => {
  it("answers every table lookup exactly as the linear reference (random hosts and flows)", () => {
    fc.assert(
      fc.property(
        script,
        fc.array(probe, { minLength: 20, maxLength: 60 }),
        fc.boolean(),
        (lines, probes, ign) => {
          const s = build(lines);
          for (const p of probes) {
            const f = flowOf(p);
            const tables: (number | "merged")[] = [254, 255, 100, 200, 253, "merged"];
            for (const t of tables)
              expect(show(fibTableLookup(s, t, f, ign))).toBe(
                show(fibTableLookupReference(s, t, f, ign)),
              );
          }
        },
      ),
      { numRuns: 300, seed: 0x5eed },
    );
  });

  it("kept incrementally, equals an index rebuilt from scratch", () => {
    fc.assert(
      fc.property(script, (lines) => {
        const s = build(lines);
        const fib = hostFib(s);
        const dump = (x: typeof fib) =>
          [...x.tables.entries()]
            .sort((a, b) => a[0] - b[0])
            .map(([k, t]) => {
              const ids: string[] = [];
              t.forEachId((id) =>
                ids.push(
                  t
                    .aliases(id)
                    .map((p) => s.routes[p]!.seq)
                    .join(","),
                ),
              );
              return `${k}:${t.count}:${ids.sort().join("|")}`;
            })
            .join("\n");
        const before = dump(fib);
        dropFib(s);
        expect(dump(hostFib(s))).toBe(before);
        // every route is indexed exactly once
        let n = 0;
        for (const t of hostFib(s).tables.values()) n += t.count;
        expect(n).toBe(s.routes.length);
      }),
      { numRuns: 200, seed: 0x1de },
    );
  });

  it("gateway checks equal the old linear scans", () => {
    const gws4 = ["10.0.0.1", "10.1.0.1", "10.2.0.9", "10.9.1.7", "192.168.1.1", "8.8.8.8"].map(
      (x) => v4(x.split(".").reduce((a, b) => a * 256 + Number(b), 0)),
    );
    const gws6 = ["fd00::1", "fd01::1", "2001:db8:1:1::1", "fe80::1"].map((x) => v6(parse6(x)));
    fc.assert(
      fc.property(script, (lines) => {
        const s = build(lines);
        for (const table of [254, 255, 100, 200])
          for (const oif of [undefined, 2, 4, 6]) {
            for (const gw of gws4)
              expect(gatewayDev4(s, table, gw, oif)).toBe(gatewayLinear(s, table, gw, oif));
            for (const gw of gws6)
              expect(gatewayVia6(s, table, gw, oif ?? 0)).toBe(viaLinear(s, table, gw, oif ?? 0));
          }
      }),
      { numRuns: 200, seed: 0xa11 },
    );
  });
});
