/**
 * Packet classes (atomic predicates) of a host's routing: a partition of all locally
 * generated packets such that every packet of a class gets the same outcome from the output
 * route lookup (ip_route_output_key_hash_rcu / ip6_pol_route): verdict, device(s), gateway,
 * route source, table and deciding rule.
 *
 * **Scope.** The universe is locally generated traffic from an unbound socket with no source
 * address (`ip route get DST [mark M] [uid U] [tos T] [ipproto P] [sport S] [dport D]`), both
 * families: dst, fwmark, uid, tos, ipproto and ports range over all values. The OUTPUT hook
 * and its re-route are modelled (./netfilter/output.ts). Input lookups (`iif`) are universes
 * per ingress device and family (input.ts, input6.ts; IPv4 through PREROUTING,
 * ./netfilter/prerouting.ts); bound sources (`from`) too (bound.ts). `oif`, IPv6
 * PREROUTING, POSTROUTING and NAT are not modelled yet: `universeNotes` says so, and PACKETS
 * that need them are refused rather than guessed. The multipath nexthop (flow hash) is not
 * split on: a class's outcome lists every path the route may take.
 *
 * **Incrementality.** An `Analysis` keeps each rule's predicate (by rule object), each
 * table's partition (by family and table id), the RPDB walk (rpdb.ts FoldMemo) and the
 * outcomes in its arena; `refresh` brings them up to date after the host changed. Routes
 * added or removed (read from the FIB index's journal) only move the packets under their
 * prefixes: the partitions, the walk and the outcomes are patched there and kept elsewhere
 * (Delta-net's idea). A rule added or removed patches them for the packets that reach it
 * and match it (rpdb.ts ruleChangeRegion) and, with OUTPUT chains, those whose re-route
 * meets it with their new mark; or re-walks the RPDB from that rule on (APKeep's idea) when
 * a goto is involved. A class's final mark keys it as the OUTPUT walk built it, so patched
 * and fresh classes are the same sets.
 *
 * Kept whole: `Analysis` is one set of caches (partitions, rule predicates, walks, outcomes)
 * that every question reads and every patch updates together; split, they would have to be
 * exported.
 * @module
 */
import { type Addr, addrEq, type Prefix } from "../addr/ip.js";
import { TABLE } from "../core/kinds.js";
import { LO } from "../engine/types.js";
import type { HostState, Rule } from "../model/types.js";
import { requiresFlowDissect } from "../engine/rules.js";
import type { NfBaseChain } from "../netfilter/types.js";
import { and, diff, meets, not, or } from "./bdd/apply.js";
import { type Bdd, type BddArena, FALSE, TRUE } from "./bdd/arena.js";
import { cube, restrict } from "./bdd/quantify.js";
import { satCount } from "./bdd/sat.js";
import {
  addrPrefix,
  createHeaderArena,
  eq,
  FIELDS,
  type FieldName,
  family as familyPred,
  type HeaderPacket,
  wellFormed,
} from "./header.js";
import { familyOfKey, RouteSets, rulesOf, sameList } from "./changes.js";
import { representative as pick } from "./describe.js";
import { compose, type MarkVec, vecKey } from "./netfilter/markvec.js";
import {
  type HookPlan,
  hookPlan,
  markOn,
  type OutputCtx,
  outputHook,
  type Part,
} from "./netfilter/output.js";
import { type PreroutingCtx, preroutingChains, preroutingHook } from "./netfilter/prerouting.js";
import { type Outcome, outcomeKey } from "./outcome.js";
import {
  type Decided,
  type FoldMemo,
  foldMemo,
  foldRpdb,
  patchFold,
  ruleChangeRegion,
} from "./rpdb.js";
import { inputOutcomes } from "./input.js";
import { inputOutcomes6, inputPartition6 } from "./input6.js";
import { type FlowView, HEADER_VIEW, MAX_DEV_INDEX, rulePred, viewKey } from "./rule-pred.js";
import { specialize } from "./specialize.js";
import {
  familyOk,
  MC_REROUTE,
  PORTS,
  refusedBySrc,
  unknownAtReroute,
} from "./netfilter/reroute.js";
import {
  patchPartition,
  routeOrder,
  type TableGroup,
  type TableSpec,
  tablePartition,
} from "./table.js";

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
  "locally generated packets from unbound sockets without a source address (broadcast " +
    "allowed, as with SO_BROADCAST), the first packet of a flow; with from and no iif: from " +
    "a socket bound to that source (IPv6: any source, as the lookup does not check it; " +
    "not with OUTPUT chains); with iif: packets received on that device with whatever mark " +
    "they arrive with, the first packet of a flow: IPv4 through PREROUTING and " +
    "ip_route_input_slow, IPv6 as after PREROUTING through ip6_route_input's route lookup " +
    "(what ip6_rcv_core drops before it and ip6_forward after it, such as forwarding off, " +
    "is not modelled)",
  "netfilter OUTPUT and IPv4 PREROUTING (iptables and nft: addresses, sets, ports, marks, " +
    "ct mark and state, uid owner, devices, address types in PREROUTING; MARK/CONNMARK, " +
    "meta/ct mark set, TPROXY with " +
    "the proxy's socket taken as listening) and the re-route an OUTPUT mark change " +
    "triggers are modelled; a rule using anything else (NAT among them) is named and its " +
    "packets not answered",
  "not modelled yet: bound sockets (oif), IPv6 PREROUTING, INPUT, FORWARD, POSTROUTING and " +
    "the loop through lo, NAT, IPv6 source-specific routes for received packets; the " +
    "multipath nexthop is not split per flow",
];

