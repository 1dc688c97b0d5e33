/**
 * `routelab lint [-j] [--ssh-peer ADDR]` and `routelab diff`: findings and changed classes
 * as text or JSON. lint exits 0 when it finds nothing, 1 when it finds something, 2 for bad
 * input; diff exits 0 when nothing changes, 1 when something does.
 * @module
 */
import { parseAddr } from "../addr/ip.js";
import type { Change } from "../analysis/diff.js";
import { Analysis, universeNotes } from "../analysis/classes.js";
import { type Finding, lint, type LintOptions } from "../analysis/lint/index.js";
import { issue } from "../core/issue.js";
import { err, ok, type Result } from "../core/result.js";
import type { HostState } from "../model/types.js";
import type { NfBaseChain } from "../netfilter/types.js";
import type { AnalysisOutput } from "./analysis.js";

/** `--ssh-peer ADDR` and nothing else. */
export function parseLintArgs(words: readonly string[]): Result<LintOptions> {
  let opts: LintOptions = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w !== "--ssh-peer")
      return err(issue("usage", `lint: unknown argument "${w}" (expected --ssh-peer ADDR)`));
    const a = parseAddr(words[++i] ?? "");
    if (!a.ok) return err(issue("analysis.syntax", `lint: --ssh-peer: expected ${a.expected}`));
    opts = { ...opts, sshPeer: a.value };
  }
  return ok(opts);
}

export { type Change, diffHosts } from "../analysis/diff.js";
export type { Finding } from "../analysis/lint/index.js";

/** Host.lint: ARGS as one string or words, every lint on the host's analysis. */
export function lintWords(a: Analysis, args: string | readonly string[]): Result<Finding[]> {
  const words = typeof args === "string" ? args.split(/\s+/).filter((w) => w) : args;
  const o = parseLintArgs(words);
  return o.ok ? ok(lint(a, o.value)) : o;
}

/** Run every lint on a host. */
export function lintHost(s: HostState, opts: LintOptions, a = new Analysis(s)): Finding[] {
  return lint(a, opts);
}

/** A finding without its internal packet (JSON). */
function findingJson(f: Finding): object {
  if (!f.packets) return f;
  const { packet: _p, ...packets } = f.packets;
  return { ...f, packets };
}

/** Findings as text: one block each. */
export function lintText(fs: readonly Finding[]): string {
  const out = [`# analysis: ${universeNotes.join("; ")}`];
  for (const f of fs) {
    out.push(`${f.severity} ${f.id}: ${f.message}`);
    if (f.packets) {
      const what = f.packets.description || "all";
      out.push(`  packets: ipv${f.packets.family}, ${what}`);
      out.push(`  e.g. route get ${f.packets.representative.join(" ")}`);
      if (f.packets.outcome) out.push(`     → ${f.packets.outcome}`);
    }
    out.push(`  fix: ${f.fix}`);
  }
  if (!fs.length) out.push("no findings");
  return out.join("\n") + "\n";
}

/** The CLI's `lint` (words after the command name). */
export function runLintCommand(
  s: HostState,
  words: readonly string[],
  json: boolean,
  chains: readonly NfBaseChain[] = [],
): AnalysisOutput {
  const o = parseLintArgs(words);
  if (!o.ok) return { stdout: "", stderr: `routelab lint: ${o.error.message}\n`, status: 2 };
  const fs = lintHost(s, o.value, new Analysis(s, undefined, () => chains));
  return {
    stdout: json ? JSON.stringify(fs.map(findingJson)) + "\n" : lintText(fs),
    stderr: "",
    status: fs.length ? 1 : 0,
  };
}

/** `diff` output: every change, before → after, with a representative. */
export function diffOutput(cs: readonly Change[], json: boolean): AnalysisOutput {
  if (json) {
    const list = cs.map(({ packet: _p, ...c }) => c);
    return { stdout: JSON.stringify(list) + "\n", stderr: "", status: cs.length ? 1 : 0 };
  }
  const out = [`# analysis: ${universeNotes.join("; ")}`];
  cs.forEach((c, i) => {
    out.push(`${i + 1}. ipv${c.family}, ${c.packets || "all"}`);
    out.push(`   before: ${c.before}`);
    out.push(`   after:  ${c.after}`);
    out.push(`   e.g. route get ${c.representative.join(" ")}`);
  });
  if (!cs.length) out.push("no changes");
  return { stdout: out.join("\n") + "\n", stderr: "", status: cs.length ? 1 : 0 };
}
