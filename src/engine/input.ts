/**
 * The IPv4 input path as the kernel takes it for a packet arriving on a device:
 * `ip_route_input_rcu` (multicast), `ip_route_input_slow` (martians, the FIB lookup,
 * local and broadcast delivery), `ip_mkroute_input` / `__mkroute_input` (forwarding and the
 * redirect flag) and reverse-path filtering (`fib_validate_source`).
 * @module
 */
import { contains, formatAddr, is4, v4, type Addr } from "../addr/ip.js";
import type { RouteType } from "../core/kinds.js";
import { linkByName } from "../model/links.js";
import { devConf4, maxConf4, orConf4 } from "../model/sysctl.js";
import type { HostState, Link, Route } from "../model/types.js";
import { fibLookup, type PolicyResult } from "./fib.js";
import { requiresFlowDissect } from "./rules.js";
import { chooseNexthop, isLocal4 } from "./select.js";
import {
  failed,
  LO,
  type Decision,
  type Flow,
  type RouteDecision,
  type RouteQuery,
  type TraceStep,
} from "./types.js";

// ---------------------------------------------------------------------------
// rp_filter (fib_validate_source)
// ---------------------------------------------------------------------------

/**
 * fib_validate_source: returns <0 (errno) to drop, 0 ok, 1 ok and "source on link"
 * (redirect possible). Without rp_filter (and no redirect to send) the kernel skips the
 * reverse lookup unless custom local routes or rules could change its answer.
 */
export function validateSource4(
  s: HostState,
  flow: Flow,
  oif: number,
  inDev: string,
  dst: number,
  trace: TraceStep[],
): number {
  const rpf = maxConf4(s, inDev, "rp_filter");
  const inIfindex = linkByName(s, inDev)!.ifindex;
  const txRedirects = orConf4(s, inDev, "send_redirects");
  if (!rpf && !(inIfindex === oif && txRedirects)) {
    if (maxConf4(s, inDev, "accept_local")) {
      const why = "rp_filter is off and accept_local is set";
      trace.push({ kind: "rp_filter", mode: 0, ok: true, why });
      return 0;
    }
    if (!(s.v4CustomLocalRoutes || s.v4CustomRules)) {
      if (isLocal4(s, flow.saddr.v as number)) {
        const why = "the source is one of this host's addresses (martian source)";
        trace.push({ kind: "rp_filter", mode: 0, ok: false, why });
        return -1;
      }
      trace.push({ kind: "rp_filter", mode: 0, ok: true, why: "rp_filter is off" });
      return 0;
    }
  }
  return fullValidateSource4(s, flow, oif, inDev, dst, trace, rpf);
}

/** The reverse flow __fib_validate_source looks up: from dst back to the packet's source. */
function reverseFlow4(s: HostState, flow: Flow, oif: number, inDev: string, dst: number): Flow {
  const dissect = requiresFlowDissect(s, 4);
  return {
    family: 4,
    daddr: flow.saddr,
    saddr: v4(dst),
    iif: oif || LO,
    oif: 0,
    tos: flow.tos,
    mark: orConf4(s, inDev, "src_valid_mark") ? flow.mark : 0,
    uid: 0,
    ipproto: dissect ? flow.ipproto : 0,
    sport: dissect ? flow.dport : 0,
    dport: dissect ? flow.sport : 0,
  };
}

