/**
 * Kernel enumerations every layer names: address family, link kinds, route types and
 * scopes, reserved tables, rule actions (include/uapi/linux/rtnetlink.h, fib_rules.h).
 * @module
 */

/** IPv4 or IPv6 (AF_INET / AF_INET6). */
export type Family = 4 | 6;

/** Device kinds routelab models (`ip link add … type KIND`). */
export type LinkKind =
  | "loopback"
  | "veth"
  | "tun"
  | "tap"
  | "bridge"
  | "wireguard"
  | "dummy"
  | "ifb"
  | "vlan"
  | "macvlan"
  | "vrf"
  | "other";

/** rtm_type values (include/uapi/linux/rtnetlink.h). */
export const RTN = {
  unspec: 0,
  unicast: 1,
  local: 2,
  broadcast: 3,
  anycast: 4,
  multicast: 5,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
  throw: 9,
  nat: 10,
} as const;
export type RouteType = keyof typeof RTN;

/** rtm_scope values. */
export const SCOPE = { universe: 0, site: 200, link: 253, host: 254, nowhere: 255 } as const;

/** Reserved table ids. */
export const TABLE = { unspec: 0, compat: 252, default: 253, main: 254, local: 255 } as const;

/** Rule actions (FR_ACT_*). */
export const FR_ACT = {
  toTbl: 1,
  goto: 2,
  nop: 3,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
} as const;
