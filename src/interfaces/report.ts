/**
 * `routelab report` (what `npm start` runs): the host at a glance — its rules, and where a
 * handful of representative packets go and which rule decided, derived from the host's
 * own rules (each fwmark, uid range and destination they name).
 * @module
 */
import { formatAddr, parseAddr, v4, type Addr } from "../addr/ip.js";
import { routeGet, type RouteQuery } from "../engine/route.js";
import { linkByIndex } from "../model/links.js";
import type { HostState } from "../model/types.js";
import { printRules } from "../print/rules.js";
import { decidingRule, ruleText, summarize } from "./explain.js";
import { journey, type JourneyQuery, type JourneyResult } from "../engine/journey.js";
import type { NfBaseChain } from "../netfilter/types.js";
import { defined } from "../core/result.js";
import { forwardLines } from "./report-forward.js";

function describe(q: RouteQuery): string {
  const p = [formatAddr(q.dst)];
  if (q.from) p.push(`from ${formatAddr(q.from)}`);
  if (q.iif) p.push(`iif ${q.iif}`);
  if (q.mark) p.push(`mark ${q.mark}`);
  if (q.uid) p.push(`uid ${q.uid}`);
  if (q.ipproto)
    p.push(`ipproto ${q.ipproto === 6 ? "tcp" : q.ipproto === 17 ? "udp" : q.ipproto}`);
  if (q.dport) p.push(`dport ${q.dport}`);
  return p.join(" ");
}

/** uids named by `-m owner --uid-owner` / `meta skuid` in the recorded netfilter commands. */
function ownerUids(s: HostState): number[] {
  const out: number[] = [];
  for (const c of s.netfilter) {
    const i = c.argv.findIndex((a) => a === "--uid-owner" || a === "skuid");
    const v = i >= 0 ? Number(c.argv[i + 1]) : NaN;
    if (Number.isInteger(v)) out.push(v);
  }
  return out;
}

/** Representative probes for this host. */
export function reportProbes(s: HostState): RouteQuery[] {
  const out: RouteQuery[] = [];
  const seen = new Set<string>();
  const add = (q: RouteQuery) => {
    const k = describe(q);
    if (!seen.has(k) && out.length < 12) {
      seen.add(k);
      out.push(q);
    }
  };
  const internet = parseAddr("1.1.1.1").ok
    ? (parseAddr("1.1.1.1") as { value: Addr }).value
    : v4(0x01010101);
  const marks = [...new Set(s.rules4.filter((r) => r.markSet && r.fwmark).map((r) => r.fwmark))];
  const uids = [...new Set(s.rules4.filter((r) => r.uidRange).map((r) => r.uidRange![0]))].filter(
    (u) => u !== 0,
  );
  add({ family: 4, dst: internet });
  for (const m of marks) add({ family: 4, dst: internet, mark: m });
  for (const u of uids) add({ family: 4, dst: internet, uid: u });
  add({ family: 4, dst: internet, ipproto: 17, dport: 53 });
  // A neighbour on each connected subnet, plain and marked.
  for (const a of s.addrs) {
    if (
      a.family !== 4 ||
      a.secondary ||
      a.prefixlen >= 31 ||
      linkByIndex(s, a.ifindex)?.kind === "loopback"
    )
      continue;
    const net =
      (a.local.v as number) & (a.prefixlen === 0 ? 0 : (0xffffffff << (32 - a.prefixlen)) >>> 0);
    const peer = v4((net + 1) >>> 0 === a.local.v ? net + 2 : net + 1);
    add({ family: 4, dst: peer });
    for (const m of marks) add({ family: 4, dst: peer, mark: m });
  }
  // The reply path: a packet from the internet arriving on each device that a non-main table
  // sends to.
  const tunnels = new Set<number>();
  for (const r of s.routes)
    if (r.family === 4 && r.table !== 254 && r.table !== 255 && !r.kernelAddr)
      for (const n of r.nexthops) if (n.ifindex > 1) tunnels.add(n.ifindex);
  const primary = s.addrs.find(
    (a) =>
      a.family === 4 &&
      !a.secondary &&
      linkByIndex(s, a.ifindex)?.kind !== "loopback" &&
      !tunnels.has(a.ifindex),
  );
  for (const t of tunnels) {
    const l = linkByIndex(s, t);
    if (l && primary) add({ family: 4, dst: primary.local, from: internet, iif: l.name });
  }
  return out;
}

/** The host in one line: how many objects the setup made. */
function hostSummary(s: HostState): string {
  const user = s.routes.filter((r) => !r.kernelAddr);
  const tables = new Set(s.routes.map((r) => r.table));
  const nf = s.netfilter.length ? `, ${s.netfilter.length} netfilter commands` : "";
  return (
    `host: ${s.links.length} links, ${s.addrs.length} addresses, ${s.routes.length} routes` +
    ` (${user.length} added by the script) in ${tables.size} tables,` +
    ` ${s.rules4.length} IPv4 and ${s.rules6.length} IPv6 rules, ${s.sysctl.size} sysctls set${nf}`
  );
}

