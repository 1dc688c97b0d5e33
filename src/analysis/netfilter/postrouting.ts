/**
 * Which locally generated packets leaving by one device a POSTROUTING source NAT rewrites
 * (SNAT / MASQUERADE / nft snat, masquerade: nf_nat_ipv4_out): every POSTROUTING base chain
 * of the family in priority order (nf_hook_slow) walked symbolically over the packets
 * (./walk.ts), with the egress device known. NAT itself is not modelled beyond that: the
 * packets are only split into those a source NAT rule takes, those it leaves alone, and
 * those a rule the analysis does not know decides (named, never guessed).
 * @module
 */
import { chainsAt } from "../../engine/nfwalk.js";
import type { NfBaseChain } from "../../netfilter/types.js";
import { or } from "../bdd/apply.js";
import { type Bdd, type BddArena, FALSE, TRUE } from "../bdd/arena.js";
import { type HookCtx, ifaceMatches } from "./match.js";
import type { MarkVec } from "./markvec.js";
import { type NfEnd, type NfState, walkBase } from "./walk.js";

/** The packets of one egress device, split by what POSTROUTING's source NAT does. */
export interface SourceNat {
  /** Rewritten by a SNAT or MASQUERADE rule. */
  readonly rewritten: Bdd;
  /** Decided by a rule the analysis does not model (not answered). */
  readonly unknown: readonly NfEnd[];
}

export interface PostroutingCtx {
  readonly m: BddArena;
  readonly family: 4 | 6;
  readonly chains: readonly NfBaseChain[];
  readonly sets: Map<string, Bdd>;
}

/**
 * POSTROUTING for `pred` (locally generated, the first packet of a flow) leaving by device
 * `dev` with the marks `mark` and `ct` (transformers over the header, as OUTPUT left them).
 */
export function sourceNat(
  c: PostroutingCtx,
  pred: Bdd,
  mark: MarkVec,
  ct: MarkVec,
  dev: string,
): SourceNat {
  const h: HookCtx = {
    m: c.m,
    family: c.family,
    iif: "",
    oif: (pattern) => (ifaceMatches(pattern, dev) ? TRUE : FALSE),
    socket: true,
    sets: c.sets,
    // POSTROUTING runs after conntrack: a first packet is NEW.
    ctstate: "new",
  };
  let states: NfState[] = [{ pred, mark, ct }];
  let rewritten = FALSE;
  const unknown: NfEnd[] = [];
  for (const chain of chainsAt(c.chains, "postrouting", c.family)) {
    const view = chain.symbolic?.();
    const label = `${chain.family} ${chain.table}`;
    if (!view) {
      for (const st of states)
        unknown.push({ ...st, verdict: "unknown", by: `${label} ${chain.chain}`, what: "chain" });
      return { rewritten, unknown };
    }
    const ends: NfEnd[] = [];
    states = walkBase(h, label, view, states, ends);
    for (const e of ends) {
      if (e.nat === "snat" || e.nat === "masquerade") rewritten = or(c.m, rewritten, e.pred);
      else if (e.verdict === "unknown") unknown.push(e);
      // Dropped and rejected packets never leave: nothing to rewrite.
    }
  }
  return { rewritten, unknown };
}
