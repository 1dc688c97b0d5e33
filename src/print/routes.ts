/**
 * `ip [-4|-6] [-d] [-j [-p]] route show [table T|all]` exactly as iproute2 6.1 prints it
 * (ip/iproute.c print_route), in the kernel's dump order:
 *
 * - IPv4 before IPv6 (`table all` without a family dumps both);
 * - tables in hash order: bucket `id & 255` ascending, and inside a bucket the most recently
 *   created table first (hlist_add_head); creation order is approximated by the first
 *   appearance of the table (lowest `seq`);
 * - IPv4 inside a table: LC-trie leaf order (key ascending), then longer prefix first, then
 *   tos descending, then metric ascending, then insertion order `seq` (fib_insert_alias);
 * - IPv6 inside a table: the fib6 walker's order (source-specific routes of a node first,
 *   then the more specific prefixes, then the node's own routes; metric ascending in a node).
 *
 * Flags the kernel computes from device state are derived here: `linkdown` (nexthop device
 * not up or no carrier; never for host-scope IPv4 or local/anycast IPv6 routes) and `dead`
 * (the nexthop's `dead`, or linkdown with `ignore_routes_with_linkdown`).
 *
 * @example
 * ```ts
 * printRoutes(state, { table: "all" }); // every table, IPv4 then IPv6
 * ```
 * @module
 */
import type { Addr, Prefix } from "../addr/ip.js";
import { SCOPE, TABLE, type Family, type RouteType } from "../core/kinds.js";
import { bits, formatAddr } from "../addr/ip.js";
import { ignoreLinkdown } from "../model/sysctl.js";
import type { HostState, Nexthop, Route } from "../model/types.js";
import { Emitter } from "./emit.js";
import { dsfieldN2a, METRIC_INDEX, rtprotN2a, rtscopeN2a, tableN2a } from "../parse/names.js";

export interface RouteShowOptions {
  family?: Family;
  /** A table id, `"all"`, or undefined for main. */
  table?: number | "all";
  json?: boolean;
  pretty?: boolean;
  details?: boolean;
  /** Filters (filter_nlmsg); a filtered field is not printed (print_route). */
  dev?: number;
  proto?: number;
  scope?: number;
  type?: RouteType;
  via?: Prefix;
  src?: Prefix;
  /** `root P`: destinations inside P; `match P`: destinations containing P (filter.rdst/mdst). */
  root?: Prefix;
  match?: Prefix;
}

/** Fields print_route leaves out because a filter fixed them. */
export interface RouteOmit {
  dev?: boolean;
  proto?: boolean;
  scope?: boolean;
  via?: boolean;
  src?: boolean;
}

/** inet_addr_match_rta: the attribute present and inside the filter's prefix. */
function inPrefix(p: Prefix, a: Addr | undefined): boolean {
  if (!a || a.family !== p.addr.family) return false;
  const bits = a.family === 4 ? 32 : 128;
  const shift = BigInt(bits - p.len);
  return BigInt(a.v) >> shift === BigInt(p.addr.v) >> shift;
}

/** The RTA_OIF a dump carries: the single hop's device (IPv6 reject routes: lo). */
function routeOif(r: Route): number {
  if (r.nexthops.length > 1) return 0;
  const oif = r.nexthops[0]?.ifindex ?? 0;
  return !oif && r.family === 6 ? 1 : oif;
}

/** filter_nlmsg's selectors for `ip route show dev|proto|scope|type|via|src`. */
function routeMatches(r: Route, o: RouteShowOptions): boolean {
  const single = r.nexthops.length === 1 ? r.nexthops[0] : undefined;
  return (
    (o.dev === undefined || routeOif(r) === o.dev) &&
    (o.proto === undefined || r.protocol === o.proto) &&
    (o.scope === undefined || r.scope === o.scope) &&
    (o.type === undefined || r.type === o.type) &&
    (o.via === undefined || inPrefix(o.via, single?.gateway)) &&
    (o.src === undefined || inPrefix(o.src, r.prefsrc)) &&
    (o.root === undefined || (o.root.len <= r.dst.len && inPrefix(o.root, r.dst.addr))) &&
    (o.match === undefined || (r.dst.len <= o.match.len && inPrefix(r.dst, o.match.addr)))
  );
}

