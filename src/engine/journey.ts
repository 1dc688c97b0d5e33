/**
 * The whole packet journey through netfilter and routing, in the kernel's hook order:
 * locally generated (socket route lookup → OUTPUT with re-route after `route`-type chains
 * and DNAT → POSTROUTING, or the loop through lo for local destinations), forwarded and
 * locally delivered packets (PREROUTING → input route lookup with rp_filter → FORWARD or
 * INPUT → POSTROUTING), and the reply of a flow (conntrack: ct mark, reverse NAT).
 * Netfilter rules come from any front-end through `NfBaseChain`.
 * @module
 */
import { addrEq, ANY4, ANY6, formatAddr, parseAddr, type Addr, type Family } from "../addr/ip.js";
import { linkByIndex, linkByName } from "../model/links.js";
import type { HostState } from "../model/types.js";
import type {
  Hook,
  NfBaseChain,
  NfHostView,
  NfPacket,
  NfStep,
  NfVerdict,
} from "../netfilter/types.js";
import { fibTableLookup } from "./fib.js";
import { inetSelectAddr, ipv6SelectSaddr, routeGet, type RouteQuery } from "./route.js";
import { ERRNO, type Decision } from "./types.js";

/** The packet a user asks about (`routelab trace ...`). */
export interface JourneyQuery {
  family: Family;
  dst: Addr;
  /** Bound source (local) or the packet's source (forwarded, with iif). */
  from?: Addr;
  /** Ingress device: the packet arrives from outside (forwarded or for local delivery). */
  iif?: string;
  /** SO_BINDTODEVICE of the sending socket. */
  oif?: string;
  uid?: number;
  gid?: number;
  /** SO_MARK of the sending socket, or the skb mark of an arriving packet. */
  mark?: number;
  ipproto: number;
  sport?: number;
  dport?: number;
  tos?: number;
  /** Trace the reply of this flow instead of the packet itself. */
  reply?: boolean;
}

export type JourneyVerdict = "sent" | "delivered" | "dropped" | "error";

/** One step of the journey. */
export type JourneyStep =
  | {
      kind: "hook";
      hook: Hook;
      iif?: string;
      oif?: string;
      mark: number;
      saddr: string;
      daddr: string;
    }
  | {
      kind: "rule";
      hook: Hook;
      family: string;
      table: string;
      chain: string;
      rule: number;
      text: string;
      matched: boolean;
      verdict: string;
      markBefore?: number;
      markAfter?: number;
    }
  | {
      kind: "route";
      stage: "socket" | "connect" | "reroute" | "input";
      decision: Decision;
      query: RouteQuery;
    }
  | { kind: "nat"; what: string; saddr: string; daddr: string; sport: number; dport: number }
  | { kind: "conntrack"; text: string }
  | { kind: "note"; text: string };

export interface JourneyFinal {
  verdict: JourneyVerdict;
  iif?: string | null;
  oif: string | null;
  gateway: string | null;
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
  mark: number;
  ctmark: number;
  reason?: string;
  error?: string;
}

export interface JourneyResult {
  query: JourneyQuery;
  final: JourneyFinal;
  trace: JourneyStep[];
  original?: JourneyResult;
}

/** Base chains that see this family at a hook, in priority order (stable for equal priorities). */
export function chainsAt(
  chains: readonly NfBaseChain[],
  hook: Hook,
  family: Family,
): NfBaseChain[] {
  const fam = family === 4 ? "ip" : "ip6";
  return chains
    .map((c, i) => [c, i] as const)
    .filter(([c]) => c.hook === hook && (c.family === fam || c.family === "inet"))
    .sort((a, b) => a[0].priority - b[0].priority || a[1] - b[1])
    .map(([c]) => c);
}

