/**
 * Policy routing rules (net/core/fib_rules.c fib_nl_newrule/fib_nl_delrule, fib4_rules.c,
 * fib6_rules.c): the automatic preference, the kernel's validation messages, EEXIST
 * (rule_exists), goto, and the sticky "custom rules" flags.
 * @module
 */
import { addrEq, type Family, type Prefix } from "../../addr/ip.js";
import { TABLE } from "../../core/kinds.js";
import type { SourceLoc } from "../../core/loc.js";
import type { IpError } from "../../parse/args.js";
import type { IpCommand, RuleSpec } from "../../parse/ipcmd.js";
import { baseRule } from "../host.js";
import type { HostState, Rule } from "../types.js";
import { extack, rtnl } from "./errors.js";

type RuleCmd = Extract<IpCommand, { obj: "rule" }>;

/** fib_default_rule_pref: second rule's pref - 1, else 0. */
function defaultPref(list: Rule[]): number {
  const second = list[1];
  return second && second.pref ? second.pref - 1 : 0;
}

function ruleFromSpec(spec: RuleSpec): Rule {
  const r = baseRule(spec.family, spec.pref ?? 0);
  r.action = spec.action ?? "lookup";
  r.table = r.action === "lookup" ? (spec.table ?? TABLE.main) : 0;
  r.invert = spec.invert;
  if (spec.src && spec.src.len > 0) r.src = spec.src;
  if (spec.dst && spec.dst.len > 0) r.dst = spec.dst;
  r.tos = spec.tos ?? 0;
  if (spec.fwmark !== undefined) {
    // fib_nl2rule: the mask defaults to all-ones only for a non-zero mark.
    r.fwmark = spec.fwmark;
    r.markSet = spec.fwmark !== 0 || spec.fwmask !== undefined;
    r.fwmask = spec.fwmask ?? (spec.fwmark !== 0 ? 0xffffffff : 0);
    r.maskSet = spec.fwmask !== undefined || spec.fwmark !== 0;
  }
  if (spec.iifname !== undefined) r.iifname = spec.iifname;
  if (spec.oifname !== undefined) r.oifname = spec.oifname;
  if (spec.uidRange) r.uidRange = spec.uidRange;
  r.ipproto = spec.ipproto ?? 0;
  if (spec.sport) r.sport = spec.sport;
  if (spec.dport) r.dport = spec.dport;
  r.suppressPrefixlen = spec.suppressPrefixlen ?? -1;
  r.suppressIfgroup = spec.suppressIfgroup ?? -1;
  if (spec.gotoPref !== undefined) r.gotoPref = spec.gotoPref;
  r.protocol = spec.protocol ?? 0;
  r.l3mdev = spec.l3mdev;
  if (spec.realms !== undefined) r.realms = spec.realms;
  return r;
}

const rangeEq = (a?: [number, number], b?: [number, number]) =>
  (!a && !b) || (!!a && !!b && a[0] === b[0] && a[1] === b[1]);
const prefEq = (a?: Prefix, b?: Prefix) =>
  (!a && !b) || (!!a && !!b && addrEq(a.addr, b.addr) && a.len === b.len);

/** rule_exists + fib4_rule_compare: v4 src/dst/tos compared only when the new rule sets them. */
function ruleExists(list: Rule[], n: Rule): boolean {
  return list.some(
    (r) =>
      r.action === n.action &&
      r.table === n.table &&
      r.pref === n.pref &&
      r.invert === n.invert &&
      r.suppressPrefixlen === n.suppressPrefixlen &&
      r.suppressIfgroup === n.suppressIfgroup &&
      r.fwmark === n.fwmark &&
      r.fwmask === n.fwmask &&
      r.iifname === n.iifname &&
      r.oifname === n.oifname &&
      r.l3mdev === n.l3mdev &&
      rangeEq(r.uidRange, n.uidRange) &&
      r.ipproto === n.ipproto &&
      rangeEq(r.sport, n.sport) &&
      rangeEq(r.dport, n.dport) &&
      r.protocol === n.protocol &&
      r.gotoPref === n.gotoPref &&
      (n.family === 6
        ? prefEq(r.src, n.src) && prefEq(r.dst, n.dst) && r.tos === n.tos
        : (!n.src || prefEq(r.src, n.src)) &&
          (!n.dst || prefEq(r.dst, n.dst)) &&
          (!n.tos || r.tos === n.tos)),
  );
}

function usedTables4(s: HostState): Set<number> {
  const t = new Set<number>([TABLE.default, TABLE.main, TABLE.local]);
  for (const r of s.routes) if (r.family === 4) t.add(r.table);
  for (const r of s.rules4) if (r.action === "lookup") t.add(r.table);
  return t;
}

/** `ip rule flush`: every rule but the pref-0 one (fib_nl_delrule skips it). */
function flushRules(s: HostState, family: Family | undefined): undefined {
  const keep = (r: Rule) => r.pref === 0;
  if ((family ?? 4) === 4) {
    if (s.rules4.some((r) => !keep(r))) s.v4CustomRules = true;
    s.rules4 = s.rules4.filter(keep);
  } else s.rules6 = s.rules6.filter(keep);
  return undefined;
}

