/**
 * The OUTPUT hook over packet sets, after the socket's route lookup: every base chain of the
 * family in priority order (nf_hook_slow), each walked symbolically (./walk.ts), and the
 * re-route a `route` chain triggers when it changed the mark (ip_route_me_harder, as
 * src/engine/journey.ts's outputPath does): the RPDB is folded again for those packets with
 * the new mark substituted into every rule (the caller's `reroute`). Outcomes gain the
 * netfilter verdict, the deciding rule and the final mark.
 * @module
 */
import { linkByIndex } from "../../model/links.js";
import type { HostState } from "../../model/types.js";
import { chainsAt } from "../../engine/nfwalk.js";
import type { NfBaseChain } from "../../netfilter/types.js";
import { and, not, or } from "../bdd/apply.js";
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

/** Packets on one route (the socket's, key "", or a re-route's) with their states. */
interface Group {
  outcome?: Outcome;
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
 * and those it changed; the latter are re-routed into new groups (or fail).
 */
function rerouteChanged(
  c: OutputCtx,
  before: readonly NfState[],
  after: readonly NfState[],
  groups: Map<string, Group>,
  out: Part[],
): NfState[] {
  const stay: NfState[] = [];
  for (const a of after)
    for (const b of before) {
      const both = and(c.m, a.pred, b.pred);
      if (both === FALSE) continue;
      const moved = and(c.m, both, differs(c.m, a.mark, b.mark));
      stay.push({ ...a, pred: and(c.m, both, not(c.m, moved)) });
      if (moved === FALSE) continue;
      for (const p of c.reroute(moved, a.mark)) {
        const st = { ...a, pred: p.pred };
        if (p.outcome.nf) {
          out.push(p); // refused at re-route (a rule with `from`)
          continue;
        }
        if (!p.outcome.ok) {
          const nf = nfOf(c.m, st, "reroute-failed", true);
          out.push({ pred: p.pred, outcome: { ...p.outcome, nf } });
          continue;
        }
        const k = outcomeKey(p.outcome);
        const g = groups.get(k);
        if (g) g.states.push(st);
        else groups.set(k, { outcome: p.outcome, states: [st] });
      }
    }
  return stay;
}

/**
 * The OUTPUT hook for the first lookup's outcomes of one family: returns the final parts
 * (failed first lookups unchanged: netfilter never sees those packets).
 */
export function outputHook(c: OutputCtx, first: readonly Part[]): Part[] {
  const out: Part[] = first.filter((p) => !p.outcome.ok);
  const ok = first.filter((p) => p.outcome.ok);
  let all = FALSE;
  for (const p of ok) all = or(c.m, all, p.pred);
  const start: NfState = { pred: all, mark: identity(c.m, "fwmark"), ct: constant(0) };
  let groups = new Map<string, Group>([["", { states: [start] }]]);
  const conntrack = c.chains.some((x) => x.needsConntrack);
  const ends: [NfEnd, boolean][] = [];
  for (const chain of chainsAt(c.chains, "output", c.family)) {
    if (chain.type === "nat" && !conntrack) continue;
    const h: HookCtx = {
      m: c.m,
      family: c.family,
      iif: "",
      oif: (pat) => oifPred(c, ok, pat),
      socket: true,
      sets: c.sets,
      ...(chain.priority >= CT_PRIORITY ? { ctstate: "new" as const } : {}),
    };
    const label = `${chain.family} ${chain.table}`;
    const view = chain.symbolic?.();
    const next = new Map<string, Group>();
    for (const [k, g] of groups) {
      const myEnds: NfEnd[] = [];
      let acc: NfState[];
      if (!view) {
        for (const st of g.states)
          myEnds.push({ ...st, verdict: "unknown", by: `${label} ${chain.chain}`, what: "chain" });
        acc = [];
      } else acc = walkBase(h, label, view, g.states, myEnds);
      for (const e of myEnds) ends.push([e, k !== ""]);
      if (chain.type === "route") acc = rerouteChanged(c, g.states, acc, next, out);
      const mine = next.get(k);
      if (mine) mine.states.push(...acc);
      else next.set(k, { ...g, states: acc });
    }
    groups = next;
  }
  for (const [e, rerouted] of ends)
    out.push({ pred: e.pred, outcome: endOutcome(c.m, c.family, e, rerouted) });
  for (const g of groups.values())
    for (const st of g.states) {
      if (g.outcome) {
        out.push({ pred: st.pred, outcome: { ...g.outcome, nf: nfOf(c.m, st, "accept", true) } });
        continue;
      }
      for (const p of ok) {
        const pred = and(c.m, st.pred, p.pred);
        const nf = nfOf(c.m, { ...st, pred }, "accept", false);
        if (pred !== FALSE) out.push({ pred, outcome: { ...p.outcome, nf } });
      }
    }
  return out;
}
