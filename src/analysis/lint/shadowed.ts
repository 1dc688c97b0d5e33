/**
 * `rule-shadowed`: a rule no packet can reach. Over the whole header (every iif, source,
 * mark…, not only the analysis' universe), the rule's predicate minus the union of the
 * predicates of earlier rules that always end the walk is empty. A rule ends the walk for
 * the packets it matches when its action is unreachable/blackhole/prohibit, or when it is a
 * lookup whose table has a non-throw result for them that the rule does not suppress
 * (fib_rules_lookup goes on only on -EAGAIN: no route, throw, fib4_rule_suppress). Gotos and
 * nops end nothing; a goto that jumps over a rule only makes fewer packets reach it, so the
 * lint may miss such a rule but never reports a reachable one.
 * @module
 */
import { TABLE } from "../../core/kinds.js";
import type { Rule } from "../../model/types.js";
import { and, not, or } from "../bdd/apply.js";
import { type Bdd, FALSE } from "../bdd/arena.js";
import { family as familyPred, wellFormed } from "../header.js";
import { rulePred } from "../rule-pred.js";
import { type TableGroup, tablePartition } from "../table.js";
import type { Finding, LintCtx } from "./types.js";

/** The dsts for which a lookup rule ends the walk (same test as rpdb.ts `suppresses`). */
function answered(c: LintCtx, r: Rule, groups: readonly TableGroup[]): Bdd {
  const m = c.a.m;
  let f = FALSE;
  for (const g of groups) {
    if (g.res.kind === "throw") continue;
    if (g.res.kind === "route") {
      if (g.len <= r.suppressPrefixlen) continue;
      if (r.suppressIfgroup !== -1 && g.ifgroup === r.suppressIfgroup) continue;
    }
    f = or(m, f, g.pred);
  }
  return f;
}

/** The packets for which rule r ends the walk. */
function terminating(c: LintCtx, r: Rule, pred: Bdd): Bdd {
  if (r.action === "unreachable" || r.action === "prohibit" || r.action === "blackhole")
    return pred;
  if (r.action !== "lookup" || r.l3mdev) return FALSE;
  const fam = r.family === 6 ? 6 : 4;
  const groups = tablePartition(c.a.m, c.a.s, fam, r.table === 0 ? TABLE.main : r.table);
  return and(c.a.m, pred, answered(c, r, groups));
}

export function shadowedRules(c: LintCtx): Finding[] {
  const out: Finding[] = [];
  const m = c.a.m;
  for (const fam of [4, 6] as const) {
    const s = c.a.s;
    if (!(fam === 4 ? s.v4CustomRules : s.v6CustomRules)) continue;
    const all = and(m, familyPred(m, fam), wellFormed(m));
    let ended = FALSE;
    let by: Rule | undefined;
    for (const r of fam === 4 ? s.rules4 : s.rules6) {
      const p = and(m, all, rulePred({ m, s, hasSaddr: true }, r));
      // The default rule's table is empty on most hosts: shadowing it changes nothing.
      const harmless = r.table === TABLE.default && !s.routes.some((x) => x.table === r.table);
      if (p !== FALSE && !harmless && and(m, p, not(m, ended)) === FALSE)
        out.push({
          id: "rule-shadowed",
          severity: "warning",
          message:
            `ipv${fam} rule ${r.pref} is never reached: every packet it matches is decided by ` +
            `an earlier rule${by ? ` (the last of them: ${by.pref})` : ""}`,
          fix: `delete rule ${r.pref}, or give it a pref below the rules that shadow it`,
        });
      const t = terminating(c, r, p);
      if (t !== FALSE && and(m, t, not(m, ended)) !== FALSE) by = r;
      ended = or(m, ended, t);
    }
  }
  return out;
}
