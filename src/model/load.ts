/**
 * Building a host from what users have: setup scripts (`ip`, `sysctl`, recorded
 * netfilter commands, `ip -batch` files and here-documents) and dumps (detected from the
 * content). Each script line is parsed, then applied with the kernel's checks; a line the
 * kernel would refuse is reported as the shell would see it and the script goes on
 * (unless it ran `set -e`), so the host ends as the real one would.
 * @module
 */
import type { Family } from "../addr/ip.js";
import { isErr, type IpError } from "../parse/args.js";
import { detectDumpFormat } from "./dump/index.js";
import { detectNetfilterFormat } from "./dump/netfilter.js";
import { isCapture, parseCapture } from "./capture.js";
import { loadCapture } from "./capture-load.js";
import { loadNetfilterDump } from "./load-netfilter.js";
import { loadIpDump, noteLoaded } from "./partial.js";
import { parseIpArgv, type IpCommand } from "../parse/ipcmd.js";
import { expandScript, type Word } from "../parse/shell.js";
import { parseIpOptions } from "../parse/options.js";
import { applyIpCommand } from "./ops/index.js";
import { runBatchChunks, runBatchText, type LoadProgress } from "./batch-load.js";
import { setSysctl } from "./sysctl.js";
import { runNetfilterCommand } from "./netfilter.js";
import type { Issue } from "../core/issue.js";
import type { SourceLoc } from "../core/loc.js";
import type { HostState } from "./types.js";
import { detectToolFile, loadToolFile, TOOLS } from "./tools/index.js";

/** A problem found while loading, with its severity. */
export interface LoadIssue extends Issue {
  severity: "error" | "warning";
}

/** Tools whose commands are recorded as written (netfilter: later work models them). */
export const RECORDED_TOOLS = new Set([
  "iptables",
  "ip6tables",
  "iptables-restore",
  "ip6tables-restore",
  "iptables-legacy",
  "ip6tables-legacy",
  "iptables-nft",
  "ip6tables-nft",
  "iptables-restore-nft",
  "nft",
  "ipset",
]);
/** Commands that do not change routing state. */
const NO_EFFECT = new Set([
  "echo",
  "true",
  ":",
  "printf",
  "sleep",
  "modprobe",
  "set",
  "logger",
  "wait",
  "exit",
]);

/** iproute2 makeargs: split a batch line into words (quotes, `#` comments). */
export function batchWords(line: string, loc: SourceLoc): Word[] {
  const out: Word[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length || line[i] === "#") break;
    const col = i;
    let t = "";
    if (line[i] === '"' || line[i] === "'") {
      const q = line[i++]!;
      while (i < line.length && line[i] !== q) t += line[i++]!;
      i++;
    } else while (i < line.length && !/\s/.test(line[i]!)) t += line[i++]!;
    out.push({ text: t, loc: { ...loc, col: loc.col + col } });
  }
  return out;
}

/** Options for loading. */
export interface LoadOptions {
  /**
   * Read a file named by `ip -batch FILE` or `nft -f FILE` (the CLI passes a reader; the
   * browser none).
   */
  readFile?: (path: string) => string | undefined;
  /** Progress of long loads (big `ip -batch` files, big dumps). */
  progress?: LoadProgress;
  /**
   * Read a big file in pieces (`ip -batch FILE`): the chunks and the size; undefined to use
   * readFile.
   */
  readChunks?: (path: string) => { chunks: Iterable<string>; size: number } | undefined;
  /** The family a dump is asked to be read as (`--load -6:FILE`). */
  family?: Family;
  /** `family table` of every iptables-save input of this load (iptables-nft's nft tables). */
  iptablesTables?: readonly string[];
}

/**
 * Load one input (script or dump) into a host.
 * @example loadText(state, "ip rule add fwmark 129 lookup 129\n", "clash.sh")
 */
export function loadText(
  s: HostState,
  text: string,
  file: string,
  opts: LoadOptions = {},
): LoadIssue[] {
  if (isCapture(text)) {
    const c = parseCapture(text, file);
    noteLoaded(s, "capture");
    return c.ok ? loadCapture(s, c.value, file, opts) : [{ ...c.error, severity: "error" }];
  }
  const nf = detectNetfilterFormat(text);
  if (nf) return loadNetfilterDump(s, text, file, nf, opts);
  const fmt = detectDumpFormat(text);
  if (fmt) return loadIpDump(s, text, file, fmt, opts.family);
  noteLoaded(s, "script");
  // Tool files (wg-quick configuration or `wg-quick up` transcript): model/tools.
  const tool = detectToolFile(text);
  if (tool) return loadToolFile(s, tool, text, file, toolRunner(s, opts)).map(asLoadIssue);
  return loadScript(s, text, file, opts);
}

