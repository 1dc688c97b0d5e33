/**
 * Route decisions as the kernel makes them: the output path
 * (`ip_route_output_key_hash_rcu`, `ip6_route_output`), the input path
 * (`ip_route_input_slow` with martian checks, forwarding and `fib_validate_source`),
 * preferred source selection (`inet_select_addr`, `ipv6_dev_get_saddr`) and multipath.
 * `routeGet` is `ip route get` (`inet_rtm_getroute` / `inet6_rtm_getroute`).
 * @module
 */
import { addrEq, ANY4, ANY6, contains, formatAddr, is4, is6, v4, type Addr } from "../addr/ip.js";
import { linkByIndex, linkByName } from "../model/links.js";
import { devConf4, devConf6, maxConf4, orConf4, sysctlInt } from "../model/sysctl.js";
import { SCOPE, TABLE, type HostState, type IfAddr, type Route } from "../model/types.js";
import { fibLookup, fibTableLookup, type PolicyResult } from "./fib.js";
import { multipathHash, selectNexthop } from "./multipath.js";
import { requiresFlowDissect } from "./rules.js";
import type { Decision, Errno, Flow, TraceStep } from "./types.js";
import type { RouteGetQuery } from "../parse/ipcmd.js";

const LO = 1;

/**
 * A route-get question: the arguments of `ip route get` as the grammar parses them, plus
 * `reroute` for netfilter's re-route (ip_route_me_harder: the packet's source is kept
 * without the "must be ours" check, IPv4 uses uid 0, protocol/ports only with flow dissection).
 */
export type RouteQuery = Omit<RouteGetQuery, "words" | "fibmatch" | "connected"> & {
  reroute?: boolean;
};

const fail = (
  errno: Errno,
  flow: Flow,
  trace: TraceStep[],
  extra: Partial<Decision> = {},
): Decision => ({ ok: false, errno, cacheFlags: [], flow, trace, ...extra });

// ---------------------------------------------------------------------------
// Source selection
// ---------------------------------------------------------------------------

function primaries4(s: HostState, ifindex: number): IfAddr[] {
  return s.addrs.filter((a) => a.family === 4 && a.ifindex === ifindex && !a.secondary);
}

/** inet_select_addr(dev, dst, scope): a primary address of dev (same subnet as dst preferred), else any device's. */
export function inetSelectAddr(
  s: HostState,
  ifindex: number,
  dst: number,
  scope: number,
): Addr | undefined {
  let found: Addr | undefined;
  const localnetScope = SCOPE.host;
  for (const a of primaries4(s, ifindex)) {
    if (Math.min(a.scope, localnetScope) > scope) continue;
    if (!dst || contains({ addr: a.local, len: a.prefixlen }, v4(dst))) return a.local;
    found ??= a.local;
  }
  if (found) return found;
  // Not on this device: the first suitable primary of any device, lo first (dev_base order).
  for (const l of [...s.links].sort((a, b) => a.ifindex - b.ifindex)) {
    for (const a of primaries4(s, l.ifindex))
      if (a.scope !== SCOPE.link && a.scope <= scope) return a.local;
  }
  return undefined;
}

/** The nexthop's source (fib_info_update_nhc_saddr): scope link for gateways, host for direct routes. */
export function nexthopSaddr(s: HostState, r: Route, i: number): Addr | undefined {
  if (r.prefsrc) return r.prefsrc;
  const nh = r.nexthops[i]!;
  const scope = nh.gateway ? SCOPE.link : SCOPE.host;
  return inetSelectAddr(s, nh.ifindex, nh.gateway ? (nh.gateway.v as number) : 0, scope);
}

function commonPrefix6(a: bigint, b: bigint): number {
  let x = a ^ b,
    n = 128;
  while (x > 0n) {
    x >>= 1n;
    n--;
  }
  return n;
}

function scope6(a: bigint): number {
  if (a === 1n) return 0x1; // loopback: node-local
  if (is6.linkLocal(a)) return 0x2;
  if (is6.multicast(a)) return Number((a >> 112n) & 0xfn);
  return 0xe;
}

