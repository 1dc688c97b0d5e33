/**
 * Addresses (net/ipv4/devinet.c, net/ipv6/addrconf.c) and the kernel routes they create:
 * local, broadcast and prefix routes of IPv4 addresses (fib_add_ifaddr), IPv6 local,
 * prefix (addrconf_prefix_route), anycast and multicast routes, link-local addresses
 * (addrconf_dev_config) and DAD (addrconf_dad_begin).
 * @module
 */
import { addrEq, bits, contains, mask4, network, v4, v6, type Addr } from "../../addr/ip.js";
import { fnmatch } from "../../core/fnmatch.js";
import { SCOPE, TABLE } from "../../core/kinds.js";
import type { SourceLoc } from "../../core/loc.js";
import { defined } from "../../core/result.js";
import type { IpError } from "../../parse/args.js";
import type { IpCommand } from "../../parse/ipcmd.js";
import { linkByIndex, linkByName } from "../links.js";
import { IP6_RT_PRIO_ADDRCONF } from "../route-skeleton.js";
import { advanceDad } from "../dad.js";
import { normKey, setSysctl, sysctlInt } from "../sysctl.js";
import type { HostState, IfAddr, Link, Nexthop, Route } from "../types.js";
import { noDev } from "./errors.js";

type AddrCmd = Extract<IpCommand, { obj: "addr" }>;
type AddrChange = Extract<AddrCmd, { local: unknown }>;

// ---------------------------------------------------------------------------
// Kernel routes that follow addresses and link state
// ---------------------------------------------------------------------------

/** fe80::/64 + the EUI-64 interface id of a MAC (addrconf_ifid_eui48). */
function eui64LinkLocal(mac: string): Addr {
  const b = mac.split(":").map((x) => parseInt(x, 16));
  const iid = [b[0]! ^ 2, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!];
  let v = 0xfe80n << 112n;
  for (let i = 0; i < 8; i++) v |= BigInt(iid[i]!) << BigInt(8 * (7 - i));
  return v6(v);
}

/** IPv6 link-local addresses appear once a non-tun device is up with carrier. */
function addLinkLocals(s: HostState): void {
  for (const l of s.links) {
    if (l.kind === "loopback" || l.kind === "tun" || !l.mac) continue;
    const has = s.addrs.some(
      (a) => a.ifindex === l.ifindex && a.family === 6 && a.scope === SCOPE.link,
    );
    if (l.up && l.carrier && !has && sysctlInt(s, `net.ipv6.conf.${l.name}.disable_ipv6`) === 0) {
      s.addrs.push({
        family: 6,
        ifindex: l.ifindex,
        local: eui64LinkLocal(l.mac),
        prefixlen: 64,
        scope: SCOPE.link,
        secondary: false,
        noprefixroute: false,
        nodad: false,
      });
    }
  }
}

/** What a kernel route needs beyond the fields every kernel route shares. */
type KernelRouteSpec = Omit<
  Route,
  "seq" | "kernelAddr" | "multipath" | "pref6" | "tos" | "protocol" | "nexthops"
> & { dev: number };

/** The kernel routes being generated, without duplicates (one per key and device). */
class KernelRoutes {
  readonly gen: Route[] = [];

  add(spec: KernelRouteSpec): void {
    const { dev, ...r } = spec;
    const nexthops: Nexthop[] = [{ ifindex: dev, weight: 1, onlink: false, dead: false }];
    const route: Route = {
      tos: 0,
      protocol: 2,
      multipath: false,
      pref6: 0,
      kernelAddr: true,
      seq: 0,
      ...r,
      nexthops,
    };
    const same = this.gen.find(
      (g) =>
        g.family === route.family &&
        g.table === route.table &&
        g.type === route.type &&
        addrEq(g.dst.addr, route.dst.addr) &&
        g.dst.len === route.dst.len &&
        g.metric === route.metric &&
        g.nexthops[0]?.ifindex === dev,
    );
    if (!same) this.gen.push(route);
  }
}

/** The primary a secondary IPv4 address belongs to (same subnet), for prefsrc. */
function primaryOf(s: HostState, a: IfAddr): IfAddr {
  if (!a.secondary) return a;
  const prim = s.addrs.find(
    (p) =>
      p.family === 4 &&
      p.ifindex === a.ifindex &&
      !p.secondary &&
      p.prefixlen === a.prefixlen &&
      contains({ addr: p.local, len: p.prefixlen }, a.local),
  );
  return prim ?? a;
}

