/**
 * Sysctls that change routing decisions, with the kernel's defaults for a new network
 * namespace and its propagation rules (devinet_sysctl_forward: `ip_forward` and
 * `conf.all.forwarding` set every device; new devices copy `conf.default`).
 * @module
 */
import type { HostState } from "./types.js";
import type { Family } from "../addr/ip.js";

/** Keys whose value is a per-device IPv4 conf entry (net.ipv4.conf.<dev>.<key>). */
export const IPV4_CONF_KEYS = [
  "forwarding",
  "rp_filter",
  "src_valid_mark",
  "accept_local",
  "ignore_routes_with_linkdown",
  "route_localnet",
  "send_redirects",
  "accept_redirects",
  "arp_filter",
  "proxy_arp",
  "disable_policy",
  "log_martians",
] as const;
export const IPV6_CONF_KEYS = [
  "forwarding",
  "accept_dad",
  "disable_ipv6",
  "keep_addr_on_down",
  "addr_gen_mode",
  "accept_ra",
  "ignore_routes_with_linkdown",
] as const;

/** Defaults in a fresh namespace (verified with `sysctl` in a new netns, kernel 6.18). */
const DEFAULTS: Record<string, string> = {
  "net.ipv4.ip_forward": "0",
  "net.ipv4.fib_multipath_hash_policy": "0",
  "net.ipv6.fib_multipath_hash_policy": "0",
  "net.ipv4.conf.*.forwarding": "0",
  "net.ipv4.conf.*.rp_filter": "0",
  "net.ipv4.conf.*.src_valid_mark": "0",
  "net.ipv4.conf.*.accept_local": "0",
  "net.ipv4.conf.*.ignore_routes_with_linkdown": "0",
  "net.ipv4.conf.*.route_localnet": "0",
  "net.ipv4.conf.*.send_redirects": "1",
  "net.ipv4.conf.*.shared_media": "1",
  "net.ipv6.conf.*.forwarding": "0",
  "net.ipv6.conf.*.accept_dad": "1",
  "net.ipv6.conf.all.accept_dad": "0",
  "net.ipv6.conf.*.disable_ipv6": "0",
  "net.ipv6.conf.*.keep_addr_on_down": "0",
  "net.ipv6.conf.*.ignore_routes_with_linkdown": "0",
};

