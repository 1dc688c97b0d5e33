/**
 * Applying `ip` commands to a host with the kernel's own checks and side effects:
 * veth/tun/bridge carrier, kernel routes that follow addresses (fib_add_ifaddr,
 * addrconf), admin-down route flushing (fib_sync_down_dev), route add/del/replace/append
 * (fib_table_insert/delete), rule add/del with automatic pref, EEXIST and goto
 * (fib_newrule/fib_delrule).
 * @module
 */
import { linkByIndex, linkByName } from "./links.js";
import type { IssueCode } from "../core/issue.js";
import {
  addrEq,
  bits,
  contains,
  hasHostBits,
  mask4,
  network,
  v4,
  v6,
  type Addr,
  type Family,
  type Prefix,
} from "../addr/ip.js";
import type { IpCommand, RouteSpec, RuleSpec } from "../parse/ipcmd.js";
import type { IpError } from "../parse/args.js";
import type { Word } from "../parse/shell.js";
import { baseRule } from "./host.js";
import {
  findRoute,
  gatewayDev4,
  gatewayVia6,
  routeInsert,
  routePrepend,
  routeRemove,
  routeReplace,
  sameKeyRoutes,
} from "./fib-index.js";
import { forgetDevice, inheritDefaults, sysctlInt } from "./sysctl.js";
import {
  SCOPE,
  TABLE,
  type HostState,
  type IfAddr,
  type Link,
  type Nexthop,
  type Route,
  type Rule,
  type SourceLoc,
} from "./types.js";

const rtnl = (
  msg: string,
  w: Word | undefined,
  loc: SourceLoc,
  code: IssueCode = "rtnl",
): IpError => ({
  code,
  message: `RTNETLINK answers: ${msg}`,
  loc: w?.loc ?? loc,
  ...(w ? { token: w.text } : {}),
  exit: 2,
});
const extack = (
  msg: string,
  w: Word | undefined,
  loc: SourceLoc,
  code: IssueCode = "rtnl.extack",
): IpError => ({
  code,
  message: `Error: ${msg}`,
  loc: w?.loc ?? loc,
  ...(w ? { token: w.text } : {}),
  exit: 2,
});
const noDev = (name: string, w: Word | undefined, loc: SourceLoc): IpError => ({
  code: "ip.no-device",
  message: `Cannot find device "${name}"`,
  loc: w?.loc ?? loc,
  token: name,
  expected: "an existing device",
  exit: 1,
});

/** Deterministic locally administered MAC for a device name (the kernel picks a random one). */
export function macFor(name: string, salt = 0): string {
  let h = 2166136261 ^ salt;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  const b = [0x02, (h >>> 24) & 255, (h >>> 16) & 255, (h >>> 8) & 255, h & 255, (h >>> 5) & 255];
  return b.map((x) => x.toString(16).padStart(2, "0")).join(":");
}

/** Carrier as the kernel derives it: veth needs both ends up; tun needs a reader; bridge needs nothing here. */
export function refreshCarrier(s: HostState): void {
  for (const l of s.links) {
    if (l.kind === "veth") {
      const peer = l.peer ? linkByName(s, l.peer) : undefined;
      l.carrier = l.up && (l.peerExternal ? true : !!peer && peer.up);
    } else if (l.kind === "tun" || l.kind === "tap") l.carrier = l.up && !l.tunNoReader;
    else l.carrier = l.up;
  }
}

// ---------------------------------------------------------------------------
// Kernel routes that follow addresses and link state
// ---------------------------------------------------------------------------

function eui64LinkLocal(mac: string): Addr {
  const b = mac.split(":").map((x) => parseInt(x, 16));
  const iid = [b[0]! ^ 2, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!];
  let v = 0xfe80n << 112n;
  for (let i = 0; i < 8; i++) v |= BigInt(iid[i]!) << BigInt(8 * (7 - i));
  return v6(v);
}

/** Is the IPv6 address usable (DAD done)? nodad, or a carrier to finish DAD on, or accept_dad 0. */
function v6Ready(s: HostState, a: IfAddr, l: Link): boolean {
  // addrconf_dad_begin: no DAD on IFF_NOARP (tun) or loopback devices.
  if (a.nodad || l.kind === "loopback" || l.kind === "tun") return true;
  const dad = Math.max(
    sysctlInt(s, "net.ipv6.conf.all.accept_dad"),
    sysctlInt(s, `net.ipv6.conf.${l.name}.accept_dad`),
  );
  if (dad === 0) return true;
  return l.carrier;
}

/**
 * Recompute every kernel-generated route (fib_add_ifaddr, addrconf) from links and
 * addresses. User routes are untouched.
 */
