/**
 * Devices (net/core/dev.c, rtnetlink.c, drivers/net/veth.c, tun.c): `ip link add|del|set`
 * and `ip tuntap`, carrier as each driver derives it, and what a device going down or away
 * does to routes and IPv6 addresses (fib_sync_down_dev, addrconf_ifdown).
 * @module
 */
import { v4 } from "../../addr/ip.js";
import type { LinkKind } from "../../core/kinds.js";
import { SCOPE } from "../../core/kinds.js";
import type { SourceLoc } from "../../core/loc.js";
import type { IpError } from "../../parse/args.js";
import type { IpCommand } from "../../parse/ipcmd.js";
import { devValidName } from "../../parse/ip-link.js";
import { linkByIndex, linkByName } from "../links.js";
import { forgetDevice, inheritDefaults, sysctlInt } from "../sysctl.js";
import type { HostState, Link } from "../types.js";
import { loopback6, syncKernelRoutes } from "./addr.js";
import { extack, noDev, rtnl } from "./errors.js";
import { baseRule } from "../host.js";

type LinkCmd = Extract<IpCommand, { obj: "link" }>;
type TuntapCmd = Extract<IpCommand, { obj: "tuntap" }>;

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

/**
 * Carrier as the kernel derives it: veth needs both ends up; tun needs a reader; bridge
 * needs nothing here.
 */
export function refreshCarrier(s: HostState): void {
  for (const l of s.links) {
    if (l.kind === "vlan" || l.kind === "macvlan") {
      // netif_stacked_transfer_operstate: an upper device has its lower's carrier.
      const lower = l.lower ? linkByName(s, l.lower) : undefined;
      l.carrier = l.up && !!lower && lower.up && lower.carrier;
    } else if (l.kind === "veth") {
      const peer = l.peer ? linkByName(s, l.peer) : undefined;
      l.carrier = l.up && (l.peerExternal ? true : !!peer && peer.up);
    } else if (l.kind === "tun" || l.kind === "tap") l.carrier = l.up && !l.tunNoReader;
    else l.carrier = l.up;
  }
}

/**
 * What each driver's setup gives a new device: wireguard (wg_setup) ARPHRD_NONE with mtu
 * 1500 - 80 = 1420; tun 500 packets of queue (tun_set_iff); ifb TX_Q_LIMIT 32; vrf
 * (vrf_setup) mtu IP6_MAX_MTU 65575; the rest ether_setup's 1500 and 1000.
 */
function driverDefaults(kind: LinkKind, name: string): Pick<Link, "mac" | "mtu" | "txqlen"> {
  const mac = kind === "tun" || kind === "wireguard" ? null : macFor(name);
  const mtu = kind === "wireguard" ? 1420 : kind === "vrf" ? 65575 : 1500;
  const txqlen = kind === "tun" || kind === "tap" ? 500 : kind === "ifb" ? 32 : 1000;
  return { mac, mtu, txqlen };
}

function newLink(s: HostState, name: string, kind: LinkKind, extra: Partial<Link> = {}): Link {
  const l: Link = {
    ifindex: s.nextIfindex++,
    name,
    kind,
    ...driverDefaults(kind, name),
    up: false,
    carrier: false,
    group: 0,
    ...extra,
  };
  s.links.push(l);
  inheritDefaults(s, name);
  return l;
}

function linkUp(s: HostState, l: Link): void {
  if (l.up) return;
  l.up = true;
  // vlan_device_event NETDEV_UP: every vlan of the lower comes up with it.
  for (const v of s.links) if (v.kind === "vlan" && v.lower === l.name) linkUp(s, v);
  if (l.kind === "loopback" && !s.addrs.some((a) => a.ifindex === l.ifindex)) {
    // inetdev_event NETDEV_UP on loopback adds 127.0.0.1/8; addrconf adds ::1.
    s.addrs.push({
      family: 4,
      ifindex: l.ifindex,
      local: v4(0x7f000001),
      prefixlen: 8,
      scope: SCOPE.host,
      secondary: false,
      noprefixroute: false,
      nodad: false,
      label: "lo",
    });
    s.addrs.push(loopback6(l.ifindex));
  }
}

