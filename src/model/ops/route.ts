/**
 * Routes (net/ipv4/fib_frontend.c inet_rtm_newroute/inet_rtm_delroute, fib_semantics.c
 * fib_create_info, net/ipv6/route.c ip6_route_add): defaults for table, scope and metric,
 * nexthop validation with the kernel's messages, and add/append/prepend/replace/change/
 * del/flush through the FIB index (fib_table_insert, fib_find_alias).
 * @module
 */
import { addrEq, hasHostBits, type Addr, type Family, type Prefix } from "../../addr/ip.js";
import { SCOPE, TABLE, type RouteType } from "../../core/kinds.js";
import type { SourceLoc } from "../../core/loc.js";
import type { IpError } from "../../parse/args.js";
import type { IpCommand, NexthopSpec, RouteSpec } from "../../parse/ipcmd.js";
import {
  findRoute,
  gatewayRouteOf4,
  gatewayVia6,
  routeInsert,
  routePrepend,
  routeRemove,
  routeReplace,
  sameKeyRoutes,
} from "../fib-index.js";
import { linkByIndex, linkByName } from "../links.js";
import { defaultMetric } from "../route-skeleton.js";
import type { HostState, Nexthop, Route } from "../types.js";
import { extack, noDev, rtnl } from "./errors.js";

type RouteCmd = Extract<IpCommand, { obj: "route" }>;
type RouteChange = Extract<RouteCmd, { route: RouteSpec }>;
type RouteFlush = Extract<RouteCmd, { op: "flush" | "show" }>;

/** A route type that carries no nexthop (fib_props error types). */
export function isErrorType(t: RouteType): boolean {
  return t === "blackhole" || t === "unreachable" || t === "prohibit" || t === "throw";
}

/** rtm_scope when not given (iproute2 iproute_modify, then the kernel forces IPv6 universe). */
function defaultScope(spec: RouteSpec, type: RouteType): number {
  if (spec.family === 6) return SCOPE.universe;
  if (spec.scope !== undefined) return spec.scope;
  if (type === "local") return SCOPE.host;
  if (type === "broadcast" || type === "multicast" || type === "anycast") return SCOPE.link;
  if (type === "unicast" && !spec.nexthops.some((n) => n.gateway)) return SCOPE.link;
  return SCOPE.universe;
}

/** A gateway nexthop: fib_check_nh_v4_gw / ip6_validate_gw; the device it resolves to. */
function gatewayDev(
  s: HostState,
  h: NexthopSpec & { gateway: NonNullable<NexthopSpec["gateway"]> },
  fam: Family,
  table: number,
  ifindex: number,
  scope: number,
  loc: SourceLoc,
): number | { dev: number; local: true } | IpError {
  if (h.gateway.family !== fam) return extack("Invalid gateway address family", undefined, loc);
  if (h.onlink) {
    if (!ifindex) return extack("Nexthop device required for onlink", undefined, loc);
    const l = linkByIndex(s, ifindex)!;
    if (!l.up) return extack("Nexthop device is not up", undefined, loc);
    return ifindex;
  }
  if (fam === 4) {
    // Through the FIB index (longest eligible route, lowest metric, oldest): a route of at
    // least flowi4_scope = max(scope + 1, link), or a local one (an address of ours).
    const oif = ifindex || undefined;
    const r = gatewayRouteOf4(s, table, h.gateway, oif, Math.max(scope + 1, SCOPE.link));
    const dev = r?.nexthops.find((n) => !oif || n.ifindex === oif)?.ifindex;
    if (dev === undefined) return extack("Nexthop has invalid gateway.", undefined, loc);
    return r!.type === "local" ? { dev, local: true } : dev;
  }
  // IPv6 (ip6_validate_gw): link-local gateways need a device; others resolve through a route.
  const ll = (h.gateway.v as bigint) >> 118n === 0x3fan;
  if (ll && !ifindex) return extack("Egress device not specified", undefined, loc);
  if (ll) return ifindex;
  // ip6_route_check_nh: EHOSTUNREACH without an extack (a reject route, a route that needs a
  // gateway itself, or none on the device).
  const via = gatewayVia6(s, table, h.gateway, ifindex);
  if (!via) return rtnl("No route to host", undefined, loc, "rtnl.EHOSTUNREACH");
  return ifindex || via.nexthops[0]!.ifindex;
}

