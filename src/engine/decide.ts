/**
 * A compiled `ip route get` for millions of questions: the IPv4 output path
 * (`ip_route_output_key_hash_rcu`: RPDB walk, FIB lookups, nexthop and source selection)
 * over the host as it is now, with the rules flattened into typed arrays, the tables taken
 * from the FIB index, and per-route facts (usable nexthop, source address, output device)
 * worked out once. A question is answered into a reusable `Answer4` without allocating.
 *
 * It answers exactly what `routeGet` answers. Whatever it does not model itself — input
 * lookups (`iif`), `oif`, multipath choice, sources that are not interface addresses,
 * special destinations (0/8 zero, loopback, multicast, broadcast), route types other than
 * unicast and local, loopback sources — it reports as `FALLBACK`, and the caller asks
 * `routeGet` (`decideAny` does that). A decider describes the host at compile time: compile
 * a new one after changing the host (`current()` says whether it still matches).
 *
 * Over 500 lines on purpose: one class whose typed arrays and the loops over them are the
 * hot path; splitting it would put the loops behind module boundaries for no reader's gain.
 *
 * Kept whole: one compiled pipeline over shared typed arrays (flattened rules, per-route
 * facts, the reusable Answer4); its steps are functions here in ip_route_output_key_hash_rcu
 * order.
 * @module
 */
import { defined } from "../core/result.js";
import { linkByName } from "../model/links.js";
import { hostFib, type HostFib, type TableFib } from "../model/fib-index.js";
import { TABLE } from "../core/kinds.js";
import type { HostState, Route, Rule } from "../model/types.js";
import type { AutoLpm4 } from "../fib/create.js";
import { routeGet, type RouteQuery } from "./route.js";
import { nexthopSaddr } from "./select.js";
import { failed, type Decision, type Errno, type Flow } from "./types.js";
import { v4 } from "../addr/ip.js";
import { tryAlias } from "./fib.js";

/** Answer status: 0 a route, >0 an errno (ERRNOS[status]), FALLBACK: ask routeGet. */
export const FALLBACK = -1;
/** errno codes of `Answer4.status`. */
export const ERRNOS: readonly (Errno | undefined)[] = [
  undefined,
  "ENETUNREACH",
  "EHOSTUNREACH",
  "EACCES",
  "EINVAL",
];
const ENETUNREACH = 1,
  _EHOSTUNREACH = 2,
  EACCES = 3,
  EINVAL = 4;

/**
 * One IPv4 output question (`ip route get DST [from SRC] [mark M] [uid U] [tos T] [ipproto P]
 * [sport S] [dport D]`).
 */
export interface Query4 {
  dst: number;
  /** 0: none. */
  src: number;
  mark: number;
  uid: number;
  tos: number;
  /** 17 (UDP) when not given, as `ip route get`. */
  proto: number;
  sport: number;
  dport: number;
}

/** An answer, reused from question to question. */
export class Answer4 {
  status = 0;
  /** "unicast" or "local". */
  local = false;
  /** The route: position in `state.routes` at compile time. */
  pos = -1;
  nh = 0;
  table = 0;
  oif = 0;
  /** Gateway (uint32) when hasGateway. */
  gateway = 0;
  hasGateway = false;
  /** Preferred source, 0 for none. */
  prefsrc = 0;
  /** RTCF_LOCAL cache flag (`cache <local>`). */
  localFlag = false;
}

const A_LOOKUP = 0,
  A_GOTO = 1,
  A_NOP = 2,
  A_BLACKHOLE = 3,
  A_UNREACHABLE = 4,
  A_PROHIBIT = 5;

/** Per route position: how a lookup treats it (worked out on first use). */
const K_UNKNOWN = 0,
  K_ROUTE = 1,
  K_SKIP = 2,
  K_THROW = 3,
  K_ERR = 4,
  K_FALLBACK = 5;

const ACTIONS: Record<Rule["action"], number> = {
  lookup: A_LOOKUP,
  goto: A_GOTO,
  nop: A_NOP,
  blackhole: A_BLACKHOLE,
  unreachable: A_UNREACHABLE,
  prohibit: A_PROHIBIT,
};

/**
 * Whether the static selectors let a rule match an output flow (iif lo, no oif): `iif NAME`
 * only for an existing lo; `oif NAME` never (no oif); l3mdev never.
 */
function outputCanMatch(s: HostState, r: Rule): boolean {
  if (r.iifname !== undefined) {
    const l = linkByName(s, r.iifname);
    if (!l || l.ifindex !== 1) return false;
  }
  return r.oifname === undefined && !r.l3mdev;
}

