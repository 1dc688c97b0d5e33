/**
 * FIB table lookup (`fib_table_lookup`, net/ipv4/fib_trie.c; `fib6_table_lookup`,
 * net/ipv6/route.c) and the RPDB walk (`fib_rules_lookup`, net/core/fib_rules.c with
 * `fib4_rule_action`/`fib4_rule_suppress` and their IPv6 twins).
 * @module
 */
import { contains } from "../addr/ip.js";
import { defined } from "../core/result.js";
import { linkByIndex } from "../model/links.js";
import { devConf4, devConf6 } from "../model/sysctl.js";
import { SCOPE, TABLE, type RouteType } from "../core/kinds.js";
import type { HostState, Route, Rule } from "../model/types.js";
import { aliasCmp, hostFib, type TableFib } from "../model/fib-index.js";
import { ruleMatches } from "./rules.js";
import { LO, type Errno, type Flow, type TraceStep } from "./types.js";

/** Result of one table lookup. */
export type TableResult =
  | { kind: "route"; route: Route; nhIndex: number }
  | { kind: "error"; errno: Errno; route: Route }
  | { kind: "none" }
  | { kind: "throw"; route: Route };

/** The kernel error of a route type (fib_props[].error). */
export function routeTypeErrno(t: RouteType): Errno | "EAGAIN" | undefined {
  switch (t) {
    case "blackhole":
      return "EINVAL";
    case "unreachable":
      return "EHOSTUNREACH";
    case "prohibit":
      return "EACCES";
    case "throw":
      return "EAGAIN";
    default:
      return undefined;
  }
}

/** Does a table exist (has routes)? A missing table is skipped like an empty one. */
export function tableExists(s: HostState, family: 4 | 6, table: number): boolean {
  return (hostFib(s).table(family, table)?.count ?? 0) > 0;
}

/** fib_lookup_good_nhc: a nexthop usable for this flow. */
function goodNexthop(
  s: HostState,
  r: Route,
  i: number,
  f: Flow,
  ignoreLinkstate: boolean,
): boolean {
  const nh = r.nexthops[i]!;
  if (nh.dead) return false;
  const l = linkByIndex(s, nh.ifindex);
  // Local routes are never linkdown (IPv4 scope host, IPv6 local/anycast: fib6_nh_init).
  const ld =
    l &&
    !l.carrier &&
    !(r.family === 4 ? r.scope === SCOPE.host : r.type === "local" || r.type === "anycast");
  if (
    !ignoreLinkstate &&
    ld &&
    r.family === 4 &&
    Math.max(
      devConf4(s, "all", "ignore_routes_with_linkdown"),
      devConf4(s, l.name, "ignore_routes_with_linkdown"),
    ) > 0
  )
    return false;
  if (
    !ignoreLinkstate &&
    ld &&
    r.family === 6 &&
    Math.max(
      devConf6(s, "all", "ignore_routes_with_linkdown"),
      devConf6(s, l.name, "ignore_routes_with_linkdown"),
    ) > 0
  )
    return false;
  const want = nhDevFilter(f);
  if (want && want !== nh.ifindex) return false;
  return true;
}

/**
 * The device nexthops must use: IPv6 input to link-scoped destinations (nhOif), else a strict oif.
 */
function nhDevFilter(f: Flow): number {
  return f.nhOif ?? (f.oifStrict !== false ? f.oif : 0);
}

const NONE: TableResult = { kind: "none" };

/**
 * One alias of a matching prefix: the result it gives, or undefined to go on with the next
 * alias (then the next shorter prefix).
 */
export function tryAlias(
  s: HostState,
  r: Route,
  f: Flow,
  ignoreLinkstate: boolean,
): TableResult | undefined {
  if (r.src && f.family === 6 && r.src.len > 0 && !contains(r.src, f.saddr)) return undefined;
  if (r.family === 4 && r.tos && (f.tos & 0x1c) !== r.tos) return undefined;
  if (r.nexthops.length && r.nexthops.every((n) => n.dead)) return undefined;
  const e = routeTypeErrno(r.type);
  // IPv6 reject/throw routes live on lo: a strict oif skips them like any other route.
  const want = nhDevFilter(f);
  if (e && f.family === 6 && want && want !== 1) return undefined;
  if (e === "EAGAIN") return { kind: "throw", route: r };
  if (e) return { kind: "error", errno: e, route: r };
  for (let i = 0; i < r.nexthops.length; i++)
    if (goodNexthop(s, r, i, f, ignoreLinkstate)) return { kind: "route", route: r, nhIndex: i };
  return undefined;
}

