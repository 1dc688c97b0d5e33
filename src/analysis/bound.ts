/**
 * Locally generated packets from a socket bound to a source address (`ip route get DST from
 * SRC`, no iif) as packet classes: ip_route_output_key_hash_rcu with fl4->saddr set, as
 * src/engine/route.ts output4 takes one. IPv4: a multicast or limited-broadcast source is
 * EINVAL; a source that is not ours (__ip_dev_find: an interface address, else a `local`
 * route) ENETUNREACH; multicast and limited-broadcast destinations leave by the device that
 * owns the source, with no lookup; 0.0.0.0 loops back; the rest goes through the RPDB with
 * `from` rules reading the source (reply.ts replyOutcomes: the packets keep their source, and
 * a loopback source leaving by a device that is neither lo nor route_localnet is EINVAL,
 * __mkroute_output). IPv6 (ip6_route_output, RT6_LOOKUP_F_HAS_SADDR): the same fold; the
 * lookup does not check that the source is ours.
 *
 * **Scope.** The source 0.0.0.0 or :: is the unbound socket (classes.ts `universe`), not
 * here. Destinations under an IPv6 source-specific route are not answered (the lookup reads
 * the source there, input6.ts). With OUTPUT chains of the family nothing is answered: the
 * hook is modelled for unbound sockets only.
 * @module
 */
import { TABLE } from "../core/kinds.js";
import { LO } from "../engine/types.js";
import { linkByIndex } from "../model/links.js";
import { orConf4 } from "../model/sysctl.js";
import type { HostState } from "../model/types.js";
import { and, not, or } from "./bdd/apply.js";
import { type Bdd, FALSE } from "./bdd/arena.js";
import type { Analysis } from "./classes.js";
import { addrPrefix } from "./header.js";
import { sourceSpecific6, unanswered } from "./input6.js";
import { type Outcome, outcomeKey } from "./outcome.js";
import { specialize } from "./specialize.js";

type Part = { pred: Bdd; outcome: Outcome };

const p4 = (v: number, len: number) => ({ addr: { family: 4 as const, v: v >>> 0 }, len });

/** lo, or a device with route_localnet: a loopback source may leave by it (__mkroute_output). */
function loopbackOk(s: HostState, dev: number): boolean {
  const l = linkByIndex(s, dev);
  return !!l && (l.kind === "loopback" || orConf4(s, l.name, "route_localnet"));
}

/**
 * __ip_dev_find over the sources: the device owning each of our addresses — an interface
 * address (the first device that has it), else a `local` route of the local table.
 */
function owners4(a: Analysis): { pred: Bdd; dev: number }[] {
  const m = a.m;
  const out: { pred: Bdd; dev: number }[] = [];
  let seen = FALSE;
  const add = (p: Bdd, dev: number): void => {
    const pred = and(m, p, not(m, seen));
    if (pred === FALSE) return;
    out.push({ pred, dev });
    seen = or(m, seen, pred);
  };
  for (const x of a.s.addrs)
    if (x.family === 4) add(addrPrefix(m, "src", { addr: x.local, len: 32 }), x.ifindex);
  for (const g of a.tablesOn("src")(4, TABLE.local))
    if (g.res.kind === "route" && g.res.route.type === "local")
      add(g.pred, g.res.route.nexthops[g.res.nhIndex]!.ifindex);
  return out;
}

/**
 * ip_route_output_key_hash_rcu before the lookup, for IPv4 bound sources: pushes the
 * packets it answers and returns those that go on to the RPDB.
 */