/** The host as netfilter expressions see it (addrtype, fib). */
export function hostView(s: HostState): NfHostView {
  return {
    addrType(addr: Addr, dev?: string): string {
      const l = dev ? linkByName(s, dev) : undefined;
      const r = fibTableLookup(s, 255, {
        family: addr.family,
        daddr: addr,
        saddr: addr.family === 4 ? ANY4 : ANY6,
        iif: 1,
        oif: l?.ifindex ?? 0,
        mark: 0,
        uid: 0,
        tos: 0,
        ipproto: 0,
        sport: 0,
        dport: 0,
      });
      if (r.kind === "route") return r.route.type;
      if (addr.family === 4) {
        if ((addr.v as number) >>> 28 === 0xe) return "multicast";
        if (addr.v === 0xffffffff) return "broadcast";
      }
      return "unicast";
    },
    linkExists: (name: string) => !!linkByName(s, name),
    fibLookup(q) {
      const d = routeGet(s, {
        family: q.family,
        dst: q.daddr,
        ...(q.saddr ? { from: q.saddr } : {}),
        ...(q.mark !== undefined ? { mark: q.mark } : {}),
        ...(q.oif ? { oif: q.oif } : {}),
        ...(q.iif && q.saddr ? { iif: q.iif } : {}),
      });
      if (!d.ok) return undefined;
      return d.type === "local" ? "lo" : linkByIndex(s, d.oif ?? 0)?.name;
    },
  };
}

interface Ct {
  state: NfPacket["ctstate"];
  mark: number;
  dnat?: { addr: Addr; port: number };
  snat?: { addr: Addr; port: number };
  origDaddr?: Addr;
  origDport?: number;
  origSaddr?: Addr;
  origSport?: number;
}

/** A socket listening on the host (`--listen udp 127.0.0.1 12345 transparent`). */
export interface ListenSpec {
  proto: "udp" | "tcp";
  addr: Addr;
  port: number;
  transparent: boolean;
}

/** What the journey needs beyond the host and its rulesets. */
export interface JourneyEnv {
  /** Sockets listening on the host; undefined = assume the proxy a TPROXY rule points at is listening. */
  listens?: readonly ListenSpec[];
}

/** A reverse-NAT step a hook applies at a priority (the conntrack NAT hooks: -100 dst, 100 src). */
interface Manip {
  priority: number;
  what: string;
  apply(p: NfPacket): void;
}

/** nf_conntrack_in runs at -200: chains before it see no conntrack entry on a packet that has none yet. */
const CT_PRIORITY = -200;

class Walker {
  trace: JourneyStep[] = [];
  readonly view: NfHostView;
  readonly conntrack: boolean;
  tproxied = false;
  /** The packet carries its conntrack entry (it has passed the conntrack hook once, e.g. before looping through lo). */
  hasCt = false;
  /** NAT for this flow is set up (first traversal done): nat chains are not consulted again. */
  natDone = false;
  constructor(
    readonly s: HostState,
    readonly chains: readonly NfBaseChain[],
    readonly ct: Ct,
    readonly env: JourneyEnv = {},
  ) {
    this.view = {
      ...hostView(s),
      tproxySocket: (pkt, addr, port) => this.socketFor(pkt, addr, port),
    };
    this.conntrack = chains.some((c) => c.needsConntrack);
  }

  /** nf_tproxy_get_sock: a listener on the port, bound to the address or a wildcard. */
  socketFor(pkt: NfPacket, addr: Addr | undefined, port: number): boolean {
    const ls = this.env.listens;
    if (!ls) return true;
    const want = addr && !(addr.family === 4 ? addr.v === 0 : addr.v === 0n) ? addr : pkt.daddr;
    const proto = pkt.ipproto === 6 ? "tcp" : pkt.ipproto === 17 ? "udp" : "";
    return ls.some(
      (l) =>
        l.proto === proto &&
        l.port === port &&
        l.addr.family === pkt.family &&
        ((l.addr.family === 4 ? l.addr.v === 0 : l.addr.v === 0n) || addrEq(l.addr, want)),
    );
  }

