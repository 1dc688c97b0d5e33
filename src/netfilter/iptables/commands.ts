/**
 * Executing `iptables` / `ip6tables` commands against the model, with the checks
 * iptables-nft and the kernel (nf_tables + xt compat) perform, and their messages.
 *
 * Kept whole: the command functions (one per letter), the rule build and the kernel-side table
 * validation they share; a seam to split later is validateTable (the kernel's checks) into its
 * own module.
 * @module
 */
import type { IssueCode, IssueError } from "../../core/issue.js";
import type { Family } from "../../addr/ip.js";
import type { Issue } from "../../core/issue.js";
import type { SourceLoc } from "../../core/loc.js";
import type { Ext } from "./ext.js";
import type { ParsedCommand } from "./parse.js";
import { parseIptablesArgv, STANDARD_TARGETS } from "./parse.js";
import { iptablesListRules, ruleSpec } from "./save.js";
import type {
  IptablesRuleset,
  IptChain,
  IptFamilyState,
  IptRule,
  IptTable,
  TableName,
} from "./types.js";
import { BUILTIN_CHAINS, HOOK_BIT } from "./types.js";
import type { IptEnv, Prog } from "./util.js";
import type { IptIssue } from "./util.js";
import { caughtIssue, EXIT, iptError, progPrefix } from "./util.js";
import { MATCHES } from "./matches.js";
import { TARGETS } from "./targets.js";

export const TABLES: readonly TableName[] = ["filter", "nat", "mangle", "raw", "security"];

export const ERRNO_TEXT: Record<string, string> = {
  EINVAL: "Invalid argument",
  EMLINK: "Too many links",
  EOPNOTSUPP: "Operation not supported",
  EBUSY: "Device or resource busy",
  ENOENT: "No such file or directory",
  EEXIST: "File exists",
};

/** What one command did: exit status, output, and Issues for a rejection. */
export interface IptablesResult {
  status: number;
  stdout: string;
  /** stderr as the tool prints it (including the "Try `iptables -h'" line). */
  stderr: string;
  issues: Issue[];
  /** Non-fatal notes iptables prints on stderr (e.g. a reversed iprange). */
  warnings: string[];
}

export function familyState(rs: IptablesRuleset, f: Family): IptFamilyState {
  return f === 4 ? rs.v4 : rs.v6;
}

export function newTable(name: TableName): IptTable {
  const chains = new Map<string, IptChain>();
  for (const [c, hook] of BUILTIN_CHAINS[name])
    chains.set(c, { name: c, builtin: true, hook, policy: "ACCEPT", created: false, rules: [] });
  return { name, chains };
}

/** Copy-on-write clone: chain objects and rule arrays are copied, rules are shared (immutable). */
export function cloneTable(t: IptTable): IptTable {
  const chains = new Map<string, IptChain>();
  for (const [k, c] of t.chains) chains.set(k, { ...c, rules: c.rules.slice() });
  return { name: t.name, chains };
}

function kernelError(
  p: Prog,
  op: string,
  errno: string,
  what: string,
  arg?: number,
  reason?: string,
): IssueError {
  return iptError(
    `${progPrefix(p)} ${op} failed (${ERRNO_TEXT[errno] ?? errno}): ${what}`,
    EXIT.RESOURCE,
    `iptables.${errno}`,
    arg,
    reason,
    false,
  );
}

function simpleError(
  p: Prog,
  msg: string,
  status: number,
  code: IssueCode,
  arg?: number,
): IssueError {
  const prog = p.name.replace(/-restore$/, "");
  return iptError(`${prog}: ${msg}`, status, code, arg, undefined, false);
}

function extOf(kind: "match" | "target", name: string): Ext | undefined {
  return kind === "match" ? MATCHES[name] : TARGETS[name];
}

/** Why the kernel refused a rule: errno and a human reason (used as the Issue's `expected`). */
export interface KernelReject {
  errno: string;
  reason: string;
}

/** How a KernelSpec.proto is named in the reason. */
const PROTO_NAMES: Record<number, string> = { 6: "tcp", 17: "udp", 1: "icmp", 58: "ipv6-icmp" };

