/**
 * The netfilter side of a packet's journey: base chains in hook order (nf_hook_slow over
 * the priorities), the host as netfilter expressions see it, and the verdicts a chain can
 * give (NAT, TPROXY), with the conntrack state a flow carries.
 * @module
 */
import { addrEq, ANY4, ANY6, formatAddr, type Addr } from "../addr/ip.js";
import { TABLE, type Family } from "../core/kinds.js";
import { defined } from "../core/result.js";
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
import type { JourneyEnv, JourneyStep } from "./journey-types.js";
import { routeGet } from "./route.js";
import { inetSelectAddr, ipv6SelectSaddr } from "./select.js";

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
      const r = fibTableLookup(s, TABLE.local, {
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
        ...defined({
          from: q.saddr,
          mark: q.mark,
          oif: q.oif || undefined,
          iif: q.iif && q.saddr ? q.iif : undefined,
        }),
      });
      if (!d.ok) return undefined;
      return d.type === "local" ? "lo" : linkByIndex(s, d.oif ?? 0)?.name;
    },
  };
}

export interface Ct {
  state: NfPacket["ctstate"];
  mark: number;
  dnat?: { addr: Addr; port: number };
  snat?: { addr: Addr; port: number };
  origDaddr?: Addr;
  origDport?: number;
  origSaddr?: Addr;
  origSport?: number;
}

/** A reverse-NAT step a hook applies at a priority (the conntrack NAT hooks: -100 dst, 100 src). */
export interface Manip {
  priority: number;
  what: string;
  apply(p: NfPacket): void;
}

/**
 * nf_conntrack_in runs at -200: chains before it see no conntrack entry on a packet that has none
 * yet.
 */
const CT_PRIORITY = -200;

export class Walker {
  trace: JourneyStep[] = [];
  readonly view: NfHostView;
  readonly conntrack: boolean;
  tproxied = false;
  /**
   * The packet carries its conntrack entry (it has passed the conntrack hook once, e.g. before
   * looping through lo).
   */
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
      ...defined({ iif: pkt.iifname || undefined, oif: pkt.oifname || undefined }),
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
      // Before the conntrack hook a packet without an entry has none: ct state INVALID,
      // ct mark 0.
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
        // xt_TPROXY returns NF_DROP itself when no socket is found: the rule's verdict is drop
        // and the packet keeps the mark it had (the tproxy mark is only set on a socket hit).
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
        ...defined({ markBefore: st.markBefore, markAfter: st.markAfter }),
      });
    }
  }

  /** A chain's verdict on the packet: undefined to go on, else why the packet is dropped. */
  applyVerdict(hook: Hook, c: NfBaseChain, v: NfVerdict, pkt: NfPacket): string | undefined {
    const by = `${c.family} ${c.table} ${c.chain}`;
    switch (v.kind) {
      case "accept":
        return undefined;
      case "drop":
        return `dropped by ${by}${v.reason ? ` (${v.reason})` : ""}`;
      case "reject":
        return `rejected by ${by} (${v.with})`;
      case "queue":
        return `queued to userspace queue ${v.num} by ${by} (no reader modelled: dropped)`;
      case "dnat":
      case "redirect":
        return this.natDst(hook, v, pkt);
      case "snat":
      case "masquerade":
        return this.natSrc(v, pkt);
      case "tproxy":
        return this.tproxy(v, pkt);
    }
  }

  /** The packet as a `nat` trace step after `what` rewrote it. */
  private pushNat(what: string, pkt: NfPacket): void {
    this.trace.push({
      kind: "nat",
      what,
      saddr: formatAddr(pkt.saddr),
      daddr: formatAddr(pkt.daddr),
      sport: pkt.sport,
      dport: pkt.dport,
    });
  }

  /** DNAT / REDIRECT (nf_nat_setup_info for the destination, nf_nat_redirect_ipv4/6). */
  private natDst(
    hook: Hook,
    v: Extract<NfVerdict, { kind: "dnat" | "redirect" }>,
    pkt: NfPacket,
  ): string | undefined {
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
    this.pushNat(v.kind === "dnat" ? "DNAT" : "REDIRECT", pkt);
    return undefined;
  }

  /** SNAT / MASQUERADE (nf_nat_masquerade_ipv4/6 pick the output device's source). */
  private natSrc(
    v: Extract<NfVerdict, { kind: "snat" | "masquerade" }>,
    pkt: NfPacket,
  ): string | undefined {
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
    this.pushNat(v.kind === "snat" ? "SNAT" : "MASQUERADE", pkt);
    return undefined;
  }

  /** TPROXY (nf_tproxy_get_sock): the packet is assigned to a listening socket, or dropped. */
  private tproxy(v: Extract<NfVerdict, { kind: "tproxy" }>, pkt: NfPacket): string | undefined {
    const found = this.socketFor(pkt, v.addr, v.port);
    const to = `${v.addr ? formatAddr(v.addr) : "the original destination"}:${v.port}`;
    const listens = this.env.listens
      ? "a socket listens there"
      : "assuming the proxy listens there (no --listen given)";
    const outcome = found
      ? `${listens}, the packet is assigned to it`
      : "no socket listens there: dropped";
    this.trace.push({ kind: "note", text: `TPROXY to ${to}: ${outcome}` });
    if (!found) return "TPROXY found no socket";
    this.tproxied = true;
    return undefined;
  }
}