  /** Run every base chain of a hook. Returns the verdict and whether a re-route is due (output). */
  hook(
    hook: Hook,
    pkt: NfPacket,
    onChain?: (c: NfBaseChain, before: NfPacket, after: NfPacket) => string | undefined,
    manips: Manip[] = [],
  ): { pkt: NfPacket; drop?: string } {
    this.trace.push({
      kind: "hook",
      hook,
      ...(pkt.iifname ? { iif: pkt.iifname } : {}),
      ...(pkt.oifname ? { oif: pkt.oifname } : {}),
      mark: pkt.mark,
      saddr: formatAddr(pkt.saddr),
      daddr: formatAddr(pkt.daddr),
    });
    const pending = [...manips].sort((a, b) => a.priority - b.priority);
    const runManips = (upTo: number) => {
      while (pending.length && pending[0]!.priority <= upTo) {
        const m = pending.shift()!;
        m.apply(pkt);
        this.trace.push({
          kind: "nat",
          what: m.what,
          saddr: formatAddr(pkt.saddr),
          daddr: formatAddr(pkt.daddr),
          sport: pkt.sport,
          dport: pkt.dport,
        });
      }
    };
    const entersCt = hook === "prerouting" || hook === "output";
    for (const c of chainsAt(this.chains, hook, pkt.family)) {
      runManips(c.priority);
      if (c.type === "nat" && (!this.conntrack || pkt.ctstate !== "new" || this.natDone)) continue;
      if (entersCt && c.priority >= CT_PRIORITY) this.hasCt = true;
      const before = { ...pkt };
      pkt.ctmark = this.ct.mark;
      // Before the conntrack hook a packet without an entry has none: ct state is INVALID, ct mark 0.
      const noCt = !this.hasCt && (!entersCt || c.priority < CT_PRIORITY) && entersCt;
      const seen = noCt ? { ...pkt, ctstate: "invalid" as const, ctmark: 0 } : { ...pkt };
      const res = c.evaluate(seen, this.view);
      if (noCt) {
        res.packet.ctstate = pkt.ctstate;
        res.packet.ctmark = this.ct.mark;
      }
      this.pushSteps(hook, c, res.steps);
      pkt = res.packet;
      this.ct.mark = pkt.ctmark;
      const v = res.verdict;
      const drop = this.applyVerdict(hook, c, v, pkt);
      if (drop && v.kind === "tproxy") {
        // xt_TPROXY returns NF_DROP itself when no socket is found: the rule's verdict is drop and the
        // packet keeps the mark it had (the tproxy mark is only set on a socket hit).
        pkt.mark = before.mark;
        for (let i = this.trace.length - 1; i >= 0; i--) {
          const t = this.trace[i]!;
          if (t.kind === "rule" && t.matched && t.rule !== 0) {
            t.verdict = "drop";
            break;
          }
        }
      }
      if (drop) return { pkt, drop };
      const err = onChain?.(c, before, pkt);
      if (err) return { pkt, drop: err };
    }
    runManips(Infinity);
    if (entersCt) this.hasCt = true;
    return { pkt };
  }

  pushSteps(hook: Hook, c: NfBaseChain, steps: NfStep[]): void {
    for (const st of steps) {
      this.trace.push({
        kind: "rule",
        hook,
        family: c.family,
        table: c.table,
        chain: st.chain,
        rule: st.ruleIndex,
        text: st.text,
        matched: st.matched,
        verdict:
          st.ruleIndex === 0
            ? st.effect?.startsWith("policy")
              ? st.effect
              : `policy ${st.effect ?? "accept"}`
            : st.matched
              ? (st.effect ?? "continue")
              : "no match",
        ...(st.markBefore !== undefined ? { markBefore: st.markBefore } : {}),
        ...(st.markAfter !== undefined ? { markAfter: st.markAfter } : {}),
      });
    }
  }

