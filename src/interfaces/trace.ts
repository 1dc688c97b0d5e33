/**
 * `routelab trace PACKET`: parse the packet (route get syntax plus uid, gid, ipproto,
 * reply), follow it with the journey engine, and print it for people or as JSON
 * `{"packet":{…},"final":{…},"trace":[…]}`.
 * @module
 */
import { formatAddr, parsePrefix, type Addr, type Family } from "../addr/ip.js";
import {
  journey,
  type JourneyEnv,
  type JourneyQuery,
  type JourneyResult,
  type JourneyStep,
  type ListenSpec,
} from "../engine/journey.js";
import { linkByIndex, linkByName } from "../model/links.js";
import type { SourceLoc } from "../core/loc.js";
import type { HostState } from "../model/types.js";
import type { NfBaseChain } from "../netfilter/types.js";
import { getU32 } from "../addr/num.js";
import { invarg, ipFail, type IpError } from "../parse/args.js";
import { ipprotoA2n, ipprotoN2a } from "../parse/names.js";
import type { Word } from "../parse/shell.js";
import { ERRNO } from "../engine/types.js";
import { defined } from "../core/result.js";
import { decidingRule, ruleText, summarize } from "./explain.js";

/** Numeric selectors: the query field, the word iproute2's invarg names, the largest value. */
const NUMERIC: Record<
  string,
  ["uid" | "gid" | "mark" | "tos" | "sport" | "dport", string, number]
> = {
  uid: ["uid", "UID", 0xffffffff],
  gid: ["gid", "GID", 0xffffffff],
  mark: ["mark", "mark value", 0xffffffff],
  tos: ["tos", "TOS", 255],
  dsfield: ["tos", "TOS", 255],
  sport: ["sport", "sport", 65535],
  dport: ["dport", "dport", 65535],
};

/** The `trace` words being read, in the style of iproute2's NEXT_ARG loop. */
class TraceArgs {
  i = 0;
  dst: Addr | undefined;
  fam: Family | undefined;
  readonly q: Partial<JourneyQuery> = {};

  constructor(
    readonly words: Word[],
    readonly end: SourceLoc,
    family: Family | undefined,
  ) {
    this.fam = family;
  }

  /** NEXT_ARG: the value word. */
  val(): Word | IpError {
    return (
      this.words[++this.i] ??
      ipFail(
        "ip.incomplete",
        'Command line is not complete. Try option "help"',
        undefined,
        this.end,
        255,
        "a value",
      )
    );
  }

  /** get_u32 base 0, at most `max`. */
  num(what: string, max: number): number | IpError {
    const v = this.val();
    if ("exit" in v) return v;
    const n = getU32(v.text);
    return n === undefined || n > max ? invarg(`invalid ${what}\n`, v, this.end) : n;
  }

  addr(): Addr | IpError {
    const v = this.val();
    if ("exit" in v) return v;
    const r = parsePrefix(v.text, this.fam);
    return r.ok
      ? r.value.addr
      : ipFail(
          "ip.prefix",
          `Error: any valid prefix is expected rather than "${v.text}".`,
          v,
          this.end,
          1,
        );
  }

  /** One keyword and its value; an error ends the parse. */
  step(w: Word): IpError | undefined {
    const q = this.q;
    const numeric = Object.hasOwn(NUMERIC, w.text) ? NUMERIC[w.text] : undefined;
    if (numeric) {
      const n = this.num(numeric[1], numeric[2]);
      if (typeof n !== "number") return n;
      q[numeric[0]] = n;
      return undefined;
    }
    switch (w.text) {
      case "from": {
        const a = this.addr();
        if ("exit" in a) return a;
        q.from = a;
        return undefined;
      }
      case "iif":
      case "oif":
      case "dev": {
        const v = this.val();
        if ("exit" in v) return v;
        if (w.text === "iif") q.iif = v.text;
        else q.oif = v.text;
        return undefined;
      }
      case "ipproto": {
        const v = this.val();
        if ("exit" in v) return v;
        const n = ipprotoA2n(v.text);
        if (n === undefined) return invarg('Invalid "ipproto" value\n', v, this.end);
        q.ipproto = n;
        return undefined;
      }
      case "reply":
        q.reply = true;
        return undefined;
      case "to": {
        const a = this.addr();
        if ("exit" in a) return a;
        this.dst = a;
        return undefined;
      }
      default:
        return this.destination(w);
    }
  }

