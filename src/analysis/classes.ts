/**
 * Packet classes (atomic predicates) of a host's routing: a partition of all locally
 * generated packets such that every packet of a class gets the same outcome from the output
 * route lookup (ip_route_output_key_hash_rcu / ip6_pol_route): verdict, device(s), gateway,
 * route source, table and deciding rule.
 *
 * **Scope.** The universe is locally generated traffic from an unbound socket with no source
 * address (`ip route get DST [mark M] [uid U] [tos T] [ipproto P] [sport S] [dport D]`), both
 * families: dst, fwmark, uid, tos, ipproto and ports range over all values. Input lookups
 * (`iif`, `from`) are a universe of their own per ingress device (input.ts, IPv4 only).
 * Bound sockets (`oif`) and netfilter (marks written in OUTPUT, re-route, PREROUTING) are
 * not modelled yet: `universeNotes` says so, and PACKETS that need them are refused rather
 * than guessed. The multipath nexthop (flow hash) is not split on: a class's outcome
 * lists every path the route may take.
 *
 * **Incrementality.** An `Analysis` keeps each rule's predicate (by rule object) and each
 * table's partition (by family and table id) in its arena; after a change, `invalidate` the
 * tables that changed and call `classes()` again: only those partitions are rebuilt, and the
 * RPDB fold mostly hits the arena's operation cache.
 * @module
 */
import { TABLE } from "../core/kinds.js";
import { LO } from "../engine/types.js";
import type { HostState, Route, Rule } from "../model/types.js";
import { and, not, or } from "./bdd/apply.js";
import { type Bdd, type BddArena, FALSE } from "./bdd/arena.js";
import { satCount } from "./bdd/sat.js";
import {
  addrPrefix,
  createHeaderArena,
  eq,
  family as familyPred,
  type HeaderPacket,
  wellFormed,
} from "./header.js";
import { representative as pick } from "./describe.js";
import { type Outcome, outcomeKey } from "./outcome.js";
import { type Decided, type FoldMemo, foldMemo, foldRpdb } from "./rpdb.js";
import { inputOutcomes } from "./input.js";
import { type FlowView, HEADER_VIEW, MAX_DEV_INDEX, rulePred, viewKey } from "./rule-pred.js";
import { type TableGroup, type TableSpec, tablePartition } from "./table.js";

/** A set of packets with one outcome. */
export interface PacketClass {
  readonly pred: Bdd;
  readonly outcome: Outcome;
  /** Headers in the class (all free fields counted). */
  readonly count: bigint;
  /** The packet of the class with the fewest non-default fields. */
  readonly representative: HeaderPacket;
}

/** What the analysis does not model, said in every answer. */
export const universeNotes: readonly string[] = [
  "locally generated packets from unbound sockets without a source address; with iif: " +
    "IPv4 packets received on that device, as after PREROUTING (any mark)",
  "not modelled yet: IPv6 input, bound sockets (oif), netfilter mark writes and " +
    "re-route, PREROUTING, NAT; the multipath nexthop is not split per flow",
];

const v4 = (a: number, len: number) => ({ addr: { family: 4 as const, v: a }, len });

/** The routing analysis of one host state, with its caches. */
export class Analysis {
  readonly m: BddArena;
  private readonly matchers = new Map<string, (r: Rule) => Bdd>();
  private readonly inputs = new Map<number, Bdd>();
  private readonly tables = new Map<string, TableGroup[]>();
  private readonly universes = new Map<number, Bdd>();
  /** The route objects each cached partition was built from (`refresh` compares them). */
  private readonly built = new Map<string, readonly Route[]>();
  /** Links and sysctls the partitions were built under (usable nexthops depend on them). */
  private env = "";
  private readonly folds: Record<4 | 6, FoldMemo> = { 4: foldMemo(), 6: foldMemo() };
  private readonly specialized = new WeakMap<Decided, [Bdd, Outcome][]>();
  private readonly memo = new Map<string, { pred: Bdd; outcome: Outcome }[]>();
  /** rp_filter's drops per question (rpfilter.ts), until the next refresh. */
  readonly rpDrops = new Map<string, Bdd>();

