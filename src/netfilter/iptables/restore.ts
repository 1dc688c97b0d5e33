/**
 * `iptables-restore` / `ip6tables-restore` input (the iptables-save format): `*table`,
 * `:CHAIN POLICY [p:b]`, rule lines, `COMMIT`; without `-n`/`--noflush` every table named
 * is replaced. Each COMMIT is atomic; an error stops the restore (earlier COMMITs stay).
 *
 * Kept whole: the three phases of one restore (read, cache pass, kernel batch) share the
 * queued-command records; each line kind and each phase is its own method.
 * @module
 */
import type { IssueCode } from "../../core/issue.js";
import type { Family } from "../../addr/ip.js";
import type { Issue } from "../../core/issue.js";
import type { SourceLoc } from "../../core/loc.js";
import type { IptablesResult } from "./commands.js";
import {
  buildMatches,
  cloneTable,
  ERRNO_TEXT,
  errorResult,
  execute,
  familyState,
  newTable,
  TABLES,
  validateTable,
} from "./commands.js";
import type { ParsedCommand } from "./parse.js";
import { parseIptablesArgv } from "./parse.js";
import type { IptablesRuleset, IptRule, IptTable, TableName } from "./types.js";
import type { IptEnv, Prog } from "./util.js";
import type { IptIssue } from "./util.js";
import { caughtIssue, EXIT, iptIssue, progPrefix } from "./util.js";
import { defined } from "../../core/result.js";

export interface RestoreOptions {
  /** `-n` / `--noflush`. */
  noflush?: boolean;
  /** Location of the first line of `text` (its file and line); columns are computed. */
  loc?: SourceLoc;
  env?: IptEnv;
}

/** add_param_to_argv: split on blanks, double quotes group, backslash escapes inside quotes. */
export function tokenizeRestoreLine(line: string): Array<{ word: string; col: number }> {
  const out: Array<{ word: string; col: number }> = [];
  let cur = "",
    start = -1,
    quote = false,
    esc = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (esc) {
        cur += ch;
        esc = false;
        continue;
      }
      if (ch === "\\") {
        esc = true;
        continue;
      }
      if (ch === '"') {
        quote = false;
        continue;
      }
      cur += ch;
      continue;
    }
    if (ch === '"') {
      quote = true;
      if (start < 0) start = i;
      continue;
    }
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      if (cur.length || start >= 0) {
        out.push({ word: cur, col: start + 1 });
        cur = "";
        start = -1;
      }
      continue;
    }
    if (start < 0) start = i;
    cur += ch;
  }
  if (cur.length || start >= 0) out.push({ word: cur, col: start + 1 });
  return out;
}

type Queued =
  | {
      kind: "cmd";
      ln: number;
      pc: ParsedCommand;
      argv: string[];
      locs: SourceLoc[];
      trace: { added?: IptRule[]; removed?: IptRule; op?: string };
    }
  | { kind: "policy"; ln: number; chain: string; policy: string; raw: string; loc: SourceLoc }
  | { kind: "userchain"; chain: string };

/** A failure as a result, or nothing (go on). */
type Step = IptablesResult | undefined;

/** A batch message the kernel refused (phase 3); all are listed at the end. */
interface Rejected {
  text: string;
  chain?: string;
  ruleAdd: boolean;
  argv: string[];
  locs: SourceLoc[];
  code: IssueCode;
  reason?: string;
}

/**
 * Phase 3 of a COMMIT: the kernel replays the batch in order on a copy of the table as it
 * was before the block (nf_tables_commit); a rejected message leaves its rule out.
 */
class KernelBatch {
  readonly k: IptTable;
  /** A flushed (deleted) or absent table exists again only once something creates it. */
  exists: boolean;
  /** ':' lines (re)create the chain inside the batch. */
  readonly declared = new Set<string>();
  /** Later messages still name a renamed chain by its old name. */
  readonly renamed = new Map<string, string>();
  rejected: Rejected[] = [];

