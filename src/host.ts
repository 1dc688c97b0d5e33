/**
 * The library's one entry point: a virtual host built from setup scripts and dumps, asked
 * the questions the CLI answers. Strings go in (files, addresses, command lines) and typed
 * values come out (`Decision`, `JourneyResult`, `Issue`); nothing here throws on bad input,
 * every problem is an `Issue` value.
 *
 * It is a thin facade over the layers: `model/load` builds the host, `engine/route` decides,
 * `interfaces/*` parse and print exactly as the CLI does (the CLI uses only this class).
 *
 * Kept whole: this class is the public door, so every method a user can call is listed in
 * one place; each is a few lines delegating to a layer (zod's core index, Hono's app).
 * @module
 */
import type { Addr } from "./addr/ip.js";
import { issue, type Issue } from "./core/issue.js";
import { defined, err, ok, type Result } from "./core/result.js";
import type { Decision } from "./engine/types.js";
import { compileDecider, type Decider4 } from "./engine/decide.js";
import type { JourneyEnv, JourneyResult, ListenSpec } from "./engine/journey.js";
import { routeGet } from "./engine/route.js";
import {
  runLine,
  runIpLine,
  batchWords,
  runBatch,
  type CmdContext,
} from "./interfaces/commands.js";
import { explain } from "./interfaces/explain.js";
import {
  analysisCheck,
  analysisMap,
  type MapResult,
  parseAssertions,
} from "./interfaces/analysis.js";
import { Analysis } from "./analysis/classes.js";
import type { CheckResult } from "./analysis/check.js";
import { type Change, diffHosts, type Finding, lintWords } from "./interfaces/lint.js";
import { routeQuery, type RouteGetOptions } from "./interfaces/query.js";
import { report } from "./interfaces/report.js";
import { parseListen as listenOf, parseTrace, runTrace } from "./interfaces/trace.js";
import { getSysctl } from "./model/sysctl.js";
import { createHostState } from "./model/host.js";
import { loadText, type LoadOptions } from "./model/load.js";
import { loadChunked } from "./model/load-stream.js";
import { savedTables } from "./model/load-netfilter.js";
import { partialWarning } from "./model/partial.js";
import { loadPasswd, loadRtTables } from "./model/capture-load.js";
import { buildNetfilter, type HostNetfilter } from "./model/netfilter.js";
import { liveRulesets } from "./model/netfilter.js";
import type { SourceLoc } from "./core/loc.js";
import type { HostState } from "./model/types.js";
import type { Family } from "./core/kinds.js";
import type { Word } from "./parse/shell.js";

export type { RouteGetOptions };

/**
 * One input: a setup script (`ip`, `sysctl`, `iptables`, `nft`, `ipset` lines) or a dump
 * (`ip -j link/addr/rule/route` output, `ip rule`/`ip route show` text, `sysctl -a`),
 * recognised from its content; `name` locates issues (`name:line:col`). A big input may be
 * chunks, which `open()` returns from the start each time (route dumps read as they arrive).
 */
export type HostInput =
  | { name: string; text: string; family?: Family }
  | { name: string; open(): Iterable<string>; size?: number; family?: Family };

/** How a host is loaded and what its answers assume. */
export interface HostOptions {
  /** Reads files the inputs name (`ip -batch FILE`, `nft -f FILE`, `iptables-restore FILE`). */
  readFile?: (path: string) => string | undefined;
  /** Lists a directory (nft `include "DIR/*.nft"`, scripts' globs, `[ -d ]`, `run-parts
   * --list`): entry names, `/` after subdirectories; undefined when PATH is not a directory. */
  readDir?: (path: string) => readonly string[] | undefined;
  /**
   * What `uname` answers in scripts (Linux; `-r` the kernel release, …); a field left out is
   * assumed, with a warning naming the assumption.
   */
  uname?: Readonly<Partial<Record<"nodename" | "release" | "version" | "machine", string>>>;
  /** Why `readFile(path)` failed, as strerror() words; default "No such file or directory". */
  readError?: (path: string) => string | undefined;
  /** Reads a big `ip -batch FILE` in chunks; undefined to use `readFile`. */
  readChunks?: (path: string) => { chunks: Iterable<string>; size: number } | undefined;
  /** Progress of long loads: file name, characters done, total (0 when unknown). */
  progress?: (file: string, done: number, total: number) => void;
  /** Sockets listening on the host, for `trace` (TPROXY); see {@link parseListen}. */
  listens?: readonly ListenSpec[];
  /** The date `iptables-save` prints (ctime format); default the epoch, for stable output. */
  now?: () => string;
  /** rt_tables files (`ID NAME` lines): table names for `table NAME` (`--rt-tables FILE`). */
  rtTables?: readonly { name: string; text: string }[];
  /** passwd files (`NAME:x:UID:…`): user names for `--uid-owner NAME` (`--passwd FILE`). */
  passwd?: readonly { name: string; text: string }[];
}

