/**
 * `reply-of:` — the answer of a flow. The originals are packets the host receives for one of
 * its own addresses (`from 203.0.113.0/24 iif eth0 to 192.168.1.10 ipproto tcp dport 22`);
 * the reply is what the local socket that accepted them sends back: from the original's
 * destination to its source, ports swapped, same protocol. Its route is the output lookup
 * with a bound source (ip_route_output_key_hash_rcu / ip6_pol_route with
 * RT6_LOOKUP_F_HAS_SADDR): `from` rules see the source. This is how replies of local
 * services are lost once a proxy's auto_route or a VPN's full tunnel is on, and how replies
 * to connections that came in on a second uplink leave by the first one.
 *
 * **The reply.** src = the original dst, which must be local (a `local` route of the local
 * table, what the input lookup delivers); dst = the original src; sport = dport and dport =
 * sport; ipproto the same; mark 0 (the accepted socket has no SO_MARK and
 * net.ipv4.tcp_fwmark_accept is off: inet_request_mark), tos 0, uid the socket owner's
 * (`uid` in PACKETS, else any), no oif (inet_request_bound_dev_if is 0 for an unbound
 * listener). The set is built from the selectors with the fields swapped.
 *
 * **Refused, never guessed.** Originals to addresses that are not local are forwarded, not
 * answered: a `to` with no local address is an issue, one with some says so in the notes.
 * Originals the kernel drops as martians never get a reply (sources 0.0.0.0, multicast,
 * limited broadcast; IPv6 ::, v4-mapped and multicast; loopback ones from another device
 * than lo, ip_route_input_slow / ip6_rcv_core). Replies to IPv6 link-local peers are bound to
 * the ingress device (tcp_v6_init_req), which is not modelled: they are left out and noted.
 * IPv6 source-specific routes would make the table lookup read the source: refused.
 * @module
 */
import { formatAddr, type Prefix, v4, v6 } from "../addr/ip.js";
import { issue } from "../core/issue.js";
import { TABLE } from "../core/kinds.js";
import { err, ok, type Result } from "../core/result.js";
import { routeGet } from "../engine/route.js";
import type { Decision, RouteQuery } from "../engine/types.js";
import { LO } from "../engine/types.js";
import { linkByIndex, linkByName } from "../model/links.js";
import { maxConf4, orConf4 } from "../model/sysctl.js";
import type { HostState } from "../model/types.js";
import type { Assertion, Selector } from "./assert.js";
import { and, not, or } from "./bdd/apply.js";
import { type Bdd, type BddArena, FALSE, TRUE } from "./bdd/arena.js";
import { evaluate, satCount } from "./bdd/sat.js";
import { type CheckResult, familiesOf, forPaths, resolveOutcome, selectorPred } from "./check.js";
import type { Analysis, PacketClass } from "./classes.js";
import { foldBound } from "./bound.js";
import { disagreement, queryOf } from "./crosscheck.js";
import { packetWords, representative } from "./describe.js";
import {
  addrPrefix,
  CT_STATE,
  encode,
  eq,
  family as familyPred,
  type HeaderPacket,
  wellFormed,
} from "./header.js";
import type { Outcome } from "./outcome.js";
import type { ReplyFrom, ReplyOf } from "./reply-words.js";
import { tablePartition } from "./table.js";

/** What every reply-of answer assumes (printed with it). */
export const replyNotes: readonly string[] = [
  "reply-of: the reply of the local socket that accepted the flow: from the original's " +
    "destination (a local address) to its source, ports swapped, same ipproto, tos 0, uid " +
    "as given (else any), mark 0 (no SO_MARK, net.ipv4.tcp_fwmark_accept off)",
  "not modelled for replies: netfilter (OUTPUT marks, CONNMARK --restore-mark), the " +
    "original's input path (rp_filter, rules before the local table); a UDP service " +
    "answering from an unbound socket without IP_PKTINFO picks its source by route: ask " +
    "that without reply-of",
];

const p4 = (a: number, len: number): Prefix => ({ addr: v4(a), len });
const p6 = (a: bigint, len: number): Prefix => ({ addr: v6(a), len });

