/**
 * `table-unreached`: a table with routes that no rule looks up; `table-empty`: a lookup
 * rule whose table has no route of the rule's family (every lookup falls through). The
 * built-in tables (local, main, default) are left out: the default rules reach them and an
 * empty default table is the kernel's normal state.
 * @module
 */
import { TABLE } from "../../core/kinds.js";
import { tableName } from "../describe.js";
import type { Finding, LintCtx } from "./types.js";

const BUILTIN = new Set<number>([TABLE.local, TABLE.main, TABLE.default]);

export function unreachedTables(c: LintCtx): Finding[] {
  const s = c.a.s;
  const out: Finding[] = [];
  for (const fam of [4, 6] as const) {
    const looked = new Set((fam === 4 ? s.rules4 : s.rules6).map((r) => r.table));
    const withRoutes = new Set(s.routes.filter((r) => r.family === fam).map((r) => r.table));
    for (const t of [...withRoutes].sort((x, y) => x - y)) {
      if (BUILTIN.has(t) || looked.has(t)) continue;
      out.push({
        id: "table-unreached",
        severity: "info",
        message: `ipv${fam} table ${tableName(s, t)} has routes but no rule looks it up`,
        fix:
          `add a rule (ip${fam === 6 ? " -6" : ""} rule add … lookup ${tableName(s, t)}) ` +
          "or flush the table",
      });
    }
  }
  return out;
}

export function emptyTables(c: LintCtx): Finding[] {
  const s = c.a.s;
  const out: Finding[] = [];
  for (const fam of [4, 6] as const) {
    const withRoutes = new Set(s.routes.filter((r) => r.family === fam).map((r) => r.table));
    for (const r of fam === 4 ? s.rules4 : s.rules6) {
      if (r.action !== "lookup" || r.l3mdev || BUILTIN.has(r.table) || withRoutes.has(r.table))
        continue;
      out.push({
        id: "table-empty",
        severity: "warning",
        message:
          `ipv${fam} rule ${r.pref} looks up table ${tableName(s, r.table)}, which has no ` +
          `ipv${fam} route: its packets always fall through to the next rule`,
        fix:
          `add the table's routes (ip${fam === 6 ? " -6" : ""} route add … table ` +
          `${tableName(s, r.table)}) or delete rule ${r.pref}`,
      });
    }
  }
  return out;
}