  applyVerdict(hook: Hook, c: NfBaseChain, v: NfVerdict, pkt: NfPacket): string | undefined {
    switch (v.kind) {
      case "accept":
        return undefined;
      case "drop":
        return `dropped by ${c.family} ${c.table} ${c.chain}${v.reason ? ` (${v.reason})` : ""}`;
      case "reject":
        return `rejected by ${c.family} ${c.table} ${c.chain} (${v.with})`;
      case "queue":
        return `queued to userspace queue ${v.num} by ${c.family} ${c.table} ${c.chain} (no reader modelled: dropped)`;
      case "dnat":
      case "redirect": {
        this.ct.origDaddr = pkt.daddr;
        this.ct.origDport = pkt.dport;
        let addr = v.kind === "dnat" ? v.addr : undefined;
        if (v.kind === "redirect") {
          // REDIRECT: the primary address of the incoming device, or loopback for local packets.
          if (hook === "output")
            addr = pkt.family === 4 ? { family: 4, v: 0x7f000001 } : { family: 6, v: 1n };
          else {
            const l = linkByName(this.s, pkt.iifname);
            const a =
              l &&
              this.s.addrs.find(
                (x) => x.family === pkt.family && x.ifindex === l.ifindex && !x.secondary,
              );
            if (!a) return "REDIRECT: the incoming device has no address (dropped)";
            addr = a.local;
          }
        }
        if (addr) pkt.daddr = addr;
        if (v.port !== undefined) pkt.dport = v.port;
        this.ct.dnat = { addr: pkt.daddr, port: pkt.dport };
        this.trace.push({
          kind: "nat",
          what: v.kind === "dnat" ? "DNAT" : "REDIRECT",
          saddr: formatAddr(pkt.saddr),
          daddr: formatAddr(pkt.daddr),
          sport: pkt.sport,
          dport: pkt.dport,
        });
        return undefined;
      }
      case "snat":
      case "masquerade": {
        this.ct.origSaddr = pkt.saddr;
        this.ct.origSport = pkt.sport;
        let addr = v.kind === "snat" ? v.addr : undefined;
        if (v.kind === "masquerade") {
          const l = linkByName(this.s, pkt.oifname);
          if (!l) return "MASQUERADE: no output device";
          addr =
            pkt.family === 4
              ? inetSelectAddr(this.s, l.ifindex, 0, 0)
              : ipv6SelectSaddr(this.s, l.ifindex, pkt.daddr.v as bigint);
          if (!addr) return `MASQUERADE: ${l.name} has no address (dropped)`;
        }
        if (addr) pkt.saddr = addr;
        if (v.port !== undefined) pkt.sport = v.port;
        this.ct.snat = { addr: pkt.saddr, port: pkt.sport };
        this.trace.push({
          kind: "nat",
          what: v.kind === "snat" ? "SNAT" : "MASQUERADE",
          saddr: formatAddr(pkt.saddr),
          daddr: formatAddr(pkt.daddr),
          sport: pkt.sport,
          dport: pkt.dport,
        });
        return undefined;
      }
      case "tproxy": {
        const found = this.socketFor(pkt, v.addr, v.port);
        this.trace.push({
          kind: "note",
          text: `TPROXY to ${v.addr ? formatAddr(v.addr) : "the original destination"}:${v.port}: ${found ? (this.env.listens ? "a socket listens there" : "assuming the proxy listens there (no --listen given)") + ", the packet is assigned to it" : "no socket listens there: dropped"}`,
        });
        if (!found) return "TPROXY found no socket";
        this.tproxied = true;
        return undefined;
      }
    }
  }
}

function finalOf(
  verdict: JourneyVerdict,
  pkt: NfPacket,
  ct: Ct,
  d?: Decision,
  extra: Partial<JourneyFinal> = {},
): JourneyFinal {
  const oif =
    verdict === "sent" ? pkt.oifname || null : verdict === "delivered" ? "lo" : pkt.oifname || null;
  return {
    verdict,
    oif,
    gateway: verdict === "sent" && d?.gateway ? formatAddr(d.gateway) : null,
    saddr: formatAddr(pkt.saddr),
    daddr: formatAddr(pkt.daddr),
    sport: pkt.sport,
    dport: pkt.dport,
    mark: pkt.mark >>> 0,
    ctmark: ct.mark >>> 0,
    ...(pkt.iifname ? { iif: pkt.iifname } : {}),
    ...extra,
  };
}

