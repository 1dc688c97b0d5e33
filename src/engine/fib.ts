/**
 * FIB table lookup (`fib_table_lookup`, net/ipv4/fib_trie.c; `fib6_table_lookup`,
 * net/ipv6/route.c) and the RPDB walk (`fib_rules_lookup`, net/core/fib_rules.c with
 * `fib4_rule_action`/`fib4_rule_suppress` and their IPv6 twins).
 * @module
 */
import { contains } from "../addr/ip.js";
import { linkByIndex } from "../model/ops.js";
import { devConf4, devConf6 } from "../model/sysctl.js";
import { TABLE, type HostState, type Route, type Rule } from "../model/types.js";
import { ruleMatches } from "./rules.js";
import type { Errno, Flow, TraceStep } from "./types.js";

/** Result of one table lookup. */
export type TableResult =
  | { kind: "route"; route: Route; nhIndex: number }
  | { kind: "error"; errno: Errno; route: Route }
  | { kind: "none" }
  | { kind: "throw"; route: Route };

/** The kernel error of a route type (fib_props[].error). */
export function routeTypeErrno(t: Route["type"]): Errno | "EAGAIN" | undefined {
  switch (t) {
    case "blackhole": return "EINVAL";
    case "unreachable": return "EHOSTUNREACH";
    case "prohibit": return "EACCES";
    case "throw": return "EAGAIN";
    default: return undefined;
  }
}

/** Per-table index: routes by family/table, sorted longest prefix first, then tos desc, metric asc, insertion. */
export interface FibIndex { byTable: Map<string, Route[]>; version: HostState["routes"] }

const cache = new WeakMap<Route[], { seq: number; len: number; m: Map<string, Route[]> }>();

/** Routes of one table in kernel alias order. Cached per routes array, its length and the host's sequence (bumped by every add). */
export function tableRoutes(s: HostState, family: 4 | 6, table: number | "merged"): Route[] {
  const c = cache.get(s.routes);
  let m = c && c.seq === s.seq && c.len === s.routes.length ? c.m : undefined;
  if (!m) {
    m = new Map();
    for (const r of s.routes) {
      const k = `${r.family}:${r.table}`;
      let l = m.get(k); if (!l) { l = []; m.set(k, l); } l.push(r);
    }
    // Until an IPv4 rule is added or deleted the kernel keeps local and main in one trie.
    m.set("4:merged", [...(m.get("4:255") ?? []), ...(m.get("4:254") ?? [])]);
    for (const l of m.values()) l.sort((a, b) => b.dst.len - a.dst.len || b.tos - a.tos || a.metric - b.metric || a.seq - b.seq);
    cache.set(s.routes, { seq: s.seq, len: s.routes.length, m });
  }
  return m.get(`${family}:${table}`) ?? [];
}

/** Drop cached indexes after a mutation that kept the same routes array. */
export function invalidateFib(s: HostState): void { cache.delete(s.routes); }

/** Does a table exist (has ever had routes)? A missing table is skipped like an empty one. */
export function tableExists(s: HostState, family: 4 | 6, table: number): boolean { return tableRoutes(s, family, table).length > 0; }

/** fib_lookup_good_nhc: a nexthop usable for this flow. */
function goodNexthop(s: HostState, r: Route, i: number, f: Flow, ignoreLinkstate: boolean): boolean {
  const nh = r.nexthops[i]!;
  if (nh.dead) return false;
  const l = linkByIndex(s, nh.ifindex);
  // Local routes are never linkdown (IPv4 scope host, IPv6 local/anycast).
  const ld = l && !l.carrier && !(r.family === 4 ? r.scope === 254 : r.type === "local" || r.type === "anycast");
  if (!ignoreLinkstate && ld && r.family === 4 && Math.max(devConf4(s, "all", "ignore_routes_with_linkdown"), devConf4(s, l.name, "ignore_routes_with_linkdown")) > 0) return false;
  if (!ignoreLinkstate && ld && r.family === 6 && Math.max(devConf6(s, "all", "ignore_routes_with_linkdown"), devConf6(s, l.name, "ignore_routes_with_linkdown")) > 0) return false;
  if (f.oif && f.oifStrict !== false && f.oif !== nh.ifindex) return false;
  return true;
}

/**
 * One table's longest-prefix match with the kernel's alias rules: longest prefix first;
 * within a prefix: tos, dead, error types (returned without falling back to shorter
 * prefixes), then the first usable nexthop. IPv6 backtracks the same way.
 */
