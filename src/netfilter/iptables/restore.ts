/**
 * `iptables-restore` / `ip6tables-restore` input (the iptables-save format): `*table`,
 * `:CHAIN POLICY [p:b]`, rule lines, `COMMIT`; without `-n`/`--noflush` every table named
 * is replaced. Each COMMIT is atomic; an error stops the restore (earlier COMMITs stay).
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
  const progName = family === 4 ? "iptables-restore" : "ip6tables-restore";
  const p: Prog = { name: progName, family };
  const fs = familyState(rs, family);
  const base = opts.loc ?? { file: "<stdin>", line: 1, col: 1 };
  const env = opts.env ?? rs.env;
  const lines = text.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  let inTable: TableName | undefined;
  let snapshot: IptTable | undefined;
  let start: IptTable | undefined;
  let queue: Queued[] = [];
  let tableLine = 0;
  const warnings: string[] = [];
  const locAt = (ln: number, col: number): SourceLoc => ({
    file: base.file,
    line: base.line + ln - 1,
    col: ln === 1 ? base.col + col - 1 : col,
  });
  const fail = (e: IptIssue, argv: string[], locs: SourceLoc[]): IptablesResult => {
    if (inTable) {
      if (snapshot) fs.tables.set(inTable, snapshot);
      else fs.tables.delete(inTable);
    }
    return errorResult(e, p, argv, locs, warnings);
  };
  const prefix = progPrefix(p);

  /** COMMIT: cache pass, then kernel pass; returns an error result or undefined. */
  const commit = (ln: number): IptablesResult | undefined => {
    const tn = inTable!;
    // phase 2: the cache (fs.tables holds it), kernel checks skipped
    let afterPolicy = false;
    for (const q of queue) {
      if (q.kind === "policy") {
        afterPolicy = true;
        if (q.policy !== "ACCEPT" && q.policy !== "DROP" && q.policy !== "-")
          return fail(
            iptIssue(
              `${progName}: line ${q.ln} failed: Bad policy name.`,
              EXIT.OTHER,
              "iptables.bad-policy",
              0,
              "ACCEPT or DROP",
              false,
            ),
            [q.raw],
            [q.loc],
          );
        const t = fs.tables.get(tn)!;
        const c = t.chains.get(q.chain)!;
        const t2: IptTable = { name: t.name, chains: new Map(t.chains) };
        t2.chains.set(q.chain, {
          ...c,
          policy: q.policy === "-" ? c.policy : q.policy,
          created: true,
        });
        fs.tables.set(tn, t2);
        continue;
      }
      if (q.kind !== "cmd") continue;
      try {
        execute(rs, q.pc, p, q.locs[0], {
          skipKernel: true,
          trace: q.trace,
          afterPolicy,
          noRename: true,
        });
        if (q.pc.command === "P") afterPolicy = true;
        else if (q.pc.command !== "Z") afterPolicy = false;
      } catch (thrown) {
        const e = caughtIssue(thrown);
        if (e.code === "iptables.no-chain")
          return fail(
            iptIssue(
              `${e.message}\nError occurred at line: ${ln}`,
              e.status,
              e.code,
              e.arg,
              e.expected,
            ),
            q.argv,
            q.locs,
          );
        if (
          e.status === EXIT.OTHER &&
          e.message.startsWith(`${p.name.replace(/-restore$/, "")}: `)
        ) {
          const msg = e.message
            .slice(e.message.indexOf(": ") + 2)
            .replace(" Run `dmesg' for more information.", "");
          return fail(
            iptIssue(
              `${progName}: line ${q.ln} failed: ${msg}`,
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
        if (e.status === EXIT.PARAMETER)
          return fail(
            iptIssue(
              `${e.message}\nError occurred at line: ${q.ln}`,
              e.status,
              e.code,
              e.arg,
              e.expected,
            ),
            q.argv,
            q.locs,
          );
        return fail(e, q.argv, q.locs);
      }
    }
    // phase 3: the kernel replays the batch in order; a rejected message leaves its rule out
    const k = cloneTable(start!);
    // a flushed (deleted) or absent table exists again only once something creates it
    let exists = !!(opts.noflush && snapshot);
    const declared = new Set<string>(); // ':' lines (re)create the chain inside the batch
    // later messages still name a renamed chain by its old name
    const renamed = new Map<string, string>();
    interface Rejected {
      text: string;
      chain?: string;
      ruleAdd: boolean;
      argv: string[];
      locs: SourceLoc[];
      code: IssueCode;
      reason?: string;
    }
    let rejected: Rejected[] = [];
    const reject = (
      q: Extract<Queued, { kind: "cmd" }>,
      msg: string,
      errno: string,
      reason?: string,
      chain?: string,
    ) => {
      rejected.push({
        text: `line ${q.ln}: ${msg}`,
        ruleAdd: chain !== undefined,
        ...(chain !== undefined ? { chain } : {}),
        argv: q.argv,
        locs: q.locs,
        code: `iptables.${errno}`,
        ...(reason ? { reason } : {}),
      });
    };
    for (const q of queue) {
      if (q.kind !== "cmd") exists = true;
      else if (
        ["A", "I", "R", "N", "P"].includes(q.pc.command) ||
        (q.pc.command === "F" && q.pc.chain !== undefined)
      )
        exists = true;
      if (q.kind === "userchain") declared.add(q.chain);
      if (q.kind === "userchain") {
        const c = k.chains.get(q.chain);
        k.chains.set(
          q.chain,
          c
            ? { ...c, rules: [] }
            : { name: q.chain, builtin: false, policy: "ACCEPT", created: true, rules: [] },
        );
        continue;
      }
      if (q.kind === "policy") {
        const c = k.chains.get(q.chain)!;
        k.chains.set(q.chain, {
          ...c,
          policy: q.policy === "-" ? c.policy : (q.policy as "ACCEPT" | "DROP"),
          created: true,
        });
        continue;
      }
      const pc = q.pc,
        tr = q.trace;
      const chainName = pc.chain !== undefined ? (renamed.get(pc.chain) ?? pc.chain) : undefined;
      const c = chainName !== undefined ? k.chains.get(chainName) : undefined;
      if (pc.command === "A" || pc.command === "I" || pc.command === "R") {
        // one batch message per rule (a -s/-d list expands to several)
        for (const rule of tr.added ?? []) {
          const c2 = k.chains.get(chainName!);
          if (!c2) break;
          const nc = { ...c2, rules: c2.rules.slice() };
          if (pc.command === "R") {
            const idx = tr.removed ? nc.rules.indexOf(tr.removed) : -1;
            if (idx < 0) {
              reject(
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
          const err = validateTable(trial, family, new Set([rule]));
          if (err) {
            reject(
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
      } else if (pc.command === "D" || pc.command === "DN") {
        if (!c) continue;
        const idx = tr.removed ? c.rules.indexOf(tr.removed) : -1;
        if (idx < 0) {
          reject(
            q,
            `RULE_DELETE failed (No such file or directory): rule in chain ${pc.chain!}`,
            "ENOENT",
          );
          continue;
        }
        const nc = { ...c, rules: c.rules.slice() };
        nc.rules.splice(idx, 1);
        k.chains.set(nc.name, nc);
      } else if (pc.command === "E" && (!start!.chains.has(pc.chain!) || declared.has(pc.chain!))) {
        // nf_tables cannot rename a chain created in the same batch
        reject(
          q,
          `CHAIN_RENAME failed (No such file or directory): chain ${pc.newname!}`,
          "ENOENT",
          "a chain that existed before this COMMIT block",
        );
      } else if (pc.command !== "C" && pc.command !== "S" && pc.command !== "L") {
        // chain commands: rerun on the kernel state (EBUSY for -X is the kernel's)
        const tmp = fs.tables.get(tn);
        fs.tables.set(tn, k);
        try {
          execute(rs, chainName !== pc.chain ? { ...pc, chain: chainName! } : pc, p, q.locs[0]);
          if (pc.command === "E") renamed.set(pc.chain!, pc.newname!);
          // iptables-nft drops rule messages of this batch that a flush makes pointless
          if (pc.command === "F")
            rejected = rejected.filter(
              (e) => !e.ruleAdd || (chainName !== undefined && e.chain !== chainName),
            );
        } catch (thrown) {
          const e = caughtIssue(thrown);
          reject(
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
    if (rejected.length) {
      const first = rejected[0]!;
      return fail(
        iptIssue(
          `${prefix}\n${rejected.map((e) => e.text).join("\n")}`,
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
    if (exists) fs.tables.set(tn, k);
    else fs.tables.delete(tn);
    return undefined;
  };

  for (let n = 0; n < lines.length; n++) {
    const ln = n + 1;
    const raw = lines[n]!;
    const lineLoc = [locAt(ln, 1)];
    if (raw === "" || raw.startsWith("#")) continue;
    if (raw.startsWith("COMMIT")) {
      if (!inTable)
        return fail(
          iptIssue(
            `${progName}: line ${ln} failed`,
            EXIT.OTHER,
            "iptables.restore-syntax",
            0,
            "*table before COMMIT",
            false,
          ),
          [raw],
          lineLoc,
        );
      const r = commit(ln);
      if (r) return r;
      inTable = undefined;
      snapshot = undefined;
      start = undefined;
      queue = [];
      continue;
    }
    if (raw.startsWith("*") && !inTable) {
      const name =
        raw
          .slice(1)
          .trim()
          .split(/[ \t]+/)[0] ?? "";
      if (!TABLES.includes(name as TableName)) {
        return fail(
          iptIssue(
            `${prefix}${progName}: line ${ln} table name '${name}' invalid\n` +
              `Error occurred at line: ${ln}`,
            EXIT.PARAMETER,
            "iptables.no-table",
            0,
            "filter, nat, mangle, raw or security",
          ),
          [raw],
          lineLoc,
        );
      }
      inTable = name as TableName;
      tableLine = ln;
      snapshot = fs.tables.get(inTable);
      start = opts.noflush && snapshot ? snapshot : newTable(inTable);
      fs.tables.set(inTable, cloneTable(start));
      continue;
    }
    if (raw.startsWith(":") && inTable) {
      const parts = raw
        .slice(1)
        .trim()
        .split(/[ \t]+/);
      const chain = parts[0] ?? "",
        policy = parts[1];
      if (chain.length >= 29)
        return fail(
          iptIssue(
            `${prefix}Invalid chain name \`${chain}' (28 chars max)\nError occurred at line: ${ln}`,
            EXIT.PARAMETER,
            "iptables.bad-chain-name",
            0,
          ),
          [raw],
          lineLoc,
        );
      const t0 = fs.tables.get(inTable)!;
      const c = t0.chains.get(chain);
      if (c?.builtin) {
        if (policy === undefined)
          return fail(
            iptIssue(
              `${progName}: line ${ln} failed`,
              EXIT.OTHER,
              "iptables.restore-syntax",
              0,
              "a policy",
              false,
            ),
            [raw],
            lineLoc,
          );
        // "-" creates the base chain, keeps its policy
        queue.push({ kind: "policy", ln, chain, policy, raw, loc: lineLoc[0]! });
      } else {
        // a user chain (any policy word is ignored); an existing one is flushed
        const t: IptTable = { name: t0.name, chains: new Map(t0.chains) };
        t.chains.set(
          chain,
          c
            ? { ...c, rules: [] }
            : { name: chain, builtin: false, policy: "ACCEPT", created: true, rules: [] },
        );
        fs.tables.set(inTable, t);
        queue.push({ kind: "userchain", chain });
      }
      continue;
    }
    if (!inTable)
      return fail(
        iptIssue(
          `${progName}: line ${ln} failed`,
          EXIT.OTHER,
          "iptables.restore-syntax",
          0,
          "*table first",
          false,
        ),
        [raw],
        lineLoc,
      );
    // rule / command line: parsed and translated now, run at COMMIT
    let body = raw,
      off = 0;
    if (body.startsWith("[")) {
      const close = body.indexOf("]");
      if (close < 0)
        return fail(
          iptIssue(
            `${prefix}Bad line ${ln}: need ]\nError occurred at line: ${ln}`,
            EXIT.PARAMETER,
            "iptables.restore-syntax",
            0,
          ),
          [raw],
          lineLoc,
        );
      off = close + 1;
      body = body.slice(off);
    }
    const toks = tokenizeRestoreLine(body);
    const argv = [progName, ...toks.map((t) => t.word)];
    const locs = [locAt(ln, 1 + off), ...toks.map((t) => locAt(ln, t.col + off))];
    try {
      const pc = parseIptablesArgv(argv, {
        prog: p,
        ruleset: rs,
        restore: { table: inTable },
        ...(env ? { env } : {}),
      });
      if (pc.skip) continue;
      for (const w of pc.warnings) warnings.push(w);
      if (
        pc.command === "A" ||
        pc.command === "I" ||
        pc.command === "R" ||
        pc.command === "C" ||
        pc.command === "D"
      )
        buildMatches(rs, pc, p);
      queue.push({ kind: "cmd", ln, pc, argv, locs, trace: {} });
    } catch (thrown) {
      const e = caughtIssue(thrown);
      return fail(
        e.status === EXIT.PARAMETER
          ? iptIssue(
              `${e.message}\nError occurred at line: ${ln}`,
              e.status,
              e.code,
              e.arg,
              e.expected,
            )
          : e,
        argv,
        locs,
      );
    }
  }
  if (inTable) {
    const ln = lines.length + 1;
    return fail(
      iptIssue(
        `${progName}: COMMIT expected at line ${ln}`,
        EXIT.OTHER,
        "iptables.restore-commit",
        undefined,
        "COMMIT",
        false,
      ),
      [""],
      [locAt(Math.max(1, tableLine, lines.length), 1)],
    );
  }
  return {
    status: 0,
    stdout: "",
    stderr: warnings.map((w) => w + "\n").join(""),
    issues: [],
    warnings,
  };
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
