/**
 * iproute2's name tables (lib/rt_names.c and /etc/protocols): route protocols, scopes,
 * route types, and IP protocol names, both ways.
 * @module
 */
import { RTN, type RouteType } from "../model/types.js";

/** rt_protos (iproute2 6.1 etc/iproute2/rt_protos). */
export const RT_PROTOS: ReadonlyMap<number, string> = new Map([
  [0, "unspec"], [1, "redirect"], [2, "kernel"], [3, "boot"], [4, "static"], [8, "gated"], [9, "ra"],
  [10, "mrt"], [11, "zebra"], [12, "bird"], [13, "dnrouted"], [14, "xorp"], [15, "ntk"], [16, "dhcp"],
  [18, "keepalived"], [42, "babel"], [99, "openr"], [186, "bgp"], [187, "isis"], [188, "ospf"], [189, "rip"], [192, "eigrp"],
]);
/** rt_scopes. */
export const RT_SCOPES: ReadonlyMap<number, string> = new Map([[0, "global"], [200, "site"], [253, "link"], [254, "host"], [255, "nowhere"]]);

/** IP protocol names as getprotobynumber (netbase /etc/protocols) gives them. */
export const IP_PROTOS: ReadonlyMap<number, string> = new Map([
  [0, "ip"], [1, "icmp"], [2, "igmp"], [4, "ipencap"], [6, "tcp"], [8, "egp"], [12, "pup"], [17, "udp"], [22, "idp"],
  [29, "iso-tp4"], [33, "dccp"], [41, "ipv6"], [43, "ipv6-route"], [44, "ipv6-frag"], [46, "rsvp"], [47, "gre"],
  [50, "esp"], [51, "ah"], [58, "ipv6-icmp"], [59, "ipv6-nonxt"], [60, "ipv6-opts"], [94, "ipip"], [98, "encap"],
  [103, "pim"], [108, "ipcomp"], [112, "vrrp"], [115, "l2tp"], [132, "sctp"], [136, "udplite"], [137, "mpls-in-ip"],
  [143, "ethernet"], [262, "mptcp"],
]);
const PROTO_ALIASES: ReadonlyMap<string, number> = new Map([["icmpv6", 58], ["IPv6-ICMP", 58], ["TCP", 6], ["UDP", 17], ["ICMP", 1]]);

function byName(m: ReadonlyMap<number, string>): Map<string, number> { return new Map([...m].map(([k, v]) => [v, k])); }
const PROTO_BY_NAME = byName(RT_PROTOS);
const SCOPE_BY_NAME = byName(RT_SCOPES);
const IPPROTO_BY_NAME = byName(IP_PROTOS);

function num(s: string, max: number): number | undefined {
  const v = /^0[xX][0-9a-fA-F]+$/.test(s) ? parseInt(s, 16) : /^[0-9]+$/.test(s) ? Number(s) : NaN;
  return Number.isInteger(v) && v >= 0 && v <= max ? v : undefined;
}

/** rtnl_rtprot_a2n. @example protoA2n("static") // 4 */
export function protoA2n(s: string): number | undefined { return PROTO_BY_NAME.get(s) ?? num(s, 255); }
/** rtnl_rtprot_n2a. @example protoN2a(4) // "static" */
export function protoN2a(n: number): string { return RT_PROTOS.get(n) ?? String(n); }
/** rtnl_rtscope_a2n (also accepts `universe`). */
export function scopeA2n(s: string): number | undefined { return s === "universe" ? 0 : SCOPE_BY_NAME.get(s) ?? num(s, 255); }
/** rtnl_rtscope_n2a. */
export function scopeN2a(n: number): string { return RT_SCOPES.get(n) ?? String(n); }
/** Route type name → RTN (rtnl_rtntype_a2n; `brd` = broadcast). */
export function rtntypeA2n(s: string): RouteType | undefined {
  if (s === "brd") return "broadcast";
  return Object.prototype.hasOwnProperty.call(RTN, s) && s !== "unspec" ? (s as RouteType) : undefined;
}
/** IP protocol by name or number (getprotobyname, then get_u8). */
export function ipprotoA2n(s: string): number | undefined { return IPPROTO_BY_NAME.get(s) ?? PROTO_ALIASES.get(s) ?? num(s, 255); }
/** inet_proto_n2a: `ipproto-N` for unknown numbers. */
export function ipprotoN2a(n: number): string { return IP_PROTOS.get(n) ?? `ipproto-${n}`; }
