/**
 * `routelab diff`: the packets whose routing outcome differs between two hosts (Batfish's
 * differentialReachability for one host's output lookup). Both analyses share one arena, so
 * each class of A is intersected with each class of B of the same family; a non-empty
 * intersection whose outcomes differ in effect — verdict (route type or errno), devices by
 * name (two dumps may number them differently), gateways, source — is one change. The
 * deciding rule and table alone are not: a host without custom rules reports the merged
 * local/main lookup where one with rules reports rule 0 / 32766, for the same packets'
 * fate. before/after still show them.
 * @module
 */
import type { NfBaseChain } from "../netfilter/types.js";
import { formatAddr } from "../addr/ip.js";
import { linkByIndex } from "../model/links.js";
import type { Outcome } from "./outcome.js";
import { and } from "./bdd/apply.js";
import { FALSE } from "./bdd/arena.js";
import { satCount } from "./bdd/sat.js";
import { Analysis } from "./classes.js";
import type { HostState } from "../model/types.js";
import { describeOutcome, describeSet, packetWords, representative } from "./describe.js";
import type { HeaderPacket } from "./header.js";

/** One set of packets whose outcome changed. */
export interface Change {
  readonly family: 4 | 6;
  readonly packets: string;
  readonly before: string;
  readonly after: string;
  readonly representative: string[];
  readonly packet: HeaderPacket;
  /** Headers in the set (decimal). */
  readonly count: string;
}

/** What happens to the packets: verdict, devices, gateways, source (not rule or table). */
function effect(s: HostState, o: Outcome): string {
  const paths = o.paths.map(
    (p) => `${linkByIndex(s, p.dev)?.name ?? p.dev}@${p.gateway ? formatAddr(p.gateway) : ""}`,
  );
  const verdict = o.ok ? (o.type ?? "") : (o.errno ?? "");
  const nf = o.nf ? `${o.nf.verdict}|${o.nf.by ?? ""}|${o.nf.mark.join(",")}` : "";
  return [verdict, paths.join(","), o.prefsrc ? formatAddr(o.prefsrc) : "", nf].join("|");
}

/** Every change from host `sa` to host `sb`, biggest first per family. */
export function diffHosts(
  sa: HostState,
  sb: HostState,
  chainsA: () => readonly NfBaseChain[] = () => [],
  chainsB: () => readonly NfBaseChain[] = () => [],
): Change[] {
  const a = new Analysis(sa, undefined, chainsA);
  const b = new Analysis(sb, a.m, chainsB);
  const m = a.m;
  const out: (Change & { n: bigint })[] = [];
  for (const fam of [4, 6] as const) {
    const bs = b.outcomes([fam]).map((c) => ({
      ...c,
      text: describeOutcome(b.s, c.outcome),
      key: effect(b.s, c.outcome),
    }));
    for (const ca of a.outcomes([fam])) {
      const before = describeOutcome(a.s, ca.outcome);
      const key = effect(a.s, ca.outcome);
      for (const cb of bs) {
        if (cb.key === key) continue;
        const p = and(m, ca.pred, cb.pred);
        if (p === FALSE) continue;
        const rep = representative(m, a.askable(p, fam)) ?? representative(m, p);
        if (!rep) continue;
        const n = satCount(m, p);
        out.push({
          family: fam,
          packets: describeSet(m, p, a.universe(fam), fam),
          before,
          after: cb.text,
          representative: packetWords(rep),
          packet: rep,
          count: String(n),
          n,
        });
      }
    }
  }
  out.sort((x, y) =>
    x.family !== y.family ? x.family - y.family : x.n < y.n ? 1 : x.n > y.n ? -1 : 0,
  );
  return out.map(({ n: _n, ...c }) => c);
}
