/**
 * Route decisions as the kernel makes them: the IPv4 output path
 * (`ip_route_output_key_hash_rcu` → `fib_lookup` → `fib_select_path` → `__mkroute_output`),
 * IPv6 (`ip6_pol_route`) and `routeGet`, which is `ip route get` (`inet_rtm_getroute` /
 * `inet6_rtm_getroute`). The IPv4 input path is input.ts; nexthop and source selection
 * select.ts.
 * @module
 */
import { ANY4, ANY6, is4, is6, v4, type Addr } from "../addr/ip.js";
import { SCOPE, TABLE, type RouteType } from "../core/kinds.js";
import { linkByIndex, linkByName } from "../model/links.js";
import { orConf4 } from "../model/sysctl.js";
import type { HostState, Route } from "../model/types.js";
import { fibLookup, fibTableLookup, type PolicyResult } from "./fib.js";
import { input4 } from "./input.js";
import { requiresFlowDissect } from "./rules.js";
import {
  chooseNexthop,
  inetSelectAddr,
  ipv6SelectSaddr,
  isLocal4,
  nexthopSaddr,
} from "./select.js";
import {
  failed,
  LO,
  type Decision,
  type Flow,
  type RouteDecision,
  type RouteQuery,
  type TraceStep,
} from "./types.js";

export type { RouteQuery };

// ---------------------------------------------------------------------------
// IPv4 output (ip_route_output_key_hash_rcu)
// ---------------------------------------------------------------------------

/**
 * __ip_dev_find: the device owning an address — an interface address, else a `local` route
 * in the local table (127.0.0.0/8 covers every 127.x).
 */
function devOwning4(s: HostState, a: number): number | undefined {
  const ifa = isLocal4(s, a);
  if (ifa) return ifa.ifindex;
  const r = fibTableLookup(s, TABLE.local, {
    family: 4,
    daddr: v4(a),
    saddr: ANY4,
    iif: LO,
    oif: 0,
    mark: 0,
    uid: 0,
    tos: 0,
    ipproto: 0,
    sport: 0,
    dport: 0,
  });
  return r.kind === "route" && r.route.type === "local"
    ? r.route.nexthops[r.nhIndex]!.ifindex
    : undefined;
}

/** What the output steps share and refine: the source chosen so far and the output device. */
interface Output4 {
  s: HostState;
  q: RouteQuery;
  flow: Flow;
  trace: TraceStep[];
  daddr: number;
  /** 0 until known. */
  saddr: number;
  /** The oif's device, 0 without one. */
  devOut: number;
}

/** Primary address of `ifindex` of at most `scope`, as a number (0: none). */
const selectAddr4 = (s: HostState, ifindex: number, scope: number): number =>
  (inetSelectAddr(s, ifindex, 0, scope)?.v as number | undefined) ?? 0;

/**
 * ip_route_output_key_hash_rcu, first step: a given source must be ours; multicast and
 * limited broadcast with a source leave by the device that owns it.
 */
function outputSource4(c: Output4): Decision | undefined {
  const { s, flow, trace, daddr, saddr } = c;
  if (!saddr) return undefined;
  if (is4.multicast(saddr) || is4.lbcast(saddr) || is4.zeronet(saddr))
    return failed("EINVAL", flow, trace);
  const owner = devOwning4(s, saddr);
  if (!flow.oif && (is4.multicast(daddr) || is4.lbcast(daddr))) {
    if (owner === undefined) return failed("ENETUNREACH", flow, trace);
    const type = is4.lbcast(daddr) ? "broadcast" : "multicast";
    return make4(c, { type, oif: owner });
  }
  if (!c.q.reroute && owner === undefined) {
    trace.push({ kind: "note", text: "the source address is not one of this host's addresses" });
    return failed("ENETUNREACH", flow, trace);
  }
  return undefined;
}

/**
 * ip_route_output_key_hash_rcu, second step: an output interface must exist and be up;
 * link-local multicast and limited broadcast go straight out of it.
 */
function outputDevice4(c: Output4): Decision | undefined {
  const { s, flow, trace, daddr } = c;
  if (!flow.oif) return undefined;
  const l = linkByIndex(s, flow.oif);
  if (!l) return failed("ENODEV", flow, trace);
  if (!l.up) return failed("ENETUNREACH", flow, trace);
  if (is4.linkLocalMulticast(daddr) || is4.lbcast(daddr)) {
    if (!c.saddr) c.saddr = selectAddr4(s, l.ifindex, SCOPE.link);
    return make4(c, { type: is4.lbcast(daddr) ? "broadcast" : "multicast", oif: l.ifindex });
  }
  if (!c.saddr && is4.multicast(daddr)) c.saddr = selectAddr4(s, l.ifindex, SCOPE.universe);
  else if (!c.saddr && !daddr) c.saddr = selectAddr4(s, l.ifindex, SCOPE.host);
  // The kernel sets fl4->saddr here, before fib_lookup: `from` rules see the chosen source.
  if (c.saddr && !c.q.from) c.flow = { ...flow, saddr: v4(c.saddr) };
  c.devOut = l.ifindex;
  return undefined;
}

