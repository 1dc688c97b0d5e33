/**
 * `tunnel-source`: locally generated IPv4 packets that leave by a device other than a tunnel
 * while their source is one of that tunnel's addresses, and no POSTROUTING source NAT
 * rewrites it: replies to that address come back through the tunnel, or not at all. The
 * usual cause is a mark set in OUTPUT after the first route chose the tunnel — the packet
 * keeps the source it got then (ip_route_me_harder looks up with the header's saddr) and
 * the mark re-routes it out the uplink; or a route through another device whose `src` is a
 * tunnel's address.
 * @module
 */
import { addrEq, type Addr, formatAddr } from "../../addr/ip.js";
import { linkByIndex } from "../../model/links.js";
import type { Link } from "../../model/types.js";
import { and, diff, or } from "../bdd/apply.js";
import { type Bdd, FALSE } from "../bdd/arena.js";
import type { Analysis, OutcomeSet } from "../classes.js";
import { identity } from "../netfilter/markvec.js";
import { sourceNat } from "../netfilter/postrouting.js";
import { tunnels } from "./tunnel.js";
import { type Finding, type LintCtx, packetsOf } from "./types.js";

/** The packets of class `c` leaving by `dev` that POSTROUTING does not source-NAT. */
function notRewritten(a: Analysis, c: OutcomeSet, dev: Link): { pred: Bdd; unknown: string[] } {
  const m = a.m;
  const chains = a.nfChains();
  const sets = a.nfSets();
  const mark = c.outcome.nf?.mark.length ? c.outcome.nf.mark : identity(m, "fwmark");
  const ctx = { m, family: 4 as const, chains, sets };
  const r = sourceNat(ctx, c.pred, mark, identity(m, "ctmark"), dev.name);
  let unknown = FALSE;
  for (const e of r.unknown) unknown = or(m, unknown, e.pred);
  const notes = r.unknown.map((e) => `${e.by} (${e.what ?? "?"})`);
  return { pred: diff(m, diff(m, c.pred, r.rewritten), unknown), unknown: notes };
}

export function tunnelSource(c: LintCtx): Finding[] {
  const a = c.a;
  // Every tunnel's IPv4 addresses, with the packets whose first route gives them that
  // source (Analysis.firstSrc: a re-routed packet keeps it), read when first needed.
  const owned = tunnels(a).flatMap((t) =>
    a.s.addrs
      .filter((x) => x.ifindex === t.ifindex && x.family === 4)
      .map((x) => ({ t, src: x.local, first: undefined as Bdd | undefined })),
  );
  if (!owned.length) return [];
  // By tunnel, egress device and cause: the packets and what was not modelled.
  const found = new Map<string, { t: Link; dev: Link; src: Addr; re: boolean; pred: Bdd }>();
  const unmodelled = new Set<string>();
  const add = (cls: OutcomeSet, t: Link, src: Addr, pred: Bdd, re: boolean): void => {
    for (const p of cls.outcome.paths) {
      const dev = linkByIndex(a.s, p.dev);
      if (!dev || dev.ifindex === t.ifindex || dev.name === "lo") continue;
      const left = notRewritten(a, { pred, outcome: cls.outcome }, dev);
      for (const u of left.unknown) unmodelled.add(u);
      if (left.pred === FALSE) continue;
      const k = `${t.ifindex}|${dev.ifindex}|${formatAddr(src)}|${re}`;
      const old = found.get(k);
      found.set(k, { t, dev, src, re, pred: or(a.m, old?.pred ?? FALSE, left.pred) });
    }
  };
  for (const cls of a.outcomes([4])) {
    const o = cls.outcome;
    if (!o.ok || o.type === "local" || o.nf?.verdict === "unknown") continue;
    if (!o.nf?.rerouted) {
      const own = o.src && owned.find((x) => addrEq(x.src, o.src));
      if (own) add(cls, own.t, own.src, cls.pred, false);
      continue;
    }
    for (const x of owned) {
      x.first ??= a.firstSrc(4, [x.src]);
      const pred = and(a.m, cls.pred, x.first);
      if (pred !== FALSE) add(cls, x.t, x.src, pred, true);
    }
  }
  const out: Finding[] = [];
  const rules = [...unmodelled].join(", ");
  const skipped = rules
    ? `; packets a POSTROUTING rule not modelled decides are left out: ${rules}`
    : "";
  for (const f of found.values()) {
    const packets = packetsOf(a, f.pred, 4);
    if (!packets) continue;
    const src = formatAddr(f.src);
    const why = f.re
      ? `a mark set in OUTPUT re-routes them after their first route chose ${f.t.name}, ` +
        `whose source they keep`
      : `their route's source is ${f.t.name}'s address`;
    out.push({
      id: "tunnel-source",
      severity: "error",
      message:
        `ipv4 packets leave by ${f.dev.name} with source ${src} (${f.t.name}'s address) and ` +
        `no SNAT: ${why}; replies to ${src} come back through ${f.t.name}, or not at all` +
        skipped,
      packets,
      fix: f.re
        ? `masquerade them (iptables -t nat -A POSTROUTING -o ${f.dev.name} -j MASQUERADE), ` +
          "or give the traffic its mark before the route is chosen (SO_MARK, or an ip rule " +
          "on uid) instead of in OUTPUT"
        : `drop \`src ${src}\` from the route through ${f.dev.name}, or masquerade ` +
          `(iptables -t nat -A POSTROUTING -o ${f.dev.name} -j MASQUERADE)`,
    });
  }
  return out;
}
