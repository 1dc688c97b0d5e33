/**
 * The per-(family, table) FIB index of a host: a longest-prefix-match structure per table
 * (`src/fib`, backend chosen by size) mapping each prefix to an id, and per id the
 * positions in `state.routes` of the prefix's aliases in kernel order (tos descending,
 * metric ascending, then insertion `seq`), as `fib_table_lookup` walks them.
 *
 * The index belongs to one `state.routes` array. It is kept up to date by the route
 * operations below (`routeInsert`, `routeRemove`, `routeReplace`: O(1) plus the LPM update)
 * and rebuilt lazily from scratch when `state.routes` was changed some other way (a new
 * array after a kernel route sync, link down or flush; another length; other first/last
 * elements). Removal swaps the last route into the hole, so the order of `state.routes` is
 * not meaningful: `Route.seq` is the insertion order (printing and tie-breaks use it).
 *
 * The queries here answer exactly what the linear scans they replace answered (ties between
 * routes broken by `seq`, which is the order routes were appended in).
 *
 * Kept whole: the index and the route operations that keep it current (routeInsert,
 * routeRemove, routeReplace) share its private bookkeeping (positions, versions); split, that
 * state would have to be exported.
 * @module
 */
import { addrEq, contains, type Addr, type Family, type Prefix } from "../addr/ip.js";
import { createLpm, type AutoLpm4, type AutoLpm6 } from "../fib/create.js";
import { MASK4 } from "../fib/bits.js";
import { SCOPE, TABLE } from "../core/kinds.js";
import type { HostState, Nexthop, Route } from "./types.js";

/**
 * Kernel alias order inside one prefix (fib_insert_alias): tos desc, metric asc, then insertion.
 */
export function aliasCmp(a: Route, b: Route): number {
  return b.tos - a.tos || a.metric - b.metric || a.seq - b.seq;
}

/** One table of one family. */
export class TableFib {
  /** Prefix -> id. */
  readonly lpm: AutoLpm4 | AutoLpm6;
  /** id -> position of its only alias (>= 0), `-2 - k` for `lists[k]`, or -1 (free id). */
  slot: Int32Array;
  /** Alias positions in kernel order, for prefixes with more than one alias. */
  readonly lists: (number[] | undefined)[] = [];
  private readonly freeLists: number[] = [];
  private readonly freeIds: number[] = [];
  private nextId = 0;
  /** Number of routes (aliases) in the table. */
  count = 0;

  constructor(
    readonly family: Family,
    readonly table: number,
    expected = 0,
  ) {
    this.lpm = createLpm(family, expected);
    this.slot = new Int32Array(Math.max(16, expected)).fill(-1);
  }

  /** Number of distinct prefixes. */
  get prefixes(): number {
    return this.lpm.size;
  }

  private newId(): number {
    const id = this.freeIds.length ? this.freeIds.pop()! : this.nextId++;
    if (id >= this.slot.length) {
      const g = new Int32Array(Math.max(id + 1, this.slot.length * 2)).fill(-1);
      g.set(this.slot);
      this.slot = g;
    }
    return id;
  }

  /** The last `idOf` question and answer (route add asks twice: EEXIST check, then insert). */
  private lastDst: Prefix | undefined;
  private lastId = -1;

  /** The id of exactly this prefix (host bits ignored), or -1. */
  idOf(dst: Prefix): number {
    if (dst === this.lastDst) return this.lastId;
    const id =
      this.family === 4
        ? (this.lpm as AutoLpm4).get(dst.addr.v as number, dst.len)
        : (this.lpm as AutoLpm6).get(dst.addr.v as bigint, dst.len);
    this.lastDst = dst;
    this.lastId = id;
    return id;
  }

  /** Longest prefix containing `a`, or -1. */
  lookup(a: Addr): number {
    return this.family === 4
      ? (this.lpm as AutoLpm4).lookup(a.v as number)
      : (this.lpm as AutoLpm6).lookup(a.v as bigint);
  }