/** IPV6_DECODE_PREF: a route's router preference as a rank (low 1, medium 2, high 3). */
const prefRank = (pref6: number): number => (pref6 ^ 2) & 3;

/**
 * IPv6 within one fib6 node (rt6_select → find_rr_leaf): its routes in kernel order (metric,
 * then insertion) are scored by find_match, and the best of the lowest metric's routes wins,
 * else the best of all the others; the first of equal scores. rt6_score_route: 2 when the
 * nexthop's device is the flow's oif (input: the iif) or there is none, 0 otherwise (skipped
 * under RT6_LOOKUP_F_IFACE: tryAlias), plus IPV6_DECODE_PREF << 2. Routes of another source
 * prefix sit in another node (subtree). `at(i)` is the node's i-th of `n` routes.
 */
export function select6(
  s: HostState,
  n: number,
  at: (i: number) => Route,
  f: Flow,
  ign: boolean,
): TableResult | undefined {
  const oif = f.scoreOif ?? f.oif;
  let best: TableResult | undefined;
  let bestScore = -1;
  let metric: number | undefined;
  let rest = false;
  for (let i = 0; i < n; i++) {
    const r = at(i);
    if (r.src && r.src.len > 0 && !contains(r.src, f.saddr)) continue;
    metric ??= r.metric;
    if (!rest && r.metric !== metric) {
      if (best) break;
      rest = true;
    }
    const res = tryAlias(s, r, f, ign);
    if (!res || res.kind === "none") continue;
    const dev = res.kind === "route" ? r.nexthops[res.nhIndex]!.ifindex : LO;
    const score = (!oif || dev === oif ? 2 : 0) | (prefRank(r.pref6) << 2);
    if (score > bestScore) [best, bestScore] = [res, score];
  }
  return best;
}

function tryId(
  s: HostState,
  t: TableFib,
  id: number,
  f: Flow,
  ign: boolean,
): TableResult | undefined {
  const v = t.slot[id]!;
  if (v >= 0) return tryAlias(s, s.routes[v]!, f, ign);
  const list = t.lists[-2 - v]!;
  if (f.family === 6) return select6(s, list.length, (i) => s.routes[list[i]!]!, f, ign);
  for (const p of list) {
    const res = tryAlias(s, s.routes[p]!, f, ign);
    if (res) return res;
  }
  return undefined;
}

/**
 * Local and main walked as one table (the merged trie): at equal length, aliases interleave in
 * kernel order.
 */
function mergedLookup(s: HostState, a: TableFib, b: TableFib, f: Flow, ign: boolean): TableResult {
  const routes = s.routes;
  let ia = a.lookup(f.daddr),
    ib = b.lookup(f.daddr);
  while (ia >= 0 || ib >= 0) {
    const la = ia >= 0 ? routes[a.firstPos(ia)]!.dst.len : -1;
    const lb = ib >= 0 ? routes[b.firstPos(ib)]!.dst.len : -1;
    if (la > lb) {
      const res = tryId(s, a, ia, f, ign);
      if (res) return res;
      ia = a.lpm.parentOf(ia);
      continue;
    }
    if (lb > la) {
      const res = tryId(s, b, ib, f, ign);
      if (res) return res;
      ib = b.lpm.parentOf(ib);
      continue;
    }
    const xa = a.aliases(ia),
      xb = b.aliases(ib);
    for (let i = 0, j = 0; i < xa.length || j < xb.length; ) {
      const ra = i < xa.length ? routes[xa[i]!]! : undefined,
        rb = j < xb.length ? routes[xb[j]!]! : undefined;
      const r = !rb || (ra && aliasCmp(ra, rb) <= 0) ? (i++, ra!) : (j++, rb);
      const res = tryAlias(s, r, f, ign);
      if (res) return res;
    }
    ia = a.lpm.parentOf(ia);
    ib = b.lpm.parentOf(ib);
  }
  return NONE;
}