const HOOK_NAMES: Array<[number, string]> = [
  [1, "PREROUTING"],
  [2, "INPUT"],
  [4, "FORWARD"],
  [8, "OUTPUT"],
  [16, "POSTROUTING"],
];
const hookList = (mask: number) =>
  HOOK_NAMES.filter(([b]) => mask & b)
    .map(([, n]) => n)
    .join(", ");

/** nft_table_validate + xt compat init checks for the rules in `fresh`. */
export function validateTable(
  t: IptTable,
  family: Family,
  fresh: Set<IptRule>,
): KernelReject | undefined {
  // (a) init-time checks of new rules, in the chain they were added to
  for (const c of t.chains.values()) {
    if (fresh.size === 0) break;
    for (const r of c.rules) {
      if (!fresh.has(r)) continue;
      const hookMask = c.builtin && c.hook ? HOOK_BIT[c.hook] : 0;
      const exts: Array<[Ext | undefined, Record<string, unknown>, string]> = r.matches.map((m) => [
        extOf("match", m.name),
        m.data,
        `-m ${m.name}`,
      ]);
      if (r.target.kind === "ext")
        exts.push([
          extOf("target", r.target.ext.name),
          r.target.ext.data,
          `-j ${r.target.ext.name}`,
        ]);
      for (const [ext, data, label] of exts) {
        const k = ext?.kernel;
        if (!k) continue;
        if (k.table && k.table !== t.name)
          return { errno: "EINVAL", reason: `${label} is only valid in the ${k.table} table` };
        if (k.proto !== undefined && data.native !== true && (r.proto !== k.proto || r.protoInv))
          return {
            errno: "EINVAL",
            reason: `${label} needs -p ${PROTO_NAMES[k.proto] ?? String(k.proto)}`,
          };
        if (k.hooks !== undefined && hookMask && !(hookMask & k.hooks))
          return { errno: "EINVAL", reason: `${label} is only valid in ${hookList(k.hooks)}` };
        const e = k.check?.(data, r, hookMask, family);
        if (e)
          return {
            errno: e,
            reason: k.reason ? `${label}: ${k.reason}` : `${label} refused by the kernel`,
          };
      }
      if (
        (r.src && r.srcInv && isZeroMask(r.src.mask)) ||
        (r.dst && r.dstInv && isZeroMask(r.dst.mask))
      )
        return { errno: "EINVAL", reason: "an inverted /0 address can never match" };
      if (r.target.kind === "jump" || r.target.kind === "goto") {
        const to = t.chains.get(r.target.chain);
        if (to?.builtin)
          return to.created
            ? { errno: "EOPNOTSUPP", reason: `cannot jump to the built-in chain ${to.name}` }
            : {
                errno: "ENOENT",
                reason: `built-in chain ${to.name} does not exist yet (and cannot be jumped to)`,
              };
      }
    }
  }
  // (b) walk from every created base chain: depth limit and hook restrictions. Only new
  // jumps or new hook-restricted extensions can introduce a violation.
  let needWalk = false;
  for (const r of fresh) {
    if (r.target.kind === "jump" || r.target.kind === "goto") needWalk = true;
    else if (
      r.target.kind === "ext" &&
      extOf("target", r.target.ext.name)?.kernel?.hooks !== undefined
    )
      needWalk = true;
    if (r.matches.some((m) => extOf("match", m.name)?.kernel?.hooks !== undefined)) needWalk = true;
  }
  if (!needWalk && fresh.size > 0) return undefined;
  for (const base of t.chains.values()) {
    if (!base.builtin || !base.created || !base.hook) continue;
    const err = walk(t, base, 0, HOOK_BIT[base.hook], base.name);
    if (err) return err;
  }
  return undefined;
}

function isZeroMask(m: { family: number; v: number | bigint }): boolean {
  return m.family === 4 ? m.v === 0 : m.v === 0n;
}