  /** Alias positions of a prefix id, in kernel order (a fresh array for single aliases). */
  aliases(id: number): readonly number[] {
    const v = this.slot[id]!;
    if (v >= 0) return [v];
    if (v === -1) return [];
    return this.lists[-2 - v]!;
  }

  /** Position of the first alias of a live id. */
  firstPos(id: number): number {
    const v = this.slot[id]!;
    return v >= 0 ? v : this.lists[-2 - v]![0]!;
  }

  /** Add the route at `pos` of `routes`. */
  add(routes: readonly Route[], pos: number): void {
    const r = routes[pos]!;
    this.addAt(routes, pos, this.idOf(r.dst), r.dst.addr.v, r.dst.len);
  }

  /**
   * Add the route at `pos`, whose prefix (addr, len) has id `id` (or -1 when new); returns the
   * prefix's id.
   */
  addAt(
    routes: readonly Route[],
    pos: number,
    id: number,
    addr: number | bigint,
    len: number,
  ): number {
    this.count++;
    if (id < 0) {
      id = this.newId();
      this.lastDst = undefined;
      if (this.family === 4) (this.lpm as AutoLpm4).insert(addr as number, len, id);
      else (this.lpm as AutoLpm6).insert(addr as bigint, len, id);
      this.slot[id] = pos;
      return id;
    }
    const r = routes[pos]!;
    const v = this.slot[id]!;
    let list: number[];
    if (v >= 0) {
      list = [v];
      const k = this.freeLists.length ? this.freeLists.pop()! : this.lists.length;
      this.lists[k] = list;
      this.slot[id] = -2 - k;
    } else list = this.lists[-2 - v]!;
    // Binary insertion in kernel order.
    let lo = 0,
      hi = list.length;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (aliasCmp(routes[list[m]!]!, r) <= 0) lo = m + 1;
      else hi = m;
    }
    list.splice(lo, 0, pos);
    return id;
  }

  /** Remove the alias at `pos` (route `r`). */
  remove(r: Route, pos: number): void {
    const id = this.idOf(r.dst);
    if (id < 0) throw new Error("FIB index: route not indexed");
    const v = this.slot[id]!;
    this.count--;
    if (v >= 0) {
      if (v !== pos) throw new Error("FIB index: route position mismatch");
      this.lastDst = undefined;
      if (this.family === 4) (this.lpm as AutoLpm4).remove(r.dst.addr.v as number, r.dst.len);
      else (this.lpm as AutoLpm6).remove(r.dst.addr.v as bigint, r.dst.len);
      this.slot[id] = -1;
      this.freeIds.push(id);
      return;
    }
    const k = -2 - v,
      list = this.lists[k]!;
    const i = list.indexOf(pos);
    if (i < 0) throw new Error("FIB index: route position mismatch");
    list.splice(i, 1);
    if (list.length === 1) {
      this.slot[id] = list[0]!;
      this.lists[k] = undefined;
      this.freeLists.push(k);
    }
  }

  /** The route at `from` moved to `to` (same route object). */
  move(r: Route, from: number, to: number): void {
    const id = this.idOf(r.dst);
    const v = this.slot[id]!;
    if (v >= 0) {
      this.slot[id] = to;
      return;
    }
    const list = this.lists[-2 - v]!;
    list[list.indexOf(from)] = to;
  }

  /** Visit every prefix id. */
  forEachId(fn: (id: number) => void): void {
    for (let id = 0; id < this.nextId; id++) if (this.slot[id] !== -1) fn(id);
  }
}

/** Map key of a (family, table). */
export const tableKey = (family: Family, table: number): number =>
  family === 4 ? table : -1 - table;

/** The index of one `state.routes` array. */
export class HostFib {
  readonly tables = new Map<number, TableFib>();
  len: number;
  first: Route | undefined;
  last: Route | undefined;
  /** Bumped on every change (compiled deciders check it). */
  version = 0;
  /**
   * Routes added or removed through this index, in order, once a reader asked for them
   * (`routeJournal`): the analysis rebuilds only the prefixes they cover. `journalFrom` is
   * the position of its first entry (older ones are dropped to bound it).
   */
  journal: Route[] | undefined;
  journalFrom = 0;