/** Does rule `r` match every selector `ip rule del` was given (fib_nl_delrule)? */
function delMatches(r: Rule, spec: RuleSpec): boolean {
  return (
    (spec.pref === undefined || r.pref === spec.pref) &&
    (spec.action === undefined || r.action === spec.action) &&
    (spec.table === undefined || r.table === spec.table || spec.table === 0) &&
    (!spec.src || prefEq(r.src, spec.src)) &&
    (!spec.dst || prefEq(r.dst, spec.dst)) &&
    (spec.tos === undefined || r.tos === spec.tos) &&
    (spec.fwmark === undefined || spec.fwmark === 0 || r.fwmark === spec.fwmark) &&
    (spec.fwmask === undefined || spec.fwmask === 0 || r.fwmask === spec.fwmask) &&
    (spec.iifname === undefined || r.iifname === spec.iifname) &&
    (spec.oifname === undefined || r.oifname === spec.oifname) &&
    (!spec.uidRange || rangeEq(r.uidRange, spec.uidRange)) &&
    (spec.ipproto === undefined || r.ipproto === spec.ipproto) &&
    (!spec.sport || rangeEq(r.sport, spec.sport)) &&
    (!spec.dport || rangeEq(r.dport, spec.dport)) &&
    (spec.suppressPrefixlen === undefined || r.suppressPrefixlen === spec.suppressPrefixlen) &&
    (spec.suppressIfgroup === undefined || r.suppressIfgroup === spec.suppressIfgroup) &&
    (spec.protocol === undefined || r.protocol === spec.protocol) &&
    (spec.gotoPref === undefined || r.gotoPref === spec.gotoPref) &&
    (!spec.l3mdev || r.l3mdev)
  );
}

/** `ip rule del`: the first matching rule goes. */
function delRule(s: HostState, spec: RuleSpec, loc: SourceLoc): IpError | undefined {
  const list = spec.family === 4 ? s.rules4 : s.rules6;
  const idx = list.findIndex((r) => delMatches(r, spec));
  if (idx < 0) return rtnl("No such file or directory", undefined, loc, "rtnl.ENOENT");
  list.splice(idx, 1);
  // fib4_rule_delete unmerges local/main and sets fib_has_custom_rules; IPv6 deletes do not.
  if (spec.family === 4) s.v4CustomRules = true;
  return undefined;
}

/** fib_nl2rule / fib4_rule_configure / fib6_rule_configure: the extack a bad rule gets. */
function ruleError(r: Rule, spec: RuleSpec): string | undefined {
  const fam = spec.family;
  if (fam === 4 && r.tos) {
    if (r.tos & 0x03) return "Invalid dsfield (tos): ECN bits must be 0.";
    if (r.tos & ~0x1e) return "Invalid tos.";
  }
  if (fam === 6 && r.tos & 0x03) return "Invalid dsfield (tos): ECN bits must be 0.";
  if (r.sport && !(r.sport[0] > 0 && r.sport[1] < 0xffff && r.sport[0] <= r.sport[1]))
    return "Invalid sport range.";
  if (r.dport && !(r.dport[0] > 0 && r.dport[1] < 0xffff && r.dport[0] <= r.dport[1]))
    return "Invalid dport range.";
  if (r.uidRange && r.uidRange[0] > r.uidRange[1]) return "Invalid uid range.";
  return undefined;
}

/** `ip rule add` (fib_nl_newrule): validate, pick pref and table, insert sorted by pref. */
function addRule(s: HostState, spec: RuleSpec, loc: SourceLoc): IpError | undefined {
  const fam = spec.family;
  const list = fam === 4 ? s.rules4 : s.rules6;
  const r = ruleFromSpec(spec);
  if (spec.pref === undefined) {
    r.pref = defaultPref(list);
    r.prefAuto = true;
  }
  const bad = ruleError(r, spec);
  if (bad) return extack(bad, undefined, loc);
  if (r.action === "goto") {
    if (r.gotoPref === undefined) return rtnl("Invalid argument", undefined, loc);
    if (r.gotoPref <= r.pref) return extack("Backward goto not supported.", undefined, loc);
  }
  if (r.l3mdev && spec.table !== undefined)
    return extack("l3mdev and table are mutually exclusive.", undefined, loc);
  if (r.action === "lookup" && r.table === 0 && !r.l3mdev) {
    if (fam === 6) return extack("Invalid table.", undefined, loc);
    // fib_empty_table: the first unused table id >= 1.
    const used = usedTables4(s);
    let id = 1;
    while (used.has(id)) id++;
    r.table = id;
  }
  if (ruleExists(list, r)) return rtnl("File exists", undefined, loc, "rtnl.EEXIST");
  r.seq = s.seq++;
  let at = list.findIndex((x) => x.pref > r.pref);
  if (at < 0) at = list.length;
  list.splice(at, 0, r);
  if (fam === 4) s.v4CustomRules = true;
  else s.v6CustomRules = true;
  return undefined;
}

/**
 * `ip rule add|del|flush`.
 * @example applyRule(s, cmd, loc) // undefined, or the error `ip` prints
 */
export function applyRule(s: HostState, cmd: RuleCmd, loc: SourceLoc): IpError | undefined {
  if (cmd.op === "show") return undefined;
  if (cmd.op === "flush") return flushRules(s, cmd.family);
  const spec = (cmd as Extract<RuleCmd, { rule: RuleSpec }>).rule;
  if (cmd.op === "del") return delRule(s, spec, loc);
  return addRule(s, spec, loc);
}