export function syncKernelRoutes(s: HostState): void {
  // IPv6 link-local addresses appear once a non-tun device is up with carrier.
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
  const keep = s.routes.filter((r) => !r.kernelAddr);
  const gen: Route[] = [];
  const mk = (
    r: Omit<Route, "seq" | "kernelAddr" | "multipath" | "pref6" | "tos" | "protocol"> & {
      protocol?: number;
    },
  ): void => {
    const route: Route = {
      tos: 0,
      protocol: 2,
      multipath: false,
      pref6: 0,
      kernelAddr: true,
      seq: 0,
      ...r,
    };
    const same = gen.find(
      (g) =>
        g.family === route.family &&
        g.table === route.table &&
        g.type === route.type &&
        addrEq(g.dst.addr, route.dst.addr) &&
        g.dst.len === route.dst.len &&
        g.metric === route.metric &&
        g.nexthops[0]?.ifindex === route.nexthops[0]?.ifindex,
    );
    if (!same) gen.push(route);
  };
  const nh = (ifindex: number): Nexthop[] => [{ ifindex, weight: 1, onlink: false, dead: false }];
  for (const a of s.addrs) {
    const l = linkByIndex(s, a.ifindex);
    if (!l) continue;
    if (a.family === 4) {
      const prim = a.secondary
        ? (s.addrs.find(
            (p) =>
              p.family === 4 &&
              p.ifindex === a.ifindex &&
              !p.secondary &&
              p.prefixlen === a.prefixlen &&
              contains({ addr: p.local, len: p.prefixlen }, a.local),
          ) ?? a)
        : a;
      mk({
        family: 4,
        table: TABLE.local,
        type: "local",
        dst: { addr: a.local, len: 32 },
        metric: 0,
        scope: SCOPE.host,
        prefsrc: prim.local,
        nexthops: nh(l.ifindex),
      });
      if (!l.up) continue;
      if (a.broadcast && a.broadcast.v !== 0xffffffff) {
        mk({
          family: 4,
          table: TABLE.local,
          type: "broadcast",
          dst: { addr: a.broadcast, len: 32 },
          metric: 0,
          scope: SCOPE.link,
          prefsrc: prim.local,
          nexthops: nh(l.ifindex),
        });
      }
      const net = {
        addr: network({ addr: a.peer ?? a.local, len: a.prefixlen }),
        len: a.prefixlen,
      };
      if (!a.secondary && !a.noprefixroute && (a.peer || a.prefixlen < 32)) {
        if (l.kind === "loopback")
          mk({
            family: 4,
            table: TABLE.local,
            type: "local",
            dst: net,
            metric: 0,
            scope: SCOPE.host,
            prefsrc: a.local,
            nexthops: nh(l.ifindex),
          });
        else
          mk({
            family: 4,
            table: TABLE.main,
            type: "unicast",
            dst: net,
            metric: 0,
            scope: SCOPE.link,
            prefsrc: a.local,
            nexthops: nh(l.ifindex),
          });
      }
    } else {
      if (!l.up) continue;
      if (!v6Ready(s, a, l)) continue;
      mk({
        family: 6,
        table: TABLE.local,
        type: "local",
        dst: { addr: a.local, len: 128 },
        metric: 0,
        scope: SCOPE.universe,
        nexthops: nh(l.ifindex),
      });
      if (l.kind !== "loopback" && !a.noprefixroute && a.prefixlen < 128) {
        mk({
          family: 6,
          table: TABLE.main,
          type: "unicast",
          dst: { addr: network({ addr: a.local, len: a.prefixlen }), len: a.prefixlen },
          metric: 256,
          scope: SCOPE.universe,
          nexthops: nh(l.ifindex),
        });
      }
      if (
        l.kind !== "loopback" &&
        a.prefixlen < 128 &&
        a.scope !== SCOPE.link &&
        sysctlInt(s, `net.ipv6.conf.${l.name}.forwarding`) === 1
      ) {
        mk({
          family: 6,
          table: TABLE.local,
          type: "anycast",
          dst: { addr: network({ addr: a.local, len: a.prefixlen }), len: 128 },
          metric: 0,
          scope: SCOPE.universe,
          nexthops: nh(l.ifindex),
        });
      }
    }
  }
  for (const l of s.links) {
    if (!l.up || l.kind === "loopback") continue;
    mk({
      family: 6,
      table: TABLE.local,
      type: "multicast",
      dst: { addr: v6(0xffn << 120n), len: 8 },
      metric: 256,
      scope: SCOPE.universe,
      nexthops: nh(l.ifindex),
    });
  }
  let seq = 0;
  for (const g of gen) g.seq = seq++ - 1_000_000;
  s.routes = [...gen, ...keep];
}

// ---------------------------------------------------------------------------
// link / tuntap
// ---------------------------------------------------------------------------

function newLink(s: HostState, name: string, kind: Link["kind"], extra: Partial<Link> = {}): Link {
  const l: Link = {
    ifindex: s.nextIfindex++,
    name,
    kind,
    mac: kind === "tun" ? null : macFor(name),
    mtu: 1500,
    up: false,
    carrier: false,
    group: 0,
    txqlen: kind === "tun" || kind === "tap" ? 500 : 1000,
    ...extra,
  };
  s.links.push(l);
  inheritDefaults(s, name);
  return l;
}