function devName(s: HostState, d: Decision): string {
  if (d.type === "local" || (d.type === "broadcast" && d.oif === 1)) return "lo";
  return linkByIndex(s, d.oif ?? 0)?.name ?? "";
}

function changed(a: NfPacket, b: NfPacket): boolean {
  return (
    !addrEq(a.saddr, b.saddr) || !addrEq(a.daddr, b.daddr) || a.mark !== b.mark || a.tos !== b.tos
  );
}

/**
 * Follow one packet (or its reply) through the host.
 * @example journey(state, [], { family: 4, dst: v4(0x01010101), uid: 1000, ipproto: 17, dport: 443 })
 */
export function journey(
  s: HostState,
  chains: readonly NfBaseChain[],
  q: JourneyQuery,
  env: JourneyEnv = {},
): JourneyResult {
  if (q.reply) {
    const ct: Ct = { state: "new", mark: 0 };
    const orig = forward(s, chains, { ...q, reply: false }, ct, env);
    return replyJourney(s, chains, q, orig, ct, env);
  }
  return forward(s, chains, q, { state: "new", mark: 0 }, env);
}

function forward(
  s: HostState,
  chains: readonly NfBaseChain[],
  q: JourneyQuery,
  ct: Ct,
  env: JourneyEnv,
): JourneyResult {
  const w = new Walker(s, chains, ct, env);
  const pkt: NfPacket = {
    family: q.family,
    saddr: q.from ?? (q.family === 4 ? ANY4 : ANY6),
    daddr: q.dst,
    ipproto: q.ipproto,
    sport: q.sport ?? 40000,
    dport: q.dport ?? 0,
    mark: q.mark ?? 0,
    tos: q.tos ?? 0,
    iifname: q.iif ?? "",
    oifname: "",
    ctstate: "new",
    ctmark: 0,
    ctdir: "original",
    ...(q.iif ? {} : { skuid: q.uid ?? 0, skgid: q.gid ?? 0 }),
  };
  if (q.iif) return inputPath(s, w, pkt, q, ct);
  return outputPath(s, w, pkt, q, ct);
}

function rq(pkt: NfPacket, extra: Partial<RouteQuery>): RouteQuery {
  return {
    family: pkt.family,
    dst: pkt.daddr,
    mark: pkt.mark,
    tos: pkt.tos,
    ipproto: pkt.ipproto,
    sport: pkt.sport,
    dport: pkt.dport,
    ...extra,
  };
}

