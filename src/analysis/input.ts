/**
 * Received IPv4 packets as packet classes: ip_route_input_slow (net/ipv4/route.c) over the
 * packets arriving on one device, as src/engine/input.ts input4 takes a single one —
 * martian sources and destinations, limited broadcast and joined multicast, the FIB lookup
 * (the RPDB fold with the ingress device as iif), local delivery, forwarding (the ingress
 * device's `forwarding`) and reverse-path filtering (rpfilter.ts) before delivery or
 * forwarding.
 *
 * **Scope.** The packets as the lookup sees them: their mark is the one they have after
 * PREROUTING (any value here; ./netfilter/prerouting.ts runs the hook and substitutes the
 * mark it leaves into these outcomes), uid 0 (input lookups use no socket), oif 0. IPv6
 * input is not modelled. A multipath forward whose nexthops disagree on rp_filter says so
 * (`special`).
 * @module
 */
import { v4 } from "../addr/ip.js";
import type { Errno } from "../engine/types.js";
import { LO } from "../engine/types.js";
import { requiresFlowDissect } from "../engine/rules.js";
import { linkByIndex } from "../model/links.js";
import { devConf4, orConf4 } from "../model/sysctl.js";
import { and, not, or } from "./bdd/apply.js";
import { type Bdd, FALSE } from "./bdd/arena.js";
import { addrPrefix } from "./header.js";
import type { Outcome } from "./outcome.js";
import { type Decided, foldRpdb } from "./rpdb.js";
import { HEADER_VIEW } from "./rule-pred.js";
import { type Lookups, type RpQuestion, rpCheck, rpDropText } from "./rpfilter.js";

type Part = { pred: Bdd; outcome: Outcome };

/** What the steps of one device share. */
interface InputCtx {
  readonly a: Lookups;
  readonly inIf: number;
  readonly fwd: boolean;
  readonly out: Part[];
}

const BASE = { family: 4 as const, input: true as const };
const DELIVER = [{ dev: LO }];

const pfx = (c: InputCtx, field: "dst" | "src", a: number, len: number): Bdd =>
  addrPrefix(c.a.m, field, { addr: v4(a), len });

function push(c: InputCtx, pred: Bdd, outcome: Outcome): void {
  if (pred !== FALSE) c.out.push({ pred, outcome });
}

/** A martian (ip_handle_martian_source / martian_destination): EINVAL. */
function martian(c: InputCtx, pred: Bdd, why: string, common: Partial<Outcome> = {}): void {
  push(c, pred, { ...BASE, ...common, ok: false, errno: "EINVAL", paths: [], drop: why });
}

/** The deciding rule and table of an outcome, kept on its drops. */
const ruleOf = (o: Outcome): Partial<Outcome> => ({
  ...(o.table !== undefined ? { table: o.table } : {}),
  ...(o.rule !== undefined ? { rule: o.rule } : {}),
});

/** rp_filter, then `ok` for the packets that pass; a drop is a martian source (EINVAL). */
function checked(c: InputCtx, pred: Bdd, q: Omit<RpQuestion, "inIf">, ok: Outcome): void {
  const r = rpCheck(c.a, pred, { ...q, inIf: c.inIf });
  push(c, r.pass, ok);
  martian(c, r.drop, rpDropText(r.mode), ruleOf(ok));
}

/**
 * ip_route_input_rcu / ip_route_input_slow before the lookup; returns the packets that go
 * on to the FIB lookup.
 */