/** ip_route_output_key_hash_rcu: the IPv4 output lookup, step by step. */
function output4(s: HostState, q: RouteQuery, flow: Flow, trace: TraceStep[]): Decision {
  const c: Output4 = {
    s,
    q,
    flow,
    trace,
    daddr: q.dst.v as number,
    saddr: (q.from?.v as number | undefined) ?? 0,
    devOut: 0,
  };
  const early = outputSource4(c) ?? outputDevice4(c);
  if (early) return early;
  if (!c.daddr) {
    // No destination: loopback to ourselves.
    c.saddr ||= 0x7f000001;
    c.daddr = c.saddr;
    return make4(c, { type: "local", oif: LO, local: true });
  }
  const res = fibLookup(s, c.flow, trace);
  if (!res.ok) {
    if (!flow.oif) return failed(res.errno, c.flow, trace, res.route);
    // "Apparently, routing tables are wrong. Assume, that the destination is on link."
    trace.push({ kind: "onlink-fallback", oif: flow.oif, errno: res.errno });
    if (!c.saddr) c.saddr = selectAddr4(s, c.devOut, SCOPE.link);
    return make4(c, { type: "unicast", oif: c.devOut });
  }
  const r = res.route;
  if (r.type === "local") {
    // Local delivery: the source defaults to the route's, else the destination itself.
    c.saddr ||= (r.prefsrc?.v as number | undefined) ?? c.daddr;
    return make4(c, { type: "local", oif: LO, route: r, table: res.table, local: true });
  }
  return selectPath4(c, res);
}

/** fib_select_path: the multipath nexthop, then the source (fib_result_prefsrc). */
function selectPath4(c: Output4, res: Extract<PolicyResult, { ok: true }>): Decision {
  const { s, q, flow, trace } = c;
  const r = res.route;
  const nhIndex = chooseNexthop(s, res, flow, flow, trace, q.from);
  const nh = r.nexthops[nhIndex]!;
  if (!c.saddr) {
    const src = nexthopSaddr(s, r, nhIndex);
    c.saddr = (src?.v as number | undefined) ?? 0;
    if (src)
      trace.push({
        kind: "saddr",
        addr: src,
        why: r.prefsrc
          ? "the route's src"
          : nh.gateway
            ? "primary address of the nexthop device on the gateway's subnet"
            : "primary address of the output device",
      });
  }
  return make4(c, {
    type: r.type,
    oif: nh.ifindex,
    route: r,
    table: res.table,
    nhIndex,
    gateway: nh.gwLocal ? undefined : nh.gateway,
  });
}

/** The route __mkroute_output is given: type, device and the FIB result, if any. */
interface Make4 {
  type: RouteType;
  oif: number;
  route?: Route;
  table?: number;
  nhIndex?: number;
  gateway?: Addr | undefined;
  local?: boolean;
}

/** __mkroute_output: loopback source off lo, broadcast/multicast destinations, cache flags. */
function make4(c: Output4, m: Make4): Decision {
  const { s, flow, trace, daddr, saddr } = c;
  const dev = linkByIndex(s, m.oif);
  const localnet = () => !!dev && !!orConf4(s, dev.name, "route_localnet");
  if (is4.loopback(saddr) && dev?.kind !== "loopback" && !localnet())
    return failed("EINVAL", flow, trace);
  let type = m.type;
  const flags: string[] = [];
  if (is4.lbcast(daddr)) type = "broadcast";
  else if (is4.multicast(daddr)) type = "multicast";
  else if (is4.zeronet(daddr)) return failed("EINVAL", flow, trace);
  // Broadcast drops the fib_info; multicast through a route shorter than /4 too
  // ("do not gateway").
  let gateway = m.gateway;
  if (type === "broadcast") {
    flags.push("local", "brd");
    gateway = undefined;
  } else if (type === "multicast") {
    // ip_check_mc_rcu: every IPv4 device has joined 224.0.0.1 (all hosts), so it stays local.
    if (daddr === 0xe0000001) flags.push("local");
    flags.push("mc");
    if (m.route && m.route.dst.len < 4) gateway = undefined;
  } else if (dev?.kind === "loopback" || m.local) flags.push("local");
  return {
    ok: true,
    type,
    oif: m.oif,
    cacheFlags: flags,
    flow,
    trace,
    // Conditional spreads, not defined(): this runs once per lookup and defined()'s
    // Object.entries costs more than the whole lookup's allocations.
    ...(m.route ? { route: m.route, matchedPrefix: m.route.dst } : {}),
    ...(m.table !== undefined ? { table: m.table } : {}),
    ...(m.nhIndex !== undefined ? { nhIndex: m.nhIndex } : {}),
    ...(gateway && type !== "local" ? { gateway } : {}),
    ...(saddr ? { prefsrc: v4(saddr) } : {}),
  };
}

// ---------------------------------------------------------------------------
// IPv6 (ip6_pol_route)
// ---------------------------------------------------------------------------