  constructor(
    private readonly r: Restore,
    private readonly start: IptTable,
    private readonly tn: TableName,
  ) {
    this.k = cloneTable(start);
    this.exists = !!(r.opts.noflush && r.snapshot);
  }

  reject(q: QueuedCmd, msg: string, errno: string, reason?: string, chain?: string): void {
    this.rejected.push({
      text: `line ${q.ln}: ${msg}`,
      ruleAdd: chain !== undefined,
      ...defined({ chain, reason: reason || undefined }),
      argv: q.argv,
      locs: q.locs,
      code: `iptables.${errno}`,
    });
  }

  /** One queued message, in batch order. */
  replay(q: Queued): void {
    const k = this.k;
    if (q.kind !== "cmd") this.exists = true;
    else if (
      ["A", "I", "R", "N", "P"].includes(q.pc.command) ||
      (q.pc.command === "F" && q.pc.chain !== undefined)
    )
      this.exists = true;
    if (q.kind === "userchain") {
      this.declared.add(q.chain);
      const c = k.chains.get(q.chain);
      k.chains.set(
        q.chain,
        c
          ? { ...c, rules: [] }
          : { name: q.chain, builtin: false, policy: "ACCEPT", created: true, rules: [] },
      );
      return;
    }
    if (q.kind === "policy") {
      const c = k.chains.get(q.chain)!;
      k.chains.set(q.chain, {
        ...c,
        policy: q.policy === "-" ? c.policy : (q.policy as "ACCEPT" | "DROP"),
        created: true,
      });
      return;
    }
    const pc = q.pc;
    const chainName = pc.chain !== undefined ? (this.renamed.get(pc.chain) ?? pc.chain) : undefined;
    if (pc.command === "A" || pc.command === "I" || pc.command === "R") this.ruleAdd(q, chainName!);
    else if (pc.command === "D" || pc.command === "DN") this.ruleDelete(q, chainName);
    else if (
      pc.command === "E" &&
      (!this.start.chains.has(pc.chain!) || this.declared.has(pc.chain!))
    )
      // nf_tables cannot rename a chain created in the same batch
      this.reject(
        q,
        `CHAIN_RENAME failed (No such file or directory): chain ${pc.newname!}`,
        "ENOENT",
        "a chain that existed before this COMMIT block",
      );
    else if (pc.command !== "C" && pc.command !== "S" && pc.command !== "L")
      this.chainCommand(q, chainName);
  }

  /** -A/-I/-R: one batch message per rule (a -s/-d list expands to several). */
  private ruleAdd(q: QueuedCmd, chainName: string): void {
    const k = this.k,
      pc = q.pc,
      tr = q.trace;
    for (const rule of tr.added ?? []) {
      const c2 = k.chains.get(chainName);
      if (!c2) break;
      const nc = { ...c2, rules: c2.rules.slice() };
      if (pc.command === "R") {
        const idx = tr.removed ? nc.rules.indexOf(tr.removed) : -1;
        if (idx < 0) {
          this.reject(
            q,
            `RULE_REPLACE failed (No such file or directory): rule in chain ${pc.chain!}`,
            "ENOENT",
          );
          continue;
        }
        nc.rules[idx] = rule;
      } else if (pc.command === "I")
        nc.rules.splice(Math.min(Math.max((pc.rulenum ?? 1) - 1, 0), nc.rules.length), 0, rule);
      else nc.rules.push(rule);
      if (nc.builtin) nc.created = true;
      const trial = { name: k.name, chains: new Map(k.chains) };
      trial.chains.set(nc.name, nc);
      const err = validateTable(trial, this.r.family, new Set([rule]));
      if (err) {
        this.reject(
          q,
          `${tr.op ?? "RULE_APPEND"} failed (${ERRNO_TEXT[err.errno] ?? err.errno}): ` +
            `rule in chain ${pc.chain!}`,
          err.errno,
          err.reason,
          chainName,
        );
        // the base chain itself is still added
        if (c2.builtin && !c2.created) k.chains.set(c2.name, { ...c2, created: true });
        continue;
      }
      k.chains.set(nc.name, nc);
    }
  }

