/**
 * Answering for all packets: PACKETS selectors as BDDs, OUTCOME expressions on outcomes, and
 * `check` (an assertion holds, or here is the simplest packet that breaks it).
 * @module
 */
import { addrEq } from "../addr/ip.js";
import { issue } from "../core/issue.js";
import type { Family } from "../core/kinds.js";
import { err, ok, type Result } from "../core/result.js";
import { linkByName } from "../model/links.js";
import type { HostState } from "../model/types.js";
import type { Assertion, OutcomeExpr, Selector } from "./assert.js";
import { and, not, or } from "./bdd/apply.js";
import { type Bdd, type BddArena, FALSE, TRUE } from "./bdd/arena.js";
import { boundOutcomesOf } from "./bound.js";
import type { Analysis, PacketClass } from "./classes.js";
import { preferred, type Witness, witnessAfter } from "./describe.js";
import { addrPrefix, type HeaderPacket, maskedEq, range } from "./header.js";
import { isDelivered, isSent, type Outcome, type Path } from "./outcome.js";

/** The families PACKETS asks about (`-4`/`-6`, else both). */
export function familiesOf(sel: readonly Selector[]): (4 | 6)[] {
  const f = sel.flatMap((s) => (s.kind === "family" ? [s.family] : []));
  return f.length ? [...new Set(f)] : [4, 6];
}

/** The packets of `family` the selectors describe (dst prefixes of other families drop out). */
export function selectorPred(m: BddArena, sel: readonly Selector[], family: Family): Bdd {
  let f = TRUE;
  for (const s of sel) {
    // iif chooses the universe (inputDevices): nothing to add here.
    if (s.kind === "family" || s.kind === "iif") continue;
    let p = FALSE;
    if (s.kind === "dst" || s.kind === "src") {
      for (const x of s.prefixes)
        if (x.addr.family === family) p = or(m, p, addrPrefix(m, s.kind, x));
    } else
      for (const it of s.items)
        p = or(
          m,
          p,
          it.mask !== undefined
            ? maskedEq(m, s.field, it.lo & it.mask, it.mask)
            : range(m, s.field, it.lo, it.hi),
        );
    f = and(m, f, s.not ? not(m, p) : p);
  }
  return f;
}

/**
 * The ingress devices (ifindexes) PACKETS asks about, undefined for locally generated
 * packets (no `iif`); an unknown device is an error, as in OUTCOME.
 */
export function inputDevices(a: Analysis, sel: readonly Selector[]): Result<number[] | undefined> {
  let devs: number[] | undefined;
  for (const x of sel) {
    if (x.kind !== "iif") continue;
    const named: number[] = [];
    for (const n of x.names) {
      const l = linkByName(a.s, n);
      if (!l) return err(issue("analysis.unknown", `Cannot find device "${n}"`, { token: n }));
      named.push(l.ifindex);
    }
    devs = (devs ?? a.inputDevices()).filter((d) => named.includes(d) !== x.not);
  }
  return ok(devs);
}

/**
 * Whether PACKETS are locally generated from a socket bound to a source address: `from`
 * without `iif` (bound.ts).
 */
export const boundOf = (sel: readonly Selector[]): boolean =>
  sel.some((x) => x.kind === "src") && !sel.some((x) => x.kind === "iif");

/** The union over the asked families of their universe ∧ selectors. */
export function packetsPred(a: Analysis, sel: readonly Selector[]): Bdd {
  const devs = inputDevices(a, sel);
  const input = devs.ok ? devs.value : undefined;
  let f = FALSE;
  for (const fam of familiesOf(sel)) {
    const u = input
      ? a.inputUniverseOf(input, [fam])
      : boundOf(sel)
        ? a.boundUniverse(fam)
        : a.universe(fam);
    f = or(a.m, f, and(a.m, u, selectorPred(a.m, sel, fam)));
  }
  return f;
}

