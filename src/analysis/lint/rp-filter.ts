/**
 * `rp-filter-drops-replies`: replies to this host's own traffic that rp_filter drops.
 * Traffic leaving by device D to destination X is answered by packets arriving on D from X
 * to one of our addresses; their local delivery runs fib_validate_source, whose reverse
 * lookup (to X, iif lo, mark only with src_valid_mark) must choose D under strict
 * rp_filter. A policy that routes by mark — a TUN proxy (clash/mihomo, sing-box) sending
 * everything but its own marked traffic into the tunnel, wg-quick's `not fwmark` — makes
 * that reverse lookup (mark 0) choose the tunnel: the replies are dropped.
 *
 * The replies arrive unmarked. Without src_valid_mark the reverse lookup uses mark 0
 * whatever PREROUTING gives the reply. With it, a reply whose mark PREROUTING restores from
 * its connection (CONNMARK --restore-mark, `meta mark set ct mark`: its mark after the hook,
 * walked as an established packet, depends on the connection's mark) carries the mark its
 * original left with when an OUTPUT or POSTROUTING rule saved it (CONNMARK --save-mark, `ct
 * mark set meta mark`), as wg-quick does: the reverse lookup then routes like the original,
 * back out the device, and the restore covers the reply. Those replies are not reported; a
 * restore with nothing saving a mark is named in the finding.
 * @module
 */
import { and, not, or } from "../bdd/apply.js";
import { type Bdd, type BddArena, FALSE, mk, TRUE } from "../bdd/arena.js";
import { cube, existsCube } from "../bdd/quantify.js";
import { linkByIndex } from "../../model/links.js";
import { maxConf4, orConf4 } from "../../model/sysctl.js";
import { addrPrefix, eq, FIELDS } from "../header.js";
import { isRpDropped } from "../outcome.js";
import { LO } from "../../engine/types.js";
import { describeOutcome, describeSet, packetWords, representative } from "../describe.js";
import type { NfBaseChain } from "../../netfilter/types.js";
import { constant, differs } from "../netfilter/markvec.js";
import { preroutingWalk } from "../netfilter/prerouting.js";
import type { Finding, LintCtx, LintPackets } from "./types.js";

/** The destinations of f (family and dst bits only) as sources: dst bit i → src bit i. */
function dstAsSrc(m: BddArena, f: Bdd): Bdd {
  const d = FIELDS.dst;
  const keep = (v: number) => v === FIELDS.family.offset || (v >= d.offset && v < d.offset + 128);
  const others: number[] = [];
  for (let v = 0; v < FIELDS.ctstate.offset + FIELDS.ctstate.width; v++)
    if (!keep(v)) others.push(v);
  const proj = existsCube(m, f, cube(m, others));
  // family < dst < src in variable order, so the renaming keeps the order: rebuild in place.
  const memo = new Map<Bdd, Bdd>();
  const shift = FIELDS.src.offset - d.offset;
  const walk = (n: Bdd): Bdd => {
    if (n <= TRUE) return n;
    const k = memo.get(n);
    if (k !== undefined) return k;
    const v = m.vars[n]!;
    const r = mk(
      m,
      v === FIELDS.family.offset ? v : v + shift,
      walk(m.lows[n]!),
      walk(m.highs[n]!),
    );
    memo.set(n, r);
    return r;
  };
  return walk(proj);
}

/**
 * What leaves by each device to a unicast destination (broadcasts get no replies): the
 * output classes' packets, by path device.
 */
function sentBy(c: LintCtx): Map<number, Bdd> {
  const out = new Map<number, Bdd>();
  for (const { pred, outcome } of c.a.outcomes([4])) {
    if (!outcome.ok || outcome.type !== "unicast") continue;
    for (const p of outcome.paths) out.set(p.dev, or(c.a.m, out.get(p.dev) ?? FALSE, pred));
  }
  return out;
}

/** The packets of a finding: a received reply, described among the device's packets. */
function replyPackets(c: LintCtx, f: Bdd, dev: number, name: string): LintPackets | undefined {
  const a = c.a;
  const rep = representative(a.m, a.askable(f, 4)) ?? representative(a.m, f);
  if (!rep) return undefined;
  const o = a.inputOutcomes([dev]).find((x) => and(a.m, x.pred, f) !== FALSE)?.outcome;
  return {
    family: 4,
    description: describeSet(a.m, f, a.inputUniverse(dev), 4, a.s.links),
    representative: packetWords(rep, name),
    ...(o ? { outcome: describeOutcome(a.s, o) } : {}),
    packet: rep,
  };
}