function linkUp(s: HostState, l: Link): void {
  if (l.up) return;
  l.up = true;
  if (l.kind === "loopback" && !s.addrs.some((a) => a.ifindex === l.ifindex)) {
    // inetdev_event NETDEV_UP on loopback adds 127.0.0.1/8; addrconf adds ::1.
    s.addrs.push({
      family: 4,
      ifindex: l.ifindex,
      local: v4(0x7f000001),
      prefixlen: 8,
      broadcast: v4(0x7fffffff),
      scope: SCOPE.host,
      secondary: false,
      noprefixroute: false,
      nodad: false,
      label: "lo",
    });
    s.addrs.push({
      family: 6,
      ifindex: l.ifindex,
      local: v6(1n),
      prefixlen: 128,
      scope: SCOPE.host,
      secondary: false,
      noprefixroute: false,
      nodad: true,
    });
  }
}

function linkDown(s: HostState, l: Link): void {
  if (!l.up) return;
  l.up = false;
  // fib_disable_ip → fib_sync_down_dev: IPv4 routes through the device go, multipath hops die.
  s.routes = s.routes.filter((r) => {
    if (r.kernelAddr) return true;
    if (r.family === 4 && r.type === "local") return true;
    const via = r.nexthops.filter((n) => n.ifindex === l.ifindex);
    if (via.length === 0) return true;
    if (r.family === 4 && r.multipath && via.length < r.nexthops.length) {
      for (const n of via) n.dead = true;
      return true;
    }
    return false;
  });
  // addrconf_ifdown: IPv6 addresses go (keep_addr_on_down=0), link-local too.
  if (l.kind !== "loopback" && sysctlInt(s, `net.ipv6.conf.${l.name}.keep_addr_on_down`) <= 0) {
    s.addrs = s.addrs.filter((a) => !(a.family === 6 && a.ifindex === l.ifindex));
  }
}

function afterLinkChange(s: HostState): void {
  refreshCarrier(s);
  // Multipath hops revive when their device is up again (fib_sync_up).
  for (const r of s.routes)
    for (const n of r.nexthops)
      if (n.dead) {
        const l = linkByIndex(s, n.ifindex);
        if (l?.up) n.dead = false;
      }
  syncKernelRoutes(s);
}

function deleteLink(s: HostState, l: Link): void {
  linkDown(s, l);
  s.links = s.links.filter((x) => x !== l);
  s.addrs = s.addrs.filter((a) => a.ifindex !== l.ifindex);
  s.routes = s.routes.filter(
    (r) =>
      !r.nexthops.some((n) => n.ifindex === l.ifindex) ||
      (r.multipath && r.nexthops.some((n) => n.ifindex !== l.ifindex)),
  );
  for (const r of s.routes)
    if (r.multipath) r.nexthops = r.nexthops.filter((n) => n.ifindex !== l.ifindex);
  for (const p of s.links) if (p.master === l.name) delete p.master;
  forgetDevice(s, l.name);
}

// ---------------------------------------------------------------------------
// Apply
// ---------------------------------------------------------------------------

/** Context for applying one command: where it came from (for errors). */
export interface ApplyCtx {
  loc: SourceLoc;
  words: Word[];
}

/**
 * Apply a mutating `ip` command. Returns an IpError with the exact text `ip` prints.
 * @example applyIpCommand(state, cmd, { loc, words })
 */
