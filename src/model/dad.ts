/**
 * IPv6 duplicate address detection as far as routes and source selection see it
 * (net/ipv6/addrconf.c): when an address stops being tentative, and that it stays so.
 * @module
 */
import { sysctlInt } from "./sysctl.js";
import type { HostState, IfAddr, Link } from "./types.js";

/**
 * addrconf_dad_begin completes DAD at once (no probe) for nodad addresses, on IFF_NOARP
 * (tun) and loopback devices and with accept_dad 0 (all and device), up or down.
 */
export function instantDad(s: HostState, a: IfAddr, l: Link): boolean {
  if (a.nodad || l.kind === "loopback" || l.kind === "tun") return true;
  const dad = Math.max(
    sysctlInt(s, "net.ipv6.conf.all.accept_dad"),
    sysctlInt(s, `net.ipv6.conf.${l.name}.accept_dad`),
  );
  return dad === 0;
}

/**
 * Advance an IPv6 address's DAD (IFA_F_TENTATIVE cleared by addrconf_dad_completed): at once
 * when instantDad (unless addrconf_ifdown kept it tentative on a device now down), else once
 * the device is up with carrier (IF_READY: addrconf_dad_run). It stays done when the carrier
 * goes (NETDEV_CHANGE only marks routes linkdown).
 */
export function advanceDad(s: HostState, a: IfAddr, l: Link): void {
  if (a.dadDone) return;
  if (instantDad(s, a, l)) a.dadDone = l.up || a.dadDone === undefined;
  else if (l.up && l.carrier) a.dadDone = true;
  else a.dadDone = false;
}

/** Is the IPv6 address still tentative (DAD not done)? Without the flag (dumps): carrier. */
export function tentative6(s: HostState, a: IfAddr, l: Link): boolean {
  if (a.dadDone !== undefined) return !a.dadDone;
  return !instantDad(s, a, l) && !l.carrier;
}