/** ll_index_to_name: the link's name, `if<N>` when unknown. */
export function linkName(state: HostState, ifindex: number): string {
  return state.links.find((l) => l.ifindex === ifindex)?.name ?? `if${ifindex}`;
}

/** Is this nexthop flagged RTNH_F_LINKDOWN in a dump of `r`? */
export function nhLinkdown(state: HostState, r: Route, nh: Nexthop): boolean {
  if (!nh.ifindex) return false;
  if (r.family === 4 && r.scope === SCOPE.host) return false;
  if (r.family === 6 && (r.type === "local" || r.type === "anycast")) return false;
  if (r.family === 6 && isReject(r.type)) return false;
  const l = state.links.find((x) => x.ifindex === nh.ifindex);
  if (!l) return false;
  return !(l.up && l.carrier);
}

function isReject(t: RouteType): boolean {
  return t === "blackhole" || t === "unreachable" || t === "prohibit" || t === "throw";
}

/** Flag words of one nexthop, in print_rt_flags order. */
export function nhFlags(state: HostState, r: Route, nh: Nexthop): string[] {
  const linkdown = nhLinkdown(state, r, nh);
  const dead =
    nh.dead || (linkdown && ignoreLinkdown(state, r.family, linkName(state, nh.ifindex)));
  const out: string[] = [];
  if (dead) out.push("dead");
  if (nh.onlink) out.push("onlink");
  if (linkdown) out.push("linkdown");
  return out;
}

/**
 * Route-level flags: the nexthop's for a single nexthop, fib_info's (all dead / all linkdown) for
 * multipath.
 */
export function routeFlags(state: HostState, r: Route): string[] {
  if (r.nexthops.length === 1) return nhFlags(state, r, r.nexthops[0]!);
  if (r.nexthops.length === 0 || r.family === 6) return [];
  const out: string[] = [];
  if (r.nexthops.every((n) => n.dead)) out.push("dead");
  if (r.nexthops.every((n) => nhLinkdown(state, r, n))) out.push("linkdown");
  return out;
}

function fmtDst(p: Prefix): string {
  if (p.len === 0) return "default";
  return p.len === bits(p.addr.family) ? formatAddr(p.addr) : `${formatAddr(p.addr)}/${p.len}`;
}

/** printf("%g") for the rtt/rttvar/rto_min seconds form. */
function fmtG(x: number): string {
  const s = x.toPrecision(6);
  return String(Number(s));
}

function printMetrics(o: Emitter, metrics: NonNullable<Route["metrics"]>): void {
  const sorted = [...metrics].sort(
    (a, b) => (METRIC_INDEX.get(a.name) ?? 99) - (METRIC_INDEX.get(b.name) ?? 99),
  );
  o.openArray("metrics");
  o.openObject();
  for (const m of sorted) {
    const idx = METRIC_INDEX.get(m.name);
    if (m.name === "hoplimit" && (m.value | 0) === -1) continue;
    o.fp(idx !== undefined ? `${m.name} ` : `metric ${m.name} `);
    if (m.lock) o.fp("lock ");
    if (m.name === "features") {
      o.fp(
        m.value & 1
          ? m.value & ~1
            ? ` ecn 0x${m.value.toString(16)}`
            : " ecn"
          : ` 0x${m.value.toString(16)}`,
      );
      o.js("features", m.value);
    } else if (m.name === "rtt" || m.name === "rttvar" || m.name === "rto_min") {
      if (o.json) o.js(m.name, m.value);
      else o.fp(m.value >= 1000 ? `${fmtG(m.value / 1e3)}s ` : `${m.value}ms `);
    } else {
      o.any(m.name, "%u ", m.value >>> 0);
    }
  }
  o.closeObject();
  o.closeArray();
}

function printFlags(o: Emitter, flags: readonly string[]): void {
  o.openArray("flags");
  for (const f of flags) o.any(null, "%s ", f);
  o.closeArray();
}

/**
 * print_rta_gateway (`via GW`), or print_rta_via (`via inet6 GW`) for a gateway of the other
 * family.
 */
function printGateway(o: Emitter, family: Family, gw: Addr): void {
  if (gw.family === family) {
    o.js("gateway", formatAddr(gw));
    o.fp(`via ${formatAddr(gw)} `);
    return;
  }
  o.openObject("via");
  o.js("family", gw.family === 6 ? "inet6" : "inet");
  o.js("host", formatAddr(gw));
  o.closeObject();
  o.fp(`via ${gw.family === 6 ? "inet6" : "inet"} ${formatAddr(gw)} `);
}

