/**
 * The outcome of a part of the output lookup the RPDB fold decided (rpdb.ts `Decided`): the
 * route's verdict, paths and table, split by the destination kinds __mkroute_output treats
 * apart (limited broadcast, multicast).
 * @module
 */
import { type Bdd, type BddArena, FALSE } from "./bdd/arena.js";
import { and, diff, meets, or } from "./bdd/apply.js";
import { addrPrefix } from "./header.js";
import type { Outcome } from "./outcome.js";
import type { Decided } from "./rpdb.js";

const v4 = (a: number, len: number) => ({ addr: { family: 4 as const, v: a }, len });

/**
 * The outcome of a decided part, before the destination's own kind is applied: one object per
 * result (table group, table, rule, errno), so what questions keep per outcome object holds
 * across route changes, which make new parts with the same results.
 */
export function baseOutcome(family: 4 | 6, d: Decided): Outcome {
  const g = d.group?.key ?? "";
  const k = `${family}|${g}|${d.table ?? ""}|${d.rule?.pref ?? ""}|${d.errno ?? ""}`;
  let o = BASE.get(k);
  if (!o) {
    if (BASE.size >= BASE_MAX) BASE.clear();
    BASE.set(k, (o = makeOutcome(family, d)));
  }
  return o;
}

/** Outcomes by result; cleared past BASE_MAX (a cache: equal objects are only faster). */
const BASE = new Map<string, Outcome>();
const BASE_MAX = 1 << 16;

function makeOutcome(family: 4 | 6, d: Decided): Outcome {
  const common = {
    family,
    ...(d.table !== undefined ? { table: d.table } : {}),
    ...(d.rule ? { rule: d.rule.pref } : {}),
  };
  const g = d.group;
  if (!g) return { ...common, ok: false, errno: d.errno ?? "ENETUNREACH", paths: [] };
  if (g.res.kind === "error") return { ...common, ok: false, errno: g.res.errno, paths: [] };
  const r = g.res.route;
  return {
    ...common,
    ok: true,
    type: r.type,
    paths: g.paths,
    ...(r.prefsrc ? { prefsrc: r.prefsrc } : {}),
    ...(g.src ? { src: g.src } : {}),
  };
}

/**
 * __mkroute_output: an IPv4 route to a limited broadcast destination is a broadcast (no
 * gateway), to a multicast one a multicast (no gateway through a route shorter than /4).
 * (ipv4_is_zeronet is only 0.0.0.0 on 6.x, handled before the lookup.) Splits a decided part
 * by those destination kinds.
 */
export function specialize(m: BddArena, fam: 4 | 6, d: Decided): [Bdd, Outcome][] {
  const o = baseOutcome(fam, d);
  if (fam === 6 || !o.ok) return [[d.pred, o]];
  const k = kinds(m);
  // Most parts hold neither kind (a route change's prefix): one path walk tells.
  if (!meets(m, d.pred, k.either)) return [[d.pred, o]];
  const out: [Bdd, Outcome][] = [];
  const rest = diff(m, d.pred, k.either);
  const bcast = and(m, d.pred, k.lbcast);
  const mcast = and(m, d.pred, k.mcast);
  if (rest !== FALSE) out.push([rest, o]);
  if (bcast !== FALSE) out.push([bcast, kindOf(o, "broadcast", d.group?.len ?? 32)]);
  if (mcast !== FALSE) out.push([mcast, kindOf(o, "multicast", d.group?.len ?? 32)]);
  return out;
}

/** The broadcast or multicast variant of `o` (one object per outcome and kind). */
function kindOf(o: Outcome, type: "broadcast" | "multicast", len: number): Outcome {
  let byType = KINDED.get(o);
  if (!byType) KINDED.set(o, (byType = new Map()));
  let x = byType.get(type);
  if (!x) {
    const noGw = o.paths.map((p) => ({ dev: p.dev }));
    const paths = type === "broadcast" || len < 4 ? noGw : o.paths;
    byType.set(type, (x = { ...o, type, paths }));
  }
  return x;
}

/** The IPv4 limited broadcast and multicast destinations, built once per arena. */
function kinds(m: BddArena): { lbcast: Bdd; mcast: Bdd; either: Bdd } {
  let k = KINDS.get(m);
  if (!k) {
    const lbcast = addrPrefix(m, "dst", v4(0xffffffff, 32));
    const mcast = addrPrefix(m, "dst", v4(0xe0000000, 4));
    KINDS.set(m, (k = { lbcast, mcast, either: or(m, lbcast, mcast) }));
  }
  return k;
}

const KINDS = new WeakMap<BddArena, { lbcast: Bdd; mcast: Bdd; either: Bdd }>();
const KINDED = new WeakMap<Outcome, Map<string, Outcome>>();