  /** Record a changed route when someone reads the journal. */
  note(r: Route): void {
    const j = this.journal;
    if (!j) return;
    if (j.length >= JOURNAL_MAX) {
      this.journalFrom += j.length;
      j.length = 0;
    }
    j.push(r);
  }

  constructor(readonly routes: Route[]) {
    this.len = routes.length;
    this.first = routes[0];
    this.last = routes[routes.length - 1];
  }

  table(family: Family, table: number): TableFib | undefined {
    return this.tables.get(tableKey(family, table));
  }

  tableFor(family: Family, table: number, expected = 0): TableFib {
    const k = tableKey(family, table);
    let t = this.tables.get(k);
    if (!t) {
      t = new TableFib(family, table, expected);
      this.tables.set(k, t);
    }
    return t;
  }

  fresh(s: HostState): boolean {
    const r = s.routes,
      n = r.length;
    return r === this.routes && n === this.len && r[0] === this.first && r[n - 1] === this.last;
  }

  stamp(): void {
    const r = this.routes;
    this.len = r.length;
    this.first = r[0];
    this.last = r[r.length - 1];
    this.version++;
  }
}

/** Journal entries kept before the oldest are dropped (a reader then starts over). */
const JOURNAL_MAX = 4096;

/**
 * The routes added or removed since position `since` of the host's current index (the
 * position to ask from next time is `at`), or undefined when the index was rebuilt or the
 * entries were dropped: the caller then compares whole tables. The first call starts the
 * journal.
 */
export function routeJournal(
  s: HostState,
  fib: HostFib | undefined,
  since: number,
): { fib: HostFib; at: number; changed: readonly Route[] | undefined } {
  const cur = hostFib(s);
  cur.journal ??= [];
  const at = cur.journalFrom + cur.journal.length;
  if (cur !== fib || since < cur.journalFrom) return { fib: cur, at, changed: undefined };
  return { fib: cur, at, changed: cur.journal.slice(since - cur.journalFrom) };
}

const indexes = new WeakMap<HostState, HostFib>();
let rebuilds = 0;

/** How many times an index was rebuilt from scratch (for tests and the bench). */
export function fibRebuilds(): number {
  return rebuilds;
}

function build(routes: Route[]): HostFib {
  rebuilds++;
  const fib = new HostFib(routes);
  for (const [k, g] of groupByTable(routes)) {
    const r0 = routes[g[0]!]!;
    const t = new TableFib(r0.family, r0.table, g.length);
    fib.tables.set(k, t);
    if (r0.family === 4) fillTable4(t, routes, g);
    else fillTable6(t, routes, g);
  }
  return fib;
}

/** Positions grouped by table (typed arrays: a full table is a million of them). */
function groupByTable(routes: Route[]): Map<number, Int32Array> {
  const counts = new Map<number, number>();
  let lastKey = NaN,
    lastCount = 0;
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i]!;
    const k = tableKey(r.family, r.table);
    if (k !== lastKey) {
      if (!Number.isNaN(lastKey)) counts.set(lastKey, lastCount);
      lastKey = k;
      lastCount = counts.get(k) ?? 0;
    }
    lastCount++;
  }
  if (!Number.isNaN(lastKey)) counts.set(lastKey, lastCount);
  const groups = new Map<number, Int32Array>(),
    fill = new Map<number, number>();
  for (const [k, c] of counts) {
    groups.set(k, new Int32Array(c));
    fill.set(k, 0);
  }
  lastKey = NaN;
  let cur: Int32Array | undefined,
    at = 0;
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i]!;
    const k = tableKey(r.family, r.table);
    if (k !== lastKey) {
      if (cur) fill.set(lastKey, at);
      lastKey = k;
      cur = groups.get(k)!;
      at = fill.get(k)!;
    }
    cur![at++] = i;
  }
  return groups;
}

/**
 * Fill an IPv4 table: read each route once, in memory order; then fill the trie in address
 * order from the copies.
 */