/** Devices and tables named in an OUTCOME must exist: an unknown name is a typo, not "never". */
export function resolveOutcome(s: HostState, e: OutcomeExpr): Result<true> {
  switch (e.kind) {
    case "dev":
      return linkByName(s, e.name)
        ? ok(true)
        : err(issue("analysis.unknown", `Cannot find device "${e.name}"`, { token: e.name }));
    case "table":
      return tableId(s, e.table) !== undefined
        ? ok(true)
        : err(issue("analysis.unknown", `table "${e.table}" is not a table id or name`));
    case "not":
      return resolveOutcome(s, e.e);
    case "and":
    case "or": {
      const a = resolveOutcome(s, e.a);
      return a.ok ? resolveOutcome(s, e.b) : a;
    }
    default:
      return ok(true);
  }
}

/** A table id from a number or an rt_tables name. */
export function tableId(s: HostState, t: string): number | undefined {
  if (/^\d+$/.test(t)) return Number(t);
  for (const [id, name] of s.tableNames) if (name === t) return id;
  return undefined;
}

/** Does the outcome, taking `path` (one of a multipath's), satisfy the expression? */
export function holds(s: HostState, e: OutcomeExpr, o: Outcome, path?: Path): boolean {
  switch (e.kind) {
    case "dev":
      return !!path && path.dev === linkByName(s, e.name)?.ifindex;
    case "via":
      return !!path && addrEq(path.gateway, e.addr);
    case "table":
      return o.table !== undefined && o.table === tableId(s, e.table);
    case "rule":
      return o.rule === e.pref;
    case "delivered":
      return isDelivered(o);
    case "dropped":
      return !o.ok;
    case "sent":
      return isSent(o);
    case "not":
      return !holds(s, e.e, o, path);
    case "and":
      return holds(s, e.a, o, path) && holds(s, e.b, o, path);
    case "or":
      return holds(s, e.a, o, path) || holds(s, e.b, o, path);
  }
}

/** Whether the expression holds for every path the outcome may take / for some path. */
export function forPaths(
  s: HostState,
  e: OutcomeExpr,
  o: Outcome,
): { all: boolean; some: boolean } {
  const paths: (Path | undefined)[] = o.paths.length ? [...o.paths] : [undefined];
  const r = paths.map((p) => holds(s, e, o, p));
  return { all: r.every((x) => x), some: r.some((x) => x) };
}

/** One assertion's answer: it holds, or a counterexample with its outcome. */
export interface CheckResult {
  readonly assertion: Assertion;
  readonly holds: boolean;
  /** reply-of: the original packet the counterexample answers (reply.ts). */
  readonly original?: HeaderPacket;
  /** reply-of: the original's ingress device, when PACKETS names one. */
  readonly originalIif?: string;
  /** What the answer assumes or leaves out (reply-of). */
  readonly notes?: readonly string[];
  readonly counterexample?: HeaderPacket;
  readonly outcome?: Outcome;
  /** Packets the assertion is about (0 means it is vacuous). */
  readonly packets: bigint | undefined;
  /**
   * Rules (or re-routes) some asked packets meet that the analysis does not model: the
   * answer holds for the other packets only.
   */
  readonly unmodelled?: readonly string[];
}

/**
 * What an Analysis keeps per assertion text between questions: its PACKETS as a BDD, and per
 * outcome whether it violates the assertion and which of its packets do (by the outcome's
 * set: unchanged sets after a change answer from here). Dropped when the analysis starts
 * over (`epoch`).
 */
interface Kept {
  readonly epoch: number;
  readonly packets: Bdd;
  readonly violates: WeakMap<Outcome, boolean>;
  /**
   * Per class set (a canonical node: a set a change gives back, as a route added and deleted
   * again, is the same node): the asked packets in it and their witness. Cleared when it
   * grows past HITS_MAX.
   */
  readonly hits: Map<Bdd, Hit>;
  /** Per outcome, the last hit computed for its class: a changed class's witness starts there. */
  readonly last: WeakMap<Outcome, Hit>;
}

/** The asked packets in one class and their witness. */
interface Hit {
  readonly set: Bdd;
  readonly w: Witness | undefined;
}

const HITS_MAX = 4096;

const KEPT = new WeakMap<Analysis, Map<string, Kept>>();

