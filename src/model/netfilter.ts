/**
 * The host's netfilter rulesets, built from the netfilter commands a script ran, in the
 * order it ran them (iptables/ip6tables/iptables-restore/ipset and nft share one host, as
 * iptables-nft and nft share the kernel's tables). The result is every base chain the
 * journey engine walks, and the issues found on the way, each with its location.
 * @module
 */
import type { Family } from "../addr/ip.js";
import { applyIpsetCommand, applyIptablesCommand, applyIptablesRestore, createIptablesRuleset, iptablesBaseChains, type IptablesRuleset } from "../netfilter/iptables/index.js";
import { applyNftCommand, createNftRuleset, loadNftText, nftBaseChains, type NftRuleset } from "../netfilter/nft/index.js";
import type { NfBaseChain } from "../netfilter/types.js";
import type { HostState, Issue, SourceLoc } from "./types.js";

/** Both front-ends' rulesets and the base chains they register. */
export interface HostNetfilter { iptables: IptablesRuleset; nft: NftRuleset; chains: NfBaseChain[]; issues: Issue[] }

function familyOf(tool: string): Family { return tool.startsWith("ip6tables") ? 6 : 4; }

function shiftIssues(issues: Issue[], base: SourceLoc): Issue[] {
  return issues.map((i) => (i.loc ? { ...i, loc: { file: base.file, line: base.line + i.loc.line - 1, col: i.loc.col } } : i));
}

/**
 * Replay the recorded netfilter commands into rulesets.
 * @example const nf = buildNetfilter(state); nf.chains.length
 */
export function buildNetfilter(s: HostState, readFile?: (path: string) => string | undefined): HostNetfilter {
  const ipt = createIptablesRuleset();
  const nft = createNftRuleset();
  const issues: Issue[] = [];
  for (const c of s.netfilter) {
    const tool = c.tool;
    if (tool === "nft") {
      const stdin = c.stdin;
      const reader = (path: string) => (path === "-" ? stdin?.text : readFile?.(path));
      const isStdin = c.argv.includes("-") && stdin;
      if (isStdin && (c.argv.includes("-f") || c.argv.includes("--file"))) issues.push(...shiftIssues(loadNftText(nft, stdin.text, stdin.loc.file), stdin.loc));
      else issues.push(...applyNftCommand(nft, c.argv, c.locs, reader));
    } else if (tool === "ipset") {
      issues.push(...applyIpsetCommand(ipt, c.argv, c.locs));
    } else if (tool.includes("restore")) {
      const text = c.stdin?.text ?? (c.argv.slice(1).find((a) => !a.startsWith("-")) ? readFile?.(c.argv.slice(1).find((a) => !a.startsWith("-"))!) : undefined);
      if (text === undefined) { issues.push({ code: "load.restore-input", message: `${tool}: no input (give it a here-document or a file)`, loc: c.loc, expected: "iptables-save format on standard input" }); continue; }
      const noflush = c.argv.some((a) => a === "-n" || a === "--noflush");
      issues.push(...applyIptablesRestore(ipt, text, familyOf(tool), { noflush, ...(c.stdin ? { loc: c.stdin.loc } : {}) }));
    } else {
      issues.push(...applyIptablesCommand(ipt, c.argv, c.locs, familyOf(tool)));
    }
  }
  return { iptables: ipt, nft, chains: [...iptablesBaseChains(ipt), ...nftBaseChains(nft)], issues };
}