function walk(
  t: IptTable,
  c: IptChain,
  level: number,
  hookBit: number,
  baseName: string,
): KernelReject | undefined {
  if (level === 16)
    return {
      errno: "EMLINK",
      reason: `jumps from ${baseName} nest 16 chains deep (a loop?) at chain ${c.name}`,
    };
  for (const r of c.rules) {
    const exts: Array<[Ext | undefined, string]> = r.matches.map((m) => [
      extOf("match", m.name),
      `-m ${m.name}`,
    ]);
    if (r.target.kind === "ext")
      exts.push([extOf("target", r.target.ext.name), `-j ${r.target.ext.name}`]);
    for (const [ext, label] of exts) {
      const h = ext?.kernel?.hooks;
      if (h !== undefined && !(h & hookBit))
        return {
          errno: "EINVAL",
          reason:
            `${label} in chain ${c.name} is reached from ${baseName} ` +
            `but is only valid in ${hookList(h)}`,
        };
    }
    if (r.target.kind === "jump" || r.target.kind === "goto") {
      const next = t.chains.get(r.target.chain);
      if (next && !next.builtin) {
        const e = walk(t, next, level + 1, hookBit, baseName);
        if (e) return e;
      }
    }
  }
  return undefined;
}

/** Build the rules a rule command stands for (one per source x destination). */
function expandRules(pc: ParsedCommand, loc: SourceLoc | undefined): IptRule[] {
  const srcs = pc.srcs.length ? pc.srcs : [undefined];
  const dsts = pc.dsts.length ? pc.dsts : [undefined];
  const out: IptRule[] = [];
  for (const s of srcs)
    for (const d of dsts) {
      const r: IptRule = {
        ...pc.rule,
        matches: pc.matches.map((m) => ({ name: m.ext.name, data: m.st.data })),
      };
      if (s) r.src = s;
      else delete r.src;
      if (d) r.dst = d;
      else delete r.dst;
      if (loc) r.loc = loc;
      out.push(r);
    }
  return out;
}

export interface RunOptions {
  env?: IptEnv;
  /** Program name used in messages (default iptables / ip6tables). */
  progName?: string;
}

/**
 * Run one iptables/ip6tables command line (argv[0] = program) on the ruleset.
 * The ruleset changes only when the command succeeds (commands are atomic, like an nft batch).
 */
export function runIptables(
  rs: IptablesRuleset,
  argv: string[],
  locs: SourceLoc[],
  family: Family,
  opts: RunOptions = {},
): IptablesResult {
  const p: Prog = { name: opts.progName ?? (family === 4 ? "iptables" : "ip6tables"), family };
  const warnings: string[] = [];
  try {
    const env = opts.env ?? rs.env;
    const pc = parseIptablesArgv(argv, { prog: p, ruleset: rs, ...(env ? { env } : {}) });
    for (const w of pc.warnings) warnings.push(w);
    const stdout = execute(rs, pc, p, locs[0]);
    return {
      status: 0,
      stdout,
      stderr: warnings.map((w) => w + "\n").join(""),
      issues: [],
      warnings,
    };
  } catch (thrown) {
    return errorResult(caughtIssue(thrown), p, argv, locs, warnings);
  }
}

export function errorResult(
  e: IptIssue,
  p: Prog,
  argv: string[],
  locs: SourceLoc[],
  warnings: string[],
): IptablesResult {
  const prog = p.name;
  const stderr =
    (e.message ? e.message + "\n" : "") +
    (e.tryHelp ? `Try \`${prog} -h' or '${prog} --help' for more information.\n` : "");
  const issue: Issue = {
    code: e.code,
    message: e.message.trimEnd() || `Try \`${prog} -h' or '${prog} --help' for more information.`,
  };
  const at = e.arg !== undefined && e.arg < argv.length ? e.arg : 0;
  const loc = locs[at] ?? locs[0];
  if (loc) issue.loc = loc;
  const tok = argv[at];
  if (tok !== undefined) issue.token = tok;
  if (e.expected) issue.expected = e.expected;
  return { status: e.status, stdout: "", stderr, issues: [issue], warnings };
}

/**
 * Apply one command; returns the Issues of a rejection (empty on success).
 * @example applyIptablesCommand(rs, ["iptables", "-t", "mangle", "-N", "CLASH"], locs, 4) // []
 */
export function applyIptablesCommand(
  rs: IptablesRuleset,
  argv: string[],
  locs: SourceLoc[],
  family: Family,
): Issue[] {
  return runIptables(rs, argv, locs, family).issues;
}