/**
 * fib_add_ifaddr: the local route, and once the device is up an explicit broadcast, the
 * prefix route and (primary shorter than /31) the network broadcast prefix|~mask. Prefix and
 * network broadcast need a primary whose prefix is not 0.0.0.0/x and differs from the
 * address unless shorter than /32; noprefixroute drops only the prefix route.
 */
function routesOfAddr4(s: HostState, a: IfAddr, l: Link, k: KernelRoutes): void {
  const prefsrc = primaryOf(s, a).local;
  const dev = l.ifindex;
  const local = { family: 4, table: TABLE.local, metric: 0, prefsrc, dev } as const;
  k.add({ ...local, type: "local", dst: { addr: a.local, len: 32 }, scope: SCOPE.host });
  if (!l.up) return;
  if (a.broadcast && a.broadcast.v !== 0 && a.broadcast.v !== 0xffffffff) {
    k.add({ ...local, type: "broadcast", dst: { addr: a.broadcast, len: 32 }, scope: SCOPE.link });
  }
  // ifa_address is the peer when there is one; prefix = ifa_address & mask.
  const dst = { addr: network({ addr: a.peer ?? a.local, len: a.prefixlen }), len: a.prefixlen };
  if (dst.addr.v === 0 || a.secondary || (addrEq(dst.addr, a.local) && a.prefixlen >= 32)) return;
  if (a.noprefixroute) {
    // no prefix route
  } else if (l.kind === "loopback") {
    // On loopback the prefix is local too (127.0.0.0/8 answers for every address in it).
    k.add({ ...local, type: "local", dst, scope: SCOPE.host, prefsrc: a.local });
  } else {
    k.add({
      ...local,
      table: TABLE.main,
      type: "unicast",
      dst,
      scope: SCOPE.link,
      prefsrc: a.local,
    });
  }
  if (a.prefixlen < 31) {
    const brd = v4(((dst.addr.v as number) | ~mask4(a.prefixlen)) >>> 0);
    k.add({ ...local, type: "broadcast", dst: { addr: brd, len: 32 }, scope: SCOPE.link });
  }
}

/**
 * The subnet-router anycast address an address joins on a forwarding device
 * (addrconf_join_anycast): none for /127 and /128 (RFC 6164) or an all-zero prefix.
 */
function subnetAnycast(s: HostState, a: IfAddr, l: Link): Addr | undefined {
  if (a.prefixlen >= 127 || sysctlInt(s, `net.ipv6.conf.${l.name}.forwarding`) !== 1) return;
  const net = network({ addr: a.local, len: a.prefixlen });
  return net.v === 0n ? undefined : net;
}

/**
 * addrconf: local route once DAD is done, the prefix route (addrconf_prefix_route, any
 * length, loopback too; init_loopback adds ::1 without one), the subnet-router anycast route.
 */
function routesOfAddr6(s: HostState, a: IfAddr, l: Link, k: KernelRoutes): void {
  advanceDad(s, a, l);
  const base = { family: 6, scope: SCOPE.universe, dev: l.ifindex } as const;
  // addrconf_f6i_alloc (fc_ignore_dev_down): the local route goes in when DAD completes
  // (__ipv6_ifa_notify RTM_NEWADDR), on a device that is down too.
  if (a.dadDone)
    k.add({
      ...base,
      table: TABLE.local,
      type: "local",
      dst: { addr: a.local, len: 128 },
      metric: 0,
    });
  // addrconf_join_anycast (__ipv6_ifa_notify, dev_forward_change): after DAD, up or down.
  const ac = a.dadDone ? subnetAnycast(s, a, l) : undefined;
  if (ac)
    k.add({ ...base, table: TABLE.local, type: "anycast", dst: { addr: ac, len: 128 }, metric: 0 });
  // addrconf_prefix_route at inet6_addr_add / addrconf_permanent_addr, tentative or not;
  // ip6_route_add refuses a down device (fib6_nh_init: -ENETDOWN).
  const loopback1 = l.kind === "loopback" && a.local.v === 1n;
  if (l.up && !a.noprefixroute && !loopback1) {
    k.add({
      ...base,
      table: TABLE.main,
      type: "unicast",
      dst: { addr: network({ addr: a.local, len: a.prefixlen }), len: a.prefixlen },
      metric: IP6_RT_PRIO_ADDRCONF,
    });
  }
}