/**
 * One table's longest-prefix match with the kernel's alias rules: longest prefix first;
 * within a prefix: tos, dead, error types (returned without falling back to shorter
 * prefixes), then the first usable nexthop. IPv6 backtracks the same way.
 * The LPM gives the longest prefix; `parentOf` backtracks to the next shorter one.
 */
export function fibTableLookup(
  s: HostState,
  table: number | "merged",
  f: Flow,
  ignoreLinkstate = false,
): TableResult {
  const fib = hostFib(s);
  if (table === "merged") {
    if (f.family !== 4) return NONE;
    const a = fib.table(4, TABLE.local),
      b = fib.table(4, TABLE.main);
    if (a && b) return mergedLookup(s, a, b, f, ignoreLinkstate);
    table = a ? TABLE.local : TABLE.main;
  }
  const t = fib.table(f.family, table);
  if (!t) return NONE;
  for (let id = t.lookup(f.daddr); id >= 0; id = t.lpm.parentOf(id)) {
    const res = tryId(s, t, id, f, ignoreLinkstate);
    if (res) return res;
  }
  return NONE;
}

/**
 * The linear scan `fibTableLookup` replaced, kept as the reference the fast structures are
 * tested against: every route of the table in kernel order, first usable one wins.
 */
export function fibTableLookupReference(
  s: HostState,
  table: number | "merged",
  f: Flow,
  ignoreLinkstate = false,
): TableResult {
  const sel = s.routes.filter(
    (r) =>
      r.family === f.family &&
      (table === "merged"
        ? r.family === 4 && (r.table === TABLE.local || r.table === TABLE.main)
        : r.table === table),
  );
  sel.sort(
    (a, b) => b.dst.len - a.dst.len || b.tos - a.tos || a.metric - b.metric || a.seq - b.seq,
  );
  const hit = sel.filter((r) => contains(r.dst, f.daddr));
  for (let i = 0; i < hit.length; ) {
    // One prefix's routes (IPv6: one fib6 node, select6); IPv4: the first usable alias.
    let j = i + 1;
    while (j < hit.length && hit[j]!.dst.len === hit[i]!.dst.len) j++;
    const node = hit.slice(i, j);
    const res =
      f.family === 6
        ? select6(s, node.length, (k) => node[k]!, f, ignoreLinkstate)
        : node.map((r) => tryAlias(s, r, f, ignoreLinkstate)).find((x) => x);
    if (res) return res;
    i = j;
  }
  return NONE;
}

/** Result of the whole policy lookup (fib_lookup / fib6_rule_lookup). */
export type PolicyResult =
  | { ok: true; route: Route; nhIndex: number; table: number; rule?: Rule }
  | { ok: false; errno: Errno; route?: Route; rule?: Rule };

/** First rule whose pref equals a goto target (the kernel's ctarget). */
export function gotoTarget(list: Rule[], r: Rule): Rule | undefined {
  return r.gotoPref === undefined ? undefined : list.find((x) => x.pref === r.gotoPref);
}

function suppressed(s: HostState, r: Rule, route: Route): string | undefined {
  if (route.dst.len <= r.suppressPrefixlen)
    return `suppress_prefixlength ${r.suppressPrefixlen} rejects a /${route.dst.len} route`;
  if (r.suppressIfgroup !== -1) {
    const dev = linkByIndex(s, route.nexthops[0]?.ifindex ?? 0);
    if (dev && dev.group === r.suppressIfgroup)
      return `suppress_ifgroup ${r.suppressIfgroup} rejects a route via ${dev.name}`;
  }
  return undefined;
}

/**
 * fib_lookup without custom rules: IPv4 looks up main (local merged into it) then default;
 * IPv6 (fib6_has_custom_rules false) local then main.
 */
