/**
 * Real-packet differential harness for netfilter + routing ("the kernel is the oracle, with
 * real packets"). See test/kernel/README.md, section "Real-packet journeys".
 *
 * A family is three files in `test/kernel/journey/`:
 *   - `<family>.sh`      the HOST UNDER TEST, as its user writes it (routelab loads it too);
 *   - `<family>.peers`   the world around the host: `peer IF [l3dev DEV]` (the far end of the
 *                        host's veth IF lives in its own namespace, run by journey-agent.py)
 *                        and `listen udp|tcp ADDR PORT [transparent]` (host sockets: a proxy);
 *   - `<family>.packets` one `trace ...` line per packet (routelab's trace syntax).
 *
 * Kernel side, per family: namespaces `nfj_<family>_<pid>` (host) and `nfj_<family>_<pid>_p<i>`
 * (peers); the host script runs with `ip netns exec HOST bash -e <family>.sh`; the far end
 * of each peer veth is moved into its peer namespace; a trace table `inet rltrace` marks every
 * TCP/UDP packet with nftrace and has empty entry (-400) and exit (10000) chains at every
 * hook; `nft -a monitor` runs in the host; each packet is sent from a real socket
 * (journey-send.py, under setpriv for uid/gid) or injected by the agent behind `iif`; the
 * agents record what arrives; the trace is parsed into per-packet journeys.
 *
 * Nothing here imports routelab: the oracle stays independent of the implementation.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as h from "./harness.js";

export const JOURNEY_DIR = path.join(h.HERE, "journey");
const PY = fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const SETPRIV = fs.existsSync("/usr/bin/setpriv") ? "/usr/bin/setpriv" : "setpriv";
const NS_PREFIX = "nfj";
/** Source ports the harness gives packets without `sport` (one per packet: each is a new flow). */
export const SPORT_BASE = 41000;

// ------------------------------------------------------------------------------------------
// Families
// ------------------------------------------------------------------------------------------

export interface PacketSpec {
  /** 1-based line in the .packets file. */
  line: number;
  /** The line as written (normalized spaces). */
  text: string;
  dst: string;
  v6: boolean;
  from?: string;
  iif?: string;
  oif?: string;
  uid?: number;
  gid?: number;
  mark?: number;
  proto: "tcp" | "udp";
  sport?: number;
  dport: number;
  tos?: number;
  reply: boolean;
}

export interface PeerSpec {
  line: number;
  /** Host-side interface (a veth the host script creates; its far end moves to the peer). */
  ifname: string;
  /** The host's L3 device for this link when IF is a bridge port (`l3dev docker0`). */
  l3dev: string;
}

export interface ListenSpec {
  proto: "tcp" | "udp";
  addr: string;
  port: number;
  transparent: boolean;
}

export interface Family {
  name: string;
  script: string;
  packetsFile: string;
  peersFile: string;
  peers: PeerSpec[];
  listens: ListenSpec[];
  packets: PacketSpec[];
  /** Problems in the family files themselves (reported as a failing test). */
  errors: string[];
}

function parseNum(s: string | undefined): number | undefined {
  if (s === undefined || !/^(0x[0-9a-f]+|\d+)$/i.test(s)) return undefined;
  return Number(s);
}

function stripComment(raw: string): string {
  const i = raw.indexOf("#");
  return (i >= 0 ? raw.slice(0, i) : raw).trim().replace(/\s+/g, " ");
}

/** A packet line being read (`reply` defaults to false). */
type PacketDraft = Partial<PacketSpec> & { reply: boolean };

/** Read the words after `trace` into `p`; what is wrong with them, or "". */
function readPacketWords(w: string[], p: PacketDraft): string {
  let bad = "";
  for (let k = 1; k < w.length && !bad; k++) {
    const key = w[k]!;
    const val = w[k + 1];
    const needNum = (max: number): number | undefined => {
      const n = parseNum(val);
      if (n === undefined || n > max)
        bad = `${key} needs a number <= ${max}, got ${val ?? "nothing"}`;
      k++;
      return n;
    };
    switch (key) {
      case "from":
        p.from = val;
        k++;
        break;
      case "iif":
        p.iif = val;
        k++;
        break;
      case "oif":
      case "dev":
        p.oif = val;
        k++;
        break;
      case "uid":
        p.uid = needNum(0xffffffff);
        break;
      case "gid":
        p.gid = needNum(0xffffffff);
        break;
      case "mark":
        p.mark = needNum(0xffffffff);
        break;
      case "sport":
        p.sport = needNum(65535);
        break;
      case "dport":
        p.dport = needNum(65535);
        break;
      case "tos":
      case "dsfield":
        p.tos = needNum(255);
        break;
      case "ipproto":
        if (val === "tcp" || val === "6") p.proto = "tcp";
        else if (val === "udp" || val === "17") p.proto = "udp";
        else bad = `ipproto ${val ?? ""}: real packets are tcp or udp`;
        k++;
        break;
      case "reply":
        p.reply = true;
        break;
      case "to":
        p.dst = val;
        k++;
        break;
      default:
        if (p.dst === undefined && /^[0-9a-f.:]+$/i.test(key)) p.dst = key;
        else bad = `unexpected \`${key}\``;
    }
    if (!bad && ["from", "iif", "oif", "dev", "to"].includes(key) && val === undefined)
      bad = `${key} needs a value`;
  }
  return bad;
}

/** What a well-formed packet line asks that a real packet cannot do, or "". */
function packetProblem(p: PacketDraft): string {
  if (!p.dst) return "no destination";
  if (p.dport === undefined) return "real packets need a dport";
  if (p.iif === undefined) return "";
  if (p.from === undefined) return "a packet arriving on iif needs `from`";
  if (p.uid !== undefined || p.gid !== undefined || p.oif !== undefined)
    return "uid/gid/oif describe a local socket; a packet arriving on iif has none";
  if (p.mark !== undefined)
    return (
      "a packet arriving from a peer namespace cannot carry a mark " +
      "(crossing a veth between namespaces clears skb->mark)"
    );
  return "";
}

/**
 * Parse a `.packets` file: `trace DST [from A] [iif D] [oif D] [uid N] [gid N] [mark N]
 * [ipproto tcp|udp] [sport N] [dport N] [tos N] [reply]`.
 */
export function parsePackets(
  text: string,
  file: string,
): { packets: PacketSpec[]; errors: string[] } {
  const packets: PacketSpec[] = [];
  const errors: string[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = stripComment(raw);
    if (!line) return;
    const where = `${path.basename(file)}:${i + 1}`;
    const w = line.split(" ");
    if (w[0] !== "trace") {
      errors.push(`${where}: a packet line starts with \`trace\`: ${line}`);
      return;
    }
    const p: PacketDraft = { reply: false };
    const bad = readPacketWords(w, p) || packetProblem(p);
    if (bad) {
      errors.push(`${where}: ${bad}: ${line}`);
      return;
    }
    packets.push({
      ...(p as PacketSpec),
      proto: p.proto ?? "udp",
      line: i + 1,
      text: line,
      v6: p.dst!.includes(":"),
    });
  });
  return { packets, errors };
}