/** What a command printed, exactly as the CLI prints it, and its exit status. */
export interface IpResult {
  stdout: string;
  stderr: string;
  status: number;
  /** Only global options were given, no command (the CLI then prints its usage). */
  noCommand?: boolean;
  /**
   * stdout (1) and stderr (2) pieces in the order `ip` writes them, for a stream both go to
   * (`2>&1`): warnings before an answer, errors and `Command failed` after it.
   */
  order?: readonly (readonly [1 | 2, string])[];
}

/** `ip -batch` options (iproute2's global options that apply to every line). */
export interface BatchOptions {
  /** Name in `Command failed FILE:N` lines; default `<batch>`. */
  file?: string;
  /** `-force`: go on after a failed line. */
  force?: boolean;
  /** `-4` / `-6`. */
  family?: Family;
  /** `-j`, `-p`, `-d`. */
  json?: boolean;
  pretty?: boolean;
  details?: boolean;
}

/** `explain`: the decision and the lines that say why (rules visited, lookups, source). */
export interface Explanation {
  decision: Decision;
  lines: string[];
}

/** Many IPv4 output questions as columns (one index per question). */
export interface BatchQuestions4 {
  dst: Uint32Array;
  /** 0: no `from`. */
  src: Uint32Array;
  mark: Uint32Array;
  uid: Uint32Array;
  tos: Uint8Array;
  /** 17 (UDP) is what `ip route get` asks when not told. */
  proto: Uint8Array;
  sport: Uint16Array;
  dport: Uint16Array;
}

/**
 * Answers to {@link BatchQuestions4}: status (0 a route, >0 an errno index, -1 when the
 * question needs {@link Host.routeGet}), the route's position, oif, gateway and preferred
 * source (uint32, 0 for none).
 */
export interface BatchAnswers4 {
  status: Int8Array;
  pos: Int32Array;
  oif: Int32Array;
  gateway: Uint32Array;
  prefsrc: Uint32Array;
}

/** The `family table` names the iptables-save inputs of a load hold. */
function iptablesTablesOf(files: readonly HostInput[]): string[] {
  if (!Array.isArray(files)) return [];
  return files.flatMap((f: unknown) => {
    const { name, text, family } = (f ?? {}) as Record<string, unknown>;
    if (typeof text !== "string" || typeof name !== "string") return [];
    return savedTables(text, name, family === 4 || family === 6 ? family : undefined);
  });
}

/** iproute2 sorts nothing, but issues of one file read best in line order. */
function byLoc(a: Issue, b: Issue): number {
  if (!a.loc || !b.loc || a.loc.file !== b.loc.file) return 0;
  return a.loc.line - b.loc.line || a.loc.col - b.loc.col;
}

/** Words of a command line: a string is split as `ip -batch` splits a line (quotes, `#`). */
function wordsOf(cmd: string | readonly string[], file: string): { words: Word[]; end: SourceLoc } {
  if (typeof cmd === "string") {
    const words = batchWords(cmd, { file, line: 1, col: 1 });
    return { words, end: { file, line: 1, col: cmd.length + 1 } };
  }
  const words = cmd.map((text, k) => ({ text: String(text), loc: { file, line: 1, col: k + 1 } }));
  return { words, end: { file, line: 1, col: cmd.length + 1 } };
}

