/**
 * The OUTPUT hook over packet sets, after the socket's route lookup: every base chain of the
 * family in priority order (nf_hook_slow), each walked symbolically (./walk.ts), and the
 * re-route a `route` chain triggers when it changed the mark (ip_route_me_harder, as
 * src/engine/journey.ts's outputPath does): the RPDB is folded again for those packets with
 * the new mark substituted into every rule (the caller's `reroute`). Outcomes gain the
 * netfilter verdict, the deciding rule and the final mark. The walk of the socket route's
 * packets is planned once over all of a family's packets (`hookPlan`): it reads each
 * packet's own header, so a route change takes its packets' part of the plan and only
 * re-routes and walks what the plan re-routes.
 * @module
 */
import { linkByIndex } from "../../model/links.js";
import type { HostState } from "../../model/types.js";
import { chainsAt } from "../../engine/nfwalk.js";
import type { NfBaseChain } from "../../netfilter/types.js";
import { and, diff, or } from "../bdd/apply.js";
import { type Bdd, type BddArena, FALSE } from "../bdd/arena.js";
import { type NfOutcome, type Outcome, outcomeKey } from "../outcome.js";
import { type HookCtx, ifaceMatches } from "./match.js";
import { constant, describeVec, differs, identity, type MarkVec, within } from "./markvec.js";
import { type NfEnd, type NfState, walkBase } from "./walk.js";

/** A set of packets and what happens to them. */
export interface Part {
  readonly pred: Bdd;
  readonly outcome: Outcome;
}

export interface OutputCtx {
  readonly m: BddArena;
  readonly s: HostState;
  readonly family: 4 | 6;
  readonly chains: readonly NfBaseChain[];
  /** Compiled address sets, kept by the caller across questions. */
  readonly sets: Map<string, Bdd>;
  /** The re-route lookup of `start` with the mark `mark` (outcomes as the first lookup's). */
  readonly reroute: (start: Bdd, mark: MarkVec) => Part[];
}

/** nf_conntrack_in's priority: chains before it see no conntrack entry. */
export const CT_PRIORITY = -200;

/** The device name OUTPUT's `-o` / `oifname` sees for a route outcome (journey's devName). */
function devName(s: HostState, o: Outcome, dev: number): string {
  if (o.type === "local" || (o.type === "broadcast" && dev === 1)) return "lo";
  return linkByIndex(s, dev)?.name ?? "";
}

/** The packets whose first route's device matches `pattern`; undefined if ambiguous. */
function oifPred(c: OutputCtx, first: readonly Part[], pattern: string): Bdd | undefined {
  let r = FALSE;
  for (const p of first) {
    const hits = p.outcome.paths.map((x) => ifaceMatches(pattern, devName(c.s, p.outcome, x.dev)));
    if (hits.some((h) => h !== hits[0])) return undefined;
    if (hits[0]) r = or(c.m, r, p.pred);
  }
  return r;
}

/** Packets a re-route sent by one route, with their states. */
interface Group {
  outcome: Outcome;
  states: NfState[];
}

/**
 * The hook's part of an outcome for the packets of `st`. The mark is the walk's transformer
 * as built (a function of each packet's path alone), so equal outcomes key equally however
 * the packets were split. Its text reads it as built; callers read it again on each final
 * class (`markOn`).
 */
export function nfOf(
  m: BddArena,
  st: NfState,
  v: NfOutcome["verdict"],
  rerouted: boolean,
): NfOutcome {
  return {
    verdict: v,
    mark: st.mark,
    markText: describeVec(m, st.mark),
    rerouted,
    ...(st.tproxy ? { tproxy: true as const } : {}),
  };
}

/**
 * `o` accepted by the hook with the state's marks: one object per outcome, mark transformer
 * and flags (the plan's states keep their transformers across route changes), so equal
 * results are equal objects and keep what questions cached for them.
 */
export function accepted(m: BddArena, o: Outcome, st: NfState, rerouted: boolean): Outcome {
  let byMark = ACCEPTED.get(o);
  if (!byMark) ACCEPTED.set(o, (byMark = new WeakMap()));
  let byFlags = byMark.get(st.mark);
  if (!byFlags) byMark.set(st.mark, (byFlags = new Map()));
  const k = `${+rerouted}${+!!st.tproxy}`;
  let x = byFlags.get(k);
  if (!x) byFlags.set(k, (x = { ...o, nf: nfOf(m, st, "accept", rerouted) }));
  return x;
}