  /** -D: the rule the cache pass found, by identity. */
  private ruleDelete(q: QueuedCmd, chainName: string | undefined): void {
    const c = chainName !== undefined ? this.k.chains.get(chainName) : undefined;
    if (!c) return;
    const tr = q.trace;
    const idx = tr.removed ? c.rules.indexOf(tr.removed) : -1;
    if (idx < 0) {
      this.reject(
        q,
        `RULE_DELETE failed (No such file or directory): rule in chain ${q.pc.chain!}`,
        "ENOENT",
      );
      return;
    }
    const nc = { ...c, rules: c.rules.slice() };
    nc.rules.splice(idx, 1);
    this.k.chains.set(nc.name, nc);
  }

  /** Chain commands: rerun on the kernel state (EBUSY for -X is the kernel's). */
  private chainCommand(q: QueuedCmd, chainName: string | undefined): void {
    const { rs, fs, p, prefix } = this.r;
    const pc = q.pc,
      k = this.k,
      tn = this.tn;
    const tmp = fs.tables.get(tn);
    fs.tables.set(tn, k);
    try {
      execute(rs, chainName !== pc.chain ? { ...pc, chain: chainName! } : pc, p, q.locs[0]);
      if (pc.command === "E") this.renamed.set(pc.chain!, pc.newname!);
      // iptables-nft drops rule messages of this batch that a flush makes pointless
      if (pc.command === "F")
        this.rejected = this.rejected.filter(
          (e) => !e.ruleAdd || (chainName !== undefined && e.chain !== chainName),
        );
    } catch (thrown) {
      const e = caughtIssue(thrown);
      this.reject(
        q,
        e.message.startsWith(prefix + " ") ? e.message.slice(prefix.length + 1) : e.message,
        e.code.replace(/^iptables\./, ""),
        e.expected,
      );
    }
    const after = fs.tables.get(tn)!;
    fs.tables.set(tn, tmp!);
    for (const [name, ch] of after.chains) k.chains.set(name, ch);
    for (const name of [...k.chains.keys()]) if (!after.chains.has(name)) k.chains.delete(name);
  }
}

type QueuedCmd = Extract<Queued, { kind: "cmd" }>;

/**
 * One iptables-restore run: the loop of iptables-restore.c's ios_restore, one method per
 * line kind (`*table`, `:CHAIN`, `COMMIT`, a command line).
 */
class Restore {
  readonly progName: string;
  readonly p: Prog;
  readonly fs: ReturnType<typeof familyState>;
  readonly prefix: string;
  readonly warnings: string[] = [];
  private readonly base: SourceLoc;
  private readonly env: IptEnv | undefined;
  inTable: TableName | undefined;
  snapshot: IptTable | undefined;
  private start: IptTable | undefined;
  private queue: Queued[] = [];
  tableLine = 0;

  constructor(
    readonly rs: IptablesRuleset,
    readonly family: Family,
    readonly opts: RestoreOptions,
  ) {
    this.progName = family === 4 ? "iptables-restore" : "ip6tables-restore";
    this.p = { name: this.progName, family };
    this.fs = familyState(rs, family);
    this.base = opts.loc ?? { file: "<stdin>", line: 1, col: 1 };
    this.env = opts.env ?? rs.env;
    this.prefix = progPrefix(this.p);
  }

  locAt(ln: number, col: number): SourceLoc {
    const base = this.base;
    return { file: base.file, line: base.line + ln - 1, col: ln === 1 ? base.col + col - 1 : col };
  }

