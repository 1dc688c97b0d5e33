/**
 * One `ip` command line run against the host (script lines, `ip -batch` files and
 * here-documents), with the loader's issue type and options.
 * @module
 */
import type { Family } from "../addr/ip.js";
import type { IpError } from "../parse/args.js";
import { parseIpArgv, type IpCommand } from "../parse/ipcmd.js";
import { parseIpOptions } from "../parse/options.js";
import type { Field as Word } from "../parse/sh/expand.js";
import { applyIpCommand } from "./ops/index.js";
import { runBatchChunks, type LoadProgress } from "./batch-load.js";
import type { Issue } from "../core/issue.js";
import type { SourceLoc } from "../core/loc.js";
import type { HostState } from "./types.js";

/** A problem found while loading, with its severity. */
export interface LoadIssue extends Issue {
  /** `info`: a refusal the script silenced (`2>/dev/null`), kept for the record. */
  severity: "error" | "warning" | "info";
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
  /**
   * List a directory (nft `include` globs, scripts' globs, `[ -d ]`, `run-parts --list`):
   * entry names, `/` after subdirectories.
   */
  readDir?: (path: string) => readonly string[] | undefined;
  /** What `uname` answers in scripts (the kernel release…); a field left out is assumed. */
  uname?: Readonly<Partial<Record<"nodename" | "release" | "version" | "machine", string>>>;
  /** Progress of long loads (big `ip -batch` files, big dumps). */
  progress?: LoadProgress;
  /** Why `readFile(path)` failed (strerror words); default "No such file or directory". */
  readError?: (path: string) => string | undefined;
  /**
   * Read a big file in pieces (`ip -batch FILE`): the chunks and the size; undefined to use
   * readFile.
   */
  readChunks?: (path: string) => { chunks: Iterable<string>; size: number } | undefined;
  /** The family a dump is asked to be read as (`--load -6:FILE`). */
  family?: Family;
  /** `family table` of every iptables-save input of this load (iptables-nft's nft tables). */
  iptablesTables?: readonly string[];
  /**
   * Print a listing a script reads (`$(ip -4 route show default)`, `ip route show | grep …`):
   * the words after `ip`, answered as the CLI would. The printers sit above this layer, so
   * the host passes them in; without it the output is empty, with one warning.
   */
  show?: (s: HostState, words: readonly Word[], end: SourceLoc) => ShowResult;
}

/** What a {@link LoadOptions.show} listing printed and its exit status. */
export interface ShowResult {
  stdout: string;
  stderr: string;
  status: number;
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
  if (opts.batch !== undefined)
    return runIpBatch(s, opts.batch, opts.force === true, loc, heredoc, lo);
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

/**
 * `ip -batch FILE` / `ip -batch -` with a here-document (iproute2 do_batch): each line a
 * command, `-force` going on after an error.
 */
function runIpBatch(
  s: HostState,
  batch: string,
  force: boolean,
  loc: SourceLoc,
  heredoc: { text: string; loc: SourceLoc } | undefined,
  lo: LoadOptions,
): LoadIssue[] {
  let text: string | undefined;
  let file = batch;
  let base: SourceLoc = { file, line: 1, col: 1 };
  const general = (line: string, lineLoc: SourceLoc) => batchLine(s, line, lineLoc, lo);
  if (batch === "-") {
    text = heredoc?.text;
    file = loc.file;
    base = heredoc?.loc ?? loc;
  } else {
    // A big batch file is read in chunks, never whole (the CLI passes a chunk reader).
    const big = lo.readChunks?.(batch);
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
        force,
      );
    text = lo.readFile?.(batch);
  }
  if (text === undefined)
    return [
      {
        code: "load.batch-file",
        message:
          `Cannot open file "${batch}" for reading: ` +
          (lo.readError?.(batch) ?? "No such file or directory"),
        loc,
        token: batch,
        expected: "a readable batch file (or -batch - with a here-document)",
        severity: "error",
      },
    ];
  // Common route lines (full tables) take a fast reader; every other line the general path.
  const n = text.length;
  return runBatchChunks(s, [text], file, base.line, general, ipErrorToIssue, lo.progress, n, force);
}

/** One line of a batch by the general path (any `ip` command). */
function batchLine(s: HostState, line: string, lineLoc: SourceLoc, lo: LoadOptions): LoadIssue[] {
  const ws = batchWords(line, lineLoc);
  // A batch line is a command without global options (iproute2 do_cmd), so a line
  // `-batch FILE` cannot include a file again: it is an unknown object, as in `ip`.
  if (ws[0]?.text.startsWith("-") && ws.some((w) => /^--?b/.test(w.text)))
    return [
      {
        code: "ip.unknown-object",
        message: `Object "${ws[0].text}" is unknown, try "ip help".`,
        loc: ws[0].loc,
        token: ws[0].text,
        expected: "link, address, route, rule or tuntap",
        severity: "error",
      },
    ];
  return ws.length ? runIpLine(s, ws, lineLoc, undefined, lo).map((e) => ({ ...e })) : [];
}
