/**
 * Standard chain priority names (nftables rule.c `std_prios`, `bridge_std_prios`) and
 * where each is allowed: the grammar resolves `priority mangle - 5`, the printer turns
 * numbers back into names.
 * @module
 */
import type { NftFamily } from "./ast.js";

/** Standard priorities of the ip, ip6, inet, arp and netdev families, in print order. */
export const STD_PRIOS: readonly [string, number][] = [
  ["raw", -300],
  ["mangle", -150],
  ["dstnat", -100],
  ["filter", 0],
  ["security", 50],
  ["srcnat", 100],
];
/** The bridge family's own standard priorities. */
export const BRIDGE_PRIOS: readonly [string, number][] = [
  ["dstnat", -300],
  ["filter", -200],
  ["out", 100],
  ["srcnat", 300],
];

/** Whether a standard priority name is valid for family/hook (std_prio_family_hook_compat). */
export function prioNameValid(name: string, family: NftFamily, hook: string): boolean {
  if (family === "bridge") {
    if (name === "dstnat") return hook === "prerouting";
    if (name === "srcnat") return hook === "postrouting";
    return name === "filter" || name === "out";
  }
  if (name === "dstnat") return hook === "prerouting";
  if (name === "srcnat") return hook === "postrouting";
  if (family === "arp") return name === "filter";
  return name === "raw" || name === "mangle" || name === "filter" || name === "security";
}

/** The number a standard priority name stands for in `family` (std_prio_lookup). */
export function prioValue(name: string, family: NftFamily): number | undefined {
  return (family === "bridge" ? BRIDGE_PRIOS : STD_PRIOS).find(([n]) => n === name)?.[1];
}