  /** A failure: the open table goes back to what it was, the result carries the issue. */
  fail(e: IptIssue, argv: string[], locs: SourceLoc[]): IptablesResult {
    if (this.inTable) {
      if (this.snapshot) this.fs.tables.set(this.inTable, this.snapshot);
      else this.fs.tables.delete(this.inTable);
    }
    return errorResult(e, this.p, argv, locs, this.warnings);
  }

  /** `progName: line N failed` with what was expected (a syntax error of the file). */
  private syntax(ln: number, raw: string, expected: string): IptablesResult {
    return this.fail(
      iptIssue(
        `${this.progName}: line ${ln} failed`,
        EXIT.OTHER,
        "iptables.restore-syntax",
        0,
        expected,
        false,
      ),
      [raw],
      [this.locAt(ln, 1)],
    );
  }

  /** One line of the input, by its kind. */
  line(ln: number, raw: string): Step {
    if (raw === "" || raw.startsWith("#")) return undefined;
    if (raw.startsWith("COMMIT")) return this.commitLine(ln, raw);
    if (raw.startsWith("*") && !this.inTable) return this.tableStart(ln, raw);
    if (raw.startsWith(":") && this.inTable) return this.chainLine(ln, raw, this.inTable);
    if (!this.inTable) return this.syntax(ln, raw, "*table first");
    return this.commandLine(ln, raw, this.inTable);
  }

  private commitLine(ln: number, raw: string): Step {
    if (!this.inTable) return this.syntax(ln, raw, "*table before COMMIT");
    const r = this.commit(ln, this.inTable);
    if (r) return r;
    this.inTable = undefined;
    this.snapshot = undefined;
    this.start = undefined;
    this.queue = [];
    return undefined;
  }

  /** `*table`: without --noflush the table starts empty. */
  private tableStart(ln: number, raw: string): Step {
    const name =
      raw
        .slice(1)
        .trim()
        .split(/[ \t]+/)[0] ?? "";
    if (!TABLES.includes(name as TableName)) {
      return this.fail(
        iptIssue(
          `${this.prefix}${this.progName}: line ${ln} table name '${name}' invalid\n` +
            `Error occurred at line: ${ln}`,
          EXIT.PARAMETER,
          "iptables.no-table",
          0,
          "filter, nat, mangle, raw or security",
        ),
        [raw],
        [this.locAt(ln, 1)],
      );
    }
    const tn = name as TableName;
    this.inTable = tn;
    this.tableLine = ln;
    this.snapshot = this.fs.tables.get(tn);
    this.start = this.opts.noflush && this.snapshot ? this.snapshot : newTable(tn);
    this.fs.tables.set(tn, cloneTable(this.start));
    return undefined;
  }

  /** `:CHAIN POLICY [p:b]`: a base chain's policy, or a user chain (created or flushed). */
  private chainLine(ln: number, raw: string, tn: TableName): Step {
    const parts = raw
      .slice(1)
      .trim()
      .split(/[ \t]+/);
    const chain = parts[0] ?? "",
      policy = parts[1];
    const lineLoc = [this.locAt(ln, 1)];
    if (chain.length >= 29)
      return this.fail(
        iptIssue(
          `${this.prefix}Invalid chain name \`${chain}' (28 chars max)\n` +
            `Error occurred at line: ${ln}`,
          EXIT.PARAMETER,
          "iptables.bad-chain-name",
          0,
        ),
        [raw],
        lineLoc,
      );
    const t0 = this.fs.tables.get(tn)!;
    const c = t0.chains.get(chain);
    if (c?.builtin) {
      if (policy === undefined) return this.syntax(ln, raw, "a policy");
      // "-" creates the base chain, keeps its policy
      this.queue.push({ kind: "policy", ln, chain, policy, raw, loc: lineLoc[0]! });
    } else {
      // a user chain (any policy word is ignored); an existing one is flushed
      const t: IptTable = { name: t0.name, chains: new Map(t0.chains) };
      t.chains.set(
        chain,
        c
          ? { ...c, rules: [] }
          : { name: chain, builtin: false, policy: "ACCEPT", created: true, rules: [] },
      );
      this.fs.tables.set(tn, t);
      this.queue.push({ kind: "userchain", chain });
    }
    return undefined;
  }

