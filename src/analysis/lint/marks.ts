/**
 * `mark-shared`: fwmark bits that two owners use. An owner is a well-known tool (registry.ts)
 * when a rule's table or pref is that tool's, a wireguard device (its `wg set … fwmark`),
 * else the rule's table (two such owners are one administrator: not reported). Two marks
 * collide when some mark value satisfies both
 * ((v1 ^ v2) & m1 & m2 == 0 with m1 & m2 ≠ 0) and their owners differ: one tool's packets
 * then match the other's rules. `pref-range-shared`: a rule inside a well-known tool's pref
 * range that is not that tool's (its table is another), so the two interleave by start order.
 * @module
 */
import { TABLE } from "../../core/kinds.js";
import { tableName } from "../describe.js";
import { toolOfPref, toolOfTable, toolsOfMark } from "./registry.js";
import type { Finding, LintCtx } from "./types.js";

interface MarkUse {
  readonly owner: string;
  readonly value: number;
  readonly mask: number;
  readonly where: string;
}

function uses(c: LintCtx): MarkUse[] {
  const s = c.a.s;
  const out: MarkUse[] = [];
  for (const l of s.links)
    if (l.fwmark)
      out.push({ owner: `wg ${l.name}`, value: l.fwmark, mask: 0xffffffff, where: l.name });
  for (const r of [...s.rules4, ...s.rules6]) {
    if (!r.fwmask) continue;
    const tool = toolOfTable(r.table) ?? toolOfPref(r.pref);
    const owner = tool?.name ?? `table ${tableName(s, r.table)}`;
    out.push({ owner, value: r.fwmark, mask: r.fwmask, where: `rule ${r.pref}` });
  }
  return out;
}

/** A wireguard device and the rules that exempt its mark (wg-quick) are one owner. */
function sameOwner(a: MarkUse, b: MarkUse): boolean {
  if (a.owner === b.owner) return true;
  const wg = a.owner.startsWith("wg ") ? a : b.owner.startsWith("wg ") ? b : undefined;
  const other = wg === a ? b : a;
  return !!wg && other !== wg && (other.value & other.mask) === (wg.value & other.mask);
}

export function sharedMarks(c: LintCtx): Finding[] {
  const u = uses(c);
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < u.length; i++)
    for (let j = i + 1; j < u.length; j++) {
      const a = u[i]!;
      const b = u[j]!;
      const shared = (a.mask & b.mask) >>> 0;
      if (!shared || ((a.value ^ b.value) & shared) >>> 0 !== 0 || sameOwner(a, b)) continue;
      // Two tables of one administrator are one owner: a tool must be involved.
      if (a.owner.startsWith("table ") && b.owner.startsWith("table ")) continue;
      const k = [a.owner, b.owner].sort().join("|");
      if (seen.has(k)) continue;
      seen.add(k);
      const known = toolsOfMark(a.value & a.mask, a.mask).map((t) => t.name);
      out.push({
        id: "mark-shared",
        severity: "warning",
        message:
          `${a.owner} (${a.where}, mark 0x${a.value.toString(16)}/0x${a.mask.toString(16)}) ` +
          `and ${b.owner} (${b.where}, mark 0x${b.value.toString(16)}/0x` +
          `${b.mask.toString(16)}) use the same mark bits` +
          (known.length ? ` (well-known: ${known.join(", ")})` : ""),
        fix: "give one of them a mark outside the other's bits (and its mask)",
      });
    }
  return out;
}

export function sharedPrefRanges(c: LintCtx): Finding[] {
  const s = c.a.s;
  const out: Finding[] = [];
  for (const r of [...s.rules4, ...s.rules6]) {
    const t = toolOfPref(r.pref);
    if (!t || !t.tables.length || t.tables.includes(r.table) || r.action !== "lookup") continue;
    // Tools look up the built-in tables from their own range (tailscale's lookup main).
    if (r.table === TABLE.main || r.table === TABLE.local || r.table === TABLE.default) continue;
    out.push({
      id: "pref-range-shared",
      severity: "info",
      message:
        `ipv${r.family} rule ${r.pref} (lookup ${tableName(s, r.table)}) sits in ${t.name}'s ` +
        `pref range (${t.prefs.map(([a, b]) => `${a}–${b}`).join(", ")})`,
      fix: `move it out of ${t.name}'s range, or it interleaves with ${t.name}'s rules`,
    });
  }
  return out;
}