/** How iptables-restore runs a queued command: against its cache first, the kernel later. */
export interface ExecOptions {
  /** Skip kernel-side checks (validation, EBUSY on chain deletion): the restore cache pass. */
  skipKernel?: boolean;
  /** iptables-restore's cache pass: a rename is only checked (its cache keeps the old name). */
  noRename?: boolean;
  /** iptables-restore: a policy was set earlier in this batch (changes one error's wording). */
  afterPolicy?: boolean;
  /** Filled with what a rule command added/removed and its batch operation name. */
  trace?: { added?: IptRule[]; removed?: IptRule; op?: string };
}

/**
 * iptables-nft's rule build (translation to nft expressions): protocol-match checks,
 * matches that vanish or merge. Runs once per parsed command.
 */
export function buildMatches(rs: IptablesRuleset, pc: ParsedCommand, p: Prog): void {
  if (pc.built) return;
  pc.built = true;
  const rule = pc.rule;
  const tn = pc.table;
  const kept = pc.matches.filter(
    (m) =>
      m.ext.build?.(
        { prog: p, family: p.family, table: tn, ruleset: rs, rule, protoGiven: true, warnings: [] },
        m.st,
      ) !== false,
  );
  // adjacent natively translated tcp/udp matches come back from nft as one match
  pc.matches = [];
  for (const m of kept) {
    const prev = pc.matches[pc.matches.length - 1];
    if (prev && prev.ext === m.ext && prev.st.data.native === true && m.st.data.native === true) {
      const d = { ...prev.st.data };
      for (const [k, ki] of [
        ["sp", "spInv"],
        ["dp", "dpInv"],
      ] as const) {
        const r = m.st.data[k] as [number, number];
        if (r[0] !== 0 || r[1] !== 0xffff || m.st.data[ki]) {
          d[k] = r;
          d[ki] = m.st.data[ki];
        }
      }
      if (m.st.data.flgMask || m.st.data.flgInv) {
        d.flgMask = m.st.data.flgMask;
        d.flgCmp = m.st.data.flgCmp;
        d.flgInv = m.st.data.flgInv;
      }
      pc.matches[pc.matches.length - 1] = { ext: prev.ext, st: { ...prev.st, data: d } };
    } else pc.matches.push(m);
  }
}

/** One command being executed: its table (a copy, stored back by `commit`) and errors. */
interface Exec {
  rs: IptablesRuleset;
  pc: ParsedCommand;
  p: Prog;
  loc: SourceLoc | undefined;
  opts: ExecOptions;
  tn: TableName;
  /** The table before the command, if it exists. */
  existing: IptTable | undefined;
  /** The working copy. */
  t: IptTable;
  chain: string | undefined;
  commit: () => void;
}

const noChain = (x: Exec) =>
  simpleError(
    x.p,
    "No chain/target/match by that name.",
    EXIT.OTHER,
    "iptables.ENOENT",
    x.pc.chainArg,
  );

const badRule = (x: Exec) =>
  simpleError(
    x.p,
    "Bad rule (does a matching rule exist in that chain?).",
    EXIT.OTHER,
    "iptables.bad-rule",
    x.pc.chainArg,
  );

/** The rule's target: an extension, a standard verdict, or a jump/goto to an existing chain. */
function resolveTarget(x: Exec, rule: IptRule): void {
  const { pc, p, t } = x;
  if (pc.target)
    rule.target = { kind: "ext", ext: { name: pc.target.ext.name, data: pc.target.st.data } };
  else if (pc.jumpto !== undefined) {
    if (STANDARD_TARGETS.has(pc.jumpto) && !pc.isGoto) {
      if (pc.jumpto === "QUEUE")
        throw iptError(
          `routelab: target "QUEUE" is not modelled`,
          EXIT.PARAMETER,
          "iptables.unsupported",
          pc.jumpArg,
          undefined,
          false,
        );
      rule.target = { kind: "verdict", verdict: pc.jumpto as "ACCEPT" | "DROP" | "RETURN" };
    } else {
      const target = t.chains.get(pc.jumpto);
      if (!target)
        throw iptError(
          `${progPrefix(p)}Chain '${pc.jumpto}' does not exist`,
          EXIT.PARAMETER,
          "iptables.no-chain",
          pc.jumpArg,
          "an existing chain of this table",
        );
      rule.target = pc.isGoto
        ? { kind: "goto", chain: pc.jumpto }
        : { kind: "jump", chain: pc.jumpto };
    }
  }
}

