/**
 * The `report` section for routers: with forwarding on, where a LAN host's packet to the
 * internet goes (input route lookup, FORWARD and POSTROUTING through the journey engine).
 * A LAN is a private IPv4 subnet (RFC 1918) on a device other than the default route's.
 * @module
 */
import { contains, formatAddr, v4, type Addr, type Prefix } from "../addr/ip.js";
import { journey, type JourneyResult } from "../engine/journey.js";
import { routeGet } from "../engine/route.js";
import { devConf4 } from "../model/sysctl.js";
import type { HostState } from "../model/types.js";
import type { NfBaseChain } from "../netfilter/types.js";
import { decidingRule, ruleText } from "./explain.js";

const PRIVATE: Prefix[] = [
  { addr: v4(0x0a000000), len: 8 },
  { addr: v4(0xac100000), len: 12 },
  { addr: v4(0xc0a80000), len: 16 },
];
const INTERNET = v4(0x01010101);

/** A host address inside `p` other than `own`: the first (or second) one after the network. */
function hostIn(p: Prefix, own: number): Addr | undefined {
  if (p.len > 30) return undefined;
  const net = (p.addr.v as number) & (p.len === 0 ? 0 : (~0 << (32 - p.len)) >>> 0);
  const a = (net + 1) >>> 0 === own ? net + 2 : net + 1;
  return v4(a >>> 0);
}

/**
 * LAN subnets: private addresses on a forwarding device that no default route uses (in any
 * table: a CGNAT uplink has a private address too), is up and is not where 1.1.1.1 goes.
 */
function lans(s: HostState): { dev: string; net: Prefix; own: number }[] {
  const d = routeGet(s, { family: 4, dst: INTERNET });
  const wans = new Set(d.ok ? [d.oif] : []);
  for (const r of s.routes)
    if (r.family === 4 && r.dst.len === 0) for (const h of r.nexthops) wans.add(h.ifindex);
  const out: { dev: string; net: Prefix; own: number }[] = [];
  for (const l of s.links) {
    if (!l.up || wans.has(l.ifindex) || devConf4(s, l.name, "forwarding") === 0) continue;
    for (const a of s.addrs.filter((x) => x.ifindex === l.ifindex)) {
      if (a.family !== 4 || a.scope !== 0 || a.secondary) continue;
      if (!PRIVATE.some((p) => contains(p, a.local))) continue;
      out.push({ dev: l.name, net: { addr: a.local, len: a.prefixlen }, own: a.local.v as number });
    }
  }
  return out.slice(0, 4);
}

/** Sources to try on a LAN: a host of the subnet, and one of each `from` rule inside it. */
function sources(s: HostState, lan: { net: Prefix; own: number }): Addr[] {
  const out: Addr[] = [];
  const first = hostIn(lan.net, lan.own);
  if (first) out.push(first);
  for (const r of s.rules4)
    if (r.src && r.src.len > lan.net.len && contains(lan.net, r.src.addr)) {
      const h = hostIn(r.src, lan.own);
      if (h && !out.some((x) => x.v === h.v)) out.push(h);
    }
  return out.slice(0, 3);
}

/** The input lookup's deciding rule and the final verdict, in a few words. */
function outcome(s: HostState, r: JourneyResult): string {
  const f = r.final;
  const what =
    f.verdict === "sent"
      ? `forwarded out ${f.oif}${f.gateway ? ` via ${f.gateway}` : ""} as ${f.saddr}`
      : f.verdict === "delivered"
        ? "delivered locally"
        : f.verdict === "dropped"
          ? `DROPPED (${f.reason})`
          : `error: ${f.error}`;
  const step = r.trace.find((t) => t.kind === "route" && t.stage === "input");
  const rule = step?.kind === "route" ? decidingRule(step.decision) : undefined;
  return rule ? `${what}  by ${ruleText(s, rule).replace("\t", " ")}` : what;
}

/**
 * Report lines for forwarded LAN traffic; none when no LAN device forwards.
 * @example forwardLines(state, chains) // ["", "Forwarded LAN traffic …", "  udp from …"]
 */
export function forwardLines(s: HostState, chains: readonly NfBaseChain[]): string[] {
  const lines: string[] = [];
  for (const lan of lans(s))
    for (const from of sources(s, lan)) {
      const r = journey(s, chains, {
        family: 4,
        dst: INTERNET,
        from,
        iif: lan.dev,
        ipproto: 17,
        dport: 443,
      });
      const who = `udp ${formatAddr(from)} iif ${lan.dev} → 1.1.1.1:443`;
      lines.push(`  ${who}: ${outcome(s, r)}`);
    }
  if (!lines.length) return [];
  return [
    "",
    "Forwarded LAN traffic (this host routes: forwarding is on):",
    ...lines,
    "  (routelab --load FILE trace 1.1.1.1 from ADDRESS iif DEV ipproto udp dport 443" +
      " shows every hook and rule)",
  ];
}