function fillTable4(t: TableFib, routes: Route[], g: Int32Array): void {
  const n = g.length;
  const lens = new Uint8Array(n),
    key = new Uint32Array(n);
  // Keys without host bits: equal prefixes end up next to each other.
  for (let i = 0; i < n; i++) {
    const d = routes[g[i]!]!.dst;
    lens[i] = d.len;
    key[i] = (d.addr.v as number) & MASK4[d.len]!;
  }
  const order = addressOrder(key, lens);
  // Gather in sorted order first so the insert loop reads memory sequentially.
  const sk = new Uint32Array(n),
    sl = new Uint8Array(n),
    sp = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = order[i]!;
    sk[i] = key[j]!;
    sl[i] = lens[j]!;
    sp[i] = g[j]!;
  }
  let pa = -1,
    pl = -1,
    pid = -1;
  for (let i = 0; i < n; i++) {
    const a = sk[i]!,
      l = sl[i]!;
    pid = t.addAt(routes, sp[i]!, a === pa && l === pl ? pid : -1, a, l);
    pa = a;
    pl = l;
  }
}

/** Fill an IPv6 table in address order (top 32 bits, then length). */
function fillTable6(t: TableFib, routes: Route[], g: Int32Array): void {
  const n = g.length;
  const lens = new Uint8Array(n),
    key = new Uint32Array(n);
  const vals: bigint[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const d = routes[g[i]!]!.dst;
    lens[i] = d.len;
    vals[i] = d.addr.v as bigint;
    key[i] = Number(vals[i]! >> 96n);
  }
  const order = addressOrder(key, lens);
  const lpm = t.lpm as AutoLpm6;
  for (let i = 0; i < n; i++) {
    const j = order[i]!;
    const a = vals[j]!,
      l = lens[j]!;
    t.addAt(routes, g[j]!, lpm.get(a, l), a, l);
  }
}

/**
 * Indexes sorted by (top 32 address bits, prefix length), both ascending, stable: covering
 * prefixes come before the prefixes they contain, and the tries are filled in address order
 * (sequential memory instead of a cache miss per prefix). Counting and radix sorts, O(n).
 */
function addressOrder(key: Uint32Array, len: Uint8Array): Int32Array {
  const n = key.length;
  // A few routes: a comparison sort (the radix passes clear 64k counters each time).
  if (n < 512)
    return Int32Array.from({ length: n }, (_, i) => i).sort(
      (x, y) => key[x]! - key[y]! || len[x]! - len[y]! || x - y,
    );
  let a = new Int32Array(n),
    b = new Int32Array(n);
  // by length
  const cl = new Int32Array(130);
  for (let i = 0; i < n; i++) cl[len[i]! + 1]!++;
  for (let l = 1; l < 130; l++) cl[l]! += cl[l - 1]!;
  for (let i = 0; i < n; i++) a[cl[len[i]!]!++] = i;
  // then by the key's low and high halves (stable)
  const c = new Int32Array(65537);
  for (const shift of [0, 16]) {
    c.fill(0);
    for (let i = 0; i < n; i++) c[((key[a[i]!]! >>> shift) & 0xffff) + 1]!++;
    for (let v = 1; v <= 65536; v++) c[v]! += c[v - 1]!;
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      b[c[(key[x]! >>> shift) & 0xffff]!++] = x;
    }
    const t = a;
    a = b;
    b = t;
  }
  return a;
}

/**
 * The FIB index of a host, rebuilt when `state.routes` changed behind its back.
 * @example hostFib(state).table(4, 254)?.prefixes
 */
export function hostFib(s: HostState): HostFib {
  let fib = indexes.get(s);
  if (!fib || !fib.fresh(s)) {
    fib = build(s.routes);
    indexes.set(s, fib);
  }
  return fib;
}

/** Forget the index (the next query rebuilds it). */
export function dropFib(s: HostState): void {
  indexes.delete(s);
}

/** The index only if it is current (no rebuild). */
function currentFib(s: HostState): HostFib | undefined {
  const fib = indexes.get(s);
  return fib && fib.fresh(s) ? fib : undefined;
}

