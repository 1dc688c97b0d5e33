/**
 * `iptables-restore` / `ip6tables-restore` input (the iptables-save format): `*table`,
 * `:CHAIN POLICY [p:b]`, rule lines, `COMMIT`; without `-n`/`--noflush` every table named
 * is replaced. Each COMMIT is atomic; an error stops the restore (earlier COMMITs stay).
 * @module
 */
import type { Family } from "../../addr/ip.js";
import type { Issue, SourceLoc } from "../../model/types.js";
import type { IptablesResult } from "./commands.js";
import { errorResult, execute, familyState, newTable, TABLES } from "./commands.js";
import { parseIptablesArgv } from "./parse.js";
import type { IptablesRuleset, IptTable, TableName } from "./types.js";
import type { IptEnv, Prog } from "./util.js";
import { EXIT, IptError, progPrefix } from "./util.js";

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
  let cur = "", start = -1, quote = false, esc = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (esc) { cur += ch; esc = false; continue; }
      if (ch === "\\") { esc = true; continue; }
      if (ch === '"') { quote = false; continue; }
      cur += ch; continue;
    }
    if (ch === '"') { quote = true; if (start < 0) start = i; continue; }
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      if (cur.length || start >= 0) { out.push({ word: cur, col: start + 1 }); cur = ""; start = -1; }
      continue;
    }
    if (start < 0) start = i;
    cur += ch;
  }
  if (cur.length || start >= 0) out.push({ word: cur, col: start + 1 });
  return out;
}

/**
 * Run iptables-restore on `text`.
 * @example runIptablesRestore(rs, "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n", 4, { noflush: true }).status // 0
 */