/** -C / -D RULE: find each expanded rule by its text; -D removes it. */
function checkOrDelete(x: Exec, c: IptChain | undefined, rules: IptRule[]): string {
  const { pc, p, opts } = x;
  if (!c) throw badRule(x);
  for (const r of rules) {
    const text = ruleSpec(r, p.family);
    const idx = c.rules.findIndex((y) => ruleSpec(y, p.family) === text);
    if (idx < 0) throw badRule(x);
    if (pc.command === "D") {
      if (opts.trace) opts.trace.removed = c.rules[idx];
      c.rules.splice(idx, 1);
    }
  }
  if (pc.command === "D") x.commit();
  return "";
}

/** -A / -I / -R / -C / -D with a rule specification (do_command4's rule commands). */
function ruleCommand(x: Exec): string {
  const { rs, pc, p, opts, t, chain } = x;
  const rule = pc.rule;
  buildMatches(rs, pc, p);
  resolveTarget(x, rule);
  const rules = expandRules(pc, x.loc);
  const c = chain !== undefined ? t.chains.get(chain) : undefined;
  if (pc.command === "C" || pc.command === "D") return checkOrDelete(x, c, rules);
  if (!c) throw noChain(x);
  // nft inserts before the rule at that position, or appends after the last one
  // (rulenum = count + 1)
  const curLen = c.rules.length;
  const opName =
    pc.command === "A"
      ? "RULE_APPEND"
      : pc.command === "R"
        ? "RULE_REPLACE"
        : (pc.rulenum ?? 1) > 1 && (pc.rulenum ?? 1) > curLen
          ? "RULE_APPEND"
          : "RULE_INSERT";
  if (pc.command === "R") {
    if (pc.rulenum! > c.rules.length)
      throw c.builtin && !c.created
        ? noChain(x)
        : simpleError(
            p,
            "Index of replacement too big.",
            EXIT.OTHER,
            "iptables.index-too-big",
            pc.chainArg,
          );
    if (opts.trace) opts.trace.removed = c.rules[pc.rulenum! - 1];
    c.rules[pc.rulenum! - 1] = rules[0]!;
  } else if (pc.command === "I") {
    if (pc.rulenum! > c.rules.length + 1)
      throw simpleError(
        p,
        "Index of insertion too big.",
        EXIT.OTHER,
        "iptables.index-too-big",
        pc.chainArg,
      );
    for (const r of rules) c.rules.splice(pc.rulenum! - 1, 0, r);
  } else for (const r of rules) c.rules.push(r);
  if (c.builtin) c.created = true;
  if (opts.trace) {
    opts.trace.added = rules;
    opts.trace.op = opName;
  }
  const err = opts.skipKernel ? undefined : validateTable(t, p.family, new Set(rules));
  if (err)
    throw kernelError(p, opName, err.errno, `rule in chain ${chain!}`, pc.chainArg, err.reason);
  x.commit();
  return "";
}

/** -D CHAIN RULENUM. */
function deleteNum(x: Exec): string {
  const { pc, p, opts, t, chain } = x;
  const c = chain !== undefined ? t.chains.get(chain) : undefined;
  if (!c) throw noChain(x);
  if (pc.rulenum! > c.rules.length)
    throw c.builtin && !c.created
      ? noChain(x)
      : simpleError(
          p,
          "Index of deletion too big.",
          EXIT.OTHER,
          "iptables.index-too-big",
          pc.chainArg,
        );
  if (opts.trace) opts.trace.removed = c.rules[pc.rulenum! - 1];
  c.rules.splice(pc.rulenum! - 1, 1);
  x.commit();
  return "";
}

/** -N CHAIN. */
function newChain(x: Exec): string {
  const { pc, p, t, chain } = x;
  if (t.chains.has(chain!))
    throw simpleError(p, "Chain already exists.", EXIT.OTHER, "iptables.EEXIST", pc.chainArg);
  t.chains.set(chain!, {
    name: chain!,
    builtin: false,
    policy: "ACCEPT",
    created: true,
    rules: [],
  });
  x.commit();
  return "";
}

