/**
 * The analysis against brute force: small random hosts (a few prefixes in a few tables,
 * rules on 4-bit marks, uid ranges, destinations, protocol and port, with every action),
 * every packet of a small domain run through the concrete engine, and the class that
 * contains it must exist, be unique and have the engine's outcome. The same for received
 * packets (`route get DST from SRC iif DEV mark M`): rules on iif and from, rp_filter
 * strict/loose/off per device, src_valid_mark, accept_local and forwarding.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/analysis/bdd/sat.js";
import { Analysis } from "../../src/analysis/classes.js";
import { disagreement, queryOf } from "../../src/analysis/crosscheck.js";
import { encode, type HeaderPacket } from "../../src/analysis/header.js";
import { v4 } from "../../src/addr/ip.js";
import { routeGet } from "../../src/engine/route.js";
import { createHostState } from "../../src/model/host.js";
import { loadText } from "../../src/model/load.js";

const BASE = `ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip tuntap add mode tun dev tun0
ip link set tun0 up
ip addr add 10.9.0.1/24 dev tun0
`;

const PREFIXES = ["0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32"];
const TABLES = ["main", "100", "101"];
const TARGETS = ["dev eth0", "via 192.168.1.1 dev eth0", "dev tun0"];
const TYPES = ["", "", "", "blackhole ", "unreachable ", "prohibit ", "throw "];

const route = fc
  .tuple(
    fc.constantFrom(...TYPES),
    fc.constantFrom(...PREFIXES),
    fc.constantFrom(...TABLES),
    fc.constantFrom(...TARGETS),
    fc.constantFrom("", " metric 10", " tos 0x10"),
  )
  .map(([type, p, t, target, extra]) =>
    type ? `ip route add ${type}${p} table ${t}` : `ip route add ${p} ${target} table ${t}${extra}`,
  );

const selector = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 15 }), fc.constantFrom("", "/0xf", "/0x3", "/0xc"))
    .map(([v, m]) => `fwmark ${v}${m}`),
  fc.constantFrom("uidrange 0-999", "uidrange 1000-1000", "uidrange 5-5"),
  fc.constantFrom(...PREFIXES.slice(1)).map((p) => `to ${p}`),
  fc.constantFrom("ipproto tcp", "ipproto udp", "dport 53", "dport 50-60", "sport 1000"),
  fc.constantFrom("tos 0x10", "iif lo", "oif eth0"),
);

const action = fc.oneof(
  fc.constantFrom("lookup 100", "lookup 101", "lookup main", "lookup 102"),
  fc.constantFrom("lookup 100 suppress_prefixlength 0", "lookup main suppress_prefixlength 8"),
  fc.constantFrom("blackhole", "unreachable", "prohibit", "nop", "goto 2000", "goto 3000"),
);

const selectorIn = fc.oneof(
  selector,
  fc.constantFrom("iif eth0", "iif tun0", "iif lo"),
  fc.constantFrom("from 10.1.0.0/16", "from 192.168.1.0/24", "from 10.9.0.5/32", "from 0/0"),
);

const ruleWith = (sel: fc.Arbitrary<string>) =>
  fc
    .tuple(
      fc.boolean(),
      fc.array(sel, { maxLength: 2 }),
      action,
      fc.integer({ min: 1000, max: 4000 }),
    )
    .map(([not, sels, act, pref]) => {
      const p = act.startsWith("goto") ? Math.min(pref, 1999) : pref;
      return `ip rule add ${not ? "not " : ""}${sels.join(" ")} ${act} pref ${p}`;
    });

const rule = ruleWith(selector);

/** Sysctls of the input path: rp_filter (all and per device), src_valid_mark, and so on. */
const sysctl = fc.constantFrom(
  "all.rp_filter=1",
  "all.rp_filter=2",
  "eth0.rp_filter=1",
  "tun0.rp_filter=2",
  "tun0.rp_filter=1",
  "all.src_valid_mark=1",
  "eth0.src_valid_mark=1",
  "tun0.accept_local=1",
  "eth0.forwarding=0",
  "all.forwarding=1",
  "all.send_redirects=0",
);

const hostIn = fc
  .tuple(
    fc.array(route, { maxLength: 6 }),
    fc.array(ruleWith(selectorIn), { maxLength: 5 }),
    fc.boolean(),
    fc.array(sysctl, { maxLength: 4 }),
  )
  .map(([routes, rules, gw, sysctls]) =>
    [
      BASE,
      "sysctl -w net.ipv4.ip_forward=1\n",
      ...sysctls.map((x) => `sysctl -w net.ipv4.conf.${x}\n`),
      gw ? "ip route add default via 192.168.1.1 dev eth0\n" : "",
      ...routes.map((r) => r + "\n"),
      ...rules.map((r) => r + "\n"),
    ].join(""),
  );

