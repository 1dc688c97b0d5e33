/**
 * The one route skeleton every route reader starts from, with the kernel's defaults: main
 * table, unicast, universe scope, no tos, `proto boot` (iproute2's RTPROT_BOOT default),
 * metric 0 for IPv4 and IP6_RT_PRIO_USER (1024) for IPv6 routes added without one
 * (ip6_route_info_create). The routes the kernel makes itself for IPv6 addresses get
 * IP6_RT_PRIO_ADDRCONF (256, addrconf_prefix_route); `ip -6 route add 2001:db8:1::/48 dev
 * d0` in a namespace shows `metric 1024`, the address's prefix route `metric 256`.
 * @module
 */
import { v4, v6, type Prefix } from "../addr/ip.js";
import type { Family, RouteType } from "../core/kinds.js";
import type { Nexthop, Route } from "./types.js";

/** include/net/ip6_route.h: routes added by users without a metric. */
export const IP6_RT_PRIO_USER = 1024;
/** include/net/ip6_route.h: prefix and multicast routes addrconf adds. */
export const IP6_RT_PRIO_ADDRCONF = 256;

/** Placeholders shared by every skeleton: readers replace them, never change them in place. */
const NO_HOPS: Nexthop[] = [];
const DST4: Prefix = { addr: v4(0), len: 0 };
const DST6: Prefix = { addr: v6(0n), len: 0 };

/**
 * The metric of a route added without `metric`: 0 for IPv4; for IPv6 IP6_RT_PRIO_USER,
 * except multicast routes, which get IP6_RT_PRIO_ADDRCONF as addrconf's own ff00::/8.
 * @example defaultMetric(6, "unicast") // 1024
 */
export function defaultMetric(family: Family, type: RouteType): number {
  if (family === 4) return 0;
  return type === "multicast" ? IP6_RT_PRIO_ADDRCONF : IP6_RT_PRIO_USER;
}

/**
 * A unicast route to the default prefix in the main table with the kernel's defaults.
 * `dst` and `nexthops` are shared placeholders (no garbage per route on million-route
 * loads): assign new ones, never change them in place.
 * @example newRoute(6).metric // 1024
 */
export function newRoute(family: Family): Route {
  return {
    family,
    table: 254,
    type: "unicast",
    dst: family === 4 ? DST4 : DST6,
    tos: 0,
    metric: defaultMetric(family, "unicast"),
    protocol: 3,
    scope: 0,
    nexthops: NO_HOPS,
    multipath: false,
    pref6: 0,
    seq: 0,
  };
}

/** A nexthop with no gateway and no device (weight 1, alive). */
export function newNh(): Nexthop {
  return { ifindex: 0, weight: 1, onlink: false, dead: false };
}