export interface RouteLineCtx {
  details: boolean;
  /** filter.tb is set (`table X` or the default main): the table is not printed. */
  tableFiltered: boolean;
  /** Nexthop order override (IPv6 fibmatch prints the chosen sibling first). */
  nexthops?: readonly Nexthop[];
  /** IPv6 fibmatch with `iif`: rt6_fill_node adds RTA_IIF before the preference. */
  iif?: string;
  omit?: RouteOmit;
}

/** One route as print_route prints a FIB entry (route show, fibmatch). */
export function printRouteEntry(o: Emitter, state: HostState, r: Route, ctx: RouteLineCtx): void {
  const host = bits(r.family);
  const nhs = ctx.nexthops ?? r.nexthops;
  o.openObject();
  if (r.type !== "unicast" || ctx.details) o.any("type", "%s ", r.type);
  o.any("dst", "%s ", fmtDst(r.dst));
  if (r.src && r.src.len > 0) {
    o.any(
      "from",
      "from %s ",
      r.src.len !== host ? `${formatAddr(r.src.addr)}/${r.src.len}` : formatAddr(r.src.addr),
    );
  }
  if (r.tos) o.any("tos", "tos %s ", dsfieldN2a(r.tos));
  const single = nhs.length === 1 ? nhs[0]! : undefined;
  const omit = ctx.omit ?? {};
  if (single?.gateway && !omit.via) printGateway(o, r.family, single.gateway);
  let oif = single?.ifindex ?? 0;
  if (!oif && r.family === 6 && nhs.length <= 1) oif = 1; // IPv6 reject/blackhole routes live on lo
  if (oif && nhs.length <= 1 && !omit.dev) o.any("dev", "dev %s ", linkName(state, oif));
  if (r.table && (r.table !== TABLE.main || ctx.details) && !ctx.tableFiltered)
    o.any("table", "table %s ", tableN2a(state.tableNames, r.table));
  if ((r.protocol !== 3 || ctx.details) && !omit.proto)
    o.any("protocol", "proto %s ", rtprotN2a(r.protocol));
  if ((r.scope !== 0 || ctx.details) && !omit.scope)
    o.any("scope", "scope %s ", rtscopeN2a(r.scope));
  if (r.prefsrc && !omit.src) {
    o.js("prefsrc", formatAddr(r.prefsrc));
    o.fp(`src ${formatAddr(r.prefsrc)} `);
  }
  if (r.family === 6 || r.metric) o.any("metric", "metric %u ", r.metric >>> 0);
  printFlags(
    o,
    ctx.nexthops
      ? nhs.length === 1
        ? nhFlags(state, r, nhs[0]!)
        : routeFlags(state, r)
      : routeFlags(state, r),
  );
  if (r.metrics && r.metrics.length) printMetrics(o, r.metrics);
  if (ctx.iif !== undefined) o.any("iif", "iif %s ", ctx.iif);
  if (r.family === 6) printPref(o, r.pref6);
  if (nhs.length > 1) {
    o.openArray("nexthops");
    for (const nh of nhs) {
      o.openObject();
      o.fp("\n\tnexthop ");
      if (nh.gateway) printGateway(o, r.family, nh.gateway);
      o.any("dev", "dev %s ", linkName(state, nh.ifindex));
      o.any("weight", "weight %d ", nh.weight);
      printFlags(o, nhFlags(state, r, nh));
      o.closeObject();
    }
    o.closeArray();
  }
  o.fp("\n");
  o.closeObject();
}

/** print_rt_pref. */
export function printPref(o: Emitter, pref: number): void {
  const name = pref === 3 ? "low" : pref === 0 ? "medium" : pref === 1 ? "high" : undefined;
  if (name) o.any("pref", "pref %s", name);
  else o.any("pref", "%u", pref);
}

// ---------------------------------------------------------------------------------------
// Dump order

function bitAt(p: Prefix, i: number): number {
  if (p.addr.family === 4) return (p.addr.v >>> (31 - i)) & 1;
  return Number((p.addr.v >> BigInt(127 - i)) & 1n);
}

/**
 * Where two prefixes diverge: -1/1 for a differing bit within both, or 0 when one contains the
 * other.
 */
