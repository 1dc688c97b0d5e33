/**
 * The command dispatcher shared by the CLI and the browser: one routelab/iproute2 command
 * line against a host → stdout, stderr and exit status, exactly as `ip` would print them.
 *
 * Kept whole: one dispatcher (a function per tool, `ip` show/get, `-batch`) sharing the
 * result shapes (ok, errOut, toQuery); sessions add commands here concurrently. The seam to
 * split later is `runBatch`/`runLine` into their own module.
 * @module
 */
import { batchWords, runIpLine } from "../model/load.js";
import { parseIpOptions } from "../parse/options.js";
import { parseIpArgv, type IpCommand, type IpOptions, type RouteGetQuery } from "../parse/ipcmd.js";
import { exitsIp, type IpError } from "../parse/args.js";
import type { Word } from "../parse/shell.js";
import { linkByName } from "../model/links.js";
import { applyIpCommand } from "../model/ops/index.js";
import type { SourceLoc } from "../core/loc.js";
import type { HostState } from "../model/types.js";
import { routeGet, type RouteQuery } from "../engine/route.js";
import { routeGetResult } from "../print/routeget.js";
import { ipShow as showCommand } from "./show.js";
import { explain } from "./explain.js";
import { netfilterLines } from "./explain-netfilter.js";
import { report } from "./report.js";
import { runAnalysisCommand } from "./analysis.js";
import { runLintCommand } from "./lint.js";
import type { NfBaseChain } from "../netfilter/types.js";
import type { HostNetfilter } from "../model/netfilter.js";
import { iptablesSave } from "../netfilter/iptables/index.js";
import { createNftRuleset, nftList } from "../netfilter/nft/index.js";
import { parseTrace, runTrace, traceJson, traceText } from "./trace.js";
import { FastGets, Got } from "./batch-get.js";
import { type CmdResult, inOrder, Streams } from "./streams.js";
import type { JourneyEnv } from "../engine/journey.js";
import { defined } from "../core/result.js";

/** What commands may need beyond the host: its netfilter base chains (built once). */
export interface CmdContext {
  env?: JourneyEnv;
  chains?: () => readonly NfBaseChain[];
  netfilter?: () => HostNetfilter;
  /** Date printed in iptables-save comments (the CLI passes the current time). */
  now?: () => string;
  /** The loaded files (`explain` names them in the `trace` command it suggests). */
  files?: readonly string[];
}

export { type CmdResult, inOrder } from "./streams.js";

const ok = (stdout: string): CmdResult => ({ stdout, stderr: "", status: 0 });
const errOut = (e: IpError): CmdResult => ({
  stdout: "",
  stderr: e.message.endsWith("\n") ? e.message + "\n" : e.message + "\n",
  status: e.exit === 255 ? 255 : e.exit,
  fatal: e.exit === 255 || exitsIp(e),
});

/** `route get` query → engine query, checking devices as iproute2 does (ll_name_to_index). */
function toQuery(
  s: HostState,
  q: Extract<IpCommand, { op: "get" }>["query"],
  end: SourceLoc,
): RouteQuery | IpError {
  for (const d of [q.iif, q.oif])
    if (d !== undefined && !linkByName(s, d))
      return {
        code: "ip.no-device",
        message: `Cannot find device "${d}"`,
        loc: end,
        token: d,
        exit: 1,
      };
  const { family, dst, from, iif, oif, mark, tos, uid, ipproto, sport, dport } = q;
  return { family, dst, ...defined({ from, iif, oif, mark, tos, uid, ipproto, sport, dport }) };
}

/** A command routelab answers besides `ip`: the words after the global options. */
type Tool = (
  s: HostState,
  opts: IpOptions,
  words: Word[],
  end: SourceLoc,
  ctx: CmdContext,
) => CmdResult;

/** `iptables-save` / `ip6tables-save [-t TABLE]`. */
const iptablesSaveCmd: Tool = (_s, _opts, words, _end, ctx) => {
  const first = words[0]?.text;
  const nf = ctx.netfilter?.();
  const fam = first === "iptables-save" ? 4 : 6;
  const t = words.findIndex((w) => w.text === "-t" || w.text === "--table");
  const table = t >= 0 ? words[t + 1]?.text : undefined;
  const save = defined({ table: (table || undefined) as never, date: ctx.now?.() });
  return ok(nf ? iptablesSave(nf.iptables, fam, save) : "");
};

/** `nft [-a] list ruleset|tables|table|chain(s)|set(s)|map(s) …` (nftList). */
const nftCmd: Tool = (_s, _opts, words, _end, ctx) => {
  const rest = words.slice(1).map((w) => w.text);
  const handles = rest.includes("-a");
  const args = rest.filter((w) => w !== "-a");
  const nf = ctx.netfilter?.();
  const r =
    args[0] === "list"
      ? nftList(nf?.nft ?? createNftRuleset(), args.slice(1), { handles })
      : undefined;
  if (!r)
    return errOut({
      code: "usage",
      message:
        "this nft command is not modelled: routelab answers " +
        "`nft [-a] list ruleset|tables|table|chain|chains|sets|set|maps|map` only",
      exit: 1,
    });
  if (!r.ok) return errOut({ code: "usage", message: r.error, exit: 1 });
  return ok(r.text);
};