/** ipv6_dev_get_saddr (RFC 6724 rules 1, 2, 5, 8). */
export function ipv6SelectSaddr(s: HostState, ifindex: number, dst: bigint): Addr | undefined {
  const dscope = scope6(dst);
  // __ipv6_dev_get_saddr: multicast and link-or-narrower destinations only use the output device's addresses.
  const onlyDev = is6.multicast(dst) || dscope <= 0x2;
  let best: IfAddr | undefined;
  let bestKey: number[] = [];
  for (const a of s.addrs) {
    if (a.family !== 6) continue;
    const l = linkByIndex(s, a.ifindex);
    if (!l?.up) continue;
    if (onlyDev && a.ifindex !== ifindex) continue;
    if (
      !a.nodad &&
      l.kind !== "loopback" &&
      l.kind !== "tun" &&
      !l.carrier &&
      Math.max(devConf6(s, "all", "accept_dad"), devConf6(s, l.name, "accept_dad")) > 0
    )
      continue; // tentative
    const v = a.local.v as bigint;
    const sc = scope6(v);
    if (dscope > 0x2 && sc <= 0x2 && !(v === 1n && dst === 1n)) {
      if (sc === 0x2) continue;
    }
    if (sc === 0x1 && dst !== 1n && !onlyDev) continue;
    const key = [
      v === dst ? 1 : 0,
      sc >= dscope ? 1000 - sc : sc - 1000,
      a.ifindex === ifindex ? 1 : 0,
      commonPrefix6(v, dst),
    ];
    let better = !best;
    for (let i = 0; !better && i < key.length; i++) {
      if (key[i]! > bestKey[i]!) better = true;
      else if (key[i]! < bestKey[i]!) break;
    }
    if (better) {
      best = a;
      bestKey = key;
    }
  }
  return best?.local;
}

/** Routes the kernel never flags RTNH_F_LINKDOWN: IPv4 host-scope (local) routes, IPv6 local/anycast (fib6_nh_init). */
export function neverLinkdown(r: Route): boolean {
  return r.family === 4 ? r.scope === SCOPE.host : r.type === "local" || r.type === "anycast";
}

// ---------------------------------------------------------------------------
// Multipath
// ---------------------------------------------------------------------------

function chooseNexthop(
  s: HostState,
  res: Extract<PolicyResult, { ok: true }>,
  f: Flow,
  hashFlow: Flow,
  trace: TraceStep[],
  outputFrom?: Addr,
): number {
  const r = res.route;
  if (r.nexthops.length < 2) return res.nhIndex;
  if (f.family === 4 && f.oif) return res.nhIndex;
  const strictOif = f.family === 6 ? (f.nhOif ?? (f.oif && f.oifStrict !== false ? f.oif : 0)) : 0;
  const alive = r.nexthops.map((nh) => {
    if (nh.dead) return false;
    const l = linkByIndex(s, nh.ifindex);
    if (l && !l.carrier && !neverLinkdown(r)) {
      const ign =
        f.family === 4
          ? Math.max(
              devConf4(s, "all", "ignore_routes_with_linkdown"),
              devConf4(s, l.name, "ignore_routes_with_linkdown"),
            )
          : Math.max(
              devConf6(s, "all", "ignore_routes_with_linkdown"),
              devConf6(s, l.name, "ignore_routes_with_linkdown"),
            );
      if (ign > 0) return false;
    }
    return true;
  });
  const seedStr = s.sysctl.get("net.ipv4.fib_multipath_hash_seed");
  const seed = seedStr === undefined ? undefined : Number(seedStr);
  const policy = sysctlInt(
    s,
    f.family === 4 ? "net.ipv4.fib_multipath_hash_policy" : "net.ipv6.fib_multipath_hash_policy",
  );
  const h = multipathHash(hashFlow, { policy, seed });
  if (h === undefined) {
    trace.push({
      kind: "note",
      text: "multipath: no fib_multipath_hash_seed is set, so the kernel's choice depends on a per-boot random key; showing the first live nexthop",
    });
    return res.nhIndex;
  }
  const saddrMatch =
    f.family === 4 && outputFrom
      ? r.nexthops.map((_, i) => addrEq(nexthopSaddr(s, r, i), outputFrom))
      : undefined;
  const idx = selectNexthop(
    r.nexthops.map((n) => n.weight),
    alive,
    h,
    saddrMatch,
  );
  trace.push({ kind: "multipath", hash: h, chosen: idx, of: r.nexthops.length });
  // IPv6 with an oif keeps the lookup's own pick when the hashed sibling is on another device.
  if (strictOif && idx >= 0 && r.nexthops[idx]!.ifindex !== strictOif) return res.nhIndex;
  return idx < 0 ? res.nhIndex : idx;
}

