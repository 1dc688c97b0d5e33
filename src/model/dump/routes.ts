/**
 * Route dumps: what the JSON and text readers (routes-json.ts, routes-text.ts) share —
 * nexthop flags and devices, the family guess — and committing a route dump, which
 * replaces the routes of each (family, table) it holds.
 * @module
 */
import type { Family } from "../../addr/ip.js";
import { sharedNexthops } from "../fib-index.js";
import { newNh } from "../route-skeleton.js";
import { ignoreLinkdown } from "../sysctl.js";
import type { HostState, Link, Nexthop, Route } from "../types.js";
import { addrFamily, type Loader } from "./loader.js";

/** A nexthop being read: the device by name and the flags until links are resolved. */
export interface Hop {
  nh: Nexthop;
  dev?: string | undefined;
  flags: Set<string>;
}

/** The nexthop flags iproute2 prints (print_rt_flags). */
export const NH_FLAGS = new Set([
  "dead",
  "onlink",
  "pervasive",
  "offload",
  "trap",
  "notify",
  "linkdown",
  "unresolved",
  "rt_offload",
  "rt_trap",
  "rt_offload_failed",
]);

/**
 * RTNH_F_DEAD, or a `dead` that iproute2 shows because of ignore_routes_with_linkdown on a
 * linkdown nexthop of an up device (fib_nexthop_info)? Load sysctls before routes for this.
 */
export function realDead(
  state: HostState,
  family: Family,
  flags: Set<string>,
  l: Link | undefined,
): boolean {
  if (!flags.has("dead")) return false;
  if (!flags.has("linkdown") || !l || !l.up) return true;
  return !ignoreLinkdown(state, family, l.name);
}

/** Can the kernel flag this route's nexthops `linkdown`? */
export function canLinkdown(r: Route): boolean {
  if (r.family === 4) return r.scope !== 254;
  return !["local", "anycast", "blackhole", "unreachable", "prohibit", "throw"].includes(r.type);
}

/** Resolve the nexthops' devices and flags; a route without any gets an empty one. */
export function finishNexthops(ld: Loader, r: Route, hops: Hop[]): void {
  for (const h of hops) {
    const linkdown = h.flags.has("linkdown");
    if (h.dev !== undefined)
      h.nh.ifindex = ld.link(h.dev, canLinkdown(r) ? linkdown : null, h.flags.has("dead"));
    const l = ld.state.links.find((x) => x.ifindex === h.nh.ifindex);
    // `dead` with `linkdown` on an up device comes from ignore_routes_with_linkdown, not
    // RTNH_F_DEAD.
    h.nh.dead = realDead(ld.state, r.family, h.flags, l);
    h.nh.onlink = h.flags.has("onlink");
  }
  r.nexthops = hops.map((h) => h.nh);
  r.multipath = hops.length > 1;
  if (!r.nexthops.length) r.nexthops = [newNh()];
}

/** The family of a route: from its addresses, else IPv6 when `pref` is printed. */
export function guessRouteFamily(vals: string[], v6Hint: boolean): Family {
  if (v6Hint) return 6;
  for (const v of vals) {
    const f = addrFamily(v.split("/")[0]!);
    if (f) return f;
  }
  return 4;
}

/** Replace the routes of each (family, table) the dump holds. */
export function commitRoutes(ld: Loader, dumped: Route[]): void {
  // Tables sharing a hash bucket are dumped newest first; the state keeps creation order
  // (first appearance of a table = older), so reverse the dump's table order inside a bucket.
  const key = (r: Route) => (r.family === 4 ? r.table : -1 - r.table);
  const groups = new Map<number, Route[]>();
  for (const r of dumped) {
    const k = key(r);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  const order = [...groups.keys()];
  const routes = order
    .map((k, i) => ({ k, i, g: groups.get(k)! }))
    .sort((a, b) => {
      const ra = a.g[0]!,
        rb = b.g[0]!;
      if (ra.family !== rb.family || (ra.table & 255) !== (rb.table & 255)) return a.i - b.i;
      return b.i - a.i;
    });
  ld.state.routes = ld.state.routes.filter((r) => !groups.has(key(r)));
  for (const { g } of routes) {
    for (const r of g) {
      r.seq = ld.state.seq++;
      // A full table shares its few nexthop lists (fib-index sharedNexthops).
      r.nexthops = sharedNexthops(ld.state, r.nexthops);
      ld.state.routes.push(r);
      if (r.family === 4 && r.type === "local" && r.protocol !== 2)
        ld.state.v4CustomLocalRoutes = true;
    }
  }
}