/** Normalise `net/ipv4/conf/all/rp_filter` to dotted form. */
export function normKey(k: string): string {
  return k.includes("/") ? k.replace(/\//g, ".") : k;
}

/**
 * Read a sysctl as a string (kernel default when never written). @example getSysctl(s,
 * "net.ipv4.ip_forward")
 */
export function getSysctl(s: HostState, key: string): string | undefined {
  const v = s.sysctl.get(key);
  if (v !== undefined) return v;
  if (DEFAULTS[key] !== undefined) return DEFAULTS[key];
  const m = /^(net\.ipv[46]\.conf)\.[^.]+\.(.+)$/.exec(key);
  if (m) return DEFAULTS[`${m[1]}.*.${m[2]}`];
  return undefined;
}

/** Integer value of a sysctl, 0 when unknown. */
export function sysctlInt(s: HostState, key: string): number {
  return Number(getSysctl(s, key) ?? "0") | 0;
}

/** IPv4 conf value for a device (IN_DEV_CONF_GET). */
export function devConf4(s: HostState, dev: string, key: string): number {
  return sysctlInt(s, `net.ipv4.conf.${dev}.${key}`);
}
/** IPv6 conf value for a device. */
export function devConf6(s: HostState, dev: string, key: string): number {
  return sysctlInt(s, `net.ipv6.conf.${dev}.${key}`);
}

/** IN_DEV_MAXCONF: max(all, dev) — rp_filter, accept_local, src_valid_mark... */
export function maxConf4(s: HostState, dev: string, key: string): number {
  return Math.max(devConf4(s, "all", key), devConf4(s, dev, key));
}
/** IN_DEV_ORCONF: all || dev. */
export function orConf4(s: HostState, dev: string, key: string): boolean {
  return devConf4(s, "all", key) !== 0 || devConf4(s, dev, key) !== 0;
}

/** Keys that exist without a value routelab models (written, printed, otherwise unused). */
const KNOWN_KEYS = [
  /^net\.ipv4\.(fib_multipath_hash_seed|fib_multipath_hash_fields|conf\.[^.]+\.[a-z_]+)$/,
  /^net\.ipv6\.(fib_multipath_hash_fields|conf\.[^.]+\.[a-z_0-9]+)$/,
  /^net\.(core|netfilter|ipv4|ipv6)\.[a-z_0-9.]+$/,
];

/**
 * Write a sysctl with the kernel's propagation. Returns an error message for keys that
 * do not exist (`sysctl: cannot stat /proc/sys/...: No such file or directory`).
 */
export function setSysctl(s: HostState, rawKey: string, value: string): string | undefined {
  const key = normKey(rawKey);
  const devs = s.links.map((l) => l.name);
  const known = (k: string): boolean => {
    if (getSysctl(s, k) !== undefined) {
      const m = /^net\.ipv[46]\.conf\.([^.]+)\./.exec(k);
      return !m || m[1] === "all" || m[1] === "default" || devs.includes(m[1]!);
    }
    return KNOWN_KEYS.some((re) => re.test(k));
  };
  if (!known(key))
    return `sysctl: cannot stat /proc/sys/${key.replace(/\./g, "/")}: No such file or directory`;
  const m = /^net\.ipv[46]\.conf\.([^.]+)\./.exec(key);
  if (m && m[1] !== "all" && m[1] !== "default" && !devs.includes(m[1]!))
    return `sysctl: cannot stat /proc/sys/${key.replace(/\./g, "/")}: No such file or directory`;
  s.sysctl.set(key, value);
  if (key === "net.ipv4.ip_forward" || key === "net.ipv4.conf.all.forwarding") {
    // devinet_sysctl_forward → inet_forward_change: all, default and every device.
    s.sysctl.set("net.ipv4.ip_forward", value);
    s.sysctl.set("net.ipv4.conf.all.forwarding", value);
    s.sysctl.set("net.ipv4.conf.default.forwarding", value);
    for (const d of devs) s.sysctl.set(`net.ipv4.conf.${d}.forwarding`, value);
  }
  // addrconf_fixup_forwarding / addrconf_disable_ipv6 → addrconf_disable_change: `all` sets
  // default and every device.
  for (const k of ["forwarding", "disable_ipv6"])
    if (key === `net.ipv6.conf.all.${k}`) {
      s.sysctl.set(`net.ipv6.conf.default.${k}`, value);
      for (const d of devs) s.sysctl.set(`net.ipv6.conf.${d}.${k}`, value);
    }
  return undefined;
}

/** A new device copies conf.default (devinet_init_net / ipv6_add_dev). */
export function inheritDefaults(s: HostState, dev: string): void {
  for (const fam of ["ipv4", "ipv6"]) {
    const prefix = `net.${fam}.conf.default.`;
    for (const [k, v] of [...s.sysctl])
      if (k.startsWith(prefix)) s.sysctl.set(`net.${fam}.conf.${dev}.${k.slice(prefix.length)}`, v);
  }
}

/** Drop a device's conf entries when it goes away. */
export function forgetDevice(s: HostState, dev: string): void {
  for (const k of [...s.sysctl.keys()])
    if (k.startsWith(`net.ipv4.conf.${dev}.`) || k.startsWith(`net.ipv6.conf.${dev}.`))
      s.sysctl.delete(k);
}

function sysctlOn(state: HostState, key: string): boolean {
  const v = state.sysctl.get(key);
  return v !== undefined && v.trim() !== "0" && v.trim() !== "";
}

/** ip_ignore_linkdown / ip6_ignore_linkdown for a device. */
/** ignore_routes_with_linkdown as dumps show it (RTNH_F_LINKDOWN hops skipped). */
export function ignoreLinkdown(state: HostState, family: Family, dev: string): boolean {
  if (family === 4) {
    return (
      sysctlOn(state, "net.ipv4.conf.all.ignore_routes_with_linkdown") ||
      sysctlOn(state, `net.ipv4.conf.${dev}.ignore_routes_with_linkdown`)
    );
  }
  const d = state.sysctl.get(`net.ipv6.conf.${dev}.ignore_routes_with_linkdown`);
  if (d !== undefined) return d.trim() !== "0";
  return sysctlOn(state, "net.ipv6.conf.all.ignore_routes_with_linkdown");
}