export function applyIpCommand(s: HostState, cmd: IpCommand, ctx: ApplyCtx): IpError | undefined {
  const loc = ctx.loc;
  switch (cmd.obj) {
    case "link": {
      if (cmd.op === "add") {
        if (linkByName(s, cmd.name) || (cmd.peer && linkByName(s, cmd.peer)))
          return rtnl("File exists", cmd.nameWord, loc, "rtnl.EEXIST");
        if (cmd.master && !linkByName(s, cmd.master)) return noDev(cmd.master, undefined, loc);
        let l: Link;
        if (cmd.kind === "veth") {
          const peerName = cmd.peer ?? `veth${s.links.filter((x) => x.kind === "veth").length}`;
          // veth_newlink registers the peer first, so it gets the lower ifindex.
          newLink(s, peerName, "veth", { peer: cmd.name });
          l = newLink(s, cmd.name, "veth", { peer: peerName });
        } else l = newLink(s, cmd.name, cmd.kind);
        if (cmd.mtu !== undefined) l.mtu = cmd.mtu;
        if (cmd.mac) l.mac = cmd.mac;
        if (cmd.master) l.master = cmd.master;
        if (cmd.txqlen !== undefined) l.txqlen = cmd.txqlen;
        if (cmd.up) linkUp(s, l);
        afterLinkChange(s);
        return undefined;
      }
      if (cmd.op === "show") return undefined;
      const l = linkByName(s, cmd.dev);
      if (!l) return noDev(cmd.dev, cmd.devWord, loc);
      if (cmd.op === "del") {
        if (l.kind === "loopback")
          return rtnl("Operation not supported", cmd.devWord, loc, "rtnl.EOPNOTSUPP");
        const peer = l.kind === "veth" && l.peer ? linkByName(s, l.peer) : undefined;
        deleteLink(s, l);
        if (peer) deleteLink(s, peer);
        afterLinkChange(s);
        return undefined;
      }
      // set
      if (cmd.newName !== undefined) {
        if (l.up) return rtnl("Device or resource busy", cmd.devWord, loc, "rtnl.EBUSY");
        if (linkByName(s, cmd.newName)) return rtnl("File exists", cmd.devWord, loc, "rtnl.EEXIST");
        for (const p of s.links) {
          if (p.peer === l.name) p.peer = cmd.newName;
          if (p.master === l.name) p.master = cmd.newName;
        }
        for (const [k, v] of [...s.sysctl]) {
          const m = new RegExp(
            `^net\\.ipv([46])\\.conf\\.${l.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(.*)$`,
          ).exec(k);
          if (m) {
            s.sysctl.delete(k);
            s.sysctl.set(`net.ipv${m[1]}.conf.${cmd.newName}.${m[2]}`, v);
          }
        }
        l.name = cmd.newName;
      }
      if (cmd.mtu !== undefined) l.mtu = cmd.mtu;
      if (cmd.mac !== undefined) l.mac = cmd.mac;
      if (cmd.group !== undefined) l.group = cmd.group;
      if (cmd.txqlen !== undefined) l.txqlen = cmd.txqlen;
      if (cmd.master !== undefined) {
        if (cmd.master === null) delete l.master;
        else {
          const m = linkByName(s, cmd.master);
          if (!m) return noDev(cmd.master, undefined, loc);
          l.master = cmd.master;
        }
      }
      if (cmd.up === true) linkUp(s, l);
      if (cmd.up === false) linkDown(s, l);
      afterLinkChange(s);
      return undefined;
    }
    case "tuntap": {
      const l = linkByName(s, cmd.name);
      if (cmd.op === "add") {
        if (l)
          return {
            code: "ip.tuntap",
            message: "ioctl(TUNSETIFF): Device or resource busy",
            loc: cmd.nameWord.loc,
            token: cmd.name,
            exit: 1,
          };
        newLink(s, cmd.name, cmd.mode, {
          tunNoReader: true,
          ...(cmd.mode === "tap" ? { mac: macFor(cmd.name) } : { mac: null }),
        });
      } else {
        if (!l)
          return {
            code: "ip.tuntap",
            message: "ioctl(TUNSETIFF): Invalid argument",
            loc: cmd.nameWord.loc,
            token: cmd.name,
            exit: 1,
          };
        deleteLink(s, l);
      }
      afterLinkChange(s);
      return undefined;
    }
    case "addr":
      return applyAddr(s, cmd, loc);
    case "route":
      return applyRoute(s, cmd, loc);
    case "rule":
      return applyRule(s, cmd, loc);
  }
}

function applyAddr(
  s: HostState,
  cmd0: Extract<IpCommand, { obj: "addr" }>,
  loc: SourceLoc,
): IpError | undefined {
  if (cmd0.op === "show") return undefined;
  const devLink = cmd0.dev ? linkByName(s, cmd0.dev) : undefined;
  if (cmd0.dev && !devLink) return noDev(cmd0.dev, cmd0.devWord, loc);
  if (cmd0.op === "flush") {
    const cmd = cmd0;
    s.addrs = s.addrs.filter(
      (a) =>
        !(
          (!devLink || a.ifindex === devLink.ifindex) &&
          (!cmd.family || a.family === cmd.family) &&
          !(a.family === 6 && a.scope === SCOPE.link && !cmd.family)
        ),
    );
    syncKernelRoutes(s);
    return undefined;
  }
  const l = devLink!;
  const cmd = cmd0 as Extract<IpCommand, { obj: "addr"; local: Prefix }>;
  const fam = cmd.family;
  const existing = s.addrs.find(
    (a) =>
      a.ifindex === l.ifindex &&
      a.family === fam &&
      addrEq(a.local, cmd.local.addr) &&
      (fam === 6 || a.prefixlen === cmd.local.len),
  );
  if (cmd.op === "del") {
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
    syncKernelRoutes(s);
    return undefined;
  }
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
  let broadcast: Addr | undefined;
  if (fam === 4) {
    // Kernel 6.x sets the broadcast itself for prefixes shorter than /31 (inet_rtm_newaddr).
    if (cmd.broadcast === "+" || (cmd.broadcast === undefined && cmd.local.len < 31 && !cmd.peer)) {
      if (cmd.local.len < 31)
        broadcast = v4(((cmd.local.addr.v as number) | ~mask4(cmd.local.len)) >>> 0);
    } else if (cmd.broadcast && cmd.broadcast !== "-") broadcast = cmd.broadcast;
  }
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
  const scope =
    cmd.scope ??
    (fam === 4
      ? (cmd.local.addr.v as number) >>> 24 === 127
        ? SCOPE.host
        : SCOPE.universe
      : (cmd.local.addr.v as bigint) >> 118n === 0x3fan
        ? SCOPE.link
        : cmd.local.addr.v === 1n
          ? SCOPE.host
          : SCOPE.universe);
  const a: IfAddr = {
    family: fam,
    ifindex: l.ifindex,
    local: cmd.local.addr,
    prefixlen: cmd.peer ? cmd.peer.len : cmd.local.len,
    scope,
    secondary,
    noprefixroute: cmd.noprefixroute,
    nodad: cmd.nodad,
    ...(cmd.peer ? { peer: cmd.peer.addr } : {}),
    ...(broadcast ? { broadcast } : {}),
    ...(cmd.label ? { label: cmd.label } : {}),
  };
  // New addresses are listed after existing ones of the family; IPv6 ones are shown newest first.
  if (fam === 6) {
    const idx = s.addrs.findIndex((x) => x.ifindex === l.ifindex && x.family === 6);
    if (idx >= 0) s.addrs.splice(idx, 0, a);
    else s.addrs.push(a);
  } else s.addrs.push(a);
  syncKernelRoutes(s);
  return undefined;
}