export function runIptablesRestore(rs: IptablesRuleset, text: string, family: Family, opts: RestoreOptions = {}): IptablesResult {
  const progName = family === 4 ? "iptables-restore" : "ip6tables-restore";
  const p: Prog = { name: progName, family };
  const fs = familyState(rs, family);
  const base = opts.loc ?? { file: "<stdin>", line: 1, col: 1 };
  const lines = text.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  let inTable: TableName | undefined;
  let snapshot: IptTable | undefined;
  let tableLine = 0;
  const warnings: string[] = [];
  const locAt = (ln: number, col: number): SourceLoc => ({ file: base.file, line: base.line + ln - 1, col: ln === 1 ? base.col + col - 1 : col });
  const fail = (e: IptError, ln: number, argv: string[], locs: SourceLoc[]): IptablesResult => {
    if (inTable) { if (snapshot) fs.tables.set(inTable, snapshot); else fs.tables.delete(inTable); }
    return errorResult(e, p, argv, locs, warnings);
  };
  for (let n = 0; n < lines.length; n++) {
    const ln = n + 1;
    const raw = lines[n]!;
    const lineLoc = [locAt(ln, 1)];
    if (raw === "" || raw.startsWith("#")) continue;
    if (raw.startsWith("COMMIT")) {
      if (!inTable) return fail(new IptError(`${progName}: line ${ln} failed`, EXIT.OTHER, "iptables.restore-syntax", 0, "*table before COMMIT", false), ln, [raw], lineLoc);
      const t = fs.tables.get(inTable);
      for (const c of t?.chains.values() ?? []) {
        for (const r of c.rules) {
          if ((r.target.kind === "jump" || r.target.kind === "goto") && !t!.chains.has(r.target.chain)) {
            const e = new IptError(`${progPrefix(p)}Chain '${r.target.chain}' does not exist\nError occurred at line: ${ln}`, EXIT.PARAMETER, "iptables.no-chain", 0, "an existing chain of this table");
            return fail(e, ln, [raw], r.loc ? [r.loc] : lineLoc);
          }
        }
      }
      inTable = undefined; snapshot = undefined;
      continue;
    }
    if (raw.startsWith("*") && !inTable) {
      const name = raw.slice(1).trim().split(/[ \t]+/)[0] ?? "";
      if (!TABLES.includes(name as TableName)) {
        return fail(new IptError(`${progPrefix(p)}${progName}: line ${ln} table name '${name}' invalid\nError occurred at line: ${ln}`, EXIT.PARAMETER, "iptables.no-table", 0, "filter, nat, mangle, raw or security"), ln, [raw], lineLoc);
      }
      inTable = name as TableName; tableLine = ln;
      snapshot = fs.tables.get(inTable);
      if (!opts.noflush || !snapshot) fs.tables.set(inTable, opts.noflush && snapshot ? snapshot : newTable(inTable));
      continue;
    }
    if (raw.startsWith(":") && inTable) {
      const parts = raw.slice(1).trim().split(/[ \t]+/);
      const chain = parts[0] ?? "", policy = parts[1];
      if (chain.length >= 29) return fail(new IptError(`${progPrefix(p)}Invalid chain name \`${chain}' (28 chars max)\nError occurred at line: ${ln}`, EXIT.PARAMETER, "iptables.bad-chain-name", 0), ln, [raw], lineLoc);
      const t0 = fs.tables.get(inTable)!;
      const t: IptTable = { name: t0.name, chains: new Map(t0.chains) };
      const c = t.chains.get(chain);
      if (c?.builtin) {
        if (policy === undefined) return fail(new IptError(`${progName}: line ${ln} failed`, EXIT.OTHER, "iptables.restore-syntax", 0, "a policy", false), ln, [raw], lineLoc);
        if (policy !== "-") {
          if (policy !== "ACCEPT" && policy !== "DROP") return fail(new IptError(`${progName}: line ${ln} failed: Bad policy name.`, EXIT.OTHER, "iptables.bad-policy", 0, "ACCEPT or DROP", false), ln, [raw], lineLoc);
          t.chains.set(chain, { ...c, policy, created: true });
        }
      } else if (policy === "-" || policy === undefined) {
        if (c) t.chains.set(chain, { ...c, rules: [] });
        else t.chains.set(chain, { name: chain, builtin: false, policy: "ACCEPT", created: true, rules: [] });
      }
      fs.tables.set(inTable, t);
      continue;
    }
    if (!inTable) return fail(new IptError(`${progName}: line ${ln} failed`, EXIT.OTHER, "iptables.restore-syntax", 0, "*table first", false), ln, [raw], lineLoc);
    // rule / command line
    let body = raw, off = 0;
    if (body.startsWith("[")) {
      const close = body.indexOf("]");
      if (close < 0) return fail(new IptError(`${progPrefix(p)}Bad line ${ln}: need ]\nError occurred at line: ${ln}`, EXIT.PARAMETER, "iptables.restore-syntax", 0), ln, [raw], lineLoc);
      off = close + 1; body = body.slice(off);
    }
    const toks = tokenizeRestoreLine(body);
    const argv = [progName, ...toks.map((t) => t.word)];
    const locs = [locAt(ln, 1 + off), ...toks.map((t) => locAt(ln, t.col + off))];
    try {
      const pc = parseIptablesArgv(argv, { prog: p, ruleset: rs, restore: { table: inTable }, ...(opts.env ?? rs.env ? { env: (opts.env ?? rs.env)! } : {}) });
      if (pc.skip) continue;
      warnings.push(...pc.warnings);
      execute(rs, pc, p, locs[0], true);
    } catch (e) {
      if (!(e instanceof IptError)) throw e;
      let err = e;
      if (e.status === EXIT.PARAMETER && e.message.startsWith(progPrefix(p))) {
        err = new IptError(`${e.message}\nError occurred at line: ${ln}`, e.status, e.code, e.arg, e.expected);
      } else if (e.status === EXIT.PARAMETER) {
        err = new IptError(`${e.message}\nError occurred at line: ${ln}`, e.status, e.code, e.arg, e.expected);
      } else if (e.status === EXIT.RESOURCE && e.message.startsWith(progPrefix(p) + " ")) {
        err = new IptError(`${progPrefix(p)}\nline ${ln}: ${e.message.slice(progPrefix(p).length + 1)}`, e.status, e.code, e.arg, e.expected, false);
      } else if (e.status === EXIT.OTHER && e.message.startsWith(`${p.name.replace(/-restore$/, "")}: `)) {
        err = new IptError(`${progName}: line ${ln} failed: ${e.message.slice(e.message.indexOf(": ") + 2)}`, e.status, e.code, e.arg, e.expected, false);
      }
      return fail(err, ln, argv, locs);
    }
  }
  if (inTable) {
    const ln = lines.length + 1;
    return fail(new IptError(`${progName}: COMMIT expected at line ${ln}`, EXIT.OTHER, "iptables.restore-commit", undefined, "COMMIT", false), tableLine, [""], [locAt(Math.max(1, lines.length), 1)]);
  }
  return { status: 0, stdout: "", stderr: warnings.map((w) => w + "\n").join(""), issues: [], warnings };
}

/** iptables-restore returning only the Issues of a failure. */
export function applyIptablesRestore(rs: IptablesRuleset, text: string, family: Family, opts: RestoreOptions = {}): Issue[] {
  return runIptablesRestore(rs, text, family, opts).issues;
}
