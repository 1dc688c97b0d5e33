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
import type { Family } from "../core/kinds.js";
import { formatAddr } from "../addr/ip.js";
import type { HostState, IfAddr, Link } from "../model/types.js";
import { Emitter } from "./emit.js";
import { groupN2a, rtscopeN2a } from "../parse/names.js";

export interface LinkShowOptions {
  json?: boolean;
  pretty?: boolean;
  dev?: string;
}
export interface AddrShowOptions {
  family?: Family;
  json?: boolean;
  pretty?: boolean;
  dev?: string;
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
  if (l.kind === "loopback") out.push("LOOPBACK");
  else if (l.kind === "tun") out.push("POINTOPOINT", "MULTICAST", "NOARP");
  else out.push("BROADCAST", "MULTICAST");
  if (l.up) out.push("UP");
  if (lowerUp) out.push("LOWER_UP");
  if (l.kind === "veth" && l.peer && !l.peerExternal) {
    const p = state.links.find((x) => x.name === l.peer);
    if (p && !p.up) out.push("M-DOWN");
  }
  return out;
}

/**
 * IFLA_OPERSTATE name. A bridge that never had a port keeps carrier with operstate UNKNOWN
 * (`hasPorts`: some link names it as master).
 */
export function operState(l: Link, hasPorts = true): string {
  const d = asDumped(l)?.operstate;
  if (d !== undefined) return d;
  if (!l.up) return "DOWN";
  if (l.kind === "loopback") return "UNKNOWN";
  if (l.kind === "tun" || l.kind === "tap") return l.carrier ? "UNKNOWN" : "DOWN";
  if (l.carrier) return l.kind === "bridge" && !hasPorts ? "UNKNOWN" : "UP";
  return l.kind === "veth" ? "LOWERLAYERDOWN" : "DOWN";
}

/** IFLA_QDISC. */
export function qdiscOf(state: HostState, l: Link): string {
  const d = asDumped(l)?.qdisc;
  if (d !== undefined) return d;
  if (!l.up) return "noop";
  if (l.kind === "tun" || l.kind === "tap")
    return state.sysctl.get("net.core.default_qdisc")?.trim() || "pfifo_fast";
  return "noqueue";
}

function linkType(l: Link): string {
  return l.kind === "loopback" ? "loopback" : l.kind === "tun" || l.mac === null ? "none" : "ether";
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
  if (l.peer !== undefined) {
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
  for (const l of selectLinks(state, opts.dev)) {
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
  for (const l of selectLinks(state, opts.dev)) {
    const addrs = [4, 6]
      .filter((f) => !opts.family || opts.family === f)
      .flatMap((f) => state.addrs.filter((a) => a.ifindex === l.ifindex && a.family === f));
    if (opts.family && addrs.length === 0) continue;
    o.openObject();
    printLinkInfo(o, state, l, false, !opts.family, opts.family === 6 && opts.dev === undefined);
    o.openArray("addr_info");
    for (const a of addrs) printAddrInfo(o, state, a, l);
    o.closeArray();
    o.closeObject();
  }
  o.endList();
  return o.text();
}