// ---------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------

/** A route type that carries no nexthop (fib_props error types). */
export function isErrorType(t: Route["type"]): boolean {
  return t === "blackhole" || t === "unreachable" || t === "prohibit" || t === "throw";
}

function localAddrs(s: HostState, f: Family): IfAddr[] {
  return s.addrs.filter((a) => a.family === f);
}

/** The gateway must resolve through a link-scope route (fib_check_nh_v4_gw). */
function gatewayOk(
  s: HostState,
  table: number,
  gw: Addr,
  oif: number | undefined,
): number | undefined {
  // Through the FIB index (longest eligible route, lowest metric, oldest): no scan of every route.
  return gatewayDev4(s, table, gw, oif);
}

function buildRoute(s: HostState, spec: RouteSpec, op: string, loc: SourceLoc): Route | IpError {
  const fam = spec.family;
  let type = spec.type ?? "unicast";
  let table =
    spec.table ??
    (["local", "broadcast", "nat", "anycast"].includes(type) ? TABLE.local : TABLE.main);
  if (table === 0) table = TABLE.main;
  const dst = spec.dst!;
  if (fam === 4 && hasHostBits(dst))
    return extack(
      "Invalid prefix for given prefix length.",
      spec.words.find((w) => w.text.startsWith(dst.addr.family === 4 ? "" : ""))
        ? undefined
        : undefined,
      loc,
    );
  if (type === "nat") return extack("Invalid scope.", undefined, loc);
  if (type === "anycast" && fam === 4) return rtnl("Invalid argument", undefined, loc);
  let scope =
    spec.scope ??
    (type === "local"
      ? SCOPE.host
      : type === "broadcast" || type === "multicast" || type === "anycast"
        ? SCOPE.link
        : type === "unicast" && !spec.nexthops.some((n) => n.gateway)
          ? SCOPE.link
          : SCOPE.universe);
  if (fam === 6) scope = SCOPE.universe;
  const nexthops: Nexthop[] = [];
  if (isErrorType(type)) {
    if (spec.nexthops.some((n) => n.gateway || n.dev) || spec.multipath)
      return extack(
        "Gateway, device and multipath can not be specified for this route type.",
        undefined,
        loc,
      );
    if (fam === 6) nexthops.push({ ifindex: 1, weight: 1, onlink: false, dead: false });
  } else {
    if (spec.nexthops.length === 0) return rtnl("No such device", undefined, loc, "rtnl.ENODEV");
    for (const h of spec.nexthops) {
      let ifindex = 0;
      if (h.dev !== undefined) {
        const l = linkByName(s, h.dev);
        if (!l) return noDev(h.dev, h.devWord, loc);
        ifindex = l.ifindex;
      }
      if (h.gateway) {
        if (h.gateway.family !== fam)
          return extack("Invalid gateway address family", undefined, loc);
        if (h.onlink) {
          if (!ifindex) return extack("Nexthop device required for onlink", undefined, loc);
          const l = linkByIndex(s, ifindex)!;
          if (!l.up) return extack("Nexthop device is not up", undefined, loc);
        } else if (fam === 4) {
          if (s.addrs.some((a) => a.family === 4 && addrEq(a.local, h.gateway)))
            return extack("Nexthop has invalid gateway.", undefined, loc);
          const dev = gatewayOk(s, table, h.gateway, ifindex || undefined);
          if (dev === undefined) return extack("Nexthop has invalid gateway.", undefined, loc);
          ifindex = dev;
        } else {
          // IPv6 (ip6_validate_gw): link-local gateways need a device; others resolve through a route.
          const ll = (h.gateway.v as bigint) >> 118n === 0x3fan;
          if (ll && !ifindex) return extack("Egress device not specified", undefined, loc);
          if (!ll) {
            const via = gatewayVia6(s, table, h.gateway, ifindex);
            if (!via)
              return extack("Nexthop has invalid gateway or device mismatch", undefined, loc);
            if (!ifindex) ifindex = via.nexthops[0]!.ifindex;
          }
        }
      } else {
        if (!ifindex) return rtnl("No such device", undefined, loc, "rtnl.ENODEV");
        const l = linkByIndex(s, ifindex)!;
        if (!l.up && fam === 4) return extack("Device for nexthop is not up.", undefined, loc);
        if (!l.up && fam === 6) return rtnl("Network is down", undefined, loc, "rtnl.ENETDOWN");
      }
      // Two plain literals, not a spread of a conditional one: V8 builds those slowly and large (~5x memory).
      nexthops.push(
        h.gateway
          ? { gateway: h.gateway, ifindex, weight: h.weight, onlink: h.onlink, dead: false }
          : { ifindex, weight: h.weight, onlink: h.onlink, dead: false },
      );
    }
  }
  if (spec.prefsrc) {
    if (
      spec.prefsrc.family !== fam ||
      !localAddrs(s, fam).some((a) => addrEq(a.local, spec.prefsrc))
    ) {
      if (!(type === "local" && addrEq(spec.prefsrc, dst.addr)))
        return extack(
          fam === 4 ? "Invalid prefsrc address." : "Invalid source address.",
          undefined,
          loc,
        );
    }
  }
  const metric = spec.metric ?? (fam === 6 ? (type === "multicast" ? 256 : 1024) : 0);
  if (type === "unicast" && fam === 4 && spec.tos && spec.tos & 0x03)
    return extack("Invalid tos", undefined, loc);
  void op;
  const route: Route = {
    family: fam,
    table,
    type,
    dst,
    tos: spec.tos ?? 0,
    metric,
    protocol: spec.protocol ?? 3,
    scope,
    nexthops,
    multipath: spec.multipath && nexthops.length > 0,
    pref6: spec.pref6 ?? 0,
    seq: s.seq++,
  };
  // Optional fields are assigned rather than spread (see the nexthops above).
  if (spec.prefsrc) route.prefsrc = spec.prefsrc;
  if (spec.src) route.src = spec.src;
  if (spec.metrics.length) route.metrics = spec.metrics;
  return route;
}