/** The probe table: each probe, where it goes and the rule that decided. */
function probeTable(s: HostState): string[] {
  const rows = reportProbes(s).map((q) => {
    const d = routeGet(s, q);
    const rule = decidingRule(d);
    return [
      describe(q),
      summarize(s, d),
      rule
        ? ruleText(s, rule).replace(/\t/, " ")
        : d.trace.some((t) => t.kind === "rpdb-bypass")
          ? "(no custom rules)"
          : "(no rule matched)",
    ] as const;
  });
  const w0 = Math.max(...rows.map((r) => r[0].length), 10),
    w1 = Math.max(...rows.map((r) => r[1].length), 10);
  return rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  → ${b.padEnd(w1)}  by ${c}`);
}

/** How a journey got its verdict: the marks set and the re-route, or the reply's rp_filter. */
function journeyHow(s: HostState, r: JourneyResult, reply: boolean): string[] {
  const how: string[] = [];
  if (!reply) {
    for (const m of r.trace)
      if (
        m.kind === "rule" &&
        m.markBefore !== undefined &&
        m.markAfter !== undefined &&
        m.markBefore !== m.markAfter
      )
        how.push(`mark ${"0x" + (m.markAfter >>> 0).toString(16)} in ${m.table} ${m.chain}`);
    const rer = r.trace.find((t) => t.kind === "route" && t.stage === "reroute");
    if (rer && rer.kind === "route") how.push(`re-routed: ${summarize(s, rer.decision)}`);
  } else {
    const rp = r.trace
      .flatMap((t) => (t.kind === "route" ? t.decision.trace : []))
      .find((t) => t.kind === "rp_filter");
    if (rp && rp.kind === "rp_filter")
      how.push(`rp_filter${rp.mode ? "=" + rp.mode : ""} ${rp.ok ? "passes" : "drops"}`);
  }
  return how;
}

/** The final verdict of a journey in a few words. */
function verdictText(f: JourneyResult["final"]): string {
  return f.verdict === "sent"
    ? `sent out ${f.oif} from ${f.saddr}`
    : f.verdict === "delivered"
      ? "delivered"
      : f.verdict === "dropped"
        ? `DROPPED (${f.reason})`
        : `error: ${f.error}`;
}

/** Whole journeys (and their replies) of a UDP packet to 1.1.1.1:443 for a few uids. */
function journeyLines(s: HostState, chains: readonly NfBaseChain[]): string[] {
  const lines = ["", "Whole journeys through netfilter (trace), for a few local senders:"];
  const internet = v4(0x01010101);
  const uids = [
    ...new Set([
      1000,
      ...s.rules4.filter((r) => r.uidRange).map((r) => r.uidRange![0]),
      ...ownerUids(s),
    ]),
  ].slice(0, 3);
  for (const uid of uids) {
    for (const reply of [false, true]) {
      const q: JourneyQuery = {
        family: 4,
        dst: internet,
        uid,
        ipproto: 17,
        dport: 443,
        ...defined({ reply: reply || undefined }),
      };
      const r = journey(s, chains, q);
      const how = journeyHow(s, r, reply);
      const who = reply ? "  its reply" : `udp 1.1.1.1:443 as uid ${uid}`;
      const why = how.length ? ` — ${how.join("; ")}` : "";
      lines.push(`  ${who}: ${verdictText(r.final)}${why}`);
    }
  }
  lines.push(
    "  (routelab --load FILE trace 1.1.1.1 uid 1000 ipproto udp dport 443 [reply]" +
      " shows every hook and rule)",
  );
  return lines;
}

/**
 * The report text.
 * @example report(state, ["examples/clash-uid-standalone.sh"])
 */
export function report(s: HostState, files: string[], chains: readonly NfBaseChain[] = []): string {
  const lines: string[] = [];
  lines.push(`routelab report — ${files.length ? files.join(", ") : "(empty host)"}`);
  lines.push(hostSummary(s));
  lines.push("", "$ ip rule show", printRules(s, 4).trimEnd());
  if (s.v6CustomRules) lines.push("", "$ ip -6 rule show", printRules(s, 6).trimEnd());
  lines.push("", "Where packets go (ip route get) and the rule that decided:");
  lines.push(...probeTable(s));
  if (chains.length) lines.push(...journeyLines(s, chains));
  lines.push(...forwardLines(s, chains));
  lines.push(
    "",
    "Ask about any packet: routelab --load FILE route get ADDRESS [mark N] [uid N]" +
      " [from A iif DEV] ...",
    "Why it goes there:    routelab --load FILE explain ADDRESS [mark N] ...",
  );
  return lines.join("\n") + "\n";
}