const inputIssue = (k: number) =>
  issue("load.read", `input ${k}: expected { name: string, text: string }`, {
    expected: "{ name: string, text: string } or { name: string, open(): Iterable<string> }",
  });

/** An `ip` error as an issue (its exit status is the CLI's business). */
function asIssue({ exit: _exit, ...i }: Issue & { exit?: number }): Issue {
  return i;
}

/**
 * A virtual Linux host: load it from scripts and dumps, then ask what the kernel answers.
 * @example
 * ```ts
 * import { Host } from "routelab";
 * const host = Host.load([{ name: "setup.sh", text: "ip rule add fwmark 129 lookup 129\n" }]);
 * const r = host.routeGet("1.1.1.1", { mark: 129, uid: 1000 });
 * if (r.ok && r.value.ok) console.log(r.value.type, r.value.table);
 * ```
 */
export class Host {
  /** Problems found while loading, in file and line order: `error`s (the input is not valid
   * for the tool) and `warning`s (the tool ran and refused it; the host is as the real one). */
  readonly issues: readonly Issue[];
  private readonly nf: HostNetfilter;
  private readonly ctx: CmdContext;
  private decider: Decider4 | undefined;
  private an: Analysis | undefined;

  private constructor(
    private readonly s: HostState,
    private readonly files: readonly string[],
    private readonly opts: HostOptions,
    issues: Issue[],
  ) {
    this.nf = buildNetfilter(s, opts.readFile, opts.readDir);
    // Rulesets the loader could not replay are input errors like any other.
    for (const i of this.nf.issues) issues.push({ ...i, severity: i.severity ?? "error" });
    this.issues = issues;
    const env: JourneyEnv = defined({ listens: opts.listens });
    this.ctx = {
      chains: () => this.nf.chains,
      netfilter: () => this.nf,
      env,
      ...defined({ now: opts.now }),
    };
  }

  /**
   * Build a host from inputs, loaded in order into one host (the CLI's `--load` files).
   * Never throws on bad input: problems are in {@link Host.issues}.
   * @example
   * ```ts
   * const text = "ip link set lo up\nip route add 10.0.0.0/8 dev lo\n";
   * Host.load([{ name: "a.sh", text }]).issues.length; // 0
   * Host.load([{ name: "b.sh", text: "ip rule add bogus\n" }]).issues[0]?.code; // "ip.invarg"
   * ```
   */
  static load(files: readonly HostInput[], opts: HostOptions = {}): Host {
    const s = createHostState();
    const lo: LoadOptions = defined({
      readFile: opts.readFile,
      readDir: opts.readDir,
      uname: opts.uname,
      readError: opts.readError,
      readChunks: opts.readChunks,
      progress: opts.progress,
    });
    // A script reading `iptables-save` or `nft list ruleset` sees the rules it made so far.
    const nfNow = (st: HostState) => () => liveRulesets(st);
    lo.show = (st, words, end) =>
      runLine(st, [...words], end, { netfilter: nfNow(st), ...defined({ now: opts.now }) });
    const issues: Issue[] = [];
    const names: string[] = [];
    for (const f of opts.rtTables ?? [])
      for (const i of loadRtTables(s, f.text, f.name)) issues.push(i);
    for (const f of opts.passwd ?? [])
      for (const i of loadPasswd(s, f.text, f.name)) issues.push(i);
    // iptables-nft's tables in an nft dump are applied through the iptables-save inputs.
    lo.iptablesTables = iptablesTablesOf(files);
    (Array.isArray(files) ? files : []).forEach((f: unknown, k) => {
      const { name, text, open, size, family } = (f ?? {}) as Record<string, unknown>;
      if (typeof name !== "string") return void issues.push(inputIssue(k));
      names.push(name);
      const asked = family === 4 || family === 6 ? { family: family as Family } : {};
      if (typeof text === "string")
        for (const i of loadText(s, text, name, { ...lo, ...asked })) issues.push(i);
      else if (typeof open === "function") {
        const input = {
          open: open.bind(f) as () => Iterable<string>,
          ...defined({ size: size as number | undefined }),
        };
        for (const i of loadChunked(s, input, name, lo)) issues.push(i);
      } else issues.push(inputIssue(k));
    });
    if (!Array.isArray(files)) issues.push(inputIssue(0));
    for (const i of partialWarning(s)) issues.push(i);
    issues.sort(byLoc);
    return new Host(s, names, opts, issues);
  }