// ---------------------------------------------------------------------------
// IPv4 output (ip_route_output_key_hash_rcu)
// ---------------------------------------------------------------------------

function isLocal4(s: HostState, a: number): IfAddr | undefined {
  return s.addrs.find((x) => x.family === 4 && x.local.v === a);
}

/** __ip_dev_find: the device owning an address — an interface address, else a `local` route in the local table (127.0.0.0/8 covers every 127.x). */
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

function output4(s: HostState, q: RouteQuery, flow: Flow, trace: TraceStep[]): Decision {
  const daddr0 = q.dst.v as number;
  let saddr = (q.from?.v as number | undefined) ?? 0;
  let devOut: number | undefined;
  // a. a given source must be ours
  if (saddr) {
    if (is4.multicast(saddr) || is4.lbcast(saddr) || is4.zeronet(saddr))
      return fail("EINVAL", flow, trace);
    const owner = devOwning4(s, saddr);
    if (!flow.oif && (is4.multicast(daddr0) || is4.lbcast(daddr0))) {
      // Multicast/limited broadcast with a source: out of the device that owns the source.
      if (owner === undefined) return fail("ENETUNREACH", flow, trace);
      return make4(s, q, flow, trace, {
        type: is4.lbcast(daddr0) ? "broadcast" : "multicast",
        oif: owner,
        saddr,
        daddr: daddr0,
      });
    }
    if (!q.reroute && owner === undefined) {
      trace.push({ kind: "note", text: "the source address is not one of this host's addresses" });
      return fail("ENETUNREACH", flow, trace);
    }
  }
  // b. an output interface must exist and be up
  if (flow.oif) {
    const l = linkByIndex(s, flow.oif);
    if (!l) return fail("ENODEV", flow, trace);
    if (!l.up) return fail("ENETUNREACH", flow, trace);
    if (is4.linkLocalMulticast(daddr0) || is4.lbcast(daddr0)) {
      if (!saddr)
        saddr = (inetSelectAddr(s, l.ifindex, 0, SCOPE.link)?.v as number | undefined) ?? 0;
      return make4(s, q, flow, trace, {
        type: is4.lbcast(daddr0) ? "broadcast" : "multicast",
        oif: l.ifindex,
        saddr,
        daddr: daddr0,
      });
    }
    if (!saddr && is4.multicast(daddr0))
      saddr = (inetSelectAddr(s, l.ifindex, 0, SCOPE.universe)?.v as number | undefined) ?? 0;
    else if (!saddr && !daddr0)
      saddr = (inetSelectAddr(s, l.ifindex, 0, SCOPE.host)?.v as number | undefined) ?? 0;
    devOut = l.ifindex;
  }
  // c. no destination: loopback to ourselves
  if (!daddr0) {
    const d = saddr || 0x7f000001;
    return make4(s, q, flow, trace, {
      type: "local",
      oif: LO,
      saddr: saddr || 0x7f000001,
      daddr: d,
      local: true,
    });
  }
  // d. policy lookup
  const res = fibLookup(s, flow, trace);
  if (!res.ok) {
    if (flow.oif) {
      // "Apparently, routing tables are wrong. Assume, that the destination is on link."
      trace.push({ kind: "onlink-fallback", oif: flow.oif, errno: res.errno });
      if (!saddr) saddr = (inetSelectAddr(s, devOut!, 0, SCOPE.link)?.v as number | undefined) ?? 0;
      return make4(s, q, flow, trace, { type: "unicast", oif: devOut!, saddr, daddr: daddr0 });
    }
    return fail(res.errno, flow, trace, { ...(res.route ? { route: res.route } : {}) });
  }
  const r = res.route;
  // e. local delivery
  if (r.type === "local") {
    const src = saddr || ((r.prefsrc?.v as number | undefined) ?? daddr0);
    return make4(s, q, flow, trace, {
      type: "local",
      oif: LO,
      saddr: src,
      daddr: daddr0,
      route: r,
      table: res.table,
      local: true,
    });
  }
  // f. multipath and source
  const nhIndex = chooseNexthop(s, res, flow, flow, trace, q.from);
  const nh = r.nexthops[nhIndex]!;
  if (!saddr) {
    const src = nexthopSaddr(s, r, nhIndex);
    saddr = (src?.v as number | undefined) ?? 0;
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
  return make4(s, q, flow, trace, {
    type: r.type,
    oif: nh.ifindex,
    saddr,
    daddr: daddr0,
    route: r,
    table: res.table,
    nhIndex,
    ...(nh.gateway ? { gateway: nh.gateway } : {}),
  });
}

interface Make4 {
  type: Route["type"];
  oif: number;
  saddr: number;
  daddr: number;
  route?: Route;
  table?: number;
  nhIndex?: number;
  gateway?: Addr;
  local?: boolean;
}

/** __mkroute_output: loopback source off lo, broadcast/multicast destinations, cache flags. */
function make4(s: HostState, q: RouteQuery, flow: Flow, trace: TraceStep[], m: Make4): Decision {
  const dev = linkByIndex(s, m.oif);
  if (
    is4.loopback(m.saddr) &&
    dev?.kind !== "loopback" &&
    !(dev && orConf4(s, dev.name, "route_localnet"))
  )
    return fail("EINVAL", flow, trace);
  let type = m.type;
  const flags: string[] = [];
  if (is4.lbcast(m.daddr)) type = "broadcast";
  else if (is4.multicast(m.daddr)) type = "multicast";
  else if (is4.zeronet(m.daddr)) return fail("EINVAL", flow, trace);
  // Broadcast drops the fib_info; multicast through a route shorter than /4 too ("do not gateway").
  let gateway = m.gateway;
  if (type === "broadcast") {
    flags.push("local", "brd");
    gateway = undefined;
  } else if (type === "multicast") {
    // ip_check_mc_rcu: every IPv4 device has joined 224.0.0.1 (all hosts), so it stays local.
    if (m.daddr === 0xe0000001) flags.push("local");
    flags.push("mc");
    if (m.route && m.route.dst.len < 4) gateway = undefined;
  } else if (dev?.kind === "loopback" || m.local) flags.push("local");
  void q;
  return {
    ok: true,
    type,
    oif: m.oif,
    cacheFlags: flags,
    flow,
    trace,
    ...(m.route ? { route: m.route, matchedPrefix: m.route.dst } : {}),
    ...(m.table !== undefined ? { table: m.table } : {}),
    ...(m.nhIndex !== undefined ? { nhIndex: m.nhIndex } : {}),
    ...(gateway && type !== "local" ? { gateway } : {}),
    ...(m.saddr ? { prefsrc: v4(m.saddr) } : {}),
  };
}

// ---------------------------------------------------------------------------
// IPv4 input (ip_route_input_slow) and rp_filter (fib_validate_source)
// ---------------------------------------------------------------------------

/** fib_validate_source: returns <0 (errno) to drop, 0 ok, 1 ok and "source on link" (redirect possible). */
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
  const src = flow.saddr.v as number;
  if (!rpf && !(inIfindex === oif && txRedirects)) {
    if (maxConf4(s, inDev, "accept_local")) {
      trace.push({
        kind: "rp_filter",
        mode: 0,
        ok: true,
        why: "rp_filter is off and accept_local is set",
      });
      return 0;
    }
    if (!(s.v4CustomLocalRoutes || s.v4CustomRules)) {
      if (isLocal4(s, src)) {
        trace.push({
          kind: "rp_filter",
          mode: 0,
          ok: false,
          why: "the source is one of this host's addresses (martian source)",
        });
        return -1;
      }
      trace.push({ kind: "rp_filter", mode: 0, ok: true, why: "rp_filter is off" });
      return 0;
    }
  }
  // full check: reverse lookup
  const rev: Flow = {
    family: 4,
    daddr: flow.saddr,
    saddr: v4(dst),
    iif: oif || LO,
    oif: 0,
    tos: flow.tos,
    mark: orConf4(s, inDev, "src_valid_mark") ? flow.mark : 0,
    uid: 0,
    ipproto: requiresFlowDissect(s, 4) ? flow.ipproto : 0,
    sport: requiresFlowDissect(s, 4) ? flow.dport : 0,
    dport: requiresFlowDissect(s, 4) ? flow.sport : 0,
  };
  const noAddr = !s.addrs.some((a) => a.family === 4 && a.ifindex === inIfindex);
  const revTrace: TraceStep[] = [];
  const res = fibLookup(s, rev, revTrace);
  const done = (ok: boolean, why: string, ret: number) => {
    trace.push({ kind: "rp_filter", mode: rpf, ok, why });
    return ok ? ret : -1;
  };
  if (!res.ok)
    return rpf
      ? done(
          false,
          `reverse lookup for ${formatAddr(flow.saddr)} failed (${res.errno}) and rp_filter=${rpf}`,
          -1,
        )
      : done(true, "reverse lookup failed; rp_filter is off", 0);
  const r = res.route;
  if (r.type !== "unicast" && !(r.type === "local" && maxConf4(s, inDev, "accept_local")))
    return done(false, `reverse route to ${formatAddr(flow.saddr)} is ${r.type}`, -1);
  const devMatch =
    r.nexthops.some((n) => n.ifindex === inIfindex) || (r.type === "local" && inIfindex === LO);
  const scopeHost = (rr: Route, i: number) => (rr.nexthops[i]?.gateway ? 0 : 1);
  if (devMatch)
    return done(
      true,
      `reverse route to ${formatAddr(flow.saddr)} goes out ${inDev}`,
      scopeHost(r, res.nhIndex),
    );
  if (noAddr)
    return rpf
      ? done(false, `${inDev} has no IPv4 address and rp_filter=${rpf}`, -1)
      : done(true, "no address on the ingress device; rp_filter off", 0);
  if (rpf === 1)
    return done(
      false,
      `strict rp_filter: the reverse route to ${formatAddr(flow.saddr)} does not go out ${inDev}`,
      -1,
    );
  const loose = fibLookup(s, { ...rev, oif: inIfindex }, undefined, true);
  const ret =
    loose.ok && loose.route.type === "unicast" ? scopeHost(loose.route, loose.nhIndex) : 0;
  return done(
    true,
    rpf === 2 ? `loose rp_filter: ${formatAddr(flow.saddr)} is routable` : "rp_filter is off",
    ret,
  );
}