  /** `m`: share another analysis' arena (diff compares the predicates of two hosts). */
  constructor(
    readonly s: HostState,
    m?: BddArena,
  ) {
    this.m = m ?? createHeaderArena();
    this.env = envKey(s);
  }

  /** The packets of `family` the analysis covers (see the module comment). */
  universe(family: 4 | 6): Bdd {
    const known = this.universes.get(family);
    if (known !== undefined) return known;
    const m = this.m;
    let u = and(m, familyPred(m, family), wellFormed(m));
    for (const [f, v] of [
      ["src", 0],
      ["iif", LO],
      ["oif", 0],
      ["ctmark", 0],
      ["ctstate", 0],
    ] as const)
      u = and(m, u, eq(m, f, v));
    this.universes.set(family, u);
    return u;
  }

  /**
   * The part of f `ip route get` can ask about: the kernel accepts only TCP, UDP and the
   * family's ICMP as `ipproto` (rtm_getroute_parse_ip_proto), so representatives come from
   * there when the class has such packets.
   */
  askable(f: Bdd, family: 4 | 6): Bdd {
    const m = this.m;
    const icmp = eq(m, "ipproto", family === 4 ? 1 : 58);
    return and(m, f, or(m, eq(m, "ipproto", 17), or(m, eq(m, "ipproto", 6), icmp)));
  }

  /** Forget a table's partition after its routes changed (local/main also drop "merged"). */
  invalidateTable(family: 4 | 6, table: number): void {
    this.memo.clear();
    this.rpDrops.clear();
    for (const f of ["", "@src"]) {
      this.tables.delete(`${family}:${table}${f}`);
      if (family === 4 && (table === TABLE.local || table === TABLE.main))
        this.tables.delete(`4:merged${f}`);
    }
  }

  /** Forget every cached table (after link or sysctl changes, which change usable routes). */
  invalidateAll(): void {
    this.memo.clear();
    this.rpDrops.clear();
    this.folds[4] = foldMemo();
    this.folds[6] = foldMemo();
    this.built.clear();
    this.tables.clear();
    this.matchers.clear();
    this.rule = this.matcher(HEADER_VIEW, false);
  }

  /**
   * The predicate of a rule for lookups whose flow keys come from `view` (cached per view and
   * rule object). `hasSaddr`: the flows have a source address (input, reverse lookups).
   */
  matcher(view: FlowView, hasSaddr: boolean): (r: Rule) => Bdd {
    const k = `${viewKey(view)}|${+hasSaddr}`;
    let f = this.matchers.get(k);
    if (!f) {
      const cache = new Map<Rule, Bdd>();
      // The context is read at call time: `rule` is made before the constructor sets `m`.
      f = (r: Rule): Bdd => {
        let p = cache.get(r);
        if (p === undefined)
          cache.set(r, (p = rulePred({ m: this.m, s: this.s, hasSaddr, view }, r)));
        return p;
      };
      this.matchers.set(k, f);
    }
    return f;
  }

  private rule = this.matcher(HEADER_VIEW, false);

  /** Table partitions over `field` (dst; src for the rp_filter reverse lookup), cached. */
  tablesOn(field: "dst" | "src"): (family: 4 | 6, t: TableSpec) => readonly TableGroup[] {
    return field === "dst" ? this.table : this.srcTable;
  }

  private tableOn(family: 4 | 6, t: TableSpec, field: "dst" | "src"): readonly TableGroup[] {
    const base = `${family}:${t}`;
    const k = field === "dst" ? base : `${base}@src`;
    let g = this.tables.get(k);
    if (!g) {
      this.tables.set(k, (g = tablePartition(this.m, this.s, family, t, field)));
      this.built.set(k, this.routesNow().get(base) ?? []);
    }
    return g;
  }

  private table = (family: 4 | 6, t: TableSpec): readonly TableGroup[] =>
    this.tableOn(family, t, "dst");
  private srcTable = (family: 4 | 6, t: TableSpec): readonly TableGroup[] =>
    this.tableOn(family, t, "src");