/** The headers of replies: locally generated, mark 0, tos 0, no oif, conntrack established. */
export function replyBase(m: BddArena, fam: 4 | 6): Bdd {
  let u = and(m, familyPred(m, fam), wellFormed(m));
  for (const [f, v] of [
    ["iif", LO],
    ["oif", 0],
    ["fwmark", 0],
    ["tos", 0],
    ["ctmark", 0],
    ["ctstate", CT_STATE.established],
  ] as const)
    u = and(m, u, eq(m, f, v));
  return u;
}

/**
 * The host's local addresses on an address field: the `local` results of the local table
 * (what the input lookup delivers, and what __ip_dev_find accepts as a bound source), but
 * never 0.0.0.0, multicast or limited broadcast (not unicast).
 */
export function localAddrs(a: Analysis, fam: 4 | 6, field: "dst" | "src"): Bdd {
  const m = a.m;
  let f = FALSE;
  for (const g of tablePartition(m, a.s, fam, TABLE.local, field))
    if (g.res.kind === "route" && g.res.route.type === "local") f = or(m, f, g.pred);
  if (fam === 4)
    for (const x of [p4(0, 32), p4(0xe0000000, 4), p4(0xffffffff, 32)])
      f = and(m, f, not(m, addrPrefix(m, field, x)));
  return f;
}

/** net.ipv4.tcp_fwmark_accept (both families): accepted sockets take the SYN's mark. */
const fwmarkAccept = (s: HostState): boolean =>
  !["0", "", undefined].includes(s.sysctl.get("net.ipv4.tcp_fwmark_accept")?.trim());

/** A union of prefixes of `fam` on an address field (FALSE when none is of that family). */
function prefixes(m: BddArena, field: "dst" | "src", ps: readonly Prefix[], fam: 4 | 6): Bdd {
  let p = FALSE;
  for (const x of ps) if (x.addr.family === fam) p = or(m, p, addrPrefix(m, field, x));
  return p;
}

/**
 * Replies whose original the kernel drops before any socket sees it: martian sources
 * (ip_route_input_slow, ip6_rcv_core); loopback addresses from another device than lo
 * (without route_localnet); our own addresses as the source from another device (without
 * accept_local, fib_validate_source). Packets on lo come from this host: their source is
 * one of its addresses. `iif`: the originals' device, when PACKETS names it.
 */
function martians(a: Analysis, fam: 4 | 6, iif: number | undefined): Bdd {
  const m = a.m;
  const peer =
    fam === 4
      ? [p4(0, 32), p4(0xe0000000, 4), p4(0xffffffff, 32)]
      : [p6(0n, 128), p6(0xffffn << 32n, 96), p6(0xffn << 120n, 8)];
  let f = prefixes(m, "dst", peer, fam);
  const loop = fam === 4 ? p4(0x7f << 24, 8) : p6(1n, 128);
  const ownLoop = addrPrefix(m, "src", loop);
  const peerLocal = localAddrs(a, fam, "dst");
  const dev = iif === undefined ? undefined : linkByIndex(a.s, iif);
  if (dev?.kind === "loopback") return or(m, f, not(m, peerLocal));
  const localnet = (name: string) => fam === 4 && orConf4(a.s, name, "route_localnet");
  if (!dev) {
    // Any device: a loopback destination arrives on lo (from us) unless some device has
    // route_localnet.
    if (!a.s.links.some((l) => l.kind !== "loopback" && localnet(l.name)))
      f = or(m, f, and(m, ownLoop, not(m, peerLocal)));
    return f;
  }
  if (!localnet(dev.name)) f = or(m, f, or(m, ownLoop, addrPrefix(m, "dst", loop)));
  if (fam === 6 || !maxConf4(a.s, dev.name, "accept_local")) f = or(m, f, peerLocal);
  return f;
}

/** The reply fields a selector of the original constrains. */
const SWAPPED = { sport: "dport", dport: "sport", uid: "uid", ipproto: "ipproto" } as const;