// ---------------------------------------------------------------------------
// Mutations: keep state.routes and the index in step
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// Shared nexthop lists
// ---------------------------------------------------------------------------

const hopCache = new WeakMap<HostState, Map<number, Map<number | bigint | string, Nexthop[]>>>();

/**
 * A full table has a million routes through a handful of nexthops. Single plain nexthop
 * lists (weight 1, not onlink, not dead) are shared between routes: nothing mutates a list
 * in place (IPv6 append replaces it) and the only nexthop field changed in place later is
 * `dead`, on multipath lists, which are never shared. Saves ~120 bytes per route.
 */
export function sharedNexthops(s: HostState, hops: Nexthop[]): Nexthop[] {
  if (hops.length !== 1) return hops;
  const h = hops[0]!;
  if (h.weight !== 1 || h.onlink || h.dead) return hops;
  let byDev = hopCache.get(s);
  if (!byDev) {
    byDev = new Map();
    hopCache.set(s, byDev);
  }
  let byGw = byDev.get(h.ifindex);
  if (!byGw) {
    byGw = new Map();
    byDev.set(h.ifindex, byGw);
  }
  const k = h.gateway ? h.gateway.v : "none";
  const hit = byGw.get(k);
  if (hit) {
    const x = hit[0]!;
    // Someone changed the shared hop (a device renumbered): start a new list.
    if (
      x.ifindex === h.ifindex &&
      x.weight === 1 &&
      !x.onlink &&
      !x.dead &&
      (x.gateway ? x.gateway.v === h.gateway?.v : !h.gateway)
    )
      return hit;
  }
  if (byGw.size < 4096) byGw.set(k, hops);
  return hops;
}

/** The shared plain single-nexthop list through `ifindex` (and `gateway`), made when absent. */
export function plainHops(s: HostState, ifindex: number, gateway: Addr | undefined): Nexthop[] {
  const byGw = hopCache.get(s)?.get(ifindex);
  const hit = byGw?.get(gateway ? gateway.v : "none");
  if (hit) {
    const x = hit[0]!;
    if (
      x.ifindex === ifindex &&
      x.weight === 1 &&
      !x.onlink &&
      !x.dead &&
      (x.gateway ? x.gateway.v === gateway?.v : !gateway)
    )
      return hit;
  }
  return sharedNexthops(s, [
    gateway
      ? { gateway, ifindex, weight: 1, onlink: false, dead: false }
      : { ifindex, weight: 1, onlink: false, dead: false },
  ]);
}

/** Append a route (route add/append/replace-as-add). */
export function routeInsert(s: HostState, r: Route): void {
  r.nexthops = sharedNexthops(s, r.nexthops);
  const fib = currentFib(s);
  s.routes.push(r);
  if (!fib) return;
  fib.tableFor(r.family, r.table).add(s.routes, s.routes.length - 1);
  fib.note(r);
  fib.stamp();
}

/**
 * Insert a route just before `before` in its alias order (route prepend): it takes an
 * insertion sequence right below `before`'s.
 */
export function routePrepend(s: HostState, r: Route, before: Route): void {
  // `before` is the oldest of its key, so nothing of that key lies below it.
  r.seq = before.seq - 1 / 1024;
  routeInsert(s, r);
}

/** Position of a route in `state.routes` through the index (undefined when absent). */
function positionOf(s: HostState, fib: HostFib, r: Route): number | undefined {
  const t = fib.table(r.family, r.table);
  if (!t) return undefined;
  const id = t.idOf(r.dst);
  if (id < 0) return undefined;
  for (const p of t.aliases(id)) if (s.routes[p] === r) return p;
  return undefined;
}

/** Remove a route: the last route moves into its place. */
export function routeRemove(s: HostState, r: Route): void {
  const fib = hostFib(s);
  const routes = s.routes;
  const p = positionOf(s, fib, r);
  if (p === undefined) {
    s.routes = routes.filter((x) => x !== r);
    return;
  }
  const t = fib.table(r.family, r.table)!;
  t.remove(r, p);
  const lastPos = routes.length - 1;
  if (p !== lastPos) {
    const moved = routes[lastPos]!;
    fib.table(moved.family, moved.table)!.move(moved, lastPos, p);
    routes[p] = moved;
  }
  routes.pop();
  if (t.count === 0) fib.tables.delete(tableKey(r.family, r.table));
  fib.note(r);
  fib.stamp();
}