function input4(s: HostState, q: RouteQuery, flow: Flow, trace: TraceStep[]): Decision {
  const inLink = linkByName(s, q.iif!)!;
  const inDev = inLink.name;
  const saddr = flow.saddr.v as number,
    daddr = flow.daddr.v as number;
  const base = { iif: inLink.ifindex };
  const martian = (why: string): Decision => {
    trace.push({ kind: "martian", why });
    return fail("EINVAL", flow, trace, base);
  };
  if (is4.multicast(saddr) || is4.lbcast(saddr)) return martian("source is multicast or broadcast");
  const local = (
    type: Route["type"],
    flags: string[],
    extra: Partial<Decision> = {},
  ): Decision => ({ ok: true, type, oif: LO, cacheFlags: flags, flow, trace, ...base, ...extra });
  if (is4.lbcast(daddr) || (saddr === 0 && daddr === 0)) {
    if (saddr && validateSource4(s, flow, 0, inDev, 0, trace) < 0)
      return martian("rp_filter rejected the source");
    return local("broadcast", ["local", "brd"]);
  }
  if (is4.multicast(daddr)) {
    // ip_route_input_rcu: only groups this host joined (224.0.0.1 on every device) are received.
    if (daddr !== 0xe0000001 || !inLink.up)
      return martian("multicast group not joined on this device");
    if (!is4.zeronet(saddr) && validateSource4(s, flow, 0, inDev, 0, trace) < 0)
      return martian("rp_filter rejected the source");
    return local("multicast", ["local", "mc"]);
  }
  if (is4.zeronet(saddr)) return martian("source 0.0.0.0");
  if (is4.zeronet(daddr)) return martian("destination 0.0.0.0");
  if (is4.loopback(daddr) && !orConf4(s, inDev, "route_localnet"))
    return martian("destination in 127.0.0.0/8");
  if (!is4.loopback(daddr) && is4.loopback(saddr) && !orConf4(s, inDev, "route_localnet"))
    return martian("source in 127.0.0.0/8");
  const fwd = devConf4(s, inDev, "forwarding") !== 0;
  const res = fibLookup(s, flow, trace);
  if (!res.ok) {
    trace.push({ kind: "forwarding", enabled: fwd, dev: inDev });
    return fail(fwd ? res.errno : "EHOSTUNREACH", flow, trace, base);
  }
  const r = res.route;
  if (r.type === "broadcast") {
    if (saddr && validateSource4(s, flow, 0, inDev, 0, trace) < 0)
      return martian("rp_filter rejected the source");
    return local("broadcast", ["local", "brd"], { route: r, table: res.table });
  }
  if (r.type === "local") {
    if (validateSource4(s, flow, 0, inDev, daddr, trace) < 0)
      return martian("rp_filter rejected the source");
    return local("local", ["local"], { route: r, table: res.table });
  }
  trace.push({ kind: "forwarding", enabled: fwd, dev: inDev });
  if (!fwd) return fail("EHOSTUNREACH", flow, trace, base);
  if (r.type !== "unicast") return martian(`${r.type} destination`);
  // The multipath hash reads the packet itself (route get's dummy skb: UDP unless ipproto).
  const hashFlow: Flow = {
    ...flow,
    ipproto: q.ipproto ?? 17,
    sport: q.sport ?? 0,
    dport: q.dport ?? 0,
  };
  const nhIndex = chooseNexthop(s, res, flow, hashFlow, trace);
  const nh = r.nexthops[nhIndex]!;
  const v = validateSource4(s, flow, nh.ifindex, inDev, daddr, trace);
  if (v < 0) return martian("rp_filter rejected the source");
  const flags: string[] = [];
  if (nh.ifindex === inLink.ifindex && v > 0 && orConf4(s, inDev, "send_redirects")) {
    // IN_DEV_SHARED_MEDIA (shared_media, default 1) || inet_addr_onlink(out_dev, saddr, gw).
    const on =
      devConf4(s, "all", "shared_media") !== 0 ||
      devConf4(s, inDev, "shared_media") !== 0 ||
      s.addrs.some(
        (a) =>
          a.family === 4 &&
          a.ifindex === inLink.ifindex &&
          contains({ addr: a.local, len: a.prefixlen }, flow.saddr) &&
          (!nh.gateway || contains({ addr: a.local, len: a.prefixlen }, nh.gateway)),
      );
    if (on) flags.push("redirect");
  }
  return {
    ok: true,
    type: "unicast",
    oif: nh.ifindex,
    cacheFlags: flags,
    flow,
    trace,
    ...base,
    route: r,
    table: res.table,
    nhIndex,
    matchedPrefix: r.dst,
    ...(nh.gateway ? { gateway: nh.gateway } : {}),
  };
}

