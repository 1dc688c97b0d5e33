/**
 * The host's netfilter rulesets, built from the netfilter commands a script ran, in the
 * order it ran them (iptables/ip6tables/iptables-restore/ipset and nft share one host, as
 * iptables-nft and nft share the kernel's tables). The result is every base chain the
 * journey engine walks, and the issues found on the way, each with its location.
 * @module
 */
import type { Family } from "../addr/ip.js";
import {
  applyIpsetCommand,
  applyIptablesCommand,
  applyIptablesRestore,
  createIptablesRuleset,
  iptablesBaseChains,
  runIpset,
  runIptables,
  runIptablesRestore,
  type IptablesRuleset,
} from "../netfilter/iptables/index.js";
import {
  applyNftCommand,
  createNftRuleset,
  loadNftJson,
  loadNftText,
  nftBaseChains,
  type NftRuleset,
} from "../netfilter/nft/index.js";
import type { NfBaseChain } from "../netfilter/types.js";
import type { Issue } from "../core/issue.js";
import { defined } from "../core/result.js";
import type { SourceLoc } from "../core/loc.js";
import type { HostState, RecordedCommand } from "./types.js";

/** Both front-ends' rulesets and the base chains they register. */
export interface HostNetfilter {
  iptables: IptablesRuleset;
  nft: NftRuleset;
  chains: NfBaseChain[];
  issues: Issue[];
}

function familyOf(tool: string): Family {
  return tool.startsWith("ip6tables") ? 6 : 4;
}

/** Issues in a here-document are at its place in the script; those in an included file stay. */
function shiftIssues(issues: Issue[], base: SourceLoc): Issue[] {
  return issues.map((i) =>
    i.loc && i.loc.file === base.file
      ? { ...i, loc: { file: base.file, line: base.line + i.loc.line - 1, col: i.loc.col } }
      : i,
  );
}

/** A file name as the tool opens it: relative to the working directory the script `cd`ed to. */
function inCwd(cwd: string | undefined, path: string): string {
  if (cwd === undefined || path.startsWith("/")) return path;
  const abs = cwd.startsWith("/");
  const parts: string[] = [];
  for (const p of `${cwd}/${path}`.split("/"))
    if (p === ".." && (abs || (parts.length && parts[parts.length - 1] !== ".."))) parts.pop();
    else if (p && p !== ".") parts.push(p);
  return (abs ? "/" : "") + parts.join("/");
}

/** The loader's readers, seen from a command's working directory (`-` is its stdin). */
function readers(
  c: RecordedCommand,
  readFile?: (path: string) => string | undefined,
  readDir?: (path: string) => readonly string[] | undefined,
): {
  file: (path: string) => string | undefined;
  dir: ((path: string) => readonly string[] | undefined) | undefined;
} {
  return {
    file: (path) => (path === "-" ? c.stdin?.text : readFile?.(inCwd(c.cwd, path))),
    dir: readDir && ((path) => readDir(inCwd(c.cwd, path))),
  };
}

/**
 * Rulesets a loader filled while running a script (commands applied in order, with exit statuses).
 */
const live = new WeakMap<HostState, { iptables: IptablesRuleset; nft: NftRuleset }>();

/** `nft -f -` reads its standard input as nft text, `nft -j -f -` as libnftables JSON. */
function nftStdin(
  rs: NftRuleset,
  argv: readonly string[],
  text: string,
  file: string,
  r?: ReturnType<typeof readers>,
): Issue[] {
  const json = argv.some((a) => a === "-j" || a === "--json");
  if (json) return loadNftJson(rs, text, file);
  const paths = argv.flatMap((a, k) => (a === "-I" || a === "--includepath" ? [argv[k + 1]!] : []));
  return loadNftText(rs, text, file, r && defined({ readFile: r.file, readDir: r.dir, paths }));
}

/**
 * The rulesets a loader fills while running a script (created on first use), for loaders
 * that add to them directly (a capture's iptables-nft tables).
 * @example liveNetfilter(state).nft.tables.length
 */
export function liveNetfilter(s: HostState): { iptables: IptablesRuleset; nft: NftRuleset } {
  let rs = live.get(s);
  if (!rs) {
    rs = { iptables: createIptablesRuleset(), nft: createNftRuleset() };
    live.set(s, rs);
  }
  const users = s.users;
  if (users) rs.iptables.env = { ...rs.iptables.env, users: Object.fromEntries(users) };
  return rs;
}

/**
 * The rulesets as far as a script has built them, for what it reads back mid-load
 * (`$(iptables-save)`, `nft list ruleset | …`); the base chains are left to buildNetfilter.
 * @example liveRulesets(state).iptables
 */
export function liveRulesets(s: HostState): HostNetfilter {
  const rs = liveNetfilter(s);
  return { iptables: rs.iptables, nft: rs.nft, chains: [], issues: [] };
}

/** An issue with the severity a loader reports it at. */
export type NfIssue = Issue & { severity: "error" | "warning" };

/**
 * Run one netfilter command against the host's live rulesets, as the tool would: its exit
 * status (for `&&`/`||`, e.g. `iptables -C … || iptables -A …`) and its problems. Usage errors
 * (exit 2, unknown options or extensions) are errors; runtime refusals (exit 1, e.g. deleting
 * a rule that is not there) are warnings; a failed `-C` check is silent.
 * @example runNetfilterCommand(state, cmd).status
 */