  /**
   * The IPv4 packets received on device `ifindex` (input.ts): uid 0 and no oif, as input
   * lookups have them; src, dst, mark, tos and L4 fields free.
   */
  inputUniverse(ifindex: number): Bdd {
    let u = this.inputs.get(ifindex);
    if (u === undefined) {
      const m = this.m;
      u = and(m, familyPred(m, 4), wellFormed(m));
      for (const [f, v] of [
        ["iif", ifindex],
        ["oif", 0],
        ["uid", 0],
        ["ctmark", 0],
        ["ctstate", 0],
      ] as const)
        u = and(m, u, eq(m, f, v));
      this.inputs.set(ifindex, u);
    }
    return u;
  }

  /** The devices packets can be received on (those the 8-bit iif field can name). */
  inputDevices(): number[] {
    return this.s.links.filter((l) => l.ifindex <= MAX_DEV_INDEX).map((l) => l.ifindex);
  }

  /** The union of the input universes of `devs` (all devices by default). */
  inputUniverseOf(devs: readonly number[] = this.inputDevices()): Bdd {
    let u = FALSE;
    for (const d of devs) u = or(this.m, u, this.inputUniverse(d));
    return u;
  }

  /** The universe an outcome's packets come from (for descriptions). */
  universeOf(o: Outcome): Bdd {
    return o.input ? this.inputUniverseOf() : this.universe(o.family === 4 ? 4 : 6);
  }

  /**
   * Outcomes of the packets received on `devs`, merged by outcome across devices. Memoized
   * until the next `refresh`.
   */
  inputOutcomes(devs: readonly number[]): { pred: Bdd; outcome: Outcome }[] {
    const k = `in:${devs.join(",")}`;
    let r = this.memo.get(k);
    if (r) return r;
    const byKey = new Map<string, { pred: Bdd; outcome: Outcome }>();
    for (const d of devs) {
      let one = this.memo.get(`in:${d}`);
      if (!one) this.memo.set(`in:${d}`, (one = inputOutcomes(this, d)));
      for (const x of one) {
        const ok = outcomeKey(x.outcome);
        const old = byKey.get(ok);
        byKey.set(ok, old ? { pred: or(this.m, old.pred, x.pred), outcome: x.outcome } : x);
      }
    }
    this.memo.set(k, (r = [...byKey.values()]));
    return r;
  }

  /** The host's routes by `family:table` (and `4:merged`), in array order. */
  private routesNow(): Map<string, Route[]> {
    // Numeric keys while scanning (no string per route): table * 2 + (IPv6 ? 1 : 0).
    const by = new Map<number, Route[]>();
    const merged: Route[] = [];
    for (const r of this.s.routes) {
      const k = r.table * 2 + (r.family === 6 ? 1 : 0);
      const l = by.get(k);
      if (l) l.push(r);
      else by.set(k, [r]);
      if (r.family === 4 && (r.table === TABLE.local || r.table === TABLE.main)) merged.push(r);
    }
    const out = new Map<string, Route[]>([["4:merged", merged]]);
    for (const [k, l] of by) out.set(`${k & 1 ? 6 : 4}:${Math.floor(k / 2)}`, l);
    return out;
  }

  /**
   * Bring the caches up to date after the host changed: tables whose routes changed (by
   * object identity: the model replaces a route it changes) are rebuilt on next use, all of
   * them when links or sysctls changed. Rules need nothing: their predicates are cached by
   * rule object and the RPDB fold is recomputed on every question.
   */
  refresh(): void {
    this.memo.clear();
    this.rpDrops.clear();
    const env = envKey(this.s);
    if (env !== this.env) {
      this.env = env;
      this.invalidateAll();
      return;
    }
    const now = this.routesNow();
    for (const [k, old] of this.built) {
      const cur = now.get(k.replace("@src", "")) ?? [];
      if (cur.length !== old.length || cur.some((r, i) => r !== old[i])) {
        this.tables.delete(k);
        this.built.delete(k);
      }
    }
  }

  /** The decided parts of one family, before merging by outcome. */
  decided(family: 4 | 6): Decided[] {
    let start = this.universe(family);
    if (family === 4) start = and(this.m, start, not(this.m, this.zeroDst()));
    return foldRpdb(this.m, this.s, family, start, this.rule, this.table, this.folds[family]);
  }

  private zeroDst(): Bdd {
    this.zero ??= addrPrefix(this.m, "dst", v4(0, 32));
    return this.zero;
  }
  private zero: Bdd | undefined;

