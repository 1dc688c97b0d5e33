/**
 * `rule-auto-pref`: a rule added without `pref`. fib_default_rule_pref gives it the pref of
 * the second rule minus 1, so where it lands depends on which rules existed when it was
 * added: two tools that both leave the pref out end up in start order. Only rules added by
 * a script are known to lack a pref (a dump always shows one).
 * @module
 */
import type { Finding, LintCtx } from "./types.js";

export function autoPrefs(c: LintCtx): Finding[] {
  const s = c.a.s;
  return [...s.rules4, ...s.rules6]
    .filter((r) => r.prefAuto)
    .map((r) => ({
      id: "rule-auto-pref",
      severity: "info" as const,
      message:
        `ipv${r.family} rule ${r.pref} was added without a pref: the kernel chose ` +
        "(second rule's pref − 1), so its place depends on which rules existed before",
      fix: `add it with an explicit pref (ip rule add pref ${r.pref} …)`,
    }));
}
