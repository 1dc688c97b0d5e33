/**
 * One base chain walked over packet sets (ipt_do_table / nft_do_chain, symbolically): the
 * packets reaching a rule split into those its statements accept (their marks rewritten on
 * the way) and those going on to the next rule; jumps, gotos and returns move sets between
 * chains as the kernel's jump stack moves packets. A state is a set of packets with one pair
 * of mark transformers; states with equal transformers merge, so a chain of N mark rules
 * yields at most as many states as distinct mark outcomes.
 * @module
 */
import type { SourceLoc } from "../../core/loc.js";
import type { NfSymNat, NfSymRule, NfSymView } from "../../netfilter/symbolic.js";
import { and, diff, or } from "../bdd/apply.js";
import { type Bdd, FALSE } from "../bdd/arena.js";
import { type HookCtx, matchPred } from "./match.js";
import { applyOp, type MarkVec, vecKey } from "./markvec.js";

/** Packets with one mark and one ct mark transformer. */
export interface NfState {
  readonly pred: Bdd;
  readonly mark: MarkVec;
  readonly ct: MarkVec;
}

/** Where netfilter ended a set of packets, or gave up on it. */
export interface NfEnd extends NfState {
  readonly verdict: "drop" | "reject" | "unknown";
  /** `ip filter OUTPUT #3`, `ip filter OUTPUT policy`. */
  readonly by: string;
  /** The rule's text and, for `unknown`, what is not modelled. */
  readonly text?: string;
  readonly what?: string;
  /** The NAT target that ended the walk here (NAT is not modelled: `unknown`). */
  readonly nat?: NfSymNat;
  readonly loc?: SourceLoc;
}

/** Merge states with equal transformers (their packet sets are disjoint). */
export function mergeStates(c: HookCtx, states: readonly NfState[]): NfState[] {
  const by = new Map<string, NfState>();
  for (const st of states) {
    if (st.pred === FALSE) continue;
    const k = `${vecKey(st.mark)}|${vecKey(st.ct)}`;
    const old = by.get(k);
    by.set(k, old ? { ...st, pred: or(c.m, old.pred, st.pred) } : st);
  }
  return [...by.values()];
}

/** Deeper jump stacks than this are refused (the kernel allows 16 for iptables-legacy). */
const MAX_DEPTH = 64;

interface Walk {
  readonly c: HookCtx;
  readonly view: NfSymView;
  /** `ip filter` / `inet fw4`: what `by` starts with. */
  readonly label: string;
  readonly accepted: NfState[];
  readonly ends: NfEnd[];
}

function end(w: Walk, st: NfState, verdict: NfEnd["verdict"], chain: string, r?: NfSymRule) {
  if (st.pred === FALSE) return;
  const by = `${w.label} ${chain} ${r ? `#${r.index}` : "policy"}`;
  w.ends.push({
    ...st,
    verdict,
    by,
    ...(r ? { text: r.text } : {}),
    ...(r?.loc ? { loc: r.loc } : {}),
  });
}

/** Packets the analysis cannot follow past rule r: an `unknown` end naming the rule. */
function refuse(
  w: Walk,
  st: NfState,
  chain: string,
  r: NfSymRule,
  what: string,
  nat?: NfSymNat,
): void {
  if (st.pred === FALSE) return;
  const by = `${w.label} ${chain} #${r.index}`;
  w.ends.push({
    ...st,
    verdict: "unknown",
    by,
    text: r.text,
    what,
    ...(nat ? { nat } : {}),
    ...(r.loc ? { loc: r.loc } : {}),
  });
}

/** What a match kind the analysis cannot compile exactly here tests. */
function matchName(kind: string): string {
  if (kind === "addr") return "the source address (chosen per route, not in the header)";
  if (kind === "iface") return "the output device of a multipath route";
  if (kind === "owner") return "the socket's gid";
  return `a ${kind} match`;
}

/**
 * One rule on one state: the packets going on to the next rule are pushed to `next`, those
 * returning to the caller to `ret`.
 */
function runRule(
  w: Walk,
  chain: string,
  r: NfSymRule,
  st: NfState,
  depth: number,
  next: NfState[],
  ret: NfState[],
): void {
  const m = w.c.m;
  let cur = st;
  for (const x of r.stmts) {
    if (x.kind === "mark") {
      const dst = x.dst === "mark" ? cur.mark : cur.ct;
      if (x.dst === "ctmark" || x.take) {
        // Conntrack mark writes and reads need an entry: before the conntrack hook, refuse.
        if (w.c.ctstate === undefined || w.c.ctstate === "untracked") {
          return refuse(w, cur, chain, r, "ct mark before the conntrack hook");
        }
      }
      const out = applyOp(m, x, dst, x.src === "mark" ? cur.mark : cur.ct);
      cur = x.dst === "mark" ? { ...cur, mark: out } : { ...cur, ct: out };
      continue;
    }
    const p = matchPred(w.c, x, cur);
    if (p === undefined) {
      return refuse(w, cur, chain, r, x.kind === "unknown" ? x.what : matchName(x.kind));
    }
    // cur.pred ∖ p: walks cur's nodes only, never all of a big set's (not(p) would).
    next.push({ ...cur, pred: diff(m, cur.pred, p) });
    cur = { ...cur, pred: and(m, cur.pred, p) };
    if (cur.pred === FALSE) return;
  }
  verdict(w, chain, r, cur, depth, next, ret);
}

function verdict(
  w: Walk,
  chain: string,
  r: NfSymRule,
  cur: NfState,
  depth: number,
  next: NfState[],
  ret: NfState[],
): void {
  const v = r.verdict;
  switch (v.kind) {
    case "continue":
      next.push(cur);
      return;
    case "accept":
      w.accepted.push(cur);
      return;
    case "drop":
    case "reject":
      end(w, cur, v.kind, chain, r);
      return;
    case "return":
      ret.push(cur);
      return;
    case "unknown":
      return refuse(w, cur, chain, r, v.what);
    case "nat":
      return refuse(w, cur, chain, r, v.what, v.type);
    case "jump":
    case "goto": {
      // A jump to a missing chain goes on with the next rule (the engine's reading).
      if (!w.view.chains.has(v.chain)) return void next.push(cur);
      if (depth >= MAX_DEPTH) return refuse(w, cur, chain, r, "jumps nested too deep");
      const back = walkChain(w, v.chain, [cur], depth + 1);
      (v.kind === "jump" ? next : ret).push(...back);
      return;
    }
  }
}

/** Walk a chain's rules; returns the packets that fall off its end or RETURN. */
function walkChain(w: Walk, name: string, states: NfState[], depth: number): NfState[] {
  const chain = w.view.chains.get(name);
  let live = states;
  const ret: NfState[] = [];
  for (const r of chain?.rules ?? []) {
    if (!live.length) break;
    const next: NfState[] = [];
    for (const st of live) runRule(w, name, r, st, depth, next, ret);
    live = mergeStates(w.c, next);
  }
  return mergeStates(w.c, [...ret, ...live]);
}

/**
 * Walk a base chain over `states`: returns the accepted packets (with their marks) and
 * pushes the dropped, rejected and refused ones to `ends`.
 */
export function walkBase(
  c: HookCtx,
  label: string,
  view: NfSymView,
  states: NfState[],
  ends: NfEnd[],
): NfState[] {
  const w: Walk = { c, view, label, accepted: [], ends };
  const fell = walkChain(w, view.base, states, 0);
  if (view.policy === "accept") w.accepted.push(...fell);
  else for (const st of fell) end(w, st, "drop", view.base);
  return mergeStates(c, w.accepted);
}
