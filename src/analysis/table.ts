/**
 * One routing table as a partition of the destination space (with the route `tos` when
 * routes have one): for each result of `fib_table_lookup` / `fib6_table_lookup`, the packets
 * that get it. Longest prefix first; within a prefix the aliases in kernel order, the first
 * usable one wins (src/engine/fib.ts tryAlias decides which are usable; IPv6: the one
 * rt6_select scores best, src/engine/fib.ts select6); a prefix none of whose
 * aliases is usable for a packet falls back to the next shorter prefix.
 *
 * **How.** Prefixes form a containment forest. A prefix p *claims* the packets of p for which
 * one of its aliases is usable (all of p, unless routes carry a `tos`). p decides for its
 * claim minus the claims of the prefixes below it: region(p) = claim(p) ∧ ¬below(p), with
 * below(p) the OR of its children's claims and what lies below them. Each prefix is a chain of
 * len nodes and siblings are disjoint, so the whole build is linear in the prefix bits.
 * Results with equal keys are then ORed into one group, so a table of thousands of bypass
 * prefixes through one device is one group.
 * @module
 */
import { type Addr, addrEq, ANY4, ANY6, contains, formatAddr, type Prefix } from "../addr/ip.js";
import { TABLE } from "../core/kinds.js";
import { select6, type TableResult, tryAlias } from "../engine/fib.js";
import { nexthopAlive, nexthopSaddr } from "../engine/select.js";
import { type Flow, LO } from "../engine/types.js";
import { linkByIndex } from "../model/links.js";
import type { HostState, Route } from "../model/types.js";
import { and, meets, not, or } from "./bdd/apply.js";
import { type Bdd, type BddArena, FALSE, TRUE } from "./bdd/arena.js";
import { addrPrefix, maskedEq } from "./header.js";
import type { Path } from "./outcome.js";

/** A table of one family, or IPv4 local and main walked as one (no custom rules). */
export type TableSpec = number | "merged";

/** The packets that get one result from a table, and what the RPDB needs to know of it. */
export interface TableGroup {
  readonly pred: Bdd;
  /** The lookup result (a representative route of the group for `route`). */
  readonly res: Exclude<TableResult, { kind: "none" }>;
  /** Length of the matched prefix (fib4_rule_suppress compares it). */
  readonly len: number;
  /** The group of the route's first nexthop device (suppress_ifgroup), -1 without one. */
  readonly ifgroup: number;
  /** Paths of a `route` result: the chosen nexthop, plus multipath siblings. */
  readonly paths: readonly Path[];
  /** The source a locally generated IPv4 packet gets from the route (`groupSrc`). */
  readonly src?: Addr;
  readonly key: string;
}

/** Kernel alias order within the table (fibTableLookupReference's order). */
export const routeOrder = (a: Route, b: Route): number =>
  b.dst.len - a.dst.len || b.tos - a.tos || a.metric - b.metric || a.seq - b.seq;

/** The routes of a table in kernel order (fibTableLookupReference's order). */
export function tableRoutes(s: HostState, family: 4 | 6, t: TableSpec): Route[] {
  const sel = s.routes.filter(
    (r) =>
      r.family === family &&
      (t === "merged" ? r.table === TABLE.local || r.table === TABLE.main : r.table === t),
  );
  return sel.sort(routeOrder);
}

/**
 * The static part of tryAlias: the result the alias gives an unbound output flow without a
 * source whose tos passes the route's (the tos test is the predicate `aliasPred`).
 */
function staticResult(s: HostState, r: Route): TableResult | undefined {
  return tryAlias(s, r, staticFlow(r), false);
}

/** The unbound output flow without a source staticResult asks with. */
function staticFlow(r: Route): Flow {
  return {
    family: r.family,
    daddr: r.dst.addr,
    saddr: r.family === 4 ? ANY4 : ANY6,
    iif: LO,
    oif: 0,
    mark: 0,
    uid: 0,
    tos: r.tos,
    ipproto: 0,
    sport: 0,
    dport: 0,
  };
}

/**
 * What an IPv6 input lookup adds to the static flow (ip6_pol_route_input passes the ingress
 * device as oif): `scoreOif`, the device rt6_score_route prefers, and for link-scoped
 * destinations `nhOif`, the device nexthops must use (src/engine/route.ts lookupFlow6).
 */
export type InputDev6 = Pick<Flow, "nhOif" | "scoreOif">;

/**
 * IPv6: the route a node gives (select6: without an oif the router preference decides; an
 * input lookup's ingress device, `dev`, is preferred or required).
 */
