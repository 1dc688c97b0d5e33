/**
 * The whole packet journey through netfilter and routing, in the kernel's hook order:
 * locally generated (socket route lookup → OUTPUT with re-route after `route`-type chains
 * and DNAT → POSTROUTING, or the loop through lo for local destinations), forwarded and
 * locally delivered packets (PREROUTING → input route lookup with rp_filter → FORWARD or
 * INPUT → POSTROUTING), and the reply of a flow (conntrack: ct mark, reverse NAT).
 * Netfilter rules come from any front-end through `NfBaseChain`.
 * @module
 */
import { addrEq, ANY4, ANY6, formatAddr, parseAddr, type Addr } from "../addr/ip.js";
import { defined } from "../core/result.js";
import { linkByIndex } from "../model/links.js";
import type { HostState } from "../model/types.js";
import type { NfBaseChain, NfPacket } from "../netfilter/types.js";
import { routeGet, type RouteQuery } from "./route.js";
import { Walker, type Ct, type Manip } from "./nfwalk.js";
import { ERRNO, type Decision, type FailedDecision, type RouteDecision } from "./types.js";
import type {
  JourneyEnv,
  JourneyFinal,
  JourneyQuery,
  JourneyResult,
  JourneyVerdict,
} from "./journey-types.js";

export type {
  JourneyEnv,
  JourneyFinal,
  JourneyQuery,
  JourneyResult,
  JourneyStep,
  JourneyVerdict,
  ListenSpec,
} from "./journey-types.js";

function finalOf(
  verdict: JourneyVerdict,
  pkt: NfPacket,
  ct: Ct,
  d?: Decision,
  extra: Partial<JourneyFinal> = {},
): JourneyFinal {
  const oif =
    verdict === "sent" ? pkt.oifname || null : verdict === "delivered" ? "lo" : pkt.oifname || null;
  return {
    verdict,
    oif,
    gateway: verdict === "sent" && d?.ok && d.gateway ? formatAddr(d.gateway) : null,
    saddr: formatAddr(pkt.saddr),
    daddr: formatAddr(pkt.daddr),
    sport: pkt.sport,
    dport: pkt.dport,
    mark: pkt.mark >>> 0,
    ctmark: ct.mark >>> 0,
    ...defined({ iif: pkt.iifname || undefined }),
    ...extra,
  };
}

function devName(s: HostState, d: RouteDecision): string {
  if (d.type === "local" || (d.type === "broadcast" && d.oif === 1)) return "lo";
  return linkByIndex(s, d.oif)?.name ?? "";
}

function changed(a: NfPacket, b: NfPacket): boolean {
  return (
    !addrEq(a.saddr, b.saddr) || !addrEq(a.daddr, b.daddr) || a.mark !== b.mark || a.tos !== b.tos
  );
}

/**
 * Follow one packet (or its reply) through the host.
 * @example
 * ```ts
 * const q = { family: 4 as const, dst: v4(0x01010101), uid: 1000, ipproto: 17, dport: 443 };
 * journey(state, [], q).final.verdict; // "sent", "delivered", "dropped" or "error"
 * ```
 */
export function journey(
  s: HostState,
  chains: readonly NfBaseChain[],
  q: JourneyQuery,
  env: JourneyEnv = {},
): JourneyResult {
  if (q.reply) {
    const ct: Ct = { state: "new", mark: 0 };
    const orig = forward(s, chains, { ...q, reply: false }, ct, env);
    return replyJourney(s, chains, q, orig, ct, env);
  }
  return forward(s, chains, q, { state: "new", mark: 0 }, env);
}

function forward(
  s: HostState,
  chains: readonly NfBaseChain[],
  q: JourneyQuery,
  ct: Ct,
  env: JourneyEnv,
): JourneyResult {
  const w = new Walker(s, chains, ct, env);
  const pkt: NfPacket = {
    family: q.family,
    saddr: q.from ?? (q.family === 4 ? ANY4 : ANY6),
    daddr: q.dst,
    ipproto: q.ipproto,
    sport: q.sport ?? 40000,
    dport: q.dport ?? 0,
    mark: q.mark ?? 0,
    tos: q.tos ?? 0,
    iifname: q.iif ?? "",
    oifname: "",
    ctstate: "new",
    ctmark: 0,
    ctdir: "original",
    ...(q.iif ? {} : { skuid: q.uid ?? 0, skgid: q.gid ?? 0 }),
  };
  if (q.iif) return inputPath(s, w, pkt, q, ct);
  return outputPath(s, w, pkt, q, ct);
}

function rq(pkt: NfPacket, extra: Partial<RouteQuery>): RouteQuery {
  return {
    family: pkt.family,
    dst: pkt.daddr,
    mark: pkt.mark,
    tos: pkt.tos,
    ipproto: pkt.ipproto,
    sport: pkt.sport,
    dport: pkt.dport,
    ...extra,
  };
}

/** The journey's answer: the query, the steps so far and where the packet ended. */
function done(q: JourneyQuery, w: Walker, final: JourneyFinal): JourneyResult {
  return { query: q, trace: w.trace, final };
}

