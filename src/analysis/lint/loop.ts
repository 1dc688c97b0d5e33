/**
 * Routing loops into a tunnel, from the analysis' classes (locally generated packets):
 * - `loop-tunnel-mark`: packets carrying a wireguard device's own fwmark (its encrypted
 *   packets, `wg set DEV fwmark M`) routed back into that device;
 * - `loop-proxy-uid`: packets of a uid the setup exempts (`not uidrange U lookup T`, or
 *   `uidrange U lookup main`) routed into a TUN device anyway;
 * - `loop-no-exemption`: destinations for which every packet — any uid, mark, protocol —
 *   goes into a TUN device: the proxy behind it cannot reach them except through itself.
 *   Bound sockets (SO_BINDTODEVICE, sing-box auto_detect_interface) are not modelled and
 *   would escape; the finding says so.
 * Destinations on the device's own subnet are left out (they are the tunnel's peers).
 * @module
 */
import { TABLE } from "../../core/kinds.js";
import type { Link } from "../../model/types.js";
import { and, not, or } from "../bdd/apply.js";
import { type Bdd, FALSE } from "../bdd/arena.js";
import { projection } from "../describe.js";
import { eq, range } from "../header.js";
import { leavesBy, ownSubnets, tunnels, where } from "./tunnel.js";
import { type Finding, type LintCtx, packetsOf } from "./types.js";

/** Packets of `family` in `set` that `l` gets, minus its own subnets. */
function into(c: LintCtx, l: Link, family: 4 | 6, set: Bdd): Bdd {
  const m = c.a.m;
  const hit = and(
    m,
    set,
    where(c.a, family, (o) => leavesBy(o, l.ifindex)),
  );
  return and(m, hit, not(m, ownSubnets(c.a, l, family)));
}

function tunnelMark(c: LintCtx): Finding[] {
  const out: Finding[] = [];
  for (const l of tunnels(c.a)) {
    if (!l.fwmark) continue;
    for (const fam of [4, 6] as const) {
      const p = packetsOf(c.a, into(c, l, fam, eq(c.a.m, "fwmark", l.fwmark)), fam);
      if (!p) continue;
      out.push({
        id: "loop-tunnel-mark",
        severity: "error",
        message:
          `ipv${fam} packets carrying ${l.name}'s own fwmark 0x${l.fwmark.toString(16)} (its ` +
          `encrypted packets) are routed back into ${l.name}: a routing loop`,
        packets: p,
        fix:
          `exempt the mark before the tunnel's rule: ip${fam === 6 ? " -6" : ""} rule add ` +
          `fwmark 0x${l.fwmark.toString(16)} lookup main (or "not fwmark" on the tunnel rule)`,
      });
    }
  }
  return out;
}

/** uid ranges the rules exempt from a tunnel. */
function exemptUids(c: LintCtx): [number, number][] {
  const s = c.a.s;
  return [...s.rules4, ...s.rules6].flatMap((r) =>
    r.uidRange && r.action === "lookup" && (r.invert || r.table === TABLE.main) ? [r.uidRange] : [],
  );
}

function proxyUid(c: LintCtx): Finding[] {
  const out: Finding[] = [];
  const m = c.a.m;
  let uids = FALSE;
  for (const [lo, hi] of exemptUids(c)) uids = or(m, uids, range(m, "uid", lo, hi));
  if (uids === FALSE) return out;
  for (const l of tunnels(c.a))
    for (const fam of [4, 6] as const) {
      if (l.kind !== "tun") continue;
      const p = packetsOf(c.a, into(c, l, fam, uids), fam);
      if (!p) continue;
      out.push({
        id: "loop-proxy-uid",
        severity: "error",
        message:
          `ipv${fam} packets of the exempted (proxy) uid are routed into ${l.name}: the proxy's ` +
          "own connections loop back into it",
        packets: p,
        fix:
          "put the uid exemption above every rule that sends traffic to the tunnel table " +
          "(lower pref), including DNS rules",
      });
    }
  return out;
}

function noExemption(c: LintCtx): Finding[] {
  const out: Finding[] = [];
  const m = c.a.m;
  for (const l of tunnels(c.a))
    for (const fam of [4, 6] as const) {
      if (l.kind !== "tun") continue;
      const u = c.a.universe(fam);
      const t = into(c, l, fam, u);
      if (t === FALSE) continue;
      const escapes = projection(m, and(m, u, not(m, t)), "dst");
      const trapped = and(m, t, not(m, escapes));
      const p = packetsOf(c.a, trapped, fam);
      if (!p) continue;
      out.push({
        id: "loop-no-exemption",
        severity: "warning",
        message:
          `every ipv${fam} packet to these destinations, whatever its uid, mark or protocol, ` +
          `goes into ${l.name}: the proxy behind it can only reach them through itself ` +
          "(unless it binds its sockets to a device, which the analysis does not model)",
        packets: p,
        fix:
          `exempt the proxy: ip${fam === 6 ? " -6" : ""} rule add uidrange UID-UID lookup ` +
          "main (lower pref than the tunnel's rule), or a routing mark with a fwmark rule",
      });
    }
  return out;
}

export function loops(c: LintCtx): Finding[] {
  return [...tunnelMark(c), ...proxyUid(c), ...noExemption(c)];
}