/** One nexthop of a route that has them (fib_create_info / ip6_route_info_create). */
function buildNexthop(
  s: HostState,
  h: NexthopSpec,
  fam: Family,
  table: number,
  scope: number,
  loc: SourceLoc,
): Nexthop | IpError {
  let ifindex = 0;
  let gwLocal = false;
  if (h.dev !== undefined) {
    const l = linkByName(s, h.dev);
    if (!l) return noDev(h.dev, h.devWord, loc);
    ifindex = l.ifindex;
  }
  if (h.gateway) {
    const dev = gatewayDev(s, { ...h, gateway: h.gateway }, fam, table, ifindex, scope, loc);
    if (typeof dev === "object" && "local" in dev) {
      ifindex = dev.dev;
      gwLocal = true;
    } else if (typeof dev !== "number") return dev;
    else ifindex = dev;
  } else {
    if (!ifindex) return rtnl("No such device", undefined, loc, "rtnl.ENODEV");
    const l = linkByIndex(s, ifindex)!;
    if (!l.up && fam === 4) return extack("Device for nexthop is not up.", undefined, loc);
    if (!l.up && fam === 6) return rtnl("Network is down", undefined, loc, "rtnl.ENETDOWN");
  }
  // Two plain literals, not a spread of a conditional one: V8 builds those slowly and large
  // (~5x memory).
  if (gwLocal && h.gateway)
    return {
      gateway: h.gateway,
      ifindex,
      weight: h.weight,
      onlink: h.onlink,
      dead: false,
      gwLocal,
    };
  return h.gateway
    ? { gateway: h.gateway, ifindex, weight: h.weight, onlink: h.onlink, dead: false }
    : { ifindex, weight: h.weight, onlink: h.onlink, dead: false };
}

/** The nexthops of a route; error types have none (an IPv6 one holds `dev lo`). */
function buildNexthops(
  s: HostState,
  spec: RouteSpec,
  type: RouteType,
  table: number,
  loc: SourceLoc,
): Nexthop[] | IpError {
  const fam = spec.family;
  const nexthops: Nexthop[] = [];
  if (isErrorType(type)) {
    if (spec.nexthops.some((n) => n.gateway || n.dev) || spec.multipath)
      return extack(
        "Gateway, device and multipath can not be specified for this route type.",
        undefined,
        loc,
      );
    if (fam === 6) nexthops.push({ ifindex: 1, weight: 1, onlink: false, dead: false });
    return nexthops;
  }
  if (spec.nexthops.length === 0) return rtnl("No such device", undefined, loc, "rtnl.ENODEV");
  for (const h of spec.nexthops) {
    const nh = buildNexthop(s, h, fam, table, defaultScope(spec, type), loc);
    if ("exit" in nh) return nh;
    nexthops.push(nh);
  }
  return nexthops;
}

/** `src ADDR` must be a local address (fib_create_info: "Invalid prefsrc address."). */
function prefsrcError(s: HostState, spec: RouteSpec, type: RouteType): string | undefined {
  const fam = spec.family;
  const p = spec.prefsrc;
  if (!p) return undefined;
  if (p.family === fam && s.addrs.some((a) => a.family === fam && addrEq(a.local, p)))
    return undefined;
  if (type === "local" && addrEq(p, spec.dst!.addr)) return undefined;
  return fam === 4 ? "Invalid prefsrc address." : "Invalid source address.";
}

/** The route a `route add|replace|…` request creates, or the error the kernel answers. */
function buildRoute(s: HostState, spec: RouteSpec, loc: SourceLoc): Route | IpError {
  const fam = spec.family;
  const type = spec.type ?? "unicast";
  const local = ["local", "broadcast", "nat", "anycast"].includes(type);
  // An explicit `table 0` (RT_TABLE_UNSPEC) means main even for local types.
  const table = spec.table === 0 ? TABLE.main : (spec.table ?? (local ? TABLE.local : TABLE.main));
  const dst = spec.dst!;
  if (fam === 4 && hasHostBits(dst))
    return extack("Invalid prefix for given prefix length.", undefined, loc);
  if (type === "nat") return extack("Invalid scope.", undefined, loc);
  if (type === "anycast" && fam === 4) return rtnl("Invalid argument", undefined, loc);
  const scope = defaultScope(spec, type);
  const nexthops = buildNexthops(s, spec, type, table, loc);
  if ("exit" in nexthops) return nexthops;
  const bad = prefsrcError(s, spec, type);
  if (bad) return extack(bad, undefined, loc);
  if (type === "unicast" && fam === 4 && spec.tos && spec.tos & 0x03)
    return extack("Invalid tos", undefined, loc);
  const route: Route = {
    family: fam,
    table,
    type,
    dst,
    tos: spec.tos ?? 0,
    metric: spec.metric ?? defaultMetric(fam, type),
    protocol: spec.protocol ?? 3,
    scope,
    nexthops,
    multipath: spec.multipath && nexthops.length > 0,
    pref6: spec.pref6 ?? 0,
    seq: s.seq++,
  };
  // Optional fields are assigned rather than spread (see buildNexthop).
  if (spec.prefsrc) route.prefsrc = spec.prefsrc;
  if (spec.src) route.src = spec.src;
  if (spec.metrics.length) route.metrics = spec.metrics;
  return route;
}