/** -X [CHAIN]: the kernel refuses (EBUSY) a chain with rules or one a rule jumps to. */
function deleteChain(x: Exec): string {
  const { pc, p, opts, t, chain } = x;
  const busy = (c: IptChain) =>
    c.rules.length > 0 ||
    [...t.chains.values()].some((o) =>
      o.rules.some(
        (r) => (r.target.kind === "jump" || r.target.kind === "goto") && r.target.chain === c.name,
      ),
    );
  if (chain !== undefined) {
    const c = t.chains.get(chain);
    if (!c || c.builtin) throw noChain(x);
    if (busy(c) && !opts.skipKernel)
      throw kernelError(
        p,
        "CHAIN_DEL",
        "EBUSY",
        `chain ${chain}`,
        pc.chainArg,
        "an empty chain no rule jumps to (flush it and remove the jumps first)",
      );
    t.chains.delete(chain);
  } else {
    const users = [...t.chains.values()].filter((c) => !c.builtin); // kernel (creation) order
    for (const c of users)
      if (busy(c) && !opts.skipKernel)
        throw kernelError(
          p,
          "CHAIN_DEL",
          "EBUSY",
          `chain ${c.name}`,
          undefined,
          "empty user chains no rule jumps to (flush with -F first)",
        );
    for (const c of users) t.chains.delete(c.name);
    // iptables-nft also removes base chains nobody uses (empty, policy ACCEPT)
    for (const c of t.chains.values())
      if (c.builtin && c.created && c.rules.length === 0 && c.policy === "ACCEPT")
        c.created = false;
  }
  if (x.existing) x.commit();
  return "";
}

/** -F / -Z [CHAIN]: flush the rules, or zero the counters. */
function flushOrZero(x: Exec): string {
  const { pc, p, opts, t, chain } = x;
  if (chain !== undefined) {
    const c = t.chains.get(chain);
    if (!c && pc.command === "Z" && opts.afterPolicy)
      throw simpleError(p, "Bad built-in chain name.", EXIT.OTHER, "iptables.ENOENT", pc.chainArg);
    if (!c) throw noChain(x);
    if (pc.command === "Z" && c.builtin && !c.created) {
      // nft_strerror words ENOENT after the last nft function called: after a policy change in
      // the same iptables-restore batch it is chain_set's "Bad built-in chain name."
      throw opts.afterPolicy
        ? simpleError(p, "Bad built-in chain name.", EXIT.OTHER, "iptables.ENOENT", pc.chainArg)
        : noChain(x);
    }
    if (pc.command === "F") {
      c.rules = [];
      if (c.builtin && !c.created) {
        c.created = true;
        x.commit();
        return "";
      } // flushing a base chain creates it
    }
  } else if (pc.command === "F") for (const c of t.chains.values()) c.rules = [];
  if (pc.command === "Z") zeroCounters(t, chain, pc.rulenum);
  if (x.existing) x.commit();
  return "";
}

/** Zero the counters -c set (rules are immutable: replace the ones that carry counters). */
function zeroCounters(t: IptTable, chain: string | undefined, rulenum: number | undefined): void {
  const zero = (r: IptRule): IptRule => {
    if (!r.counters) return r;
    const { counters: _c, ...rest } = r;
    return rest;
  };
  for (const c of t.chains.values()) {
    if (chain !== undefined && c.name !== chain) continue;
    c.rules = c.rules.map((r, i) => (rulenum === undefined || rulenum === i + 1 ? zero(r) : r));
  }
}

/** -P CHAIN POLICY: base chains only; setting a policy creates the base chain. */
function setPolicy(x: Exec): string {
  const { pc, p, t, chain } = x;
  const c = t.chains.get(chain!);
  if (pc.policy !== "ACCEPT" && pc.policy !== "DROP")
    throw simpleError(
      p,
      "Bad policy name. Run `dmesg' for more information.",
      EXIT.OTHER,
      "iptables.bad-policy",
      pc.policyArg,
    );
  if (!c || !c.builtin)
    throw simpleError(
      p,
      "Bad built-in chain name.",
      EXIT.OTHER,
      "iptables.bad-builtin",
      pc.chainArg,
    );
  c.policy = pc.policy;
  c.created = true;
  x.commit();
  return "";
}