  /** A bare word is the destination, once. */
  destination(w: Word): IpError | undefined {
    if (this.dst)
      return ipFail(
        "ip.garbage",
        `Error: either "to" is duplicate, or "${w.text}" is a garbage.`,
        w,
        this.end,
        255,
        "from, iif, oif, uid, gid, mark, tos, ipproto, sport, dport or reply",
      );
    const p = parsePrefix(w.text, this.fam);
    if (!p.ok)
      return ipFail(
        "ip.prefix",
        `Error: any valid prefix is expected rather than "${w.text}".`,
        w,
        this.end,
        1,
        "a destination address",
      );
    this.dst = p.value.addr;
    this.fam ??= this.dst.family;
    return undefined;
  }
}

/**
 * Parse `trace` arguments.
 * @example parseTrace(words("1.1.1.1 uid 1000 ipproto udp dport 443"), end)
 */
export function parseTrace(words: Word[], end: SourceLoc, family?: Family): JourneyQuery | IpError {
  const a = new TraceArgs(words, end, family);
  for (; a.i < words.length; a.i++) {
    const e = a.step(words[a.i]!);
    if (e) return e;
    if (a.q.from) a.fam ??= a.q.from.family;
  }
  const dst = a.dst;
  if (!dst)
    return ipFail(
      "ip.incomplete",
      "need at least a destination address",
      undefined,
      end,
      1,
      "a destination address",
    );
  return { family: dst.family, dst, ipproto: a.q.ipproto ?? 17, ...a.q } as JourneyQuery;
}

const hex = (n: number) => "0x" + (n >>> 0).toString(16);

function packetJson(q: JourneyQuery): Record<string, unknown> {
  return {
    family: q.family === 4 ? "inet" : "inet6",
    dst: formatAddr(q.dst),
    ...defined({
      from: q.from ? formatAddr(q.from) : undefined,
      iif: q.iif || undefined,
      oif: q.oif || undefined,
      uid: q.uid,
      gid: q.gid,
      mark: q.mark,
    }),
    ipproto: ipprotoN2a(q.ipproto),
    ...defined({ sport: q.sport, dport: q.dport, tos: q.tos, reply: q.reply ? true : undefined }),
  };
}

function stepJson(s: HostState, t: JourneyStep): Record<string, unknown> {
  if (t.kind === "route") {
    const d = t.decision;
    return {
      kind: "route",
      stage: t.stage,
      ok: d.ok,
      ...(d.ok
        ? {
            type: d.type,
            dev: d.type === "local" ? "lo" : (linkByIndex(s, d.oif ?? 0)?.name ?? null),
            gateway: d.gateway ? formatAddr(d.gateway) : null,
            table: d.table ?? null,
            prefsrc: d.prefsrc ? formatAddr(d.prefsrc) : null,
          }
        : { error: ERRNO[d.errno ?? "ENETUNREACH"] }),
      rule: decidingRule(d)?.pref ?? null,
    };
  }
  return { ...t };
}

/** JSON form: one object per packet. */
export function traceJson(s: HostState, r: JourneyResult): string {
  return JSON.stringify({
    packet: packetJson(r.query),
    final: r.final,
    trace: r.trace.map((t) => stepJson(s, t)),
  });
}

/** A route lookup of the journey: which lookup, its answer and the rule, rp_filter. */
function routeLines(
  s: HostState,
  q: JourneyQuery,
  t: Extract<JourneyStep, { kind: "route" }>,
): string[] {
  const out: string[] = [];
  const rule = decidingRule(t.decision);
  const uid = q.uid !== undefined ? `, uid ${q.uid}` : "";
  const label =
    t.stage === "socket"
      ? `route lookup (socket${uid}${q.mark ? `, SO_MARK ${hex(q.mark)}` : ""})`
      : t.stage === "connect"
        ? "route lookup again with the chosen source (connect)"
        : t.stage === "reroute"
          ? `re-route after netfilter changed the packet (mark ${hex(t.query.mark ?? 0)},` +
            " uid 0 on IPv4, source kept)"
          : "input route lookup";
  const by = rule ? `  [${ruleText(s, rule).replace("\t", " ")}]` : "";
  out.push(`${label}: ${summarize(s, t.decision)}${by}`);
  for (const x of t.decision.trace)
    if (x.kind === "rp_filter")
      out.push(`  rp_filter${x.mode ? `=${x.mode}` : ""}: ${x.ok ? "passes" : "DROPS"} — ${x.why}`);
  return out;
}