/** `ip route flush`: every route the family, table, device, proto, type and selectors match. */
function flushRoutes(s: HostState, cmd: RouteFlush, loc: SourceLoc): IpError | undefined {
  // `ip route flush cache`: the IPv4 cache is gone since Linux 3.6 and route exceptions
  // (cloned routes) are not kept, so there is nothing to flush (iproute_flush_cache).
  if (cmd.cloned) return undefined;
  const fam = cmd.family ?? 4;
  const table = cmd.table ?? TABLE.main;
  const dev = cmd.dev ? linkByName(s, cmd.dev) : undefined;
  if (cmd.dev && !dev) return noDev(cmd.dev, cmd.devWord, loc);
  s.routes = s.routes.filter(
    (r) =>
      !(
        (cmd.family === undefined && table === "all" ? true : r.family === fam) &&
        (table === "all" || r.table === table) &&
        (!dev || r.nexthops.some((n) => n.ifindex === dev.ifindex)) &&
        (cmd.proto === undefined || r.protocol === cmd.proto) &&
        (cmd.type === undefined || r.type === cmd.type) &&
        selected(r, cmd)
      ),
  );
  return undefined;
}

/** inet_addr_match_rta: the attribute present and inside the filter's prefix. */
function inPrefix(p: Prefix, a: Addr | undefined): boolean {
  if (!a || a.family !== p.addr.family) return false;
  const shift = BigInt((a.family === 4 ? 32 : 128) - p.len);
  return BigInt(a.v) >> shift === BigInt(p.addr.v) >> shift;
}

/**
 * The selectors `flush` shares with `show` (iproute2's filter_nlmsg, as print/routes.ts
 * applies them to a listing): scope, via, src and `[root|match|exact] PREFIX`.
 */
function selected(r: Route, f: RouteFlush): boolean {
  const single = r.nexthops.length === 1 ? r.nexthops[0] : undefined;
  return (
    (f.scope === undefined || r.scope === f.scope) &&
    (f.via === undefined || inPrefix(f.via, single?.gateway)) &&
    (f.src === undefined || inPrefix(f.src, r.prefsrc)) &&
    (f.root === undefined || (f.root.len <= r.dst.len && inPrefix(f.root, r.dst.addr))) &&
    (f.match === undefined || (r.dst.len <= f.match.len && inPrefix(r.dst, f.match.addr)))
  );
}

/** IPv6 append to an existing route of the same metric adds a nexthop (ECMP). */
function appendHop6(tgt: Route, r: Route, loc: SourceLoc): IpError | undefined {
  const n0 = r.nexthops[0];
  if (tgt.nexthops.some((n) => addrEq(n.gateway, n0?.gateway) && n.ifindex === n0?.ifindex))
    return rtnl("File exists", undefined, loc, "rtnl.EEXIST");
  // A new list: nexthop lists may be shared between routes (fib-index sharedNexthops).
  tgt.nexthops = [...tgt.nexthops, ...r.nexthops];
  tgt.multipath = true;
  return undefined;
}

/** rt6_qualify_for_ecmp: a gateway route (not an error type) may have ECMP siblings. */
const ecmp6 = (r: Route) => !isErrorType(r.type) && r.nexthops.every((n) => n.gateway);

/**
 * IPv6 append (fib6_add_rt2node without NLM_F_EXCL): a gateway route joins the first gateway
 * route of its metric as a sibling (ECMP); any other route goes in on its own behind the
 * routes of its metric. The same device and gateway again is EEXIST (rt6_duplicate_nexthop).
 */
function append6(
  s: HostState,
  same: readonly Route[],
  r: Route,
  loc: SourceLoc,
): IpError | undefined {
  const sib = ecmp6(r) ? same.find((x) => ecmp6(x)) : undefined;
  if (sib) return appendHop6(sib, r, loc);
  const n0 = r.nexthops[0];
  const dup = same.some(
    (x) =>
      !x.multipath &&
      x.type === r.type &&
      x.nexthops.some((n) => addrEq(n.gateway, n0?.gateway) && n.ifindex === n0?.ifindex),
  );
  if (dup) return rtnl("File exists", undefined, loc, "rtnl.EEXIST");
  routeInsert(s, r);
  return undefined;
}