function staticResult6(
  s: HostState,
  routes: readonly Route[],
  dev: InputDev6 = {},
): TableResult | undefined {
  const f = { ...staticFlow(routes[0]!), ...dev };
  return select6(s, routes.length, (i) => routes[i]!, f, false);
}

/** IPv4 route `tos`: (tos & 0x1c) must equal it. */
function aliasPred(m: BddArena, r: Route): Bdd {
  return r.family === 4 && r.tos ? maskedEq(m, "tos", r.tos, 0x1c) : TRUE;
}

/** The nexthops a route result may take: the lookup's, and the multipath siblings alive. */
function pickedNexthops(s: HostState, r: Route, nhIndex: number): number[] {
  if (r.nexthops.length < 2) return [nhIndex];
  const idx = r.nexthops.map((_, i) => i);
  return idx.filter((i) => i === nhIndex || nexthopAlive(s, r, r.nexthops[i]!.ifindex, false));
}

/** The paths of a route result through the nexthops `pick`. */
function pathsOf(s: HostState, r: Route, pick: readonly number[]): Path[] {
  const local = r.type === "local" || (r.family === 6 && r.type === "anycast");
  return pick.map((i) => {
    const nh = r.nexthops[i]!;
    if (local) return { dev: LO };
    // A gateway that is our own address has scope host: no gateway (rt_set_nexthop).
    return nh.gateway && !nh.gwLocal
      ? { dev: nh.ifindex, gateway: nh.gateway }
      : { dev: nh.ifindex };
  });
}

/**
 * The source an IPv4 output lookup gives a packet through route `r` (fib_result_prefsrc):
 * its `src`, else the chosen nexthop's nh_saddr (inet_select_addr on its device at the
 * route's scope); undefined for a local route (the destination itself) or when multipath
 * siblings would give different ones. IPv6 picks per destination (ipv6_dev_get_saddr).
 */
function groupSrc(s: HostState, r: Route, picked: readonly number[]): Addr | undefined {
  if (r.family !== 4 || r.type === "local") return undefined;
  if (r.prefsrc) return r.prefsrc;
  const srcs = picked.map((i) => nexthopSaddr(s, r, i));
  return srcs.every((a) => addrEq(a, srcs[0])) ? srcs[0] : undefined;
}

function groupOf(s: HostState, res: Exclude<TableResult, { kind: "none" }>, pred: Bdd): TableGroup {
  const r = res.route;
  const dev = linkByIndex(s, r.nexthops[0]?.ifindex ?? 0);
  const ifgroup = dev ? dev.group : -1;
  const picked = res.kind === "route" ? pickedNexthops(s, r, res.nhIndex) : [];
  const paths = res.kind === "route" ? pathsOf(s, r, picked) : [];
  const p = paths.map((x) => `${x.dev}@${x.gateway ? formatAddr(x.gateway) : ""}`).join(",");
  const head = res.kind === "error" ? `error ${res.errno}` : res.kind;
  const src = res.kind === "route" ? groupSrc(s, r, picked) : undefined;
  // Every nexthop device, dead or not: the rp_filter check compares them all with the ingress
  // device (__fib_validate_source), so routes that differ there must not merge.
  const devs = r.nexthops.map((n) => n.ifindex).join(".");
  // The route's own `src` (the outcome's prefsrc) and the source it gives both tell apart.
  const srcs = [r.prefsrc, src].map((a) => (a ? formatAddr(a) : "")).join(">");
  const key = `${head}|${r.type}|${p}|${srcs}|${r.dst.len}|${ifgroup}|${devs}`;
  return { pred, res, len: r.dst.len, ifgroup, paths, ...(src ? { src } : {}), key };
}

interface PrefixNode {
  readonly routes: Route[];
  readonly children: PrefixNode[];
  /** The prefix's own BDD (family and dst bits). */
  chain: Bdd;
}

/**
 * Prefixes (routes grouped by dst) nested by containment, roots first; each prefix's chain
 * tests `field` (dst, or src for the rp_filter reverse lookup, whose daddr is the source).
 */