/** Replace `old` by `r` in place (same position; `r` takes `old`'s seq). */
export function routeReplace(s: HostState, old: Route, r: Route): void {
  const fib = hostFib(s);
  const p = positionOf(s, fib, old);
  r.seq = old.seq;
  r.nexthops = sharedNexthops(s, r.nexthops);
  if (p === undefined) {
    const i = s.routes.indexOf(old);
    s.routes[i] = r;
    dropFib(s);
    return;
  }
  fib.table(old.family, old.table)!.remove(old, p);
  s.routes[p] = r;
  fib.tableFor(r.family, r.table).add(s.routes, p);
  fib.note(old);
  fib.note(r);
  fib.stamp();
}

// ---------------------------------------------------------------------------
// Queries used by the route operations
// ---------------------------------------------------------------------------

/**
 * Route identity for EEXIST / replace: (family, table, dst, tos, metric[, IPv6 src length])
 * (fib_find_alias).
 */
export function sameKey(a: Route, b: Route): boolean {
  return (
    a.family === b.family &&
    a.table === b.table &&
    addrEq(a.dst.addr, b.dst.addr) &&
    a.dst.len === b.dst.len &&
    a.tos === b.tos &&
    a.metric === b.metric &&
    (a.family === 4 || (a.src?.len ?? 0) === (b.src?.len ?? 0))
  );
}

const bySeq = (a: Route, b: Route): number => a.seq - b.seq;

const NO_ROUTES: readonly Route[] = Object.freeze([]);

/** Routes with the same key as `r`, oldest first (do not modify the list). */
export function sameKeyRoutes(s: HostState, r: Route): readonly Route[] {
  const t = hostFib(s).table(r.family, r.table);
  if (!t) return NO_ROUTES;
  const id = t.idOf(r.dst);
  if (id < 0) return NO_ROUTES;
  const v = t.slot[id]!;
  if (v >= 0) {
    const x = s.routes[v]!;
    return sameKey(x, r) ? [x] : NO_ROUTES;
  }
  const out: Route[] = [];
  for (const p of t.aliases(id)) {
    const x = s.routes[p]!;
    if (sameKey(x, r)) out.push(x);
  }
  return out.length > 1 ? out.sort(bySeq) : out;
}

/** The oldest route of (family, table[, exact dst]) satisfying `pred` (ip route del). */
export function findRoute(
  s: HostState,
  family: Family,
  table: number,
  dst: Prefix | undefined,
  pred: (r: Route) => boolean,
): Route | undefined {
  let best: Route | undefined;
  const take = (x: Route) => {
    if (pred(x) && (!best || x.seq < best.seq)) best = x;
  };
  if (!dst) {
    for (const x of s.routes) if (x.family === family && x.table === table) take(x);
    return best;
  }
  const t = hostFib(s).table(family, table);
  if (!t || dst.addr.family !== family) return undefined;
  const id = t.idOf(dst);
  if (id < 0) return undefined;
  for (const p of t.aliases(id)) take(s.routes[p]!);
  return best;
}

/**
 * The route fib_check_nh_v4_gw resolves an IPv4 gateway through: `table` first when it is
 * not main, then the full lookup (local, main). A local route is fine: the gateway is one
 * of ours (`via 127.0.0.1 dev lo`) and the nexthop gets scope host (no gateway on the wire).
 * `flowScope` is flowi4_scope: the new route's scope + 1, at least RT_SCOPE_LINK.
 */
export function gatewayRouteOf4(
  s: HostState,
  table: number,
  gw: Addr,
  oif: number | undefined,
  flowScope: number = SCOPE.link,
): Route | undefined {
  const fib = hostFib(s);
  if (table !== TABLE.main) {
    const r = gatewayRoute4(s, fib.table(gw.family, table), gw, oif, flowScope);
    if (r) return r;
  }
  return (
    gatewayRoute4(s, fib.table(gw.family, TABLE.local), gw, oif, flowScope) ??
    gatewayRoute4(s, fib.table(gw.family, TABLE.main), gw, oif, flowScope)
  );
}

