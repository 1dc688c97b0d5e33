/**
 * `rule-auto-pref`: a rule added without `pref` whose place decides packets against another
 * tool's rule. fib_default_rule_pref gives it the pref of the second rule minus 1: it lands
 * above every rule that existed when it was added, and below the explicit-pref rules added
 * later. Against a rule with an explicit pref that matches some of the same packets, the
 * winner depends on which tool started first (wg-quick's rules land at 32765 on a fresh host
 * but above tailscale's 5210–5270 when tailscale was first). A rule that overlaps no
 * explicit-pref rule cannot change places with anything that matters: silent. Only rules
 * added by a script are known to lack a pref (a dump always shows one).
 * @module
 */
import type { Rule } from "../../model/types.js";
import { and } from "../bdd/apply.js";
import { FALSE } from "../bdd/arena.js";
import { wellFormed } from "../header.js";
import { HEADER_VIEW } from "../rule-pred.js";
import type { Finding, LintCtx } from "./types.js";

/** The kernel's own rules (fib_default_rules_init: protocol kernel) are not another tool. */
const isDefault = (r: Rule) => r.protocol === 2;

/** The first explicit-pref rule that matches some packet r matches, if any. */
function contender(c: LintCtx, r: Rule, list: readonly Rule[]): Rule | undefined {
  const m = c.a.m;
  // Over the whole header (sources too), with the analysis' cached predicates.
  const pred = c.a.matcher(HEADER_VIEW, true);
  const mine = and(m, wellFormed(m), pred(r));
  return list.find((x) => !x.prefAuto && !isDefault(x) && and(m, mine, pred(x)) !== FALSE);
}

export function autoPrefs(c: LintCtx): Finding[] {
  const out: Finding[] = [];
  const s = c.a.s;
  for (const list of [s.rules4, s.rules6]) {
    for (const r of list) {
      if (!r.prefAuto) continue;
      const x = contender(c, r, list);
      if (!x) continue;
      out.push({
        id: "rule-auto-pref",
        severity: "info",
        message:
          `ipv${r.family} rule ${r.pref} was added without a pref: the kernel chose ` +
          "(second rule's pref − 1), so whether it comes before or after rule " +
          `${x.pref} (which matches some of the same packets) depends on start order`,
        fix: `add it with an explicit pref (ip rule add pref ${r.pref} …)`,
      });
    }
  }
  return out;
}