  /** The issues of severity `error`: when there are any, the CLI answers nothing. */
  get errors(): Issue[] {
    return this.issues.filter((i) => (i.severity ?? "error") === "error");
  }

  /**
   * `ip route get DST …`: the kernel's decision, or an issue when a value is malformed (an
   * address that does not parse, a parse result instead of its `.value`, a device the host
   * does not have, a number out of range). A decision may itself be a refusal
   * (`ok: false`, `errno`), as `RTNETLINK answers: …`.
   * @example
   * ```ts
   * const host = Host.load([{ name: "lo.sh", text: "ip link set lo up\n" }]);
   * const r = host.routeGet("127.0.0.1", { uid: 1000, ipproto: "tcp", dport: 443 });
   * if (r.ok && r.value.ok) r.value.type; // "local"
   * ```
   */
  routeGet(dst: string | Addr, opts: RouteGetOptions = {}): Result<Decision> {
    const q = routeQuery(this.s, dst, opts);
    return q.ok ? ok(routeGet(this.s, q.value)) : q;
  }

  /**
   * The decision with its explanation: each rule visited, each table lookup, the source chosen.
   * @example
   * ```ts
   * const host = Host.load([{ name: "lo.sh", text: "ip link set lo up\n" }]);
   * const r = host.explain("127.0.0.1");
   * if (r.ok) console.log(r.value.lines.join("\n"));
   * ```
   */
  explain(dst: string | Addr, opts: RouteGetOptions = {}): Result<Explanation> {
    const d = this.routeGet(dst, opts);
    return d.ok ? ok({ decision: d.value, lines: explain(this.s, d.value) }) : d;
  }

  /**
   * `routelab trace PACKET`: the packet's journey through routing and netfilter (each hook,
   * rule and route decision) and where it ends. The packet is `route get` syntax plus
   * `gid` and `reply`, as a string or as words.
   * @example
   * ```ts
   * const host = Host.load([{ name: "lo.sh", text: "ip link set lo up\n" }]);
   * const r = host.trace("127.0.0.1 dport 53");
   * if (r.ok) r.value.final.verdict; // "delivered"
   * ```
   */
  trace(packet: string | readonly string[], opts: { family?: Family } = {}): Result<JourneyResult> {
    const { words, end } = wordsOf(packet, "<trace>");
    const q = parseTrace(words, end, opts.family);
    if ("exit" in q) return err(asIssue(q));
    const r = runTrace(this.s, this.nf.chains, q, end, this.ctx.env ?? {});
    return "exit" in r ? err(asIssue(r)) : ok(r);
  }

  /**
   * A sysctl's value as `sysctl -n KEY` prints it (kernel default when never set).
   * @example Host.load([]).sysctl("net.ipv4.ip_forward") // "0"
   */
  sysctl(key: string): string | undefined {
    return getSysctl(this.s, key);
  }

  /**
   * The explanation lines of a decision this host made (a {@link Host.trace} route step's),
   * as `explain` prints them: each rule tried, each lookup, the source, the outcome.
   * @example
   * ```ts
   * const host = Host.load([{ name: "lo.sh", text: "ip link set lo up\n" }]);
   * const r = host.trace("127.0.0.1");
   * const step = r.ok ? r.value.trace.find((t) => t.kind === "route") : undefined;
   * if (step?.kind === "route") host.explainDecision(step.decision).at(-1); // "  ⇒ …"
   * ```
   */
  explainDecision(d: Decision): string[] {
    return explain(this.s, d);
  }