/** The replies whose originals the selectors describe (fields swapped). */
function selected(
  m: BddArena,
  sel: readonly Selector[],
  from: readonly ReplyFrom[],
  fam: 4 | 6,
): Result<Bdd> {
  let f = TRUE;
  const put = (p: Bdd, negated: boolean) => {
    f = and(m, f, negated ? not(m, p) : p);
  };
  for (const x of from) put(prefixes(m, "dst", x.prefixes, fam), x.not);
  for (const s of sel) {
    if (s.kind === "family") continue;
    if (s.kind === "dst") put(prefixes(m, "src", s.prefixes, fam), s.not);
    else if (s.kind === "num" && s.field in SWAPPED) {
      const field = SWAPPED[s.field as keyof typeof SWAPPED];
      f = and(m, f, selectorPred(m, [{ ...s, field }], fam));
    } else
      return err(
        issue("analysis.unsupported", `reply-of: the selector "${s.kind}" is not supported`),
      );
  }
  return ok(f);
}

/** The reply sets of an assertion per family, with what they leave out. */
export interface ReplySets {
  readonly sets: { readonly family: 4 | 6; readonly pred: Bdd }[];
  readonly notes: string[];
  /** The ingress device of the originals. */
  readonly iif?: string;
}

/**
 * The replies of the flows `sel`/`reply` describe, per asked family. An issue when the
 * originals are not delivered locally at all (forwarded flows are not modelled) or when the
 * host has IPv6 source-specific routes.
 */
export function replySets(
  a: Analysis,
  sel: readonly Selector[],
  reply: ReplyOf,
): Result<ReplySets> {
  const m = a.m;
  const link = reply.iif === undefined ? undefined : linkByName(a.s, reply.iif);
  if (reply.iif !== undefined && !link)
    return err(
      issue("analysis.unknown", `Cannot find device "${reply.iif}"`, { token: reply.iif }),
    );
  const notes = [...replyNotes];
  const sets: { family: 4 | 6; pred: Bdd }[] = [];
  let forwarded: HeaderPacket | undefined;
  const hasTo = sel.some((s) => s.kind === "dst");
  for (const fam of familiesOf(sel)) {
    const want = selected(m, sel, reply.from, fam);
    if (!want.ok) return want;
    const all = and(
      m,
      and(m, replyBase(m, fam), want.value),
      not(m, martians(a, fam, link?.ifindex)),
    );
    if (all === FALSE) continue;
    if (fam === 6 && a.s.routes.some((r) => r.family === 6 && r.src && r.src.len > 0))
      return err(
        issue(
          "analysis.unsupported",
          "reply-of: IPv6 source-specific routes (`ip -6 route … from`) are not modelled; " +
            "ask -4",
        ),
      );
    if (fwmarkAccept(a.s) && and(m, all, eq(m, "ipproto", 6)) !== FALSE)
      return err(
        issue(
          "analysis.unsupported",
          "reply-of: net.ipv4.tcp_fwmark_accept is on: TCP replies carry the original's " +
            "mark (inet_request_mark), which is not modelled; ask `not ipproto tcp`",
        ),
      );
    const local = localAddrs(a, fam, "src");
    forwarded ??= representative(m, and(m, all, not(m, local)));
    let pred = and(m, all, local);
    if (fam === 6) {
      const ll = addrPrefix(m, "dst", p6(0xfe80n << 112n, 10));
      if (and(m, pred, ll) !== FALSE)
        notes.push("replies to IPv6 link-local peers are bound to the ingress device: left out");
      pred = and(m, pred, not(m, ll));
    }
    if (pred !== FALSE) sets.push({ family: fam, pred });
  }
  if (hasTo && forwarded) {
    const at = formatAddr(forwarded.src);
    if (!sets.length)
      return err(
        issue(
          "analysis.unsupported",
          `reply-of: ${at} is not a local address: not delivered locally: forwarded flows ` +
            "are not modelled",
          { token: at },
        ),
      );
    notes.push(`only the local addresses of \`to\` are asked: ${at} and others are forwarded`);
  }
  return ok({ sets, notes, ...(reply.iif !== undefined ? { iif: reply.iif } : {}) });
}

/**
 * The outcomes of a set of replies (a subset of the reply headers): the output lookup from
 * the bound source the reply leaves with (bound.ts foldBound).
 */
export const replyOutcomes = foldBound;

/** The original packet a reply answers (fields swapped back; mark and tos unknown: 0). */
export function originalOf(r: HeaderPacket): HeaderPacket {
  return { ...r, dst: r.src, src: r.dst, sport: r.dport, dport: r.sport, ctstate: 0 };
}

