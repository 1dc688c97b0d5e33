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
import { and, diff, meets, not, or } from "./bdd/apply.js";
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
    // rest ⊆ hit, so taking out p is taking out g.pred: the small set, not the table's.
    rest = diff(m, rest, p);
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
  memo?: FoldMemo,
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
  } else walking = walkRules(m, s, family, walking, match, tables, out, memo);
  if (walking !== FALSE) out.push({ pred: walking, errno: "ENETUNREACH" });
  return out;
}

/**
 * What a previous walk of the same RPDB saw at each rule: the rule, its table's partition,
 * the packets walking into it and the decided parts before it. A new walk resumes at the
 * first rule that differs (a rule added, deleted or whose table changed): an update costs
 * the rules after the change, not the whole RPDB (APKeep's idea, per rule instead of per
 * predicate).
 */
export interface FoldMemo {
  rules: Rule[];
  tables: (readonly TableGroup[] | undefined)[];
  /** A goto's target rule (gotoTarget: the first rule of its pref, which a change moves). */
  targets: (Rule | undefined)[];
  /** Read with `walkingInAt`: a route change's patch is applied when read. */
  walkingIn: Walking[];
  jumpedIn: Map<Rule, Bdd>[];
  outLen: number[];
  out: Decided[];
  start: Bdd;
}

/**
 * A rule's walking-in set with a patch not yet applied: (base ∧ keep) ∨ add. A route change
 * patches every rule's set, but few are read before the next change (a resumed walk reads
 * one, a rule change's region one per changed rule), so each is applied when first read.
 */
interface Pending {
  readonly base: Walking;
  readonly keep: Bdd;
  readonly add: Bdd;
  /** Patches in the chain down to a set (applied at once past MAX_PENDING). */
  readonly depth: number;
  value?: Bdd;
}

type Walking = Bdd | Pending;

const MAX_PENDING = 32;

/** Rule `k`'s walking-in set, its pending patches applied. */
export function walkingInAt(m: BddArena, memo: FoldMemo, k: number): Bdd {
  const w = memo.walkingIn[k]!;
  if (typeof w === "number") return w;
  const v = applied(m, w);
  memo.walkingIn[k] = v;
  return v;
}

function applied(m: BddArena, w: Pending): Bdd {
  const chain: Pending[] = [];
  let base: Walking = w;
  for (; typeof base !== "number" && base.value === undefined; base = base.base) chain.push(base);
  let v = typeof base === "number" ? base : base.value!;
  for (let i = chain.length - 1; i >= 0; i--) {
    const p = chain[i]!;
    v = or(m, and(m, v, p.keep), p.add);
    p.value = v;
  }
  return v;
}

/** `base` patched: kept inside `keep`, `add` joined (pending until read). */
function patched(m: BddArena, base: Walking, keep: Bdd, add: Bdd): Walking {
  const depth = typeof base === "number" ? 1 : base.value !== undefined ? 1 : base.depth + 1;
  if (depth <= MAX_PENDING) return { base, keep, add, depth };
  return or(m, and(m, applied(m, base as Pending), keep), add);
}

/** A fresh, empty memo. */
export const foldMemo = (): FoldMemo => ({
  rules: [],
  tables: [],
  targets: [],
  walkingIn: [],
  jumpedIn: [],
  outLen: [],
  out: [],
  start: -1,
});

/** The first rule index where the memo no longer describes the walk. */
function resumeAt(
  list: readonly Rule[],
  memo: FoldMemo,
  family: 4 | 6,
  start: Bdd,
  tables: TableSource,
): number {
  if (memo.start !== start || !list.length) return 0;
  let k = 0;
  for (; k < list.length && k < memo.rules.length; k++) {
    const r = list[k]!;
    if (memo.rules[k] !== r) break;
    if (r.action === "lookup" && tables(family, r.table) !== memo.tables[k]) break;
    if (r.action === "goto" && gotoTarget(list as Rule[], r) !== memo.targets[k]) break;
  }
  // The state after the last rule is not kept: an unchanged RPDB re-walks its last rule.
  return Math.min(k, list.length - 1);
}

