/**
 * `explain` and netfilter: the route lookup `explain` shows is the socket's first lookup;
 * a mangle mark, a NAT or a drop on the way out can change where a real send goes
 * (ip_route_me_harder re-routes after mangle OUTPUT). When the loaded rules do that for this
 * packet, say so in two lines and give the `trace` command that shows the whole journey.
 * @module
 */
import { formatAddr } from "../addr/ip.js";
import { journey, type JourneyEnv, type JourneyResult } from "../engine/journey.js";
import type { Decision, RouteQuery } from "../engine/types.js";
import { linkByIndex } from "../model/links.js";
import type { HostState } from "../model/types.js";
import type { NfBaseChain } from "../netfilter/types.js";
import { defined } from "../core/result.js";

const hex = (n: number) => "0x" + (n >>> 0).toString(16);

/** Where the journey ended, as a clause ("goes out clash0", "is dropped (…)"). */
function outcome(r: JourneyResult): string {
  const f = r.final;
  switch (f.verdict) {
    case "sent":
      return `goes out ${f.oif}${f.gateway ? ` via ${f.gateway}` : ""}`;
    case "delivered":
      return "is delivered locally";
    case "dropped":
      return `is dropped${f.reason ? ` (${f.reason})` : ""}`;
    default:
      return `fails (${f.error ?? "error"})`;
  }
}

/** Does the journey end where the plain lookup does (same device, gateway, addresses)? */
function sameAnswer(s: HostState, d: Decision, q: RouteQuery, r: JourneyResult): boolean {
  const f = r.final;
  if (!d.ok) return f.verdict === "error";
  if (f.daddr !== formatAddr(q.dst)) return false;
  if (d.type === "local") return f.verdict === "delivered";
  const dev = linkByIndex(s, d.oif)?.name ?? null;
  const gw = d.gateway ? formatAddr(d.gateway) : null;
  return f.verdict === "sent" && f.oif === dev && f.gateway === gw;
}

/** The netfilter steps that changed the packet: marks set, NAT, the rule that dropped it. */
function causes(r: JourneyResult): string[] {
  const out: string[] = [];
  for (const t of r.trace) {
    if (t.kind === "nat")
      out.push(`${t.what} makes it ${t.saddr}:${t.sport} → ${t.daddr}:${t.dport}`);
    if (t.kind !== "rule" || !t.matched) continue;
    const hook = t.hook.toUpperCase();
    const where = `${t.table} ${hook}${t.chain !== hook ? ` (chain ${t.chain})` : ""}`;
    if (t.markBefore !== undefined && t.markAfter !== undefined && t.markBefore !== t.markAfter)
      out.push(`${where} sets mark ${hex(t.markAfter)} (${t.text})`);
    else if (/^(drop|reject)/i.test(t.verdict)) out.push(`${where} ${t.verdict} (${t.text})`);
  }
  return out;
}

/** Shell-quote a word for the suggested command line. */
const quote = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`);

/**
 * The lines `explain` adds when netfilter sends this packet elsewhere; none when no
 * netfilter is loaded or it does not change the answer.
 * @example netfilterLines(s, chains, q, d, ["1.1.1.1", "uid", "1000"], ["clash.sh"])
 */
export function netfilterLines(
  s: HostState,
  chains: readonly NfBaseChain[],
  q: RouteQuery,
  d: Decision,
  args: readonly string[],
  files: readonly string[],
  env: JourneyEnv = {},
): string[] {
  if (chains.length === 0 || (q.iif !== undefined && q.from === undefined)) return [];
  const { family, dst, from, iif, oif, uid, mark, tos, sport, dport } = q;
  const r = journey(
    s,
    chains,
    {
      family,
      dst,
      ipproto: q.ipproto ?? 17,
      ...defined({ from, iif, oif, uid, mark, tos, sport, dport }),
    },
    env,
  );
  if (sameAnswer(s, d, q, r)) return [];
  const why = causes(r);
  const load = files.length ? files.map((f) => `--load ${quote(f)} `).join("") : "--load FILE ";
  return [
    `  netfilter: ${why.length ? why.join("; ") : "the journey differs"}, so a real send` +
      ` ${outcome(r)}`,
    `    see: routelab ${load}trace ${args.map(quote).join(" ")}`,
  ];
}