const host = fc
  .tuple(fc.array(route, { maxLength: 6 }), fc.array(rule, { maxLength: 5 }), fc.boolean())
  .map(([routes, rules, gw]) =>
    [
      BASE,
      gw ? "ip route add default via 192.168.1.1 dev eth0\n" : "",
      ...routes.map((r) => r + "\n"),
      ...rules.map((r) => r + "\n"),
    ].join(""),
  );

const DSTS = [0x01010101, 0x0a000001, 0x0a010001, 0x0a010203, 0x0a010204, 0x0a090005, 0xc0a8010a];

/** Every packet of the small domain. */
function* packets(): Generator<HeaderPacket> {
  for (const d of DSTS)
    for (let mark = 0; mark < 16; mark++)
      for (const uid of [5, 1000])
        for (const [ipproto, dport, tos] of [
          [17, 53, 0],
          [6, 80, 0x10],
        ] as const)
          yield {
            family: 4,
            dst: v4(d),
            src: v4(0),
            iif: 1,
            oif: 0,
            fwmark: mark,
            uid,
            ipproto,
            sport: 1000,
            dport,
            tos,
            ctmark: 0,
            ctstate: 0,
          };
}

describe("analysis vs brute force on small random hosts", () => {
  it("every packet is in exactly one class, whose outcome the engine gives it", () => {
    fc.assert(
      fc.property(host, (text) => {
        const s = createHostState();
        loadText(s, text, "random.sh", {});
        const a = new Analysis(s);
        const classes = a.classes(undefined, [4]);
        for (const p of packets()) {
          const bits = encode(p);
          const mine = classes.filter((c) => evaluate(a.m, c.pred, bits));
          expect(mine).toHaveLength(1);
          const diffs = disagreement(mine[0]!.outcome, routeGet(s, queryOf(p)));
          if (diffs.length)
            expect({ text, packet: { ...p, dst: p.dst.v }, diffs }).toEqual({ text, diffs: [] });
        }
      }),
      { numRuns: Number(process.env.ROUTELAB_FUZZ_RUNS ?? 30) },
    );
  });
});

const SRCS = [0x0a010203, 0x0a090005, 0xc0a80101, 0xc0a8010a, 0x08080808, 0, 0x7f000001];
const DSTS_IN = [...DSTS, 0x0a090001, 0xffffffff, 0xc0a801ff, 0xe0000001, 0];

/** Every received packet of the small domain, on each device ([ifindex, name]). */
function* received(devs: readonly [number, string][]): Generator<[HeaderPacket, string]> {
  for (const [iif, name] of devs)
    for (const d of DSTS_IN)
      for (const src of SRCS)
        for (const mark of [0, 1, 12])
          for (const tos of [0, 0x10])
            yield [
              {
                family: 4,
                dst: v4(d),
                src: v4(src),
                iif,
                oif: 0,
                fwmark: mark,
                uid: 0,
                ipproto: 17,
                sport: 1000,
                dport: 53,
                tos,
                ctmark: 0,
                ctstate: 0,
              },
              name,
            ];
}

describe("received packets: analysis vs brute force on small random hosts", () => {
  it("every received packet is in exactly one input class, with the engine's outcome", () => {
    fc.assert(
      fc.property(hostIn, (text) => {
        const s = createHostState();
        loadText(s, text, "random.sh", {});
        const a = new Analysis(s);
        const devs = ["lo", "eth0", "tun0"].map(
          (n) => [s.links.find((l) => l.name === n)!.ifindex, n] as [number, string],
        );
        const classes = a.inputOutcomes(devs.map(([i]) => i));
        for (const [p, name] of received(devs)) {
          const bits = encode(p);
          const mine = classes.filter((c) => evaluate(a.m, c.pred, bits));
          expect(mine).toHaveLength(1);
          const diffs = disagreement(mine[0]!.outcome, routeGet(s, queryOf(p, name)));
          if (diffs.length)
            expect({ text, packet: { ...p, dst: p.dst.v, src: p.src.v }, diffs }).toEqual({
              text,
              diffs: [],
            });
        }
      }),
      { numRuns: Number(process.env.ROUTELAB_FUZZ_RUNS ?? 20) },
    );
  });
});