function divergence(a: Prefix, b: Prefix): number {
  const l = Math.min(a.len, b.len);
  if (a.addr.family === 6 && b.addr.family === 6) {
    const x = a.addr.v ^ b.addr.v;
    if (x === 0n) return 0;
    const first = 127 - (x.toString(2).length - 1);
    if (first >= l) return 0;
    return bitAt(a, first) === 0 ? -1 : 1;
  }
  for (let i = 0; i < l; i++) {
    const ba = bitAt(a, i),
      bb = bitAt(b, i);
    if (ba !== bb) return ba < bb ? -1 : 1;
  }
  return 0;
}

/** Post-order comparison of prefixes in a binary trie (descendants before ancestors). */
function postCmp(a: Prefix, b: Prefix): number {
  const d = divergence(a, b);
  if (d) return d;
  return b.len - a.len;
}

function cmp6(a: Route, b: Route): number {
  const aS = !!a.src && a.src.len > 0,
    bS = !!b.src && b.src.len > 0;
  const d = divergence(a.dst, b.dst);
  if (d) return d;
  if (a.dst.len === b.dst.len) {
    if (aS && bS) return postCmp(a.src!, b.src!) || a.metric - b.metric;
    if (aS !== bS) return aS ? -1 : 1;
    return a.metric - b.metric;
  }
  // One destination contains the other: source routes of the ancestor come first (FWS_S).
  if (a.dst.len < b.dst.len) return aS ? -1 : 1;
  return bS ? 1 : -1;
}

function cmp4(a: Route, b: Route): number {
  const ka = a.dst.addr.v as number,
    kb = b.dst.addr.v as number;
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (a.dst.len !== b.dst.len) return b.dst.len - a.dst.len;
  if (a.tos !== b.tos) return b.tos - a.tos;
  return (a.metric >>> 0) - (b.metric >>> 0);
}

/** Routes of one family in the kernel's dump order. */
export function dumpOrder(
  state: HostState,
  family: Family,
  routes: readonly Route[] = state.routes,
): Route[] {
  // Insertion order is `seq` (the FIB index may reorder `state.routes` on deletes), then
  // the array position (routes built by hand may all carry the same seq).
  const idx = new Map<Route, number>();
  const firstSeen = new Map<number, Route>();
  const older = (a: Route, b: Route) => a.seq - b.seq || idx.get(a)! - idx.get(b)!;
  routes.forEach((r, i) => {
    idx.set(r, i);
  });
  for (const r of routes)
    if (r.family === family) {
      const f = firstSeen.get(r.table);
      if (f === undefined || older(r, f) < 0) firstSeen.set(r.table, r);
    }
  const sel = routes.filter((r) => r.family === family);
  const cmp = family === 4 ? cmp4 : cmp6;
  return sel.sort((a, b) => {
    if (a.table !== b.table) {
      const ha = a.table & 255,
        hb = b.table & 255;
      if (ha !== hb) return ha - hb;
      return older(firstSeen.get(b.table)!, firstSeen.get(a.table)!);
    }
    return cmp(a, b) || older(a, b);
  });
}

/**
 * `ip route show` output.
 * @example printRoutes(state, { family: 6, table: 255 }) // ip -6 route show table local
 */
export function printRoutes(state: HostState, opts: RouteShowOptions = {}): string {
  const o = new Emitter(opts);
  const table = opts.table === undefined ? TABLE.main : opts.table;
  // iproute_list_flush_or_save: without -4/-6, only `table all` dumps both families.
  const families: Family[] = opts.family ? [opts.family] : table === "all" ? [4, 6] : [4];
  const omit: RouteOmit = {
    dev: opts.dev !== undefined,
    proto: opts.proto !== undefined,
    scope: opts.scope !== undefined,
    via: opts.via !== undefined && opts.via.len === bits(opts.via.addr.family),
    src: opts.src !== undefined && opts.src.len === bits(opts.src.addr.family),
  };
  o.startList();
  for (const f of families) {
    for (const r of dumpOrder(state, f)) {
      if (table !== "all" && (r.table || TABLE.main) !== table) continue;
      if (!routeMatches(r, opts)) continue;
      const tableFiltered = table !== "all";
      printRouteEntry(o, state, r, { details: !!opts.details, tableFiltered, omit });
    }
  }
  o.endList();
  return o.text();
}