function applyRoute(
  s: HostState,
  cmd: Extract<IpCommand, { obj: "route" }>,
  loc: SourceLoc,
): IpError | undefined {
  if (cmd.op === "show" || cmd.op === "get") return undefined;
  if (cmd.op === "flush") {
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
          (cmd.type === undefined || r.type === cmd.type)
        ),
    );
    for (const r of s.routes)
      if (r.kernelAddr && !s.routes.includes(r)) {
        /* unreachable */
      }
    return undefined;
  }
  const spec = (cmd as Extract<IpCommand, { route: RouteSpec }>).route;
  if (cmd.op === "del") return deleteRoute(s, spec, loc);
  const built = buildRoute(s, spec, cmd.op, loc);
  if ("exit" in built) return built;
  const r = built;
  // Same-key routes (fib_find_alias) through the FIB index, oldest first.
  const same = sameKeyRoutes(s, r);
  if (r.family === 4 && r.table === TABLE.local && r.type === "local") s.v4CustomLocalRoutes = true;
  switch (cmd.op) {
    case "add":
      if (same.length) return rtnl("File exists", undefined, loc, "rtnl.EEXIST");
      routeInsert(s, r);
      return undefined;
    case "append":
      if (r.family === 6 && same.length && !isErrorType(r.type) && !isErrorType(same[0]!.type)) {
        // IPv6 append to an existing route of the same metric adds a nexthop (ECMP).
        const tgt = same[0]!;
        if (
          tgt.nexthops.some(
            (n) =>
              addrEq(n.gateway, r.nexthops[0]?.gateway) && n.ifindex === r.nexthops[0]?.ifindex,
          )
        )
          return rtnl("File exists", undefined, loc, "rtnl.EEXIST");
        // A new list: nexthop lists may be shared between routes (fib-index sharedNexthops).
        tgt.nexthops = [...tgt.nexthops, ...r.nexthops];
        tgt.multipath = true;
        return undefined;
      }
      routeInsert(s, r);
      return undefined;
    case "prepend": {
      // Before the oldest route of its key (fib_insert_alias before fa_first).
      if (same.length) routePrepend(s, r, same[0]!);
      else routeInsert(s, r);
      return undefined;
    }
    case "replace":
    case "change": {
      if (!same.length) {
        if (cmd.op === "change")
          return rtnl("No such file or directory", undefined, loc, "rtnl.ENOENT");
        routeInsert(s, r);
        return undefined;
      }
      routeReplace(s, same[0]!, r);
      return undefined;
    }
  }
}