  /** A rule or command line: parsed and translated now, run at COMMIT. */
  private commandLine(ln: number, raw: string, tn: TableName): Step {
    let body = raw,
      off = 0;
    if (body.startsWith("[")) {
      const close = body.indexOf("]");
      if (close < 0)
        return this.fail(
          iptIssue(
            `${this.prefix}Bad line ${ln}: need ]\nError occurred at line: ${ln}`,
            EXIT.PARAMETER,
            "iptables.restore-syntax",
            0,
          ),
          [raw],
          [this.locAt(ln, 1)],
        );
      off = close + 1;
      body = body.slice(off);
    }
    const toks = tokenizeRestoreLine(body);
    const argv = [this.progName, ...toks.map((t) => t.word)];
    const locs = [this.locAt(ln, 1 + off), ...toks.map((t) => this.locAt(ln, t.col + off))];
    const { rs, p, env } = this;
    try {
      const pc = parseIptablesArgv(argv, {
        prog: p,
        ruleset: rs,
        restore: { table: tn },
        ...defined({ env }),
      });
      if (pc.skip) return undefined;
      for (const w of pc.warnings) this.warnings.push(w);
      if (
        pc.command === "A" ||
        pc.command === "I" ||
        pc.command === "R" ||
        pc.command === "C" ||
        pc.command === "D"
      )
        buildMatches(rs, pc, p);
      this.queue.push({ kind: "cmd", ln, pc, argv, locs, trace: {} });
      return undefined;
    } catch (thrown) {
      const e = caughtIssue(thrown);
      return this.fail(e.status === EXIT.PARAMETER ? atLine(e, ln) : e, argv, locs);
    }
  }

  /** COMMIT: cache pass, then kernel pass; returns an error result or undefined. */
  private commit(ln: number, tn: TableName): Step {
    const r = this.cachePass(ln, tn);
    if (r) return r;
    const batch = new KernelBatch(this, this.start!, tn);
    for (const q of this.queue) batch.replay(q);
    if (batch.rejected.length) {
      const first = batch.rejected[0]!;
      return this.fail(
        iptIssue(
          `${this.prefix}\n${batch.rejected.map((e) => e.text).join("\n")}`,
          EXIT.RESOURCE,
          first.code,
          0,
          first.reason,
          false,
        ),
        first.argv,
        first.locs,
      );
    }
    if (batch.exists) this.fs.tables.set(tn, batch.k);
    else this.fs.tables.delete(tn);
    return undefined;
  }

  /** Phase 2: the queued commands run against the cache (fs.tables), kernel checks skipped. */
  private cachePass(ln: number, tn: TableName): Step {
    let afterPolicy = false;
    for (const q of this.queue) {
      if (q.kind === "policy") {
        afterPolicy = true;
        const r = this.cachePolicy(q, tn);
        if (r) return r;
        continue;
      }
      if (q.kind !== "cmd") continue;
      try {
        execute(this.rs, q.pc, this.p, q.locs[0], {
          skipKernel: true,
          trace: q.trace,
          afterPolicy,
          noRename: true,
        });
        if (q.pc.command === "P") afterPolicy = true;
        else if (q.pc.command !== "Z") afterPolicy = false;
      } catch (thrown) {
        return this.cacheFailure(caughtIssue(thrown), q, ln);
      }
    }
    return undefined;
  }