function lookupNoRules(
  s: HostState,
  f: Flow,
  trace: TraceStep[] | undefined,
  ignoreLinkstate: boolean,
): PolicyResult {
  trace?.push({
    kind: "rpdb-bypass",
    why:
      f.family === 4
        ? "no IPv4 rule was ever added or deleted: the kernel looks up main " +
          "(with local merged into it), then default"
        : "no IPv6 rule was ever added: the kernel looks up local then main directly",
  });
  const order: [number | "merged", number][] =
    f.family === 4
      ? [
          ["merged", TABLE.main],
          [TABLE.default, TABLE.default],
        ]
      : [
          [TABLE.local, TABLE.local],
          [TABLE.main, TABLE.main],
        ];
  for (const [t, reported] of order) {
    const res = fibTableLookup(s, t, f, ignoreLinkstate);
    if (res.kind === "route")
      return { ok: true, route: res.route, nhIndex: res.nhIndex, table: reported };
    if (res.kind === "error") return { ok: false, errno: res.errno, route: res.route };
  }
  return { ok: false, errno: "ENETUNREACH" };
}

/** The errno of a rule's own action (fib4_rule_action / fib6_rule_action). */
function actionErrno(action: Rule["action"]): Errno | undefined {
  switch (action) {
    case "unreachable":
      return "ENETUNREACH";
    case "prohibit":
      return "EACCES";
    case "blackhole":
      return "EINVAL";
    default:
      return undefined;
  }
}

/**
 * fib4_rule_action / fib6_rule_action for a `lookup` rule, with fib4_rule_suppress: a
 * result ends the walk, undefined goes on with the next rule.
 */
function ruleLookup(
  s: HostState,
  r: Rule,
  f: Flow,
  trace: TraceStep[] | undefined,
  ignoreLinkstate: boolean,
): PolicyResult | undefined {
  const table = r.table;
  const res = fibTableLookup(s, table, f, ignoreLinkstate);
  if (res.kind === "route") {
    const why = suppressed(s, r, res.route);
    if (why) {
      trace?.push({ kind: "lookup", rule: r, table, result: "suppressed", route: res.route, why });
      return undefined;
    }
    trace?.push({ kind: "lookup", rule: r, table, result: "route", route: res.route });
    return { ok: true, route: res.route, nhIndex: res.nhIndex, table, rule: r };
  }
  if (res.kind === "error") {
    const { errno, route } = res;
    trace?.push({ kind: "lookup", rule: r, table, result: "error", route, errno });
    return { ok: false, errno, route, rule: r };
  }
  if (res.kind === "throw")
    trace?.push({ kind: "lookup", rule: r, table, result: "throw", route: res.route });
  else {
    const result = tableExists(s, f.family, table) ? "none" : "missing-table";
    trace?.push({ kind: "lookup", rule: r, table, result });
  }
  return undefined;
}

/**
 * The RPDB walk (fib_rules_lookup). Without custom rules the kernel skips the RPDB
 * (lookupNoRules).
 */
export function fibLookup(
  s: HostState,
  f: Flow,
  trace: TraceStep[] | undefined,
  ignoreLinkstate = false,
): PolicyResult {
  const custom = f.family === 4 ? s.v4CustomRules : s.v6CustomRules;
  if (!custom) return lookupNoRules(s, f, trace, ignoreLinkstate);
  const list = f.family === 4 ? s.rules4 : s.rules6;
  for (let i = 0; i < list.length; i++) {
    let r = list[i]!;
    for (;;) {
      const [m, why] = ruleMatches(s, r, f);
      // A plain spread, not defined(): this runs once per rule visited.
      trace?.push({ kind: "rule", rule: r, matched: m, ...(why ? { why } : {}) });
      if (!m) break;
      if (r.action === "goto") {
        const t = gotoTarget(list, r);
        trace?.push({ kind: "goto", rule: r, ...defined({ target: t }) });
        if (!t) break;
        // The target is match-tested itself; iteration continues after it.
        i = list.indexOf(t);
        r = t;
        continue;
      }
      if (r.action === "nop") break;
      const errno = actionErrno(r.action);
      if (errno) {
        trace?.push({ kind: "action", rule: r, errno });
        return { ok: false, errno, rule: r };
      }
      const res = ruleLookup(s, r, f, trace, ignoreLinkstate);
      if (res) return res;
      break;
    }
  }
  return { ok: false, errno: "ENETUNREACH" };
}