const maskOf = (len: number): number =>
  len <= 0 ? 0 : len >= 32 ? 0xffffffff : (0xffffffff << (32 - len)) >>> 0;

/** The compiled host. */
export class Decider4 {
  private readonly fib: HostFib;
  private readonly version: number;
  private readonly routes: Route[];
  private readonly custom: boolean;
  // rules (struct of arrays)
  private readonly n: number;
  private readonly action: Uint8Array;
  /** 1: the static selectors (iif/oif/l3mdev) can match an output flow. */
  private readonly pre: Uint8Array;
  private readonly invert: Uint8Array;
  private readonly markV: Uint32Array;
  private readonly markM: Uint32Array;
  private readonly uidLo: Float64Array;
  private readonly uidHi: Float64Array;
  private readonly srcV: Uint32Array;
  private readonly srcM: Uint32Array;
  private readonly dstV: Uint32Array;
  private readonly dstM: Uint32Array;
  private readonly tos: Uint8Array;
  private readonly proto: Uint16Array;
  private readonly spLo: Int32Array;
  private readonly spHi: Int32Array;
  private readonly dpLo: Int32Array;
  private readonly dpHi: Int32Array;
  private readonly gotoIdx: Int32Array;
  private readonly supLen: Int32Array;
  private readonly supGroup: Int32Array;
  private readonly tableId: Uint32Array;
  private readonly tables: (TableFib | undefined)[];
  // bypass tables (no custom rules)
  private readonly local: TableFib | undefined;
  private readonly main: TableFib | undefined;
  private readonly dflt: TableFib | undefined;
  // per route position
  private readonly kind: Uint8Array;
  private readonly kTos: Uint8Array;
  private readonly kNh: Int8Array;
  private readonly kErr: Uint8Array;
  private readonly kSrc: Float64Array; // computed source for unicast routes, -1 none
  // per link
  private readonly linkLoop: Uint8Array;
  private readonly linkGroup: Int32Array;
  /** Interface addresses (a source given with `from` must be one). */
  private readonly ifaddrs: Set<number>;
  private readonly rulesRef: Rule[];
  private readonly rulesLen: number;
  private readonly linksRef: unknown;
  private readonly addrsRef: unknown;
  private readonly sysctlSize: number;

  constructor(private readonly s: HostState) {
    this.fib = hostFib(s);
    this.version = this.fib.version;
    this.routes = s.routes;
    this.custom = s.v4CustomRules;
    this.rulesRef = s.rules4;
    this.rulesLen = s.rules4.length;
    this.linksRef = s.links;
    this.addrsRef = s.addrs;
    this.sysctlSize = s.sysctl.size;
    const list = s.rules4,
      n = list.length;
    this.n = n;
    this.action = new Uint8Array(n);
    this.pre = new Uint8Array(n);
    this.invert = new Uint8Array(n);
    this.markV = new Uint32Array(n);
    this.markM = new Uint32Array(n);
    this.uidLo = new Float64Array(n);
    this.uidHi = new Float64Array(n);
    this.srcV = new Uint32Array(n);
    this.srcM = new Uint32Array(n);
    this.dstV = new Uint32Array(n);
    this.dstM = new Uint32Array(n);
    this.tos = new Uint8Array(n);
    this.proto = new Uint16Array(n);
    this.spLo = new Int32Array(n);
    this.spHi = new Int32Array(n);
    this.dpLo = new Int32Array(n);
    this.dpHi = new Int32Array(n);
    this.gotoIdx = new Int32Array(n);
    this.supLen = new Int32Array(n);
    this.supGroup = new Int32Array(n);
    this.tableId = new Uint32Array(n);
    this.tables = new Array(n);
    for (let i = 0; i < n; i++) this.compileRule(i, list);
    this.local = this.fib.table(4, TABLE.local);
    this.main = this.fib.table(4, TABLE.main);
    this.dflt = this.fib.table(4, TABLE.default);
    const m = s.routes.length;
    this.kind = new Uint8Array(m);
    this.kTos = new Uint8Array(m);
    this.kNh = new Int8Array(m);
    this.kErr = new Uint8Array(m);
    this.kSrc = new Float64Array(m);
    let maxIf = 0;
    for (const l of s.links) maxIf = Math.max(maxIf, l.ifindex);
    this.linkLoop = new Uint8Array(maxIf + 1);
    this.linkGroup = new Int32Array(maxIf + 1).fill(-2);
    for (const l of s.links) {
      this.linkLoop[l.ifindex] = l.kind === "loopback" ? 1 : 0;
      this.linkGroup[l.ifindex] = l.group;
    }
    this.ifaddrs = new Set(s.addrs.filter((a) => a.family === 4).map((a) => a.local.v as number));
  }

