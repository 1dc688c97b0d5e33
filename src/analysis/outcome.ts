/**
 * What a route lookup does with a class of packets: the outcome the classes of
 * `classes.ts` share, its key (equal outcomes merge into one class) and how it reads.
 * @module
 */
import type { Addr } from "../addr/ip.js";
import { formatAddr } from "../addr/ip.js";
import type { Family, RouteType } from "../core/kinds.js";
import type { Errno } from "../engine/types.js";

/**
 * One possible path of a routed packet: the output device (ifindex; lo = 1 for local
 * delivery) and the gateway. A multipath route has several; which one a flow takes depends on
 * the flow hash (fib_select_multipath), which the analysis does not split on.
 */
export interface Path {
  readonly dev: number;
  readonly gateway?: Addr;
}

/**
 * The outcome of the output route lookup (ip_route_output_key_hash_rcu / ip6_pol_route) for
 * every packet of a class. `ok: false` is a refusal with the kernel's errno.
 */
export interface Outcome {
  readonly family: Family;
  readonly ok: boolean;
  readonly errno?: Errno;
  /** Route type of the result (unicast, local, broadcast, multicast…). */
  readonly type?: RouteType;
  /** One path, or the paths a multipath route may pick. Empty when `ok` is false. */
  readonly paths: readonly Path[];
  /** The route's `src` (prefsrc); undefined when the kernel picks one per destination. */
  readonly prefsrc?: Addr;
  /**
   * The source address the packet leaves with (IPv4 output lookups: fib_result_prefsrc, the
   * prefsrc or the nexthop's inet_select_addr). Undefined where it depends on the
   * destination (IPv6, local delivery), for refusals and received packets, and after an
   * OUTPUT re-route: the packet keeps its first route's (ip_route_me_harder looks up with the
   * header's saddr), which `Analysis.firstSrc` gives.
   */
  readonly src?: Addr;
  /** The table that produced the route (as `ip route get` reports it). */
  readonly table?: number;
  /** pref of the rule that decided (its lookup gave the route, or its action refused). */
  readonly rule?: number;
  /** Why the lookup never reached the RPDB, when it did not (v4 destination 0.0.0.0). */
  readonly special?: string;
  /** A received packet (ip_route_input_slow, input.ts): delivered, forwarded or dropped. */
  readonly input?: true;
  /** A locally generated packet from a socket bound to its source address (bound.ts). */
  readonly bound?: true;
  /** Why the input path drops it: "martian", "rp_filter (strict)"… (errno EINVAL). */
  readonly drop?: string;
  /**
   * What the OUTPUT hook did (absent when the host has no OUTPUT chains of the family); for
   * a received packet, what PREROUTING did (absent without IPv4 PREROUTING chains).
   */
  readonly nf?: NfOutcome;
}

/**
 * The OUTPUT hook's part of an outcome (./netfilter/output.ts), or PREROUTING's for a
 * received packet (./netfilter/prerouting.ts): its verdict, the rule that ended the packet
 * or that the analysis does not model, the mark after the hook and whether a `route` chain's
 * mark change re-routed the packet (the route fields are then the re-route's).
 */
export interface NfOutcome {
  /**
   * accept: on to POSTROUTING; drop/reject: by `by`; reroute-failed: the re-route lookup
   * refused (errno); unknown: `by` has a match or target the analysis does not model, so
   * nothing is said about these packets.
   */
  readonly verdict: "accept" | "drop" | "reject" | "reroute-failed" | "unknown";
  /** The deciding rule: `ip filter OUTPUT #3` (chain and 1-based index) or `… policy`. */
  readonly by?: string;
  /** The rule's text, where it was loaded from, and what in it is not modelled. */
  readonly text?: string;
  readonly where?: string;
  readonly what?: string;
  /** skb->mark after the hook as per-bit BDDs over the original header (markvec.ts). */
  readonly mark: readonly number[];
  /** How the mark reads (`0x81`, `mark & 0xff00 | 0x1`). */
  readonly markText: string;
  /** Whether a re-route decided (for the packets of the class's first part). */
  readonly rerouted: boolean;
  /** PREROUTING: a TPROXY target or statement assigned the packets the proxy's socket. */
  readonly tproxy?: true;
}

/**
 * A string equal for equal outcomes: classes with equal keys merge. Kept per outcome object
 * (outcomes are never changed once made).
 */
export function outcomeKey(o: Outcome): string {
  let k = KEYS.get(o);
  if (k === undefined) KEYS.set(o, (k = keyOf(o)));
  return k;
}

const KEYS = new WeakMap<Outcome, string>();

function keyOf(o: Outcome): string {
  const paths = o.paths.map((p) => `${p.dev}@${p.gateway ? formatAddr(p.gateway) : ""}`);
  return [
    o.family,
    o.ok ? (o.type ?? "") : (o.errno ?? ""),
    paths.join(","),
    o.prefsrc ? formatAddr(o.prefsrc) : "",
    o.src ? formatAddr(o.src) : "",
    o.table ?? "",
    o.rule ?? "",
    o.special ?? "",
    o.input ? "in" : o.bound ? "bound" : "",
    o.drop ?? "",
    // Not `rerouted`: a re-route to the same result with the same mark is the same outcome.
    o.nf ? `${o.nf.verdict}|${o.nf.by ?? ""}|${o.nf.mark.join(",")}|${o.nf.tproxy ?? ""}` : "",
  ].join("|");
}

/**
 * Local delivery: the packet stays on this host (a received broadcast or multicast is
 * delivered too).
 */
export const isDelivered = (o: Outcome): boolean =>
  o.ok && (o.type === "local" || (!!o.input && o.type !== "unicast"));

/** The packet leaves by a device (unicast, broadcast, multicast; forwarded). */
export const isSent = (o: Outcome): boolean => o.ok && !isDelivered(o);

/** Dropped by reverse-path filtering (fib_validate_source). */
export const isRpDropped = (o: Outcome): boolean => !!o.drop?.startsWith("rp_filter");