function linkDown(s: HostState, l: Link): void {
  if (!l.up) return;
  l.up = false;
  // vlan_device_event NETDEV_DOWN: the lower's vlans are set down with it.
  for (const v of s.links) if (v.kind === "vlan" && v.lower === l.name) linkDown(s, v);
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
  } else {
    // keep_addr_on_down: the addresses stay, PREDAD and without their routes until up again.
    for (const a of s.addrs) if (a.family === 6 && a.ifindex === l.ifindex) a.dadDone = false;
  }
}

function afterLinkChange(s: HostState, first?: Link): void {
  refreshCarrier(s);
  // Multipath hops revive when their device is up again (fib_sync_up).
  for (const r of s.routes)
    for (const n of r.nexthops)
      if (n.dead) {
        const l = linkByIndex(s, n.ifindex);
        if (l?.up) n.dead = false;
      }
  syncKernelRoutes(s, first?.ifindex);
}

function deleteLink(s: HostState, l: Link): void {
  // vlan_device_event / macvlan_device_event NETDEV_UNREGISTER: the uppers go first.
  for (const u of s.links.filter((x) => x.lower === l.name)) deleteLink(s, u);
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

/** `ip link add` (rtnl_newlink): EEXIST on a taken name; veth_newlink makes the peer first. */
function addLink(
  s: HostState,
  cmd: Extract<LinkCmd, { op: "add" }>,
  loc: SourceLoc,
): IpError | undefined {
  // dev_get_valid_name(): `.`, `..` and `:` pass iproute2 but not the kernel.
  if (!devValidName(cmd.name) || (cmd.peer !== undefined && !devValidName(cmd.peer)))
    return rtnl("Invalid argument", cmd.nameWord, loc, "rtnl.EINVAL");
  if (linkByName(s, cmd.name) || (cmd.peer && linkByName(s, cmd.peer)))
    return rtnl("File exists", cmd.nameWord, loc, "rtnl.EEXIST");
  if (cmd.master && !linkByName(s, cmd.master)) return noDev(cmd.master, undefined, loc);
  const kindErr = checkKind(s, cmd, loc);
  if (kindErr) return kindErr;
  let l: Link;
  if (cmd.kind !== "veth" && cmd.kind !== "bridge" && cmd.kind !== "tun" && cmd.kind !== "tap")
    l = newLink(s, cmd.name, cmd.kind, kindExtras(s, cmd));
  else if (cmd.kind === "veth") {
    const peerName = cmd.peer ?? `veth${s.links.filter((x) => x.kind === "veth").length}`;
    // veth_newlink registers the peer first, so it gets the lower ifindex.
    newLink(s, peerName, "veth", { peer: cmd.name });
    l = newLink(s, cmd.name, "veth", { peer: peerName });
  } else l = newLink(s, cmd.name, cmd.kind);
  if (cmd.mtu !== undefined) l.mtu = cmd.mtu;
  if (cmd.mac) l.mac = cmd.mac;
  if (cmd.master) l.master = cmd.master;
  if (cmd.txqlen !== undefined) l.txqlen = cmd.txqlen;
  if (cmd.kind === "vrf") vrfAddFibRules(s);
  if (cmd.up) linkUp(s, l);
  afterLinkChange(s);
  return undefined;
}

/**
 * The kernel's checks for the kinds with a lower device or a table: vlan_newlink
 * ("VLAN id not specified", "link not specified"), macvlan_common_newlink (-EINVAL
 * without a lower), vrf_newlink ("VRF table id is missing"). iproute2 resolves `link DEV`
 * first (ll_name_to_index: `Cannot find device`).
 */
function checkKind(
  s: HostState,
  cmd: Extract<LinkCmd, { op: "add" }>,
  loc: SourceLoc,
): IpError | undefined {
  if (cmd.link && !linkByName(s, cmd.link.text)) return noDev(cmd.link.text, cmd.link, loc);
  if (cmd.kind === "vlan") {
    if (cmd.vlanId === undefined) return extack("8021q: VLAN id not specified.", undefined, loc);
    if (!cmd.link) return extack("8021q: link not specified.", undefined, loc);
    if (cmd.vlanId >= 4095) return extack("8021q: Invalid VLAN id.", undefined, loc);
    const dup = s.links.some((x) => x.lower === cmd.link!.text && x.vlanId === cmd.vlanId);
    if (dup) return rtnl("File exists", cmd.nameWord, loc, "rtnl.EEXIST");
  }
  if (cmd.kind === "macvlan") {
    const lower = cmd.link ? linkByName(s, cmd.link.text) : undefined;
    // macvlan_port_create: only ethernet lowers (not lo, tun or wireguard).
    if (!lower || lower.mac === null || lower.kind === "loopback")
      return rtnl("Invalid argument", cmd.nameWord, loc, "rtnl.EINVAL");
  }
  if (cmd.kind === "vrf") {
    if (cmd.vrfTable === undefined) return extack("VRF table id is missing.", undefined, loc);
    if (cmd.vrfTable === 0) return extack("Invalid VRF table id.", undefined, loc);
  }
  return undefined;
}

/** vlan_dev_init / macvlan_init: mtu (and a vlan's MAC) from the lower device. */
function kindExtras(s: HostState, cmd: Extract<LinkCmd, { op: "add" }>): Partial<Link> {
  const lower = cmd.link ? linkByName(s, cmd.link.text) : undefined;
  const out: Partial<Link> = {};
  if (lower) {
    out.lower = lower.name;
    out.mtu = lower.mtu;
  }
  if (cmd.kind === "vlan") {
    out.vlanId = cmd.vlanId!;
    if (lower?.mac) out.mac = lower.mac;
  }
  if (cmd.kind === "macvlan") out.macvlanMode = cmd.macvlanMode ?? "vepa";
  if (cmd.kind === "vrf") out.vrfTable = cmd.vrfTable!;
  if (cmd.kind === "wireguard") out.fwmark = 0;
  return out;
}

/**
 * vrf_newlink → vrf_add_fib_rules: the first VRF of a namespace adds `1000: from all
 * lookup [l3mdev-table]` (protocol kernel) for IPv4 and IPv6, once (add_fib_rules).
 */
function vrfAddFibRules(s: HostState): void {
  const st = s as HostState & { vrfRulesAdded?: boolean };
  if (st.vrfRulesAdded) return;
  st.vrfRulesAdded = true;
  for (const list of [s.rules4, s.rules6]) {
    if (list.some((r) => r.l3mdev && r.pref === 1000)) continue;
    const r = { ...baseRule(list === s.rules4 ? 4 : 6, 1000), l3mdev: true, protocol: 2 };
    r.seq = s.seq++;
    let at = list.findIndex((x) => x.pref > r.pref);
    if (at < 0) at = list.length;
    list.splice(at, 0, r);
  }
  s.v4CustomRules = true;
  s.v6CustomRules = true;
}

/** `ip link set … name NEW` (dev_change_name): EBUSY while up; per-device sysctls follow. */
function renameLink(
  s: HostState,
  l: Link,
  newName: string,
  cmd: Extract<LinkCmd, { op: "set" }>,
  loc: SourceLoc,
): IpError | undefined {
  if (l.up) return rtnl("Device or resource busy", cmd.devWord, loc, "rtnl.EBUSY");
  if (!devValidName(newName)) return rtnl("Invalid argument", cmd.devWord, loc, "rtnl.EINVAL");
  if (linkByName(s, newName)) return rtnl("File exists", cmd.devWord, loc, "rtnl.EEXIST");
  for (const p of s.links) {
    if (p.peer === l.name) p.peer = newName;
    if (p.master === l.name) p.master = newName;
  }
  const esc = l.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`^net\\.ipv([46])\\.conf\\.${esc}\\.(.*)$`);
  for (const [k, v] of [...s.sysctl]) {
    const m = re.exec(k);
    if (m) {
      s.sysctl.delete(k);
      s.sysctl.set(`net.ipv${m[1]}.conf.${newName}.${m[2]}`, v);
    }
  }
  l.name = newName;
  return undefined;
}