/**
 * addrconf_add_mroute ran for the device since it came up: addrconf_dev_config when it was
 * up with carrier (NETDEV_UP / NETDEV_CHANGE with the link ready), or addrconf_add_dev when
 * an IPv6 address was added while it was up. A carrier-less tun without an IPv6 address has
 * no ff00::/8; going down deletes it (the route's device is down).
 */
function updateMroute6(s: HostState, l: Link): void {
  if (!l.up || sysctlInt(s, `net.ipv6.conf.${l.name}.disable_ipv6`) !== 0) l.mroute6 = false;
  else if (l.carrier) l.mroute6 = true;
}

/** A kernel route's identity across recomputations (fib6_add_rt2node / fib_insert_alias key). */
function kernelKey(r: Route): string {
  const { family, table, type, dst, metric } = r;
  return `${family} ${table} ${type} ${dst.addr.v}/${dst.len} ${metric} ${r.nexthops[0]?.ifindex}`;
}

/**
 * Insertion order (`seq`) of the kernel routes: one that was already there keeps its place;
 * new ones go after every route with the same key (fib6_add_rt2node appends behind equal
 * metrics; fib_magic uses NLM_F_APPEND), so a lookup that meets several devices' fe80::/64
 * or ff00::/8 (find_rr_leaf: the first of equal score wins) takes the oldest. Among routes
 * new in one step the device the command named goes first: its NETDEV_UP / linkwatch event
 * (veth_open: netif_carrier_on(dev) before the peer's) runs addrconf before its peer's; the
 * others follow in device order (for_each_netdev in addrconf_forward_change).
 */
function orderKernelRoutes(s: HostState, gen: Route[], first: number | undefined): void {
  const old = new Map<string, number>();
  for (const r of s.routes) if (r.kernelAddr) old.set(kernelKey(r), r.seq);
  const fresh = gen.filter((g) => {
    const seq = old.get(kernelKey(g));
    if (seq !== undefined) g.seq = seq;
    return seq === undefined;
  });
  const dev = (r: Route) => r.nexthops[0]?.ifindex ?? 0;
  const named = (r: Route) => (dev(r) === first ? 0 : 1);
  fresh.sort((a, b) => named(a) - named(b) || dev(a) - dev(b));
  for (const g of fresh) g.seq = s.seq++;
}

/**
 * Recompute every kernel-generated route (fib_add_ifaddr, addrconf) from links and
 * addresses. User routes are untouched. `first`: the ifindex the command changed.
 */
export function syncKernelRoutes(s: HostState, first?: number): void {
  addLinkLocals(s);
  const keep = s.routes.filter((r) => !r.kernelAddr);
  const k = new KernelRoutes();
  for (const a of s.addrs) {
    const l = linkByIndex(s, a.ifindex);
    if (!l) continue;
    if (a.family === 4) routesOfAddr4(s, a, l, k);
    else routesOfAddr6(s, a, l, k);
  }
  // addrconf_add_mroute: ff00::/8 on up non-loopback devices where addrconf ran.
  for (const l of s.links) {
    updateMroute6(s, l);
    if (!l.up || l.kind === "loopback" || !l.mroute6) continue;
    k.add({
      family: 6,
      table: TABLE.local,
      type: "multicast",
      dst: { addr: v6(0xffn << 120n), len: 8 },
      metric: IP6_RT_PRIO_ADDRCONF,
      scope: SCOPE.universe,
      dev: l.ifindex,
    });
  }
  orderKernelRoutes(s, k.gen, first);
  s.routes = [...k.gen, ...keep];
}

// ---------------------------------------------------------------------------
// ip addr add|del|replace|change|flush
// ---------------------------------------------------------------------------

/**
 * `ip addr flush`: IPv6 link-local addresses stay unless a family is given; `label PATTERN`
 * matches IFA_LABEL, or the device name when there is none (ipaddr_filter).
 */
function flushAddrs(s: HostState, cmd: AddrCmd, dev: Link | undefined): undefined {
  const had4 = s.links.filter((l) =>
    s.addrs.some((a) => a.family === 4 && a.ifindex === l.ifindex),
  );
  const label = "label" in cmd ? cmd.label : undefined;
  const labelled = (a: IfAddr) =>
    label === undefined || fnmatch(label, a.label ?? linkByIndex(s, a.ifindex)?.name ?? "");
  s.addrs = s.addrs.filter(
    (a) =>
      !(
        (!dev || a.ifindex === dev.ifindex) &&
        labelled(a) &&
        (!cmd.family || a.family === cmd.family) &&
        !(a.family === 6 && a.scope === SCOPE.link && !cmd.family)
      ),
  );
  for (const l of had4) disableIpIfLast(s, l);
  syncKernelRoutes(s);
  return undefined;
}

