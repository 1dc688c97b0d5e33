/**
 * `ip [-j [-p]] link show [dev D]` and `ip [-4|-6] [-j [-p]] addr show [dev D]` as iproute2
 * 6.1 prints them (ip/ipaddress.c print_linkinfo, print_addrinfo). What the kernel derives
 * from device state is derived here from the model:
 *
 * - flags: LOOPBACK / BROADCAST,MULTICAST (ethernet-like) / POINTOPOINT,MULTICAST,NOARP (tun),
 *   UP, LOWER_UP (up with carrier), NO-CARRIER (up without carrier), M-DOWN (veth peer down);
 * - operstate: DOWN when admin down; lo UNKNOWN; tun/tap UNKNOWN with a reader else DOWN;
 *   veth UP or LOWERLAYERDOWN; bridge UP (UNKNOWN without ports) or DOWN; others UP or DOWN;
 * - qdisc: `noop` when down (as for a device never set up; the kernel keeps the last qdisc
 *   of a device set down again, which the model does not record), `noqueue` for
 *   lo/veth/bridge, the default qdisc (pfifo_fast, or `net.core.default_qdisc` from the
 *   state's sysctls) for tun/tap.
 *
 * Not modelled (never printed): altnames, link-netnsid, statistics, `tentative`/`deprecated`
 * address flags; a dumped `dynamic` address prints the lifetimes it was dumped with.
 * @module
 */
import { fnmatch } from "../core/fnmatch.js";
import type { Family } from "../core/kinds.js";
import { formatAddr } from "../addr/ip.js";
import type { HostState, IfAddr, Link } from "../model/types.js";
import { Emitter } from "./emit.js";
import { groupN2a, rtscopeN2a } from "../parse/names.js";

export interface LinkShowOptions {
  json?: boolean;
  pretty?: boolean;
  dev?: string;
  /** `ip link show up|type KIND|master M|group G` filters (ipaddr_list_flush_or_save). */
  up?: boolean;
  type?: string;
  master?: string;
  group?: number;
}

/** IFLA_INFO_KIND as the kernel reports it (`tun` for tun and tap; lo has none). */
function infoKind(l: Link): string | undefined {
  if (l.kind === "loopback" || l.kind === "other") return undefined;
  return l.kind === "tap" ? "tun" : l.kind;
}

/** The link filters of `ip link show`: each one a test on a device. */
function linkFilter(opts: LinkShowOptions): (l: Link) => boolean {
  return (l) =>
    (!opts.up || l.up) &&
    (opts.type === undefined || infoKind(l) === opts.type) &&
    (opts.master === undefined || l.master === opts.master) &&
    (opts.group === undefined || l.group === opts.group);
}
export interface AddrShowOptions {
  family?: Family;
  json?: boolean;
  pretty?: boolean;
  dev?: string;
  /** Filters: `scope S`, `up`, `label PATTERN` (ipaddr_filter, print_linkinfo). */
  scope?: number;
  up?: boolean;
  label?: string;
  /** `-oneline`: one line per address, `\\` for the inner line breaks. */
  oneline?: boolean;
}

/** What a link dump showed, while the link is still as dumped (up, carrier). */
function asDumped(l: Link): Link["dumped"] {
  const d = l.dumped;
  return d && d.up === l.up && d.carrier === l.carrier ? d : undefined;
}

/** ifi_flags words in print_link_flags order, with NO-CARRIER first and M-DOWN last. */
export function linkFlags(state: HostState, l: Link): string[] {
  const d = asDumped(l);
  if (d) return d.flags;
  const out: string[] = [];
  const lowerUp = l.up && l.carrier;
  if (l.up && !lowerUp) out.push("NO-CARRIER");
  out.push(...driverFlags(state, l));
  if (l.up) out.push("UP");
  if (lowerUp) out.push("LOWER_UP");
  // print_linkinfo: M-DOWN when the IFLA_LINK device (veth peer, vlan/macvlan lower) is down.
  const other = l.kind === "veth" && !l.peerExternal ? l.peer : l.lower;
  if (other !== undefined) {
    const p = state.links.find((x) => x.name === other);
    if (p && !p.up) out.push("M-DOWN");
  }
  return out;
}

