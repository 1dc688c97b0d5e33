/**
 * Reverse-path filtering over packet sets: fib_validate_source / __fib_validate_source
 * (net/ipv4/fib_frontend.c) as src/engine/input.ts validateSource4 does it, for every
 * received IPv4 packet of a set at once.
 *
 * The reverse lookup routes back to the packet's source: its daddr is the packet's saddr,
 * its saddr the packet's daddr (0 for broadcast and multicast delivery), iif the forward
 * route's device (lo for local delivery), oif 0, uid 0, the mark only with src_valid_mark,
 * ports swapped only with flow dissection. The analysis folds the RPDB over the same header
 * with a `FlowView` saying so, and with table partitions over the src bits.
 * @module
 */
import { LO } from "../engine/types.js";
import { requiresFlowDissect } from "../engine/rules.js";
import { linkByIndex } from "../model/links.js";
import { maxConf4, orConf4 } from "../model/sysctl.js";
import { and, not, or } from "./bdd/apply.js";
import { type Bdd, FALSE } from "./bdd/arena.js";
import type { BddArena } from "./bdd/arena.js";
import { addrPrefix } from "./header.js";
import type { HostState, Rule } from "../model/types.js";
import { foldRpdb, type TableSource } from "./rpdb.js";
import type { FlowView } from "./rule-pred.js";

/**
 * What the input and reverse lookups read of an analysis (classes.ts Analysis): its arena,
 * host, cached rule predicates per view, table partitions per field, input universes.
 */
export interface Lookups {
  readonly m: BddArena;
  readonly s: HostState;
  matcher(view: FlowView, hasSaddr: boolean): (r: Rule) => Bdd;
  tablesOn(field: "dst" | "src"): TableSource;
  inputUniverse(ifindex: number): Bdd;
  /** Cache of `dropSet` by question, cleared when the host changes. */
  readonly rpDrops: Map<string, Bdd>;
}

/** The packets of a set that pass the check and those it drops, with why. */
export interface RpSplit {
  readonly pass: Bdd;
  readonly drop: Bdd;
  /** rp_filter as it applies on the ingress device (IN_DEV_RPFILTER: max of all/dev). */
  readonly mode: number;
}

/** What one check needs: ingress device, the forward route's device, the reverse saddr. */
export interface RpQuestion {
  readonly inIf: number;
  /** The forward nexthop's device, 0 for local and broadcast delivery. */
  readonly oif: number;
  /** The reverse lookup's saddr: the packet's dst, or 0 (broadcast/multicast delivery). */
  readonly revSaddr: "dst" | "none";
}

/** The source addresses that are this host's own (inet_addr_type == RTN_LOCAL, isLocal4). */
function localSources(a: Lookups): Bdd {
  let f = FALSE;
  for (const x of a.s.addrs)
    if (x.family === 4) f = or(a.m, f, addrPrefix(a.m, "src", { addr: x.local, len: 32 }));
  return f;
}

/** The reverse lookup's view of the header (see the module comment). */
export function reverseView(a: Lookups, q: RpQuestion, dev: string): FlowView {
  const dissect = requiresFlowDissect(a.s, 4);
  return {
    daddr: "src",
    saddr: q.revSaddr,
    iif: q.oif || LO,
    oif: 0,
    mark: orConf4(a.s, dev, "src_valid_mark") ? "fwmark" : 0,
    uid: 0,
    l4: dissect ? "swapped" : "none",
  };
}

/**
 * fib_validate_source for the packets `set` (all arriving on q.inIf): which pass, which are
 * dropped. The drops of a question are computed once over the device's whole universe
 * (`dropSet`) and intersected: a device's forward classes share a few questions.
 */
export function rpCheck(a: Lookups, set: Bdd, q: RpQuestion): RpSplit {
  const m = a.m;
  const rpf = maxConf4(a.s, linkByIndex(a.s, q.inIf)!.name, "rp_filter");
  if (set === FALSE) return { pass: FALSE, drop: FALSE, mode: rpf };
  const k = `${q.inIf}:${q.oif}:${q.revSaddr}`;
  let drop = a.rpDrops.get(k);
  if (drop === undefined) a.rpDrops.set(k, (drop = dropSet(a, q)));
  return { pass: and(m, set, not(m, drop)), drop: and(m, set, drop), mode: rpf };
}

/**
 * The packets of q.inIf's universe that fib_validate_source drops for question q. Mirrors
 * validateSource4 and fullValidateSource4 branch for branch.
 */
function dropSet(a: Lookups, q: RpQuestion): Bdd {
  const m = a.m;
  const s = a.s;
  const dev = linkByIndex(s, q.inIf)!.name;
  const rpf = maxConf4(s, dev, "rp_filter");
  const acceptLocal = maxConf4(s, dev, "accept_local") !== 0;
  if (!rpf && !(q.inIf === q.oif && orConf4(s, dev, "send_redirects"))) {
    if (acceptLocal) return FALSE;
    // Without custom local routes or rules only our own addresses can fail (the shortcut).
    if (!(s.v4CustomLocalRoutes || s.v4CustomRules)) return localSources(a);
  }
  const view = reverseView(a, q, dev);
  const set = a.inputUniverse(q.inIf);
  const decided = foldRpdb(m, s, 4, set, a.matcher(view, true), a.tablesOn("src"));
  const noAddr = !s.addrs.some((x) => x.family === 4 && x.ifindex === q.inIf);
  let drop = FALSE;
  for (const d of decided) {
    const g = d.group;
    let bad: boolean;
    if (!g || g.res.kind === "error") bad = rpf !== 0;
    else {
      const r = g.res.route;
      const local = r.type === "local";
      if (r.type !== "unicast" && !(local && acceptLocal)) bad = true;
      else if (r.nexthops.some((n) => n.ifindex === q.inIf) || (local && q.inIf === LO))
        bad = false;
      else if (noAddr) bad = rpf !== 0;
      else bad = rpf === 1;
    }
    if (bad) drop = or(m, drop, d.pred);
  }
  return drop;
}

/** How a drop by this check reads: "rp_filter (strict)". */
export function rpDropText(mode: number): string {
  return `rp_filter (${mode === 1 ? "strict" : mode === 2 ? "loose" : "off"})`;
}