  /** Flatten rule `i` of `list` into the typed arrays. */
  private compileRule(i: number, list: Rule[]): void {
    const r = list[i]!;
    this.action[i] = ACTIONS[r.action];
    this.pre[i] = outputCanMatch(this.s, r) ? 1 : 0;
    this.invert[i] = r.invert ? 1 : 0;
    this.markV[i] = r.fwmark >>> 0;
    this.markM[i] = r.fwmask >>> 0;
    this.uidLo[i] = r.uidRange ? r.uidRange[0] : 0;
    this.uidHi[i] = r.uidRange ? r.uidRange[1] : 0xffffffff;
    if (r.src) {
      this.srcM[i] = r.src.addr.family === 4 ? maskOf(r.src.len) : 0;
      this.srcV[i] = ((r.src.addr.v as number) & this.srcM[i]!) >>> 0;
    }
    if (r.dst) {
      this.dstM[i] = r.dst.addr.family === 4 ? maskOf(r.dst.len) : 0;
      this.dstV[i] = ((r.dst.addr.v as number) & this.dstM[i]!) >>> 0;
    }
    this.tos[i] = r.tos;
    this.proto[i] = r.ipproto;
    this.spLo[i] = r.sport ? r.sport[0] : 0;
    this.spHi[i] = r.sport ? r.sport[1] : 65535;
    this.dpLo[i] = r.dport ? r.dport[0] : 0;
    this.dpHi[i] = r.dport ? r.dport[1] : 65535;
    this.gotoIdx[i] = r.gotoPref === undefined ? -1 : list.findIndex((x) => x.pref === r.gotoPref);
    this.supLen[i] = r.suppressPrefixlen;
    this.supGroup[i] = r.suppressIfgroup;
    this.tableId[i] = r.table;
    this.tables[i] = this.fib.table(4, r.table);
  }

  /**
   * Does the decider still describe the host (no route, rule, link, address or sysctl change
   * since)?
   */
  current(): boolean {
    const s = this.s;
    return (
      this.fib.fresh(s) &&
      this.fib.version === this.version &&
      s.routes === this.routes &&
      s.rules4 === this.rulesRef &&
      s.rules4.length === this.rulesLen &&
      s.v4CustomRules === this.custom &&
      s.links === this.linksRef &&
      s.addrs === this.addrsRef &&
      s.sysctl.size === this.sysctlSize
    );
  }

  /** The route an answer names. */
  route(a: Answer4): Route | undefined {
    return a.pos >= 0 ? this.routes[a.pos] : undefined;
  }

  /**
   * How a lookup treats the route at `pos`: fib.ts's own alias check (tryAlias) for an
   * output flow without oif whose tos the route accepts; the tos is checked per question.
   */
  private classify(pos: number): number {
    const r = this.routes[pos]!;
    this.kTos[pos] = r.tos;
    this.probe.tos = r.tos;
    const res = tryAlias(this.s, r, this.probe, false);
    let k: number;
    if (!res) k = K_SKIP;
    else if (res.kind === "throw") k = K_THROW;
    else if (res.kind === "error") {
      k = K_ERR;
      this.kErr[pos] = ERRNOS.indexOf(res.errno);
      if (this.kErr[pos]! <= 0) k = K_FALLBACK;
    } else if (
      res.kind !== "route" ||
      (r.type !== "unicast" && r.type !== "local") ||
      r.nexthops.length > 1 ||
      res.nhIndex > 127
    )
      k = K_FALLBACK;
    else {
      const nh = res.nhIndex;
      k = K_ROUTE;
      this.kNh[pos] = nh;
      this.kSrc[pos] = -1;
      if (r.type === "unicast") {
        const src = nexthopSaddr(this.s, r, nh);
        const v = src ? (src.v as number) : 0;
        const h = r.nexthops[nh]!;
        // A loopback source off a non-loopback device is __mkroute_output's EINVAL:
        // routeGet decides.
        if (
          v &&
          v >>> 24 === 127 &&
          !(h.ifindex < this.linkLoop.length && this.linkLoop[h.ifindex])
        )
          k = K_FALLBACK;
        this.kSrc[pos] = src ? v : -1;
      }
    }
    this.kind[pos] = k;
    return k;
  }
  private readonly probe: Flow = {
    family: 4,
    daddr: { family: 4, v: 0 },
    saddr: { family: 4, v: 0 },
    iif: 1,
    oif: 0,
    mark: 0,
    uid: 0,
    tos: 0,
    ipproto: 17,
    sport: 0,
    dport: 0,
  };

