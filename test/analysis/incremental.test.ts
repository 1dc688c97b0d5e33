/**
 * Incremental analysis == analysis from scratch: on small random hosts, after each change of
 * a random sequence (routes and rules added and deleted, tables flushed, a device down and
 * up), the outcomes an `Analysis` patched by `refresh` gives are exactly those a new analysis
 * of the same host computes (same arena, so equal sets are equal node ids), for local and
 * received packets, and so are the classes with their counts and representatives and the
 * answers of `check`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAssertion } from "../../src/analysis/assert.js";
import { and, or } from "../../src/analysis/bdd/apply.js";
import { FALSE } from "../../src/analysis/bdd/arena.js";
import { checkAssertion, holds, packetsPred } from "../../src/analysis/check.js";
import { Analysis } from "../../src/analysis/classes.js";
import { representative } from "../../src/analysis/describe.js";
import { outcomeKey } from "../../src/analysis/outcome.js";
import { createHostState } from "../../src/model/host.js";
import { loadText } from "../../src/model/load.js";
import { buildNetfilter } from "../../src/model/netfilter.js";
import type { HostState } from "../../src/model/types.js";

const BASE = `ip link set lo up
ip link add eth0 type veth peer name eth0-peer
ip link set eth0-peer up
ip link set eth0 up
ip addr add 192.168.1.10/24 dev eth0
ip addr add 2001:db8::10/64 dev eth0
ip tuntap add mode tun dev tun0
ip link set tun0 up
ip addr add 10.9.0.1/24 dev tun0
`;

const PREFIXES = ["0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32"];
const PREFIXES6 = ["::/0", "2001:db8:1::/48", "2001:db8:1:2::/64"];
const TABLES = ["main", "100", "101"];
const TARGETS = ["dev eth0", "via 192.168.1.1 dev eth0", "dev tun0"];
const TYPES = ["", "", "", "blackhole ", "unreachable ", "prohibit ", "throw "];

const route4 = fc
  .tuple(
    fc.constantFrom(...TYPES),
    fc.constantFrom(...PREFIXES),
    fc.constantFrom(...TABLES),
    fc.constantFrom(...TARGETS),
    fc.constantFrom("", " metric 10", " tos 0x10"),
  )
  .map(([type, p, t, target, extra]) =>
    type ? `${type}${p} table ${t}` : `${p} ${target} table ${t}${extra}`,
  );

const route6 = fc
  .tuple(
    fc.constantFrom("", "unreachable ", "throw "),
    fc.constantFrom(...PREFIXES6),
    fc.constantFrom(...TABLES),
    fc.constantFrom("dev eth0", "via 2001:db8::1 dev eth0", "dev tun0"),
  )
  .map(([type, p, t, target]) => (type ? `${type}${p} table ${t}` : `${p} ${target} table ${t}`));

const selector = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 15 }), fc.constantFrom("", "/0xf", "/0x3"))
    .map(([v, m]) => `fwmark ${v}${m}`),
  fc.constantFrom("uidrange 0-999", "uidrange 1000-1000"),
  fc.constantFrom(...PREFIXES.slice(1)).map((p) => `to ${p}`),
  fc.constantFrom("ipproto tcp", "dport 53", "tos 0x10", "iif lo", "oif eth0"),
);

const action = fc.constantFrom(
  "lookup 100",
  "lookup 101",
  "lookup main",
  "lookup 100 suppress_prefixlength 0",
  "unreachable",
  "nop",
  "goto 2000",
  "goto 3000",
);

/** Prefs: often a goto's target (2000, 3000), so jumps land. */
const pref = fc.oneof(
  fc.constantFrom(1500, 2000, 2500, 3000),
  fc.integer({ min: 1000, max: 4000 }),
);

const rule = fc
  .tuple(fc.boolean(), fc.array(selector, { maxLength: 2 }), action, pref)
  .map(([not, sels, act, pref]) => {
    const p = act.startsWith("goto") ? Math.min(pref, 1999) : pref;
    return `${not ? "not " : ""}${sels.join(" ")} ${act} pref ${p}`;
  });

