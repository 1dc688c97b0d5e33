/**
 * Shared by the packet lints: which devices are tunnels, the packets the analysis sends
 * into them, and the packets with one of a device's own destinations (its on-link subnet).
 * @module
 */
import type { Link } from "../../model/types.js";
import { and, or } from "../bdd/apply.js";
import { type Bdd, FALSE } from "../bdd/arena.js";
import type { Analysis } from "../classes.js";
import { addrPrefix } from "../header.js";
import type { Outcome } from "../outcome.js";

/** Tunnels: TUN devices (proxies) and wireguard devices. */
export const isTunnel = (l: Link): boolean => l.kind === "tun" || l.kind === "wireguard";

export const tunnels = (a: Analysis): Link[] => a.s.links.filter(isTunnel);

/** Whether some path of the outcome leaves by device `ifindex`. */
export const leavesBy = (o: Outcome, ifindex: number): boolean =>
  o.ok && o.type !== "local" && o.paths.some((p) => p.dev === ifindex);

/** The packets of `family` whose outcome satisfies `test`. */
export function where(a: Analysis, family: 4 | 6, test: (o: Outcome) => boolean): Bdd {
  let f = FALSE;
  for (const c of a.outcomes([family])) if (test(c.outcome)) f = or(a.m, f, c.pred);
  return f;
}

/** Packets to the device's own subnets (its addresses' prefixes): not "through" it. */
export function ownSubnets(a: Analysis, l: Link, family: 4 | 6): Bdd {
  let f = FALSE;
  for (const x of a.s.addrs)
    if (x.ifindex === l.ifindex && x.family === family)
      f = or(a.m, f, addrPrefix(a.m, "dst", { addr: x.local, len: x.prefixlen }));
  return and(a.m, f, a.universe(family));
}