/** __fib_validate_source: the reverse lookup and the strict (1) / loose (2) check. */
function fullValidateSource4(
  s: HostState,
  flow: Flow,
  oif: number,
  inDev: string,
  dst: number,
  trace: TraceStep[],
  rpf: number,
): number {
  const inIfindex = linkByName(s, inDev)!.ifindex;
  const rev = reverseFlow4(s, flow, oif, inDev, dst);
  const noAddr = !s.addrs.some((a) => a.family === 4 && a.ifindex === inIfindex);
  const res = fibLookup(s, rev, []);
  const src = formatAddr(flow.saddr);
  const done = (ok: boolean, why: string, ret: number) => {
    trace.push({ kind: "rp_filter", mode: rpf, ok, why });
    return ok ? ret : -1;
  };
  if (!res.ok)
    return rpf
      ? done(false, `reverse lookup for ${src} failed (${res.errno}) and rp_filter=${rpf}`, -1)
      : done(true, "reverse lookup failed; rp_filter is off", 0);
  const r = res.route;
  if (r.type !== "unicast" && !(r.type === "local" && maxConf4(s, inDev, "accept_local")))
    return done(false, `reverse route to ${src} is ${r.type}`, -1);
  const devMatch =
    r.nexthops.some((n) => n.ifindex === inIfindex) || (r.type === "local" && inIfindex === LO);
  // FIB_RES_NHC(res)->nhc_scope == RT_SCOPE_HOST: the source is on link (no gateway).
  const scopeHost = (rr: Route, i: number) => (rr.nexthops[i]?.gateway ? 0 : 1);
  if (devMatch)
    return done(true, `reverse route to ${src} goes out ${inDev}`, scopeHost(r, res.nhIndex));
  if (noAddr)
    return rpf
      ? done(false, `${inDev} has no IPv4 address and rp_filter=${rpf}`, -1)
      : done(true, "no address on the ingress device; rp_filter off", 0);
  if (rpf === 1)
    return done(
      false,
      `strict rp_filter: the reverse route to ${src} does not go out ${inDev}`,
      -1,
    );
  const loose = fibLookup(s, { ...rev, oif: inIfindex }, undefined, true);
  const ret =
    loose.ok && loose.route.type === "unicast" ? scopeHost(loose.route, loose.nhIndex) : 0;
  return done(true, rpf === 2 ? `loose rp_filter: ${src} is routable` : "rp_filter is off", ret);
}

// ---------------------------------------------------------------------------
// ip_route_input_slow
// ---------------------------------------------------------------------------

/** What the input steps share: the flow, the trace, the ingress device. */
interface Input4 {
  s: HostState;
  q: RouteQuery;
  flow: Flow;
  trace: TraceStep[];
  inLink: Link;
}

/** A martian (ip_handle_martian_source / martian_destination): EINVAL, traced. */
function martian(c: Input4, why: string): Decision {
  c.trace.push({ kind: "martian", why });
  return failed("EINVAL", c.flow, c.trace);
}

/** Local delivery (ip_route_input_slow's local_input / brd_input): the answer goes to lo. */
function localInput(
  c: Input4,
  type: RouteType,
  flags: string[],
  res?: Extract<PolicyResult, { ok: true }>,
): RouteDecision {
  return {
    ok: true,
    type,
    oif: LO,
    cacheFlags: flags,
    flow: c.flow,
    trace: c.trace,
    iif: c.inLink.ifindex,
    ...(res ? { route: res.route, table: res.table } : {}),
  };
}

/** rp_filter for a packet delivered locally or by broadcast: drop it as a martian source. */
function sourceRejected(c: Input4, dst: number): boolean {
  return validateSource4(c.s, c.flow, 0, c.inLink.name, dst, c.trace) < 0;
}

/**
 * ip_route_input_rcu / ip_route_input_slow before the lookup: limited broadcast,
 * multicast groups and martian addresses. Undefined: go on with the FIB lookup.
 */
function inputSpecial4(c: Input4): Decision | undefined {
  const { s, inLink } = c;
  const saddr = c.flow.saddr.v as number,
    daddr = c.flow.daddr.v as number;
  if (is4.multicast(saddr) || is4.lbcast(saddr))
    return martian(c, "source is multicast or broadcast");
  if (is4.lbcast(daddr) || (saddr === 0 && daddr === 0)) {
    if (saddr && sourceRejected(c, 0)) return martian(c, "rp_filter rejected the source");
    return localInput(c, "broadcast", ["local", "brd"]);
  }
  const localnet = () => orConf4(s, inLink.name, "route_localnet");
  if (is4.multicast(daddr)) {
    // ip_route_input_rcu: only groups this host joined (224.0.0.1 on every device) are received.
    if (daddr !== 0xe0000001 || !inLink.up)
      return martian(c, "multicast group not joined on this device");
    // ip_mc_validate_source: a loopback source needs route_localnet here too.
    if (is4.loopback(saddr) && !localnet()) return martian(c, "source in 127.0.0.0/8");
    if (!is4.zeronet(saddr) && sourceRejected(c, 0))
      return martian(c, "rp_filter rejected the source");
    return localInput(c, "multicast", ["local", "mc"]);
  }
  if (is4.zeronet(saddr)) return martian(c, "source 0.0.0.0");
  if (is4.zeronet(daddr)) return martian(c, "destination 0.0.0.0");
  if (is4.loopback(daddr) && !localnet()) return martian(c, "destination in 127.0.0.0/8");
  if (!is4.loopback(daddr) && is4.loopback(saddr) && !localnet())
    return martian(c, "source in 127.0.0.0/8");
  return undefined;
}