  /**
   * fibTableLookup for the question: the route position (>= 0), or -1 none, -2 throw,
   * -3 - errno, -100 fallback. Sets `this.hitNh`.
   */
  private hitNh = 0;
  /** The error route of the last lookup that ended in one. */
  private hitPos = -1;
  private lookupTable(t: TableFib, dst: number, tos: number): number {
    const lpm = t.lpm as AutoLpm4;
    for (let id = lpm.lookup(dst); id >= 0; id = lpm.parentOf(id)) {
      const v = t.slot[id]!;
      if (v >= 0) {
        const res = this.alias(v, tos);
        if (res !== -1) return res;
        continue;
      }
      for (const p of t.lists[-2 - v]!) {
        const res = this.alias(p, tos);
        if (res !== -1) return res;
      }
    }
    return -1;
  }

  private alias(pos: number, tos: number): number {
    let k = this.kind[pos]!;
    if (k === K_UNKNOWN) k = this.classify(pos);
    const rt = this.kTos[pos]!;
    if (rt && (tos & 0x1c) !== rt) return -1;
    switch (k) {
      case K_ROUTE:
        this.hitNh = this.kNh[pos]!;
        return pos;
      case K_SKIP:
        return -1;
      case K_THROW:
        return -2;
      case K_ERR:
        this.hitPos = pos;
        return -3 - this.kErr[pos]!;
      default:
        return -100;
    }
  }

  /**
   * Local and main as the merged trie: at equal length, aliases interleave in kernel order (fib.ts
   * mergedLookup).
   */
  private lookupMerged(dst: number, tos: number): number {
    const a = this.local,
      b = this.main;
    if (!a) return b ? this.lookupTable(b, dst, tos) : -1;
    if (!b) return this.lookupTable(a, dst, tos);
    const routes = this.routes,
      la4 = a.lpm as AutoLpm4,
      lb4 = b.lpm as AutoLpm4;
    let ia = la4.lookup(dst),
      ib = lb4.lookup(dst);
    while (ia >= 0 || ib >= 0) {
      const la = ia >= 0 ? routes[a.firstPos(ia)]!.dst.len : -1;
      const lb = ib >= 0 ? routes[b.firstPos(ib)]!.dst.len : -1;
      if (la !== lb) {
        const t = la > lb ? a : b,
          id = la > lb ? ia : ib;
        const v = t.slot[id]!;
        if (v >= 0) {
          const res = this.alias(v, tos);
          if (res !== -1) return res;
        } else
          for (const p of t.lists[-2 - v]!) {
            const res = this.alias(p, tos);
            if (res !== -1) return res;
          }
        if (la > lb) ia = la4.parentOf(ia);
        else ib = lb4.parentOf(ib);
        continue;
      }
      const xa = a.aliases(ia),
        xb = b.aliases(ib);
      for (let i = 0, j = 0; i < xa.length || j < xb.length; ) {
        const ra = i < xa.length ? routes[xa[i]!]! : undefined,
          rb = j < xb.length ? routes[xb[j]!]! : undefined;
        const useA =
          !rb || (!!ra && (rb.tos - ra.tos || ra.metric - rb.metric || ra.seq - rb.seq) <= 0);
        const p = useA ? xa[i++]! : xb[j++]!;
        const res = this.alias(p, tos);
        if (res !== -1) return res;
      }
      ia = la4.parentOf(ia);
      ib = lb4.parentOf(ib);
    }
    return -1;
  }

  /** Table of the route the last lookupNoRules / walkRules found. */
  private hitTable = 0;

  /**
   * fib_lookup without custom rules: main (local merged into it), then default; a throw in
   * the merged table ends nothing. A lookupTable code; sets `hitTable`.
   */
  private lookupNoRules(dst: number, tos: number): number {
    let pos = this.lookupMerged(dst, tos);
    this.hitTable = TABLE.main;
    if (pos === -1 || pos === -2) {
      pos = this.dflt ? this.lookupTable(this.dflt, dst, tos) : -1;
      this.hitTable = TABLE.default;
      if (pos === -2) pos = -1;
    }
    return pos;
  }