/** Parse a `.peers` file: `peer IF [l3dev DEV]` and `listen udp|tcp ADDR PORT [transparent]`. */
export function parsePeers(
  text: string,
  file: string,
): { peers: PeerSpec[]; listens: ListenSpec[]; errors: string[] } {
  const peers: PeerSpec[] = [];
  const listens: ListenSpec[] = [];
  const errors: string[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = stripComment(raw);
    if (!line) return;
    const where = `${path.basename(file)}:${i + 1}`;
    const w = line.split(" ");
    if (w[0] === "peer" && w[1] && (w.length === 2 || (w.length === 4 && w[2] === "l3dev"))) {
      if (peers.some((p) => p.ifname === w[1])) errors.push(`${where}: peer ${w[1]} twice`);
      peers.push({ line: i + 1, ifname: w[1], l3dev: w[3] ?? w[1] });
    } else if (
      w[0] === "listen" &&
      (w[1] === "udp" || w[1] === "tcp") &&
      w[2] &&
      parseNum(w[3]) !== undefined &&
      (w.length === 4 || (w.length === 5 && w[4] === "transparent"))
    ) {
      listens.push({
        proto: w[1],
        addr: w[2],
        port: parseNum(w[3])!,
        transparent: w[4] === "transparent",
      });
    } else {
      const expected = "`peer IF [l3dev DEV]` or `listen udp|tcp ADDR PORT [transparent]`";
      errors.push(`${where}: expected ${expected}: ${line}`);
    }
  });
  return { peers, listens, errors };
}

export function loadFamilies(dir = JOURNEY_DIR, filter: RegExp | null = null): Family[] {
  if (!fs.existsSync(dir)) return [];
  const names = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".sh"))
    .map((f) => f.slice(0, -3))
    .filter((n) => !filter || filter.test(n))
    .sort();
  return names.map((name) => {
    const script = path.join(dir, `${name}.sh`);
    const packetsFile = path.join(dir, `${name}.packets`);
    const peersFile = path.join(dir, `${name}.peers`);
    const errors: string[] = [];
    let packets: PacketSpec[] = [];
    let peers: PeerSpec[] = [];
    let listens: ListenSpec[] = [];
    if (!fs.existsSync(packetsFile)) errors.push(`missing ${path.basename(packetsFile)}`);
    else {
      const r = parsePackets(fs.readFileSync(packetsFile, "utf8"), packetsFile);
      packets = r.packets;
      errors.push(...r.errors);
    }
    if (!fs.existsSync(peersFile)) errors.push(`missing ${path.basename(peersFile)}`);
    else {
      const r = parsePeers(fs.readFileSync(peersFile, "utf8"), peersFile);
      peers = r.peers;
      listens = r.listens;
      errors.push(...r.errors);
    }
    for (const p of packets)
      if (p.iif !== undefined && !peers.some((x) => x.l3dev === p.iif))
        errors.push(
          `${name}.packets:${p.line}: iif ${p.iif} is not the host side of a peer ` +
            "(packets arrive from peers)",
        );
    return { name, script, packetsFile, peersFile, peers, listens, packets, errors };
  });
}

/** The source port a packet is sent from: its own, or a unique one per packet line. */
export function sportOf(p: PacketSpec, index: number): number {
  return p.sport ?? SPORT_BASE + index;
}

/** The line both sides get: as written, plus `sport N` when it had none. */
export function renderPacket(p: PacketSpec, index: number): string {
  return p.sport === undefined ? `${p.text} sport ${sportOf(p, index)}` : p.text;
}

// ------------------------------------------------------------------------------------------
// Processes
// ------------------------------------------------------------------------------------------

/** Last time any helper process printed something (quiet-period detection). */
const activity = { last: Date.now() };

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A long-running helper whose stdout is read as lines. */
export class Proc {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  stderr = "";
  exitCode: number | null | undefined = undefined;
  private buf = "";
  private wake: (() => void)[] = [];

  constructor(
    readonly label: string,
    cmd: string,
    args: string[],
  ) {
    this.child = spawn(cmd, args, {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, LC_ALL: "C" },
    });
    this.child.stdout!.setEncoding("utf8");
    this.child.stdout!.on("data", (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf("\n")) >= 0) {
        this.lines.push(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 1);
      }
      activity.last = Date.now();
      this.notify();
    });
    this.child.stderr!.setEncoding("utf8");
    this.child.stderr!.on("data", (d: string) => {
      if (this.stderr.length < 20000) this.stderr += d;
    });
    this.child.on("exit", (code) => {
      this.exitCode = code;
      this.notify();
    });
    this.child.on("error", (e) => {
      this.stderr += `spawn failed: ${e.message}\n`;
      this.exitCode = -1;
      this.notify();
    });
    this.child.stdin!.on("error", () => {});
  }

  private notify(): void {
    const w = this.wake;
    this.wake = [];
    for (const f of w) f();
  }

  /** Wait until a line at index >= from satisfies pred; returns its index or -1 on timeout/exit. */
  async waitFor(pred: (l: string) => boolean, from: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let i = from;
    for (;;) {
      for (; i < this.lines.length; i++) if (pred(this.lines[i]!)) return i;
      if (this.exitCode !== undefined) return -1;
      const left = deadline - Date.now();
      if (left <= 0) return -1;
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.wake.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  write(s: string): void {
    if (this.exitCode === undefined) this.child.stdin!.write(s);
  }

  /** Stop it (by its own pid only) and wait for the exit (at most 2 s). */
  async stop(): Promise<void> {
    if (this.exitCode !== undefined) return;
    try {
      this.child.stdin!.end();
    } catch {
      /* already closed */
    }
    this.child.kill("SIGTERM");
    const deadline = Date.now() + 2000;
    while (this.exitCode === undefined && Date.now() < deadline) await sleep(20);
    if (this.exitCode === undefined) this.child.kill("SIGKILL");
  }
}

/** Run a short command to completion (async, so helper output keeps flowing). */
function runAsync(
  cmd: string,
  args: string[],
  timeoutMs: number,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LC_ALL: "C" },
    });
    let stdout = "";
    let stderr = "";
    c.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    c.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const t = setTimeout(() => {
      stderr += `\n(timeout after ${timeoutMs} ms: killed)`;
      c.kill("SIGKILL");
    }, timeoutMs);
    c.on("error", (e) => {
      clearTimeout(t);
      resolve({ status: -1, stdout, stderr: stderr + e.message });
    });
    c.on("close", (status) => {
      clearTimeout(t);
      resolve({ status, stdout, stderr });
    });
  });
}

function runSync(
  cmd: string,
  args: string[],
  opts: { cwd?: string; input?: string; timeoutMs?: number } = {},
): { status: number | null; stdout: string; stderr: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd ?? h.REPO_ROOT,
    input: opts.input,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 30_000,
    env: { ...process.env, LC_ALL: "C" },
  });
  return {
    status: r.error ? -1 : r.status,
    stdout: r.stdout ?? "",
    stderr: (r.stderr ?? "") + (r.error ? r.error.message : ""),
    ms: Date.now() - t0,
  };
}

// ------------------------------------------------------------------------------------------
// Namespaces (never the root namespace: every command is `ip -n NS` or `ip netns exec NS`)
// ------------------------------------------------------------------------------------------

export function hostNsName(family: string): string {
  return `${NS_PREFIX}_${family.replace(/[^A-Za-z0-9]/g, "").slice(0, 16)}_${process.pid}`;
}

/** Remove namespaces of earlier runs of this suite whose process is gone. */
export function reapStale(): string[] {
  return h.reapStaleNetns(/^nfj_[A-Za-z0-9]*_(\d+)(_p\d+)?$/);
}

let tmp: string | null = null;
/** A world-readable temp dir holding copies of the python helpers (uid 1000 must read them). */
export function helperDir(): string {
  if (tmp) return tmp;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nfj-"));
  fs.chmodSync(tmp, 0o755);
  for (const f of ["journey-agent.py", "journey-send.py", "journey-listen.py"]) {
    fs.copyFileSync(path.join(h.HERE, f), path.join(tmp, f));
    fs.chmodSync(path.join(tmp, f), 0o755);
  }
  return tmp;
}
export function removeHelperDir(): void {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  tmp = null;
}