// ---------------------------------------------------------------------------
// IPv6
// ---------------------------------------------------------------------------

function route6(s: HostState, q: RouteQuery, flow: Flow, trace: TraceStep[]): Decision {
  const inLink = q.iif ? linkByName(s, q.iif) : undefined;
  const base = inLink ? { iif: inLink.ifindex } : {};
  const dst = q.dst.v as bigint;
  // rt6_need_strict: multicast, link-local and loopback destinations bind the lookup to the device
  // (the oif, or for input lookups the ingress device, ip6_pol_route_input passing iif as oif).
  const needStrict = is6.linkLocal(dst) || is6.multicast(dst) || dst === 1n;
  let lookupFlow = flow;
  if (inLink) {
    if (needStrict && inLink.kind !== "loopback") lookupFlow = { ...flow, nhOif: inLink.ifindex };
  }
  // ip6_route_output_flags: with a source the oif only matters to `oif` rules, not to routes.
  else if (flow.oif && flow.hasSaddr && !needStrict) lookupFlow = { ...flow, oifStrict: false };
  const res = fibLookup(s, lookupFlow, trace);
  if (!res.ok) return fail(res.errno, flow, trace, base);
  const r = res.route;
  const nhIndex = chooseNexthop(s, res, lookupFlow, lookupFlow, trace);
  const nh = r.nexthops[nhIndex]!;
  const local = r.type === "local" || r.type === "anycast";
  const oif = local ? LO : nh.ifindex;
  const d: Decision = {
    ok: true,
    type: r.type,
    oif,
    cacheFlags: [],
    flow,
    trace,
    ...base,
    route: r,
    table: res.table,
    nhIndex,
    matchedPrefix: r.dst,
    ...(nh.gateway ? { gateway: nh.gateway } : {}),
  };
  if (!inLink) {
    // ip6_route_get_saddr: the route's own device (a `local` route on eth0 picks eth0's addresses).
    const src = r.prefsrc ?? ipv6SelectSaddr(s, nh.ifindex || LO, dst);
    if (src) d.prefsrc = src;
  }
  return d;
}