function walkRules(
  m: BddArena,
  s: HostState,
  family: 4 | 6,
  start: Bdd,
  match: (r: Rule) => Bdd,
  tables: TableSource,
  out: Decided[],
  memo: FoldMemo = foldMemo(),
): Bdd {
  const list = family === 4 ? s.rules4 : s.rules6;
  const k = resumeAt(list, memo, family, start, tables);
  // Jumps are copied on write, so each rule's snapshot is shared until a goto changes it.
  let jumped = k > 0 ? memo.jumpedIn[k]! : new Map<Rule, Bdd>();
  let walking = k > 0 ? walkingInAt(m, memo, k) : start;
  out.push(...memo.out.slice(0, k > 0 ? memo.outLen[k]! : 0));
  memo.start = start;
  for (const a of [memo.rules, memo.tables, memo.targets, memo.walkingIn, memo.jumpedIn])
    a.length = k;
  memo.outLen.length = k;
  for (let i = k; i < list.length; i++) {
    const r = list[i]!;
    const t = r.action === "lookup" ? tables(family, r.table) : undefined;
    memo.rules.push(r);
    memo.tables.push(t);
    const target = r.action === "goto" ? gotoTarget(list, r) : undefined;
    memo.targets.push(target);
    memo.walkingIn.push(walking);
    memo.jumpedIn.push(jumped);
    memo.outLen.push(out.length);
    const j = jumped.get(r);
    const here = j === undefined ? walking : or(m, walking, j);
    if (here === FALSE) continue;
    const hit = and(m, here, match(r));
    if (hit === FALSE) {
      walking = here;
      continue;
    }
    let rest = diff(m, here, hit);
    if (r.action === "goto") {
      // A goto to a missing target goes on with the next rule, as a non-match does.
      if (!target || list.indexOf(target) <= i) rest = here;
      else jumped = new Map(jumped).set(target, or(m, jumped.get(target) ?? FALSE, hit));
    } else if (r.action === "nop") rest = here;
    else {
      const errno = actionErrno(r.action);
      if (errno) out.push({ pred: hit, rule: r, errno });
      else rest = or(m, rest, lookup(m, hit, t!, { rule: r, table: r.table }, out));
    }
    walking = rest;
  }
  memo.out = out.slice();
  return walking;
}

/**
 * For each rule of `list`, its index in the memo's walk and whether it was walked there; a
 * rule that is new gets the index of the next rule that was (the packets walking into it
 * walked into that one). Undefined when a new rule has no walked rule after it.
 */
function oldIndexes(memo: FoldMemo, list: readonly Rule[]): [number, boolean][] | undefined {
  const at = new Map(memo.rules.map((r, j) => [r, j]));
  const out: [number, boolean][] = new Array(list.length);
  let next: number | undefined;
  for (let i = list.length - 1; i >= 0; i--) {
    const j = at.get(list[i]!);
    if (j !== undefined) next = j;
    else if (next === undefined) return undefined;
    out[i] = [j ?? next!, j !== undefined];
  }
  return out;
}

/**
 * The packets whose walk can differ after rules were added or removed: those reaching a
 * changed rule that it matches (a rule does nothing to the packets it does not match, a nop
 * nothing to any). Read from the memo's walk over the old rules: up to the first change the
 * walks are equal, and after it they differ only inside what earlier changes took. Undefined
 * when a goto is involved (one changed, or one whose target's pref changed: jumps move whole
 * sets) or the memo cannot say; the walk then resumes at the first change.
 */
export function ruleChangeRegion(
  m: BddArena,
  list: readonly Rule[],
  memo: FoldMemo,
  match: (r: Rule) => Bdd,
): Bdd | undefined {
  const old = memo.rules;
  const at = oldIndexes(memo, list);
  if (!at || memo.start < 0) return undefined;
  const now = new Set(list);
  const changed = [...list.filter((_, i) => !at[i]![1]), ...old.filter((r) => !now.has(r))];
  const prefs = new Set(changed.map((r) => r.pref));
  for (const r of [...old, ...list])
    if (r.action === "goto" && (prefs.has(r.pref) || prefs.has(r.gotoPref ?? -1))) return undefined;
  let region = FALSE;
  const reach = (r: Rule, j: number): void => {
    if (r.action !== "nop") region = or(m, region, and(m, walkingInAt(m, memo, j), match(r)));
  };
  old.forEach((r, j) => now.has(r) || reach(r, j));
  list.forEach((r, i) => at[i]![1] || reach(r, at[i]![0]));
  return region;
}

/** The pending jumps of the walk patched: `old`'s outside `keep`, plus the region's. */
function mergeJumps(
  m: BddArena,
  old: Map<Rule, Bdd>,
  sub: Map<Rule, Bdd>,
  keep: Bdd,
): Map<Rule, Bdd> {
  if (!old.size && !sub.size) return old;
  const out = new Map<Rule, Bdd>();
  for (const t of new Set([...old.keys(), ...sub.keys()])) {
    const p = or(m, and(m, old.get(t) ?? FALSE, keep), sub.get(t) ?? FALSE);
    if (p !== FALSE) out.set(t, p);
  }
  return out;
}