// ------------------------------------------------------------------------------------------
// The trace table
// ------------------------------------------------------------------------------------------

/** Priorities of the trace table's own chains: entry before everything, exit after everything. */
export const ENTRY_PRIO = -400;
export const EXIT_PRIO = 10000;
export type HookName = "prerouting" | "input" | "forward" | "output" | "postrouting";
const HOOKS: HookName[] = ["prerouting", "input", "forward", "output", "postrouting"];
const RL_CHAINS: Record<string, { hook: HookName; exit: boolean }> = {};
for (const hk of HOOKS) {
  RL_CHAINS[`rl_${hk}`] = { hook: hk, exit: false };
  RL_CHAINS[`rl_${hk}_end`] = { hook: hk, exit: true };
}

export function traceTableText(): string {
  const chains = HOOKS.map((hk) => {
    const set =
      hk === "prerouting" || hk === "output"
        ? " meta l4proto { tcp, udp } meta nftrace set 1;"
        : "";
    return (
      `  chain rl_${hk} { type filter hook ${hk} priority ${ENTRY_PRIO};${set} }\n` +
      `  chain rl_${hk}_end { type filter hook ${hk} priority ${EXIT_PRIO}; }`
    );
  });
  return `table inet rltrace {\n  set rlsync { type inet_service; }\n${chains.join("\n")}\n}\n`;
}

// ------------------------------------------------------------------------------------------
// Ruleset map (rule handle -> position, base chain -> hook)
// ------------------------------------------------------------------------------------------

export interface RulesetMap {
  /** `family table chain handle` -> 1-based position in its chain. */
  pos: Map<string, number>;
  /** `family table chain` -> hook, for base chains. */
  hook: Map<string, HookName>;
}

export function readRuleset(ns: string): RulesetMap {
  const r = runSync("ip", ["netns", "exec", ns, "nft", "-j", "-a", "list", "ruleset"]);
  const pos = new Map<string, number>();
  const hook = new Map<string, HookName>();
  if (r.status !== 0) throw new Error(`nft -j list ruleset in ${ns}: ${r.stderr}`);
  const j = JSON.parse(r.stdout) as { nftables: Record<string, Record<string, unknown>>[] };
  const count = new Map<string, number>();
  for (const o of j.nftables) {
    if (o.chain) {
      const c = o.chain as { family: string; table: string; name: string; hook?: string };
      if (c.hook && (HOOKS as string[]).includes(c.hook))
        hook.set(`${c.family} ${c.table} ${c.name}`, c.hook as HookName);
    } else if (o.rule) {
      const ru = o.rule as { family: string; table: string; chain: string; handle: number };
      const key = `${ru.family} ${ru.table} ${ru.chain}`;
      const n = (count.get(key) ?? 0) + 1;
      count.set(key, n);
      pos.set(`${key} ${ru.handle}`, n);
    }
  }
  return { pos, hook };
}

// ------------------------------------------------------------------------------------------
// Trace parsing
// ------------------------------------------------------------------------------------------

export interface Hdr {
  iif?: string;
  oif?: string;
  saddr?: string;
  daddr?: string;
  proto?: "tcp" | "udp";
  sport?: number;
  dport?: number;
}

export interface TraceLine {
  id: string;
  family: string;
  table: string;
  chain: string;
  type: "packet" | "rule" | "policy" | "verdict" | "other";
  hdr?: Hdr;
  handle?: number;
  verdict?: string;
  mark?: number;
  raw: string;
}

const TRACE_RE = /^trace id ([0-9a-f]+) (\S+) (\S+) (\S+) (.*)$/;

export function parseHdr(s: string): Hdr {
  const hd: Hdr = {};
  const g = (re: RegExp) => re.exec(s)?.[1];
  const iif = g(/\biif "([^"]*)"/);
  const oif = g(/\boif "([^"]*)"/);
  if (iif !== undefined) hd.iif = iif;
  if (oif !== undefined) hd.oif = oif;
  const sa = g(/\bip6? saddr (\S+)/);
  const da = g(/\bip6? daddr (\S+)/);
  if (sa) hd.saddr = sa;
  if (da) hd.daddr = da;
  const sp = /\b(udp|tcp) sport (\d+)/.exec(s);
  const dp = /\b(udp|tcp) dport (\d+)/.exec(s);
  if (sp) {
    hd.proto = sp[1] as "tcp" | "udp";
    hd.sport = Number(sp[2]);
  }
  if (dp) {
    hd.proto = dp[1] as "tcp" | "udp";
    hd.dport = Number(dp[2]);
  }
  return hd;
}