/**
 * The flow ip6_pol_route looks up with. rt6_need_strict: multicast, link-local and loopback
 * destinations bind the lookup to the device (the oif, or for input lookups the ingress
 * device, ip6_pol_route_input passing iif as oif). ip6_route_output_flags: with a source the
 * oif does not bind the lookup, but rt6_score_route still prefers its routes (fib.ts select6),
 * as it prefers the ingress device's for input lookups.
 */
function lookupFlow6(flow: Flow, inLink: { ifindex: number; kind: string } | undefined): Flow {
  const dst = flow.daddr.v as bigint;
  const needStrict = is6.linkLocal(dst) || is6.multicast(dst) || dst === 1n;
  if (inLink)
    return needStrict && inLink.kind !== "loopback"
      ? { ...flow, nhOif: inLink.ifindex, scoreOif: inLink.ifindex }
      : { ...flow, scoreOif: inLink.ifindex };
  if (flow.oif && flow.hasSaddr && !needStrict) return { ...flow, oifStrict: false };
  return flow;
}

/** ip6_pol_route (input and output): lookup, multipath sibling, then the source. */
function route6(s: HostState, q: RouteQuery, flow: Flow, trace: TraceStep[]): Decision {
  const inLink = q.iif ? linkByName(s, q.iif) : undefined;
  const lookupFlow = lookupFlow6(flow, inLink);
  const res = fibLookup(s, lookupFlow, trace);
  if (!res.ok) return failed(res.errno, flow, trace);
  const r = res.route;
  const nhIndex = chooseNexthop(s, res, lookupFlow, lookupFlow, trace);
  const nh = r.nexthops[nhIndex]!;
  const local = r.type === "local" || r.type === "anycast";
  // ip6_route_get_saddr: the route's own device (a `local` route on eth0 picks eth0's
  // addresses). Input lookups have no source to pick.
  const prefsrc = inLink
    ? undefined
    : (r.prefsrc ?? ipv6SelectSaddr(s, nh.ifindex || LO, q.dst.v as bigint));
  const d: RouteDecision = {
    ok: true,
    type: r.type,
    oif: local ? LO : nh.ifindex,
    cacheFlags: [],
    flow,
    trace,
    // Conditional spreads, not defined(): once per lookup (see make4).
    ...(inLink ? { iif: inLink.ifindex } : {}),
    route: r,
    table: res.table,
    nhIndex,
    matchedPrefix: r.dst,
    ...(nh.gateway ? { gateway: nh.gateway } : {}),
    ...(prefsrc ? { prefsrc } : {}),
  };
  return d;
}

// ---------------------------------------------------------------------------
// ip route get
// ---------------------------------------------------------------------------

/**
 * The flow inet_rtm_getroute / inet6_rtm_getroute build from the request. Input lookups run
 * with uid 0 (sock_net_uid(net, NULL)) for IPv4; IPv6 ones use the uid argument, else
 * INVALID_UID. `ip route get` defaults to UDP; IPv4 input lookups and re-routes see
 * protocol and ports only with flow dissection.
 */
function routeGetFlow(s: HostState, q: RouteQuery, iif: number | undefined, oif: number): Flow {
  const fam = q.family;
  const input = iif !== undefined;
  const rr = !!q.reroute && !input;
  const noPorts = ((input && fam === 4) || rr) && !requiresFlowDissect(s, fam);
  return {
    family: fam,
    daddr: q.dst,
    saddr: q.from ?? (fam === 4 ? ANY4 : ANY6),
    iif: iif ?? LO,
    oif,
    mark: q.mark ?? 0,
    uid: input ? (fam === 4 ? 0 : (q.uid ?? 0xffffffff)) : rr && fam === 4 ? 0 : (q.uid ?? 0),
    tos: q.tos ?? 0,
    ipproto: noPorts ? 0 : (q.ipproto ?? (fam === 4 ? 17 : 0)),
    sport: noPorts ? 0 : (q.sport ?? 0),
    dport: noPorts ? 0 : (q.dport ?? 0),
    hasSaddr: q.from !== undefined,
  };
}

/**
 * `ip route get`: the decision the kernel returns for a query, with a trace.
 * Throws nothing; device names must exist (the CLI checks them, like iproute2).
 * @example
 * ```ts
 * // state: a HostState with `ip rule add fwmark 129 lookup 100` and table 100 empty
 * const d = routeGet(state, { family: 4, dst: v4(0x01010101), mark: 129 });
 * if (!d.ok) console.log(d.errno); // "ENETUNREACH": no table has a route
 * ```
 */
export function routeGet(s: HostState, q: RouteQuery): Decision {
  const inLink = q.iif ? linkByName(s, q.iif) : undefined;
  const outLink = q.oif ? linkByName(s, q.oif) : undefined;
  // A zero IPv4 source given to an output lookup means "no source" (inet_rtm_getroute).
  if (q.family === 4 && !inLink && q.from && q.from.v === 0) {
    q = { ...q };
    delete q.from;
  }
  const flow = routeGetFlow(s, q, inLink?.ifindex, outLink ? outLink.ifindex : 0);
  const trace: TraceStep[] = [];
  if (q.family === 6) return route6(s, q, flow, trace);
  if (inLink) return input4(s, q, flow, trace);
  return output4(s, q, flow, trace);
}