/** The device an IPv4 gateway resolves to (see gatewayRouteOf4). */
export function gatewayDev4(
  s: HostState,
  table: number,
  gw: Addr,
  oif: number | undefined,
): number | undefined {
  const r = gatewayRouteOf4(s, table, gw, oif);
  return r ? hopDev(r, oif) : undefined;
}

function hopDev(r: Route, oif: number | undefined): number | undefined {
  for (const n of r.nexthops) if (!oif || n.ifindex === oif) return n.ifindex;
  return undefined;
}

function gatewayEligible(r: Route, gw: Addr, oif: number | undefined, flowScope: number): boolean {
  if (!contains(r.dst, gw)) return false;
  // fib_table_lookup skips aliases whose scope is below the flow's.
  if (r.scope < flowScope) return false;
  if (r.type !== "unicast" && r.type !== "local") return false;
  return hopDev(r, oif) !== undefined;
}

/** The gateway route of one table (see gatewayDev4). */
function gatewayRoute4(
  s: HostState,
  t: TableFib | undefined,
  gw: Addr,
  oif: number | undefined,
  flowScope: number,
): Route | undefined {
  if (!t) return undefined;
  for (let id = t.lookup(gw); id >= 0; id = t.lpm.parentOf(id)) {
    const v = t.slot[id]!;
    if (v >= 0) {
      const r = s.routes[v]!;
      if (gatewayEligible(r, gw, oif, flowScope)) return r;
      continue;
    }
    let best: Route | undefined;
    for (const p of t.lists[-2 - v]!) {
      const r = s.routes[p]!;
      if (!gatewayEligible(r, gw, oif, flowScope)) continue;
      if (!best || r.metric < best.metric || (r.metric === best.metric && r.seq < best.seq))
        best = r;
    }
    if (best) return best;
  }
  return undefined;
}

/**
 * One table's answer for an IPv6 gateway (fib6_table_lookup with RT6_LOOKUP_F_IFACE): the
 * longest prefix with a route on `ifindex` (any device when 0; reject routes sit on lo), in
 * it the best router preference of the lowest metric (rt6_select), oldest first.
 */
function gatewayLookup6(s: HostState, t: TableFib, gw: Addr, ifindex: number): Route | undefined {
  for (let id = t.lookup(gw); id >= 0; id = t.lpm.parentOf(id)) {
    let best: Route | undefined;
    let rank = -1;
    for (const p of t.aliases(id)) {
      const r = s.routes[p]!;
      if (!contains(r.dst, gw) || (r.src && r.src.len > 0)) continue;
      if (ifindex && !r.nexthops.some((n) => n.ifindex === ifindex)) continue;
      if (best && r.metric !== best.metric) break;
      const k = (r.pref6 ^ 2) & 3;
      if (k > rank) [best, rank] = [r, k];
    }
    if (best) return best;
  }
  return undefined;
}

/**
 * ip6_route_check_nh: the route an IPv6 gateway resolves through, or undefined for
 * EHOSTUNREACH. The route's own table first (ip6_nh_lookup_table), then main (fib6_lookup;
 * custom rules are not walked here); the pick must not be a reject route (RTF_REJECT) nor
 * need a gateway itself, or that table fails.
 */
export function gatewayVia6(
  s: HostState,
  table: number,
  gw: Addr,
  ifindex: number,
): Route | undefined {
  const fib = hostFib(s);
  for (const tb of table === TABLE.main ? [TABLE.main] : [table, TABLE.main]) {
    const t = fib.table(6, tb);
    const r = t && gatewayLookup6(s, t, gw, ifindex);
    if (r && !REJECT6.has(r.type) && !r.nexthops.some((n) => n.gateway)) return r;
  }
  return undefined;
}

const REJECT6 = new Set(["blackhole", "unreachable", "prohibit", "throw"]);