  /**
   * Outcomes with their packet sets, merged by outcome (no counts or representatives).
   * Memoized until the next `refresh` (every question of a Host refreshes first).
   */
  outcomes(families: readonly (4 | 6)[] = [4, 6]): { pred: Bdd; outcome: Outcome }[] {
    const k = families.join(",");
    let r = this.memo.get(k);
    if (!r) this.memo.set(k, (r = this.computeOutcomes(families)));
    return r;
  }

  private computeOutcomes(families: readonly (4 | 6)[]): { pred: Bdd; outcome: Outcome }[] {
    const byKey = new Map<string, { pred: Bdd; outcome: Outcome }>();
    const add = (pred: Bdd, outcome: Outcome): void => {
      if (pred === FALSE) return;
      const k = outcomeKey(outcome);
      const old = byKey.get(k);
      byKey.set(k, old ? { pred: or(this.m, old.pred, pred), outcome } : { pred, outcome });
    };
    for (const fam of families) {
      if (fam === 4) {
        const z = and(this.m, this.universe(4), this.zeroDst());
        add(z, {
          family: 4,
          ok: true,
          type: "local",
          paths: [{ dev: LO }],
          special: "no destination: loopback to ourselves",
        });
      }
      for (const d of this.decided(fam)) {
        // Decided parts before a change are the same objects (the fold resumes): reuse.
        let parts = this.specialized.get(d);
        if (!parts) this.specialized.set(d, (parts = specialize(this.m, fam, d)));
        for (const [p, o] of parts) add(p, o);
      }
    }
    return [...byKey.values()];
  }

  /**
   * Every class, biggest first, each restricted to `filter` (a predicate over the header;
   * classes outside it are dropped).
   */
  classes(
    filter?: Bdd,
    families: readonly (4 | 6)[] = [4, 6],
    iifs?: readonly number[],
  ): PacketClass[] {
    const out: PacketClass[] = [];
    const list = iifs ? this.inputOutcomes(iifs) : this.outcomes(families);
    for (const { pred, outcome } of list) {
      const p = filter === undefined ? pred : and(this.m, pred, filter);
      if (p === FALSE) continue;
      const representative = pick(this.m, this.askable(p, outcome.family)) ?? pick(this.m, p);
      if (!representative) continue;
      out.push({ pred: p, outcome, count: satCount(this.m, p), representative });
    }
    return out.sort((a, b) =>
      a.outcome.family !== b.outcome.family
        ? a.outcome.family - b.outcome.family
        : a.count < b.count
          ? 1
          : a.count > b.count
            ? -1
            : 0,
    );
  }
}

/** The outcome of a decided part, before the destination's own kind is applied. */
function baseOutcome(family: 4 | 6, d: Decided): Outcome {
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
  };
}

/**
 * __mkroute_output: an IPv4 route to a limited broadcast destination is a broadcast (no
 * gateway), to a multicast one a multicast (no gateway through a route shorter than /4).
 * (ipv4_is_zeronet is only 0.0.0.0 on 6.x, handled before the lookup.) Splits a decided part
 * by those destination kinds.
 */
function specialize(m: BddArena, fam: 4 | 6, d: Decided): [Bdd, Outcome][] {
  const o = baseOutcome(fam, d);
  if (fam === 6 || !o.ok) return [[d.pred, o]];
  const lbcast = addrPrefix(m, "dst", v4(0xffffffff, 32));
  const mcast = addrPrefix(m, "dst", v4(0xe0000000, 4));
  const rest = and(m, d.pred, not(m, or(m, lbcast, mcast)));
  const noGw = o.paths.map((p) => ({ dev: p.dev }));
  const len = d.group?.len ?? 32;
  return [
    [rest, o],
    [and(m, d.pred, lbcast), { ...o, type: "broadcast", paths: noGw }],
    [and(m, d.pred, mcast), { ...o, type: "multicast", paths: len < 4 ? noGw : o.paths }],
  ];
}

/** What usable nexthops and rule devices depend on besides routes: links and sysctls. */
function envKey(s: HostState): string {
  const links = s.links.map((l) => `${l.ifindex}:${l.name}:${+l.up}:${+l.carrier}:${l.group}`);
  return `${links.join(",")}|${[...s.sysctl].join(",")}`;
}