/**
 * The socket's route lookup (ip_route_output_flow), and for TCP without a bound source the
 * second lookup connect() makes with the source chosen (ip_route_connect). A result: the
 * lookup failed.
 */
function socketRoute(
  s: HostState,
  w: Walker,
  pkt: NfPacket,
  q: JourneyQuery,
  ct: Ct,
): RouteDecision | JourneyResult {
  const base: RouteQuery = rq(pkt, {
    ...defined({ from: q.from, oif: q.oif || undefined }),
    uid: q.uid ?? 0,
  });
  const d = routeGet(s, base);
  w.trace.push({ kind: "route", stage: "socket", decision: d, query: base });
  if (!d.ok) {
    const reason = "the socket's route lookup failed";
    return done(q, w, finalOf("error", pkt, ct, d, { error: ERRNO[d.errno], reason }));
  }
  if (!q.from && d.prefsrc) pkt.saddr = d.prefsrc;
  if (!(q.ipproto === 6 && !q.from && q.family === 4 && d.prefsrc)) return d;
  const again = { ...base, from: d.prefsrc };
  const d2 = routeGet(s, again);
  w.trace.push({ kind: "route", stage: "connect", decision: d2, query: again });
  if (!d2.ok) return done(q, w, finalOf("error", pkt, ct, d2, { error: ERRNO[d2.errno] }));
  return d2;
}

/**
 * A locally generated packet: socket lookup, OUTPUT (re-routed by ip_route_me_harder when a
 * `route` chain changed the packet or NAT its destination), POSTROUTING, then out or back in
 * through lo.
 */
function outputPath(
  s: HostState,
  w: Walker,
  pkt: NfPacket,
  q: JourneyQuery,
  ct: Ct,
): JourneyResult {
  const first = socketRoute(s, w, pkt, q, ct);
  if (!("ok" in first)) return first;
  let d = first;
  pkt.oifname = devName(s, d);
  const out = w.hook("output", pkt, (c, before, after) => {
    const trigger =
      (c.type === "route" && changed(before, after)) ||
      (c.type === "nat" && !addrEq(before.daddr, after.daddr));
    if (!trigger) return undefined;
    const again = rq(after, {
      from: after.saddr,
      ...defined({ oif: q.oif || undefined }),
      uid: q.uid ?? 0,
      reroute: true,
    });
    const d2 = routeGet(s, again);
    w.trace.push({ kind: "route", stage: "reroute", decision: d2, query: again });
    if (!d2.ok) return `re-route failed: ${ERRNO[d2.errno]}`;
    d = d2;
    after.oifname = devName(s, d2);
    return undefined;
  });
  if (out.drop) return done(q, w, finalOf("dropped", out.pkt, ct, d, { reason: out.drop }));
  const post = w.hook("postrouting", out.pkt);
  const p = post.pkt;
  if (post.drop) return done(q, w, finalOf("dropped", p, ct, d, { reason: post.drop }));
  if (d.type === "local" || p.oifname === "lo") return loopback(w, p, q, ct, d);
  return done(q, w, finalOf("sent", p, ct, d));
}

/**
 * A local destination: the packet loops through lo and is seen again at PREROUTING and
 * INPUT (it keeps its route and its conntrack entry, whose NAT was set up in
 * OUTPUT/POSTROUTING).
 */
function loopback(
  w: Walker,
  p: NfPacket,
  q: JourneyQuery,
  ct: Ct,
  d: RouteDecision,
): JourneyResult {
  w.natDone = true;
  const lo: NfPacket = { ...p, iifname: "lo" };
  delete lo.skuid;
  delete lo.skgid;
  const pre = w.hook("prerouting", lo);
  if (pre.drop) return done(q, w, finalOf("dropped", pre.pkt, ct, d, { reason: pre.drop }));
  const inp = w.hook("input", { ...pre.pkt, oifname: "" });
  if (inp.drop) return done(q, w, finalOf("dropped", inp.pkt, ct, d, { reason: inp.drop }));
  const extra = w.tproxied ? { reason: "delivered to the TPROXY socket" } : {};
  return done(q, w, finalOf("delivered", inp.pkt, ct, d, extra));
}

/** Why an input lookup dropped the packet: rp_filter, a martian, else the errno. */
function inputDropReason(d: FailedDecision): string {
  for (const t of d.trace) if (t.kind === "rp_filter" && !t.ok) return `rp_filter: ${t.why}`;
  for (const t of d.trace) if (t.kind === "martian") return `martian: ${t.why}`;
  return `no route: ${ERRNO[d.errno]}`;
}

const TPROXY_NOT_LOCAL =
  "TPROXY assigned a socket but the route is not local (add `ip rule fwmark … lookup T` " +
  "with `local default dev lo table T`)";

/**
 * An arriving packet: PREROUTING, the input lookup (ip_route_input), then INPUT for local
 * delivery or FORWARD and POSTROUTING.
 */