// ---------------------------------------------------------------------------
// ip route get
// ---------------------------------------------------------------------------

/**
 * `ip route get`: the decision the kernel returns for a query, with a trace.
 * Throws nothing; device names must exist (the CLI checks them, like iproute2).
 * @example routeGet(state, { family: 4, dst: v4(0x01010101), mark: 129 })
 */
export function routeGet(s: HostState, q: RouteQuery): Decision {
  const trace: TraceStep[] = [];
  const fam = q.family;
  const inLink = q.iif ? linkByName(s, q.iif) : undefined;
  const outLink = q.oif ? linkByName(s, q.oif) : undefined;
  const dissect = requiresFlowDissect(s, fam);
  const input = !!inLink;
  // A zero IPv4 source given to an output lookup means "no source" (inet_rtm_getroute).
  if (fam === 4 && !input && q.from && q.from.v === 0) {
    q = { ...q };
    delete q.from;
  }
  const rr = !!q.reroute && !input;
  const flow: Flow = {
    family: fam,
    daddr: q.dst,
    saddr: q.from ?? (fam === 4 ? ANY4 : ANY6),
    iif: inLink ? inLink.ifindex : LO,
    oif: outLink ? outLink.ifindex : 0,
    mark: q.mark ?? 0,
    // Input lookups run with uid 0 (sock_net_uid(net, NULL)); the uid argument is only echoed.
    // IPv4 input lookups use uid 0; IPv6 ones use the uid argument, else INVALID_UID (inet6_rtm_getroute).
    uid: input ? (fam === 4 ? 0 : (q.uid ?? 0xffffffff)) : rr && fam === 4 ? 0 : (q.uid ?? 0),
    tos: q.tos ?? 0,
    // `ip route get` defaults to UDP; input lookups see protocol/ports only with flow dissection.
    ipproto: ((input && fam === 4) || rr) && !dissect ? 0 : (q.ipproto ?? (fam === 4 ? 17 : 0)),
    sport: ((input && fam === 4) || rr) && !dissect ? 0 : (q.sport ?? 0),
    dport: ((input && fam === 4) || rr) && !dissect ? 0 : (q.dport ?? 0),
    hasSaddr: q.from !== undefined,
  };
  if (fam === 6) return route6(s, q, flow, trace);
  if (inLink) return input4(s, q, flow, trace);
  return output4(s, q, flow, trace);
}

/** Convenience: the table a decision came from, or undefined for none. */
export function decisionTable(d: Decision): number | undefined {
  return d.table ?? (d.route ? d.route.table : undefined);
}
export { TABLE };
