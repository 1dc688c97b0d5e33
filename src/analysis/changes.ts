/**
 * What changed in a host since the analysis last looked: its routes by table (read from the
 * FIB index's journal, model/fib-index.ts, so a change costs the changed routes, not a scan
 * of every route) and its rule lists. classes.ts patches its caches from these.
 * @module
 */
import type { Prefix } from "../addr/ip.js";
import { TABLE } from "../core/kinds.js";
import { type HostFib, routeJournal } from "../model/fib-index.js";
import type { HostState, Route, Rule } from "../model/types.js";

/** Routes changed under these prefixes, per table key; or every table key whose routes differ. */
export type RouteChange = { prefixes: Map<string, Prefix[]> } | { tables: string[] };

/** A host's routes by table key (`4:254`, `6:52`, and `4:merged` = IPv4 local and main). */
export class RouteSets {
  private sets: Map<string, Set<Route>> | undefined;
  /** The FIB index and journal position the sets were last brought up to. */
  private fib: HostFib | undefined;
  private at = 0;

  constructor(private readonly s: HostState) {}

  /** A table's routes (built from the host on first use; the journal is read from then on). */
  get(k: string): ReadonlySet<Route> {
    if (!this.sets) {
      const j = routeJournal(this.s, undefined, 0);
      [this.fib, this.at] = [j.fib, j.at];
      this.sets = routesByTable(this.s.routes);
    }
    return this.sets.get(k) ?? new Set();
  }

  /** Forget everything (rebuilt on next use). */
  clear(): void {
    this.sets = undefined;
  }

  /**
   * Bring the sets up to date: the prefixes under which each table changed (each journal
   * entry toggles its route), or, when the journal is gone (the index was rebuilt), the
   * tables whose routes differ. Undefined when nothing was built or nothing changed.
   */
  sync(): RouteChange | undefined {
    if (!this.sets) return undefined;
    const j = routeJournal(this.s, this.fib, this.at);
    [this.fib, this.at] = [j.fib, j.at];
    if (!j.changed) return { tables: this.resync() };
    if (!j.changed.length) return undefined;
    const prefixes = new Map<string, Prefix[]>();
    for (const r of j.changed)
      for (const k of tableKeys(r)) {
        let set = this.sets.get(k);
        if (!set) this.sets.set(k, (set = new Set()));
        if (!set.delete(r)) set.add(r);
        const ps = prefixes.get(k);
        if (ps) ps.push(r.dst);
        else prefixes.set(k, [r.dst]);
      }
    return { prefixes };
  }

  private resync(): string[] {
    const old = this.sets ?? new Map<string, Set<Route>>();
    const now = routesByTable(this.s.routes);
    this.sets = now;
    const differ: string[] = [];
    for (const k of new Set([...old.keys(), ...now.keys()])) {
      const [a, b] = [old.get(k) ?? new Set<Route>(), now.get(k) ?? new Set<Route>()];
      if (a.size !== b.size || [...a].some((r) => !b.has(r))) differ.push(k);
    }
    return differ;
  }
}

/** The family of a table key. */
export const familyOfKey = (k: string): 4 | 6 => (k.startsWith("6:") ? 6 : 4);

/** A family's rules and custom-rules flag (the outcomes depend on both). */
export function rulesOf(s: HostState, fam: 4 | 6): (Rule | boolean)[] {
  return fam === 4 ? [s.v4CustomRules, ...s.rules4] : [s.v6CustomRules, ...s.rules6];
}

/** Same length and the same elements (by identity) in order. */
export const sameList = <T>(a: readonly T[] | undefined, b: readonly T[]): boolean =>
  !!a && a.length === b.length && a.every((x, i) => x === b[i]);

/** The table keys a route belongs to: its table, and IPv4 local/main also "merged". */
function tableKeys(r: Route): string[] {
  const k = `${r.family}:${r.table}`;
  const merged = r.family === 4 && (r.table === TABLE.local || r.table === TABLE.main);
  return merged ? [k, "4:merged"] : [k];
}

/** The host's routes by table key. */
function routesByTable(routes: readonly Route[]): Map<string, Set<Route>> {
  // Numeric keys while scanning (no string per route): table * 2 + (IPv6 ? 1 : 0).
  const by = new Map<number, Set<Route>>();
  const merged = new Set<Route>();
  for (const r of routes) {
    const k = r.table * 2 + (r.family === 6 ? 1 : 0);
    const l = by.get(k);
    if (l) l.add(r);
    else by.set(k, new Set([r]));
    if (r.family === 4 && (r.table === TABLE.local || r.table === TABLE.main)) merged.add(r);
  }
  const out = new Map<string, Set<Route>>([["4:merged", merged]]);
  for (const [k, l] of by) out.set(`${k & 1 ? 6 : 4}:${Math.floor(k / 2)}`, l);
  return out;
}