  /** fib4_rule_suppress: suppress_prefixlength / suppress_ifgroup reject the route. */
  private suppressed(r: number, pos: number): boolean {
    const rt = this.routes[pos]!;
    if (rt.dst.len <= this.supLen[r]!) return true;
    if (this.supGroup[r] === -1) return false;
    const ifx = rt.nexthops[0]?.ifindex ?? 0;
    return ifx < this.linkGroup.length && this.linkGroup[ifx] === this.supGroup[r];
  }

  /**
   * fib_rules_lookup over the flattened rules: a lookupTable code (a rule action's errno
   * comes back as an error with `hitPos` -1); sets `hitTable`.
   */
  private walkRules(q: Query4, dst: number, src: number): number {
    const n = this.n,
      mark = q.mark >>> 0,
      uid = q.uid >>> 0,
      tos = q.tos;
    for (let i = 0; i < n; i++) {
      let r = i;
      for (;;) {
        // fib_rule_match over the flattened selectors (kept inline: this loop is the hot path).
        let m =
          this.pre[r] === 1 &&
          ((this.markV[r]! ^ mark) & this.markM[r]!) === 0 &&
          uid >= this.uidLo[r]! &&
          uid <= this.uidHi[r]! &&
          (src & this.srcM[r]!) >>> 0 === this.srcV[r] &&
          (dst & this.dstM[r]!) >>> 0 === this.dstV[r] &&
          (this.tos[r] === 0 || (tos & 0x1c) === this.tos[r]) &&
          (this.proto[r] === 0 || this.proto[r] === q.proto) &&
          q.sport >= this.spLo[r]! &&
          q.sport <= this.spHi[r]! &&
          q.dport >= this.dpLo[r]! &&
          q.dport <= this.dpHi[r]!;
        if (this.invert[r]) m = !m;
        if (!m) break;
        const act = this.action[r]!;
        if (act === A_GOTO) {
          const t = this.gotoIdx[r]!;
          if (t < 0) break;
          i = t;
          r = t;
          continue;
        }
        if (act === A_NOP) break;
        if (act !== A_LOOKUP) {
          this.hitPos = -1;
          return -3 - (act === A_UNREACHABLE ? ENETUNREACH : act === A_PROHIBIT ? EACCES : EINVAL);
        }
        const t = this.tables[r];
        if (!t) break;
        const res = this.lookupTable(t, dst, tos);
        if (res === -100 || res <= -3) return res;
        if (res >= 0 && !this.suppressed(r, res)) {
          this.hitTable = this.tableId[r]!;
          return res;
        }
        break;
      }
    }
    return -1;
  }

  /**
   * Answer one question into `out`: true, or false with `out.status = FALLBACK` when
   * `routeGet` must answer it.
   */
  decide(q: Query4, out: Answer4): boolean {
    const dst = q.dst >>> 0,
      src = q.src >>> 0;
    out.status = FALLBACK;
    // Special destinations and sources: routeGet's own branches.
    const d8 = dst >>> 24;
    if (dst === 0 || d8 === 127 || d8 >= 224) return false;
    if (src !== 0 && (src >>> 24 === 127 || src >>> 28 >= 0xe || !this.ifaddrs.has(src)))
      return false;
    const pos = this.custom ? this.walkRules(q, dst, src) : this.lookupNoRules(dst, q.tos);
    if (pos === -100) return false;
    if (pos < 0) {
      out.status = pos <= -3 ? -3 - pos : ENETUNREACH;
      out.pos = pos <= -3 ? this.hitPos : -1;
      return true;
    }
    this.answerRoute(pos, dst, src, out);
    return true;
  }

  /** __mkroute_output for a unicast or local route, into `out`. */
  private answerRoute(pos: number, dst: number, src: number, out: Answer4): void {
    const r = this.routes[pos]!;
    out.status = 0;
    out.pos = pos;
    out.table = this.hitTable;
    if (r.type === "local") {
      out.local = true;
      out.nh = -1;
      out.oif = 1;
      out.hasGateway = false;
      out.gateway = 0;
      out.prefsrc = src || (r.prefsrc ? (r.prefsrc.v as number) : dst);
      out.localFlag = true;
      return;
    }
    const nh = this.hitNh,
      h = r.nexthops[nh]!;
    out.local = false;
    out.nh = nh;
    out.oif = h.ifindex;
    if (h.gateway) {
      out.hasGateway = true;
      out.gateway = h.gateway.v as number;
    } else {
      out.hasGateway = false;
      out.gateway = 0;
    }
    const ks = this.kSrc[pos]!;
    out.prefsrc = src || (ks < 0 ? 0 : ks);
    out.localFlag = h.ifindex < this.linkLoop.length && this.linkLoop[h.ifindex] === 1;
  }