  /**
   * A command line as `routelab` takes it after `--load`: iproute2's global options, then an
   * `ip` command (`rule show`, `route get …`, `route add …` changes this host), or
   * `trace`, `explain`, `report`, `iptables-save`, `nft list ruleset`, `-batch FILE`.
   * Output and exit status are the CLI's, byte for byte.
   * @example
   * ```ts
   * const host = Host.load([{ name: "lo.sh", text: "ip link set lo up\n" }]);
   * host.ip("-j rule show").stdout === host.ip(["-j", "rule", "show"]).stdout; // true
   * ```
   */
  ip(cmd: string | readonly string[]): IpResult {
    const { words, end } = wordsOf(cmd, "<ip>");
    const ctx = {
      ...this.ctx,
      files: this.files,
      ...defined({ readFile: this.opts.readFile, readError: this.opts.readError }),
    };
    const { fatal: _fatal, ...r } = runLine(this.s, words, end, ctx);
    return r;
  }

  /**
   * `ip -batch`: each line a command (`ip` syntax without `ip`); a failed line prints
   * `Command failed FILE:N` and ends the run unless `force`.
   * @example
   * ```ts
   * const host = Host.load([{ name: "lo.sh", text: "ip link set lo up\n" }]);
   * const out = host.batch("route get 127.0.0.1\nrule show\n");
   * out.status; // 0
   * ```
   */
  batch(text: string, opts: BatchOptions = {}): IpResult {
    const { file = "<batch>", ...ipOpts } = opts;
    const { fatal: _fatal, ...r } = runBatch(this.s, ipOpts, String(text), file, this.ctx);
    return r;
  }

  /**
   * Change the host with `ip -batch` lines, as a setup script's `ip -batch FILE` does (route
   * lines of full tables take a fast reader). Returns the issues; `show` lines print nothing.
   * @example
   * ```ts
   * const host = Host.load([{ name: "lo.sh", text: "ip link set lo up\n" }]);
   * host.applyBatch("route add 10.0.0.0/8 dev lo\n", "changes").length; // 0
   * ```
   */
  applyBatch(text: string, name = "<batch>"): Issue[] {
    const loc = { file: name, line: 1, col: 1 };
    const words = [
      { text: "-batch", loc },
      { text: "-", loc },
    ];
    return runIpLine(this.s, words, loc, { text: String(text), loc }, {});
  }

  /**
   * `routelab map [PACKETS]`: every class of packets with one routing outcome, biggest first,
   * each with a description, its outcome and a representative packet. PACKETS (words or one
   * string) restricts the map: `-6`, `to 10.0.0.0/8`, `uid 1000`, `mark 0x81/0xff`,
   * `ipproto udp dport 53`, `not uid 129`; `iif lan0 [from 10.1.0.0/16]` maps the IPv4
   * packets received on lan0 instead. `notes` says what the analysis does not model.
   * @example
   * ```ts
   * const host = Host.load([{ name: "lo.sh", text: "ip link set lo up\n" }]);
   * const r = host.map("to 127.0.0.0/8");
   * if (r.ok) r.value.classes[0]?.outcome; // "delivered locally dev lo src 127.0.0.1 …"
   * ```
   */
  map(filter: string | readonly string[] = []): Result<MapResult> {
    const words = typeof filter === "string" ? filter.split(/\s+/).filter((w) => w) : filter;
    return analysisMap(this.analysis(), words);
  }

  /**
   * `routelab check`: each assertion (`always|never: PACKETS -> OUTCOME`) answered for every
   * packet; a failed one carries the counterexample with the fewest non-default fields. Bad
   * assertions (syntax, unknown device or table, unmodelled packets) are an issue.
   * `always|never: reply-of: PACKETS -> OUTCOME` asks about the replies of the flows whose
   * incoming packets PACKETS describes (`from 0.0.0.0/0 iif eth0 to 192.168.1.10 ipproto tcp
   * dport 22`): the counterexample is the reply, `original` the packet it answers.
   * @example
   * ```ts
   * const host = Host.load([{ name: "lo.sh", text: "ip link set lo up\n" }]);
   * const r = host.check(["always: to 127.0.0.1 -> delivered"]);
   * if (r.ok) r.value[0]?.holds; // true
   * ```
   */
  check(assertions: string | readonly string[]): Result<CheckResult[]> {
    const list = parseAssertions(typeof assertions === "string" ? [assertions] : assertions);
    return list.ok ? analysisCheck(this.analysis(), list.value) : list;
  }