export function parseTraceLine(raw: string): TraceLine | null {
  const m = TRACE_RE.exec(raw.trimEnd());
  if (!m) return null;
  const [, id, family, table, chain, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const base = { id, family, table, chain, raw };
  if (rest.startsWith("packet:")) return { ...base, type: "packet", hdr: parseHdr(rest) };
  const rule = /^rule .*# handle (\d+) \(verdict (.+)\)$/.exec(rest);
  if (rule) return { ...base, type: "rule", handle: Number(rule[1]), verdict: rule[2]! };
  const pol = /^policy (\w+)(?: meta mark (0x[0-9a-f]+))?/.exec(rest);
  if (pol)
    return {
      ...base,
      type: "policy",
      verdict: `policy ${pol[1]}`,
      mark: pol[2] ? Number(pol[2]) : 0,
    };
  const ver = /^verdict (\w+(?: \S+)?)(?: meta mark (0x[0-9a-f]+))?/.exec(rest);
  if (ver) return { ...base, type: "verdict", verdict: ver[1]!, mark: ver[2] ? Number(ver[2]) : 0 };
  return { ...base, type: "other" };
}

/** One base-chain invocation for one packet: its packet line and what followed. */
export interface Visit {
  id: string;
  family: string;
  table: string;
  chain: string;
  hook: HookName | undefined;
  /** The trace table's own chain: hook entry (exit=false) or exit (exit=true). */
  rl?: { hook: HookName; exit: boolean };
  hdr: Hdr;
  lines: TraceLine[];
  /** Mark shown by the policy/verdict line (0 when the line shows none), if any. */
  mark?: number;
}

export function buildVisits(lines: TraceLine[], map: RulesetMap): Visit[] {
  const visits: Visit[] = [];
  const cur = new Map<string, Visit>();
  for (const l of lines) {
    let v = cur.get(l.id);
    if (l.type === "packet" || !v) {
      const isRl = l.family === "inet" && l.table === "rltrace" ? RL_CHAINS[l.chain] : undefined;
      const prevHdr = v?.hdr ?? {};
      v = {
        id: l.id,
        family: l.family,
        table: l.table,
        chain: l.chain,
        hook: isRl?.hook ?? map.hook.get(`${l.family} ${l.table} ${l.chain}`),
        ...(isRl ? { rl: isRl } : {}),
        hdr: l.type === "packet" ? l.hdr! : prevHdr,
        lines: [],
      };
      visits.push(v);
      cur.set(l.id, v);
      if (l.type === "packet") continue;
    }
    v.lines.push(l);
    if ((l.type === "policy" || l.type === "verdict") && l.mark !== undefined) v.mark = l.mark;
  }
  return visits;
}

// ------------------------------------------------------------------------------------------
// Journeys and the kernel's verdict
// ------------------------------------------------------------------------------------------

export interface Step {
  kind: "hook" | "rule";
  hook: string;
  /**
   * hook: the devices the hook shows (prerouting/input: iif; output/postrouting: oif; forward:
   * both).
   */
  dev?: string;
  saddr?: string;
  daddr?: string;
  mark?: number;
  family?: string;
  table?: string;
  chain?: string;
  /** rule position in its chain, 0 for the policy */
  rule?: number;
  verdict?: string;
}

export function hookDev(hook: string, iif?: string | null, oif?: string | null): string {
  const i = iif ?? "";
  const o = oif ?? "";
  if (hook === "prerouting" || hook === "input") return `iif ${i}`;
  if (hook === "forward") return `iif ${i} oif ${o}`;
  return `oif ${o}`;
}

export function formatStep(s: Step): string {
  if (s.kind === "hook") {
    const mark = `mark 0x${(s.mark ?? 0).toString(16)}`;
    return `${s.hook.toUpperCase()} ${s.dev ?? ""} ${s.saddr ?? "?"} > ${s.daddr ?? "?"} ${mark}`;
  }
  const rule = s.rule ? `#${s.rule}` : "policy";
  return `  ${s.family} ${s.table} ${s.chain} ${rule} ${s.verdict}`.replace(
    " policy policy ",
    " policy ",
  );
}

export interface Final {
  verdict: "sent" | "delivered" | "dropped" | "error";
  oif?: string | null;
  saddr?: string;
  daddr?: string;
  sport?: number;
  dport?: number;
  mark?: number;
  reason?: string;
  error?: string;
}

export interface KernelOutcome {
  final: Final;
  steps: Step[];
  /** Notes for the report (what the trace/arrivals/sender showed). */
  notes: string[];
  /** Raw trace lines of the journey (for verbose output and surprises). */
  raw: string[];
}

type Dir = "orig" | "reply" | "other";

interface Segment {
  visits: Visit[];
  dir: Dir;
  startHook: HookName | undefined;
  startIif: string | undefined;
}

function dirOf(hd: Hdr, proto: string, sport: number): Dir {
  if (hd.proto !== proto) return "other";
  if (hd.sport === sport) return "orig";
  if (hd.dport === sport) return "reply";
  return "other";
}

function segments(visits: Visit[], proto: string, sport: number): Segment[] {
  const segs: Segment[] = [];
  const open = new Map<string, Segment>();
  for (const v of visits) {
    let s = open.get(v.id);
    const entry = v.rl && !v.rl.exit ? v.rl.hook : undefined;
    const starts = entry === "prerouting" || entry === "output";
    if (starts || !s) {
      // A new packet (entry of prerouting/output), or a trace id seen for the first time
      // mid-journey: the id hashes skb->skb_iif, which changes after a loop through lo and
      // when a bridge passes a frame up to its own device (br_netfilter runs PREROUTING
      // on the port's id, FORWARD/INPUT then show up under another id).
      s = { visits: [], dir: dirOf(v.hdr, proto, sport), startHook: entry, startIif: v.hdr.iif };
      segs.push(s);
      open.set(v.id, s);
    }
    s.visits.push(v);
  }
  return segs;
}

function lastExit(s: Segment): Visit | undefined {
  const v = s.visits[s.visits.length - 1];
  return v?.rl?.exit ? v : undefined;
}

/**
 * Follow a journey from its start segment through segments that continue it under another
 * trace id.
 */
function follow(segs: Segment[], startIdx: number): Segment[] {
  const out = [segs[startIdx]!];
  const dir = segs[startIdx]!.dir;
  let i = startIdx;
  for (let guard = 0; guard < 8; guard++) {
    const ex = lastExit(out[out.length - 1]!);
    if (!ex) break;
    const hk = ex.rl!.hook;
    let want: (s: Segment) => boolean;
    if (hk === "postrouting" && ex.hdr.oif === "lo")
      want = (s) => s.startHook === "prerouting" && s.startIif === "lo";
    else if (hk === "prerouting")
      want = (s) =>
        (s.startHook === "input" || s.startHook === "forward") && s.startIif === ex.hdr.iif;
    else if (hk === "output" || hk === "forward") want = (s) => s.startHook === "postrouting";
    else break;
    const j = segs.findIndex((s, k) => k > i && s.dir === dir && want(s));
    if (j < 0) break;
    out.push(segs[j]!);
    i = j;
  }
  return out;
}

function stepsOf(visits: Visit[], map: RulesetMap): Step[] {
  const steps: Step[] = [];
  for (const v of visits) {
    if (v.rl) {
      if (!v.rl.exit)
        steps.push({
          kind: "hook",
          hook: v.rl.hook,
          dev: hookDev(v.rl.hook, v.hdr.iif, v.hdr.oif),
          ...(v.hdr.saddr ? { saddr: v.hdr.saddr } : {}),
          ...(v.hdr.daddr ? { daddr: v.hdr.daddr } : {}),
          mark: v.mark ?? 0,
        });
      continue;
    }
    const hook = v.hook ?? "?";
    for (const l of v.lines) {
      if (l.type === "rule") {
        const p = map.pos.get(`${l.family} ${l.table} ${l.chain} ${l.handle}`);
        steps.push({
          kind: "rule",
          hook,
          family: l.family,
          table: l.table,
          chain: l.chain,
          rule: p ?? -(l.handle ?? 0),
          verdict: l.verdict!,
        });
      } else if (l.type === "policy") {
        steps.push({
          kind: "rule",
          hook,
          family: l.family,
          table: l.table,
          chain: l.chain,
          rule: 0,
          verdict: l.verdict!,
        });
      }
    }
  }
  return steps;
}

export interface Arrival {
  ev: "rx";
  if: string;
  fam: number;
  proto: "tcp" | "udp";
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
  tos: number;
  flags?: number;
  /** host-side L3 device of the peer that saw it */
  hostIf: string;
}

export interface SenderResult {
  ok: boolean;
  errno?: string;
  error?: string;
  stage?: string;
  reply?: unknown;
  reply_error?: string;
  raw: string;
}

function dropReason(visits: Visit[]): string {
  for (let i = visits.length - 1; i >= 0; i--) {
    const v = visits[i]!;
    for (let k = v.lines.length - 1; k >= 0; k--) {
      const l = v.lines[k]!;
      if (l.verdict === "drop" || l.verdict === "policy drop") {
        const what = l.type === "policy" ? "policy drop" : "rule verdict drop";
        return `${l.family} ${l.table} ${l.chain}: ${what}`;
      }
    }
  }
  const last = visits[visits.length - 1];
  if (!last) return "not traced";
  const hk = last.rl?.hook ?? last.hook ?? "?";
  if (last.rl?.exit) {
    if (hk === "prerouting")
      return "dropped after PREROUTING (input route lookup: no route, martian or rp_filter)";
    if (hk === "output") return "dropped after OUTPUT (re-route failed?)";
    return `dropped after ${hk.toUpperCase()}`;
  }
  return `dropped inside ${hk.toUpperCase()} (a chain did not return it)`;
}

/** The kernel's verdict for one journey (a list of segments). */
function conclude(
  segs: Segment[],
  map: RulesetMap,
  arrivals: Arrival[],
  peerIfs: Set<string>,
): KernelOutcome {
  const visits = segs.flatMap((s) => s.visits);
  const steps = stepsOf(visits, map);
  const raw = visits.flatMap((v) => [
    `[${v.family} ${v.table} ${v.chain}] ${JSON.stringify(v.hdr)}`,
    ...v.lines.map((l) => "  " + l.raw.replace(/^trace id \S+ /, "")),
  ]);
  const notes: string[] = [];
  const last = visits[visits.length - 1]!;
  const fin = (verdict: Final["verdict"], v: Visit, extra: Partial<Final> = {}): Final => ({
    verdict,
    ...(v.hdr.saddr ? { saddr: v.hdr.saddr } : {}),
    ...(v.hdr.daddr ? { daddr: v.hdr.daddr } : {}),
    ...(v.hdr.sport !== undefined ? { sport: v.hdr.sport } : {}),
    ...(v.hdr.dport !== undefined ? { dport: v.hdr.dport } : {}),
    mark: v.mark ?? lastMark(visits),
    ...extra,
  });
  if (last.rl?.exit && last.rl.hook === "postrouting") {
    const oif = last.hdr.oif ?? null;
    const f = fin("sent", last, { oif });
    const hit = arrivals.find(
      (a) =>
        a.hostIf === oif &&
        a.proto === last.hdr.proto &&
        a.saddr === f.saddr &&
        a.daddr === f.daddr &&
        a.sport === f.sport &&
        a.dport === f.dport,
    );
    if (hit) return { final: f, steps, notes, raw };
    if (oif && peerIfs.has(oif)) {
      const near = arrivals
        .filter((a) => a.sport === f.sport || a.dport === f.dport)
        .map((a) => `${a.hostIf} ${a.saddr}:${a.sport}>${a.daddr}:${a.dport}`);
      const seen = near.length ? ` (seen: ${near.join(", ")})` : "";
      return {
        final: {
          ...f,
          verdict: "dropped",
          reason: `left POSTROUTING on ${oif} but never arrived at the peer${seen}`,
        },
        steps,
        notes,
        raw,
      };
    }
    notes.push(`${oif} has no peer: the packet was not observed on the wire`);
    return { final: f, steps, notes, raw };
  }
  if (last.rl?.exit && last.rl.hook === "input")
    return { final: fin("delivered", last), steps, notes, raw };
  return { final: fin("dropped", last, { reason: dropReason(visits) }), steps, notes, raw };
}

function lastMark(visits: Visit[]): number {
  for (let i = visits.length - 1; i >= 0; i--)
    if (visits[i]!.mark !== undefined) return visits[i]!.mark!;
  return 0;
}

export interface ProbeObservation {
  spec: PacketSpec;
  sport: number;
  lines: TraceLine[];
  arrivals: Arrival[];
  listened: unknown[];
  sender?: SenderResult;
}

/**
 * A packet the trace says did not leave, yet a peer saw it: say so loudly (harness or kernel
 * surprise).
 */
function checkArrivals(k: KernelOutcome, arrivals: Arrival[], mine: (a: Arrival) => boolean): void {
  if (k.final.verdict === "sent") return;
  const seen = arrivals.filter(mine);
  if (!seen.length) return;
  const received = seen
    .map((a) => `${a.proto} ${a.saddr}:${a.sport} > ${a.daddr}:${a.dport} on ${a.hostIf}`)
    .join(", ");
  k.notes.push(`INCONSISTENT: the trace says ${k.final.verdict}, but a peer received ${received}`);
}

/** From everything observed during one packet's window, the kernel's answer for the packet. */
export function analyze(o: ProbeObservation, map: RulesetMap, peerIfs: Set<string>): KernelOutcome {
  const p = o.spec;
  const visits = buildVisits(o.lines, map);
  const segs = segments(visits, p.proto, o.sport);
  const origIdx = segs.findIndex(
    (s) =>
      s.dir === "orig" &&
      (p.iif ? s.startHook === "prerouting" && s.startIif === p.iif : s.startHook === "output"),
  );
  if (origIdx < 0) {
    if (o.sender && !o.sender.ok)
      return {
        final: { verdict: "error", error: o.sender.error ?? "?" },
        steps: [],
        notes: [`sender: ${o.sender.errno} at ${o.sender.stage}`],
        raw: [],
      };
    const why = o.sender ? `sender said ${o.sender.raw.trim()}` : "injected";
    return {
      final: { verdict: "dropped", reason: `no trace of the packet (${why})` },
      steps: [],
      notes: [],
      raw: o.lines.map((l) => l.raw),
    };
  }
  const orig = conclude(follow(segs, origIdx), map, o.arrivals, peerIfs);
  checkArrivals(orig, o.arrivals, (a) => a.sport === o.sport);
  if (o.sender && !o.sender.ok)
    orig.notes.push(`sender: ${o.sender.errno} (${o.sender.error}) at ${o.sender.stage}`);
  for (const l of o.listened as {
    proto?: string;
    local?: string;
    port?: number;
    fport?: number;
    from?: string;
    origdst?: string;
    origport?: number;
  }[])
    if (l.fport === o.sport) {
      const origDst = l.origdst ? ` (original destination ${l.origdst}:${l.origport})` : "";
      orig.notes.push(
        `host listener ${l.proto} ${l.local}:${l.port} got it from ${l.from}:${l.fport}${origDst}`,
      );
    }
  if (!p.reply) return orig;
  if (orig.final.verdict !== "sent")
    return {
      ...orig,
      notes: [...orig.notes, `reply: the original was ${orig.final.verdict}, there is no reply`],
    };
  const repIdx = segs.findIndex(
    (s, k) =>
      k > origIdx && s.dir === "reply" && s.startHook === "prerouting" && s.startIif !== "lo",
  );
  if (repIdx < 0)
    return {
      final: {
        verdict: "dropped",
        reason: "the far side answered but the reply never reached the host's PREROUTING",
      },
      steps: [],
      notes: [`original: ${JSON.stringify(orig.final)}`],
      raw: orig.raw,
    };
  const rep = conclude(follow(segs, repIdx), map, o.arrivals, peerIfs);
  checkArrivals(rep, o.arrivals, (a) => a.dport === o.sport);
  const o1 = orig.final;
  rep.notes.push(
    `original: ${o1.verdict} ${o1.oif ?? ""} ${o1.saddr}:${o1.sport} > ${o1.daddr}:${o1.dport}` +
      ` mark 0x${(o1.mark ?? 0).toString(16)}`,
  );
  if (o.sender?.reply) rep.notes.push(`sender got the reply: ${JSON.stringify(o.sender.reply)}`);
  else if (o.sender?.reply_error) rep.notes.push(`sender: ${o.sender.reply_error}`);
  return rep;
}

// ------------------------------------------------------------------------------------------
// The bed: host + peers + monitor + agents
// ------------------------------------------------------------------------------------------

interface PeerRt {
  spec: PeerSpec;
  ns: string;
  far: string;
  hostMac: string;
  agent: Proc;
}

export interface FamilyKernelRun {
  ok: boolean;
  /** setup failure (scenario bug) */
  error?: string;
  setupMs: number;
  packetsMs: number;
  outcomes: KernelOutcome[];
  observations: ProbeObservation[];
}

/**
 * Let IPv6 DAD finish for global addresses (at most 3 s). Link-local addresses are not
 * waited for: no packet of a family uses them (the far ends answer neighbour solicitations
 * for any address).
 */
async function waitDad(ns: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    const r = runSync("ip", ["-n", ns, "-6", "-o", "addr", "show", "tentative"]);
    const pending = r.stdout
      .split("\n")
      .filter(
        (l) =>
          l.includes("inet6") &&
          !l.includes("dadfailed") &&
          !/ fe80:/.test(l) &&
          !l.includes("NO-CARRIER"),
      );
    if (!pending.length) return;
    await sleep(100);
  }
}