/** -E OLD NEW: rename a user chain and every jump to it. */
function renameChain(x: Exec): string {
  const { pc, p, opts, t, chain } = x;
  const c = t.chains.get(chain!);
  if (t.chains.has(pc.newname!))
    throw simpleError(p, "File exists.", EXIT.OTHER, "iptables.EEXIST", pc.chainArg);
  if (!c || c.builtin) throw noChain(x);
  if (opts.noRename) return "";
  c.name = pc.newname!;
  const renamed = new Map<string, IptChain>();
  for (const [k, v] of t.chains) renamed.set(k === chain ? c.name : k, v);
  t.chains = renamed;
  for (const o of t.chains.values()) {
    o.rules = o.rules.map((r) =>
      (r.target.kind === "jump" || r.target.kind === "goto") && r.target.chain === chain
        ? { ...r, target: { kind: r.target.kind, chain: pc.newname! } }
        : r,
    );
  }
  x.commit();
  return "";
}

/** -S / -L of a chain the table lacks: iptables-nft's "incompatible" message. */
function checkListed(x: Exec): void {
  const { pc, p, t, chain, tn } = x;
  if (chain !== undefined && !t.chains.has(chain)) {
    throw iptError(
      `${progPrefix(p)}chain \`${chain}' in table \`${tn}' is incompatible, use 'nft' tool.`,
      EXIT.OTHER,
      "iptables.ENOENT",
      pc.chainArg,
      undefined,
      false,
    );
  }
}

/** -S [CHAIN [RULENUM]]. */
function listRules(x: Exec): string {
  checkListed(x);
  return iptablesListRules(x.existing ? x.t : undefined, x.tn, x.p.family, x.chain, x.pc.rulenum);
}

/** -L [CHAIN]. */
function list(x: Exec): string {
  checkListed(x);
  return listChains(x.t, x.chain);
}

/** One function per command letter, as do_command4 switches on it. */
const COMMANDS: Record<string, (x: Exec) => string> = {
  A: ruleCommand,
  I: ruleCommand,
  R: ruleCommand,
  C: ruleCommand,
  D: ruleCommand,
  DN: deleteNum,
  N: newChain,
  X: deleteChain,
  F: flushOrZero,
  Z: flushOrZero,
  P: setPolicy,
  E: renameChain,
  S: listRules,
  L: list,
};

/** Execute a parsed command; throws an IssueError. Returns stdout. */
export function execute(
  rs: IptablesRuleset,
  pc: ParsedCommand,
  p: Prog,
  loc: SourceLoc | undefined,
  opts: ExecOptions = {},
): string {
  const fs = familyState(rs, p.family);
  if (pc.command === "V") return `${p.name.replace(/-restore$/, "")} v1.8.9 (nf_tables)\n`;
  if (pc.command === "h") return "";
  if (!TABLES.includes(pc.table as TableName)) {
    throw iptError(
      `${progPrefix(p)}table '${pc.table}' does not exist\n` +
        "Perhaps iptables or your kernel needs to be upgraded.",
      EXIT.VERSION,
      "iptables.no-table",
      pc.tableArg,
      "filter, nat, mangle, raw or security",
      false,
    );
  }
  const tn = pc.table as TableName;
  const existing = fs.tables.get(tn);
  const t = existing ? cloneTable(existing) : newTable(tn);
  const run = COMMANDS[pc.command];
  if (!run) return "";
  const commit = () => {
    fs.tables.set(tn, t);
  };
  return run({ rs, pc, p, loc, opts, tn, existing, t, chain: pc.chain, commit });
}

/** A simplified `iptables -L` listing (headers exact, rule lines as -S text). */
function listChains(t: IptTable, chain?: string): string {
  let out = "";
  const chains = [...t.chains.values()].filter((c) => chain === undefined || c.name === chain);
  chains.forEach((c, i) => {
    if (i) out += "\n";
    if (c.builtin) out += `Chain ${c.name} (policy ${c.policy})\n`;
    else {
      const refs = [...t.chains.values()].reduce(
        (n, o) =>
          n +
          o.rules.filter(
            (r) =>
              (r.target.kind === "jump" || r.target.kind === "goto") && r.target.chain === c.name,
          ).length,
        0,
      );
      out += `Chain ${c.name} (${refs} references)\n`;
    }
    out += "target     prot opt source               destination         \n";
    for (const r of c.rules) out += `${ruleSpec(r, 4).trim()}\n`;
  });
  return out;
}