  /** `routelab lint [--ssh-peer ADDR]`: known pitfalls, with packets and fix ([] if none). */
  lint(args: string | readonly string[] = []): Result<Finding[]> {
    return lintWords(this.analysis(), args);
  }

  /** `routelab diff`: packets whose outcome differs from here to `after` (+ representative). */
  diff(after: Host): Change[] {
    return diffHosts(
      this.s,
      after.s,
      () => this.nf.chains,
      () => after.nf.chains,
    );
  }

  /**
   * The host's analysis, brought up to date: ip/batch calls may have changed the host since
   * the last question; only the tables whose routes changed are rebuilt.
   */
  private analysis(): Analysis {
    if (!this.an) this.an = new Analysis(this.s, undefined, () => this.nf.chains);
    else this.an.refresh();
    return this.an;
  }

  /**
   * The report `routelab report` prints: the rules, and where representative packets go
   * and which rule decided.
   * @example Host.load([]).report().startsWith("routelab report") // true
   */
  report(): string {
    return report(this.s, [...this.files], this.nf.chains);
  }

  /**
   * `iptables-save` (family 4) / `ip6tables-save` (6), optionally one table (`-t TABLE`).
   * @example Host.load([]).iptablesSave(4, "mangle")
   */
  iptablesSave(family: Family = 4, table?: string): string {
    const prog = family === 6 ? "ip6tables-save" : "iptables-save";
    return this.ip(table === undefined ? [prog] : [prog, "-t", table]).stdout;
  }

  /**
   * `nft list ruleset` (`nft -a list ruleset` with `handles`).
   * @example Host.load([]).nftListRuleset({ handles: true })
   */
  nftListRuleset(opts: { handles?: boolean } = {}): string {
    return this.ip(opts.handles ? ["nft", "-a", "list", "ruleset"] : ["nft", "list", "ruleset"])
      .stdout;
  }

  /**
   * Answer `n` IPv4 output questions at full speed (a compiled decider, recompiled after the
   * host changes; nothing allocated per question). Returns how many questions it left to
   * {@link Host.routeGet} (status -1). Same answers as `routeGet`, without the trace.
   * @example
   * ```ts
   * const host = Host.load([{ name: "lo.sh", text: "ip link set lo up\n" }]);
   * const u32 = () => new Uint32Array(1);
   * const q = { dst: u32(), src: u32(), mark: u32(), uid: u32(), tos: new Uint8Array(1) };
   * const proto = new Uint8Array([17]), sport = new Uint16Array(1), dport = new Uint16Array(1);
   * const a = { status: new Int8Array(1), pos: new Int32Array(1), oif: new Int32Array(1) };
   * q.dst[0] = 0x01010101; // 1.1.1.1
   * const out = { ...a, gateway: u32(), prefsrc: u32() };
   * host.decideBatch(1, { ...q, proto, sport, dport }, out); // 0 left to routeGet
   * a.status[0]; // 1: ENETUNREACH (nothing routes there)
   * ```
   */
  decideBatch(n: number, q: BatchQuestions4, out: BatchAnswers4): number {
    let d = this.decider;
    if (!d || !d.current()) d = this.decider = compileDecider(this.s);
    return d.decideBatch(n, q, out);
  }
}

/**
 * A listening socket for {@link HostOptions.listens}: `udp|tcp ADDRESS PORT [transparent]`.
 * @example parseListen("udp 127.0.0.1 12345 transparent")
 */
export function parseListen(spec: string): Result<ListenSpec> {
  const l = listenOf(String(spec));
  return typeof l === "string" ? err(issue("usage", l, { token: String(spec) })) : ok(l);
}