function ipJson(ns: string, args: string[]): Record<string, unknown>[] {
  const r = runSync("ip", ["-n", ns, "-j", ...args]);
  if (r.status !== 0) throw new Error(`ip -n ${ns} -j ${args.join(" ")}: ${r.stderr.trim()}`);
  return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>[]) : [];
}

function must(r: { status: number | null; stderr: string }, what: string): void {
  if (r.status !== 0) throw new Error(`${what}: ${r.stderr.trim()}`);
}

export class Bed {
  readonly host: string;
  readonly peers: PeerRt[] = [];
  readonly created: string[] = [];
  monitor: Proc | null = null;
  listener: Proc | null = null;
  map: RulesetMap = { pos: new Map(), hook: new Map() };
  private syncN = 0;
  private monIdx = 0;

  constructor(readonly fam: Family) {
    this.host = hostNsName(fam.name);
  }

  private addNs(name: string): void {
    if (fs.existsSync(`/run/netns/${name}`)) runSync("ip", ["netns", "del", name]);
    must(runSync("ip", ["netns", "add", name]), `ip netns add ${name}`);
    this.created.push(name);
    must(runSync("ip", ["-n", name, "link", "set", "lo", "up"]), `lo up in ${name}`);
  }

  /** Build everything; throws with a readable message on a scenario/setup problem. */
  async setup(): Promise<void> {
    const fam = this.fam;
    const t0 = Date.now();
    const phase = (what: string) => {
      if (process.env.ROUTELAB_JOURNEY_DEBUG === "1")
        console.log(`[journey] ${fam.name}: ${what} at ${Date.now() - t0} ms`);
    };
    this.addNs(this.host);
    this.runScript();
    phase("script done");
    const dir = helperDir();
    fam.peers.forEach((spec, i) => this.addPeer(spec, i, dir));
    phase("peers moved");
    await this.startHelpers(dir);
    phase("agents ready");
    await waitDad(this.host);
    phase("dad done");
    await this.startMonitor();
    phase("monitor ready");
  }

