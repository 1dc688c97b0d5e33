/**
 * `routelab map [PACKETS]` and `routelab check ASSERTION… | --file FILE`: the analysis'
 * answers as text or JSON, with exit statuses (check: 0 all hold, 1 one fails, 2 bad input).
 * A failed assertion prints its counterexample as `route get` words and that packet's full
 * `trace` (the trace also shows POSTROUTING, which the analysis does not model yet).
 * @module
 */
import type { Issue } from "../core/issue.js";
import type { Family } from "../core/kinds.js";
import { ok, type Result, err } from "../core/result.js";
import { type Assertion, parseAssertion, parsePackets } from "../analysis/assert.js";
import { type CheckResult, checkAssertion, mapClasses } from "../analysis/check.js";
import { Analysis, type PacketClass, universeNotes } from "../analysis/classes.js";
import { describeOutcome, describeSet, outcomeWords, tableName } from "../analysis/describe.js";
import type { NfOutcome } from "../analysis/outcome.js";
import type { BddArena } from "../analysis/bdd/arena.js";
import { encode, type HeaderPacket } from "../analysis/header.js";
import { valueAt } from "../analysis/netfilter/markvec.js";
import { formatAddr } from "../addr/ip.js";
import { issue } from "../core/issue.js";
import type { HostState } from "../model/types.js";
import type { NfBaseChain } from "../netfilter/types.js";
import type { JourneyEnv } from "../engine/journey.js";
import { parseTrace, runTrace, traceText } from "./trace.js";
import { checkReply, originalWords, replyWords } from "../analysis/reply.js";

/** What a command printed and its exit status. */
export interface AnalysisOutput {
  stdout: string;
  stderr: string;
  status: number;
}

/** One class as `map` reports it. */
export interface MapEntry {
  readonly family: Family;
  /** The packets, e.g. "uid ≠ 129, dst ∉ {10.0.0.0/8, …}"; "" for all of the family. */
  readonly packets: string;
  /** The outcome, e.g. "dev clash0 table 129 rule 9000". */
  readonly outcome: string;
  /** Structured outcome fields (device names, gateway, table, rule, errno). */
  readonly detail: {
    readonly ok: boolean;
    readonly errno?: string;
    readonly type?: string;
    readonly devs: string[];
    readonly gateways: string[];
    readonly table?: number;
    /** The table as iproute2 names it ("main", "local", "129"). */
    readonly tableName?: string;
    readonly rule?: number;
    /**
     * What OUTPUT did (when the host has OUTPUT chains): verdict, deciding rule, the mark
     * after the hook, whether a mark change re-routed the packets.
     */
    readonly nf?: {
      readonly verdict: string;
      readonly by?: string;
      readonly mark: string;
      readonly rerouted: boolean;
      /**
       * The representative's mark after the hook (hex): what the lookup after OUTPUT's
       * re-route or PREROUTING's input lookup sees, for `ip route get … mark` (which runs
       * no netfilter).
       */
      readonly representativeMark: string;
      /** PREROUTING: TPROXY gave the packets the proxy's socket. */
      readonly tproxy?: true;
    };
  };
  /** The representative as `ip route get` arguments. */
  readonly representative: string[];
  /** Headers in the class (decimal; all free fields counted). */
  readonly count: string;
}

/** What `map` answers: the classes and what the analysis does not cover. */
export interface MapResult {
  readonly classes: MapEntry[];
  readonly notes: readonly string[];
}

function entry(a: Analysis, c: PacketClass): MapEntry {
  const o = c.outcome;
  const name = (i: number) => a.s.links.find((l) => l.ifindex === i)?.name ?? `if${i}`;
  return {
    family: o.family,
    packets: describeSet(a.m, c.pred, a.universeOf(o), o.family, a.s.links),
    outcome: describeOutcome(a.s, o),
    detail: {
      ok: o.ok,
      ...(o.errno ? { errno: o.errno } : {}),
      ...(o.type ? { type: o.type } : {}),
      devs: o.paths.map((p) => name(p.dev)),
      gateways: o.paths.flatMap((p) => (p.gateway ? [formatAddr(p.gateway)] : [])),
      ...(o.table !== undefined ? { table: o.table, tableName: tableName(a.s, o.table) } : {}),
      ...(o.rule !== undefined ? { rule: o.rule } : {}),
      ...(o.nf ? { nf: nfDetail(a.m, o.nf, c.representative) } : {}),
    },
    representative: outcomeWords(a.s, c.representative, o),
    count: String(c.count),
  };
}