/**
 * The replies of `set` (received on `dev`) whose mark after PREROUTING depends on their
 * connection's mark: walked as established packets with the connection mark all zeros and
 * all ones, their marks differ.
 */
function restoredSet(a: LintCtx["a"], dev: number, set: Bdd): Bdd {
  const ctx = a.preroutingCtx(dev);
  if (!ctx.chains.length || set === FALSE) return FALSE;
  const m = a.m;
  const walk = (v: number) =>
    preroutingWalk(ctx, set, { ct: constant(v), ctstate: "established" }).accepted;
  const ones = walk(0xffffffff);
  let r = FALSE;
  for (const x of walk(0))
    for (const y of ones) {
      const both = and(m, x.pred, y.pred);
      if (both !== FALSE) r = or(m, r, and(m, both, differs(m, x.mark, y.mark)));
    }
  return r;
}

/** Whether an IPv4 OUTPUT or POSTROUTING rule saves the mark into the connection's. */
function savesMark(chains: readonly NfBaseChain[]): boolean {
  for (const c of chains) {
    if ((c.hook !== "output" && c.hook !== "postrouting") || c.family === "ip6") continue;
    for (const ch of c.symbolic?.().chains.values() ?? [])
      for (const r of ch.rules)
        for (const x of r.stmts)
          if (x.kind === "mark" && x.dst === "ctmark" && x.src === "mark" && x.take) return true;
  }
  return false;
}

/** How the reverse lookup of an unmarked reply goes wrong (its subject is the lookup). */
function why(svm: boolean, restoreOnly: boolean): string {
  if (!svm) return "uses mark 0 (src_valid_mark is off) and";
  if (restoreOnly)
    return (
      "uses the reply's mark (src_valid_mark is on), which PREROUTING restores from the " +
      "connection mark, but no OUTPUT or POSTROUTING rule saves a mark into that " +
      "(CONNMARK --save-mark, ct mark set meta mark): the mark is 0 and the lookup"
    );
  return (
    "uses the reply's mark (src_valid_mark is on), but replies arrive unmarked, " +
    "PREROUTING does not restore the connection mark, and the lookup"
  );
}

export function rpFilterReplies(c: LintCtx): Finding[] {
  const a = c.a;
  const m = a.m;
  const s = a.s;
  let ours = FALSE;
  for (const x of s.addrs)
    if (x.family === 4) ours = or(m, ours, addrPrefix(m, "dst", { addr: x.local, len: 32 }));
  if (ours === FALSE) return [];
  const sent = sentBy(c);
  const out: Finding[] = [];
  for (const dev of a.inputDevices()) {
    const link = linkByIndex(s, dev)!;
    const rpf = maxConf4(s, link.name, "rp_filter");
    const to = sent.get(dev);
    if (dev === LO || !rpf || !to) continue;
    const replies = and(m, and(m, a.inputUniverse(dev), dstAsSrc(m, to)), ours);
    const unmarked = and(m, replies, eq(m, "fwmark", 0));
    let bad = FALSE;
    for (const x of a.inputOutcomes([dev]))
      if (isRpDropped(x.outcome)) bad = or(m, bad, and(m, x.pred, unmarked));
    const svm = orConf4(s, link.name, "src_valid_mark");
    // With src_valid_mark a restored connection mark routes the reply like its original.
    const restored = svm ? restoredSet(a, dev, bad) : FALSE;
    const saved = restored !== FALSE && savesMark(a.nfChains());
    if (saved) bad = and(m, bad, not(m, restored));
    const restoreOnly = restored !== FALSE && !saved;
    if (bad === FALSE) continue;
    const packets = replyPackets(c, bad, dev, link.name);
    const mode = rpf === 1 ? "strict" : "loose";
    out.push({
      id: "rp-filter-drops-replies",
      severity: "error",
      message:
        `${mode} rp_filter on ${link.name} drops replies to traffic this host sends out ` +
        `${link.name}: the reverse-path lookup of a reply ${why(svm, restoreOnly)}` +
        ` does not route back out ${link.name}`,
      ...(packets ? { packets } : {}),
      fix:
        `loose rp_filter: sysctl -w net.ipv4.conf.all.rp_filter=2 ` +
        `net.ipv4.conf.${link.name}.rp_filter=2` +
        (svm
          ? "; or save the mark on the connection and restore it on replies (iptables -t " +
            "mangle -A OUTPUT -j CONNMARK --save-mark; iptables -t mangle -A PREROUTING " +
            "-j CONNMARK --restore-mark)"
          : "; or sysctl -w net.ipv4.conf.all.src_valid_mark=1 with the connection mark " +
            "restored in PREROUTING (CONNMARK --restore-mark), as wg-quick does"),
    });
  }
  return out;
}