/** inet_rtm_deladdr / inet6_rtm_deladdr: the prefix length must match unless not given. */
function delAddr(s: HostState, cmd: AddrChange, l: Link, loc: SourceLoc): IpError | undefined {
  const fam = cmd.family;
  const victim = s.addrs.find(
    (a) =>
      a.ifindex === l.ifindex &&
      a.family === fam &&
      addrEq(a.local, cmd.local.addr) &&
      (cmd.local.len === bits(fam) ? true : a.prefixlen === cmd.local.len),
  );
  if (!victim)
    return {
      code: "rtnl.EADDRNOTAVAIL",
      message: "RTNETLINK answers: Cannot assign requested address",
      loc,
      exit: 2,
    };
  s.addrs = s.addrs.filter((a) => a !== victim);
  // Deleting a primary promotes nothing here (promote_secondaries=0 deletes secondaries too).
  if (fam === 4 && !victim.secondary) {
    s.addrs = s.addrs.filter(
      (a) =>
        !(
          a.family === 4 &&
          a.ifindex === l.ifindex &&
          a.secondary &&
          a.prefixlen === victim.prefixlen &&
          contains({ addr: victim.local, len: victim.prefixlen }, a.local)
        ),
    );
  }
  if (fam === 4) disableIpIfLast(s, l);
  syncKernelRoutes(s);
  return undefined;
}

/**
 * fib_inetaddr_event NETDEV_DOWN: when the device's last IPv4 address goes,
 * fib_disable_ip → fib_sync_down_dev(force) removes the IPv4 routes through it (a
 * multipath route keeps its other hops, this one dead).
 */
function disableIpIfLast(s: HostState, l: Link): void {
  if (s.addrs.some((a) => a.family === 4 && a.ifindex === l.ifindex)) return;
  s.routes = s.routes.filter((r) => {
    if (r.family !== 4 || r.kernelAddr) return true;
    const via = r.nexthops.filter((n) => n.ifindex === l.ifindex);
    if (via.length === 0) return true;
    if (r.multipath && via.length < r.nexthops.length) {
      for (const n of via) n.dead = true;
      return true;
    }
    return false;
  });
}

/**
 * IFA_BROADCAST as iproute2 sends it (ipaddr_modify): only when given. `brd +` / `brd -` set
 * the host bits of the peer (or local) prefix to ones / zeros, for /30 and shorter only.
 */
function broadcastOf(cmd: AddrChange): Addr | undefined {
  if (cmd.family !== 4 || cmd.broadcast === undefined) return undefined;
  if (cmd.broadcast !== "+" && cmd.broadcast !== "-") return cmd.broadcast;
  const p = cmd.peer ?? cmd.local;
  if (p.len > 30) return undefined;
  const net = (p.addr.v as number) & mask4(p.len);
  return v4(cmd.broadcast === "+" ? (net | ~mask4(p.len)) >>> 0 : net >>> 0);
}

/** The scope iproute2/the kernel give an address written without `scope`. */
function defaultScope(cmd: AddrChange): number {
  const v = cmd.local.addr.v;
  if (cmd.family === 4) return (v as number) >>> 24 === 127 ? SCOPE.host : SCOPE.universe;
  if ((v as bigint) >> 118n === 0x3fan) return SCOPE.link;
  return v === 1n ? SCOPE.host : SCOPE.universe;
}

/** A new address; IPv4 ones in the subnet of a primary are secondaries. */
function newAddr(s: HostState, cmd: AddrChange, l: Link): void {
  const fam = cmd.family;
  const secondary =
    fam === 4 &&
    s.addrs.some(
      (a) =>
        a.family === 4 &&
        a.ifindex === l.ifindex &&
        !a.secondary &&
        a.prefixlen === cmd.local.len &&
        contains({ addr: a.local, len: a.prefixlen }, cmd.local.addr),
    );
  const a: IfAddr = {
    family: fam,
    ifindex: l.ifindex,
    local: cmd.local.addr,
    prefixlen: cmd.peer ? cmd.peer.len : cmd.local.len,
    scope: cmd.scope ?? defaultScope(cmd),
    secondary,
    noprefixroute: cmd.noprefixroute,
    nodad: cmd.nodad,
    ...defined({
      peer: cmd.peer?.addr,
      broadcast: broadcastOf(cmd),
      label: cmd.label || undefined,
    }),
  };
  // New addresses are listed after existing ones of the family; IPv6 ones are shown newest first.
  if (fam === 6) {
    const idx = s.addrs.findIndex((x) => x.ifindex === l.ifindex && x.family === 6);
    if (idx >= 0) s.addrs.splice(idx, 0, a);
    else s.addrs.push(a);
  } else s.addrs.push(a);
}

