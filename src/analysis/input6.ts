/**
 * Received IPv6 packets as packet classes: ip6_route_input (net/ipv6/route.c) over the
 * packets arriving on one device, as src/engine/route.ts route6 takes a single one with an
 * iif (`ip -6 route get DST from SRC iif DEV`). ip6_route_input_lookup runs fib6_rule_lookup
 * (the RPDB fold with the ingress device as iif; `from` rules read the source, as
 * RT6_LOOKUP_F_HAS_SADDR is set) with ip6_pol_route_input, which passes the ingress device
 * as the oif: rt6_score_route prefers its routes within a fib6 node, and for the
 * destinations rt6_need_strict names (multicast, link-local, ::1) RT6_LOOKUP_F_IFACE makes
 * only its routes usable (lookupFlow6 in the engine; not for a packet received on lo).
 *
 * **Scope.** The route lookup, as `ip -6 route get … iif` answers it. Unlike IPv4's
 * ip_route_input_slow, the IPv6 lookup checks neither addresses nor sysctls: what
 * ip6_rcv_core drops before it (multicast or loopback sources, ::1 from another device…)
 * and ip6_forward after it (conf forwarding off, hop limit, scope) is not modelled, as the
 * engine does not model it. Packets after PREROUTING (not modelled): any mark, uid 0 (the
 * flow ip6_route_input builds has no uid), oif 0. Destinations under a source-specific route
 * (`ip -6 route add DST from SRC`) are not answered: the lookup there reads the source
 * (fib6 subtrees), which the table partitions do not.
 * @module
 */
import { formatAddr } from "../addr/ip.js";
import type { Flow } from "../engine/types.js";
import { linkByIndex } from "../model/links.js";
import type { HostState, Route, Rule } from "../model/types.js";
import { and, not, or } from "./bdd/apply.js";
import { type Bdd, type BddArena, FALSE } from "./bdd/arena.js";
import { addrPrefix } from "./header.js";
import type { Outcome } from "./outcome.js";
import { foldRpdb, type TableSource } from "./rpdb.js";
import { type FlowView, HEADER_VIEW } from "./rule-pred.js";
import { specialize } from "./specialize.js";
import { type TableGroup, type TableSpec, tablePartition } from "./table.js";

type Part = { pred: Bdd; outcome: Outcome };

/** What the IPv6 input lookup reads of an analysis (classes.ts Analysis). */
export interface Lookups6 {
  readonly m: BddArena;
  readonly s: HostState;
  matcher(view: FlowView, hasSaddr: boolean): (r: Rule) => Bdd;
  inputUniverse(ifindex: number, family: 4 | 6): Bdd;
  /** The table partitions of input lookups on `ifindex` (inputPartition6), cached. */
  inputTables6(ifindex: number): TableSource;
}

const p6 = (v: bigint, len: number) => ({ addr: { family: 6 as const, v }, len });

/**
 * rt6_need_strict: the destinations whose ipv6_addr_type is multicast, link-local (fe80::/10)
 * or loopback (::1).
 */
export function needStrict6(m: BddArena): Bdd {
  const mc = addrPrefix(m, "dst", p6(0xffn << 120n, 8));
  const ll = addrPrefix(m, "dst", p6(0xfe80n << 112n, 10));
  return or(m, mc, or(m, ll, addrPrefix(m, "dst", p6(1n, 128))));
}

/**
 * A table's partition for the input lookups on device `inIf` (tablePartition with the
 * ingress device as ip6_pol_route_input's oif): its routes are preferred; for the
 * rt6_need_strict destinations they are the only usable ones (but on lo, which
 * ip6_route_input_lookup does not bind).
 */
export function inputPartition6(
  m: BddArena,
  s: HostState,
  t: TableSpec,
  inIf: number,
  routes: readonly Route[],
): TableGroup[] {
  const scored = tablePartition(m, s, 6, t, "dst", routes, { scoreOif: inIf });
  if (linkByIndex(s, inIf)?.kind === "loopback") return scored;
  const dev: Pick<Flow, "nhOif" | "scoreOif"> = { nhOif: inIf, scoreOif: inIf };
  const bound = tablePartition(m, s, 6, t, "dst", routes, dev);
  const strict = needStrict6(m);
  const byKey = new Map<string, TableGroup>();
  const add = (g: TableGroup, where: Bdd): void => {
    const p = and(m, g.pred, where);
    if (p === FALSE) return;
    const old = byKey.get(g.key);
    byKey.set(g.key, old ? { ...old, pred: or(m, old.pred, p) } : { ...g, pred: p });
  };
  for (const g of scored) add(g, not(m, strict));
  for (const g of bound) add(g, strict);
  return [...byKey.values()];
}

/** An outcome the analysis does not answer: `by` names what it meets, `what` says why. */
export function unanswered(family: 4 | 6, by: string, what: string): Outcome {
  const nf = { verdict: "unknown", by, what, mark: [], markText: "", rerouted: false } as const;
  return { family, ok: false, paths: [], nf };
}

/**
 * The destinations under IPv6 source-specific routes (any table), and the outcome that says
 * so, naming the first such route: the lookup there reads the source, which the table
 * partitions do not.
 */
export function sourceSpecific6(m: BddArena, s: HostState): { pred: Bdd; outcome?: Outcome } {
  let pred = FALSE;
  let first: Route | undefined;
  for (const r of s.routes) {
    if (r.family !== 6 || !r.src || r.src.len === 0) continue;
    first ??= r;
    pred = or(m, pred, addrPrefix(m, "dst", r.dst));
  }
  if (!first) return { pred };
  const src = `${formatAddr(first.src!.addr)}/${first.src!.len}`;
  const by = `ip -6 route ${formatAddr(first.dst.addr)}/${first.dst.len} from ${src}`;
  const what = "a source-specific route (the IPv6 lookup there reads the source)";
  return { pred, outcome: unanswered(6, `${by} table ${first.table}`, what) };
}

/**
 * Every received IPv6 packet of device `inIf` with its outcome (disjoint, covering): the
 * route ip6_route_input finds (delivery for local and anycast routes, on lo), or the errno of
 * the route, rule or empty walk that refuses.
 */
export function inputOutcomes6(a: Lookups6, inIf: number): Part[] {
  const m = a.m;
  const out: Part[] = [];
  const all = a.inputUniverse(inIf, 6);
  const src = sourceSpecific6(m, a.s);
  if (src.outcome) {
    const p = and(m, all, src.pred);
    if (p !== FALSE) out.push({ pred: p, outcome: { ...src.outcome, input: true } });
  }
  const start = and(m, all, not(m, src.pred));
  const match = a.matcher(HEADER_VIEW, true);
  for (const d of foldRpdb(m, a.s, 6, start, match, a.inputTables6(inIf)))
    for (const [pred, o] of specialize(m, 6, d)) {
      if (pred === FALSE) continue;
      // Input lookups pick no source (route6: prefsrc only for output).
      const { prefsrc: _, ...rest } = o;
      out.push({ pred, outcome: { ...rest, input: true } });
    }
  return out;
}