  /** A queued `:CHAIN POLICY` line in the cache pass. */
  private cachePolicy(q: Extract<Queued, { kind: "policy" }>, tn: TableName): Step {
    if (q.policy !== "ACCEPT" && q.policy !== "DROP" && q.policy !== "-")
      return this.fail(
        iptIssue(
          `${this.progName}: line ${q.ln} failed: Bad policy name.`,
          EXIT.OTHER,
          "iptables.bad-policy",
          0,
          "ACCEPT or DROP",
          false,
        ),
        [q.raw],
        [q.loc],
      );
    const t = this.fs.tables.get(tn)!;
    const c = t.chains.get(q.chain)!;
    const t2: IptTable = { name: t.name, chains: new Map(t.chains) };
    t2.chains.set(q.chain, {
      ...c,
      policy: q.policy === "-" ? c.policy : q.policy,
      created: true,
    });
    this.fs.tables.set(tn, t2);
    return undefined;
  }

  /** How iptables-restore words a command that failed in the cache pass. */
  private cacheFailure(e: IptIssue, q: QueuedCmd, ln: number): IptablesResult {
    // a missing chain is reported at the COMMIT line
    if (e.code === "iptables.no-chain") return this.fail(atLine(e, ln), q.argv, q.locs);
    if (
      e.status === EXIT.OTHER &&
      e.message.startsWith(`${this.p.name.replace(/-restore$/, "")}: `)
    ) {
      const msg = e.message
        .slice(e.message.indexOf(": ") + 2)
        .replace(" Run `dmesg' for more information.", "");
      return this.fail(
        iptIssue(
          `${this.progName}: line ${q.ln} failed: ${msg}`,
          e.status,
          e.code,
          e.arg,
          e.expected,
          false,
        ),
        q.argv,
        q.locs,
      );
    }
    if (e.status === EXIT.PARAMETER) return this.fail(atLine(e, q.ln), q.argv, q.locs);
    return this.fail(e, q.argv, q.locs);
  }

  /** End of input: a table still open lacks its COMMIT. */
  end(lineCount: number): IptablesResult {
    if (this.inTable) {
      const ln = lineCount + 1;
      return this.fail(
        iptIssue(
          `${this.progName}: COMMIT expected at line ${ln}`,
          EXIT.OTHER,
          "iptables.restore-commit",
          undefined,
          "COMMIT",
          false,
        ),
        [""],
        [this.locAt(Math.max(1, this.tableLine, lineCount), 1)],
      );
    }
    const warnings = this.warnings;
    return {
      status: 0,
      stdout: "",
      stderr: warnings.map((w) => w + "\n").join(""),
      issues: [],
      warnings,
    };
  }
}

/** The issue with iptables-restore's `Error occurred at line: N` appended. */
function atLine(e: IptIssue, ln: number): IptIssue {
  return iptIssue(
    `${e.message}\nError occurred at line: ${ln}`,
    e.status,
    e.code,
    e.arg,
    e.expected,
  );
}

/**
 * Run iptables-restore on `text`. Like iptables-nft-restore it works in three phases per
 * table: each line is parsed (and translated) as it is read; at COMMIT the queued
 * commands run against its cache (missing chains, rule numbers); then the batch goes to
 * the kernel, which checks every rule (all failures are listed).
 * @example
 * runIptablesRestore(rs, "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n", 4, { noflush: true }).status
 * // 0
 */
export function runIptablesRestore(
  rs: IptablesRuleset,
  text: string,
  family: Family,
  opts: RestoreOptions = {},
): IptablesResult {
  const r = new Restore(rs, family, opts);
  const lines = text.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  for (let n = 0; n < lines.length; n++) {
    const failed = r.line(n + 1, lines[n]!);
    if (failed) return failed;
  }
  return r.end(lines.length);
}

/** iptables-restore returning only the Issues of a failure. */
export function applyIptablesRestore(
  rs: IptablesRuleset,
  text: string,
  family: Family,
  opts: RestoreOptions = {},
): Issue[] {
  return runIptablesRestore(rs, text, family, opts).issues;
}