function beforeLookup4(a: Analysis, all: Bdd, push: (p: Bdd, o: Outcome) => void): Bdd {
  const m = a.m;
  const src = (v: number, len: number) => addrPrefix(m, "src", p4(v, len));
  const dst = (v: number, len: number) => addrPrefix(m, "dst", p4(v, len));
  const refuse = (errno: "EINVAL" | "ENETUNREACH"): Outcome => ({
    family: 4,
    ok: false,
    errno,
    paths: [],
    bound: true,
  });
  const badSrc = or(m, src(0xe0000000, 4), src(0xffffffff, 32));
  push(and(m, all, badSrc), refuse("EINVAL"));
  let rest = and(m, all, not(m, badSrc));
  const owners = owners4(a);
  let ours = FALSE;
  for (const o of owners) ours = or(m, ours, o.pred);
  push(and(m, rest, not(m, ours)), refuse("ENETUNREACH"));
  rest = and(m, rest, ours);
  // Multicast and limited broadcast leave by the source's device (no oif, no lookup).
  const lbcast = dst(0xffffffff, 32);
  const mcast = dst(0xe0000000, 4);
  const loSrc = src(0x7f000000, 8);
  for (const o of owners) {
    const here = and(m, rest, o.pred);
    const bad = loopbackOk(a.s, o.dev) ? FALSE : loSrc;
    push(and(m, and(m, here, or(m, lbcast, mcast)), bad), refuse("EINVAL"));
    const ok = and(m, here, not(m, bad));
    const paths = [{ dev: o.dev }];
    push(and(m, ok, lbcast), { family: 4, ok: true, type: "broadcast", paths, bound: true });
    push(and(m, ok, mcast), { family: 4, ok: true, type: "multicast", paths, bound: true });
  }
  rest = and(m, rest, not(m, or(m, lbcast, mcast)));
  const zero = dst(0, 32);
  const special = "no destination: loopback to ourselves";
  const loop: Outcome = { family: 4, ok: true, type: "local", paths: [{ dev: LO }], special };
  push(and(m, rest, zero), { ...loop, bound: true });
  return and(m, rest, not(m, zero));
}

/**
 * Every packet of `fam` from a bound source with its outcome, merged by outcome (disjoint,
 * covering `a.boundUniverse(fam)`).
 */
export function boundOutcomes(a: Analysis, fam: 4 | 6): Part[] {
  const m = a.m;
  const byKey = new Map<string, Part>();
  const push = (pred: Bdd, outcome: Outcome): void => {
    if (pred === FALSE) return;
    const k = outcomeKey(outcome);
    const old = byKey.get(k);
    byKey.set(k, old ? { pred: or(m, old.pred, pred), outcome } : { pred, outcome });
  };
  const all = a.boundUniverse(fam);
  if (a.outputHooked(fam)) {
    const what = "OUTPUT chains for a socket bound to a source (modelled for unbound ones)";
    push(all, { ...unanswered(fam, `ipv${fam} OUTPUT`, what), bound: true });
    return [...byKey.values()];
  }
  let rest = all;
  if (fam === 4) rest = beforeLookup4(a, all, push);
  else {
    const src = sourceSpecific6(m, a.s);
    if (src.outcome) push(and(m, all, src.pred), { ...src.outcome, bound: true });
    rest = and(m, all, not(m, src.pred));
  }
  for (const x of foldBound(a, fam, rest)) push(x.pred, { ...x.outcome, bound: true });
  return [...byKey.values()];
}

/**
 * The outcomes of the packets of `start` (bound sources; replies, reply.ts): the RPDB folded
 * with `from` rules reading the source. The source is the bound one, so outcomes carry no
 * route `src`; a loopback source leaving by a device that is neither lo nor route_localnet
 * is EINVAL (__mkroute_output).
 */
export function foldBound(a: Analysis, fam: 4 | 6, start: Bdd): Part[] {
  const m = a.m;
  const byKey = new Map<string, Part>();
  const add = (pred: Bdd, outcome: Outcome): void => {
    if (pred === FALSE) return;
    const k = outcomeKey(outcome);
    const old = byKey.get(k);
    byKey.set(k, old ? { pred: or(m, old.pred, pred), outcome } : { pred, outcome });
  };
  const loopSrc = fam === 4 ? addrPrefix(m, "src", p4(0x7f << 24, 8)) : FALSE;
  for (const d of a.foldBound(fam, start))
    for (const [p, full] of specialize(m, fam, d)) {
      const { prefsrc: _, src: __, ...o } = full;
      if (fam === 4 && o.ok && o.paths.every((x) => !loopbackOk(a.s, x.dev))) {
        const bad = and(m, p, loopSrc);
        const where = {
          ...(o.table !== undefined ? { table: o.table } : {}),
          ...(o.rule !== undefined ? { rule: o.rule } : {}),
        };
        add(bad, { family: 4, ok: false, errno: "EINVAL", paths: [], ...where });
        add(and(m, p, not(m, loopSrc)), o);
      } else add(p, o);
    }
  return [...byKey.values()];
}

/** boundOutcomes of `families`, kept by the analysis until its next `refresh`. */
export function boundOutcomesOf(a: Analysis, families: readonly (4 | 6)[]): Part[] {
  return families.flatMap((f) => a.kept(`bound:${f}`, () => boundOutcomes(a, f)));
}