export function fibTableLookup(s: HostState, table: number | "merged", f: Flow, ignoreLinkstate = false): TableResult {
  const routes = tableRoutes(s, f.family, table);
  for (const r of routes) {
    if (!contains(r.dst, f.daddr)) continue;
    if (r.src && f.family === 6 && r.src.len > 0 && !contains(r.src, f.saddr)) continue;
    if (r.family === 4 && r.tos && (f.tos & 0x1c) !== r.tos) continue;
    if (r.nexthops.length && r.nexthops.every((n) => n.dead)) continue;
    const e = routeTypeErrno(r.type);
    // IPv6 reject/throw routes live on lo: a strict oif skips them like any other route.
    if (e && f.family === 6 && f.oif && f.oifStrict !== false && f.oif !== 1) continue;
    if (e === "EAGAIN") return { kind: "throw", route: r };
    if (e) return { kind: "error", errno: e, route: r };
    for (let i = 0; i < r.nexthops.length; i++) if (goodNexthop(s, r, i, f, ignoreLinkstate)) return { kind: "route", route: r, nhIndex: i };
  }
  return { kind: "none" };
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
  if (route.dst.len <= r.suppressPrefixlen) return `suppress_prefixlength ${r.suppressPrefixlen} rejects a /${route.dst.len} route`;
  if (r.suppressIfgroup !== -1) {
    const dev = linkByIndex(s, route.nexthops[0]?.ifindex ?? 0);
    if (dev && dev.group === r.suppressIfgroup) return `suppress_ifgroup ${r.suppressIfgroup} rejects a route via ${dev.name}`;
  }
  return undefined;
}

/**
 * The RPDB walk. Without custom rules the kernel skips the RPDB (IPv4: local+main merged;
 * IPv6: fib6_has_custom_rules false → local then main).
 */
export function fibLookup(s: HostState, f: Flow, trace: TraceStep[] | undefined, ignoreLinkstate = false): PolicyResult {
  const custom = f.family === 4 ? s.v4CustomRules : s.v6CustomRules;
  if (!custom) {
    // fib_lookup without custom rules: main (local merged into it) then default; IPv6: local then main.
    trace?.push({ kind: "rpdb-bypass", why: f.family === 4 ? "no IPv4 rule was ever added or deleted: the kernel looks up main (with local merged into it), then default" : "no IPv6 rule was ever added: the kernel looks up local then main directly" });
    const order: [number | "merged", number][] = f.family === 4 ? [["merged", TABLE.main], [TABLE.default, TABLE.default]] : [[TABLE.local, TABLE.local], [TABLE.main, TABLE.main]];
    for (const [t, reported] of order) {
      const res = fibTableLookup(s, t, f, ignoreLinkstate);
      if (res.kind === "route") return { ok: true, route: res.route, nhIndex: res.nhIndex, table: reported };
      if (res.kind === "error") return { ok: false, errno: res.errno, route: res.route };
    }
    return { ok: false, errno: "ENETUNREACH" };
  }
  const list = f.family === 4 ? s.rules4 : s.rules6;
  for (let i = 0; i < list.length; i++) {
    let r = list[i]!;
    for (;;) {
      const [m, why] = ruleMatches(s, r, f);
      trace?.push({ kind: "rule", rule: r, matched: m, ...(why ? { why } : {}) });
      if (!m) break;
      if (r.action === "goto") {
        const t = gotoTarget(list, r);
        trace?.push({ kind: "goto", rule: r, ...(t ? { target: t } : {}) });
        if (!t) break;
        // The target is match-tested itself; iteration continues after it.
        i = list.indexOf(t);
        r = t;
        continue;
      }
      if (r.action === "nop") break;
      if (r.action === "unreachable" || r.action === "prohibit" || r.action === "blackhole") {
        const errno: Errno = r.action === "unreachable" ? "ENETUNREACH" : r.action === "prohibit" ? "EACCES" : "EINVAL";
        trace?.push({ kind: "action", rule: r, errno });
        return { ok: false, errno, rule: r };
      }
      // lookup
      const res = fibTableLookup(s, r.table, f, ignoreLinkstate);
      if (res.kind === "route") {
        const sup = suppressed(s, r, res.route);
        if (sup) { trace?.push({ kind: "lookup", rule: r, table: r.table, result: "suppressed", route: res.route, why: sup }); break; }
        trace?.push({ kind: "lookup", rule: r, table: r.table, result: "route", route: res.route });
        return { ok: true, route: res.route, nhIndex: res.nhIndex, table: r.table, rule: r };
      }
      if (res.kind === "error") {
        trace?.push({ kind: "lookup", rule: r, table: r.table, result: "error", route: res.route, errno: res.errno });
        return { ok: false, errno: res.errno, route: res.route, rule: r };
      }
      if (res.kind === "throw") trace?.push({ kind: "lookup", rule: r, table: r.table, result: "throw", route: res.route });
      else trace?.push({ kind: "lookup", rule: r, table: r.table, result: tableExists(s, f.family, r.table) ? "none" : "missing-table" });
      break;
    }
  }
  return { ok: false, errno: "ENETUNREACH" };
}
