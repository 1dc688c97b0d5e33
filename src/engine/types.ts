/**
 * Flow keys, decisions and traces of the route engine. A decision is what `ip route get`
 * prints; a trace is why (each rule visited, each table lookup, rp_filter).
 * @module
 */
import type { Addr, Prefix } from "../addr/ip.js";
import type { Family, RouteType } from "../core/kinds.js";
import type { Route, Rule } from "../model/types.js";

/** errno names the kernel returns from route lookups, with iproute2's strerror text. */
export const ERRNO = {
  ENETUNREACH: "Network is unreachable",
  EHOSTUNREACH: "No route to host",
  EACCES: "Permission denied",
  EINVAL: "Invalid argument",
  ENODEV: "No such device",
  EXDEV: "Invalid cross-device link",
  EAGAIN: "Resource temporarily unavailable",
  ESRCH: "No such process",
  EPERM: "Operation not permitted",
} as const;
export type Errno = keyof typeof ERRNO;

/** The flow a lookup runs with (struct flowi4/flowi6). ifindex 1 = lo. */
export interface Flow {
  family: Family;
  daddr: Addr;
  /** 0.0.0.0 / :: when unset. */
  saddr: Addr;
  iif: number;
  oif: number;
  mark: number;
  uid: number;
  tos: number;
  ipproto: number;
  sport: number;
  dport: number;
  /** IPv6: whether saddr is set (RT6_LOOKUP_F_HAS_SADDR). */
  hasSaddr?: boolean;
  /**
   * Whether the oif also restricts nexthops inside tables (RT6_LOOKUP_F_IFACE). Always for
   * IPv4; IPv6 output lookups with a source only use the oif for `oif` rules. Default true.
   */
  oifStrict?: boolean;
  /**
   * A device that restricts nexthops without being the flow's oif for `oif` rules: IPv6
   * input lookups of link-scoped destinations (ip6_pol_route_input passes iif as oif).
   */
  nhOif?: number;
  /**
   * IPv6 input lookups: the ingress device, which rt6_score_route prefers among a node's
   * routes as it does the oif of output lookups (ip6_pol_route_input passes iif as oif).
   */
  scoreOif?: number;
}

/** A `lookup` trace step's outcome: fib_rules_lookup's view of one table. */
export type LookupResult = "route" | "none" | "missing-table" | "throw" | "error" | "suppressed";

/** One step of the explanation. */
export type TraceStep =
  | { kind: "rule"; rule: Rule; matched: boolean; why?: string }
  | { kind: "goto"; rule: Rule; target?: Rule }
  | {
      kind: "lookup";
      rule: Rule;
      table: number;
      result: LookupResult;
      route?: Route;
      errno?: Errno;
      why?: string;
    }
  | { kind: "action"; rule: Rule; errno?: Errno; why?: string }
  | { kind: "rpdb-bypass"; why: string }
  | { kind: "onlink-fallback"; oif: number; errno: Errno }
  | {
      kind: "rp_filter";
      mode: number;
      ok: boolean;
      why: string;
      reverse?: Decision;
    }
  | { kind: "martian"; why: string }
  | { kind: "forwarding"; enabled: boolean; dev: string }
  | { kind: "multipath"; hash: number; chosen: number; of: number }
  | { kind: "saddr"; addr: Addr; why: string }
  | { kind: "note"; text: string };

/**
 * A route-get question: the arguments of `ip route get` (iproute2's iproute_get, the
 * grammar's RouteGetQuery without the words it was parsed from), plus `reroute` for
 * netfilter's re-route (ip_route_me_harder: the packet's source is kept without the
 * "must be ours" check, IPv4 uses uid 0, protocol/ports only with flow dissection).
 */
export interface RouteQuery {
  family: Family;
  dst: Addr;
  from?: Addr;
  /** Ingress device name: an input lookup (ip_route_input / ip6_route_input). */
  iif?: string;
  /** Output device name (SO_BINDTODEVICE). */
  oif?: string;
  mark?: number;
  tos?: number;
  uid?: number;
  ipproto?: number;
  sport?: number;
  dport?: number;
  reroute?: boolean;
}

/**
 * A route the lookup resolved to (the kernel's dst_entry / rtable, as `ip route get` prints it).
 */
export interface RouteDecision {
  ok: true;
  /** Resulting route type (unicast, local, broadcast, multicast). */
  type: RouteType;
  /** The FIB entry that matched (for `fibmatch`). Undefined for the oif on-link fallback. */
  route?: Route;
  /** Table that produced the route (RTM_F_LOOKUP_TABLE). */
  table?: number;
  /** Output device ifindex (1 = lo for local delivery). */
  oif: number;
  gateway?: Addr;
  /** Preferred source (printed `src`). */
  prefsrc?: Addr;
  /** Index into route.nexthops chosen by multipath. */
  nhIndex?: number;
  /** Cache flags printed by iproute2: local, brd, mc, redirect. */
  cacheFlags: string[];
  /** Flow the decision was made for (after defaults). */
  flow: Flow;
  /** Input lookups: the ingress device. */
  iif?: number;
  /** Route prefix length that matched (for suppressors and fibmatch). */
  matchedPrefix?: Prefix;
  trace: TraceStep[];
}

/** A lookup that failed: the kernel returns only the errno (`RTNETLINK answers: …`). */
export interface FailedDecision {
  ok: false;
  errno: Errno;
  /**
   * The unreachable/prohibit/blackhole route whose type is the errno (fib_props[].error),
   * when one ended the lookup. The kernel prints nothing of it; it is kept because the
   * explanation names it and the compiled decider is checked against it.
   */
  route?: Route;
  /** Flow the lookup was made for (after defaults). */
  flow: Flow;
  trace: TraceStep[];
}

/** A route lookup result: a route or an errno. Narrow on `ok`. */
export type Decision = RouteDecision | FailedDecision;

/** ifindex of lo (LOOPBACK_IFINDEX): local delivery's output device, output lookups' iif. */
export const LO = 1;

/** A failed lookup; `route` is the error route that ended it, if one did. */
export function failed(
  errno: Errno,
  flow: Flow,
  trace: TraceStep[],
  route?: Route,
): FailedDecision {
  // Not defined(): once per failed lookup, on routeGet's path.
  return route ? { ok: false, errno, flow, trace, route } : { ok: false, errno, flow, trace };
}