/** `ip link set` (do_setlink): name first, then attributes, then up/down. */
function setLink(
  s: HostState,
  l: Link,
  cmd: Extract<LinkCmd, { op: "set" }>,
  loc: SourceLoc,
): IpError | undefined {
  if (cmd.newName !== undefined) {
    const e = renameLink(s, l, cmd.newName, cmd, loc);
    if (e) return e;
  }
  if (cmd.mtu !== undefined) l.mtu = cmd.mtu;
  // dev_set_mac_address: ifb and wireguard have no ndo_set_mac_address.
  if (cmd.mac !== undefined && (l.kind === "ifb" || l.kind === "wireguard"))
    return rtnl("Operation not supported", cmd.devWord, loc, "rtnl.EOPNOTSUPP");
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
  if (cmd.up === true) {
    // vlan_dev_open: -ENETDOWN while the lower device is down.
    const lower = l.kind === "vlan" && l.lower ? linkByName(s, l.lower) : undefined;
    if (lower && !lower.up) return rtnl("Network is down", cmd.devWord, loc, "rtnl.ENETDOWN");
    linkUp(s, l);
  }
  if (cmd.up === false) linkDown(s, l);
  afterLinkChange(s, l);
  const m = l.master ? linkByName(s, l.master) : undefined;
  if (cmd.master && m?.kind === "vrf") return vrfNotModelled(cmd, loc);
  return undefined;
}