function deleteRoute(s: HostState, spec: RouteSpec, loc: SourceLoc): IpError | undefined {
  const fam = spec.family;
  const table =
    spec.table === undefined || spec.table === 0
      ? spec.type && ["local", "broadcast", "anycast"].includes(spec.type)
        ? TABLE.local
        : TABLE.main
      : spec.table;
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
  if (!victim) return rtnl("No such process", undefined, loc, "rtnl.ESRCH");
  routeRemove(s, victim);
  return undefined;
}

// ---------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------

/** fib_default_rule_pref: second rule's pref - 1, else 0. */
function defaultPref(list: Rule[]): number {
  const second = list[1];
  return second && second.pref ? second.pref - 1 : 0;
}

function ruleFromSpec(spec: RuleSpec): Rule {
  const r = baseRule(spec.family, spec.pref ?? 0);
  r.action = spec.action ?? "lookup";
  r.table = r.action === "lookup" ? (spec.table ?? TABLE.main) : 0;
  r.invert = spec.invert;
  if (spec.src && spec.src.len > 0) r.src = spec.src;
  if (spec.dst && spec.dst.len > 0) r.dst = spec.dst;
  r.tos = spec.tos ?? 0;
  if (spec.fwmark !== undefined) {
    // fib_nl2rule: the mask defaults to all-ones only for a non-zero mark.
    r.fwmark = spec.fwmark;
    r.markSet = spec.fwmark !== 0 || spec.fwmask !== undefined;
    r.fwmask = spec.fwmask ?? (spec.fwmark !== 0 ? 0xffffffff : 0);
    r.maskSet = spec.fwmask !== undefined || spec.fwmark !== 0;
  }
  if (spec.iifname !== undefined) r.iifname = spec.iifname;
  if (spec.oifname !== undefined) r.oifname = spec.oifname;
  if (spec.uidRange) r.uidRange = spec.uidRange;
  r.ipproto = spec.ipproto ?? 0;
  if (spec.sport) r.sport = spec.sport;
  if (spec.dport) r.dport = spec.dport;
  r.suppressPrefixlen = spec.suppressPrefixlen ?? -1;
  r.suppressIfgroup = spec.suppressIfgroup ?? -1;
  if (spec.gotoPref !== undefined) r.gotoPref = spec.gotoPref;
  r.protocol = spec.protocol ?? 0;
  r.l3mdev = spec.l3mdev;
  if (spec.realms !== undefined) r.realms = spec.realms;
  return r;
}

const rangeEq = (a?: [number, number], b?: [number, number]) =>
  (!a && !b) || (!!a && !!b && a[0] === b[0] && a[1] === b[1]);
const prefEq = (a?: Prefix, b?: Prefix) =>
  (!a && !b) || (!!a && !!b && addrEq(a.addr, b.addr) && a.len === b.len);

/** rule_exists + fib4_rule_compare: v4 src/dst/tos compared only when the new rule sets them. */
function ruleExists(list: Rule[], n: Rule): boolean {
  return list.some(
    (r) =>
      r.action === n.action &&
      r.table === n.table &&
      r.pref === n.pref &&
      r.invert === n.invert &&
      r.suppressPrefixlen === n.suppressPrefixlen &&
      r.suppressIfgroup === n.suppressIfgroup &&
      r.fwmark === n.fwmark &&
      r.fwmask === n.fwmask &&
      r.iifname === n.iifname &&
      r.oifname === n.oifname &&
      r.l3mdev === n.l3mdev &&
      rangeEq(r.uidRange, n.uidRange) &&
      r.ipproto === n.ipproto &&
      rangeEq(r.sport, n.sport) &&
      rangeEq(r.dport, n.dport) &&
      r.protocol === n.protocol &&
      r.gotoPref === n.gotoPref &&
      (n.family === 6
        ? prefEq(r.src, n.src) && prefEq(r.dst, n.dst) && r.tos === n.tos
        : (!n.src || prefEq(r.src, n.src)) &&
          (!n.dst || prefEq(r.dst, n.dst)) &&
          (!n.tos || r.tos === n.tos)),
  );
}

function usedTables4(s: HostState): Set<number> {
  const t = new Set<number>([TABLE.default, TABLE.main, TABLE.local]);
  for (const r of s.routes) if (r.family === 4) t.add(r.table);
  for (const r of s.rules4) if (r.action === "lookup") t.add(r.table);
  return t;
}