/** Human form. */
export function traceText(s: HostState, r: JourneyResult): string {
  const out: string[] = [];
  const q = r.query;
  if (r.original) {
    out.push("original packet:");
    out.push(
      ...traceText(s, r.original)
        .trimEnd()
        .split("\n")
        .map((l) => "  " + l),
    );
    out.push("", "its reply:");
  }
  for (const t of r.trace) {
    switch (t.kind) {
      case "hook":
        out.push(
          `${t.hook.toUpperCase()}${t.iif ? ` iif ${t.iif}` : ""}${t.oif ? ` oif ${t.oif}` : ""}` +
            `  ${t.saddr} → ${t.daddr}  mark ${hex(t.mark)}`,
        );
        break;
      case "rule": {
        if (!t.matched && t.rule !== 0) break;
        const marked =
          t.markBefore !== undefined &&
          t.markAfter !== undefined &&
          t.markBefore !== t.markAfter &&
          !t.verdict.includes("->");
        const mark = marked ? ` (mark ${hex(t.markBefore!)} → ${hex(t.markAfter!)})` : "";
        out.push(
          `  ${t.family} ${t.table} ${t.chain}${t.rule ? ` #${t.rule}` : ""}  ${t.text}` +
            `  → ${t.verdict}${mark}`,
        );
        break;
      }
      case "route":
        out.push(...routeLines(s, q, t));
        break;
      case "nat":
        out.push(`  ${t.what}: now ${t.saddr}:${t.sport} → ${t.daddr}:${t.dport}`);
        break;
      case "conntrack":
        out.push(`conntrack: ${t.text}`);
        break;
      case "note":
        out.push(`  note: ${t.text}`);
        break;
    }
  }
  const f = r.final;
  const what =
    f.verdict === "sent"
      ? `sent out ${f.oif}${f.gateway ? ` via ${f.gateway}` : ""}`
      : f.verdict === "delivered"
        ? "delivered locally"
        : f.verdict === "dropped"
          ? "DROPPED"
          : `ERROR: ${f.error}`;
  out.push(
    `⇒ ${what}: ${f.saddr}:${f.sport} → ${f.daddr}:${f.dport} ${ipprotoN2a(q.ipproto)},` +
      ` mark ${hex(f.mark)}, ct mark ${hex(f.ctmark)}${f.reason ? ` — ${f.reason}` : ""}`,
  );
  return out.join("\n") + "\n";
}

/** Run a trace against a host with its base chains. Devices must exist. */
export function runTrace(
  s: HostState,
  chains: readonly NfBaseChain[],
  q: JourneyQuery,
  end: SourceLoc,
  env: JourneyEnv = {},
): JourneyResult | IpError {
  for (const d of [q.iif, q.oif])
    if (d !== undefined && !linkByName(s, d))
      return ipFail("ip.no-device", `Cannot find device "${d}"`, undefined, end, 1);
  if (q.iif && !q.from)
    return ipFail(
      "trace.from",
      "a packet arriving on iif needs its source: add `from ADDRESS`",
      undefined,
      end,
      1,
      "from ADDRESS",
    );
  return journey(s, chains, q, env);
}

/**
 * Parse a listening socket: `udp|tcp ADDRESS PORT [transparent]` (one argument, words
 * separated by spaces).
 * @example parseListen("udp 127.0.0.1 12345 transparent")
 */
export function parseListen(spec: string): ListenSpec | string {
  const w = spec.trim().split(/\s+/);
  if (
    (w[0] !== "udp" && w[0] !== "tcp") ||
    w.length < 3 ||
    w.length > 4 ||
    (w[3] !== undefined && w[3] !== "transparent")
  )
    return `--listen "${spec}": expected "udp|tcp ADDRESS PORT [transparent]"`;
  const a = parsePrefix(w[1]!);
  const port = Number(w[2]);
  if (!a.ok || a.value.len !== (a.value.addr.family === 4 ? 32 : 128))
    return `--listen "${spec}": "${w[1]}" is not an address`;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return `--listen "${spec}": "${w[2]}" is not a port`;
  return { proto: w[0], addr: a.value.addr, port, transparent: w[3] === "transparent" };
}
