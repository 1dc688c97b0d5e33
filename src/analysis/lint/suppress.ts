/**
 * `suppress-nothing`: a `suppress_prefixlength N` rule whose table has no route that
 * fib4_rule_suppress / fib6_rule_suppress could reject. They reject a successful lookup
 * result whose prefix length is ≤ N (res->prefixlen <= suppress_prefixlen); only successful
 * results reach them (fib_rules_lookup calls suppress after action returned 0), so throw,
 * unreachable, prohibit and blackhole routes do not count.
 * @module
 */
import { TABLE } from "../../core/kinds.js";
import { tableName } from "../describe.js";
import type { Finding, LintCtx } from "./types.js";

const FAILING = new Set(["throw", "unreachable", "prohibit", "blackhole"]);

export function suppressNothing(c: LintCtx): Finding[] {
  const s = c.a.s;
  const out: Finding[] = [];
  for (const r of [...s.rules4, ...s.rules6]) {
    if (r.action !== "lookup" || r.suppressPrefixlen < 0 || r.suppressIfgroup !== -1) continue;
    const t = r.table === 0 ? TABLE.main : r.table;
    const hit = s.routes.some(
      (x) =>
        x.family === r.family &&
        x.table === t &&
        !FAILING.has(x.type) &&
        x.dst.len <= r.suppressPrefixlen,
    );
    if (hit) continue;
    out.push({
      id: "suppress-nothing",
      severity: "info",
      message:
        `ipv${r.family} rule ${r.pref} (lookup ${tableName(s, t)} suppress_prefixlength ` +
        `${r.suppressPrefixlen}) suppresses nothing: the table has no route of length ≤ ` +
        `${r.suppressPrefixlen}`,
      fix: "check the table (a missing default route?) or drop suppress_prefixlength",
    });
  }
  return out;
}