function special(c: InputCtx, all: Bdd): Bdd {
  const m = c.a.m;
  let rest = all;
  const take = (p: Bdd): Bdd => {
    const x = and(m, rest, p);
    rest = and(m, rest, not(m, p));
    return x;
  };
  martian(c, take(or(m, pfx(c, "src", 0xe0000000, 4), pfx(c, "src", -1 >>> 0, 32))), "martian");
  const srcZero = pfx(c, "src", 0, 32);
  const dstZero = pfx(c, "dst", 0, 32);
  const bcast = take(or(m, pfx(c, "dst", -1 >>> 0, 32), and(m, srcZero, dstZero)));
  const brd: Outcome = { ...BASE, ok: true, type: "broadcast", paths: DELIVER };
  push(c, and(m, bcast, srcZero), brd);
  checked(c, and(m, bcast, not(m, srcZero)), { oif: 0, revSaddr: "none" }, brd);
  const mcast = take(pfx(c, "dst", 0xe0000000, 4));
  // Only groups this host joined are received: 224.0.0.1 on every device that is up.
  const joined = linkByIndex(c.a.s, c.inIf)!.up ? pfx(c, "dst", 0xe0000001, 32) : FALSE;
  martian(c, and(m, mcast, not(m, joined)), "martian");
  const mc: Outcome = { ...BASE, ok: true, type: "multicast", paths: DELIVER };
  push(c, and(m, and(m, mcast, joined), srcZero), mc);
  const dev = linkByIndex(c.a.s, c.inIf)!.name;
  const localnet = orConf4(c.a.s, dev, "route_localnet");
  // ip_mc_validate_source: a loopback source needs route_localnet, before rp_filter.
  const loSrc = localnet ? FALSE : and(m, and(m, mcast, joined), pfx(c, "src", 0x7f000000, 8));
  martian(c, loSrc, "martian");
  const mcRest = and(m, and(m, and(m, mcast, joined), not(m, srcZero)), not(m, loSrc));
  checked(c, mcRest, { oif: 0, revSaddr: "none" }, mc);
  let bad = or(m, srcZero, dstZero);
  if (!localnet)
    bad = or(m, bad, or(m, pfx(c, "dst", 0x7f000000, 8), pfx(c, "src", 0x7f000000, 8)));
  martian(c, take(bad), "martian");
  return rest;
}

/** What the lookup decided for a part: delivery, forwarding or a drop. */
function afterLookup(c: InputCtx, d: Decided): void {
  const common = {
    ...BASE,
    ...(d.table !== undefined ? { table: d.table } : {}),
    ...(d.rule ? { rule: d.rule.pref } : {}),
  };
  const g = d.group;
  const refuse = (errno: Errno): void =>
    push(c, d.pred, { ...common, ok: false, errno, paths: [] });
  if (!g || g.res.kind === "error") {
    const errno = g?.res.kind === "error" ? g.res.errno : (d.errno ?? "ENETUNREACH");
    return refuse(c.fwd ? errno : "EHOSTUNREACH");
  }
  const type = g.res.route.type;
  if (type === "broadcast" || type === "local") {
    const ok: Outcome = { ...common, ok: true, type, paths: DELIVER };
    const revSaddr = type === "local" ? "dst" : "none";
    return checked(c, d.pred, { oif: 0, revSaddr }, ok);
  }
  if (!c.fwd) return refuse("EHOSTUNREACH");
  if (type !== "unicast") return martian(c, d.pred, "martian", common);
  forward(c, d.pred, { ...common, ok: true, type, paths: g.paths });
}

/** ip_mkroute_input: rp_filter against each nexthop the flow may take. */
function forward(c: InputCtx, pred: Bdd, ok: Outcome): void {
  const m = c.a.m;
  let pass = pred;
  let drop = pred;
  let mode = 0;
  for (const p of ok.paths) {
    const r = rpCheck(c.a, pred, { inIf: c.inIf, oif: p.dev, revSaddr: "dst" });
    pass = and(m, pass, r.pass);
    drop = and(m, drop, r.drop);
    mode = r.mode;
  }
  push(c, pass, ok);
  martian(c, drop, rpDropText(mode), ruleOf(ok));
  const mixed = and(m, pred, not(m, or(m, pass, drop)));
  push(c, mixed, { ...ok, special: "rp_filter drops it on some of the multipath nexthops" });
}

/** Every received packet of device `inIf` with its outcome (disjoint, covering). */
export function inputOutcomes(a: Lookups, inIf: number): Part[] {
  const dev = linkByIndex(a.s, inIf)!.name;
  const c: InputCtx = { a, inIf, fwd: devConf4(a.s, dev, "forwarding") !== 0, out: [] };
  const rest = special(c, a.inputUniverse(inIf));
  const view = { ...HEADER_VIEW, l4: requiresFlowDissect(a.s, 4) ? "same" : "none" } as const;
  const decided = foldRpdb(a.m, a.s, 4, rest, a.matcher(view, true), a.tablesOn("dst"));
  for (const d of decided) afterLookup(c, d);
  return c.out;
}