/** One change: a route or rule added or deleted, a table flushed, tun0 down or up. */
const change = fc.oneof(
  { weight: 4, arbitrary: route4.map((r) => `ip route add ${r}`) },
  { weight: 3, arbitrary: route4.map((r) => `ip route del ${r}`) },
  { weight: 2, arbitrary: route6.map((r) => `ip -6 route add ${r}`) },
  { weight: 1, arbitrary: route6.map((r) => `ip -6 route del ${r}`) },
  { weight: 3, arbitrary: rule.map((r) => `ip rule add ${r}`) },
  { weight: 1, arbitrary: rule.map((r) => `ip -6 rule add ${r.replace(/ to [^ ]+/, "")}`) },
  {
    weight: 2,
    arbitrary: pref.map((p) => `ip rule del pref ${p}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "ip route flush table 100",
      "ip link set tun0 down",
      "ip link set tun0 up",
    ),
  },
);

const scenario = fc.record({
  routes: fc.array(route4, { maxLength: 5 }),
  rules: fc.array(rule, { maxLength: 4 }),
  changes: fc.array(change, { minLength: 1, maxLength: 12 }),
});

/** Outcome key -> node id, for both families, and for packets received on eth0 (ifindex 2). */
function byKey(a: Analysis): Map<string, number> {
  const received = a.inputOutcomes([2]).map((c) => ["in " + outcomeKey(c.outcome), c.pred]);
  const sent = a.outcomes([4, 6]).map((c) => [outcomeKey(c.outcome), c.pred]);
  return new Map([...sent, ...received] as [string, number][]);
}

/** How each class's final mark reads (on the class's own packets). */
function markTexts(a: Analysis): Map<string, string | undefined> {
  return new Map(a.outcomes([4, 6]).map((c) => [outcomeKey(c.outcome), c.outcome.nf?.markText]));
}

function classesOf(a: Analysis) {
  return a
    .classes()
    .map((c) => ({ key: outcomeKey(c.outcome), pred: c.pred, count: c.count }))
    .sort((x, y) => (x.key < y.key ? -1 : 1));
}

const ASSERTIONS = [
  "never: uid 1000 -> dev tun0",
  "always: to 10.0.0.0/8 -> dev eth0",
  "never: -6 -> dev eth0",
  "always: mark 0x1/0x3 -> dropped",
  "never: ipproto tcp -> sent",
].map((t) => {
  const r = parseAssertion(t);
  if (!r.ok) throw new Error(t);
  return r.value;
});

/**
 * Each assertion's answer, and what it must be: the representative of the union of the
 * violating packets (check itself never builds that union).
 */
function answers(a: Analysis, fresh: Analysis) {
  return ASSERTIONS.map((as) => {
    const got = checkAssertion(a, as);
    const packets = packetsPred(fresh, as.packets);
    let bad = FALSE;
    for (const c of fresh.outcomes()) {
      const paths = c.outcome.paths.length ? c.outcome.paths : [undefined];
      const r = paths.map((p) => holds(fresh.s, as.outcome, c.outcome, p));
      const violates = as.quantifier === "always" ? !r.every((x) => x) : r.some((x) => x);
      if (violates) bad = or(fresh.m, bad, and(fresh.m, c.pred, packets));
    }
    const ce = bad === FALSE ? undefined : representative(fresh.m, bad);
    return {
      got: got.ok ? [got.value.holds, got.value.counterexample] : got.error.message,
      want: [ce === undefined, ce],
    };
  });
}

function load(s: HostState, text: string): void {
  loadText(s, text + "\n", "change.sh", {});
}

describe("incremental analysis", () => {
  it("after every change, the patched outcomes and classes equal those from scratch", () => {
    fc.assert(
      fc.property(scenario, ({ routes, rules, changes }) => {
        const s = createHostState();
        load(s, BASE + "ip route add default via 192.168.1.1 dev eth0");
        for (const r of routes) load(s, `ip route add ${r}`);
        for (const r of rules) load(s, `ip rule add ${r}`);
        const a = new Analysis(s);
        a.outcomes([4, 6]);
        for (const c of changes) {
          load(s, c);
          a.refresh();
          const fresh = new Analysis(s, a.m);
          expect({ after: c, outcomes: byKey(a) }).toEqual({ after: c, outcomes: byKey(fresh) });
          expect(classesOf(a)).toEqual(classesOf(fresh));
          for (const x of answers(a, fresh)) expect(x.got).toEqual(x.want);
        }
      }),
      { numRuns: Number(process.env.ROUTELAB_FUZZ_RUNS ?? 40) },
    );
  });

  it("with OUTPUT mark chains (re-route), the patched outcomes equal those from scratch", () => {
    // Marks set in OUTPUT re-route packets; route changes redo the hook for their dsts only,
    // rule changes for the packets whose first or re-route lookup meets a changed rule.
    const NF = [
      "iptables -t mangle -A OUTPUT -d 10.1.0.0/16 -j MARK --set-mark 1",
      "iptables -t mangle -A OUTPUT -m owner --uid-owner 1000 -j MARK --set-mark 2",
      "iptables -t mangle -A OUTPUT -d 10.1.2.3 -j MARK --set-mark 0",
      "iptables -A OUTPUT -d 10.1.2.0/24 -p udp --dport 53 -j DROP",
      "ip rule add pref 90 fwmark 1 lookup 100",
      "ip rule add pref 91 fwmark 2 lookup 101",
    ].join("\n");
    fc.assert(
      fc.property(scenario, ({ routes, rules, changes }) => {
        const s = createHostState();
        load(s, BASE + "ip route add default via 192.168.1.1 dev eth0\n" + NF);
        for (const r of routes) load(s, `ip route add ${r}`);
        for (const r of rules) load(s, `ip rule add ${r}`);
        // Built once, as a Host does: the analysis keeps its OUTPUT walk for these chains.
        const built = buildNetfilter(s).chains;
        const chains = () => built;
        const a = new Analysis(s, undefined, chains);
        a.outcomes([4, 6]);
        for (const c of changes) {
          load(s, c);
          a.refresh();
          const fresh = new Analysis(s, a.m, chains);
          expect({ after: c, outcomes: byKey(a) }).toEqual({ after: c, outcomes: byKey(fresh) });
          expect({ after: c, marks: markTexts(a) }).toEqual({ after: c, marks: markTexts(fresh) });
        }
      }),
      { numRuns: Number(process.env.ROUTELAB_FUZZ_RUNS ?? 30) },
    );
  });

  it("with PREROUTING chains changing, received packets' outcomes equal a fresh analysis", () => {
    // The input outcomes are read through PREROUTING on every question after a refresh: a
    // rule added to or deleted from the hook, or a route or rule the marked packets meet,
    // is never answered from an old walk.
    const NF = [
      "iptables -t mangle -A PREROUTING -d 10.1.0.0/16 -j RETURN",
      "iptables -t mangle -A PREROUTING -i eth0 -p udp -j TPROXY --on-port 7893 --tproxy-mark 1/1",
      "ip rule add pref 90 fwmark 1/1 lookup 101",
      "ip route add local 0.0.0.0/0 dev lo table 101",
    ].join("\n");
    const nfChange = fc.constantFrom(
      "iptables -t mangle -I PREROUTING -s 10.9.0.0/24 -j MARK --set-mark 2",
      "iptables -t mangle -I PREROUTING -p tcp -j CONNMARK --restore-mark",
      "iptables -t mangle -D PREROUTING 1",
      "iptables -t raw -A PREROUTING -d 10.1.2.3 -j DROP",
      "iptables -t raw -F PREROUTING",
      "ip rule add pref 91 fwmark 2 lookup 100",
      "ip rule del pref 90",
    );
    const changes = fc.array(fc.oneof({ weight: 2, arbitrary: change }, nfChange), {
      minLength: 1,
      maxLength: 10,
    });
    fc.assert(
      fc.property(scenario, changes, ({ routes, rules }, cs) => {
        const s = createHostState();
        load(s, BASE + "ip route add default via 192.168.1.1 dev eth0\n" + NF);
        for (const r of routes) load(s, `ip route add ${r}`);
        for (const r of rules) load(s, `ip rule add ${r}`);
        const chains = () => buildNetfilter(s).chains;
        const a = new Analysis(s, undefined, chains);
        a.inputOutcomes([2]);
        for (const c of cs) {
          load(s, c);
          a.refresh();
          const fresh = new Analysis(s, a.m, chains);
          const received = (x: Analysis) =>
            new Map(x.inputOutcomes([2]).map((o) => [outcomeKey(o.outcome), o.pred]));
          expect({ after: c, outcomes: received(a) }).toEqual({
            after: c,
            outcomes: received(fresh),
          });
        }
      }),
      { numRuns: Number(process.env.ROUTELAB_FUZZ_RUNS ?? 20) },
    );
  });

  it("many route changes before a rule change (each rule's set patched when read)", () => {
    const s = createHostState();
    const rules = [
      "ip rule add pref 500 lookup 52",
      "ip rule add pref 600 fwmark 1 lookup 100",
      "ip rule add pref 700 uidrange 1000-1000 lookup 101",
      "ip route add 10.200.0.0/16 dev eth0 table 100",
    ];
    load(s, BASE + rules.join("\n"));
    const a = new Analysis(s);
    a.outcomes([4, 6]);
    // More route changes than a rule's pending patches may pile up (rpdb.ts MAX_PENDING).
    for (let i = 0; i < 90; i++) {
      const verb = i % 3 === 2 ? "del" : "add";
      const n = i % 3 === 2 ? i - 1 : i;
      load(s, `ip route ${verb} 10.${200 + (n % 3)}.${n}.0/24 dev tun0 table ${52 + (n % 2) * 49}`);
      a.refresh();
      if (i % 30 === 29) expect(byKey(a)).toEqual(byKey(new Analysis(s, a.m)));
    }
    // A goto recomputes from the memo's walk, resumed at the first changed rule (read there).
    for (const c of ["ip rule add pref 650 fwmark 2 goto 700", "ip rule del pref 600"]) {
      load(s, c);
      a.refresh();
      expect({ after: c, outcomes: byKey(a) }).toEqual({
        after: c,
        outcomes: byKey(new Analysis(s, a.m)),
      });
    }
  });

  it("patches single route and rule changes in a row (the bench's pattern), jumps pending", () => {
    const s = createHostState();
    const rules = [
      "ip rule add pref 500 lookup 52",
      // Packets table 52 does not take jump over 600 and the rules added at 610+: a route
      // change moves pending jumps, and a rule change resumes the walk while they pend.
      "ip rule add pref 550 uidrange 1000-1000 goto 650",
      "ip rule add pref 600 fwmark 1 lookup 100",
      "ip rule add pref 650 to 10.200.0.0/16 unreachable",
      "ip route add 10.200.0.0/16 dev eth0 table 100",
    ];
    load(s, BASE + rules.join("\n"));
    const a = new Analysis(s);
    a.outcomes([4, 6]);
    for (let i = 0; i < 40; i++) {
      // A route added, a rule added and deleted while it is there, the route deleted.
      const [k, n] = [i % 4, i >> 2];
      const verb = k === 0 || k === 1 ? "add" : "del";
      const c =
        k === 0 || k === 3
          ? `ip route ${verb} 10.200.${n}.0/24 dev tun0 table 52`
          : `ip rule ${verb} pref ${610 + n} fwmark ${n} lookup 52`;
      load(s, c);
      a.refresh();
      expect(byKey(a)).toEqual(byKey(new Analysis(s, a.m)));
    }
  });
});