/**
 * The flags a driver's setup leaves (print_link_flags order): ether_setup's
 * BROADCAST,MULTICAST; tun POINTOPOINT,MULTICAST,NOARP; wg_setup POINTOPOINT,NOARP;
 * dummy and ifb drop MULTICAST and add NOARP; vrf_dev_init NOARP,MASTER; a vlan copies
 * its lower device's (vlan_dev_init).
 */
function driverFlags(state: HostState, l: Link): string[] {
  switch (l.kind) {
    case "loopback":
      return ["LOOPBACK"];
    case "tun":
      return ["POINTOPOINT", "MULTICAST", "NOARP"];
    case "wireguard":
      return ["POINTOPOINT", "NOARP"];
    case "dummy":
    case "ifb":
      return ["BROADCAST", "NOARP"];
    case "vrf":
      return ["NOARP", "MASTER"];
    case "vlan": {
      const lower = state.links.find((x) => x.name === l.lower);
      return lower && lower.kind !== "vlan"
        ? driverFlags(state, lower)
        : ["BROADCAST", "MULTICAST"];
    }
    default:
      return ["BROADCAST", "MULTICAST"];
  }
}

/**
 * IFLA_OPERSTATE name. A bridge that never had a port keeps carrier with operstate UNKNOWN
 * (`hasPorts`: some link names it as master).
 */
export function operState(l: Link, hasPorts = true): string {
  const d = asDumped(l)?.operstate;
  if (d !== undefined) return d;
  if (!l.up) return "DOWN";
  // Drivers that never set an operstate stay IF_OPER_UNKNOWN; vrf_dev_init sets UP.
  if (["loopback", "wireguard", "dummy", "ifb"].includes(l.kind)) return "UNKNOWN";
  if (l.kind === "vrf") return "UP";
  if (l.kind === "tun" || l.kind === "tap") return l.carrier ? "UNKNOWN" : "DOWN";
  if (l.carrier) return l.kind === "bridge" && !hasPorts ? "UNKNOWN" : "UP";
  // rfc2863_policy: a device stacked on another (IFLA_LINK) says its lower layer is down.
  return l.kind === "veth" || l.kind === "vlan" || l.kind === "macvlan" ? "LOWERLAYERDOWN" : "DOWN";
}

/** IFLA_QDISC. */
export function qdiscOf(state: HostState, l: Link): string {
  const d = asDumped(l)?.qdisc;
  if (d !== undefined) return d;
  if (!l.up) return "noop";
  // Devices without IFF_NO_QUEUE get the default qdisc (tun, tap, ifb).
  if (l.kind === "tun" || l.kind === "tap" || l.kind === "ifb")
    return state.sysctl.get("net.core.default_qdisc")?.trim() || "pfifo_fast";
  return "noqueue";
}

function linkType(l: Link): string {
  if (l.kind === "loopback") return "loopback";
  return l.kind === "tun" || l.kind === "wireguard" || l.mac === null ? "none" : "ether";
}

/**
 * `inet6Dump`: `ip -6 addr show` without `dev` gets its links from the AF_INET6 link dump
 * (addrconf inet6_fill_ifinfo), which carries no qdisc, master or group.
 */