/**
 * The reply as `ip route get` arguments: `DST from SRC …`, ports always given (a reply's
 * port 0 is the original's, not "any": `trace` would pick an ephemeral one).
 */
export function replyWords(r: HeaderPacket): string[] {
  const w = packetWords({ ...r, sport: 0, dport: 0 });
  const ports = ["sport", String(r.sport), "dport", String(r.dport)];
  return [w[0]!, "from", formatAddr(r.src), ...w.slice(1), ...ports];
}

/** The original in PACKETS words: `from SRC [iif DEV] to DST ipproto P sport S dport D`. */
export function originalWords(r: HeaderPacket, iif?: string): string[] {
  const o = originalOf(r);
  const w = ["from", formatAddr(o.src), ...(iif ? ["iif", iif] : []), "to", formatAddr(o.dst)];
  w.push("ipproto", String(o.ipproto));
  if (o.sport) w.push("sport", String(o.sport));
  if (o.dport) w.push("dport", String(o.dport));
  return w;
}

/** The `ip route get` question of a reply: the output lookup from its bound source. */
export function replyQuery(r: HeaderPacket): RouteQuery {
  return { ...queryOf(r), from: r.src };
}

/**
 * Answer `always|never: reply-of: PACKETS -> OUTCOME` for every reply: the counterexample is
 * the violating reply with the fewest non-default fields (`original` is the packet it
 * answers).
 */
export function checkReply(a: Analysis, as: Assertion): Result<CheckResult> {
  if (!as.reply) return err(issue("analysis.unsupported", "not a reply-of assertion"));
  const r = resolveOutcome(a.s, as.outcome);
  if (!r.ok) return r;
  const rs = replySets(a, as.packets, as.reply);
  if (!rs.ok) return rs;
  const m = a.m;
  const { notes, iif } = rs.value;
  for (const { family, pred } of rs.value.sets) {
    let bad = FALSE;
    const outs: { pred: Bdd; outcome: Outcome }[] = [];
    for (const c of replyOutcomes(a, family, pred)) {
      const p = forPaths(a.s, as.outcome, c.outcome);
      if (as.quantifier === "always" ? p.all : !p.some) continue;
      bad = or(m, bad, c.pred);
      outs.push(c);
    }
    const ce = representative(m, a.askable(bad, family)) ?? representative(m, bad);
    if (!ce) continue;
    const outcome = outs.find((c) => evaluate(m, c.pred, encode(ce)))?.outcome;
    return ok({
      assertion: as,
      holds: false,
      counterexample: ce,
      ...(outcome ? { outcome } : {}),
      packets: undefined,
      original: originalOf(ce),
      ...(iif !== undefined ? { originalIif: iif } : {}),
      notes,
    });
  }
  return ok({ assertion: as, holds: true, packets: undefined, notes });
}

/** Every reply of the host (all local sources, all peers) as classes, biggest first. */
export function replyClasses(a: Analysis, families: readonly (4 | 6)[] = [4, 6]): PacketClass[] {
  const out: PacketClass[] = [];
  for (const fam of families) {
    const rs = replySets(a, [{ kind: "family", family: fam }], { from: [] });
    if (!rs.ok) continue;
    for (const { pred } of rs.value.sets)
      for (const { pred: p, outcome } of replyOutcomes(a, fam, pred)) {
        const rep = representative(a.m, a.askable(p, fam)) ?? representative(a.m, p);
        if (rep) out.push({ pred: p, outcome, count: satCount(a.m, p), representative: rep });
      }
  }
  return out.sort((x, y) => (x.count < y.count ? 1 : x.count > y.count ? -1 : 0));
}

/** Every reply class whose representative the engine (`ip route get … from SRC`) answers
 * differently, with the differences. */
export function crossCheckReplies(
  s: HostState,
  classes: readonly PacketClass[],
): { cls: PacketClass; decision: Decision; diffs: string[] }[] {
  const bad: { cls: PacketClass; decision: Decision; diffs: string[] }[] = [];
  for (const cls of classes) {
    const decision = routeGet(s, replyQuery(cls.representative));
    const diffs = disagreement(cls.outcome, decision);
    if (diffs.length) bad.push({ cls, decision, diffs });
  }
  return bad;
}
