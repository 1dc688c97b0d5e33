/**
 * Cross-check: a class's representative run through the concrete engine (`routeGet`) must get
 * the class's outcome. The analysis is never trusted alone: tests run this on every class of
 * every scenario, and `map` can run it on what it prints.
 * @module
 */
import { addrEq, formatAddr } from "../addr/ip.js";
import { routeGet } from "../engine/route.js";
import type { Decision, RouteQuery } from "../engine/types.js";
import { linkByIndex } from "../model/links.js";
import type { HostState } from "../model/types.js";
import { journey, type JourneyStep } from "../engine/journey.js";
import type { NfBaseChain } from "../netfilter/types.js";
import type { BddArena } from "./bdd/arena.js";
import { encode } from "./header.js";
import { valueAt } from "./netfilter/markvec.js";
import { TPROXY_NOT_LOCAL } from "./netfilter/prerouting.js";
import type { PacketClass } from "./classes.js";
import type { HeaderPacket } from "./header.js";
import type { Outcome } from "./outcome.js";

/**
 * The `ip route get` question of a representative packet: output, unbound, no source; with
 * `bound`, output from its source (`DST from SRC`); or, with `iif` (the ingress device's
 * name), received: `DST from SRC iif DEV`.
 */
export function queryOf(p: HeaderPacket, iif?: string, bound = false): RouteQuery {
  return {
    family: p.family,
    dst: p.dst,
    ...(iif !== undefined || bound ? { from: p.src } : {}),
    ...(iif !== undefined ? { iif } : {}),
    mark: p.fwmark,
    uid: p.uid,
    tos: p.tos,
    ipproto: p.ipproto,
    sport: p.sport,
    dport: p.dport,
  };
}

/** The pref of the rule whose lookup or action ended the walk, from the decision's trace. */
export function decidingRule(d: Decision): number | undefined {
  for (let i = d.trace.length - 1; i >= 0; i--) {
    const t = d.trace[i]!;
    if (t.kind === "lookup" && (t.result === "route" || t.result === "error")) return t.rule.pref;
    if (t.kind === "action") return t.rule.pref;
  }
  return undefined;
}

/** Why the engine dropped a received packet: rp_filter, a martian, or nothing said. */
function dropOf(d: Decision): string {
  const rp = d.trace.find((t) => t.kind === "rp_filter" && !t.ok);
  if (rp) return "rp_filter";
  return d.trace.some((t) => t.kind === "martian") ? "martian" : "-";
}

/** The analysis' drop reason ("rp_filter (strict)", "martian") names the engine's. */
function dropAgrees(drop: string, d: Decision): boolean {
  return drop.split(" ")[0] === dropOf(d);
}

/** How a concrete decision differs from an outcome: [] when it agrees. */
export function disagreement(o: Outcome, d: Decision): string[] {
  const out: string[] = [];
  // A multipath forward some of whose nexthops fail rp_filter: the flow hash decides.
  if (o.special?.startsWith("rp_filter") && !d.ok)
    return dropAgrees("rp_filter", d) ? [] : ["drop"];
  if (d.ok !== o.ok) return [`engine ${d.ok ? "routes" : "refuses"}, analysis says the opposite`];
  if (!d.ok) {
    if (d.errno !== o.errno) out.push(`errno: engine ${d.errno}, analysis ${o.errno}`);
  } else {
    if (d.type !== o.type) out.push(`type: engine ${d.type}, analysis ${o.type}`);
    // A multipath route may list several paths through one device: the flow hash picks one.
    const onDev = o.paths.filter((p) => p.dev === d.oif);
    const path = onDev.find((p) => addrEq(p.gateway, d.gateway)) ?? onDev[0];
    if (!path) out.push(`dev: engine ${d.oif}, analysis ${o.paths.map((p) => p.dev).join("|")}`);
    else if (!addrEq(path.gateway, d.gateway))
      out.push(
        `via: engine ${d.gateway ? formatAddr(d.gateway) : "-"}, ` +
          `analysis ${path.gateway ? formatAddr(path.gateway) : "-"}`,
      );
    if (d.table !== o.table) out.push(`table: engine ${d.table}, analysis ${o.table}`);
    if (o.prefsrc && !addrEq(o.prefsrc, d.prefsrc)) out.push("src differs");
    else if (o.src && !addrEq(o.src, d.prefsrc))
      out.push(
        `src: engine ${d.prefsrc ? formatAddr(d.prefsrc) : "-"}, analysis ${formatAddr(o.src)}`,
      );
  }
  if (!d.ok && o.drop !== undefined && !dropAgrees(o.drop, d))
    out.push(`drop: engine ${dropOf(d)}, analysis ${o.drop}`);
  const rule = decidingRule(d);
  if (o.special === undefined && rule !== o.rule)
    out.push(`rule: engine ${rule ?? "-"}, analysis ${o.rule ?? "-"}`);
  return out;
}