/** `trace PACKET`: the whole journey through netfilter and routing. */
const traceCmd: Tool = (s, opts, words, end, ctx) => {
  const q = parseTrace(words.slice(1), end, opts.family);
  if ("exit" in q) return errOut(q);
  const r = runTrace(s, ctx.chains?.() ?? [], q, end, ctx.env ?? {});
  if ("exit" in r) return errOut(r);
  return { stdout: opts.json ? traceJson(s, r) + "\n" : traceText(s, r), stderr: "", status: 0 };
};

/** `explain <route get arguments>`: the decision with every rule and table it tried. */
const explainCmd: Tool = (s, opts, words, end, ctx) => {
  const p = parseIpArgv(
    [{ text: "route", loc: end }, { text: "get", loc: end }, ...words.slice(1)],
    opts,
    s.tableNames,
    end,
  );
  if (!p.ok) return errOut(p.error);
  if (p.cmd.obj !== "route" || p.cmd.op !== "get")
    return errOut({ code: "usage", message: "usage: explain <route get arguments>", exit: 255 });
  const q = toQuery(s, p.cmd.query, end);
  if ("exit" in q) return errOut(q);
  const d = routeGet(s, q);
  const args = words.slice(1).map((w) => w.text);
  const nf = netfilterLines(s, ctx.chains?.() ?? [], q, d, args, ctx.files ?? [], ctx.env);
  const out = [`route get ${args.join(" ")}`, ...explain(s, d), ...nf];
  return { stdout: out.join("\n") + "\n", stderr: "", status: d.ok ? 0 : 2 };
};

/** Commands by their first word; anything else is an `ip` command. */
const TOOLS: Record<string, Tool> = {
  "iptables-save": iptablesSaveCmd,
  "ip6tables-save": iptablesSaveCmd,
  nft: nftCmd,
  trace: traceCmd,
  explain: explainCmd,
};

/** `ip route get`: fibmatch answers with the FIB entry. */
function ipRouteGet(
  s: HostState,
  opts: IpOptions,
  query: RouteGetQuery,
  end: SourceLoc,
): CmdResult {
  const q = toQuery(s, query, end);
  if ("exit" in q) return errOut(q);
  const { family, from, iif, uid, mark, fibmatch, connected } = query;
  let d = routeGet(s, q);
  // fibmatch answers with the FIB entry; without one (on-link fallback, daddr 0) the
  // kernel says EHOSTUNREACH (inet_rtm_getroute: fib_dump_info needs res.fi).
  if (fibmatch && d.ok && !d.route)
    d = { ok: false, errno: "EHOSTUNREACH", flow: d.flow, trace: d.trace };
  const json = !!opts.json,
    pretty = !!opts.pretty;
  const r = routeGetResult(s, d, {
    family,
    uid,
    fibmatch,
    connected,
    json,
    pretty,
    ...defined({ from, iif, mark }),
  });
  const { dstLen } = query;
  if (dstLen === undefined) return r;
  // iproute_get, while reading the arguments (so before the answer).
  const full = family === 4 ? 32 : 128;
  const warn =
    `Warning: /${dstLen} as prefix is invalid, ` + `only /${full} (or none) is supported.\n`;
  return { ...r, stderr: warn + r.stderr };
}

/** `ip OBJECT show` (interfaces/show.ts); undefined for a command that changes the host. */
function ipShow(s: HostState, opts: IpOptions, cmd: IpCommand): CmdResult | undefined {
  const r = showCommand(s, opts, cmd);
  return r === undefined ? undefined : "error" in r ? errOut(r.error) : ok(r.stdout);
}

/**
 * Run one command (the words after the global options) against the host.
 * @example runCommand(state, { json: true }, words("route get 1.1.1.1 mark 129"), loc)
 */
export function runCommand(
  s: HostState,
  opts: IpOptions,
  words: Word[],
  end: SourceLoc,
  ctx: CmdContext = {},
): CmdResult {
  const tool = Object.hasOwn(TOOLS, words[0]?.text ?? "") ? TOOLS[words[0]!.text] : undefined;
  if (tool) return tool(s, opts, words, end, ctx);
  const p = parseIpArgv(words, opts, s.tableNames, end);
  if (!p.ok) return errOut(p.error);
  const cmd = p.cmd;
  if (cmd.obj === "route" && cmd.op === "get") return ipRouteGet(s, opts, cmd.query, end);
  const shown = ipShow(s, opts, cmd);
  if (shown) return shown;
  const e = applyIpCommand(s, cmd, { loc: end, words });
  return e ? errOut(e) : ok("");
}