function inputPath(
  s: HostState,
  w: Walker,
  pkt: NfPacket,
  q: JourneyQuery,
  ct: Ct,
  stage: "input" = "input",
  preManips: Manip[] = [],
  postManips: Manip[] = [],
): JourneyResult {
  const pre = w.hook("prerouting", pkt, undefined, preManips);
  let p = pre.pkt;
  if (pre.drop) return done(q, w, finalOf("dropped", p, ct, undefined, { reason: pre.drop }));
  const rqIn = rq(p, { from: p.saddr, iif: p.iifname });
  const d = routeGet(s, rqIn);
  w.trace.push({ kind: "route", stage, decision: d, query: rqIn });
  if (!d.ok) return done(q, w, finalOf("dropped", p, ct, d, { reason: inputDropReason(d) }));
  if (d.type === "local" || d.type === "broadcast") {
    const inp = w.hook("input", p, undefined, postManips);
    p = inp.pkt;
    if (inp.drop) return done(q, w, finalOf("dropped", p, ct, d, { reason: inp.drop }));
    const extra = w.tproxied ? { reason: "delivered to the TPROXY socket" } : {};
    return done(q, w, finalOf("delivered", p, ct, d, extra));
  }
  if (w.tproxied) return done(q, w, finalOf("dropped", p, ct, d, { reason: TPROXY_NOT_LOCAL }));
  p.oifname = devName(s, d);
  const fwd = w.hook("forward", p);
  p = fwd.pkt;
  if (fwd.drop) return done(q, w, finalOf("dropped", p, ct, d, { reason: fwd.drop }));
  const post = w.hook("postrouting", p, undefined, postManips);
  p = post.pkt;
  if (post.drop) return done(q, w, finalOf("dropped", p, ct, d, { reason: post.drop }));
  return done(q, w, finalOf("sent", p, ct, d));
}

function replyJourney(
  s: HostState,
  chains: readonly NfBaseChain[],
  q: JourneyQuery,
  orig: JourneyResult,
  origCt: Ct,
  env: JourneyEnv,
): JourneyResult {
  const of = orig.final;
  if (of.verdict !== "sent") return noReply(q, orig);
  // Conntrack state carried over from the original: ct mark and NAT mappings.
  const ct: Ct = { state: "established", mark: of.ctmark };
  const w = new Walker(s, chains, ct, env);
  const fam = q.family;
  // The final addresses were printed from Addr values, so they parse back exactly.
  const parse = (t: string): Addr => (parseAddr(t, fam) as { value: Addr }).value;
  let pkt: NfPacket = {
    family: fam,
    saddr: parse(of.daddr),
    daddr: parse(of.saddr),
    ipproto: q.ipproto,
    sport: of.dport,
    dport: of.sport,
    mark: 0,
    tos: q.tos ?? 0,
    iifname: of.oif ?? "",
    oifname: "",
    ctstate: "established",
    ctmark: of.ctmark,
    ctdir: "reply",
  };
  const there = `${of.saddr}:${of.sport} → ${of.daddr}:${of.dport}`,
    back = `${of.daddr}:${of.dport} → ${of.saddr}:${of.sport}`;
  w.trace.push({
    kind: "conntrack",
    text:
      `reply of ${there}: arrives on ${of.oif} as ${back}, ctstate established, ` +
      `ct mark ${"0x" + of.ctmark.toString(16)}`,
  });
  w.natDone = true;
  const res = inputPath(s, w, pkt, q, ct, "input", ...reverseNat(origCt));
  res.original = orig;
  return res;
}

/** The reply of a packet that did not leave the host: nothing to follow. */
function noReply(q: JourneyQuery, orig: JourneyResult): JourneyResult {
  const of = orig.final;
  const why = of.reason ? ` (${of.reason})` : "";
  return {
    query: q,
    original: orig,
    trace: [
      {
        kind: "note",
        text: `the original packet was ${of.verdict}${why}: there is no reply to follow`,
      },
    ],
    final: {
      ...of,
      verdict: of.verdict === "delivered" ? "delivered" : of.verdict,
      reason: "no reply: the original did not leave the host",
    },
  };
}

/**
 * Reverse NAT in the conntrack NAT hooks: de-SNAT at PREROUTING -100 (before routing),
 * de-DNAT at INPUT/POSTROUTING 100 (nf_nat_ipv4_fn on the reply direction).
 */
function reverseNat(origCt: Ct): [pre: Manip[], post: Manip[]] {
  const pre: Manip[] = origCt.origSaddr
    ? [
        {
          priority: -100,
          what: "reverse SNAT",
          apply: (p) => {
            p.daddr = origCt.origSaddr!;
            if (origCt.origSport !== undefined) p.dport = origCt.origSport;
          },
        },
      ]
    : [];
  const post: Manip[] = origCt.origDaddr
    ? [
        {
          priority: 100,
          what: "reverse DNAT",
          apply: (p) => {
            p.saddr = origCt.origDaddr!;
            if (origCt.origDport !== undefined) p.sport = origCt.origDport;
          },
        },
      ]
    : [];
  return [pre, post];
}