  /** The family's setup script, as users write it, in the host namespace. */
  private runScript(): void {
    const fam = this.fam;
    const sr = runSync("ip", ["netns", "exec", this.host, "bash", "-e", fam.script], {
      cwd: path.dirname(fam.script),
      timeoutMs: 60_000,
    });
    if (sr.status !== 0)
      throw new Error(`${fam.name}.sh failed in the kernel (scenario bug):\n${sr.stderr}`);
  }

  /**
   * A peer: its own namespace, the far end of the host's veth moved into it, and an agent
   * that sees (and injects) frames there.
   */
  private addPeer(spec: PeerSpec, i: number, dir: string): void {
    const fam = this.fam;
    const ns = `${this.host}_p${i}`;
    this.addNs(ns);
    // The peer's own kernel stays out of the way: no IPv6 (no RS/MLD/ND of its own), every
    // IP packet dropped before routing. The agent sees frames before that (AF_PACKET).
    must(
      runSync("ip", [
        "netns",
        "exec",
        ns,
        "sysctl",
        "-qw",
        "net.ipv6.conf.default.disable_ipv6=1",
        "net.ipv6.conf.all.disable_ipv6=1",
      ]),
      `sysctl in ${ns}`,
    );
    must(
      runSync("ip", ["netns", "exec", ns, "nft", "-f", "-"], {
        input:
          "table inet sink {\n" +
          "  chain pre { type filter hook prerouting priority -500; policy drop; }\n" +
          "}\n",
      }),
      `sink table in ${ns}`,
    );
    const l = ipJson(this.host, ["-d", "link", "show", "dev", spec.ifname])[0];
    if (!l)
      throw new Error(`${fam.name}.peers:${spec.line}: the host has no interface ${spec.ifname}`);
    const kind = (l.linkinfo as { info_kind?: string } | undefined)?.info_kind;
    const far = typeof l.link === "string" ? l.link : undefined;
    if (kind !== "veth" || !far)
      throw new Error(
        `${fam.name}.peers:${spec.line}: ${spec.ifname} must be a veth whose other end ` +
          `the script leaves in the host (got ${kind ?? "?"}` +
          `${far ? ` peer ${far}` : ", peer not in the host"})`,
      );
    must(runSync("ip", ["-n", this.host, "link", "set", far, "netns", ns]), `move ${far} to ${ns}`);
    must(runSync("ip", ["-n", ns, "link", "set", far, "up"]), `${far} up in ${ns}`);
    const l3 = ipJson(this.host, ["link", "show", "dev", spec.l3dev])[0];
    const hostMac = l3 && typeof l3.address === "string" ? l3.address : "";
    if (!hostMac)
      throw new Error(`${fam.name}.peers:${spec.line}: no MAC address on ${spec.l3dev}`);
    const agent = new Proc(`agent ${spec.ifname}`, "ip", [
      "netns",
      "exec",
      ns,
      PY,
      path.join(dir, "journey-agent.py"),
      far,
    ]);
    this.peers.push({ spec, ns, far, hostMac, agent });
  }

  /** Wait for the peers' agents; start the host's listeners (the .peers `listen` lines). */
  private async startHelpers(dir: string): Promise<void> {
    const fam = this.fam;
    for (const p of this.peers) {
      const i = await p.agent.waitFor((x) => x.includes('"ready"'), 0, 5000);
      if (i < 0) throw new Error(`agent for ${p.spec.ifname} did not start: ${p.agent.stderr}`);
    }
    if (fam.listens.length) {
      this.listener = new Proc("listener", "ip", [
        "netns",
        "exec",
        this.host,
        PY,
        path.join(dir, "journey-listen.py"),
        JSON.stringify(fam.listens),
      ]);
      if ((await this.listener.waitFor((x) => x.includes('"ready"'), 0, 5000)) < 0)
        throw new Error(`host listeners did not start: ${this.listener.stderr}`);
    }
  }

  /** Load the trace table, map the ruleset, and start `nft monitor` (ready once it syncs). */
  private async startMonitor(): Promise<void> {
    must(
      runSync("ip", ["netns", "exec", this.host, "nft", "-f", "-"], { input: traceTableText() }),
      "trace table",
    );
    this.map = readRuleset(this.host);
    this.monitor = new Proc("monitor", "ip", ["netns", "exec", this.host, "nft", "-a", "monitor"]);
    // The monitor is ready when it prints our first sync element.
    if (!(await this.sync(5000)))
      throw new Error(`nft monitor in ${this.host} printed nothing: ${this.monitor.stderr}`);
  }

