/**
 * The PREROUTING hook over the IPv4 packets received on one device, before the input route
 * lookup (ip_rcv → NF_INET_PRE_ROUTING → ip_rcv_finish → ip_route_input_noref), as
 * src/engine/journey.ts's inputPath runs it: every base chain of the hook in priority order
 * (nf_hook_slow), each walked symbolically (./walk.ts) with the ingress device known, the
 * source address in the header and no output device yet. Mark and ct mark writes become
 * transformers; drops, rejects and rules the analysis does not model (NAT among them) end
 * their packets here, named. The universe is the first packet of a flow: chains at or after
 * nf_conntrack_in (-200) see ct state new and ct mark 0, chains before it no entry.
 *
 * The input lookup (../input.ts) is a function of the header with the mark the packet has
 * after the hook, so the packets of an accepted state with mark transformer V get outcome O
 * where the lookup's partition for O, with every fwmark bit replaced by V's (`compose`),
 * holds. TPROXY (the target, or nft's statement) assigns the proxy's socket, which the
 * engine assumes listening: such packets are delivered if the lookup says local delivery,
 * and dropped otherwise (journey's TPROXY_NOT_LOCAL).
 * @module
 */
import { chainsAt } from "../../engine/nfwalk.js";
import type { CtState, NfBaseChain } from "../../netfilter/types.js";
import { and } from "../bdd/apply.js";
import { type Bdd, type BddArena, FALSE, TRUE } from "../bdd/arena.js";
import { isDelivered, type Outcome } from "../outcome.js";
import { type HookCtx, ifaceMatches } from "./match.js";
import { compose, constant, identity, type MarkVec, vecKey } from "./markvec.js";
import { accepted as acceptedOutcome, CT_PRIORITY, endOutcome, type Part } from "./output.js";
import { type NfEnd, type NfState, walkBase } from "./walk.js";

export interface PreroutingCtx {
  readonly m: BddArena;
  /** IPv4 PREROUTING base chains (chainsAt order). */
  readonly chains: readonly NfBaseChain[];
  /** The ingress device's name (`-i` / iifname are constants). */
  readonly iif: string;
  /** Compiled address sets, kept by the caller across questions. */
  readonly sets: Map<string, Bdd>;
  /** Whether some chain of the host needs conntrack (nat chains run only then). */
  readonly conntrack: boolean;
  /** addrtype's predicate (match.ts HookCtx.addrType). */
  readonly addrType?: HookCtx["addrType"];
}

/** The IPv4 PREROUTING chains of a host, in the order the hook runs them. */
export function preroutingChains(chains: readonly NfBaseChain[]): NfBaseChain[] {
  return chainsAt(chains, "prerouting", 4);
}

/** How a TPROXY'd packet the input lookup does not deliver reads (journey's reason). */
export const TPROXY_NOT_LOCAL = "TPROXY (the route is not local)";

/**
 * Every chain of the hook over `start`: the accepted states and the ended ones. The packets
 * are a flow's first (ct state new, ct mark 0) unless `reply` gives their conntrack state
 * and ct mark (a reply's: established, the mark its connection holds).
 */
export function preroutingWalk(
  c: PreroutingCtx,
  start: Bdd,
  reply?: { ct: MarkVec; ctstate: CtState },
): { accepted: NfState[]; ends: NfEnd[] } {
  const ct = reply?.ct ?? constant(0);
  const ctstate = reply?.ctstate ?? "new";
  let states: NfState[] = [{ pred: start, mark: identity(c.m, "fwmark"), ct }];
  const ends: NfEnd[] = [];
  for (const chain of c.chains) {
    if (chain.type === "nat" && !c.conntrack) continue;
    const h: HookCtx = {
      m: c.m,
      family: 4,
      iif: c.iif,
      // No output device before the route lookup: `-o` sees "" (oifname breaks: match.ts).
      oif: (pat) => (ifaceMatches(pat, "") ? TRUE : FALSE),
      socket: false,
      received: true,
      tproxy: true,
      sets: c.sets,
      ...(c.addrType ? { addrType: c.addrType } : {}),
      ...(chain.priority >= CT_PRIORITY ? { ctstate } : {}),
    };
    const label = `${chain.family} ${chain.table}`;
    const view = chain.symbolic?.();
    if (!view) {
      for (const st of states)
        ends.push({ ...st, verdict: "unknown", by: `${label} ${chain.chain}`, what: "chain" });
      return { accepted: [], ends };
    }
    states = walkBase(h, label, view, states, ends);
  }
  return { accepted: states, ends };
}

/** A lookup outcome for packets a TPROXY rule gave the proxy's socket. */
function tproxied(o: Outcome): Outcome {
  if (!o.ok || isDelivered(o)) return o;
  const { type: _, paths: __, prefsrc: ___, ...rest } = o;
  return { ...rest, ok: false, paths: [], drop: TPROXY_NOT_LOCAL };
}

/**
 * The received packets of `start` (one device's universe) through PREROUTING, then the input
 * lookup whose outcomes `lookup` holds (for the packets' mark as the lookup sees it).
 */
export function preroutingHook(c: PreroutingCtx, start: Bdd, lookup: readonly Part[]): Part[] {
  const m = c.m;
  const { accepted, ends } = preroutingWalk(c, start);
  const out: Part[] = ends.map((e) => ({
    pred: e.pred,
    outcome: endOutcome(m, 4, e, false, true),
  }));
  const same = vecKey(identity(m, "fwmark"));
  for (const st of accepted) {
    const unchanged = vecKey(st.mark) === same;
    for (const p of lookup) {
      const pred = and(m, st.pred, unchanged ? p.pred : compose(m, p.pred, st.mark));
      if (pred === FALSE) continue;
      const o = st.tproxy ? tproxied(p.outcome) : p.outcome;
      out.push({ pred, outcome: acceptedOutcome(m, o, st, false) });
    }
  }
  return out;
}
