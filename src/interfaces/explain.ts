/**
 * Turning a decision's trace into sentences people read: which rule sent the packet
 * where, what each skipped rule would have needed, and where the source came from.
 * @module
 */
import { formatAddr, formatPrefix } from "../addr/ip.js";
import { linkByIndex } from "../model/links.js";
import type { HostState, Route, Rule } from "../model/types.js";
import type { Decision } from "../engine/types.js";
import { ERRNO } from "../engine/types.js";
import { printRule } from "../print/rules.js";
import { Emitter } from "../print/emit.js";
import { printRouteEntry } from "../print/routes.js";

/** A rule as `ip rule show` prints it (one line). */
export function ruleText(s: HostState, r: Rule): string {
  const o = new Emitter({});
  const list = r.family === 4 ? s.rules4 : s.rules6;
  printRule(o, s, list, r, false);
  return o.text().trimEnd();
}

/** A route as `ip route show table all` prints it (one line, multipath folded). */
export function routeText(s: HostState, r: Route): string {
  const o = new Emitter({});
  printRouteEntry(o, s, r, { details: false, tableFiltered: false });
  return o
    .text()
    .replace(/\s*\n\s*/g, " ")
    .trimEnd();
}

const dev = (s: HostState, i: number | undefined) =>
  i === undefined ? "?" : (linkByIndex(s, i)?.name ?? `if${i}`);

/** One-line summary of where the packet goes. */
export function summarize(s: HostState, d: Decision): string {
  if (!d.ok) return `error: ${ERRNO[d.errno ?? "ENETUNREACH"]}`;
  const parts: string[] = [];
  if (d.type === "local") parts.push("delivered locally");
  else if (d.type === "broadcast") parts.push("broadcast");
  else parts.push(`out ${dev(s, d.oif)}`);
  if (d.gateway) parts.push(`via ${formatAddr(d.gateway)}`);
  if (d.table !== undefined) parts.push(`table ${s.tableNames.get(d.table) ?? d.table}`);
  if (d.prefsrc) parts.push(`src ${formatAddr(d.prefsrc)}`);
  return parts.join(" ");
}

/** The deciding rule of a decision (the last rule that matched with a lookup or action). */
export function decidingRule(d: Decision): Rule | undefined {
  for (let i = d.trace.length - 1; i >= 0; i--) {
    const t = d.trace[i]!;
    if (
      (t.kind === "lookup" && (t.result === "route" || t.result === "error")) ||
      t.kind === "action"
    )
      return t.rule;
  }
  return undefined;
}

/**
 * Human explanation of a decision, line by line.
 * @example explain(state, routeGet(state, q)).join("\n")
 */
export function explain(s: HostState, d: Decision): string[] {
  const out: string[] = [];
  for (const t of d.trace) {
    switch (t.kind) {
      case "rpdb-bypass":
        out.push(`  (${t.why})`);
        break;
      case "rule":
        if (t.matched) out.push(`  ✓ ${ruleText(s, t.rule)}`);
        else out.push(`  · ${ruleText(s, t.rule)}    — skipped: ${t.why ?? "does not match"}`);
        break;
      case "goto":
        out.push(
          t.target
            ? `    goto → rule ${t.target.pref}`
            : `    goto ${t.rule.gotoPref} is unresolved: no rule has that pref, continuing`,
        );
        break;
      case "lookup": {
        const table = `    table ${s.tableNames.get(t.table) ?? t.table}`;
        if (t.result === "route") out.push(`${table}: ${routeText(s, t.route!)}`);
        else if (t.result === "suppressed")
          out.push(`${table}: ${routeText(s, t.route!)} — ${t.why}; continuing`);
        else if (t.result === "error")
          out.push(
            `${table}: ${routeText(s, t.route!)} — a ${t.route!.type} route ends the lookup` +
              ` (${ERRNO[t.errno!]})`,
          );
        else if (t.result === "throw")
          out.push(`${table}: ${routeText(s, t.route!)} — throw: continue with the next rule`);
        else if (t.result === "missing-table")
          out.push(`    table ${t.table} has no routes; continuing`);
        else out.push(`${table}: no route matches; continuing`);
        break;
      }
      case "action":
        out.push(`    rule action ${t.rule.action} → ${ERRNO[t.errno!]}`);
        break;
      case "onlink-fallback":
        out.push(
          `  lookup failed (${ERRNO[t.errno]}), but an output device is given:` +
            ` the kernel assumes the destination is on-link via ${dev(s, t.oif)}`,
        );
        break;
      case "rp_filter":
        out.push(
          `  rp_filter${t.mode ? `=${t.mode}` : ""}: ${t.ok ? "passes" : "DROPS"} — ${t.why}`,
        );
        break;
      case "martian":
        out.push(`  martian: ${t.why} → dropped`);
        break;
      case "forwarding":
        out.push(`  forwarding on ${t.dev} is ${t.enabled ? "on" : "off"}`);
        break;
      case "multipath":
        out.push(`  multipath: hash ${t.hash} picks nexthop ${t.chosen + 1} of ${t.of}`);
        break;
      case "saddr":
        out.push(`  source ${formatAddr(t.addr)}: ${t.why}`);
        break;
      case "note":
        out.push(`  note: ${t.text}`);
        break;
    }
  }
  out.push(`  ⇒ ${summarize(s, d)}`);
  if (d.ok && d.matchedPrefix) out.push(`    (matched ${formatPrefix(d.matchedPrefix)})`);
  return out;
}