  /**
   * Add an element to the sync set and wait until the monitor printed it (everything before it
   * is read).
   */
  private async sync(timeoutMs = 2000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // A new element each time: re-adding an existing one prints no event.
      const n = ++this.syncN;
      const want = `add element inet rltrace rlsync { ${n} }`;
      const r = await runAsync(
        "ip",
        [
          "netns",
          "exec",
          this.host,
          "nft",
          "add",
          "element",
          "inet",
          "rltrace",
          "rlsync",
          `{ ${n} }`,
        ],
        5000,
      );
      if (r.status !== 0) throw new Error(`sync element: ${r.stderr}`);
      const i = await this.monitor!.waitFor(
        (l) => l.trim() === want,
        this.monIdx,
        Math.min(500, Math.max(50, deadline - Date.now())),
      );
      if (i >= 0) return true;
      if (Date.now() > deadline) return false;
      // The monitor was not listening yet: try again with a new element.
    }
  }

  private async quiet(quietMs: number, maxMs: number): Promise<void> {
    const t0 = Date.now();
    while (Date.now() - t0 < maxMs) {
      const idle = Date.now() - activity.last;
      if (idle >= quietMs) return;
      await sleep(quietMs - idle + 5);
    }
  }

  /** Send one packet (from a peer or a local socket) and collect what the kernel showed. */
  async sendPacket(p: PacketSpec, sport: number): Promise<ProbeObservation> {
    const startMon = this.monitor!.lines.length;
    const agentStart = new Map(this.peers.map((x) => [x, x.agent.lines.length] as const));
    const listenStart = this.listener?.lines.length ?? 0;
    if (p.reply) await this.armReplies(p, sport, agentStart);
    let sender: SenderResult | undefined;
    activity.last = Date.now();
    if (p.iif) await this.inject(p, sport);
    else sender = await this.sendLocal(p, sport);
    if (p.reply) await this.resetReplies(sport);
    if (!(await this.sync()))
      throw new Error("nft monitor stopped answering (sync element never printed)");
    const end = this.monitor!.lines.length;
    this.monIdx = end;
    const lines = this.monitor!.lines.slice(startMon, end)
      .map(parseTraceLine)
      .filter((x): x is TraceLine => x !== null);
    const arrivals: Arrival[] = [];
    for (const x of this.peers) {
      for (const l of x.agent.lines.slice(agentStart.get(x)!)) {
        if (!l.includes('"rx"')) continue;
        const a = JSON.parse(l) as Arrival;
        arrivals.push({ ...a, hostIf: x.spec.l3dev });
      }
    }
    const listened = (this.listener?.lines.slice(listenStart) ?? []).map(
      (l) => JSON.parse(l) as unknown,
    );
    return { spec: p, sport, lines, arrivals, listened, ...(sender ? { sender } : {}) };
  }

  /** Ask every peer's agent to answer the packet (a `reply` line), and wait until armed. */
  private async armReplies(
    p: PacketSpec,
    sport: number,
    agentStart: Map<PeerRt, number>,
  ): Promise<void> {
    for (const x of this.peers)
      x.agent.write(JSON.stringify({ op: "reply", proto: p.proto, port: sport, id: sport }) + "\n");
    for (const x of this.peers)
      await x.agent.waitFor(
        (l) => l.includes('"ok"') && l.includes(`"id": ${sport}`),
        agentStart.get(x)!,
        2000,
      );
  }

  /** A packet arriving on `iif`: the peer behind it injects the frame. */
  private async inject(p: PacketSpec, sport: number): Promise<void> {
    const peer = this.peers.find((x) => x.spec.l3dev === p.iif)!;
    const mark = peer.agent.lines.length;
    peer.agent.write(
      JSON.stringify({
        op: "inject",
        id: sport,
        proto: p.proto,
        saddr: p.from,
        daddr: p.dst,
        sport,
        dport: p.dport,
        tos: p.tos ?? 0,
        dstmac: peer.hostMac,
      }) + "\n",
    );
    await peer.agent.waitFor((l) => l.includes('"injected"'), mark, 2000);
    await this.quiet(p.reply ? 250 : 150, 1500);
  }

  /** A locally generated packet: journey-send.py sends it from a socket (as uid/gid). */
  private async sendLocal(p: PacketSpec, sport: number): Promise<SenderResult> {
    const uid = p.uid ?? 0;
    const gid = p.gid ?? 0;
    const opts = {
      dst: p.dst,
      dport: p.dport,
      proto: p.proto,
      sport,
      ...(p.from ? { from: p.from } : {}),
      ...(p.oif ? { oif: p.oif } : {}),
      ...(p.mark !== undefined ? { mark: p.mark } : {}),
      ...(p.tos !== undefined ? { tos: p.tos } : {}),
      reply: p.reply,
      wait_ms: 700,
    };
    const cmd = ["netns", "exec", this.host];
    if (uid !== 0 || gid !== 0)
      cmd.push(
        SETPRIV,
        "--reuid",
        String(uid),
        "--regid",
        String(gid),
        "--clear-groups",
        "--inh-caps",
        "+net_admin,+net_raw",
        "--ambient-caps",
        "+net_admin,+net_raw",
      );
    cmd.push(PY, path.join(helperDir(), "journey-send.py"), JSON.stringify(opts));
    const r = await runAsync("ip", cmd, 10_000);
    const line = r.stdout.trim().split("\n").pop() ?? "";
    let sender: SenderResult;
    try {
      sender = { ...(JSON.parse(line) as Omit<SenderResult, "raw">), raw: line };
    } catch {
      sender = {
        ok: false,
        errno: "?",
        error: `sender crashed: ${r.stderr.trim() || r.stdout.trim()}`,
        stage: "run",
        raw: r.stdout + r.stderr,
      };
    }
    activity.last = Date.now();
    await this.quiet(150, 1500);
    return sender;
  }

  /** Forget the reply request in agents that never saw the packet. */
  private async resetReplies(sport: number): Promise<void> {
    for (const x of this.peers) {
      const at = x.agent.lines.length;
      x.agent.write(JSON.stringify({ op: "reset", id: -sport }) + "\n");
      await x.agent.waitFor((l) => l.includes(`"id": ${-sport}`), at, 2000);
    }
  }

  /** Stop helpers and delete every namespace made for this family. */
  async destroy(): Promise<void> {
    await Promise.all([
      this.monitor?.stop(),
      this.listener?.stop(),
      ...this.peers.map((p) => p.agent.stop()),
    ]);
    for (const n of this.created.reverse()) runSync("ip", ["netns", "del", n]);
    this.created.length = 0;
  }
}

/** Set up, send every packet, tear down (also on failure). */
export async function runFamilyKernel(fam: Family): Promise<FamilyKernelRun> {
  const bed = new Bed(fam);
  const t0 = Date.now();
  const run: FamilyKernelRun = {
    ok: false,
    setupMs: 0,
    packetsMs: 0,
    outcomes: [],
    observations: [],
  };
  try {
    await bed.setup();
    run.setupMs = Date.now() - t0;
    const t1 = Date.now();
    const peerIfs = new Set(fam.peers.map((p) => p.l3dev));
    for (const [i, p] of fam.packets.entries()) {
      const o = await bed.sendPacket(p, sportOf(p, i));
      run.observations.push(o);
      run.outcomes.push(analyze(o, bed.map, peerIfs));
    }
    run.packetsMs = Date.now() - t1;
    run.ok = true;
  } catch (e) {
    run.error = (e as Error).message;
    if (!run.setupMs) run.setupMs = Date.now() - t0;
  } finally {
    await bed.destroy();
  }
  return run;
}

/** Safety net for an aborted run: delete every namespace of this process. */
export function deleteOwnNamespaces(): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync("/run/netns");
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^nfj_[A-Za-z0-9]*_(\d+)(_p\d+)?$/.exec(n);
    if (m && Number(m[1]) === process.pid) runSync("ip", ["netns", "del", n]);
  }
}

// ------------------------------------------------------------------------------------------
// routelab's side and the comparison
// ------------------------------------------------------------------------------------------

export interface RoutelabAnswer {
  ok: boolean;
  final?: Final & { gateway?: string | null; ctmark?: number };
  steps: Step[];
  /** Unparsed answer (errors, or the JSON line). */
  raw: string;
}

type J = Record<string, unknown>;

/**
 * routelab's verdict words -> the kernel trace's (`MARK set …` is `continue`, DNAT is
 * `accept`...).
 */
