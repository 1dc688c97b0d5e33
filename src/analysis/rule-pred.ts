/**
 * The packets an RPDB rule matches, as a BDD over the header: one function per selector, in
 * the order of `fib_rule_match()` (net/core/fib_rules.c) with `fib4_rule_match()` /
 * `fib6_rule_match()`, mirroring src/engine/rules.ts selector for selector. `not` inverts the
 * whole conjunction (FIB_RULE_INVERT).
 *
 * A `FlowView` says where each flow key of the lookup comes from: the output and input
 * lookups read the header as it is; the rp_filter reverse lookup (__fib_validate_source)
 * swaps the addresses and ports and fixes iif, oif, uid and (without src_valid_mark) the mark
 * to constants, which a selector then compares as a constant (TRUE or FALSE).
 * @module
 */
import { ANY4, ANY6, contains } from "../addr/ip.js";
import { linkByName } from "../model/links.js";
import type { HostState, Rule } from "../model/types.js";
import { and, not } from "./bdd/apply.js";
import { type Bdd, type BddArena, FALSE, TRUE } from "./bdd/arena.js";
import { addrPrefix, eq, maskedEq, range } from "./header.js";

/** Where the flow keys of a lookup come from: a header field, or a constant. */
export interface FlowView {
  readonly daddr: "dst" | "src";
  /** A header field, or "none": saddr 0 (the broadcast reverse lookup). */
  readonly saddr: "dst" | "src" | "none";
  readonly iif: "iif" | number;
  readonly oif: "oif" | number;
  readonly mark: "fwmark" | number;
  readonly uid: "uid" | number;
  /** ipproto and ports: as in the header, sport/dport swapped, or 0 (no flow dissection). */
  readonly l4: "same" | "swapped" | "none";
}

/** The header as it is (output and input lookups). */
export const HEADER_VIEW: FlowView = {
  daddr: "dst",
  saddr: "src",
  iif: "iif",
  oif: "oif",
  mark: "fwmark",
  uid: "uid",
  l4: "same",
};

/** A stable key of a view (caches of rule predicates are per view). */
export const viewKey = (v: FlowView): string =>
  `${v.daddr}|${v.saddr}|${v.iif}|${v.oif}|${v.mark}|${v.uid}|${v.l4}`;

const constant = (x: boolean): Bdd => (x ? TRUE : FALSE);

/** Device indexes the 8-bit iif/oif fields can hold (0 = none). */
export const MAX_DEV_INDEX = 255;

/** What a rule's predicate depends on beyond the rule itself. */
export interface RuleCtx {
  readonly m: BddArena;
  readonly s: HostState;
  /**
   * Whether the flows have a source address. IPv6 rules with `from` never match flows
   * without one (RT6_LOOKUP_F_HAS_SADDR, fib6_rule_match); IPv4 output lookups without a
   * source compare 0.0.0.0.
   */
  readonly hasSaddr: boolean;
  /** Where the flow keys come from (HEADER_VIEW when absent). */
  readonly view?: FlowView;
}

/**
 * `iif NAME` / `oif NAME`: the device's ifindex. A detached name (no such device) never
 * matches. Devices past the field's range are never the flow's device in the universes the
 * analysis builds (iif lo, oif none), so they match nothing there.
 */
export function devPred(c: RuleCtx, field: "iif" | "oif", name: string | undefined): Bdd {
  if (name === undefined) return TRUE;
  const l = linkByName(c.s, name);
  const v = (c.view ?? HEADER_VIEW)[field];
  if (typeof v === "number") return constant(!!l && l.ifindex === v);
  if (!l || l.ifindex > MAX_DEV_INDEX) return FALSE;
  return eq(c.m, field, l.ifindex);
}

/** `fwmark V/M`: ((mark ^ V) & M) == 0. */
export function fwmarkPred(c: RuleCtx, r: Rule): Bdd {
  if (!r.fwmask) return TRUE;
  const v = (c.view ?? HEADER_VIEW).mark;
  if (typeof v === "number") return constant(((v ^ r.fwmark) & r.fwmask) >>> 0 === 0);
  return maskedEq(c.m, "fwmark", (r.fwmark & r.fwmask) >>> 0, r.fwmask >>> 0);
}

/** `uidrange A-B`, inclusive. */
export function uidPred(c: RuleCtx, r: Rule): Bdd {
  if (!r.uidRange) return TRUE;
  const v = (c.view ?? HEADER_VIEW).uid;
  if (typeof v === "number") return constant(v >= r.uidRange[0] && v <= r.uidRange[1]);
  return range(c.m, "uid", r.uidRange[0], r.uidRange[1]);
}

/** `from PREFIX` (host bits ignored, as fib_rule_match masks them). */
export function fromPred(c: RuleCtx, r: Rule): Bdd {
  if (!r.src) return TRUE;
  if (r.family === 6 && !c.hasSaddr) return FALSE;
  const v = (c.view ?? HEADER_VIEW).saddr;
  if (v === "none") return constant(contains(r.src, r.family === 4 ? ANY4 : ANY6));
  return addrPrefix(c.m, v, r.src);
}

/** `to PREFIX`. */
export function toPred(c: RuleCtx, r: Rule): Bdd {
  return r.dst ? addrPrefix(c.m, (c.view ?? HEADER_VIEW).daddr, r.dst) : TRUE;
}

/** `tos T`: IPv4 compares tos & 0x1c (fib_dscp_masked_match), IPv6 the DSCP (& 0xfc). */
export function tosPred(c: RuleCtx, r: Rule): Bdd {
  if (!r.tos) return TRUE;
  return maskedEq(c.m, "tos", r.tos, r.family === 4 ? 0x1c : 0xfc);
}

/** `ipproto P` (a flow without dissection has protocol 0). */
export function ipprotoPred(c: RuleCtx, r: Rule): Bdd {
  if (!r.ipproto) return TRUE;
  return (c.view ?? HEADER_VIEW).l4 === "none" ? FALSE : eq(c.m, "ipproto", r.ipproto);
}

/**
 * `sport`/`dport` ranges (fib_rule_port_match), whatever the protocol: the reverse lookup
 * swaps the ports, a flow without dissection has port 0.
 */
export function portPred(c: RuleCtx, which: "sport" | "dport", p?: [number, number]): Bdd {
  if (!p) return TRUE;
  const l4 = (c.view ?? HEADER_VIEW).l4;
  if (l4 === "none") return constant(p[0] <= 0 && 0 <= p[1]);
  const field = l4 === "same" ? which : which === "sport" ? "dport" : "sport";
  return range(c.m, field, p[0], p[1]);
}

/**
 * fib_rule_match: every selector, then `not`. `l3mdev` needs a VRF device, which the model
 * has none of, so such a rule matches nothing (as the engine says).
 */
export function rulePred(c: RuleCtx, r: Rule): Bdd {
  if (r.l3mdev) return r.invert ? TRUE : FALSE;
  const parts = [
    devPred(c, "iif", r.iifname),
    devPred(c, "oif", r.oifname),
    fwmarkPred(c, r),
    uidPred(c, r),
    fromPred(c, r),
    toPred(c, r),
    tosPred(c, r),
    ipprotoPred(c, r),
    portPred(c, "sport", r.sport),
    portPred(c, "dport", r.dport),
  ];
  let f = TRUE;
  // Deepest fields first: ANDing a small BDD below a big one is cheapest that way.
  for (let i = parts.length - 1; i >= 0 && f !== FALSE; i--) f = and(c.m, parts[i]!, f);
  return r.invert ? not(c.m, f) : f;
}