const v4 = (a: number, len: number) => ({ addr: { family: 4 as const, v: a }, len });

/** The routing analysis of one host state, with its caches. */
export class Analysis {
  readonly m: BddArena;
  private readonly matchers = new Map<string, (r: Rule) => Bdd>();
  private readonly inputs = new Map<string, Bdd>();
  private readonly tables = new Map<string, TableGroup[]>();
  private readonly universes = new Map<number, Bdd>();
  private readonly routeSets: RouteSets;
  /** Links and sysctls the partitions were built under (usable nexthops depend on them). */
  private env = "";
  private readonly folds: Record<4 | 6, FoldMemo> = { 4: foldMemo(), 6: foldMemo() };
  private readonly specialized = new WeakMap<Decided, [Bdd, Outcome][]>();
  /** Each family's outcomes by outcomeKey, kept until a change it cannot patch. */
  private readonly famOut = new Map<4 | 6, Map<string, OutcomeSet>>();
  private readonly keys = new WeakMap<Outcome, string>();
  /** The rules (and custom-rules flag) each family's outcomes were computed under. */
  private readonly rulesSeen = new Map<4 | 6, readonly (Rule | boolean)[]>();
  /** Whether re-routes dissected the flow (requiresFlowDissect) when outcomes were computed. */
  private readonly dissected = new Map<4 | 6, boolean>();
  /** Bumped when every cache is dropped (links or sysctls changed): callers' caches too. */
  epoch = 0;
  /** Received packets' outcomes (inputOutcomes), until the next refresh. */
  private readonly memo = new Map<string, { pred: Bdd; outcome: Outcome }[]>();
  /** rp_filter's drops per question (rpfilter.ts), until the next refresh. */
  readonly rpDrops = new Map<string, Bdd>();
  /** Netfilter address sets compiled to predicates, by content (kept: the arena is). */
  private readonly sets = new Map<string, Bdd>();
  /** Re-route folds by family and mark transformer, and rules composed with each. */
  private rerouteMemo = new Map<string, Reroute>();
  private composed = new WeakMap<Rule, Map<string, Bdd>>();
  /** Each family's OUTPUT walk over all its packets, for the chains it was walked on. */
  private readonly plans = new Map<4 | 6, { chains: readonly NfBaseChain[]; plan: HookPlan }>();

  /**
   * `m`: share another analysis' arena (diff compares the predicates of two hosts).
   * `chains`: the host's netfilter base chains (read on every question), for the OUTPUT hook.
   */
  constructor(
    readonly s: HostState,
    m?: BddArena,
    private readonly chains: () => readonly NfBaseChain[] = () => [],
  ) {
    this.m = m ?? createHeaderArena();
    this.env = envKey(s);
    this.routeSets = new RouteSets(s);
  }

  /** The packets of `family` the analysis covers (see the module comment). */
  universe(family: 4 | 6): Bdd {
    const known = this.universes.get(family);
    if (known !== undefined) return known;
    const m = this.m;
    const u = withFields(m, family, TRUE, [
      ["src", 0],
      ["iif", LO],
      ["oif", 0],
      ["ctmark", 0],
      ["ctstate", 0],
    ]);
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
    this.famOut.clear();
    this.memo.clear();
    this.rpDrops.clear();
    const keys = [`${family}:${table}`];
    if (family === 4 && (table === TABLE.local || table === TABLE.main)) keys.push("4:merged");
    for (const k of keys) {
      this.tables.delete(k);
      this.dropDerived(k);
    }
  }