function kept(a: Analysis, as: Assertion): Kept {
  let byText = KEPT.get(a);
  if (!byText) KEPT.set(a, (byText = new Map()));
  let k = byText.get(as.text);
  if (!k || k.epoch !== a.epoch) {
    const packets = packetsPred(a, as.packets);
    byText.set(
      as.text,
      (k = {
        epoch: a.epoch,
        packets,
        violates: new WeakMap(),
        hits: new Map(),
        last: new WeakMap(),
      }),
    );
  }
  return k;
}

/**
 * Answer an assertion for every packet: `always` fails on a packet some path of whose outcome
 * breaks OUTCOME, `never` on one some path of whose outcome satisfies it. The counterexample
 * is the violating packet with the fewest non-default fields: the preferred of each violating
 * outcome's own (describe.ts `preferred`), so no union of the violations is built.
 */
export function checkAssertion(a: Analysis, as: Assertion): Result<CheckResult> {
  if (as.reply)
    return err(issue("analysis.unsupported", "reply-of assertions are answered by checkReply"));
  const r = resolveOutcome(a.s, as.outcome);
  if (!r.ok) return r;
  const devs = inputDevices(a, as.packets);
  if (!devs.ok) return devs;
  const m = a.m;
  const k = kept(a, as);
  let best: { w: Witness; outcome: Outcome } | undefined;
  const fams = familiesOf(as.packets);
  const outcomes = devs.value
    ? a.inputOutcomes(devs.value, fams)
    : boundOf(as.packets)
      ? boundOutcomesOf(a, fams)
      : a.outcomes(fams);
  // Packets meeting a rule the analysis does not model are not answered (never guessed): they
  // are the classes of unknown outcome (classes are disjoint, so the others stay whole).
  const unknown = unmodelled(a, outcomes, k.packets);
  const notes = unknown.notes.length ? { unmodelled: unknown.notes } : {};
  for (const c of outcomes) {
    if (c.outcome.nf?.verdict === "unknown") continue;
    let violates = k.violates.get(c.outcome);
    if (violates === undefined) {
      const p = forPaths(a.s, as.outcome, c.outcome);
      violates = as.quantifier === "always" ? !p.all : p.some;
      k.violates.set(c.outcome, violates);
    }
    if (!violates) continue;
    let h = k.hits.get(c.pred);
    if (!h) {
      if (k.hits.size >= HITS_MAX) k.hits.clear();
      const set = and(m, c.pred, k.packets);
      const last = k.last.get(c.outcome);
      h = { set, w: witnessAfter(m, set, last ?? { set: FALSE, w: undefined }) };
      k.hits.set(c.pred, h);
      k.last.set(c.outcome, h);
    }
    const w = h.w;
    if (w && (!best || !preferred(best.w, w))) best = { w, outcome: c.outcome };
  }
  if (!best) return ok({ assertion: as, holds: true, packets: undefined, ...notes });
  return ok({
    assertion: as,
    holds: false,
    counterexample: best.w.packet,
    outcome: best.outcome,
    packets: undefined,
    ...notes,
  });
}

/**
 * The asked packets that meet a netfilter rule or re-route the analysis does not model (their
 * outcome is unknown: the assertion is not answered for them), and a note per rule.
 */
function unmodelled(
  a: Analysis,
  outcomes: readonly { pred: Bdd; outcome: Outcome }[],
  packets: Bdd,
): { pred: Bdd; notes: string[] } {
  let pred = FALSE;
  const notes = new Set<string>();
  for (const c of outcomes) {
    const nf = c.outcome.nf;
    if (nf?.verdict !== "unknown") continue;
    const hit = and(a.m, c.pred, packets);
    if (hit === FALSE) continue;
    pred = or(a.m, pred, hit);
    const where = nf.where ? ` (${nf.where})` : "";
    notes.add(`${nf.by ?? "a rule"}${where}: ${nf.what ?? "?"}`);
  }
  return { pred, notes: [...notes] };
}

/** The classes restricted to PACKETS (map's filter); `iif` maps received packets. */
export function mapClasses(a: Analysis, sel: readonly Selector[]): Result<PacketClass[]> {
  const devs = inputDevices(a, sel);
  if (!devs.ok) return devs;
  const fams = familiesOf(sel);
  const bound = boundOf(sel) ? boundOutcomesOf(a, fams) : undefined;
  return ok(a.classes(packetsPred(a, sel), fams, devs.value, bound));
}
