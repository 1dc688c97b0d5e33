/**
 * Rule matching, one function per selector, in the order of `fib_rule_match()`
 * (net/core/fib_rules.c), `fib4_rule_match()` (net/ipv4/fib_rules.c) and
 * `fib6_rule_match()` (net/ipv6/fib6_rules.c). `not` inverts the whole conjunction.
 * Each selector returns `undefined` when it matches, or the reason it does not, so the
 * trace can say what a near-miss rule would have needed.
 * @module
 */
import { contains, formatAddr, formatPrefix } from "../addr/ip.js";
import type { HostState, Rule } from "../model/types.js";
import { linkByName } from "../model/links.js";
import type { Flow } from "./types.js";

type Why = string | undefined;
const hex = (n: number) => "0x" + (n >>> 0).toString(16);

/** `iif NAME`: equal ifindex; a detached name (no such device) never equals. */
export function matchIif(s: HostState, r: Rule, f: Flow): Why {
  if (r.iifname === undefined) return undefined;
  const l = linkByName(s, r.iifname);
  if (!l) return `iif ${r.iifname} is detached (no such device)`;
  return l.ifindex === f.iif
    ? undefined
    : `iif ${r.iifname} needs the packet to arrive on ${r.iifname}`;
}

/** `oif NAME`: equal to the flow's oif (set only by SO_BINDTODEVICE / `oif`). */
export function matchOif(s: HostState, r: Rule, f: Flow): Why {
  if (r.oifname === undefined) return undefined;
  const l = linkByName(s, r.oifname);
  if (!l) return `oif ${r.oifname} is detached (no such device)`;
  return l.ifindex === f.oif ? undefined : `oif ${r.oifname} needs a socket bound to ${r.oifname}`;
}

/** `fwmark V/M`: ((mark ^ V) & M) == 0. */
export function matchFwmark(r: Rule, f: Flow): Why {
  if (((r.fwmark ^ f.mark) & r.fwmask) === 0) return undefined;
  const mask = r.fwmask !== 0xffffffff ? "/" + hex(r.fwmask) : "";
  return `fwmark ${hex(r.fwmark)}${mask} does not match mark ${hex(f.mark)}`;
}

/** `uidrange A-B`, inclusive. */
export function matchUidrange(r: Rule, f: Flow): Why {
  if (!r.uidRange) return undefined;
  return f.uid >= r.uidRange[0] && f.uid <= r.uidRange[1]
    ? undefined
    : `uidrange ${r.uidRange[0]}-${r.uidRange[1]} does not contain uid ${f.uid}`;
}

/**
 * `from PREFIX`. IPv6: a rule with a source prefix needs a flow that has a source
 * (RT6_LOOKUP_F_HAS_SADDR).
 */
export function matchFrom(r: Rule, f: Flow): Why {
  if (!r.src) return undefined;
  if (f.family === 6 && !f.hasSaddr)
    return (
      `from ${formatPrefix(r.src)} needs a source address` +
      " (IPv6 lookups without one never match)"
    );
  return contains(r.src, f.saddr)
    ? undefined
    : `from ${formatPrefix(r.src)} does not contain ${formatAddr(f.saddr)}`;
}

/** `to PREFIX`. */
export function matchTo(r: Rule, f: Flow): Why {
  if (!r.dst) return undefined;
  return contains(r.dst, f.daddr)
    ? undefined
    : `to ${formatPrefix(r.dst)} does not contain ${formatAddr(f.daddr)}`;
}

/** `tos T`: IPv4 compares (tos & 0x1c) (fib_dscp_masked_match); IPv6 the whole DSCP. */
export function matchTos(r: Rule, f: Flow): Why {
  if (!r.tos) return undefined;
  const ok = f.family === 4 ? (f.tos & 0x1c) === r.tos : (f.tos & 0xfc) === r.tos;
  return ok ? undefined : `tos ${hex(r.tos)} does not match tos ${hex(f.tos)}`;
}

/** `ipproto P`. */
export function matchIpproto(r: Rule, f: Flow): Why {
  if (!r.ipproto) return undefined;
  return r.ipproto === f.ipproto
    ? undefined
    : `ipproto ${r.ipproto} does not match protocol ${f.ipproto}`;
}

/** `sport`/`dport` ranges (fib_rule_port_match), compared whatever the protocol. */
export function matchPort(range: [number, number] | undefined, p: number, which: string): Why {
  if (!range) return undefined;
  return p >= range[0] && p <= range[1]
    ? undefined
    : `${which} ${range[0] === range[1] ? range[0] : range.join("-")} does not contain ${p}`;
}

/**
 * fib_rule_match: every selector, then `not`. Returns [matched, why-not-of-the-conjunction].
 * @example ruleMatches(state, rule, flow) // [true, undefined]
 */
export function ruleMatches(s: HostState, r: Rule, f: Flow): [boolean, Why] {
  const why =
    matchIif(s, r, f) ??
    matchOif(s, r, f) ??
    matchFwmark(r, f) ??
    (r.l3mdev ? "l3mdev needs a VRF device" : undefined) ??
    matchUidrange(r, f) ??
    matchFrom(r, f) ??
    matchTo(r, f) ??
    matchTos(r, f) ??
    matchIpproto(r, f) ??
    matchPort(r.sport, f.sport, "sport") ??
    matchPort(r.dport, f.dport, "dport");
  const m = why === undefined;
  if (r.invert) return [!m, m ? "`not` inverts a selector set that matches" : undefined];
  return [m, why];
}

/**
 * fib_rule_requires_fldissect: rules with ipproto/ports whose iif is not lo make input lookups
 * dissect the packet.
 */
export function requiresFlowDissect(s: HostState, family: 4 | 6): boolean {
  const list = family === 4 ? s.rules4 : s.rules6;
  return list.some(
    (r) =>
      (r.ipproto !== 0 || r.sport !== undefined || r.dport !== undefined) &&
      !(r.iifname === "lo" && linkByName(s, "lo")),
  );
}