function outputPath(
  s: HostState,
  w: Walker,
  pkt: NfPacket,
  q: JourneyQuery,
  ct: Ct,
): JourneyResult {
  const base: RouteQuery = rq(pkt, {
    ...(q.from ? { from: q.from } : {}),
    ...(q.oif ? { oif: q.oif } : {}),
    uid: q.uid ?? 0,
  });
  let d = routeGet(s, base);
  w.trace.push({ kind: "route", stage: "socket", decision: d, query: base });
  if (!d.ok)
    return {
      query: q,
      trace: w.trace,
      final: finalOf("error", pkt, ct, d, {
        error: ERRNO[d.errno ?? "ENETUNREACH"],
        reason: "the socket's route lookup failed",
      }),
    };
  if (!q.from && d.prefsrc) pkt.saddr = d.prefsrc;
  if (q.ipproto === 6 && !q.from && q.family === 4 && d.prefsrc) {
    // connect(): a second lookup with the chosen source (ip_route_connect).
    const again = { ...base, from: d.prefsrc };
    const d2 = routeGet(s, again);
    w.trace.push({ kind: "route", stage: "connect", decision: d2, query: again });
    if (!d2.ok)
      return {
        query: q,
        trace: w.trace,
        final: finalOf("error", pkt, ct, d2, { error: ERRNO[d2.errno ?? "ENETUNREACH"] }),
      };
    d = d2;
  }
  pkt.oifname = devName(s, d);
  let rerouteError: string | undefined;
  const out = w.hook("output", pkt, (c, before, after) => {
    const trigger =
      (c.type === "route" && changed(before, after)) ||
      (c.type === "nat" && !addrEq(before.daddr, after.daddr));
    if (!trigger) return undefined;
    const again = rq(after, {
      from: after.saddr,
      ...(q.oif ? { oif: q.oif } : {}),
      uid: q.uid ?? 0,
      reroute: true,
    });
    const d2 = routeGet(s, again);
    w.trace.push({ kind: "route", stage: "reroute", decision: d2, query: again });
    if (!d2.ok) {
      rerouteError = ERRNO[d2.errno ?? "ENETUNREACH"];
      return `re-route failed: ${rerouteError}`;
    }
    d = d2;
    after.oifname = devName(s, d2);
    return undefined;
  });
  let p = out.pkt;
  if (out.drop)
    return { query: q, trace: w.trace, final: finalOf("dropped", p, ct, d, { reason: out.drop }) };
  const post = w.hook("postrouting", p);
  p = post.pkt;
  if (post.drop)
    return { query: q, trace: w.trace, final: finalOf("dropped", p, ct, d, { reason: post.drop }) };
  if (d.type === "local" || p.oifname === "lo") {
    // Local destination: the packet loops through lo and is seen again at PREROUTING and INPUT (it keeps
    // its route and its conntrack entry, whose NAT was set up in OUTPUT/POSTROUTING).
    w.natDone = true;
    const lo: NfPacket = { ...p, iifname: "lo" };
    delete lo.skuid;
    delete lo.skgid;
    const pre = w.hook("prerouting", lo);
    if (pre.drop)
      return {
        query: q,
        trace: w.trace,
        final: finalOf("dropped", pre.pkt, ct, d, { reason: pre.drop }),
      };
    const inp = w.hook("input", { ...pre.pkt, oifname: "" });
    if (inp.drop)
      return {
        query: q,
        trace: w.trace,
        final: finalOf("dropped", inp.pkt, ct, d, { reason: inp.drop }),
      };
    return {
      query: q,
      trace: w.trace,
      final: finalOf(
        "delivered",
        inp.pkt,
        ct,
        d,
        w.tproxied ? { reason: "delivered to the TPROXY socket" } : {},
      ),
    };
  }
  return { query: q, trace: w.trace, final: finalOf("sent", p, ct, d) };
}

function inputPath(
  s: HostState,
  w: Walker,
  pkt: NfPacket,
  q: JourneyQuery,
  ct: Ct,
  stage: "input" = "input",
  preManips: Manip[] = [],
  postManips: Manip[] = [],
): JourneyResult {
  const pre = w.hook("prerouting", pkt, undefined, preManips);
  let p = pre.pkt;
  if (pre.drop)
    return {
      query: q,
      trace: w.trace,
      final: finalOf("dropped", p, ct, undefined, { reason: pre.drop }),
    };
  const rqIn = rq(p, { from: p.saddr, iif: p.iifname });
  const d = routeGet(s, rqIn);
  w.trace.push({ kind: "route", stage, decision: d, query: rqIn });
  if (!d.ok) {
    const rpf = d.trace.find((t) => t.kind === "rp_filter" && !t.ok);
    const mart = d.trace.find((t) => t.kind === "martian");
    const reason =
      rpf && rpf.kind === "rp_filter"
        ? `rp_filter: ${rpf.why}`
        : mart && mart.kind === "martian"
          ? `martian: ${mart.why}`
          : `no route: ${ERRNO[d.errno ?? "ENETUNREACH"]}`;
    return { query: q, trace: w.trace, final: finalOf("dropped", p, ct, d, { reason }) };
  }
  if (d.type === "local" || d.type === "broadcast") {
    const inp = w.hook("input", p, undefined, postManips);
    p = inp.pkt;
    if (inp.drop)
      return {
        query: q,
        trace: w.trace,
        final: finalOf("dropped", p, ct, d, { reason: inp.drop }),
      };
    return {
      query: q,
      trace: w.trace,
      final: finalOf(
        "delivered",
        p,
        ct,
        d,
        w.tproxied ? { reason: "delivered to the TPROXY socket" } : {},
      ),
    };
  }
  if (w.tproxied)
    return {
      query: q,
      trace: w.trace,
      final: finalOf("dropped", p, ct, d, {
        reason:
          "TPROXY assigned a socket but the route is not local (add `ip rule fwmark … lookup T` with `local default dev lo table T`)",
      }),
    };
  p.oifname = devName(s, d);
  const fwd = w.hook("forward", p);
  p = fwd.pkt;
  if (fwd.drop)
    return { query: q, trace: w.trace, final: finalOf("dropped", p, ct, d, { reason: fwd.drop }) };
  const post = w.hook("postrouting", p, undefined, postManips);
  p = post.pkt;
  if (post.drop)
    return { query: q, trace: w.trace, final: finalOf("dropped", p, ct, d, { reason: post.drop }) };
  return { query: q, trace: w.trace, final: finalOf("sent", p, ct, d) };
}

