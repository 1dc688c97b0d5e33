/**
 * The RPDB walk (fib_rules_lookup, net/core/fib_rules.c) folded over packet sets: which rule
 * decides for which packets, and with which table result. The walk carries the set of packets
 * still walking; a rule takes its matches out, a `lookup` gives back those its table has no
 * route for (or a `throw` route, or a route fib4_rule_suppress rejects), a `goto` moves its
 * matches to the target rule (gotos only point forward, fib_nl_newrule), `nop` changes nothing.
 * Without custom rules the kernel skips the RPDB (fib_lookup's main-then-default for IPv4,
 * local-then-main for IPv6): that is modelled as the same walk over two built-in steps.
 * @module
 */
import { TABLE } from "../core/kinds.js";
import type { Errno } from "../engine/types.js";
import { gotoTarget } from "../engine/fib.js";
import type { HostState, Rule } from "../model/types.js";
import { and, not, or } from "./bdd/apply.js";
import { type Bdd, type BddArena, FALSE } from "./bdd/arena.js";
import type { TableGroup, TableSpec } from "./table.js";

/** A set of packets and the RPDB step that decided for them. */
export interface Decided {
  readonly pred: Bdd;
  /** The rule (undefined without custom rules). */
  readonly rule?: Rule;
  /** The table reported for a route (RTM_F_LOOKUP_TABLE). */
  readonly table?: number;
  /** The table's result, or undefined for a rule's own action / no route at all. */
  readonly group?: TableGroup;
  /** The errno of a rule action or of the end of the walk. */
  readonly errno?: Errno;
}

/** Where the fold reads a table's partition (cached by the caller). */
export type TableSource = (family: 4 | 6, t: TableSpec) => readonly TableGroup[];

/** The errno of a rule's own action (fib4_rule_action / fib6_rule_action). */
function actionErrno(action: Rule["action"]): Errno | undefined {
  if (action === "unreachable") return "ENETUNREACH";
  if (action === "prohibit") return "EACCES";
  if (action === "blackhole") return "EINVAL";
  return undefined;
}

/** fib4_rule_suppress / fib6_rule_suppress: does the rule reject this table result? */
function suppresses(r: Rule | undefined, g: TableGroup): boolean {
  if (!r || g.res.kind !== "route") return false;
  if (g.len <= r.suppressPrefixlen) return true;
  return r.suppressIfgroup !== -1 && g.ifgroup === r.suppressIfgroup;
}

/**
 * One table lookup over `hit`: decided parts go to `out`, the rest (no route, throw,
 * suppressed) is returned to walk on.
 */
function lookup(
  m: BddArena,
  hit: Bdd,
  groups: readonly TableGroup[],
  step: { rule?: Rule; table: number },
  out: Decided[],
): Bdd {
  let rest = hit;
  for (const g of groups) {
    if (g.res.kind === "throw" || suppresses(step.rule, g)) continue;
    const p = and(m, hit, g.pred);
    if (p === FALSE) continue;
    rest = and(m, rest, not(m, g.pred));
    out.push({ pred: p, group: g, table: step.table, ...(step.rule ? { rule: step.rule } : {}) });
  }
  return rest;
}

/**
 * Fold the RPDB of `family` over `start` (the packets to route). `match(rule)` is the rule's
 * predicate (cached by the caller). The result's preds are disjoint and cover `start`.
 */
export function foldRpdb(
  m: BddArena,
  s: HostState,
  family: 4 | 6,
  start: Bdd,
  match: (r: Rule) => Bdd,
  tables: TableSource,
): Decided[] {
  const out: Decided[] = [];
  const custom = family === 4 ? s.v4CustomRules : s.v6CustomRules;
  let walking = start;
  if (!custom) {
    const steps: [TableSpec, number][] =
      family === 4
        ? [
            ["merged", TABLE.main],
            [TABLE.default, TABLE.default],
          ]
        : [
            [TABLE.local, TABLE.local],
            [TABLE.main, TABLE.main],
          ];
    for (const [t, table] of steps) walking = lookup(m, walking, tables(family, t), { table }, out);
  } else walking = walkRules(m, s, family, walking, match, tables, out);
  if (walking !== FALSE) out.push({ pred: walking, errno: "ENETUNREACH" });
  return out;
}

function walkRules(
  m: BddArena,
  s: HostState,
  family: 4 | 6,
  start: Bdd,
  match: (r: Rule) => Bdd,
  tables: TableSource,
  out: Decided[],
): Bdd {
  const list = family === 4 ? s.rules4 : s.rules6;
  const jumped = new Map<Rule, Bdd>();
  let walking = start;
  for (const r of list) {
    const j = jumped.get(r);
    const here = j === undefined ? walking : or(m, walking, j);
    if (here === FALSE) continue;
    const hit = and(m, here, match(r));
    if (hit === FALSE) {
      walking = here;
      continue;
    }
    let rest = and(m, here, not(m, match(r)));
    if (r.action === "goto") {
      const t = gotoTarget(list, r);
      // A goto to a missing target goes on with the next rule, as a non-match does.
      if (!t || list.indexOf(t) <= list.indexOf(r)) rest = here;
      else jumped.set(t, or(m, jumped.get(t) ?? FALSE, hit));
    } else if (r.action === "nop") rest = here;
    else {
      const errno = actionErrno(r.action);
      if (errno) out.push({ pred: hit, rule: r, errno });
      else
        rest = or(
          m,
          rest,
          lookup(m, hit, tables(family, r.table), { rule: r, table: r.table }, out),
        );
    }
    walking = rest;
  }
  return walking;
}