/**
 * `ip addr add|del|replace|change|flush`: inet_rtm_newaddr / inet6_rtm_newaddr and friends.
 * @example applyAddr(s, cmd, loc) // undefined, or the error `ip` prints
 */
export function applyAddr(s: HostState, cmd0: AddrCmd, loc: SourceLoc): IpError | undefined {
  if (cmd0.op === "show") return undefined;
  const devLink = cmd0.dev ? linkByName(s, cmd0.dev) : undefined;
  if (cmd0.dev && !devLink) return noDev(cmd0.dev, cmd0.devWord, loc);
  if (cmd0.op === "flush") return flushAddrs(s, cmd0, devLink);
  const l = devLink!;
  const cmd = cmd0 as AddrChange;
  if (cmd.op === "del") return delAddr(s, cmd, l, loc);
  const fam = cmd.family;
  const existing = s.addrs.find(
    (a) =>
      a.ifindex === l.ifindex &&
      a.family === fam &&
      addrEq(a.local, cmd.local.addr) &&
      (fam === 6 || a.prefixlen === cmd.local.len),
  );
  if (existing) {
    if (cmd.op === "replace" || cmd.op === "change") {
      existing.noprefixroute = cmd.noprefixroute;
      syncKernelRoutes(s);
      return undefined;
    }
    return fam === 4
      ? { code: "rtnl.EEXIST", message: "Error: ipv4: Address already assigned.", loc, exit: 2 }
      : { code: "rtnl.EEXIST", message: "RTNETLINK answers: File exists", loc, exit: 2 };
  }
  if (cmd.op === "change")
    return {
      code: "rtnl.ENOENT",
      message: "RTNETLINK answers: No such file or directory",
      loc,
      exit: 2,
    };
  newAddr(s, cmd, l);
  // inet6_addr_add → addrconf_add_dev → addrconf_add_mroute (fails on a down device).
  if (fam === 6 && l.up && l.kind !== "loopback") l.mroute6 = true;
  syncKernelRoutes(s);
  return undefined;
}

// ---------------------------------------------------------------------------
// sysctl net.ipv6.conf.*
// ---------------------------------------------------------------------------

/** ::1 as init_loopback adds it (IFA_F_PERMANENT only; no DAD on loopback anyway). */
export function loopback6(ifindex: number): IfAddr {
  const flags = { secondary: false, noprefixroute: false, nodad: false };
  return { family: 6, ifindex, local: v6(1n), prefixlen: 128, scope: SCOPE.host, ...flags };
}

const ipv6Off = (s: HostState, l: Link) =>
  sysctlInt(s, `net.ipv6.conf.${l.name}.disable_ipv6`) !== 0;

/**
 * Write a sysctl as setSysctl does, then what the kernel does when a net.ipv6.conf value
 * changes: dev_disable_change (disable_ipv6 0→1: addrconf_ifdown drops every IPv6 address,
 * keep_addr_on_down or not; 1→0: NETDEV_UP again, init_loopback's ::1 on an up lo) and
 * dev_forward_change (subnet-router anycast joined or left), then the kernel routes again.
 */
export function writeSysctl(s: HostState, key: string, value: string): string | undefined {
  const was = new Set(s.links.filter((l) => ipv6Off(s, l)));
  const err = setSysctl(s, key, value);
  if (err || !normKey(key).startsWith("net.ipv6.conf.")) return err;
  for (const l of s.links) {
    const off = ipv6Off(s, l);
    if (off && !was.has(l))
      s.addrs = s.addrs.filter((a) => !(a.family === 6 && a.ifindex === l.ifindex));
    else if (!off && was.has(l) && l.kind === "loopback" && l.up)
      s.addrs.push(loopback6(l.ifindex));
  }
  syncKernelRoutes(s);
  return undefined;
}