/** Run a script's commands against the host. */
export function loadScript(
  s: HostState,
  text: string,
  file: string,
  opts: LoadOptions = {},
): LoadIssue[] {
  const out: LoadIssue[] = [];
  const { commands, issues } = expandScript(text, file);
  for (const i of issues) out.push({ ...i, severity: "error" });
  let errexit = false;
  // Exit status of the last command that ran: `a && b` runs b only if a succeeded, `a || b`
  // only if it failed.
  let lastOk = true;
  for (let ci = 0; ci < commands.length; ci++) {
    const c = commands[ci]!;
    if ((c.cond === "and" && !lastOk) || (c.cond === "or" && lastOk)) continue;
    const w0 = c.words[0]!;
    let name = w0.text.replace(/^.*\//, "");
    let words = c.words;
    if (name === "sudo" || name === "exec" || name === "command") {
      words = words.slice(1);
      name = words[0]?.text.replace(/^.*\//, "") ?? "";
      if (!words.length) continue;
    }
    if (name === "set") {
      if (words.some((w) => /^-[a-z]*e[a-z]*$/.test(w.text))) errexit = true;
      lastOk = true;
      continue;
    }
    if (name === "false") {
      lastOk = false;
      continue;
    }
    if (name === "exit") break;
    if (NO_EFFECT.has(name)) {
      lastOk = true;
      continue;
    }
    let failed = false;
    // A failure the script handles itself (`cmd || fallback`) is not worth a warning.
    const handled = commands[ci + 1]?.cond === "or";
    const mark = out.length;
    if (name === "ip") {
      const r = runIpLine(s, words.slice(1), c.loc, c.heredoc, opts);
      for (const e of r) {
        out.push(e);
        if (e.severity === "error" || e.code.startsWith("rtnl")) failed = true;
      }
    } else if (name === "sysctl") {
      const r = runSysctl(s, words.slice(1), c.loc);
      for (const e of r) {
        out.push(e);
        failed = true;
      }
    } else if (TOOLS.has(name)) {
      const ctx = {
        loc: c.loc,
        readFile: opts.readFile,
        ...(c.heredoc ? { heredoc: c.heredoc } : {}),
      };
      const r = TOOLS.get(name)!(s, words.slice(1), ctx);
      out.push(...r.issues.map(asLoadIssue));
      failed = r.status !== 0;
    } else if (RECORDED_TOOLS.has(name)) {
      const rec = {
        argv: words.map((w) => w.text),
        locs: words.map((w) => w.loc),
        loc: c.loc,
        tool: name,
        ...(c.heredoc ? { stdin: c.heredoc } : {}),
      };
      s.netfilter.push(rec);
      const r = runNetfilterCommand(s, rec, opts.readFile);
      out.push(...r.issues);
      failed = r.status !== 0;
    } else {
      out.push({
        code: "load.unknown-command",
        message: `${name}: command not modelled by routelab`,
        loc: w0.loc,
        token: name,
        expected: "ip, sysctl, iptables, ip6tables, iptables-restore, nft or ipset",
        severity: "error",
      });
      failed = true;
    }
    if (handled)
      for (let k = out.length - 1; k >= mark; k--)
        if (out[k]!.severity === "warning") out.splice(k, 1);
    lastOk = !failed;
    // set -e: a failure ends the script unless it is part of an && / || list.
    if (failed && errexit && !c.cond && !commands[ci + 1]?.cond) break;
  }
  return out;
}

/** An issue of model/tools with the loader's severity (error unless it says warning). */
function asLoadIssue(i: Issue): LoadIssue {
  return { ...i, severity: i.severity === "warning" ? "warning" : "error" };
}

/** The runner tool files use for hooks and generated commands: this loader, file by file. */
function toolRunner(s: HostState, opts: LoadOptions) {
  return (text: string, loc: SourceLoc) => {
    const issues = loadScript(s, text, loc.file, opts).map((i) =>
      i.loc && i.loc.file === loc.file
        ? { ...i, loc: { ...i.loc, line: loc.line + i.loc.line - 1 } }
        : i,
    );
    const failed = issues.some((i) => i.severity === "error" || i.code.startsWith("rtnl"));
    return { issues, ok: !failed };
  };
}

function ipErrorToIssue(e: IpError): LoadIssue {
  // Errors the kernel returns are runtime failures of that line; usage errors are input errors.
  const kernel = e.code.startsWith("rtnl") || e.code === "ip.no-device" || e.exit === 0;
  return {
    code: e.code,
    message: e.message.trimEnd(),
    ...(e.loc ? { loc: e.loc } : {}),
    ...(e.token !== undefined ? { token: e.token } : {}),
    ...(e.expected ? { expected: e.expected } : {}),
    severity: kernel ? "warning" : "error",
  };
}

/** Execute the words after `ip` on a host (mutating commands only; shows are no-ops here). */
export function runIpLine(
  s: HostState,
  words: Word[],
  loc: SourceLoc,
  heredoc: { text: string; loc: SourceLoc } | undefined,
  lo: LoadOptions,
): LoadIssue[] {
  const { opts, next, error } = parseIpOptions(words, 0);
  if (error) return [ipErrorToIssue(error)];
  if (opts.batch !== undefined) {
    let text: string | undefined;
    let file = opts.batch;
    let base: SourceLoc = { file, line: 1, col: 1 };
    const general = (line: string, lineLoc: SourceLoc): LoadIssue[] => {
      const ws = batchWords(line, lineLoc);
      return ws.length ? runIpLine(s, ws, lineLoc, undefined, lo).map((e) => ({ ...e })) : [];
    };
    if (opts.batch === "-") {
      text = heredoc?.text;
      file = loc.file;
      base = heredoc?.loc ?? loc;
    } else {
      // A big batch file is read in chunks, never whole (the CLI passes a chunk reader).
      const big = lo.readChunks?.(opts.batch);
      if (big)
        return runBatchChunks(
          s,
          big.chunks,
          file,
          1,
          general,
          ipErrorToIssue,
          lo.progress,
          big.size,
        );
      text = lo.readFile?.(opts.batch);
    }
    if (text === undefined)
      return [
        {
          code: "load.batch-file",
          message: `Cannot open file "${opts.batch}" for reading: No such file or directory`,
          loc,
          token: opts.batch,
          expected: "a readable batch file (or -batch - with a here-document)",
          severity: "error",
        },
      ];
    // Common route lines (full tables) take a fast reader; every other line the general path.
    return runBatchText(s, text, file, base.line, general, ipErrorToIssue, lo.progress);
  }
  const end: SourceLoc = words.length
    ? {
        ...words[words.length - 1]!.loc,
        col: words[words.length - 1]!.loc.col + words[words.length - 1]!.text.length,
      }
    : loc;
  const p = parseIpArgv(words.slice(next), opts, s.tableNames, end);
  if (!p.ok) return [ipErrorToIssue(p.error)];
  const e = applyIpCommand(s, p.cmd as IpCommand, { loc: words[0]?.loc ?? loc, words });
  return e ? [ipErrorToIssue(e)] : [];
}

function runSysctl(s: HostState, words: Word[], loc: SourceLoc): LoadIssue[] {
  const out: LoadIssue[] = [];
  for (const w of words) {
    if (/^-[wqe]+$/.test(w.text)) continue;
    if (w.text.startsWith("-")) {
      out.push({
        code: "sysctl.option",
        message: `sysctl: option "${w.text}" is not modelled`,
        loc: w.loc,
        token: w.text,
        expected: "-w, -q or KEY=VALUE",
        severity: "error",
      });
      continue;
    }
    const m = /^([^=\s]+)\s*=\s*(.*)$/.exec(w.text);
    if (!m) {
      out.push({
        code: "sysctl.read",
        message: `sysctl: reading "${w.text}" has no effect on the host`,
        loc: w.loc,
        token: w.text,
        expected: "KEY=VALUE",
        severity: "warning",
      });
      continue;
    }
    const err = setSysctl(s, m[1]!, m[2]!.trim());
    if (err)
      out.push({
        code: "sysctl.unknown-key",
        message: err,
        loc: w.loc,
        token: m[1]!,
        expected: "a sysctl that exists on this host",
        severity: "warning",
      });
  }
  void loc;
  return out;
}

/** The family an `ip` line would default to (for callers that print). */
export function defaultFamily(f: Family | undefined): Family {
  return f ?? 4;
}
export { isErr };