/** The ingress device's name of an input class's representative. */
export function iifOf(s: HostState, cls: PacketClass): string | undefined {
  return cls.outcome.input ? linkByIndex(s, cls.representative.iif)?.name : undefined;
}

/**
 * Every class whose representative the engine answers differently, with the differences.
 * Classes with an OUTPUT part (`outcome.nf`) are confirmed with the packet's journey
 * (`trace`); the others with `routeGet`.
 */
export function crossCheck(
  s: HostState,
  classes: readonly PacketClass[],
  chains: readonly NfBaseChain[] = [],
  m?: BddArena,
): { cls: PacketClass; decision: Decision; diffs: string[] }[] {
  const bad: { cls: PacketClass; decision: Decision; diffs: string[] }[] = [];
  for (const cls of classes) {
    // Packets the analysis does not answer (a rule or route it does not model): nothing to
    // compare.
    if (cls.outcome.nf?.verdict === "unknown") continue;
    const iif = iifOf(s, cls);
    const q = queryOf(cls.representative, iif, cls.outcome.bound);
    if (cls.outcome.nf && m && iif !== undefined) {
      const r = inputJourneyDisagreement(s, chains, m, cls.outcome, cls.representative, iif);
      if (r.diffs.length) bad.push({ cls, decision: r.decision, diffs: r.diffs });
      continue;
    }
    if (cls.outcome.nf && m) {
      const r = journeyDisagreement(s, chains, m, cls.outcome, cls.representative);
      if (r.diffs.length) bad.push({ cls, decision: r.decision, diffs: r.diffs });
      continue;
    }
    const decision = routeGet(s, q);
    const diffs = disagreement(cls.outcome, decision);
    if (diffs.length) bad.push({ cls, decision, diffs });
  }
  return bad;
}

/** The rule that ended a journey in OUTPUT (or `hook`), as `NfOutcome.by` names it. */
function droppingRule(
  steps: readonly JourneyStep[],
  hook: "output" | "prerouting" = "output",
): string | undefined {
  for (let i = steps.length - 1; i >= 0; i--) {
    const t = steps[i]!;
    if (t.kind !== "rule" || t.hook !== hook || !t.matched) continue;
    // nft joins a rule's effects with "; " (`meta mark set 0x1; drop`): the last decides.
    const last = t.verdict.split("; ").pop() ?? "";
    if (!/^(drop|reject|policy drop)/.test(last)) return undefined;
    return `${t.family} ${t.table} ${t.chain} ${t.rule ? `#${t.rule}` : "policy"}`;
  }
  return undefined;
}

/**
 * How a class with an OUTPUT part differs from the journey of its representative: the
 * socket's route, OUTPUT's verdict and deciding rule, the mark after OUTPUT and the route
 * after the re-route. POSTROUTING and the loop through lo are outside the analysis, so
 * only the OUTPUT hook's part of the journey is compared.
 */