const ACCEPTED = new WeakMap<Outcome, WeakMap<MarkVec, Map<string, Outcome>>>();

/** How the mark `v` reads on the packets of `pred` (`0x81` where they all have 0x81). */
export const markOn = (m: BddArena, pred: Bdd, v: MarkVec): string =>
  describeVec(m, within(m, pred, v));

/** A refused or dropped set as an outcome (`input`: of received packets). */
export function endOutcome(
  m: BddArena,
  family: 4 | 6,
  e: NfEnd,
  rerouted: boolean,
  input = false,
): Outcome {
  const where = e.loc ? `${e.loc.file}:${e.loc.line}` : undefined;
  const nf: NfOutcome = {
    ...nfOf(m, e, e.verdict, rerouted),
    by: e.by,
    ...(e.text !== undefined ? { text: e.text } : {}),
    ...(where ? { where } : {}),
    ...(e.what !== undefined ? { what: e.what } : {}),
  };
  return { family, ok: false, paths: [], nf, ...(input ? { input: true as const } : {}) };
}

/**
 * Split the accepted states of a `route` chain into those whose mark the chain left alone
 * (returned) and those it changed (`moved`, with the state they left in).
 */
function splitChanged(
  m: BddArena,
  before: readonly NfState[],
  after: readonly NfState[],
  moved: NfState[],
): NfState[] {
  const stay: NfState[] = [];
  for (const a of after)
    for (const b of before) {
      const both = and(m, a.pred, b.pred);
      if (both === FALSE) continue;
      const changed = and(m, both, differs(m, a.mark, b.mark));
      stay.push({ ...a, pred: changed === FALSE ? both : diff(m, both, changed) });
      if (changed !== FALSE) moved.push({ ...a, pred: changed });
    }
  return stay;
}

/** Re-route the packets of `st` (their mark changed) into groups by new route (or fail). */
function rerouteInto(c: OutputCtx, st: NfState, groups: Map<string, Group>, out: Part[]): void {
  for (const p of c.reroute(st.pred, st.mark)) {
    const x = { ...st, pred: p.pred };
    if (p.outcome.nf) {
      out.push(p); // refused at re-route (a rule with `from`)
      continue;
    }
    if (!p.outcome.ok) {
      const nf = nfOf(c.m, x, "reroute-failed", true);
      out.push({ pred: p.pred, outcome: { ...p.outcome, nf } });
      continue;
    }
    const k = outcomeKey(p.outcome);
    const g = groups.get(k);
    if (g) g.states.push(x);
    else groups.set(k, { outcome: p.outcome, states: [x] });
  }
}

/**
 * The socket route's packets walked through every OUTPUT chain of the family: where the walk
 * ends sets, the packets each `route` chain re-routes (by chain index) and those that leave
 * by the first route. The walk reads each packet's own header and marks, and the first
 * route only through `-o`/`oifname` (`oif`): a plan over all the family's packets
 * (`Analysis` keeps one per chain set) then holds for any of them, and a route change's
 * packets take their part of it instead of a walk of their own.
 */
export interface HookPlan {
  /** The packets the plan was walked over. */
  readonly start: Bdd;
  readonly moved: ReadonlyMap<number, readonly NfState[]>;
  readonly stay: readonly NfState[];
  readonly ends: readonly NfEnd[];
  /** Some rule matched the output device: the plan holds for its own `first` only. */
  readonly readsOif: boolean;
}

/** The hook context of one chain; `oif` reads the first route's parts `ok`. */
function hookCtx(c: OutputCtx, chain: NfBaseChain, oif: HookCtx["oif"]): HookCtx {
  return {
    m: c.m,
    family: c.family,
    iif: "",
    oif,
    socket: true,
    sets: c.sets,
    ...(chain.priority >= CT_PRIORITY ? { ctstate: "new" as const } : {}),
  };
}

/** The chains the hook walks, in order (nat ones only with conntrack). */
function hookChains(c: OutputCtx): NfBaseChain[] {
  const conntrack = c.chains.some((x) => x.needsConntrack);
  return chainsAt(c.chains, "output", c.family).filter((x) => x.type !== "nat" || conntrack);
}