/** ip_route_input_slow: an IPv4 packet arriving on `q.iif`. */
export function input4(s: HostState, q: RouteQuery, flow: Flow, trace: TraceStep[]): Decision {
  const c: Input4 = { s, q, flow, trace, inLink: linkByName(s, q.iif!)! };
  const inDev = c.inLink.name;
  const special = inputSpecial4(c);
  if (special) return special;
  const fwd = devConf4(s, inDev, "forwarding") !== 0;
  const res = fibLookup(s, flow, trace);
  if (!res.ok) {
    trace.push({ kind: "forwarding", enabled: fwd, dev: inDev });
    return failed(fwd ? res.errno : "EHOSTUNREACH", flow, trace);
  }
  const r = res.route;
  if (r.type === "broadcast") {
    if (flow.saddr.v && sourceRejected(c, 0)) return martian(c, "rp_filter rejected the source");
    return localInput(c, "broadcast", ["local", "brd"], res);
  }
  if (r.type === "local") {
    if (sourceRejected(c, flow.daddr.v as number))
      return martian(c, "rp_filter rejected the source");
    return localInput(c, "local", ["local"], res);
  }
  trace.push({ kind: "forwarding", enabled: fwd, dev: inDev });
  if (!fwd) return failed("EHOSTUNREACH", flow, trace);
  if (r.type !== "unicast") return martian(c, `${r.type} destination`);
  return mkrouteInput4(c, res);
}

/** __mkroute_input: the forwarded packet's nexthop, rp_filter and the redirect flag. */
function mkrouteInput4(c: Input4, res: Extract<PolicyResult, { ok: true }>): Decision {
  const { s, q, flow, trace, inLink } = c;
  const r = res.route;
  // The multipath hash reads the packet itself (route get's dummy skb: UDP unless ipproto).
  const hashFlow: Flow = {
    ...flow,
    ipproto: q.ipproto ?? 17,
    sport: q.sport ?? 0,
    dport: q.dport ?? 0,
  };
  const nhIndex = chooseNexthop(s, res, flow, hashFlow, trace);
  const nh = r.nexthops[nhIndex]!;
  const v = validateSource4(s, flow, nh.ifindex, inLink.name, flow.daddr.v as number, trace);
  if (v < 0) return martian(c, "rp_filter rejected the source");
  const redirect =
    nh.ifindex === inLink.ifindex &&
    v > 0 &&
    orConf4(s, inLink.name, "send_redirects") &&
    sharedMediaOrOnlink(s, inLink, flow, nh.gateway);
  return {
    ok: true,
    type: "unicast",
    oif: nh.ifindex,
    cacheFlags: redirect ? ["redirect"] : [],
    flow,
    trace,
    iif: inLink.ifindex,
    route: r,
    table: res.table,
    nhIndex,
    matchedPrefix: r.dst,
    ...(nh.gateway ? { gateway: nh.gateway } : {}),
  };
}

/** IN_DEV_SHARED_MEDIA (shared_media, default 1) || inet_addr_onlink(out_dev, saddr, gw). */
function sharedMediaOrOnlink(
  s: HostState,
  inLink: Link,
  flow: Flow,
  gateway: Addr | undefined,
): boolean {
  if (devConf4(s, "all", "shared_media") !== 0 || devConf4(s, inLink.name, "shared_media") !== 0)
    return true;
  return s.addrs.some(
    (a) =>
      a.family === 4 &&
      a.ifindex === inLink.ifindex &&
      contains({ addr: a.local, len: a.prefixlen }, flow.saddr) &&
      (!gateway || contains({ addr: a.local, len: a.prefixlen }, gateway)),
  );
}