  /**
   * Answer `n` questions given as arrays, into arrays: status (FALLBACK for the ones routeGet
   * must answer), route position, oif, gateway (0 none) and prefsrc. Returns the number of
   * fallbacks. Allocates nothing.
   */
  decideBatch(
    n: number,
    q: {
      dst: Uint32Array;
      src: Uint32Array;
      mark: Uint32Array;
      uid: Uint32Array;
      tos: Uint8Array;
      proto: Uint8Array;
      sport: Uint16Array;
      dport: Uint16Array;
    },
    out: {
      status: Int8Array;
      pos: Int32Array;
      oif: Int32Array;
      gateway: Uint32Array;
      prefsrc: Uint32Array;
    },
  ): number {
    const one = this.one,
      a = this.answer;
    let fallbacks = 0;
    for (let i = 0; i < n; i++) {
      one.dst = q.dst[i]!;
      one.src = q.src[i]!;
      one.mark = q.mark[i]!;
      one.uid = q.uid[i]!;
      one.tos = q.tos[i]!;
      one.proto = q.proto[i]!;
      one.sport = q.sport[i]!;
      one.dport = q.dport[i]!;
      if (!this.decide(one, a)) fallbacks++;
      out.status[i] = a.status;
      out.pos[i] = a.pos;
      out.oif[i] = a.oif;
      out.gateway[i] = a.hasGateway ? a.gateway : 0;
      out.prefsrc[i] = a.prefsrc;
    }
    return fallbacks;
  }
  private readonly one: Query4 = {
    dst: 0,
    src: 0,
    mark: 0,
    uid: 0,
    tos: 0,
    proto: 17,
    sport: 0,
    dport: 0,
  };
  private readonly answer = new Answer4();
}

/**
 * Compile the host's IPv4 output decisions.
 * @example
 * ```ts
 * const d = compileDecider(state);
 * const a = new Answer4();
 * const q = { dst: 0x01010101, src: 0, mark: 0, uid: 0, tos: 0, proto: 17, sport: 0, dport: 0 };
 * if (d.decide(q, a) && a.status === 0) console.log(a.oif, a.gateway);
 * ```
 */
export function compileDecider(s: HostState): Decider4 {
  return new Decider4(s);
}

/**
 * The decision for a question whatever it is: the decider's when it can, `routeGet`'s
 * otherwise, as a `Decision` (allocates; for callers that need the general shape).
 */
export function decideAny(d: Decider4, s: HostState, q: Query4, out: Answer4): Decision {
  if (d.decide(q, out)) return answerToDecision(d, q, out);
  return routeGet(s, queryOf(q));
}

/** The routeGet question of a Query4 (uid and from only when set). */
export function queryOf(q: Query4): RouteQuery {
  return {
    family: 4,
    dst: { family: 4, v: q.dst >>> 0 },
    ...defined({ from: q.src ? v4(q.src) : undefined }),
    mark: q.mark >>> 0,
    uid: q.uid >>> 0,
    tos: q.tos,
    ipproto: q.proto,
    sport: q.sport,
    dport: q.dport,
  };
}

/** An answer in routeGet's Decision shape (no trace). */
export function answerToDecision(d: Decider4, q: Query4, a: Answer4): Decision {
  const flow = {
    family: 4 as const,
    daddr: { family: 4 as const, v: q.dst >>> 0 },
    saddr: { family: 4 as const, v: q.src >>> 0 },
    iif: 1,
    oif: 0,
    mark: q.mark >>> 0,
    uid: q.uid >>> 0,
    tos: q.tos,
    ipproto: q.proto,
    sport: q.sport,
    dport: q.dport,
    hasSaddr: q.src !== 0,
  };
  if (a.status > 0) return failed(ERRNOS[a.status]!, flow, [], d.route(a));
  const r = d.route(a)!;
  return {
    ok: true,
    type: a.local ? "local" : "unicast",
    oif: a.oif,
    cacheFlags: a.localFlag ? ["local"] : [],
    flow,
    trace: [],
    route: r,
    matchedPrefix: r.dst,
    table: a.table,
    ...defined({
      nhIndex: a.local ? undefined : a.nh,
      gateway: a.hasGateway ? v4(a.gateway) : undefined,
      prefsrc: a.prefsrc ? v4(a.prefsrc) : undefined,
    }),
  };
}