function nfDetail(
  m: BddArena,
  nf: NfOutcome,
  p: HeaderPacket,
): NonNullable<MapEntry["detail"]["nf"]> {
  const by = nf.by ? { by: nf.where ? `${nf.by} (${nf.where})` : nf.by } : {};
  // Unknown ends carry no mark vector: the packet's own mark.
  const mark = nf.mark.length ? valueAt(m, nf.mark, encode(p)) : p.fwmark;
  return {
    verdict: nf.verdict,
    ...by,
    mark: nf.markText,
    rerouted: nf.rerouted,
    representativeMark: `0x${mark.toString(16)}`,
    ...(nf.tproxy ? { tproxy: true as const } : {}),
  };
}

/** `map` over the packets PACKETS selects (all when empty). */
export function analysisMap(a: Analysis, filter: readonly string[]): Result<MapResult> {
  const sel = parsePackets(filter);
  if (!sel.ok) return sel;
  const classes = mapClasses(a, sel.value);
  if (!classes.ok) return classes;
  return ok({ classes: classes.value.map((c) => entry(a, c)), notes: universeNotes });
}

/** `map` as text: one block per class, biggest first within each family. */
export function mapText(r: MapResult): string {
  const out = [`# analysis: ${r.notes.join("; ")}`];
  r.classes.forEach((c, i) => {
    const what = c.packets ? `ipv${c.family}, ${c.packets}` : `ipv${c.family}, all`;
    out.push(`${i + 1}. ${what} → ${c.outcome}`);
    out.push(`   e.g. route get ${c.representative.join(" ")}`);
  });
  return out.join("\n") + "\n";
}

/**
 * Assertions of a checks file: one per line, a YAML list item or not, quoted or not
 * (`- "always: to 10.0.0.0/8 -> dev eth0"`); `#` comments, blank lines and a `checks:`
 * heading are skipped. This is the YAML subset such files use; anything else is refused
 * with its line number.
 */