/**
 * `ip -batch`: each line is a command; failures print `Command failed FILE:N` and stop
 * unless `-force`. Exit status 1 when a line failed; an argument error ends the run (255).
 * @example runBatch(state, { json: true, force: true }, text, "probes.txt")
 */
export function runBatch(
  s: HostState,
  opts: IpOptions,
  text: string,
  file: string,
  ctx: CmdContext = {},
): CmdResult {
  // Plain IPv4 `route get` lines are answered by the compiled decider into a text buffer
  // (interfaces/batch-get.ts); every other line as before. The output is the same.
  const io = new Streams();
  const { out, err } = io;
  const fast = new FastGets(s, opts);
  let status = 0;
  const len = text.length;
  for (let start = 0, n = 0; start < len; n++) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = len;
    const next = end + 1;
    // An answer goes to stdout, a failure's message to stderr (empty before the line).
    io.to(1);
    const g = fast.line(text, start, end, out, err);
    if (g === Got.Ok) {
      start = next;
      continue;
    }
    if (g === Got.Failed) {
      io.to(2);
      err.str(`Command failed ${file}:${n + 1}\n`);
      status = 1;
      if (!opts.force) break;
      start = next;
      continue;
    }
    const line = text.slice(start, end);
    start = next;
    const loc: SourceLoc = { file, line: n + 1, col: 1 };
    const ws = batchWords(line, loc);
    if (!ws.length) continue;
    // Per-line global options are not read by iproute2's batch; routelab lines may start with them.
    const po = parseIpOptions(ws, 0);
    const lineOpts = { ...opts, ...po.opts };
    const r = po.error
      ? errOut(po.error)
      : runCommand(s, lineOpts, ws.slice(po.next), { ...loc, col: line.length + 1 }, ctx);
    // A line that may have changed the host: the decider is compiled again before the next
    // question.
    if (g === Got.Other) fast.invalidate();
    io.write(inOrder(r));
    if (r.fatal) return io.result(r.status, true);
    if (r.status !== 0) {
      io.write([[2, `Command failed ${file}:${n + 1}\n`]]);
      status = 1;
      if (!opts.force) break;
    }
  }
  return io.result(status);
}

/** What {@link runLine} needs beyond a command's context. */
export interface LineContext extends CmdContext {
  /** Reads `-batch FILE` (`-` is standard input); without it such a file cannot be opened. */
  readFile?: (path: string) => string | undefined;
  /** Why `readFile(path)` failed (strerror words). */
  readError?: (path: string) => string | undefined;
  /** The loaded files, named in `report`'s heading. */
  files?: readonly string[];
}

/** A command line's result; `noCommand` when only options were given (the CLI prints usage). */
export type LineResult = CmdResult & { noCommand?: boolean };

/**
 * A whole `routelab` command line after the CLI's own flags: the global `ip` options, then
 * `-batch FILE`, `report`, or one command (`runCommand`).
 * @example runLine(state, words("-j rule show"), end, {})
 */
export function runLine(s: HostState, words: Word[], end: SourceLoc, ctx: LineContext): LineResult {
  const po = parseIpOptions(words, 0);
  if (po.error)
    return { stdout: "", stderr: po.error.message.trimEnd() + "\n", status: po.error.exit };
  const rest = words.slice(po.next);
  const batch = po.opts.batch;
  if (batch !== undefined) {
    const text = ctx.readFile?.(batch);
    if (text === undefined)
      return {
        stdout: "",
        stderr:
          `Cannot open file "${batch}" for reading: ` +
          `${ctx.readError?.(batch) ?? "No such file or directory"}\n`,
        status: 1,
      };
    return runBatch(s, po.opts, text, batch === "-" ? "<stdin>" : batch, ctx);
  }
  if (!rest.length) return { stdout: "", stderr: "", status: 0, noCommand: true };
  if (rest[0]!.text === "report")
    return {
      stdout: report(s, [...(ctx.files ?? [])], ctx.chains?.() ?? []),
      stderr: "",
      status: 0,
    };
  const cmd = rest[0]!.text;
  if (cmd === "map" || cmd === "check")
    return runAnalysisCommand(
      s,
      cmd,
      rest.slice(1).map((w) => w.text),
      {
        json: !!po.opts.json,
        chains: ctx.chains?.() ?? [],
        env: ctx.env ?? {},
        ...defined({ readFile: ctx.readFile }),
      },
    );
  if (cmd === "lint")
    return runLintCommand(
      s,
      rest.slice(1).map((w) => w.text),
      !!po.opts.json,
      ctx.chains?.() ?? [],
    );
  const r = runCommand(s, po.opts, rest, end, ctx);
  // The order matters only when both streams have something.
  return r.stdout && r.stderr ? { ...r, order: inOrder(r) } : r;
}

export { batchWords, runIpLine };