function printLinkInfo(
  o: Emitter,
  state: HostState,
  l: Link,
  doLink: boolean,
  showLinkLine: boolean,
  inet6Dump = false,
): void {
  o.any("ifindex", "%d: ", l.ifindex);
  let name = l.name;
  if (l.lower !== undefined) {
    o.js("link", l.lower);
    if (!o.json) name = `${l.name}@${l.lower}`;
  } else if (l.peer !== undefined) {
    if (l.peerExternal) {
      const m = /^if(\d+)$/.exec(l.peer);
      if (m) o.js("link_index", Number(m[1]));
      if (!o.json) name = `${l.name}@${l.peer}`;
    } else {
      o.js("link", l.peer);
      if (!o.json) name = `${l.name}@${l.peer}`;
    }
  }
  o.any("ifname", "%s: ", name);
  const flags = linkFlags(state, l);
  o.openArray("flags");
  o.fp("<");
  flags.forEach((f, i) => {
    if (f === "M-DOWN") {
      o.js(null, f);
      o.fp(",M-DOWN");
      return;
    }
    const last = i === flags.length - 1 || (i === flags.length - 2 && flags[i + 1] === "M-DOWN");
    o.js(null, f);
    o.fp(last ? f : f + ",");
  });
  o.fp("> ");
  o.closeArray();
  o.any("mtu", "mtu %u ", l.mtu);
  if (!inet6Dump) o.any("qdisc", "qdisc %s ", qdiscOf(state, l));
  if (l.master && !inet6Dump) o.any("master", "master %s ", l.master);
  const os = operState(
    l,
    state.links.some((x) => x.master === l.name),
  );
  o.js("operstate", os);
  o.fp(`state ${os} `);
  if (doLink) o.any("linkmode", "mode %s ", "DEFAULT");
  if (!inet6Dump) o.any("group", "group %s ", groupN2a(l.group));
  if (l.txqlen) o.any("txqlen", "qlen %d", l.txqlen);
  if (showLinkLine) {
    o.fp("\n");
    const t = linkType(l);
    o.any("link_type", "    link/%s ", t);
    if (t !== "none" && l.mac) {
      o.any("address", "%s", l.mac);
      o.fp(" brd ");
      o.any("broadcast", "%s", t === "loopback" ? "00:00:00:00:00:00" : "ff:ff:ff:ff:ff:ff");
    }
  }
  if (l.peerExternal && l.peer !== undefined) {
    o.js("link_netnsid", 0);
    o.fp(" link-netnsid 0");
  }
  o.fp("\n");
}

/** print_lifetime: `forever` for INFINITY_LIFE_TIME, else `Nsec`; JSON the number. */
function printLifetime(o: Emitter, which: "valid" | "preferred", v = 0xffffffff): void {
  o.fp(which === "valid" ? "       valid_lft " : " preferred_lft ");
  o.js(`${which}_life_time`, v);
  o.fp(v === 0xffffffff ? "forever" : `${v}sec`);
}

function printAddrInfo(o: Emitter, state: HostState, a: IfAddr, l: Link): void {
  o.openObject();
  o.any("family", "    %s ", a.family === 4 ? "inet" : "inet6");
  o.any("local", "%s", formatAddr(a.local));
  if (a.peer && !(a.peer.family === a.local.family && a.peer.v === a.local.v)) {
    o.fp(" peer ");
    o.any("address", "%s", formatAddr(a.peer));
  }
  o.any("prefixlen", "/%d ", a.prefixlen);
  if (a.broadcast) {
    o.fp("brd ");
    o.any("broadcast", "%s ", formatAddr(a.broadcast));
  }
  o.any("scope", "scope %s ", rtscopeN2a(a.scope));
  // print_ifa_flags order: secondary|temporary, nodad, optimistic, dadfailed, home, deprecated,
  // tentative, (dynamic), mngtmpaddr, noprefixroute, autojoin, stable-privacy.
  if (a.secondary) {
    if (a.family === 6) o.bool("temporary", "temporary ");
    else {
      o.fp("secondary ");
      o.js("secondary", true);
    }
  }
  if (a.nodad && a.family === 6) {
    o.fp("nodad ");
    o.js("nodad", true);
  }
  for (const f of a.dumpedFlags ?? []) o.bool(f, `${f} `);
  if (a.lifetimes) {
    o.fp("dynamic ");
    o.js("dynamic", true);
  }
  if (a.noprefixroute) {
    o.fp("noprefixroute ");
    o.js("noprefixroute", true);
  }
  if (a.family === 4) o.any("label", "%s", a.label ?? l.name);
  o.fp("\n");
  printLifetime(o, "valid", a.lifetimes?.valid);
  printLifetime(o, "preferred", a.lifetimes?.preferred);
  o.fp("\n");
  o.closeObject();
}

function selectLinks(state: HostState, dev?: string): Link[] {
  const ls = [...state.links].sort((a, b) => a.ifindex - b.ifindex);
  return dev === undefined ? ls : ls.filter((l) => l.name === dev);
}

/**
 * `ip link show [dev D]`.
 * @example
 * ```ts
 * printLinks(createHostState(), {});
 * // "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n"
 * // + "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
 * ```
 */
export function printLinks(state: HostState, opts: LinkShowOptions = {}): string {
  const o = new Emitter(opts);
  o.startList();
  for (const l of selectLinks(state, opts.dev).filter(linkFilter(opts))) {
    o.openObject();
    printLinkInfo(o, state, l, true, true);
    o.closeObject();
  }
  o.endList();
  return o.text();
}

