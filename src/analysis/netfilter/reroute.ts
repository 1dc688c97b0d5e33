/**
 * What the re-route after an OUTPUT mark change (Analysis.reroute, ip_route_me_harder) cannot
 * follow, and the small helpers it shares with the OUTPUT walk.
 * @module
 */
import type { Rule } from "../../model/types.js";
import type { NfBaseChain } from "../../netfilter/types.js";
import { or } from "../bdd/apply.js";
import { type BddArena, FALSE } from "../bdd/arena.js";
import type { Outcome } from "../outcome.js";
import { type FoldMemo, walkingInAt } from "../rpdb.js";

export const PORTS = ["ipproto", "sport", "dport"] as const;

/** Whether a base chain sees packets of the family. */
export const familyOk = (c: NfBaseChain, fam: 4 | 6): boolean =>
  c.family === "inet" || c.family === (fam === 4 ? "ip" : "ip6");

export const MC_REROUTE =
  "a multicast or broadcast destination: the re-route takes the source address's device";
export const FROM_REROUTE =
  "`from` at re-route: the source the first route chose is not in the header";

/** Packets whose re-route the analysis cannot follow. */
export function unknownAtReroute(family: 4 | 6, by: string, what: string): Outcome {
  const nf = { verdict: "unknown", by, what, mark: [], markText: "", rerouted: true } as const;
  return { family, ok: false, paths: [], nf: { ...nf, by: `re-route${by}` } };
}

/** The packets a re-route walk brought to a rule with `from` (see `Analysis.reroute`). */
export function refusedBySrc(m: BddArena, memo: FoldMemo) {
  let pred = FALSE;
  let first: Rule | undefined;
  memo.rules.forEach((r, k) => {
    if (!r.src) return;
    const here = or(m, walkingInAt(m, memo, k), memo.jumpedIn[k]!.get(r) ?? FALSE);
    if (here !== FALSE) first ??= r;
    pred = or(m, pred, here);
  });
  const outcome = (family: 4 | 6) =>
    unknownAtReroute(family, ` at ip rule pref ${first?.pref ?? ""}`, FROM_REROUTE);
  return { pred, outcome };
}
