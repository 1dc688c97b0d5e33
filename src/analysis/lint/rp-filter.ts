/**
 * `rp-filter-drops-replies`: replies to this host's own traffic that rp_filter drops.
 * Traffic leaving by device D to destination X is answered by packets arriving on D from X
 * to one of our addresses; their local delivery runs fib_validate_source, whose reverse
 * lookup (to X, iif lo, mark only with src_valid_mark) must choose D under strict
 * rp_filter. A policy that routes by mark — a TUN proxy (clash/mihomo, sing-box) sending
 * everything but its own marked traffic into the tunnel, wg-quick's `not fwmark` — makes
 * that reverse lookup (mark 0) choose the tunnel: the replies are dropped.
 *
 * The replies are taken as they arrive, unmarked: PREROUTING (a CONNMARK restore) is not
 * modelled. Without src_valid_mark the reverse lookup uses mark 0 whatever the reply
 * carries; with it, only a restored mark would save the reply, which the finding says.
 * @module
 */
import { and, or } from "../bdd/apply.js";
import { type Bdd, type BddArena, FALSE, mk, TRUE } from "../bdd/arena.js";
import { cube, existsCube } from "../bdd/quantify.js";
import { linkByIndex } from "../../model/links.js";
import { maxConf4, orConf4 } from "../../model/sysctl.js";
import { addrPrefix, eq, FIELDS } from "../header.js";
import { isRpDropped } from "../outcome.js";
import { LO } from "../../engine/types.js";
import { describeOutcome, describeSet, packetWords, representative } from "../describe.js";
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
    if (bad === FALSE) continue;
    const packets = replyPackets(c, bad, dev, link.name);
    const svm = orConf4(s, link.name, "src_valid_mark");
    const mode = rpf === 1 ? "strict" : "loose";
    out.push({
      id: "rp-filter-drops-replies",
      severity: "error",
      message:
        `${mode} rp_filter on ${link.name} drops replies to traffic this host sends out ` +
        `${link.name}: the reverse-path lookup of a reply ` +
        (svm
          ? "uses the reply's mark (src_valid_mark is on), but replies arrive unmarked " +
            "unless PREROUTING restores the connection mark (not modelled)"
          : "uses mark 0 (src_valid_mark is off)") +
        ` and does not route back out ${link.name}`,
      ...(packets ? { packets } : {}),
      fix:
        `loose rp_filter: sysctl -w net.ipv4.conf.all.rp_filter=2 ` +
        `net.ipv4.conf.${link.name}.rp_filter=2` +
        (svm
          ? "; or restore the mark on replies (iptables -t mangle -A PREROUTING " +
            "-j CONNMARK --restore-mark)"
          : "; or sysctl -w net.ipv4.conf.all.src_valid_mark=1 with the connection mark " +
            "restored in PREROUTING (CONNMARK --restore-mark), as wg-quick does"),
    });
  }
  return out;
}