/** Insert `r` as `op` says, given the routes of the same key (fib_table_insert). */
function insertRoute(
  s: HostState,
  op: RouteChange["op"],
  r: Route,
  loc: SourceLoc,
): IpError | undefined {
  // Same-key routes (fib_find_alias) through the FIB index, oldest first.
  const same = sameKeyRoutes(s, r);
  if (r.family === 4 && r.table === TABLE.local && r.type === "local") s.v4CustomLocalRoutes = true;
  const first = same[0];
  if (op !== "del") markTable(s, r.family, r.table);
  switch (op) {
    case "add":
      if (first) return rtnl("File exists", undefined, loc, "rtnl.EEXIST");
      break;
    case "append":
      if (r.family === 6 && first) return append6(s, same, r, loc);
      break;
    case "prepend":
      // Before the oldest route of its key (fib_insert_alias before fa_first).
      if (first) {
        routePrepend(s, r, first);
        return undefined;
      }
      break;
    case "replace":
    case "change":
      if (first) {
        routeReplace(s, first, r);
        return undefined;
      }
      if (op === "change") return rtnl("No such file or directory", undefined, loc, "rtnl.ENOENT");
      break;
    case "del":
      return undefined;
  }
  routeInsert(s, r);
  return undefined;
}

/**
 * Remember that `table` now exists in the kernel's sense (fib_new_table / fib6_new_table):
 * in the host state, so that copies of it keep the table.
 */
function markTable(s: HostState, fam: Family, table: number): void {
  s.fibTables ??= new Set();
  s.fibTables.add(fam === 4 ? table : -1 - table);
}

/**
 * Does the kernel have this table? IPv6 main and local always exist (fib6_net_init); an
 * IPv4 local table creates main as its alias (fib_new_table without custom rules); any other
 * table exists once a route was added to it.
 */
function tableSeen(s: HostState, fam: Family, table: number): boolean {
  const has = (t: number) =>
    s.routes.some((r) => r.family === fam && r.table === t) ||
    (s.fibTables?.has(fam === 4 ? t : -1 - t) ?? false);
  if (fam === 6 && (table === TABLE.main || table === TABLE.local)) return true;
  if (fam === 4 && table === TABLE.main) return has(TABLE.main) || has(TABLE.local);
  return has(table);
}

/** inet_rtm_delroute: the oldest route matching every attribute given (fib_table_delete). */
function deleteRoute(s: HostState, spec: RouteSpec, loc: SourceLoc): IpError | undefined {
  const fam = spec.family;
  const local = spec.type && ["local", "broadcast", "anycast"].includes(spec.type);
  const table = spec.table || (local ? TABLE.local : TABLE.main);
  const devs: number[] = [];
  for (const h of spec.nexthops)
    if (h.dev) {
      const l = linkByName(s, h.dev);
      if (!l) return noDev(h.dev, h.devWord, loc);
      devs.push(l.ifindex);
    }
  // The oldest matching route, found through the FIB index when a prefix is given.
  const victim = findRoute(s, fam, table, spec.dst, (r) => {
    if (r.family !== fam || r.table !== table) return false;
    if (spec.dst && (!addrEq(r.dst.addr, spec.dst.addr) || r.dst.len !== spec.dst.len))
      return false;
    if (fam === 4 && r.tos !== (spec.tos ?? 0)) return false;
    if (spec.type && r.type !== spec.type) return false;
    if (spec.metric !== undefined && r.metric !== spec.metric) return false;
    if (spec.protocol !== undefined && r.protocol !== spec.protocol) return false;
    if (spec.scope !== undefined && r.scope !== spec.scope) return false;
    if (spec.prefsrc && !addrEq(r.prefsrc, spec.prefsrc)) return false;
    const h = spec.nexthops[0];
    if (h && !spec.multipath) {
      if (h.gateway && !r.nexthops.some((n) => addrEq(n.gateway, h.gateway))) return false;
      if (h.dev && !r.nexthops.some((n) => n.ifindex === devs[0])) return false;
    }
    return true;
  });
  if (!victim) {
    // inet_rtm_delroute / inet6_rtm_delroute: fib_get_table fails first, with an extack.
    if (!tableSeen(s, fam, table))
      return extack("FIB table does not exist.", undefined, loc, "rtnl.ESRCH");
    return rtnl("No such process", undefined, loc, "rtnl.ESRCH");
  }
  routeRemove(s, victim);
  return undefined;
}

/**
 * `ip route add|del|replace|change|append|prepend|flush`.
 * @example applyRoute(s, cmd, loc) // undefined, or the error `ip` prints
 */
export function applyRoute(s: HostState, cmd: RouteCmd, loc: SourceLoc): IpError | undefined {
  if (cmd.op === "show" || cmd.op === "get") return undefined;
  if (cmd.op === "flush") return flushRoutes(s, cmd as RouteFlush, loc);
  const spec = (cmd as RouteChange).route;
  if (cmd.op === "del") return deleteRoute(s, spec, loc);
  const r = buildRoute(s, spec, loc);
  if ("exit" in r) return r;
  return insertRoute(s, (cmd as RouteChange).op, r, loc);
}