function replyJourney(
  s: HostState,
  chains: readonly NfBaseChain[],
  q: JourneyQuery,
  orig: JourneyResult,
  origCt: Ct,
  env: JourneyEnv,
): JourneyResult {
  const of = orig.final;
  if (of.verdict !== "sent") {
    return {
      query: q,
      original: orig,
      trace: [
        {
          kind: "note",
          text: `the original packet was ${of.verdict}${of.reason ? ` (${of.reason})` : ""}: there is no reply to follow`,
        },
      ],
      final: {
        ...of,
        verdict: of.verdict === "delivered" ? "delivered" : of.verdict,
        reason: "no reply: the original did not leave the host",
      },
    };
  }
  // Conntrack state carried over from the original: ct mark and NAT mappings.
  const ct: Ct = { state: "established", mark: of.ctmark };
  const w = new Walker(s, chains, ct, env);
  const fam = q.family;
  // The final addresses were printed from Addr values, so they parse back exactly.
  const parse = (t: string): Addr => (parseAddr(t, fam) as { value: Addr }).value;
  let pkt: NfPacket = {
    family: fam,
    saddr: parse(of.daddr),
    daddr: parse(of.saddr),
    ipproto: q.ipproto,
    sport: of.dport,
    dport: of.sport,
    mark: 0,
    tos: q.tos ?? 0,
    iifname: of.oif ?? "",
    oifname: "",
    ctstate: "established",
    ctmark: of.ctmark,
    ctdir: "reply",
  };
  w.trace.push({
    kind: "conntrack",
    text: `reply of ${of.saddr}:${of.sport} → ${of.daddr}:${of.dport}: arrives on ${of.oif} as ${of.daddr}:${of.dport} → ${of.saddr}:${of.sport}, ctstate established, ct mark ${"0x" + of.ctmark.toString(16)}`,
  });
  // Reverse NAT happens in the conntrack NAT hooks: de-SNAT at PREROUTING -100 (before routing),
  // de-DNAT at INPUT/POSTROUTING 100 (nf_nat_ipv4_fn on the reply direction).
  const pre: Manip[] = origCt.origSaddr
    ? [
        {
          priority: -100,
          what: "reverse SNAT",
          apply: (p) => {
            p.daddr = origCt.origSaddr!;
            if (origCt.origSport !== undefined) p.dport = origCt.origSport;
          },
        },
      ]
    : [];
  const post: Manip[] = origCt.origDaddr
    ? [
        {
          priority: 100,
          what: "reverse DNAT",
          apply: (p) => {
            p.saddr = origCt.origDaddr!;
            if (origCt.origDport !== undefined) p.sport = origCt.origDport;
          },
        },
      ]
    : [];
  w.natDone = true;
  const res = inputPath(s, w, pkt, q, ct, "input", pre, post);
  res.original = orig;
  return res;
}
