/**
 * `ip [-6] [-d] [-j [-p]] rule show` exactly as iproute2 6.1 prints it (ip/iprule.c
 * print_rule). Flags the kernel computes at dump time are derived from the host state:
 * `[detached]` (no link of that name), `[unresolved]` (no rule with the goto target's pref).
 *
 * @example
 * ```ts
 * printRules(createHostState(), 4, { json: false });
 * // "0:\tfrom all lookup local\n32766:\tfrom all lookup main\n"
 * // + "32767:\tfrom all lookup default\n"
 * ```
 * @module
 */
import type { Family } from "../core/kinds.js";
import { bits, formatAddr } from "../addr/ip.js";
import type { HostState, Rule } from "../model/types.js";
import { Emitter } from "./emit.js";
import { dsfieldN2a, groupN2a, ipprotoN2a, rtprotN2a, tableN2a } from "../parse/names.js";

export interface RulePrintOptions {
  json?: boolean;
  pretty?: boolean;
  details?: boolean;
}

/** rt_realms: only `0 cosmos` in Debian's file. */
function realmN2a(r: number): string {
  return r === 0 ? "cosmos" : String(r);
}

/** Print one rule into an emitter (the JSON object or the text line). */
export function printRule(
  o: Emitter,
  state: HostState,
  rules: readonly Rule[],
  r: Rule,
  details: boolean,
): void {
  o.openObject();
  o.any("priority", "%u:\t", r.pref);
  if (r.invert) o.nul("not", "not ");
  printSelectors(o, state, r);
  printAction(o, state, rules, r);
  if ((r.protocol && r.protocol !== 2) || details)
    o.any("protocol", " proto %s", rtprotN2a(r.protocol));
  o.fp("\n");
  o.closeObject();
}

/** print_rule's selectors: from, to, tos, fwmark, iif, oif, l3mdev, uidrange, ports, tun_id. */
function printSelectors(o: Emitter, state: HostState, r: Rule): void {
  const host = bits(r.family);
  if (r.src && r.src.len > 0) {
    o.fp("from ");
    o.any("src", "%s", formatAddr(r.src.addr));
    if (r.src.len !== host) o.any("srclen", "/%u", r.src.len);
  } else {
    o.any("src", "from %s", "all");
  }
  if (r.dst && r.dst.len > 0) {
    o.fp(" to ");
    o.any("dst", "%s", formatAddr(r.dst.addr));
    if (r.dst.len !== host) o.any("dstlen", "/%u", r.dst.len);
  }
  if (r.tos) o.any("tos", " tos %s", dsfieldN2a(r.tos));
  const mark = r.fwmark >>> 0,
    mask = r.fwmask >>> 0;
  if (mark || mask) {
    o.any("fwmark", " fwmark %s", mark ? "0x" + mark.toString(16) : "0");
    if (mask !== 0xffffffff) o.any("fwmask", "/%s", mask ? "0x" + mask.toString(16) : "0");
  }
  const hasLink = (n: string) => state.links.some((l) => l.name === n);
  if (r.iifname !== undefined) {
    o.fp(" iif ");
    o.any("iif", "%s", r.iifname);
    if (!hasLink(r.iifname)) o.nul("iif_detached", " [detached]");
  }
  if (r.oifname !== undefined) {
    o.fp(" oif ");
    o.any("oif", "%s", r.oifname);
    if (!hasLink(r.oifname)) o.nul("oif_detached", " [detached]");
  }
  if (r.l3mdev) o.nul("l3mdev", " lookup [l3mdev-table]");
  if (r.uidRange) {
    o.any("uid_start", " uidrange %u", r.uidRange[0]);
    o.any("uid_end", "-%u", r.uidRange[1]);
  }
  if (r.ipproto) o.any("ipproto", " ipproto %s", ipprotoN2a(r.ipproto));
  for (const [name, range] of [
    ["sport", r.sport],
    ["dport", r.dport],
  ] as const) {
    if (!range) continue;
    if (range[0] === range[1]) o.any(name, ` ${name} %u`, range[0]);
    else {
      o.any(`${name}_start`, ` ${name} %u`, range[0]);
      o.any(`${name}_end`, "-%u", range[1]);
    }
  }
  if (r.tunId !== undefined) o.any("tun_id", " tun_id %s", r.tunId);
}

/** print_rule's action: lookup TABLE with its suppressors, realms, goto, nop or the type. */
function printAction(o: Emitter, state: HostState, rules: readonly Rule[], r: Rule): void {
  if (r.table && !r.l3mdev) {
    o.any("table", " lookup %s", tableN2a(state.tableNames, r.table));
    if (r.suppressPrefixlen !== -1)
      o.any("suppress_prefixlen", " suppress_prefixlength %d", r.suppressPrefixlen);
    if (r.suppressIfgroup !== -1)
      o.any("suppress_ifgroup", " suppress_ifgroup %s", groupN2a(r.suppressIfgroup));
  }
  if (r.realms !== undefined) {
    const from = r.realms >>> 16,
      to = r.realms & 0xffff;
    if (from) o.any("flow_from", " realms %s/", realmN2a(from));
    else o.fp(" realms ");
    o.any("flow_to", "%s", realmN2a(to));
  }
  if (r.action === "goto") {
    if (r.gotoPref !== undefined) o.any("goto", " goto %u", r.gotoPref);
    else o.any("goto", " goto %s", "none");
    if (r.gotoPref === undefined || !rules.some((x) => x.pref === r.gotoPref))
      o.nul("unresolved", " [unresolved]");
  } else if (r.action === "nop") {
    o.nul("nop", " nop");
  } else if (r.action !== "lookup") {
    o.any("action", " %s", r.action);
  }
}

/**
 * `ip [-6] rule show` for one family, in RPDB order (the order of state.rules4/rules6).
 * @example
 * ```ts
 * printRules(state, 6, { json: true });
 * // '[{"priority":0,"src":"all","table":"local"},...]\n'
 * ```
 */
export function printRules(state: HostState, family: Family, opts: RulePrintOptions = {}): string {
  const o = new Emitter(opts);
  const rules = family === 4 ? state.rules4 : state.rules6;
  o.startList();
  for (const r of rules) printRule(o, state, rules, r, !!opts.details);
  o.endList();
  return o.text();
}