function applyRule(
  s: HostState,
  cmd: Extract<IpCommand, { obj: "rule" }>,
  loc: SourceLoc,
): IpError | undefined {
  if (cmd.op === "show") return undefined;
  const famOf = (f?: Family): Family => f ?? 4;
  if (cmd.op === "flush") {
    const fam = famOf(cmd.family);
    const keep = (r: Rule) => r.pref === 0;
    if (fam === 4) {
      if (s.rules4.some((r) => !keep(r))) s.v4CustomRules = true;
      s.rules4 = s.rules4.filter(keep);
    } else s.rules6 = s.rules6.filter(keep);
    return undefined;
  }
  const spec = (cmd as Extract<IpCommand, { rule: RuleSpec }>).rule;
  const fam = spec.family;
  const list = fam === 4 ? s.rules4 : s.rules6;
  if (cmd.op === "del") {
    const idx = list.findIndex(
      (r) =>
        (spec.pref === undefined || r.pref === spec.pref) &&
        (spec.action === undefined || r.action === spec.action) &&
        (spec.table === undefined || r.table === spec.table || spec.table === 0) &&
        (!spec.src || prefEq(r.src, spec.src)) &&
        (!spec.dst || prefEq(r.dst, spec.dst)) &&
        (spec.tos === undefined || r.tos === spec.tos) &&
        (spec.fwmark === undefined || spec.fwmark === 0 || r.fwmark === spec.fwmark) &&
        (spec.fwmask === undefined || spec.fwmask === 0 || r.fwmask === spec.fwmask) &&
        (spec.iifname === undefined || r.iifname === spec.iifname) &&
        (spec.oifname === undefined || r.oifname === spec.oifname) &&
        (!spec.uidRange || rangeEq(r.uidRange, spec.uidRange)) &&
        (spec.ipproto === undefined || r.ipproto === spec.ipproto) &&
        (!spec.sport || rangeEq(r.sport, spec.sport)) &&
        (!spec.dport || rangeEq(r.dport, spec.dport)) &&
        (spec.suppressPrefixlen === undefined || r.suppressPrefixlen === spec.suppressPrefixlen) &&
        (spec.suppressIfgroup === undefined || r.suppressIfgroup === spec.suppressIfgroup) &&
        (spec.protocol === undefined || r.protocol === spec.protocol) &&
        (spec.gotoPref === undefined || r.gotoPref === spec.gotoPref) &&
        (!spec.l3mdev || r.l3mdev),
    );
    if (idx < 0) return rtnl("No such file or directory", undefined, loc, "rtnl.ENOENT");
    list.splice(idx, 1);
    // fib4_rule_delete unmerges local/main and sets fib_has_custom_rules; IPv6 deletes do not.
    if (fam === 4) s.v4CustomRules = true;
    return undefined;
  }
  // add
  const r = ruleFromSpec(spec);
  if (spec.pref === undefined) r.pref = defaultPref(list);
  if (fam === 4 && r.tos) {
    if (r.tos & 0x03) return extack("Invalid dsfield (tos): ECN bits must be 0.", undefined, loc);
    if (r.tos & ~0x1e) return extack("Invalid tos.", undefined, loc);
  }
  if (fam === 6 && r.tos & 0x03)
    return extack("Invalid dsfield (tos): ECN bits must be 0.", undefined, loc);
  if (r.sport && !(r.sport[0] > 0 && r.sport[1] < 0xffff && r.sport[0] <= r.sport[1]))
    return extack("Invalid sport range.", undefined, loc);
  if (r.dport && !(r.dport[0] > 0 && r.dport[1] < 0xffff && r.dport[0] <= r.dport[1]))
    return extack("Invalid dport range.", undefined, loc);
  if (r.uidRange && r.uidRange[0] > r.uidRange[1])
    return extack("Invalid uid range.", undefined, loc);
  if (r.action === "goto") {
    if (r.gotoPref === undefined) return rtnl("Invalid argument", undefined, loc);
    if (r.gotoPref <= r.pref) return extack("Backward goto not supported.", undefined, loc);
  }
  if (r.l3mdev && spec.table !== undefined)
    return extack("l3mdev and table are mutually exclusive.", undefined, loc);
  if (r.action === "lookup" && r.table === 0 && !r.l3mdev) {
    if (fam === 6) return extack("Invalid table.", undefined, loc);
    // fib_empty_table: the first unused table id >= 1.
    const used = usedTables4(s);
    let id = 1;
    while (used.has(id)) id++;
    r.table = id;
  }
  if (ruleExists(list, r)) return rtnl("File exists", undefined, loc, "rtnl.EEXIST");
  r.seq = s.seq++;
  let at = list.length;
  for (let i = 0; i < list.length; i++)
    if (list[i]!.pref > r.pref) {
      at = i;
      break;
    }
  list.splice(at, 0, r);
  if (fam === 4) s.v4CustomRules = true;
  else s.v6CustomRules = true;
  return undefined;
}