/**
 * One rule's decided parts with equal results merged (the region's parts join the kept ones
 * instead of piling up over many patches); a later part's group (the table now) wins.
 */
function mergeParts(m: BddArena, parts: Decided[]): Decided[] {
  if (parts.length < 2) return parts;
  const byKey = new Map<string, Decided>();
  for (const d of parts) {
    const k = `${d.group?.key ?? ""}|${d.errno ?? ""}|${d.table ?? ""}`;
    const o = byKey.get(k);
    byKey.set(k, o ? { ...d, pred: or(m, o.pred, d.pred) } : d);
  }
  return byKey.size === parts.length ? parts : [...byKey.values()];
}

/**
 * `d` restricted to `keep`, the complement of `cutBy` (the same object when nothing is cut),
 * or undefined when empty.
 */
function cut(m: BddArena, d: Decided, keep: Bdd, cutBy: Bdd): Decided | undefined {
  if (!meets(m, d.pred, cutBy)) return d;
  const p = and(m, d.pred, keep);
  return p === FALSE ? undefined : p === d.pred ? d : { ...d, pred: p };
}

/**
 * Bring `memo` up to date when the walk changed for the packets of `region` only (routes
 * added or removed under some prefixes, or rules whose `ruleChangeRegion` it is; `region`
 * lies inside `start`): every set of the walk is a set of packets walking one by one, so the
 * region's walk is redone on its own over the current rules and spliced in, and everything
 * outside it is kept (Delta-net's idea: a route change moves only the packets under its
 * prefix). Returns the region's decided parts, the end of its walk included, or undefined
 * when the memo cannot be patched (the next fold resumes where it differs). `cutBy` is a set
 * that agrees with `region` inside `start` but may be smaller as a BDD (the changed dst
 * prefixes without the universe's fixed fields): the kept sets are cut with it.
 */
export function patchFold(
  m: BddArena,
  s: HostState,
  family: 4 | 6,
  start: Bdd,
  region: Bdd,
  match: (r: Rule) => Bdd,
  tables: TableSource,
  memo: FoldMemo,
  cutBy: Bdd = region,
): Decided[] | undefined {
  const list = family === 4 ? s.rules4 : s.rules6;
  const custom = family === 4 ? s.v4CustomRules : s.v6CustomRules;
  const at = custom && memo.start === start && list.length ? oldIndexes(memo, list) : undefined;
  if (!at) return undefined;
  const sub = foldMemo();
  const parts: Decided[] = [];
  const end = walkRules(m, s, family, region, match, tables, parts, sub);
  const keep = not(m, cutBy);
  const old = {
    ...memo,
    walkingIn: [...memo.walkingIn],
    jumpedIn: [...memo.jumpedIn],
    outLen: [...memo.outLen],
  };
  const out: Decided[] = [];
  const n = list.length;
  let prev: [Map<Rule, Bdd>, Map<Rule, Bdd>, Map<Rule, Bdd>] | undefined;
  for (let i = 0; i < n; i++) {
    const [j, walked] = at[i]!;
    memo.walkingIn[i] = patched(m, old.walkingIn[j]!, keep, sub.walkingIn[i] as Bdd);
    const [o, d] = [old.jumpedIn[j]!, sub.jumpedIn[i]!];
    // Jump maps are shared between rules until a goto changes them: merge each pair once.
    if (!prev || prev[0] !== o || prev[1] !== d) prev = [o, d, mergeJumps(m, o, d, keep)];
    memo.jumpedIn[i] = prev[2];
    memo.outLen[i] = out.length;
    const b = j + 1 < old.rules.length ? old.outLen[j + 1]! : old.out.length;
    const segment: Decided[] = [];
    for (let k = walked ? old.outLen[j]! : b; k < b; k++) {
      const c = cut(m, old.out[k]!, keep, cutBy);
      if (c) segment.push(c);
    }
    const y = i + 1 < n ? sub.outLen[i + 1]! : parts.length;
    // The kept parts were merged when made: only the region's new ones may join them.
    if (sub.outLen[i]! === y) {
      for (const d of segment) out.push(d);
      continue;
    }
    for (let k = sub.outLen[i]!; k < y; k++) segment.push(parts[k]!);
    for (const d of mergeParts(m, segment)) out.push(d);
  }
  for (const a of [memo.walkingIn, memo.jumpedIn]) a.length = n;
  memo.outLen.length = n;
  [memo.rules, memo.tables, memo.targets, memo.out] = [sub.rules, sub.tables, sub.targets, out];
  if (end !== FALSE) parts.push({ pred: end, errno: "ENETUNREACH" });
  return parts;
}
