/**
 * Creating a fresh host state as a new network namespace has it: `lo` (down, no
 * addresses, as in `ip netns add`), the default rules, and built-in table names.
 * @module
 */
import type { HostState, Rule } from "./types.js";
import type { Family } from "../addr/ip.js";

/** Built-in table names (lib/rt_names.c rtnl_rttable_init). */
export const BUILTIN_TABLE_NAMES: ReadonlyArray<[number, string]> = [
  [253, "default"],
  [254, "main"],
  [255, "local"],
];

/** A rule with every selector unset. @example baseRule(4, 32766) */
export function baseRule(family: Family, pref: number): Rule {
  return {
    family,
    pref,
    action: "lookup",
    table: 0,
    invert: false,
    tos: 0,
    fwmark: 0,
    fwmask: 0,
    markSet: false,
    maskSet: false,
    ipproto: 0,
    suppressPrefixlen: -1,
    suppressIfgroup: -1,
    protocol: 0,
    l3mdev: false,
    seq: 0,
  };
}

/** Default rules: fib_default_rules_init (v4), fib6_rules_net_init (v6). */
export function defaultRules(family: Family): Rule[] {
  const mk = (pref: number, table: number): Rule => ({
    ...baseRule(family, pref),
    table,
    protocol: 2,
  });
  return family === 4 ? [mk(0, 255), mk(32766, 254), mk(32767, 253)] : [mk(0, 255), mk(32766, 254)];
}

/**
 * A new namespace: only `lo` (ifindex 1, admin down), default rules, no routes.
 * @example const h = createHostState(); h.links[0].name // "lo"
 */
export function createHostState(): HostState {
  return {
    links: [
      {
        ifindex: 1,
        name: "lo",
        kind: "loopback",
        mac: "00:00:00:00:00:00",
        mtu: 65536,
        up: false,
        carrier: true,
        group: 0,
        txqlen: 1000,
      },
    ],
    addrs: [],
    routes: [],
    rules4: defaultRules(4),
    rules6: defaultRules(6),
    v6CustomRules: false,
    v4CustomRules: false,
    v4CustomLocalRoutes: false,
    sysctl: new Map(),
    tableNames: new Map(BUILTIN_TABLE_NAMES),
    netfilter: [],
    nextIfindex: 2,
    seq: 1,
  };
}