/**
 * `ip [-4|-6] addr show [dev D]`: per link, IPv4 addresses then IPv6, in state order. With a
 * family, links without an address of it are skipped and the `link/` line is not printed.
 */
export function printAddrs(state: HostState, opts: AddrShowOptions = {}): string {
  const o = new Emitter(opts);
  o.startList();
  for (const { l, addrs } of selectAddrs(state, opts)) {
    if (opts.oneline) {
      for (const a of addrs) o.fp(onelineAddr(state, a, l));
      continue;
    }
    o.openObject();
    // `label` prints the matching addresses only (no link lines).
    if (opts.label === undefined)
      printLinkInfo(o, state, l, false, !opts.family, opts.family === 6 && opts.dev === undefined);
    o.openArray("addr_info");
    for (const a of addrs) printAddrInfo(o, state, a, l);
    o.closeArray();
    o.closeObject();
  }
  o.endList();
  return o.text();
}

/**
 * ipaddr_filter: the links `ip addr show` keeps and their matching addresses. A link with
 * no address at all stays when no family is asked; one whose addresses all fail the
 * filters goes; `up` drops links that are down (print_linkinfo).
 */
export function selectAddrs(
  state: HostState,
  opts: AddrShowOptions,
): { l: Link; addrs: IfAddr[] }[] {
  const out: { l: Link; addrs: IfAddr[] }[] = [];
  for (const l of selectLinks(state, opts.dev)) {
    if (opts.up && !l.up) continue;
    const mine = [4, 6].flatMap((f) =>
      state.addrs.filter((a) => a.ifindex === l.ifindex && a.family === f),
    );
    const addrs = mine.filter(
      (a) =>
        (!opts.family || a.family === opts.family) &&
        (opts.scope === undefined || a.scope === opts.scope) &&
        (opts.label === undefined || fnmatch(opts.label, a.label ?? l.name)),
    );
    if (addrs.length === 0 && (mine.length > 0 || opts.family)) continue;
    out.push({ l, addrs });
  }
  return out;
}

/** `ip -o addr`: `IDX: NAME` and the address with its line breaks as `\\`. */
function onelineAddr(state: HostState, a: IfAddr, l: Link): string {
  const o = new Emitter({});
  printAddrInfo(o, state, a, l);
  return `${l.ifindex}: ${l.name}${o.text().replace(/\n(?!$)/g, "\\")}`;
}

/** `ip -o link`: each link on one line, `\\` where the `link/` line would start. */
export function printLinksOneline(state: HostState, opts: LinkShowOptions = {}): string {
  return printLinks(state, opts).replace(/\n    link\//g, "\\    link/");
}

/** print_linkinfo_brief's name column: `NAME@PEER` padded to 16. */
function briefName(l: Link): string {
  const at = l.lower ?? (l.peer !== undefined ? l.peer : undefined);
  return `${(at !== undefined ? `${l.name}@${at}` : l.name).padEnd(16)} `;
}

/** `ip -br link`: name, operstate, MAC (ether-like) and flags. */
export function printLinksBrief(state: HostState, opts: LinkShowOptions = {}): string {
  let out = "";
  for (const l of selectLinks(state, opts.dev).filter(linkFilter(opts))) {
    const os = operState(
      l,
      state.links.some((x) => x.master === l.name),
    );
    const mac = linkType(l) !== "none" && l.mac ? `${l.mac} ` : "";
    out += `${briefName(l)}${os.padEnd(14)} ${mac}<${linkFlags(state, l).join(",")}> \n`;
  }
  return out;
}

/** `ip -br addr`: name, operstate and each address as ADDR/LEN. */
export function printAddrsBrief(state: HostState, opts: AddrShowOptions = {}): string {
  let out = "";
  for (const { l, addrs } of selectAddrs(state, opts)) {
    const os = operState(
      l,
      state.links.some((x) => x.master === l.name),
    );
    const list = addrs.map((a) => `${formatAddr(a.local)}/${a.prefixlen} `).join("");
    out += `${briefName(l)}${os.padEnd(14)} ${list}\n`;
  }
  return out;
}
