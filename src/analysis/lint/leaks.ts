/**
 * Traffic around a tunnel, from the analysis' classes (locally generated packets):
 * - `dns-escape`: DNS (udp/tcp dport 53) to a destination whose non-DNS traffic (same uid,
 *   mark, tos) goes into a tunnel leaves by another device;
 * - `ipv6-leak`: the host's ordinary IPv4 traffic (uid 0, no mark) to at least half the
 *   address space goes into a tunnel, while ordinary IPv6 traffic to at least half the
 *   space (the default route, not one specific prefix) leaves by a physical
 *   device that has a global IPv6 address (2000::/3), to destinations off every on-link
 *   subnet.
 * @module
 */
import { and, not, or } from "../bdd/apply.js";
import { type Bdd, FALSE } from "../bdd/arena.js";
import { existsCube, cube } from "../bdd/quantify.js";
import { satCount } from "../bdd/sat.js";
import { linkByIndex } from "../../model/links.js";
import { eq, FIELDS, type FieldName } from "../header.js";
import { isTunnel, leavesBy, ownSubnets, tunnels, where } from "./tunnel.js";
import { type Finding, type LintCtx, packetsOf } from "./types.js";
import type { Outcome } from "../outcome.js";

function varsOf(names: readonly FieldName[]): number[] {
  return names.flatMap((n) =>
    Array.from({ length: FIELDS[n].width }, (_, i) => FIELDS[n].offset + i),
  );
}

const intoTunnel = (c: LintCtx) => (o: Outcome) => tunnels(c.a).some((l) => leavesBy(o, l.ifindex));

/** Sent by a device that is not a tunnel. */
const outside = (c: LintCtx) => (o: Outcome) =>
  o.ok && o.type !== "local" && o.paths.some((p) => !isTunnelIndex(c, p.dev));

const isTunnelIndex = (c: LintCtx, i: number) => {
  const l = linkByIndex(c.a.s, i);
  return !!l && isTunnel(l);
};

function tunneled(c: LintCtx, fam: 4 | 6): Bdd {
  const m = c.a.m;
  let own = FALSE;
  for (const l of tunnels(c.a)) own = or(m, own, ownSubnets(c.a, l, fam));
  return and(m, where(c.a, fam, intoTunnel(c)), not(m, own));
}

function dnsEscape(c: LintCtx): Finding[] {
  const m = c.a.m;
  const out: Finding[] = [];
  for (const fam of [4, 6] as const) {
    const t = tunneled(c, fam);
    if (t === FALSE) continue;
    const dns = and(m, or(m, eq(m, "ipproto", 17), eq(m, "ipproto", 6)), eq(m, "dport", 53));
    const rest = and(m, t, not(m, dns));
    const flows = existsCube(m, rest, cube(m, varsOf(["ipproto", "sport", "dport"])));
    const esc = and(m, and(m, dns, flows), where(c.a, fam, outside(c)));
    const p = packetsOf(c.a, esc, fam);
    if (!p) continue;
    out.push({
      id: "dns-escape",
      severity: "warning",
      message:
        `ipv${fam} DNS (port 53) leaves outside the tunnel for destinations whose other ` +
        "traffic goes into it",
      packets: p,
      fix: "drop the rule that sends port 53 elsewhere, or point the resolver into the tunnel",
    });
  }
  return out;
}

function ordinary(c: LintCtx): Bdd {
  const m = c.a.m;
  let f = and(m, eq(m, "uid", 0), eq(m, "fwmark", 0));
  f = and(m, f, and(m, eq(m, "tos", 0), eq(m, "ipproto", 17)));
  return and(m, f, and(m, eq(m, "sport", 0), eq(m, "dport", 0)));
}

function ipv6Leak(c: LintCtx): Finding[] {
  const m = c.a.m;
  const base = ordinary(c);
  const v4 = and(m, and(m, c.a.universe(4), base), tunneled(c, 4));
  if (satCount(m, v4) < 2n ** 31n) return [];
  const s = c.a.s;
  const globalDev = (i: number) =>
    !isTunnelIndex(c, i) &&
    s.addrs.some((x) => x.ifindex === i && x.family === 6 && BigInt(x.local.v) >> 125n === 1n);
  // On-link destinations of any device (the LAN) are not around the tunnel.
  let lan = FALSE;
  for (const l of s.links) lan = or(m, lan, ownSubnets(c.a, l, 6));
  const leak0 = where(
    c.a,
    6,
    (o) => o.ok && o.type !== "local" && o.paths.some((p) => globalDev(p.dev)),
  );
  const leak = and(m, and(m, leak0, not(m, lan)), and(m, base, c.a.universe(6)));
  // The IPv6 default, not one specific route: at least half the space leaves outside.
  if (satCount(m, leak) < 2n ** 127n) return [];
  const p = packetsOf(c.a, leak, 6);
  if (!p) return [];
  return [
    {
      id: "ipv6-leak",
      severity: "warning",
      message:
        "IPv4 traffic goes into a tunnel but IPv6 leaves by a device with a global IPv6 " +
        "address: IPv6 destinations bypass the tunnel",
      packets: p,
      fix:
        "route IPv6 into the tunnel too (AllowedIPs ::/0), or block it (ip -6 rule add " +
        "unreachable / disable IPv6 on the device)",
    },
  ];
}

export function leaks(c: LintCtx): Finding[] {
  return [...dnsEscape(c), ...ipv6Leak(c)];
}
