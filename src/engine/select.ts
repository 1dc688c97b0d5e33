/**
 * What a route lookup picks inside the route it found (fib_select_path): the nexthop of a
 * multipath route (`fib_select_multipath`, `rt6_multipath_select`) and the preferred source
 * (`inet_select_addr`, `fib_info_update_nhc_saddr`, `ipv6_dev_get_saddr`).
 * @module
 */
import { addrEq, contains, is6, v4, type Addr } from "../addr/ip.js";
import { SCOPE } from "../core/kinds.js";
import { linkByIndex } from "../model/links.js";
import { devConf4, devConf6, sysctlInt } from "../model/sysctl.js";
import type { HostState, IfAddr, Route } from "../model/types.js";
import type { PolicyResult } from "./fib.js";
import { multipathHash, selectNexthop } from "./multipath.js";
import type { Flow, TraceStep } from "./types.js";

// ---------------------------------------------------------------------------
// Source selection
// ---------------------------------------------------------------------------

function primaries4(s: HostState, ifindex: number): IfAddr[] {
  return s.addrs.filter((a) => a.family === 4 && a.ifindex === ifindex && !a.secondary);
}

/**
 * inet_select_addr(dev, dst, scope): a primary address of dev (same subnet as dst preferred), else
 * any device's.
 */
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

/**
 * The nexthop's source (fib_info_update_nhc_saddr): scope link for gateways, host for direct
 * routes.
 */
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
  // __ipv6_dev_get_saddr: multicast and link-or-narrower destinations only use the output device's
  // addresses.
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

/**
 * Routes the kernel never flags RTNH_F_LINKDOWN: IPv4 host-scope (local) routes, IPv6 local/anycast
 * (fib6_nh_init).
 */
export function neverLinkdown(r: Route): boolean {
  return r.family === 4 ? r.scope === SCOPE.host : r.type === "local" || r.type === "anycast";
}

/** inet_addr_type == RTN_LOCAL for an interface address: the address, if one is ours. */
export function isLocal4(s: HostState, a: number): IfAddr | undefined {
  return s.addrs.find((x) => x.family === 4 && x.local.v === a);
}

// ---------------------------------------------------------------------------
// Multipath
// ---------------------------------------------------------------------------

/** A nexthop multipath may hash to: not dead, not linkdown with ignore_routes_with_linkdown. */
export function nexthopAlive(s: HostState, r: Route, ifindex: number, dead: boolean): boolean {
  if (dead) return false;
  const l = linkByIndex(s, ifindex);
  if (!l || l.carrier || neverLinkdown(r)) return true;
  const conf = r.family === 4 ? devConf4 : devConf6;
  const key = "ignore_routes_with_linkdown";
  return Math.max(conf(s, "all", key), conf(s, l.name, key)) <= 0;
}

/**
 * fib_select_multipath / rt6_multipath_select: the nexthop a multipath route gives this
 * flow (the hash of `hashFlow`), else the lookup's own pick.
 */
export function chooseNexthop(
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
  const alive = r.nexthops.map((nh) => nexthopAlive(s, r, nh.ifindex, !!nh.dead));
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
      text:
        "multipath: no fib_multipath_hash_seed is set, so the kernel's choice depends on a " +
        "per-boot random key; showing the first live nexthop",
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
