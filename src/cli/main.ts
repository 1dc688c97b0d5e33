#!/usr/bin/env node
/**
 * `routelab`: iproute2's `ip` against a virtual host built from scripts and dumps.
 *
 *   routelab [--load FILE]... [-4|-6] [-j] [-p] [-d] [-force] [-batch FILE] OBJECT COMMAND...
 *   routelab --load FILE explain <route get arguments>
 *   routelab --load FILE report
 *
 * Options follow iproute2 (single-dash long options, unique prefixes), which is why they
 * are read here rather than by a general CLI library.
 * @module
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { createHostState } from "../model/host.js";
import { loadText, type LoadIssue, type LoadOptions } from "../model/load.js";
import { parseIpOptions } from "../parse/options.js";
import { loadChunked } from "../model/load-stream.js";
import type { HostState } from "../model/types.js";
import type { Word } from "../parse/shell.js";
import { runBatch, runCommand } from "../interfaces/commands.js";
import { report } from "../interfaces/report.js";
import { renderIssue } from "../interfaces/render.js";
import { buildNetfilter } from "../model/netfilter.js";
import { parseListen } from "../interfaces/trace.js";
import type { ListenSpec } from "../engine/journey.js";

const USAGE = `Usage: routelab [--load FILE]... [ OPTIONS ] OBJECT { COMMAND | help }
       routelab [--load FILE]... [ OPTIONS ] -batch FILE
       routelab [--load FILE]... explain ROUTE-GET-ARGS
       routelab [--load FILE]... report
       routelab [--load FILE]... [--listen "udp|tcp ADDR PORT [transparent]"]... trace PACKET
where  OBJECT := { link | address | route | rule }
       OPTIONS := { -4 | -6 | -j[son] | -p[retty] | -d[etails] | -force | -batch FILE }
Files given with --load are setup scripts (ip, sysctl, iptables, nft lines) or dumps
(ip -j link/addr/rule/route output, ip rule / ip route show text, sysctl -a).
`;

function readText(path: string): string | undefined {
  try {
    return path === "-" ? readFileSync(0, "utf8") : readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Files from this size on are read in chunks (never whole) and route dumps in them streamed. */
const BIG_FILE = 1 << 20;

function fileSize(path: string): number {
  if (path === "-") return -1;
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

/** A file's text in 64 KiB pieces (young-generation strings: no large garbage) (UTF-8, BOM kept like readFileSync). */
function* fileChunks(path: string): Generator<string> {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 16);
    const dec = new TextDecoder("utf-8", { ignoreBOM: true });
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      yield dec.decode(buf.subarray(0, n), { stream: true });
    }
    const tail = dec.decode();
    if (tail) yield tail;
  } finally {
    closeSync(fd);
  }
}

/**
 * A progress line for long loads: only on a terminal, only once a load has run for a
 * second, at most ten updates a second; `done()` clears it.
 */
function progressLine(): { progress?: LoadOptions["progress"]; done(): void } {
  if (!process.stderr.isTTY) return { done() {} };
  const t0 = Date.now();
  let last = 0,
    shown = false;
  return {
    progress(file, done, total) {
      const now = Date.now();
      if (now - t0 < 1000 || now - last < 100) return;
      last = now;
      shown = true;
      const pct = total > 0 ? ` ${Math.min(100, Math.floor((done * 100) / total))}%` : "";
      process.stderr.write(
        `\rroutelab: loading ${file}${pct} (${(done / 1048576).toFixed(0)} MiB, ${((now - t0) / 1000).toFixed(1)} s)\x1b[K`,
      );
    },
    done() {
      if (shown) process.stderr.write("\r\x1b[K");
    },
  };
}