/**
 * Enslaving to a VRF is recorded, but l3mdev is not: the `l3mdev` rule, the VRF's table
 * for its ports' traffic and the local routes it moves there are not applied to lookups.
 * A warning (exit 0): the line ran, the answers may differ for the ports' traffic.
 */
function vrfNotModelled(cmd: Extract<LinkCmd, { op: "set" }>, loc: SourceLoc): IpError {
  return {
    code: "ip.not-modelled",
    message:
      `warning: ${cmd.dev} is now a port of VRF ${cmd.master}; VRF (l3mdev) lookups are ` +
      "not modelled: its traffic is answered as if it had no VRF",
    loc: cmd.devWord.loc ?? loc,
    token: cmd.dev,
    exit: 0,
  };
}

/**
 * `ip link add|del|set|show`.
 * @example applyLink(s, { obj: "link", op: "del", dev: "v0", devWord }, loc)
 */
export function applyLink(s: HostState, cmd: LinkCmd, loc: SourceLoc): IpError | undefined {
  if (cmd.op === "add") return addLink(s, cmd, loc);
  if (cmd.op === "show") return undefined;
  const l = linkByName(s, cmd.dev);
  if (!l) return noDev(cmd.dev, cmd.devWord, loc);
  if (cmd.op === "del") {
    // rtnl_dellink: loopback has no dellink; a veth takes its peer with it.
    if (l.kind === "loopback")
      return rtnl("Operation not supported", cmd.devWord, loc, "rtnl.EOPNOTSUPP");
    const peer = l.kind === "veth" && l.peer ? linkByName(s, l.peer) : undefined;
    deleteLink(s, l);
    if (peer) deleteLink(s, peer);
    afterLinkChange(s);
    return undefined;
  }
  return setLink(s, l, cmd, loc);
}

/** `ip tuntap add|del` (TUNSETIFF): a persistent device with no reader, so no carrier. */
export function applyTuntap(s: HostState, cmd: TuntapCmd): IpError | undefined {
  const l = linkByName(s, cmd.name);
  const fail = (why: string): IpError => ({
    code: "ip.tuntap",
    message: `ioctl(TUNSETIFF): ${why}`,
    loc: cmd.nameWord.loc,
    token: cmd.name,
    exit: 1,
  });
  if (cmd.op === "add") {
    if (!devValidName(cmd.name)) return fail("Invalid argument");
    if (l) return fail("Device or resource busy");
    newLink(s, cmd.name, cmd.mode, {
      tunNoReader: true,
      mac: cmd.mode === "tap" ? macFor(cmd.name) : null,
    });
  } else {
    if (!l) return fail("Invalid argument");
    deleteLink(s, l);
  }
  afterLinkChange(s);
  return undefined;
}