function forest(m: BddArena, routes: readonly Route[], field: "dst" | "src"): PrefixNode[] {
  const byKey = new Map<string, PrefixNode>();
  for (const r of routes) {
    const k = `${formatAddr(r.dst.addr)}/${r.dst.len}`;
    let n = byKey.get(k);
    if (!n) byKey.set(k, (n = { routes: [], children: [], chain: FALSE }));
    n.routes.push(r);
  }
  // Shortest first, then by address: a prefix's parent is the innermost open one containing it.
  const nodes = [...byKey.values()].sort((a, b) => {
    const x = a.routes[0]!.dst,
      y = b.routes[0]!.dst;
    const d = (x.addr.v as bigint | number) < (y.addr.v as bigint | number);
    return x.addr.v === y.addr.v ? x.len - y.len : d ? -1 : 1;
  });
  const roots: PrefixNode[] = [];
  const open: PrefixNode[] = [];
  for (const n of nodes) {
    n.chain = addrPrefix(m, field, n.routes[0]!.dst);
    const p = n.routes[0]!.dst;
    while (open.length && !contains(open[open.length - 1]!.routes[0]!.dst, p.addr)) open.pop();
    const parent = open[open.length - 1];
    (parent ? parent.children : roots).push(n);
    open.push(n);
  }
  return roots;
}

/**
 * The table's partition of the packets by `field` (the lookup's daddr: dst, or src for the
 * rp_filter reverse lookup); `dev6`: an IPv6 input lookup's ingress device (InputDev6).
 * Kept whole as one walk: the recursion carries the accumulators (`groups`) and returns each
 * subtree's claim.
 */
export function tablePartition(
  m: BddArena,
  s: HostState,
  family: 4 | 6,
  t: TableSpec,
  field: "dst" | "src" = "dst",
  routes: readonly Route[] = tableRoutes(s, family, t),
  dev6?: InputDev6,
): TableGroup[] {
  const groups = new Map<string, TableGroup>();
  const add = (res: Exclude<TableResult, { kind: "none" }>, pred: Bdd): void => {
    if (pred === FALSE) return;
    const g = groupOf(s, res, pred);
    const old = groups.get(g.key);
    groups.set(g.key, old ? { ...old, pred: or(m, old.pred, pred) } : g);
  };
  // Returns the packets the subtree rooted at n claims.
  const walk = (n: PrefixNode): Bdd => {
    let below = FALSE;
    for (const c of n.children) below = or(m, below, walk(c));
    const free = and(m, n.chain, not(m, below));
    if (family === 6) {
      // No tos: the node's selected route takes all of it, or the packets fall through.
      const res = staticResult6(s, n.routes, dev6);
      if (!res || res.kind === "none") return below;
      add(res, free);
      return n.chain;
    }
    let covered = FALSE;
    for (const r of n.routes) {
      const res = staticResult(s, r);
      if (!res || res.kind === "none") continue;
      const elig = aliasPred(m, r);
      add(res, and(m, free, and(m, elig, not(m, covered))));
      covered = or(m, covered, elig);
      if (covered === TRUE) break;
    }
    return covered === TRUE ? n.chain : or(m, below, and(m, n.chain, covered));
  };
  for (const root of forest(m, routes, field)) walk(root);
  return [...groups.values()];
}

/** Does route prefix `r` contain, or lie inside, `p`? */
function overlaps(r: Route, p: Prefix): boolean {
  return r.dst.len <= p.len ? contains(r.dst, p.addr) : contains(p, r.dst.addr);
}

/**
 * A table's partition after its routes under the prefixes `changed` were added or removed
 * (`routes` is the table now, in any order; `region` = dst under `changed`, any other field
 * free): groups keep their packets outside the region, and the region is partitioned anew
 * from the routes that overlap a changed prefix, which are the only ones that can match a
 * destination there. A group that loses nothing stays the same object.
 */
export function patchPartition(
  m: BddArena,
  s: HostState,
  family: 4 | 6,
  old: readonly TableGroup[],
  routes: Iterable<Route>,
  changed: readonly Prefix[],
  region: Bdd,
): TableGroup[] {
  const near: Route[] = [];
  for (const r of routes) if (changed.some((p) => overlaps(r, p))) near.push(r);
  const keep = not(m, region);
  const byKey = new Map<string, TableGroup>();
  for (const g of old) {
    // Most groups lie outside the changed prefixes: a path walk tells, without building.
    const p = meets(m, g.pred, region) ? and(m, g.pred, keep) : g.pred;
    if (p !== FALSE) byKey.set(g.key, p === g.pred ? g : { ...g, pred: p });
  }
  for (const g of tablePartition(m, s, family, 0, "dst", near.sort(routeOrder))) {
    const p = and(m, g.pred, region);
    if (p === FALSE) continue;
    const o = byKey.get(g.key);
    byKey.set(g.key, o ? { ...o, pred: or(m, o.pred, p) } : { ...g, pred: p });
  }
  return [...byKey.values()];
}