function main(argv: string[]): number {
  const loads: string[] = [];
  let listens: ListenSpec[] | undefined;
  let i = 0;
  while (i < argv.length) {
    const a = argv[i]!;
    if (a === "--load" || a === "-l" || a === "--file") {
      const f = argv[i + 1];
      if (!f) {
        process.stderr.write("routelab: --load needs a file\n");
        return 2;
      }
      loads.push(f);
      i += 2;
      continue;
    }
    if (a.startsWith("--load=")) {
      loads.push(a.slice(7));
      i++;
      continue;
    }
    if (a === "--listen") {
      const l = parseListen(argv[i + 1] ?? "");
      if (typeof l === "string") {
        process.stderr.write(`routelab: ${l}\n`);
        return 2;
      }
      (listens ??= []).push(l);
      i += 2;
      continue;
    }
    if (a === "-h" || a === "--help" || a === "help") {
      process.stdout.write(USAGE);
      return 0;
    }
    if (a === "-V" || a === "--version") {
      process.stdout.write("routelab 0.1.0 (speaks iproute2-6.1.0)\n");
      return 0;
    }
    break;
  }
  const host: HostState = createHostState();
  const issues: LoadIssue[] = [];
  const pl = progressLine();
  const opts: LoadOptions = {
    readFile: readText,
    readChunks: (p) => {
      const size = fileSize(p);
      return size >= BIG_FILE ? { chunks: fileChunks(p), size } : undefined;
    },
    ...(pl.progress ? { progress: pl.progress } : {}),
  };
  for (const f of loads) {
    const size = fileSize(f);
    if (size >= BIG_FILE) {
      issues.push(...loadChunked(host, { open: () => fileChunks(f), size }, f, opts));
      continue;
    }
    const text = readText(f);
    if (text === undefined) {
      pl.done();
      process.stderr.write(`routelab: cannot read "${f}": No such file or directory\n`);
      return 2;
    }
    issues.push(...loadText(host, text, f, opts));
  }
  pl.done();
  const byLoc = (a: LoadIssue, b: LoadIssue) =>
    a.loc && b.loc
      ? a.loc.file === b.loc.file
        ? a.loc.line - b.loc.line || a.loc.col - b.loc.col
        : 0
      : 0;
  issues.sort(byLoc);
  const errors = issues.filter((x) => x.severity === "error");
  for (const w of issues.filter((x) => x.severity === "warning"))
    process.stderr.write(renderIssue(w, "warning") + "\n");
  if (errors.length) {
    for (const e of errors) process.stderr.write(renderIssue(e, "error") + "\n");
    process.stderr.write(
      `routelab: ${errors.length} error${errors.length > 1 ? "s" : ""} while loading; nothing was answered\n`,
    );
    return 2;
  }
  // Netfilter rulesets: replayed from the recorded commands; a command iptables/nft would refuse is an input error.
  const nf = buildNetfilter(host, readText);
  if (nf.issues.length) {
    for (const e of nf.issues) process.stderr.write(renderIssue(e, "error") + "\n");
    process.stderr.write(
      `routelab: ${nf.issues.length} netfilter error${nf.issues.length > 1 ? "s" : ""} while loading; nothing was answered\n`,
    );
    return 2;
  }
  // iptables-save prints ctime() of now: "Thu Nov 26 07:33:16 2026".
  const now = () => {
    const d = new Date();
    const p = (n: number) => String(n).padStart(2, "0");
    return `${d.toDateString().slice(0, 3)} ${d.toDateString().slice(4, 7)} ${String(d.getDate()).padStart(2, " ")} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${d.getFullYear()}`;
  };
  const ctx = {
    chains: () => nf.chains,
    netfilter: () => nf,
    now,
    env: listens ? { listens } : {},
  };
  const words: Word[] = argv
    .slice(i)
    .map((text, k) => ({ text, loc: { file: "<argv>", line: 1, col: k + 1 } }));
  const po = parseIpOptions(words, 0);
  if (po.error) {
    process.stderr.write(po.error.message.trimEnd() + "\n");
    return po.error.exit;
  }
  const rest = words.slice(po.next);
  const end = { file: "<argv>", line: 1, col: argv.length + 1 };
  if (po.opts.batch !== undefined) {
    const text = readText(po.opts.batch);
    if (text === undefined) {
      process.stderr.write(
        `Cannot open file "${po.opts.batch}" for reading: No such file or directory\n`,
      );
      return 1;
    }
    const r = runBatch(host, po.opts, text, po.opts.batch === "-" ? "<stdin>" : po.opts.batch, ctx);
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    return r.status;
  }
  if (!rest.length) {
    process.stdout.write(USAGE);
    return loads.length ? 0 : 1;
  }
  if (rest[0]!.text === "report") {
    process.stdout.write(report(host, loads, nf.chains));
    return 0;
  }
  const r = runCommand(host, po.opts, rest, end, ctx);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  return r.status;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  // A bug in routelab, not in the input: say so in one line, never a stack trace.
  process.stderr.write(
    `routelab: internal error: ${(e as Error).message ?? String(e)} (please report this with the input that caused it)\n`,
  );
  process.exitCode = 70;
}
