/**
 * `rule-shadowed`: a rule no packet can reach. Over the whole header (every iif, source,
 * mark…, not only the analysis' universe), the rule's predicate minus the union of the
 * predicates of earlier rules that always end the walk is empty. A rule ends the walk for
 * the packets it matches when its action is unreachable/blackhole/prohibit, or when it is a
 * lookup whose table has a non-throw result for them that the rule does not suppress
 * (fib_rules_lookup goes on only on -EAGAIN: no route, throw, fib4_rule_suppress). Gotos and
 * nops end nothing; a goto moves its matches to its target (forward only), past the rules
 * between.
 * @module
 */
import { TABLE } from "../../core/kinds.js";
import { gotoTarget } from "../../engine/fib.js";
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
  const s = c.a.s;
  for (const fam of [4, 6] as const) {
    if (!(fam === 4 ? s.v4CustomRules : s.v6CustomRules)) continue;
    const list = fam === 4 ? s.rules4 : s.rules6;
    // The packets still walking (fib_rules_lookup), and those a goto sends to a later rule.
    let walking = and(m, familyPred(m, fam), wellFormed(m));
    const jumped = new Map<Rule, Bdd>();
    list.forEach((r, i) => {
      const here = or(m, walking, jumped.get(r) ?? FALSE);
      const p = and(m, here, rulePred({ m, s, hasSaddr: true }, r));
      // The default rule's table is empty on most hosts: shadowing it changes nothing.
      const harmless = r.table === TABLE.default && !s.routes.some((x) => x.table === r.table);
      const any = rulePred({ m, s, hasSaddr: true }, r) !== FALSE;
      if (p === FALSE && any && !harmless)
        out.push({
          id: "rule-shadowed",
          severity: "warning",
          message:
            `ipv${fam} rule ${r.pref} is never reached: every packet it matches is decided by ` +
            "an earlier rule",
          fix: `delete rule ${r.pref}, or give it a pref below the rules that shadow it`,
        });
      walking = here;
      if (r.action === "goto") {
        const target = gotoTarget(list, r);
        if (target && list.indexOf(target) > i) {
          jumped.set(target, or(m, jumped.get(target) ?? FALSE, p));
          walking = and(m, here, not(m, p));
        }
      } else walking = and(m, here, not(m, terminating(c, r, p)));
    });
  }
  return out;
}
