/**
 * What a route lookup picks inside the route it found (fib_select_path): the nexthop of a
 * multipath route (`fib_select_multipath`, `rt6_multipath_select`) and the preferred source
 * (`inet_select_addr`, `fib_info_update_nhc_saddr`, `ipv6_dev_get_saddr`).
 * @module
 */
import { addrEq, contains, is6, v4, type Addr } from "../addr/ip.js";
import { SCOPE } from "../core/kinds.js";
import { tentative6 } from "../model/dad.js";
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

/** The nexthop's source (fib_info_update_nhc_saddr): inet_select_addr at the route's scope. */
export function nexthopSaddr(s: HostState, r: Route, i: number): Addr | undefined {
  if (r.prefsrc) return r.prefsrc;
  const nh = r.nexthops[i]!;
  // fib_create_info → fib_info_update_nhc_saddr(nhc, fi->fib_scope): the route's own scope,
  // so a `dev lo` route (scope link) skips 127.0.0.1 (scope host) for a global address.
  return inetSelectAddr(s, nh.ifindex, nh.gateway ? (nh.gateway.v as number) : 0, r.scope);
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

/** The default address label table (net/ipv6/addrlabel.c ip6addrlbl_init_table). */
const LABELS6: readonly [bigint, number, number][] = [
  [1n, 128, 0], // ::1/128
  [0xffffn << 32n, 96, 4], // ::ffff:0:0/96
  [0n, 96, 3], // ::/96
  [0x20010000n << 96n, 32, 6], // 2001::/32
  [0x20010010n << 96n, 28, 7], // 2001:10::/28
  [0x2002n << 112n, 16, 2], // 2002::/16
  [0x3ffen << 112n, 16, 12], // 3ffe::/16
  [0xfec0n << 112n, 10, 11], // fec0::/10
  [0xfcn << 120n, 7, 5], // fc00::/7
];

/** ipv6_addr_label: the label of the longest matching entry, else 1 (::/0). */
function label6(v: bigint): number {
  let best = -1,
    label = 1;
  for (const [p, len, l] of LABELS6)
    if (len > best && v >> BigInt(128 - len) === p >> BigInt(128 - len)) {
      best = len;
      label = l;
    }
  return label;
}

/** ipv6_dev_get_saddr (RFC 6724 rules 1, 2, 5, 6, 8). */
export function ipv6SelectSaddr(s: HostState, ifindex: number, dst: bigint): Addr | undefined {
  const dscope = scope6(dst);
  // __ipv6_dev_get_saddr: multicast and link-or-narrower destinations only use the output device's
  // addresses.
  const onlyDev = is6.multicast(dst) || dscope <= 0x2;
  const dlabel = label6(dst);
  let best: IfAddr | undefined;
  let bestKey: number[] = [];
  // Equal scores keep the first candidate met: devices in for_each_netdev order (creation), a
  // device's addresses newest first (its addr_list). A down device's addresses count too.
  const pos = new Map(s.links.map((l, i) => [l.ifindex, i]));
  for (const a of s.addrs) {
    if (a.family !== 6) continue;
    const l = linkByIndex(s, a.ifindex);
    if (!l) continue;
    if (onlyDev && a.ifindex !== ifindex) continue;
    if (tentative6(s, a, l)) continue;
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
      // IPV6_SADDR_RULE_LABEL, then RULE_PREFIX (capped at the address's prefix length).
      label6(v) === dlabel ? 1 : 0,
      Math.min(commonPrefix6(v, dst), a.prefixlen),
      -(pos.get(a.ifindex) ?? 0),
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