export function journeyDisagreement(
  s: HostState,
  chains: readonly NfBaseChain[],
  m: BddArena,
  o: Outcome,
  p: HeaderPacket,
): { decision: Decision; diffs: string[] } {
  const nf = o.nf!;
  const q = queryOf(p);
  const j = journey(s, chains, { ...q, ipproto: q.ipproto ?? 17 });
  const routes = j.trace.flatMap((t) => (t.kind === "route" ? [t] : []));
  const last = routes[routes.length - 1];
  const decision = last?.decision ?? routeGet(s, q);
  if (nf.verdict === "unknown") return { decision, diffs: [] };
  // udp_sendmsg / tcp_v4_connect refuse broadcast routes before OUTPUT (no SO_BROADCAST):
  // a socket option, outside the analysis (see universeNotes); the route itself must agree.
  if (j.final.verdict === "error" && routes.length === 1 && decision.ok)
    return {
      decision,
      diffs: nf.verdict === "accept" && !nf.rerouted ? disagreement(o, decision) : [],
    };
  const diffs: string[] = [];
  const post = j.trace.find((t) => t.kind === "hook" && t.hook === "postrouting");
  const markAfter = post?.kind === "hook" ? post.mark : j.final.mark;
  const want = valueAt(m, nf.mark, encode(p));
  if (markAfter >>> 0 !== want)
    diffs.push(`mark: engine 0x${markAfter.toString(16)}, analysis 0x${want.toString(16)}`);
  if (nf.verdict === "drop" || nf.verdict === "reject") {
    const by = droppingRule(j.trace);
    if (j.final.verdict !== "dropped" || by !== nf.by)
      diffs.push(`engine ${j.final.verdict} by ${by ?? "-"}, analysis ${nf.verdict} by ${nf.by}`);
    return { decision, diffs };
  }
  if (nf.verdict === "reroute-failed") {
    if (!j.final.reason?.startsWith("re-route failed"))
      diffs.push(`engine ${j.final.verdict} (${j.final.reason ?? ""}), analysis: re-route fails`);
    return { decision, diffs: [...diffs, ...disagreement(o, decision)] };
  }
  if (droppingRule(j.trace)) diffs.push(`engine drops in OUTPUT, analysis accepts`);
  return { decision, diffs: [...diffs, ...disagreement(o, decision)] };
}

/**
 * How a received class with a PREROUTING part differs from the journey of its representative
 * arriving on `iif`: PREROUTING's verdict and deciding rule, the mark the input lookup sees,
 * whether TPROXY took the packet, and the input lookup's answer (TPROXY_NOT_LOCAL when a
 * TPROXY'd packet is not delivered). INPUT, FORWARD and POSTROUTING are outside the analysis:
 * only PREROUTING and the lookup are compared.
 */
export function inputJourneyDisagreement(
  s: HostState,
  chains: readonly NfBaseChain[],
  m: BddArena,
  o: Outcome,
  p: HeaderPacket,
  iif: string,
): { decision: Decision; diffs: string[] } {
  const nf = o.nf!;
  const q = queryOf(p, iif);
  const j = journey(s, chains, { ...q, iif, ipproto: q.ipproto ?? 17 });
  const route = j.trace.find((t) => t.kind === "route" && t.stage === "input");
  const decision = route?.kind === "route" ? route.decision : routeGet(s, q);
  if (nf.verdict === "unknown") return { decision, diffs: [] };
  const dropped = droppingRule(j.trace, "prerouting");
  if (nf.verdict === "drop" || nf.verdict === "reject") {
    if (route || dropped !== nf.by)
      return {
        decision,
        diffs: [
          `engine ${route ? "routes" : `drops by ${dropped ?? "-"}`}, ` +
            `analysis ${nf.verdict} by ${nf.by}`,
        ],
      };
    return { decision, diffs: [] };
  }
  if (route?.kind !== "route")
    return {
      decision,
      diffs: [`engine drops in PREROUTING (${j.final.reason ?? ""}), analysis accepts`],
    };
  const diffs: string[] = [];
  const want = valueAt(m, nf.mark, encode(p));
  const got = (route.query.mark ?? 0) >>> 0;
  if (got !== want)
    diffs.push(`mark: engine 0x${got.toString(16)}, analysis 0x${want.toString(16)}`);
  const took = j.trace.some((t) => t.kind === "note" && t.text.startsWith("TPROXY to "));
  if (took !== !!nf.tproxy) diffs.push(`TPROXY: engine ${took}, analysis ${!!nf.tproxy}`);
  if (o.drop === TPROXY_NOT_LOCAL) {
    if (!decision.ok || !j.final.reason?.startsWith("TPROXY assigned a socket"))
      diffs.push(`engine ${j.final.verdict} (${j.final.reason ?? ""}), analysis: ${o.drop}`);
    return { decision, diffs };
  }
  return { decision, diffs: [...diffs, ...disagreement(o, decision)] };
}