  /** Forget every cached table (after link or sysctl changes, which change usable routes). */
  invalidateAll(): void {
    this.epoch++;
    this.famOut.clear();
    this.memo.clear();
    this.rpDrops.clear();
    this.folds[4] = foldMemo();
    this.folds[6] = foldMemo();
    this.routeSets.clear();
    this.tables.clear();
    this.matchers.clear();
    this.rule = this.matcher(HEADER_VIEW, false);
    this.rerouteMemo = new Map();
    this.composed = new WeakMap();
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
      const routes = [...this.routeSets.get(base)].sort(routeOrder);
      this.tables.set(k, (g = tablePartition(this.m, this.s, family, t, field, routes)));
    }
    return g;
  }

  private table = (family: 4 | 6, t: TableSpec): readonly TableGroup[] =>
    this.tableOn(family, t, "dst");
  private srcTable = (family: 4 | 6, t: TableSpec): readonly TableGroup[] =>
    this.tableOn(family, t, "src");

  /**
   * The packets of `family` received on device `ifindex` (input.ts, input6.ts): uid 0 and no
   * oif, as input lookups have them; src, dst, mark, tos and L4 fields free.
   */
  inputUniverse(ifindex: number, family: 4 | 6 = 4): Bdd {
    const k = `${family}:${ifindex}`;
    let u = this.inputs.get(k);
    if (u === undefined) {
      const m = this.m;
      u = withFields(m, family, TRUE, [
        ["iif", ifindex],
        ["oif", 0],
        ["uid", 0],
        ["ctmark", 0],
        ["ctstate", 0],
      ]);
      this.inputs.set(k, u);
    }
    return u;
  }

  /** The devices packets can be received on (those the 8-bit iif field can name). */
  inputDevices(): number[] {
    return this.s.links.filter((l) => l.ifindex <= MAX_DEV_INDEX).map((l) => l.ifindex);
  }

  /** The union of the input universes of `devs` (all devices by default) and `families`. */
  inputUniverseOf(
    devs: readonly number[] = this.inputDevices(),
    families: readonly (4 | 6)[] = [4],
  ): Bdd {
    let u = FALSE;
    for (const f of families) for (const d of devs) u = or(this.m, u, this.inputUniverse(d, f));
    return u;
  }

  /** The universe an outcome's packets come from (for descriptions). */
  universeOf(o: Outcome): Bdd {
    const fam = o.family === 4 ? 4 : 6;
    if (o.input) return this.inputUniverseOf(undefined, [fam]);
    return o.bound ? this.boundUniverse(fam) : this.universe(fam);
  }

  /**
   * The packets of `family` from sockets bound to a source address (bound.ts): as
   * `universe`, but the source free and not 0.0.0.0 / :: (the unbound socket's).
   */
  boundUniverse(family: 4 | 6): Bdd {
    const k = `bound${family}`;
    let u = this.inputs.get(k);
    if (u === undefined) {
      const m = this.m;
      u = withFields(m, family, not(m, eq(m, "src", 0)), [
        ["iif", LO],
        ["oif", 0],
        ["ctmark", 0],
        ["ctstate", 0],
      ]);
      this.inputs.set(k, u);
    }
    return u;
  }

  /** Outcomes a caller derives (bound.ts), kept by `key` until the next `refresh`. */
  kept(key: string, make: () => OutcomeSet[]): OutcomeSet[] {
    let r = this.memo.get(`kept:${key}`);
    if (!r) this.memo.set(`kept:${key}`, (r = make()));
    return r;
  }

  /** Whether netfilter OUTPUT chains of `fam` rewrite the routing outcomes. */
  outputHooked(fam: 4 | 6): boolean {
    return this.hooked(fam);
  }

  /**
   * Table partitions of the IPv6 input lookups on `ifindex` (input6.ts inputPartition6),
   * cached beside the table's own partition.
   */
  inputTables6(ifindex: number): (family: 4 | 6, t: TableSpec) => readonly TableGroup[] {
    return (_family, t) => {
      const k = `6:${t}@in${ifindex}`;
      let g = this.tables.get(k);
      if (!g) {
        const routes = [...this.routeSets.get(`6:${t}`)].sort(routeOrder);
        this.tables.set(k, (g = inputPartition6(this.m, this.s, t, ifindex, routes)));
      }
      return g;
    };
  }

  /** Forget the partitions built from table `k`'s (`FAMILY:TABLE`) but its own. */
  private dropDerived(k: string): void {
    this.tables.delete(`${k}@src`);
    for (const x of [...this.tables.keys()]) if (x.startsWith(`${k}@in`)) this.tables.delete(x);
  }

  /**
   * Outcomes of the packets of `families` received on `devs` (input.ts, input6.ts), merged by
   * outcome across devices. Memoized until the next `refresh`.
   */
  inputOutcomes(
    devs: readonly number[],
    families: readonly (4 | 6)[] = [4],
  ): { pred: Bdd; outcome: Outcome }[] {
    const k = `in:${families.join("")}:${devs.join(",")}`;
    let r = this.memo.get(k);
    if (r) return r;
    const byKey = new Map<string, { pred: Bdd; outcome: Outcome }>();
    for (const fam of families)
      for (const d of devs) {
        const dk = `in${fam}:${d}`;
        let one = this.memo.get(dk);
        if (!one) this.memo.set(dk, (one = fam === 4 ? this.received(d) : inputOutcomes6(this, d)));
        for (const x of one) {
          const ok = outcomeKey(x.outcome);
          const old = byKey.get(ok);
          byKey.set(ok, old ? { pred: or(this.m, old.pred, x.pred), outcome: x.outcome } : x);
        }
      }
    // PREROUTING's mark is read on each merged class, as OUTPUT's (readMarks).
    this.readMarks(byKey);
    this.memo.set(k, (r = [...byKey.values()]));
    return r;
  }

  /** The host's netfilter base chains, as every question reads them. */
  nfChains(): readonly NfBaseChain[] {
    return this.chains();
  }

  /** The compiled address sets of the chains' matches (kept as long as the arena). */
  nfSets(): Map<string, Bdd> {
    return this.sets;
  }

  /** What PREROUTING's walk over the packets received on `dev` needs (prerouting.ts). */
  preroutingCtx(dev: number): PreroutingCtx {
    const all = this.chains();
    return {
      m: this.m,
      chains: preroutingChains(all),
      iif: this.s.links.find((l) => l.ifindex === dev)?.name ?? "",
      sets: this.sets,
      conntrack: all.some((c) => c.needsConntrack),
      addrType: (field, types) => this.addrType(field, types),
    };
  }

  /**
   * The IPv4 packets whose address in `field` has one of `types` (lower case), as the
   * engine's hostView.addrType answers xt_addrtype: the local table's route type for the
   * address (a lookup with tos 0), else multicast for 224.0.0.0/4, broadcast for
   * 255.255.255.255 and unicast. Built from the cached partitions of the local table.
   */
  private addrType(field: "src" | "dst", types: readonly string[]): Bdd {
    const m = this.m;
    const tos: number[] = [];
    for (let i = 0; i < FIELDS.tos.width; i++) tos.push(FIELDS.tos.offset + i);
    const tos0 = cube(
      m,
      tos,
      tos.map(() => 0),
    );
    let routed = FALSE;
    let r = FALSE;
    for (const g of this.tablesOn(field)(4, TABLE.local)) {
      if (g.res.kind !== "route") continue;
      const p = restrict(m, g.pred, tos0);
      routed = or(m, routed, p);
      if (types.includes(g.res.route.type)) r = or(m, r, p);
    }
    const mc = addrPrefix(m, field, v4(0xe0000000, 4));
    const bc = addrPrefix(m, field, v4(0xffffffff, 32));
    let rest = FALSE;
    if (types.includes("multicast")) rest = or(m, rest, mc);
    if (types.includes("broadcast")) rest = or(m, rest, bc);
    if (types.includes("unicast")) rest = or(m, rest, not(m, or(m, mc, bc)));
    return or(m, r, and(m, rest, not(m, routed)));
  }

  /**
   * The packets received on `dev` through PREROUTING (netfilter/prerouting.ts) and the input
   * lookup. The chains are read here, on every question after a `refresh` (which drops the
   * memo): a PREROUTING change is never answered from an old walk.
   */
  private received(dev: number): { pred: Bdd; outcome: Outcome }[] {
    const lookup = inputOutcomes(this, dev);
    const ctx = this.preroutingCtx(dev);
    if (!ctx.chains.length) return lookup;
    return preroutingHook(ctx, this.inputUniverse(dev), lookup);
  }

  /**
   * Bring the caches up to date after the host changed: every cache when links or sysctls
   * changed; after rule changes, the walk and outcomes of the packets a changed rule takes
   * (`patchRules`); after route changes, the partitions, walks and outcomes under the
   * changed prefixes (`patchRoutes`). Rule predicates are cached by rule object.
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
    for (const fam of [4, 6] as const) this.patchRules(fam);
    const c = this.routeSets.sync();
    if (c && "prefixes" in c) this.patchRoutes(c.prefixes);
    else
      for (const k of c?.tables ?? []) {
        this.tables.delete(k);
        this.dropDerived(k);
        this.famOut.delete(familyOfKey(k));
      }
  }

  /**
   * Routes were added or removed (each journal entry toggles its route): patch the changed
   * tables' partitions under the changed prefixes, then each family's walk and outcomes
   * under those prefixes (`patchFamily`).
   */
  private patchRoutes(prefixes: Map<string, Prefix[]>): void {
    const regions = new Map<4 | 6, Bdd>();
    for (const [k, ps] of prefixes) {
      const fam = familyOfKey(k);
      let region = FALSE;
      for (const p of ps) region = or(this.m, region, addrPrefix(this.m, "dst", p));
      regions.set(fam, or(this.m, regions.get(fam) ?? FALSE, region));
      // Source-keyed partitions (rp_filter's reverse lookups) and the IPv6 input ones are
      // rebuilt when next asked.
      this.dropDerived(k);
      const old = this.tables.get(k);
      if (old)
        this.tables.set(
          k,
          patchPartition(this.m, this.s, fam, old, this.routeSets.get(k), ps, region),
        );
    }
    for (const [fam, region] of regions) this.patchFamily(fam, region);
  }

  /**
   * Rules of `fam` were added or removed: patch the walk and the outcomes for the packets
   * that reach a changed rule and match it (rpdb.ts ruleChangeRegion), or drop the outcomes
   * when that region cannot be had (the next fold resumes at the first changed rule).
   */
  private patchRules(fam: 4 | 6): void {
    const now = rulesOf(this.s, fam);
    const seen = this.rulesSeen.get(fam);
    if (sameList(seen, now)) return;
    this.rulesSeen.set(fam, now);
    const memo = this.folds[fam];
    const list = fam === 4 ? this.s.rules4 : this.s.rules6;
    // Only between two lists of custom rules, from a walk over the old one.
    const walked = !!seen?.[0] && !!now[0] && sameList(memo.rules, seen.slice(1));
    const region = walked ? ruleChangeRegion(this.m, list, memo, this.rule) : undefined;
    if (region === undefined) return void this.famOut.delete(fam);
    if (!this.hooked(fam)) return this.patchOutcomes(fam, region);
    // Re-routes dissect the flow only when some rule needs it (fib4_rules_require_fldissect):
    // when that changed, every re-route may have.
    const dissect = requiresFlowDissect(this.s, fam);
    if (dissect !== this.dissected.get(fam)) return void this.famOut.delete(fam);
    // A re-route walks the rules again with the new mark: the packets whose marked header
    // matches a changed rule may take another path there too.
    const changed = changedRules(seen ?? [], now);
    const rerouted = and(this.m, this.start(fam), this.rerouteRegion(fam, changed));
    const all = or(this.m, region, rerouted);
    this.patchOutcomes(fam, all, all, true);
  }

  /**
   * The packets some re-route lookup (`reroute`) so far matched against `rules`: each
   * rule composed with each mark transformer seen. A superset of those whose re-route walk
   * reaches a changed rule and matches it (the walk's reach is not read): patching more
   * packets than changed is exact, only slower.
   */
  private rerouteRegion(fam: 4 | 6, rules: readonly Rule[]): Bdd {
    let r = FALSE;
    for (const e of this.rerouteMemo.values())
      if (e.family === fam) for (const x of rules) r = or(this.m, r, e.match(x));
    return r;
  }

  /**
   * The tables changed for destinations in `dsts` only (`patchOutcomes` there), unless the
   * walk is over other rules than the host's (rules changed and were not patched: the next
   * fold resumes where the walk differs).
   */
  private patchFamily(fam: 4 | 6, dsts: Bdd): void {
    const custom = fam === 4 ? this.s.v4CustomRules : this.s.v6CustomRules;
    const list = fam === 4 ? this.s.rules4 : this.s.rules6;
    if (custom && !sameList(this.folds[fam].rules, list)) return void this.famOut.delete(fam);
    // Cut by the prefixes alone (short BDDs), but never into IPv4 0.0.0.0, outside the walk.
    const cutBy = fam === 4 ? and(this.m, dsts, not(this.m, this.zeroDst())) : dsts;
    this.patchOutcomes(fam, and(this.m, this.start(fam), dsts), cutBy, true);
  }

  /**
   * The walk changed for the packets of `region` only: patch the family's RPDB walk there,
   * and its outcomes (kept outside, the region's own added); drop the outcomes when the walk
   * cannot be patched (the next fold resumes where it differs). `cutBy`: see patchFold.
   */
  private patchOutcomes(fam: 4 | 6, region: Bdd, cutBy = region, rerouted = false): void {
    const m = this.m;
    const start = this.start(fam);
    const custom = fam === 4 ? this.s.v4CustomRules : this.s.v6CustomRules;
    const parts = custom
      ? patchFold(m, this.s, fam, start, region, this.rule, this.table, this.folds[fam], cutBy)
      : foldRpdb(m, this.s, fam, region, this.rule, this.table);
    const old = this.famOut.get(fam);
    // OUTPUT chains rewrite marks and re-route. A packet's walk through them depends on its
    // own header and first route only, and its re-route on the rules and tables' answers for
    // its own marked header: when `region` holds every packet whose re-route may differ too
    // (`rerouted`: the changed dsts, or the changed rules' re-route region), the hook is
    // redone for the region's packets alone.
    const hooked = this.hooked(fam);
    if (!parts || !old || (hooked && !rerouted)) return void this.famOut.delete(fam);
    const keep = not(m, cutBy);
    const out = new Map<string, OutcomeSet>();
    for (const [k, c] of old) {
      // Most classes miss the changed prefixes: a path walk tells, without building nodes.
      const p = meets(m, c.pred, cutBy) ? and(m, c.pred, keep) : c.pred;
      if (p !== FALSE) out.set(k, p === c.pred ? c : { pred: p, outcome: c.outcome });
    }
    const first: Part[] = [];
    for (const d of parts)
      for (const [p, o] of this.specialize(fam, d)) first.push({ pred: p, outcome: o });
    const ctx = hooked ? this.outputCtx(fam, this.chains()) : undefined;
    const final = ctx ? outputHook(ctx, first, this.hookPlan(ctx)) : first;
    for (const x of final) this.merge(out, x.pred, x.outcome);
    if (hooked) this.readMarks(out, old);
    this.famOut.set(fam, out);
  }

  /**
   * Read each class's mark on its own packets again where they changed (merged or cut):
   * the mark's text depends on them (`markOn`), its key does not.
   */
  private readMarks(out: Map<string, OutcomeSet>, before?: Map<string, OutcomeSet>): void {
    for (const [k, c] of out) {
      const b = before?.get(k);
      // The same packets as before: the text read on them then still holds.
      if (b && b.pred === c.pred) {
        if (b !== c) out.set(k, b);
        continue;
      }
      const nf = c.outcome.nf;
      if (!nf?.mark.length) continue;
      const markText = markOn(this.m, c.pred, nf.mark);
      if (markText === nf.markText) continue;
      const outcome = { ...c.outcome, nf: { ...nf, markText } };
      this.keys.set(outcome, k);
      out.set(k, { pred: c.pred, outcome });
    }
  }

  /**
   * The packets of `family` whose first route lookup gives them a source in `srcs` (a
   * re-routed packet keeps it: its outcome carries none).
   */
  firstSrc(family: 4 | 6, srcs: readonly Addr[]): Bdd {
    let r = FALSE;
    for (const d of this.decided(family))
      for (const [p, o] of this.specialize(family, d))
        if (o.src && srcs.some((x) => addrEq(x, o.src))) r = or(this.m, r, p);
    return r;
  }

  /** The packets of `family` the RPDB walk starts from (IPv4 0.0.0.0 never reaches it). */
  private start(family: 4 | 6): Bdd {
    const u = this.universe(family);
    return family === 4 ? and(this.m, u, not(this.m, this.zeroDst())) : u;
  }

  /** The decided parts of one family, before merging by outcome. */
  decided(family: 4 | 6): Decided[] {
    const start = this.start(family);
    return foldRpdb(this.m, this.s, family, start, this.rule, this.table, this.folds[family]);
  }

  private lbcast(): Bdd {
    return addrPrefix(this.m, "dst", v4(0xffffffff, 32));
  }

  /**
   * Fold the RPDB over `start`, packets of a socket with a bound source (replies, reply.ts):
   * `from` rules test the src field in both families (IPv6: RT6_LOOKUP_F_HAS_SADDR). The
   * table partitions are the cached ones: a table lookup does not read the source, but for
   * IPv6 source-specific routes, which reply.ts refuses.
   */
  foldBound(family: 4 | 6, start: Bdd): Decided[] {
    return foldRpdb(this.m, this.s, family, start, this.matcher(HEADER_VIEW, true), this.table);
  }

  private zeroDst(): Bdd {
    this.zero ??= addrPrefix(this.m, "dst", v4(0, 32));
    return this.zero;
  }
  private zero: Bdd | undefined;

  /**
   * Outcomes with their packet sets, merged by outcome (no counts or representatives).
   * Memoized per family until a change `refresh` cannot patch.
   */
  outcomes(families: readonly (4 | 6)[] = [4, 6]): OutcomeSet[] {
    const out: OutcomeSet[] = [];
    for (const fam of families) {
      let byKey = this.famOut.get(fam);
      if (!byKey) {
        this.famOut.set(fam, (byKey = this.computeOutcomes(fam)));
        this.rulesSeen.set(fam, rulesOf(this.s, fam));
        this.dissected.set(fam, requiresFlowDissect(this.s, fam));
      }
      for (const c of byKey.values()) out.push(c);
    }
    return out;
  }

  /** Add packets with an outcome to `byKey`, merging with an equal outcome. */
  private merge(byKey: Map<string, OutcomeSet>, pred: Bdd, outcome: Outcome): void {
    if (pred === FALSE) return;
    let k = this.keys.get(outcome);
    if (k === undefined) this.keys.set(outcome, (k = outcomeKey(outcome)));
    const old = byKey.get(k);
    // An equal outcome keeps its object: what questions keep per outcome (check's) stays.
    byKey.set(
      k,
      old ? { pred: or(this.m, old.pred, pred), outcome: old.outcome } : { pred, outcome },
    );
  }

  /** A decided part split by destination kind; the same part object gives the same answer. */
  private specialize(fam: 4 | 6, d: Decided): [Bdd, Outcome][] {
    let parts = this.specialized.get(d);
    if (!parts) this.specialized.set(d, (parts = specialize(this.m, fam, d)));
    return parts;
  }

  /** Whether netfilter OUTPUT chains of `fam` rewrite the routing outcomes (outputHook). */
  private hooked(fam: 4 | 6): boolean {
    return this.chains().some((c) => c.hook === "output" && familyOk(c, fam));
  }

  private computeOutcomes(fam: 4 | 6): Map<string, OutcomeSet> {
    const byKey = new Map<string, OutcomeSet>();
    const first: Part[] = [];
    if (fam === 4) first.push(this.zeroPart(and(this.m, this.universe(4), this.zeroDst())));
    // Decided parts before a change are the same objects (the fold resumes): reuse.
    for (const d of this.decided(fam))
      for (const [pred, outcome] of this.specialize(fam, d)) first.push({ pred, outcome });
    const chains = this.chains();
    const hooked = this.hooked(fam);
    const ctx = hooked ? this.outputCtx(fam, chains) : undefined;
    const final = ctx ? outputHook(ctx, first, this.hookPlan(ctx)) : first;
    for (const p of final) this.merge(byKey, p.pred, p.outcome);
    if (hooked) this.readMarks(byKey);
    return byKey;
  }

  /** IPv4 destination 0.0.0.0: never reaches the RPDB (loopback to ourselves). */
  private zeroPart(pred: Bdd): Part {
    const special = "no destination: loopback to ourselves";
    return { pred, outcome: { family: 4, ok: true, type: "local", paths: [{ dev: LO }], special } };
  }

  /**
   * The family's OUTPUT walk over all its packets (kept per chain set): routes do not change
   * it, so a route change's packets take their part (outputHook).
   */
  private hookPlan(ctx: OutputCtx): HookPlan {
    let e = this.plans.get(ctx.family);
    // Every packet of the family: IPv4 0.0.0.0 goes through OUTPUT too (zeroPart).
    const start = this.universe(ctx.family);
    if (!e || e.chains !== ctx.chains || e.plan.start !== start) {
      e = { chains: ctx.chains, plan: hookPlan(ctx, start) };
      this.plans.set(ctx.family, e);
    }
    return e.plan;
  }

  private outputCtx(family: 4 | 6, chains: readonly NfBaseChain[]): OutputCtx {
    return {
      m: this.m,
      s: this.s,
      family,
      chains,
      sets: this.sets,
      reroute: (start: Bdd, mark: MarkVec) => this.reroute(family, start, mark),
    };
  }

  /**
   * The re-route lookup (ip_route_me_harder, the engine's `reroute` query) of `start` with
   * skb->mark = `mark`: the RPDB folded with the mark substituted into every rule. As the
   * engine's routeGetFlow: IPv4 re-routes carry uid 0, and protocol and ports only when some
   * rule needs flow dissection. Rules with `from` see the source the first route chose,
   * which the header does not hold: the packets reaching them are refused (unknown).
   */
  private reroute(family: 4 | 6, start: Bdd, mark: MarkVec): Part[] {
    const m = this.m;
    const out: Part[] = [];
    let walk = start;
    if (family === 4) {
      const z = and(m, start, this.zeroDst());
      if (z !== FALSE) out.push(this.zeroPart(z));
      // With a source set and no oif, a multicast or limited broadcast destination takes
      // the device of the source address (ip_route_output_key_hash_rcu): not in the header.
      const mc = and(m, start, or(m, addrPrefix(m, "dst", v4(0xe0000000, 4)), this.lbcast()));
      if (mc !== FALSE) out.push({ pred: mc, outcome: unknownAtReroute(4, "", MC_REROUTE) });
      walk = and(m, start, not(m, or(m, this.zeroDst(), mc)));
    }
    const fixed: number[] = [];
    const zeroField = (f: keyof typeof FIELDS) => {
      for (let i = 0; i < FIELDS[f].width; i++) fixed.push(FIELDS[f].offset + i);
    };
    if (family === 4) zeroField("uid");
    if (!requiresFlowDissect(this.s, family)) for (const f of PORTS) zeroField(f);
    const c = fixed.length
      ? cube(
          m,
          fixed,
          fixed.map(() => 0),
        )
      : undefined;
    // Per mark transformer: the fold resumes after an RPDB change (as the first lookup's),
    // and each rule's composed predicate is kept by rule object.
    const vk = `${family}|${c ?? ""}|${vecKey(mark)}`;
    let e = this.rerouteMemo.get(vk);
    if (!e) {
      const match = (r: Rule): Bdd => {
        let byVec = this.composed.get(r);
        if (!byVec) this.composed.set(r, (byVec = new Map()));
        let p = byVec.get(vk);
        if (p === undefined) {
          p = compose(m, rulePred({ m, s: this.s, hasSaddr: true }, r), mark);
          if (c !== undefined) p = restrict(m, p, c);
          byVec.set(vk, p);
        }
        return p;
      };
      this.rerouteMemo.set(vk, (e = { family, memo: foldMemo(), match }));
    }
    const { memo, match } = e;
    const decided = foldRpdb(m, this.s, family, walk, match, this.table, memo);
    const refused = refusedBySrc(m, memo);
    for (const d of decided) {
      // Decided parts the resumed fold kept are the same objects: reuse their split.
      let parts = this.specialized.get(d);
      if (!parts) this.specialized.set(d, (parts = specialize(m, family, d)));
      for (const [pred, o] of parts) {
        const p = refused.pred === FALSE ? pred : diff(m, pred, refused.pred);
        if (p !== FALSE) out.push({ pred: p, outcome: sourceless(o) });
      }
    }
    if (refused.pred !== FALSE) out.push({ pred: refused.pred, outcome: refused.outcome(family) });
    return out;
  }

  /**
   * Every class, biggest first, each restricted to `filter` (a predicate over the header;
   * classes outside it are dropped): of `given` outcomes (bound.ts), else of the received
   * packets of `iifs`, else of unbound sockets'.
   */
  classes(
    filter?: Bdd,
    families: readonly (4 | 6)[] = [4, 6],
    iifs?: readonly number[],
    given?: readonly OutcomeSet[],
  ): PacketClass[] {
    const out: PacketClass[] = [];
    const list = given ?? (iifs ? this.inputOutcomes(iifs, families) : this.outcomes(families));
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

/** Well-formed headers of `family` within `base`, each field of `fields` fixed to its value. */
function withFields(
  m: BddArena,
  family: 4 | 6,
  base: Bdd,
  fields: readonly (readonly [FieldName, number])[],
): Bdd {
  let u = and(m, and(m, familyPred(m, family), wellFormed(m)), base);
  for (const [f, v] of fields) u = and(m, u, eq(m, f, v));
  return u;
}

/**
 * A re-route's outcome: the packet keeps the source the first route chose (`firstSrc`), not
 * the new route's. One object per outcome.
 */
function sourceless(o: Outcome): Outcome {
  let x = SOURCELESS.get(o);
  if (!x) {
    const { prefsrc: _, src: __, ...rest } = o;
    SOURCELESS.set(o, (x = rest));
  }
  return x;
}

const SOURCELESS = new WeakMap<Outcome, Outcome>();

/** One mark transformer's re-route lookups: their resumable fold and composed rules. */
interface Reroute {
  readonly family: 4 | 6;
  readonly memo: FoldMemo;
  readonly match: (r: Rule) => Bdd;
}

/** The rules in one list and not the other (by object: a changed rule is a new object). */
function changedRules(seen: readonly (Rule | boolean)[], now: readonly (Rule | boolean)[]) {
  const a = new Set(seen);
  const b = new Set(now);
  const out: Rule[] = [];
  for (const r of seen) if (typeof r !== "boolean" && !b.has(r)) out.push(r);
  for (const r of now) if (typeof r !== "boolean" && !a.has(r)) out.push(r);
  return out;
}

/** A set of packets with one outcome (classes before counts and representatives). */
export interface OutcomeSet {
  readonly pred: Bdd;
  readonly outcome: Outcome;
}

/**
 * What usable nexthops, rule devices and route sources depend on besides routes: links,
 * sysctls and addresses.
 */
function envKey(s: HostState): string {
  const links = s.links.map((l) => `${l.ifindex}:${l.name}:${+l.up}:${+l.carrier}:${l.group}`);
  // Routes without `src` take a source from the addresses (TableGroup.src).
  const addrs = s.addrs.map(
    (a) => `${a.ifindex}:${a.local.v}/${a.prefixlen}:${a.scope}:${+!!a.secondary}`,
  );
  return `${links.join(",")}|${[...s.sysctl].join(",")}|${addrs.join(",")}`;
}