export function parseChecksFile(text: string, name: string): Result<string[]> {
  const out: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i]!.replace(/\s+#.*$/, "").trim();
    if (!l || l.startsWith("#") || l === "checks:" || l === "---") continue;
    if (l.startsWith("- ")) l = l.slice(2).trim();
    if (/^(["']).*\1$/.test(l)) l = l.slice(1, -1);
    if (!/^(always|never)\s*:/.test(l))
      return err(
        issue("analysis.syntax", `${name}:${i + 1}: expected "always: …" or "never: …"`, {
          loc: { file: name, line: i + 1, col: 1 },
          token: l,
        }),
      );
    out.push(l);
  }
  return ok(out);
}

/** Parse every assertion first: one bad assertion is bad input (exit 2), nothing is answered. */
export function parseAssertions(texts: readonly string[]): Result<Assertion[]> {
  const out: Assertion[] = [];
  for (const t of texts) {
    let known = PARSED.get(t);
    if (!known) {
      const a = parseAssertion(t);
      if (!a.ok) return a;
      if (PARSED.size >= 1024) PARSED.clear();
      PARSED.set(t, (known = a.value));
    }
    out.push(known);
  }
  return ok(out);
}

/**
 * Assertions parsed before, by text (a parse depends on the text alone): a check repeated
 * after each change of the host (the incremental re-check) does not parse again.
 */
const PARSED = new Map<string, Assertion>();

/** Answer every assertion; an unknown device or table is bad input. */
export function analysisCheck(a: Analysis, list: readonly Assertion[]): Result<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const as of list) {
    const r = as.reply ? checkReply(a, as) : checkAssertion(a, as);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return ok(out);
}

/** Where a counterexample's trace comes from. */
export interface TraceCtx {
  readonly chains: readonly NfBaseChain[];
  readonly env: JourneyEnv;
}

/** `check` as text: PASS/FAIL per assertion, with counterexample, outcome and trace. */
export function checkText(s: HostState, rs: readonly CheckResult[], t: TraceCtx): string {
  const out: string[] = [];
  for (const r of rs) {
    if (r.original || r.assertion.reply) {
      out.push(...replyCheckText(s, r, t));
      continue;
    }
    out.push(`${r.holds ? "PASS" : "FAIL"} ${r.assertion.text}`);
    for (const u of r.unmodelled ?? []) out.push(`  not answered for the packets that meet ${u}`);
    if (r.holds || !r.counterexample) continue;
    const words = outcomeWords(s, r.counterexample, r.outcome);
    out.push(`  counterexample: route get ${words.join(" ")}`);
    if (r.outcome) out.push(`  outcome: ${describeOutcome(s, r.outcome)}`);
    const end = { file: "<check>", line: 1, col: 1 };
    const q = parseTrace(
      words.map((text) => ({ text, loc: end })),
      end,
      r.counterexample.family,
    );
    const tr = "exit" in q ? q : runTrace(s, t.chains, q, end, t.env);
    if ("exit" in tr) out.push(`  (no trace: ${tr.message})`);
    else
      out.push(
        "  trace:",
        ...traceText(s, tr)
          .trimEnd()
          .split("\n")
          .map((l) => `    ${l}`),
      );
  }
  return out.join("\n") + "\n";
}

/**
 * A reply-of answer as text: its notes, the reply that breaks it as `route get DST from SRC`
 * words, the original it answers, and the reply's trace (as checkText does for others).
 */
function replyCheckText(s: HostState, r: CheckResult, t: TraceCtx): string[] {
  const out = [`${r.holds ? "PASS" : "FAIL"} ${r.assertion.text}`];
  out.push(...(r.notes ?? []).map((n) => `  # ${n}`));
  if (r.holds || !r.counterexample) return out;
  const words = replyWords(r.counterexample);
  out.push(`  counterexample: reply route get ${words.join(" ")}`);
  out.push(`  answering: ${originalWords(r.counterexample, r.originalIif).join(" ")}`);
  if (r.outcome) out.push(`  outcome: ${describeOutcome(s, r.outcome)}`);
  const end = { file: "<check>", line: 1, col: 1 };
  const q = parseTrace(
    words.map((text) => ({ text, loc: end })),
    end,
    r.counterexample.family,
  );
  const tr = "exit" in q ? q : runTrace(s, t.chains, q, end, t.env);
  if ("exit" in tr) return [...out, `  (no trace: ${tr.message})`];
  const lines = traceText(s, tr).trimEnd().split("\n");
  return [...out, "  trace:", ...lines.map((l) => `    ${l}`)];
}

/** The CLI's `map` / `check` commands (words after the command name). */
export function runAnalysisCommand(
  s: HostState,
  cmd: "map" | "check",
  words: readonly string[],
  ctx: TraceCtx & { json: boolean; readFile?: (p: string) => string | undefined },
): AnalysisOutput {
  const fail = (e: Issue): AnalysisOutput => ({
    stdout: "",
    stderr: `routelab ${cmd}: ${e.message}\n`,
    status: 2,
  });
  const a = new Analysis(s, undefined, () => ctx.chains);
  if (cmd === "map") {
    const r = analysisMap(a, words);
    if (!r.ok) return fail(r.error);
    return {
      stdout: ctx.json ? JSON.stringify(r.value) + "\n" : mapText(r.value),
      stderr: "",
      status: 0,
    };
  }
  const texts: string[] = [];
  const inline: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] !== "--file" && words[i] !== "-f") {
      inline.push(words[i]!);
      continue;
    }
    const path = words[++i] ?? "";
    const text = ctx.readFile?.(path);
    if (text === undefined) return fail(issue("load.read", `cannot read "${path}"`));
    const f = parseChecksFile(text, path);
    if (!f.ok) return fail(f.error);
    for (const t of f.value) texts.push(t);
  }
  // Assertions given as words (a shell splits nothing inside quotes, Host.ip splits all).
  const joined = inline.join(" ").trim();
  if (joined) texts.push(...joined.split(/\s+(?=(?:always|never)\s*:)/));
  if (!texts.length)
    return fail(issue("usage", "usage: check 'always|never: PACKETS -> OUTCOME'…"));
  const list = parseAssertions(texts);
  if (!list.ok) return fail(list.error);
  const res = analysisCheck(a, list.value);
  if (!res.ok) return fail(res.error);
  const status = res.value.every((r) => r.holds) ? 0 : 1;
  if (ctx.json)
    return {
      stdout: JSON.stringify(res.value.map((r) => checkJson(s, r))) + "\n",
      stderr: "",
      status,
    };
  return { stdout: checkText(s, res.value, ctx), stderr: "", status };
}

function checkJson(s: HostState, r: CheckResult): object {
  return {
    assertion: r.assertion.text,
    holds: r.holds,
    ...(r.unmodelled ? { unmodelled: r.unmodelled } : {}),
    ...(r.counterexample
      ? {
          counterexample: outcomeWords(s, r.counterexample, r.outcome),
          family: r.counterexample.family,
        }
      : {}),
    ...(r.outcome ? { outcome: describeOutcome(s, r.outcome) } : {}),
    ...(r.original && r.counterexample
      ? {
          counterexample: replyWords(r.counterexample),
          original: originalWords(r.counterexample, r.originalIif),
        }
      : {}),
    ...(r.notes ? { notes: r.notes } : {}),
  };
}
