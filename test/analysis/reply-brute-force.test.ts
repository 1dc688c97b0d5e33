/**
 * Replies against brute force: small random hosts with source rules (`from` the host's
 * addresses, loopback, `not from`), ports and uid ranges; every reply of a small domain
 * (each local source × peers × uids × protocols) run through the concrete engine as
 * `ip route get PEER from SRC …`: the reply class that contains it must exist, be unique and
 * have the engine's outcome.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/analysis/bdd/sat.js";
import { Analysis } from "../../src/analysis/classes.js";
import { disagreement } from "../../src/analysis/crosscheck.js";
import { encode, type HeaderPacket } from "../../src/analysis/header.js";
import { replyOutcomes, replyQuery, replySets } from "../../src/analysis/reply.js";
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
const TARGETS = ["dev eth0", "via 192.168.1.1 dev eth0", "dev tun0", "dev lo"];
const TYPES = ["", "", "", "blackhole ", "unreachable ", "throw "];

const route = fc
  .tuple(
    fc.constantFrom(...TYPES),
    fc.constantFrom(...PREFIXES),
    fc.constantFrom(...TABLES),
    fc.constantFrom(...TARGETS),
    fc.constantFrom("", " metric 10", " src 10.9.0.1"),
  )
  .map(([type, p, t, target, extra]) =>
    type ? `ip route add ${type}${p} table ${t}` : `ip route add ${p} ${target} table ${t}${extra}`,
  );

const selector = fc.oneof(
  fc.constantFrom(
    "from 192.168.1.10",
    "from 10.9.0.0/24",
    "from 127.0.0.0/8",
    "from 192.168.0.0/16",
    "from 0.0.0.0/32",
  ),
  fc.constantFrom("uidrange 0-999", "uidrange 1000-1000"),
  fc.constantFrom(...PREFIXES.slice(1)).map((p) => `to ${p}`),
  fc.constantFrom("ipproto tcp", "sport 53", "sport 80", "dport 1000", "iif lo", "fwmark 1"),
);

const action = fc.constantFrom(
  "lookup 100",
  "lookup 101",
  "lookup main",
  "lookup 100 suppress_prefixlength 0",
  "unreachable",
  "prohibit",
  "nop",
);

const rule = fc
  .tuple(fc.boolean(), fc.array(selector, { maxLength: 2 }), action, fc.nat({ max: 3000 }))
  .map(
    ([not, sels, act, pref]) =>
      `ip rule add ${not ? "not " : ""}${sels.join(" ")} ${act} pref ${1000 + pref}`,
  );

const host = fc
  .tuple(
    fc.array(route, { maxLength: 6 }),
    fc.array(rule, { maxLength: 5 }),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([routes, rules, gw, localnet]) =>
    [
      BASE,
      gw ? "ip route add default via 192.168.1.1 dev eth0\n" : "",
      localnet ? "sysctl -w net.ipv4.conf.eth0.route_localnet=1\n" : "",
      ...routes.map((r) => r + "\n"),
      ...rules.map((r) => r + "\n"),
    ].join(""),
  );

const SRCS = [0xc0a8010a, 0x0a090001, 0x7f000001];
const PEERS = [0x01010101, 0x0a000001, 0x0a010203, 0x0a090005, 0xc0a80114, 0xc0a8010a];

/** Every reply of the small domain. */
function* replies(): Generator<HeaderPacket> {
  for (const src of SRCS)
    for (const peer of PEERS)
      for (const uid of [5, 1000])
        for (const [ipproto, sport] of [
          [17, 53],
          [6, 80],
        ] as const)
          yield {
            family: 4,
            dst: v4(peer),
            src: v4(src),
            iif: 1,
            oif: 0,
            fwmark: 0,
            uid,
            ipproto,
            sport,
            dport: 1000,
            tos: 0,
            ctmark: 0,
            ctstate: 1,
          };
}

describe("replies vs brute force on small random hosts", () => {
  it("every reply is in exactly one class, whose outcome the engine gives it", () => {
    fc.assert(
      fc.property(host, (text) => {
        const s = createHostState();
        loadText(s, text, "random.sh", {});
        const a = new Analysis(s);
        const rs = replySets(a, [{ kind: "family", family: 4 }], { from: [] });
        if (!rs.ok) throw new Error(rs.error.message);
        const set = rs.value.sets[0]!.pred;
        const classes = replyOutcomes(a, 4, set);
        for (const p of replies()) {
          const bits = encode(p);
          const loop = (p.src.v as number) >>> 24 === 127;
          // A reply from a loopback address goes only to this host (the original came on lo),
          // unless a device has route_localnet.
          const localnet = text.includes("route_localnet=1");
          const toUs = (p.dst.v as number) === 0xc0a8010a;
          expect(evaluate(a.m, set, bits)).toBe(!loop || toUs || localnet);
          if (!evaluate(a.m, set, bits)) continue;
          const mine = classes.filter((c) => evaluate(a.m, c.pred, bits));
          expect(mine).toHaveLength(1);
          const diffs = disagreement(mine[0]!.outcome, routeGet(s, replyQuery(p)));
          if (diffs.length)
            expect({ text, packet: { ...p, dst: p.dst.v, src: p.src.v }, diffs }).toEqual({
              text,
              diffs: [],
            });
        }
      }),
      { numRuns: Number(process.env.ROUTELAB_FUZZ_RUNS ?? 30) },
    );
  });
});