/** One chain over `states`: its accepted states; ends go to `ends`. */
function walkOne(
  c: OutputCtx,
  chain: NfBaseChain,
  h: HookCtx,
  states: NfState[],
  ends: NfEnd[],
): NfState[] {
  const label = `${chain.family} ${chain.table}`;
  const view = chain.symbolic?.();
  if (view) return walkBase(h, label, view, states, ends);
  for (const st of states)
    ends.push({ ...st, verdict: "unknown", by: `${label} ${chain.chain}`, what: "chain" });
  return [];
}

/** Walk `start` (the socket route's packets) through the chains: see HookPlan. */
export function hookPlan(c: OutputCtx, start: Bdd, first: readonly Part[] = []): HookPlan {
  let readsOif = false;
  const oif = (pat: string) => {
    readsOif = true;
    return oifPred(c, first, pat);
  };
  let states: NfState[] = [{ pred: start, mark: identity(c.m, "fwmark"), ct: constant(0) }];
  const moved = new Map<number, NfState[]>();
  const ends: NfEnd[] = [];
  hookChains(c).forEach((chain, i) => {
    const acc = walkOne(c, chain, hookCtx(c, chain, oif), states, ends);
    if (chain.type !== "route") return void (states = acc);
    const mv: NfState[] = [];
    states = splitChanged(c.m, states, acc, mv);
    if (mv.length) moved.set(i, mv);
  });
  return { start, moved, stay: states, ends, readsOif };
}

/**
 * The OUTPUT hook for the first lookup's outcomes of one family: returns the final parts
 * (failed first lookups unchanged: netfilter never sees those packets). `plan`: a walk of
 * the socket route's packets over a superset of these (see HookPlan), else walked here.
 */
export function outputHook(c: OutputCtx, first: readonly Part[], plan?: HookPlan): Part[] {
  const out: Part[] = first.filter((p) => !p.outcome.ok);
  const ok = first.filter((p) => p.outcome.ok);
  let all = FALSE;
  for (const p of ok) all = or(c.m, all, p.pred);
  const own = !plan || plan.readsOif;
  const pl = own ? hookPlan(c, all, ok) : plan;
  // A plan over more packets: these take their part of each set.
  const mine = (pred: Bdd) => (pl.start === all ? pred : and(c.m, pred, all));
  let groups = new Map<string, Group>();
  const ends: [NfEnd, boolean][] = [];
  for (const e of pl.ends) {
    const pred = mine(e.pred);
    if (pred !== FALSE) ends.push([{ ...e, pred }, false]);
  }
  hookChains(c).forEach((chain, i) => {
    // The re-routed packets (groups by new route) walk the chain after their re-route.
    const h = hookCtx(c, chain, (pat) => oifPred(c, ok, pat));
    const next = new Map<string, Group>();
    for (const [k, g] of groups) {
      const myEnds: NfEnd[] = [];
      let acc = walkOne(c, chain, h, g.states, myEnds);
      for (const e of myEnds) ends.push([e, true]);
      if (chain.type === "route") {
        const mv: NfState[] = [];
        acc = splitChanged(c.m, g.states, acc, mv);
        for (const st of mv) rerouteInto(c, st, next, out);
      }
      const mine = next.get(k);
      if (mine) mine.states.push(...acc);
      else next.set(k, { ...g, states: acc });
    }
    for (const st of pl.moved.get(i) ?? []) {
      const pred = mine(st.pred);
      if (pred !== FALSE) rerouteInto(c, { ...st, pred }, next, out);
    }
    groups = next;
  });
  for (const [e, rerouted] of ends)
    out.push({ pred: e.pred, outcome: endOutcome(c.m, c.family, e, rerouted) });
  for (const g of groups.values())
    for (const st of g.states) {
      out.push({ pred: st.pred, outcome: accepted(c.m, g.outcome, st, true) });
    }
  for (const st of pl.stay)
    for (const p of ok) {
      const pred = and(c.m, st.pred, p.pred);
      if (pred !== FALSE) out.push({ pred, outcome: accepted(c.m, p.outcome, st, false) });
    }
  return out;
}