export function normalizeVerdict(v: string, text: string): string {
  const t = v.trim();
  const pol = /^policy (\w+)/i.exec(t);
  if (pol) return `policy ${pol[1]!.toLowerCase()}`;
  const iptables = text.startsWith("-A ") || text.startsWith("-I ");
  const last = (t.split("; ").pop() ?? t).trim();
  const jg = /^(jump|goto) (\S+)/i.exec(last);
  if (jg) return `${jg[1]!.toLowerCase()} ${jg[2]}`;
  const word = last.split(/[\s(]/)[0]!.toLowerCase();
  if (["accept", "drop", "return", "continue", "queue"].includes(word)) return word;
  if (word === "reject") return "drop";
  if (iptables) {
    const target = /-j (\S+)/.exec(text)?.[1] ?? "";
    if (["DNAT", "SNAT", "MASQUERADE", "REDIRECT", "TPROXY", "ACCEPT"].includes(target))
      return /no socket/.test(t) ? "drop" : "accept";
    if (target === "DROP" || target === "REJECT") return "drop";
    if (target === "RETURN") return "return";
  } else if (/^(dnat|snat|masquerade|redirect)\b/.test(word)) return "accept";
  return "continue";
}

export function routelabSteps(trace: J[]): Step[] {
  const steps: Step[] = [];
  for (const t of trace) {
    if (t.kind === "hook") {
      const hook = String(t.hook);
      steps.push({
        kind: "hook",
        hook,
        dev: hookDev(hook, t.iif as string | undefined, t.oif as string | undefined),
        ...(typeof t.saddr === "string" ? { saddr: t.saddr } : {}),
        ...(typeof t.daddr === "string" ? { daddr: t.daddr } : {}),
        mark: Number(t.mark ?? 0) >>> 0,
      });
    } else if (t.kind === "rule") {
      if (t.matched === false) continue;
      const verdict = String(t.verdict ?? "");
      if (verdict === "no match") continue;
      steps.push({
        kind: "rule",
        hook: String(t.hook),
        family: String(t.family),
        table: String(t.table),
        chain: String(t.chain),
        rule: Number(t.rule ?? 0),
        verdict: normalizeVerdict(verdict, String(t.text ?? "")),
      });
    }
  }
  return steps;
}

export function parseRoutelab(a: h.Answer | undefined): RoutelabAnswer {
  if (!a || a.kind !== "ok") return { ok: false, steps: [], raw: h.describeAnswer(a) };
  const j = a.json as J;
  const f = j.final as J | undefined;
  if (!f || !Array.isArray(j.trace)) return { ok: false, steps: [], raw: a.raw };
  return {
    ok: true,
    final: f as unknown as RoutelabAnswer["final"],
    steps: routelabSteps(j.trace as J[]),
    raw: a.raw,
  };
}

/** Final fields compared for a verdict. */
export function finalDiffs(k: Final, r: Final): string[] {
  const d: string[] = [];
  const cmp = (name: string, kv: unknown, rv: unknown) => {
    if (kv === undefined) return;
    if (JSON.stringify(kv) !== JSON.stringify(rv))
      d.push(`final.${name}: kernel ${JSON.stringify(kv)}, routelab ${JSON.stringify(rv)}`);
  };
  cmp("verdict", k.verdict, r.verdict);
  if (k.verdict !== r.verdict) return d;
  if (k.verdict === "error") {
    cmp("error", k.error, r.error);
    return d;
  }
  if (k.verdict === "sent") cmp("oif", k.oif, r.oif);
  cmp("saddr", k.saddr, r.saddr);
  cmp("daddr", k.daddr, r.daddr);
  if (k.verdict !== "dropped") cmp("dport", k.dport, r.dport);
  cmp("mark", k.mark, r.mark === undefined ? undefined : Number(r.mark) >>> 0);
  return d;
}

/** Line diff (LCS) of two step lists: `  same`, `- kernel only`, `+ routelab only`. */
export function diffSteps(k: string[], r: string[]): string[] {
  const n = k.length;
  const m = r.length;
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      L[i]![j] = k[i] === r[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && k[i] === r[j]) {
      out.push(`    ${k[i]}`);
      i++;
      j++;
    } else if (j < m && (i >= n || L[i]![j + 1]! >= L[i + 1]![j]!))
      out.push(`  + ${r[j++]}   (routelab only)`);
    else out.push(`  - ${k[i++]}   (kernel only)`);
  }
  return out;
}

export function compareOutcome(k: KernelOutcome, r: RoutelabAnswer): string[] {
  if (!r.ok || !r.final) return [`routelab gave no trace: ${r.raw}`];
  const diffs = finalDiffs(k.final, r.final);
  const ks = k.steps.map(formatStep);
  const rs = r.steps.map(formatStep);
  if (JSON.stringify(ks) !== JSON.stringify(rs))
    diffs.push(`trace differs (kernel vs routelab):\n${diffSteps(ks, rs).join("\n")}`);
  return diffs;
}

export function describeFinal(f: Final | undefined): string {
  if (!f) return "(none)";
  if (f.verdict === "error") return `error: ${f.error}`;
  const where = f.verdict === "sent" ? ` via ${f.oif}` : "";
  const flow = `${f.saddr ?? "?"}:${f.sport ?? "?"} > ${f.daddr ?? "?"}:${f.dport ?? "?"}`;
  const reason = f.reason ? ` (${f.reason})` : "";
  return `${f.verdict}${where} ${flow} mark 0x${(f.mark ?? 0).toString(16)}${reason}`;
}

/** Run routelab over a family's packets (one batch); answers correlated per line. */
export function routelabRun(
  cli: string,
  fam: Family,
  lines: string[],
): { answers: RoutelabAnswer[]; stray: string[]; ms: number } {
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const diag = new RegExp(`^(${esc(fam.script)}|${esc(path.basename(fam.script))}):\\d+`);
  // The host's listening sockets (the .peers `listen` lines) tell routelab where TPROXY finds
  // a socket.
  const listenArgs = fam.listens.flatMap((l) => [
    "--listen",
    `${l.proto} ${l.addr} ${l.port}${l.transparent ? " transparent" : ""}`,
  ]);
  const out = h.runBatch(
    process.execPath,
    [cli, ...listenArgs, "--load", fam.script, "-j", "-force", "-batch"],
    lines,
    `jr-${fam.name}`,
    diag,
  );
  return {
    answers: lines.map((_, i) => parseRoutelab(out.answers[i])),
    stray: out.stray,
    ms: out.ms,
  };
}

/** Is routelab built and does it answer `trace` in JSON? */
export function routelabTraceStatus(cli: string): { ok: boolean; reason: string } {
  if (!fs.existsSync(cli))
    return {
      ok: false,
      reason: `${path.relative(h.REPO_ROOT, cli)} does not exist (run \`npm run build\`)`,
    };
  const dir = helperDir();
  const script = path.join(dir, "cli-probe.sh");
  fs.writeFileSync(script, "ip link set lo up\n");
  const batch = path.join(dir, "cli-probe.batch");
  fs.writeFileSync(batch, "trace 127.0.0.1 ipproto udp dport 9\n");
  const r = runSync(process.execPath, [cli, "--load", script, "-j", "-batch", batch]);
  try {
    const j = JSON.parse(r.stdout.trim().split("\n")[0] ?? "") as J;
    if (j.final && Array.isArray(j.trace)) return { ok: true, reason: "" };
  } catch {
    /* below */
  }
  const first = (r.stderr || r.stdout).trim().split("\n")[0];
  return { ok: false, reason: `routelab does not answer \`trace\` with JSON: ${first}` };
}