export function runNetfilterCommand(
  s: HostState,
  c: RecordedCommand,
  readFile?: (path: string) => string | undefined,
  readDir?: (path: string) => readonly string[] | undefined,
): { status: number; issues: NfIssue[] } {
  const rs = liveNetfilter(s);
  const tool = c.tool;
  const as = (issues: Issue[], severity: "error" | "warning"): NfIssue[] =>
    issues.map((i) => ({ ...i, severity }));
  if (tool === "nft") {
    const stdin = c.stdin;
    const r = readers(c, readFile, readDir);
    const isStdin =
      c.argv.includes("-") && stdin && (c.argv.includes("-f") || c.argv.includes("--file"));
    const issues = isStdin
      ? shiftIssues(nftStdin(rs.nft, c.argv, stdin.text, stdin.loc.file, r), stdin.loc)
      : applyNftCommand(rs.nft, c.argv, c.locs, r.file, r.dir);
    // Errno refusals (nft.ENOENT, nft.EEXIST, …) are the kernel's answer: warnings, status 1.
    return {
      status: issues.length ? 1 : 0,
      issues: issues.map((i) => ({
        ...i,
        severity: /^nft\.E[A-Z]+$/.test(i.code) ? "warning" : "error",
      })),
    };
  }
  if (tool === "ipset") {
    const r = runIpset(rs.iptables, c.argv, c.locs);
    return { status: r.status, issues: as(r.issues, r.status === 1 ? "warning" : "error") };
  }
  if (tool.includes("restore")) {
    const file = c.argv.slice(1).find((a) => !a.startsWith("-"));
    const text = c.stdin?.text ?? (file ? readFile?.(inCwd(c.cwd, file)) : undefined);
    if (text === undefined)
      return {
        status: 1,
        issues: [
          {
            code: "load.restore-input",
            message: `${tool}: no input (give it a here-document or a file)`,
            loc: c.loc,
            expected: "iptables-save format on standard input",
            severity: "error",
          },
        ],
      };
    const noflush = c.argv.some((a) => a === "-n" || a === "--noflush");
    // A file's lines are located in that file, not on `<stdin>`.
    const loc = c.stdin?.loc ?? (file ? { file, line: 1, col: 1 } : undefined);
    const r = runIptablesRestore(rs.iptables, text, familyOf(tool), {
      noflush,
      ...defined({ loc }),
    });
    return { status: r.status, issues: as(r.issues, "error") };
  }
  const r = runIptables(rs.iptables, c.argv, c.locs, familyOf(tool));
  const check = c.argv.some((a) => a === "-C" || a === "--check");
  if (r.status === 1 && check) return { status: 1, issues: [] };
  return { status: r.status, issues: as(r.issues, r.status === 1 ? "warning" : "error") };
}

/**
 * The host's rulesets and base chains: those a loader built while running the script, else a
 * replay of the recorded netfilter commands (hosts built by hand or from older code paths).
 * @example const nf = buildNetfilter(state); nf.chains.length
 */
export function buildNetfilter(
  s: HostState,
  readFile?: (path: string) => string | undefined,
  readDir?: (path: string) => readonly string[] | undefined,
): HostNetfilter {
  const done = live.get(s);
  if (done)
    return {
      iptables: done.iptables,
      nft: done.nft,
      chains: [...iptablesBaseChains(done.iptables), ...nftBaseChains(done.nft)],
      issues: [],
    };
  const ipt = createIptablesRuleset();
  const nft = createNftRuleset();
  const issues: Issue[] = [];
  for (const c of s.netfilter) {
    const tool = c.tool;
    if (tool === "nft") {
      const stdin = c.stdin;
      const r = readers(c, readFile, readDir);
      const isStdin = c.argv.includes("-") && stdin;
      if (isStdin && (c.argv.includes("-f") || c.argv.includes("--file")))
        for (const i of shiftIssues(
          nftStdin(nft, c.argv, stdin.text, stdin.loc.file, r),
          stdin.loc,
        ))
          issues.push(i);
      else for (const i of applyNftCommand(nft, c.argv, c.locs, r.file, r.dir)) issues.push(i);
    } else if (tool === "ipset") {
      for (const i of applyIpsetCommand(ipt, c.argv, c.locs)) issues.push(i);
    } else if (tool.includes("restore")) {
      const text =
        c.stdin?.text ??
        (c.argv.slice(1).find((a) => !a.startsWith("-"))
          ? readFile?.(inCwd(c.cwd, c.argv.slice(1).find((a) => !a.startsWith("-"))!))
          : undefined);
      if (text === undefined) {
        issues.push({
          code: "load.restore-input",
          message: `${tool}: no input (give it a here-document or a file)`,
          loc: c.loc,
          expected: "iptables-save format on standard input",
        });
        continue;
      }
      const noflush = c.argv.some((a) => a === "-n" || a === "--noflush");
      const file = c.argv.slice(1).find((a) => !a.startsWith("-"));
      const loc = c.stdin?.loc ?? (file ? { file, line: 1, col: 1 } : undefined);
      for (const i of applyIptablesRestore(ipt, text, familyOf(tool), {
        noflush,
        ...defined({ loc }),
      }))
        issues.push(i);
    } else {
      for (const i of applyIptablesCommand(ipt, c.argv, c.locs, familyOf(tool))) issues.push(i);
    }
  }
  return {
    iptables: ipt,
    nft,
    chains: [...iptablesBaseChains(ipt), ...nftBaseChains(nft)],
    issues,
  };
}
