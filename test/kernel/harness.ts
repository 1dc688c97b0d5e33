/**
 * Kernel differential harness for `ip route get` ("the kernel is the oracle").
 *
 * A scenario is a pair of files in `test/kernel/scenarios/`:
 *   - `<family>.sh`     a setup script as users write it (ip / sysctl only), run with
 *                       `ip netns exec NS bash -e <family>.sh` in a throwaway namespace;
 *   - `<family>.probes` one `route get ...` line per probe (iproute2 batch syntax),
 *                       `#` comments and blank lines allowed.
 *
 * Both sides get the same batch file:
 *   kernel:   ip -n NS -j -force -batch FILE
 *   routelab: node dist/cli/main.js --load <family>.sh -j -force -batch FILE
 * and the answers are correlated per batch line (stdout: one JSON line per successful
 * command; stderr: the error lines of a failed command followed by `Command failed FILE:N`).
 *
 * Node APIs are fine here (test code); nothing in this file imports routelab's sources:
 * the oracle side must stay independent of the implementation under test.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, "..", "..");
export const SCENARIO_DIR = path.join(HERE, "scenarios");

// ------------------------------------------------------------------------------------------
// Environment
// ------------------------------------------------------------------------------------------

export interface SuiteConfig {
  /** ROUTELAB_KERNEL_ONLY=1: validate the kernel side only (no routelab CLI needed). */
  kernelOnly: boolean;
  /** ROUTELAB_KERNEL_VERBOSE=1: print every probe with the kernel's (and routelab's) answer. */
  verbose: boolean;
  /** ROUTELAB_KERNEL_FILTER=<regex>: only scenarios whose name matches. */
  filter: RegExp | null;
  /** ROUTELAB_KERNEL_SEED: base seed of the randomized probes. */
  seed: number;
  /** ROUTELAB_KERNEL_RUNS: randomized probes per scenario (0 disables them). */
  runs: number;
  /** ROUTELAB_KERNEL_SHRINK_MS: time budget for shrinking one scenario's counterexample. */
  shrinkMs: number;
  /** ROUTELAB_KERNEL_SHRINK_TOTAL_MS: shrinking budget for the whole suite. */
  shrinkTotalMs: number;
  /** ROUTELAB_CLI: path of routelab's CLI entry (default dist/cli/main.js). */
  cli: string;
}

function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name}=${v}: expected a non-negative integer`);
  return n;
}

export function suiteConfig(): SuiteConfig {
  const f = process.env.ROUTELAB_KERNEL_FILTER;
  return {
    kernelOnly: process.env.ROUTELAB_KERNEL_ONLY === "1",
    verbose: process.env.ROUTELAB_KERNEL_VERBOSE === "1",
    filter: f ? new RegExp(f) : null,
    seed: envInt("ROUTELAB_KERNEL_SEED", 20261126),
    runs: envInt("ROUTELAB_KERNEL_RUNS", 200),
    shrinkMs: envInt("ROUTELAB_KERNEL_SHRINK_MS", 8000),
    shrinkTotalMs: envInt("ROUTELAB_KERNEL_SHRINK_TOTAL_MS", 60000),
    cli: path.resolve(REPO_ROOT, process.env.ROUTELAB_CLI ?? "dist/cli/main.js"),
  };
}

/**
 * The netfilter tools the scenarios run that this machine lacks (the suites then skip with
 * one line naming the packages, or fail under CI=true).
 */
export function missingTools(): string[] {
  return ["iptables", "nft", "ipset"].filter((t) => {
    const r = spawnSync(t, ["--version"], { stdio: "ignore" });
    return r.error !== undefined;
  });
}

/** The skip line for missing tools. */
export function missingToolsLine(missing: string[]): string {
  return `needs ${missing.join(", ")}: apt-get install iptables nftables ipset`;
}

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

// ------------------------------------------------------------------------------------------
// Scenarios
// ------------------------------------------------------------------------------------------

export interface Probe {
  /** 1-based line in the .probes file. */
  line: number;
  /** The batch command, e.g. `route get 8.8.8.8 mark 0xca6c`. */
  text: string;
}

export interface Scenario {
  name: string;
  script: string;
  probesFile: string;
  probes: Probe[];
}

export function parseProbes(text: string): Probe[] {
  const out: Probe[] = [];
  text.split("\n").forEach((raw, i) => {
    const hash = raw.indexOf("#");
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim().replace(/\s+/g, " ");
    if (line !== "") out.push({ line: i + 1, text: line });
  });
  return out;
}

/** The bundled examples (examples/*.sh with *.probes) run as scenarios too, named `example-*`. */
export const EXAMPLES_DIR = path.join(REPO_ROOT, "examples");

export function loadScenarios(
  dir = SCENARIO_DIR,
  filter: RegExp | null = null,
  prefix = "",
): Scenario[] {
  const names = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".sh"))
    .map((f) => f.slice(0, -3))
    .filter((n) => !filter || filter.test(prefix + n))
    .sort();
  return names.map((name) => {
    const script = path.join(dir, `${name}.sh`);
    const probesFile = path.join(dir, `${name}.probes`);
    if (!fs.existsSync(probesFile)) throw new Error(`scenario ${name}: missing ${probesFile}`);
    return {
      name: prefix + name,
      script,
      probesFile,
      probes: parseProbes(fs.readFileSync(probesFile, "utf8")),
    };
  });
}

// ------------------------------------------------------------------------------------------
// Network namespaces (never touch the root namespace: every command is `ip -n NS` or
// `ip netns exec NS`)
// ------------------------------------------------------------------------------------------

const NS_PREFIX = "rgk";
const created = new Set<string>();

export function nsName(scenario: string): string {
  const short = scenario.replace(/[^A-Za-z0-9]/g, "").slice(0, 16);
  return `${NS_PREFIX}_${short}_${process.pid}`;
}

interface Spawned {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; timeoutMs?: number } = {},
): Spawned {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd ?? REPO_ROOT,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 120_000,
    env: { ...process.env, LC_ALL: "C" },
  });
  if (r.error) throw new Error(`${cmd} ${args.join(" ")}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "", ms: Date.now() - t0 };
}

export function createNetns(name: string): void {
  if (fs.existsSync(`/run/netns/${name}`)) deleteNetns(name);
  const r = run("ip", ["netns", "add", name]);
  if (r.status !== 0) throw new Error(`ip netns add ${name} failed: ${r.stderr.trim()}`);
  created.add(name);
}

export function deleteNetns(name: string): void {
  run("ip", ["netns", "del", name]);
  created.delete(name);
}

/** Delete every namespace this process created (afterAll / exit safety net). */
export function deleteAllCreated(): void {
  for (const n of [...created]) deleteNetns(n);
}

/** Remove namespaces left behind by earlier runs of this suite whose process is gone. */
/** Delete namespaces left by killed runs: names matching `pattern` whose group 1 is a dead pid. */
export function reapStaleNetns(pattern: RegExp = /^rgk_[A-Za-z0-9]*_(\d+)$/): string[] {
  const reaped: string[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync("/run/netns");
  } catch {
    return reaped;
  }
  for (const n of names) {
    const m = pattern.exec(n);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid) continue;
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (e) {
      alive = (e as NodeJS.ErrnoException).code === "EPERM";
    }
    if (!alive) {
      run("ip", ["netns", "del", n]);
      reaped.push(n);
    }
  }
  return reaped;
}

let exitHookInstalled = false;
export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => deleteAllCreated());
}

export interface SetupResult {
  ok: boolean;
  ms: number;
  stderr: string;
}

/** Run the scenario script inside the namespace exactly as a user would: `bash -e script`. */
export function runScenarioScript(ns: string, script: string): SetupResult {
  const r = run("ip", ["netns", "exec", ns, "bash", "-e", script], { cwd: path.dirname(script) });
  if (r.status === 0) waitSettled(ns);
  return { ok: r.status === 0, ms: r.ms, stderr: r.stderr };
}

/**
 * Let IPv6 duplicate address detection finish before probing (at most 5 s): routelab models
 * a settled host, where addresses that can finish DAD have done so. Addresses that never can
 * (no carrier) stay tentative in both.
 */
export function waitSettled(ns: string): void {
  const deadline = Date.now() + 5000;
  for (;;) {
    const r = run("ip", ["-n", ns, "-6", "addr", "show", "tentative"], {});
    const pending = r.stdout
      .split("\n")
      .filter((l) => l.includes("inet6") && !l.includes("dadfailed"));
    // Tentative addresses on links without carrier never finish: ignore those links.
    const links = run("ip", ["-n", ns, "-o", "link", "show"], {}).stdout;
    const noCarrier = new Set(
      links
        .split("\n")
        .filter((l) => l.includes("NO-CARRIER") || l.includes("state DOWN"))
        .map((l) => l.split(":")[1]?.trim().split("@")[0]),
    );
    const dev = r.stdout
      .split("\n")
      .filter((l) => /^\d+:/.test(l))
      .map((l) => l.split(":")[1]?.trim().split("@")[0]);
    if (!pending.length || dev.every((d) => noCarrier.has(d))) return;
    if (Date.now() > deadline) return;
    run("sleep", ["0.1"], {});
  }
}

// ------------------------------------------------------------------------------------------
// Batch runs and answer correlation
// ------------------------------------------------------------------------------------------

export type Answer =
  /** stdout JSON of a successful command (the raw line is kept for reports). */
  | { kind: "ok"; json: unknown; raw: string; text?: string[] }
  /** failed command: every stderr line before `Command failed FILE:N`. */
  | { kind: "error"; messages: string[] }
  /** the command made the whole batch exit (iproute2 usage errors call exit()). */
  | { kind: "aborted"; messages: string[]; status: number | null }
  /** stdout line that is not JSON (routelab side only, hopefully never). */
  | { kind: "garbage"; raw: string }
  /** no answer at all (side crashed / produced fewer lines than expected). */
  | { kind: "missing"; detail: string };

export interface BatchOutcome {
  answers: Answer[];
  /** Exit status of each batch process run (more than one if a usage error aborted a batch). */
  statuses: (number | null)[];
  ms: number;
  /** Unattributable stderr (e.g. loader diagnostics of routelab). */
  stray: string[];
}

let tmpRoot: string | null = null;
export function tmpDir(): string {
  if (!tmpRoot) tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "rgk-"));
  return tmpRoot;
}
export function removeTmpDir(): void {
  if (tmpRoot) fs.rmSync(tmpRoot, { recursive: true, force: true });
  tmpRoot = null;
}

let batchSeq = 0;

/**
 * Run `cmd ... -batch FILE` over `lines` and correlate the answers per line. If a command
 * aborts the batch (usage error), its stderr becomes its answer and the batch is resumed
 * with the following lines, so one bad line never hides the others.
 */
export function runBatch(
  cmd: string,
  argsBeforeFile: string[],
  lines: string[],
  tag: string,
  diagnostic: RegExp | null = null,
): BatchOutcome {
  const answers: Answer[] = [];
  const statuses: (number | null)[] = [];
  const stray: string[] = [];
  let ms = 0;
  let start = 0;
  let resumes = 0;
  while (start < lines.length) {
    const file = path.join(tmpDir(), `${tag}.${process.pid}.${++batchSeq}.batch`);
    const chunk = lines.slice(start);
    fs.writeFileSync(file, chunk.join("\n") + "\n");
    const r = run(cmd, [...argsBeforeFile, file]);
    ms += r.ms;
    statuses.push(r.status);
    const { parsed, consumed } = correlate(
      chunk.length,
      r.stdout,
      r.stderr,
      file,
      r.status,
      stray,
      diagnostic,
    );
    answers.push(...parsed);
    if (consumed >= chunk.length) break;
    start += consumed;
    // iproute2 exits with 255 (exit(-1)) on a usage error: resume after the bad line.
    // Anything else (a crash, a loader failure) would repeat for every line: stop.
    if (r.status !== 255 || ++resumes > 50) {
      for (let i = start; i < lines.length; i++)
        answers.push({
          kind: "missing",
          detail: `batch ended (exit ${r.status}) before this line`,
        });
      break;
    }
  }
  return { answers, statuses, ms, stray };
}

const FAILED_RE = /^Command failed (.*):(\d+)$/;

function correlate(
  n: number,
  stdout: string,
  stderr: string,
  file: string,
  status: number | null,
  stray: string[],
  diagnostic: RegExp | null,
): { parsed: Answer[]; consumed: number } {
  const outLines = stdout.split("\n").filter((l) => l.trim() !== "");
  const allErr = stderr.split("\n").filter((l) => l !== "");
  // Diagnostics about the setup script itself (routelab's loader: `<script>:LINE:COL: ...`)
  // belong to the scenario, not to the first failing probe.
  const errLines = diagnostic ? allErr.filter((l) => !diagnostic.test(l)) : allErr;
  if (diagnostic)
    stray.push(...allErr.filter((l) => diagnostic.test(l)).map((l) => `setup diagnostic: ${l}`));
  // failed line number -> the stderr lines printed since the previous marker
  const failed = new Map<number, string[]>();
  let pending: string[] = [];
  for (const l of errLines) {
    // A successful command's warning (`route get 10/8`): not part of the next failure's
    // messages; compared with the other unattributable output.
    if (l.startsWith("Warning: ")) {
      stray.push(l);
      continue;
    }
    const m = FAILED_RE.exec(l);
    if (m && m[1] === file) {
      failed.set(Number(m[2]), pending);
      pending = [];
    } else {
      pending.push(l);
    }
  }
  const parsed: Answer[] = [];
  let o = 0;
  for (let i = 1; i <= n; i++) {
    const msgs = failed.get(i);
    if (msgs) {
      parsed.push({ kind: "error", messages: msgs });
      continue;
    }
    if (o < outLines.length) {
      const raw = outLines[o++]!;
      // Text lines after a JSON answer belong to it: `route get ... connected` prints the
      // answer again in text after the JSON list (iproute2 6.1 iproute_get).
      const text: string[] = [];
      while (o < outLines.length && !/^[[{]/.test(outLines[o]!)) text.push(outLines[o++]!);
      try {
        const json: unknown = JSON.parse(raw);
        parsed.push(text.length ? { kind: "ok", json, raw, text } : { kind: "ok", json, raw });
      } catch {
        parsed.push({ kind: "garbage", raw });
      }
      continue;
    }
    // Neither a stdout line nor a failure marker: this line ended the batch.
    parsed.push({ kind: "aborted", messages: pending, status });
    return { parsed, consumed: i };
  }
  if (o < outLines.length) stray.push(...outLines.slice(o).map((l) => `extra stdout: ${l}`));
  // stderr lines not followed by a failure marker: warnings of successful commands or
  // diagnostics of the side itself.
  if (pending.length) stray.push(...pending);
  return { parsed, consumed: n };
}

/**
 * A scenario whose `.probes` has a `#! shared-stream` line is also run in text mode with
 * stdout and stderr on one file (`2>&1`): the order of answers, warnings and errors.
 */
export const SHARED_STREAM = /^#!\s*shared-stream\b/m;

/** `cmd ... -force -batch FILE` in text mode with both streams on one file: what it wrote. */
export function sharedStreamBatch(cmd: string, argsBeforeFile: string[], lines: string[]): string {
  const file = path.join(tmpDir(), `shared.${process.pid}.${++batchSeq}.batch`);
  fs.writeFileSync(file, lines.join("\n") + "\n");
  const outFile = `${file}.out`;
  const fd = fs.openSync(outFile, "w");
  try {
    spawnSync(cmd, [...argsBeforeFile, file], { stdio: ["ignore", fd, fd], timeout: 60_000 });
  } finally {
    fs.closeSync(fd);
  }
  // The batch file's name differs between the two runs.
  return fs.readFileSync(outFile, "utf8").split(file).join("FILE");
}

export function kernelBatch(ns: string, lines: string[]): BatchOutcome {
  return runBatch("ip", ["-n", ns, "-j", "-force", "-batch"], lines, `k-${ns}`);
}

function escapeRe(x: string): string {
  return x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function routelabBatch(cli: string, script: string, lines: string[]): BatchOutcome {
  const diag = new RegExp(`^(${escapeRe(script)}|${escapeRe(path.basename(script))}):\\d+`);
  return runBatch(
    process.execPath,
    [cli, "--load", script, "-j", "-force", "-batch"],
    lines,
    "r",
    diag,
  );
}

/** A side that answered nothing at all (loader failure, crash): one message instead of N diffs. */
export function brokenBatch(o: BatchOutcome): string | null {
  if (o.answers.length === 0) return null;
  if (o.answers.some((a) => a.kind === "ok" || a.kind === "error")) return null;
  const first = o.answers[0]!;
  return `no line answered (exit ${o.statuses.join(",")}): ${describeAnswer(first)}`;
}

export interface CliStatus {
  ok: boolean;
  reason: string;
}

/** Is routelab's CLI built and does it answer a trivial batch? */
export function routelabCliStatus(cli: string): CliStatus {
  if (!fs.existsSync(cli))
    return {
      ok: false,
      reason: `${path.relative(REPO_ROOT, cli)} does not exist (run \`npm run build\`)`,
    };
  const script = path.join(tmpDir(), "cli-probe.sh");
  fs.writeFileSync(script, "ip link set lo up\n");
  const out = routelabBatch(cli, script, ["route get 127.0.0.1"]);
  const a = out.answers[0];
  if (a && a.kind === "ok") return { ok: true, reason: "" };
  return {
    ok: false,
    reason: `${path.relative(REPO_ROOT, cli)} does not answer a -batch probe: ${describeAnswer(a)}`,
  };
}

// ------------------------------------------------------------------------------------------
// Comparison
// ------------------------------------------------------------------------------------------

export function describeAnswer(a: Answer | undefined): string {
  if (!a) return "(none)";
  switch (a.kind) {
    case "ok":
      return a.raw;
    case "error":
      return a.messages.length ? a.messages.join(" | ") : "(failed without message)";
    case "aborted":
      return `ABORTED batch (exit ${a.status}): ${a.messages.join(" | ")}`;
    case "garbage":
      return `non-JSON stdout: ${a.raw}`;
    case "missing":
      return `no answer: ${a.detail}`;
  }
}

function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** Field-by-field differences, as `path: kernel X, routelab Y` strings. Empty = equal. */
export function diffJson(k: unknown, r: unknown, at = ""): string[] {
  if (typeName(k) !== typeName(r))
    return [`${at || "."}: kernel ${JSON.stringify(k)}, routelab ${JSON.stringify(r)}`];
  if (Array.isArray(k) && Array.isArray(r)) {
    const out: string[] = [];
    if (k.length !== r.length)
      out.push(`${at || "."}: kernel has ${k.length} elements, routelab ${r.length}`);
    for (let i = 0; i < Math.min(k.length, r.length); i++)
      out.push(...diffJson(k[i], r[i], `${at}[${i}]`));
    return out;
  }
  if (k !== null && typeof k === "object" && r !== null && typeof r === "object") {
    const ko = k as Record<string, unknown>;
    const ro = r as Record<string, unknown>;
    const out: string[] = [];
    for (const key of Object.keys(ko)) {
      if (!(key in ro))
        out.push(`${at}.${key}: kernel ${JSON.stringify(ko[key])}, routelab (absent)`);
      else out.push(...diffJson(ko[key], ro[key], `${at}.${key}`));
    }
    for (const key of Object.keys(ro))
      if (!(key in ko))
        out.push(`${at}.${key}: kernel (absent), routelab ${JSON.stringify(ro[key])}`);
    return out;
  }
  if (k === r) return [];
  // The one documented normalization: IPv6 link-local addresses derive from the random MAC the
  // kernel gave each device (routelab uses a deterministic one), so two fe80::/64 sources agree.
  if (
    at.endsWith(".prefsrc") &&
    typeof k === "string" &&
    typeof r === "string" &&
    /^fe80::/.test(k) &&
    /^fe80::/.test(r)
  )
    return [];
  return [`${at || "."}: kernel ${JSON.stringify(k)}, routelab ${JSON.stringify(r)}`];
}

/** Differences between two answers; empty when they agree. */
export function compareAnswers(k: Answer | undefined, r: Answer | undefined): string[] {
  if (!k || !r)
    return [`missing answer (kernel: ${describeAnswer(k)}, routelab: ${describeAnswer(r)})`];
  if (k.kind === "ok" && r.kind === "ok") {
    const a = (k.text ?? []).join("\n");
    const b = (r.text ?? []).join("\n");
    const text =
      a === b
        ? []
        : [`text after the JSON: kernel ${JSON.stringify(a)}, routelab ${JSON.stringify(b)}`];
    return [...diffJson(k.json, r.json), ...text];
  }
  if (k.kind === "error" && r.kind === "error") {
    const a = k.messages.join("\n");
    const b = r.messages.join("\n");
    return a === b
      ? []
      : [`error message: kernel ${JSON.stringify(a)}, routelab ${JSON.stringify(b)}`];
  }
  if (k.kind === "aborted" && r.kind === "aborted") {
    const a = k.messages.join("\n");
    const b = r.messages.join("\n");
    return a === b && k.status === r.status
      ? []
      : [`usage error: kernel ${describeAnswer(k)}, routelab ${describeAnswer(r)}`];
  }
  return [`outcome: kernel ${k.kind}, routelab ${r.kind}`];
}

export interface Disagreement {
  probe: string;
  where: string;
  kernel: string;
  routelab: string;
  diffs: string[];
}

export function formatDisagreement(scenario: string, d: Disagreement): string {
  return [
    `  ✗ ${scenario} ${d.where}: ${d.probe}`,
    `      kernel:   ${d.kernel}`,
    `      routelab: ${d.routelab}`,
    ...d.diffs.map((x) => `      - ${x}`),
  ].join("\n");
}

// ------------------------------------------------------------------------------------------
// Kernel answer sanity (kernel-only validation)
// ------------------------------------------------------------------------------------------

/**
 * Problems with a kernel answer that mean the *probe* (not the kernel) is wrong: iproute2
 * usage errors, unknown devices, garbage. RTNETLINK errors and `Error: ...` extack
 * messages are legitimate outcomes.
 */
export function kernelAnswerProblem(a: Answer): string | null {
  switch (a.kind) {
    case "ok": {
      const j = a.json;
      // `route get` answers one object; `route show` / `address show` probes a list of them.
      if (!Array.isArray(j) || !j.every((x) => typeName(x) === "object"))
        return `unexpected JSON shape ${a.raw}`;
      return null;
    }
    case "error": {
      if (a.messages.length === 0) return "failed without a message";
      const bad = a.messages.find((m) => !/^(RTNETLINK answers: |Error: )/.test(m));
      return bad ? `not an RTNETLINK/extack error: ${bad}` : null;
    }
    default:
      return describeAnswer(a);
  }
}

// ------------------------------------------------------------------------------------------
// Addresses
// ------------------------------------------------------------------------------------------

export function parse4(s: string): number {
  const p = s.split(".");
  if (p.length !== 4) throw new Error(`bad IPv4 ${s}`);
  let n = 0;
  for (const x of p) {
    const v = Number(x);
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new Error(`bad IPv4 ${s}`);
    n = n * 256 + v;
  }
  return n;
}
export function fmt4(n: number): string {
  const v = n >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

const MAX6 = (1n << 128n) - 1n;
export function parse6(s: string): bigint {
  let str = s;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(str);
  if (v4) str = str.slice(0, -v4[1]!.length) + "0:0"; // embedded IPv4 tail, filled in below
  const halves = str.split("::");
  if (halves.length > 2) throw new Error(`bad IPv6 ${s}`);
  const head = halves[0] ? halves[0].split(":") : [];
  const back = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const fill = halves.length === 2 ? 8 - head.length - back.length : 0;
  const groups = [...head, ...Array<string>(fill).fill("0"), ...back];
  if (groups.length !== 8) throw new Error(`bad IPv6 ${s}`);
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(parseInt(g || "0", 16));
  if (v4) n = (n & ~0xffffffffn) | BigInt(parse4(v4[1]!));
  return n;
}
export function fmt6(n: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (>= 2) of zero groups.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

interface Prefix4 {
  net: number;
  len: number;
}
interface Prefix6 {
  net: bigint;
  len: number;
}

function mask4(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/** Interesting addresses around a prefix: first, last, one outside each end, a middle one. */
function boundaries4(p: Prefix4): number[] {
  const m = mask4(p.len);
  const first = (p.net & m) >>> 0;
  const last = (first | (~m >>> 0)) >>> 0;
  const out = [
    first,
    last,
    first - 1,
    last + 1,
    first + 1,
    last - 1,
    first + Math.floor((last - first) / 2) + 1,
  ];
  return out.filter((x) => x >= 0 && x <= 0xffffffff).map((x) => x >>> 0);
}
function boundaries6(p: Prefix6): bigint[] {
  const hostBits = BigInt(128 - p.len);
  const m = p.len === 0 ? 0n : (MAX6 >> hostBits) << hostBits;
  const first = p.net & m;
  const last = first | (MAX6 ^ m);
  const out = [
    first,
    last,
    first - 1n,
    last + 1n,
    first + 1n,
    last - 1n,
    first + ((last - first) >> 1n) + 1n,
  ];
  return out.filter((x) => x >= 0n && x <= MAX6);
}

/** Link-local, multicast and unspecified v6 addresses depend on random MACs or are noise. */
function usable6(n: bigint): boolean {
  const top16 = Number(n >> 112n);
  if ((top16 & 0xffc0) === 0xfe80) return false;
  if ((top16 & 0xff00) === 0xff00) return false;
  return n !== 0n;
}

// ------------------------------------------------------------------------------------------
// Scenario vocabulary (read back from the kernel after setup) and the probe generator
// ------------------------------------------------------------------------------------------

export interface Vocabulary {
  devices: string[];
  local4: string[];
  local6: string[];
  dst4: string[];
  dst6: string[];
  marks: number[];
  uids: number[];
  ports: number[];
  tos: number[];
}

type J = Record<string, unknown>;
function arr(x: unknown): J[] {
  return Array.isArray(x) ? (x.filter((e) => e !== null && typeof e === "object") as J[]) : [];
}
function str(x: unknown): string | undefined {
  return typeof x === "string" ? x : undefined;
}
function num(x: unknown): number | undefined {
  if (typeof x === "number") return x;
  if (typeof x === "string" && /^(0x[0-9a-f]+|\d+)$/i.test(x)) return Number(x);
  return undefined;
}

function ipJson(ns: string, args: string[]): unknown {
  const r = run("ip", ["-n", ns, "-j", ...args]);
  if (r.status !== 0) throw new Error(`ip -n ${ns} -j ${args.join(" ")}: ${r.stderr.trim()}`);
  return r.stdout.trim() === "" ? [] : JSON.parse(r.stdout);
}

/** The namespace's links, addresses, routes and rules, as `ip -j` reports them. */
function readDumps(ns: string): {
  links: J[];
  addrs: J[];
  routes4: J[];
  routes6: J[];
  rules: J[];
} {
  return {
    links: arr(ipJson(ns, ["link", "show"])),
    addrs: arr(ipJson(ns, ["addr", "show"])),
    routes4: arr(ipJson(ns, ["-4", "route", "show", "table", "all"])),
    routes6: arr(ipJson(ns, ["-6", "route", "show", "table", "all"])),
    rules: [...arr(ipJson(ns, ["-4", "rule", "show"])), ...arr(ipJson(ns, ["-6", "rule", "show"]))],
  };
}

/**
 * The prefixes a scenario names, in the order met (their boundaries become the destinations
 * fast-check draws from, so the order is part of the generator).
 */
interface Prefixes {
  pre4: Prefix4[];
  pre6: Prefix6[];
  add4(a: string | undefined, len: number): void;
  add6(a: string | undefined, len: number): void;
}

function prefixCollector(): Prefixes {
  const pre4: Prefix4[] = [];
  const pre6: Prefix6[] = [];
  const add4 = (a: string | undefined, len: number) => {
    if (!a) return;
    try {
      pre4.push({ net: parse4(a), len });
    } catch {
      /* not v4 */
    }
  };
  const add6 = (a: string | undefined, len: number) => {
    if (!a) return;
    try {
      const net = parse6(a);
      // link-local/multicast/loopback prefixes: their neighbourhood is noise (random MACs)
      if (usable6(net) && net !== 1n) pre6.push({ net, len });
    } catch {
      /* not v6 */
    }
  };
  return { pre4, pre6, add4, add6 };
}

/** The local addresses (their prefixes go to `p`). */
function localAddrs(addrs: J[], p: Prefixes): { local4: Set<string>; local6: Set<string> } {
  const local4 = new Set<string>();
  const local6 = new Set<string>();
  for (const l of addrs) {
    for (const ai of arr(l.addr_info)) {
      const local = str(ai.local);
      const len = num(ai.prefixlen) ?? 32;
      if (!local) continue;
      if (ai.family === "inet") {
        local4.add(local);
        p.add4(local, len);
      } else if (ai.family === "inet6" && usable6(parse6(local)) && local !== "::1") {
        local6.add(local);
        p.add6(local, len);
      }
    }
  }
  return { local4, local6 };
}

/** Route destinations and gateways. */
function routePrefixes(rs: J[], v6: boolean, p: Prefixes): void {
  for (const r of rs) {
    const dst = str(r.dst);
    if (!dst || dst === "default") continue;
    const [a, l] = dst.split("/");
    const len = l !== undefined ? Number(l) : v6 ? 128 : 32;
    if (v6) p.add6(a, len);
    else p.add4(a, len);
    const gws = [str(r.gateway), ...arr(r.nexthops).map((h) => str(h.gateway))];
    for (const g of gws) if (g) (v6 ? p.add6 : p.add4)(g, v6 ? 128 : 32);
  }
}

/** Values of the non-address selectors, each with its neighbours (off-by-one, other bits). */
interface SelectorValues {
  marks: Set<number>;
  uids: Set<number>;
  ports: Set<number>;
  tos: Set<number>;
}

/** Marks around a rule's `fwmark VALUE/MASK`: the value, other bits in or out of the mask. */
function marksNear(fm: number, fk: number): number[] {
  const low = fk & -fk;
  return [
    fm,
    (fm | (0x12345678 & ~fk)) >>> 0,
    (fm ^ low) >>> 0,
    (fm + 1) >>> 0,
    fk >>> 0,
    (fm | fk) >>> 0,
  ].map((v) => v >>> 0);
}

/** A TOS value and two neighbours: 0x20 (a precedence bit) set, 0x04 (a TOS bit) flipped. */
const tosNear = (t: number): number[] => [t, t | 0x20, t ^ 0x04].map((v) => v & 0xff);

/** One rule's selectors: its prefixes go to `p`, its other values (and neighbours) to `out`. */
function ruleValues(r: J, p: Prefixes, out: SelectorValues): void {
  const src = str(r.src);
  if (src && src !== "all") {
    const v6 = src.includes(":");
    const len = num(r.srclen) ?? (v6 ? 128 : 32);
    (v6 ? p.add6 : p.add4)(src, len);
  }
  const dst = str(r.dst);
  if (dst) {
    const v6 = dst.includes(":");
    const len = num(r.dstlen) ?? (v6 ? 128 : 32);
    (v6 ? p.add6 : p.add4)(dst, len);
  }
  const fm = num(r.fwmark);
  if (fm !== undefined)
    for (const v of marksNear(fm, num(r.fwmask) ?? 0xffffffff)) out.marks.add(v);
  for (const k of ["uid_start", "uid_end"]) {
    const u = num(r[k]);
    if (u !== undefined)
      for (const v of [u - 1, u, u + 1]) if (v >= 0 && v <= 0xffffffff) out.uids.add(v);
  }
  for (const k of ["sport", "dport", "sport_start", "sport_end", "dport_start", "dport_end"]) {
    const port = num(r[k]);
    if (port !== undefined)
      for (const v of [port - 1, port, port + 1]) if (v >= 1 && v <= 65535) out.ports.add(v);
  }
  const t = num(r.tos) ?? num(r.dsfield);
  if (t !== undefined) for (const v of tosNear(t)) out.tos.add(v);
}

/**
 * What the random probes of a scenario draw from, read back from the kernel after setup:
 * devices, local addresses, the boundaries of every prefix named, and selector values.
 */
export function readVocabulary(ns: string): Vocabulary {
  const { links, addrs, routes4, routes6, rules } = readDumps(ns);
  const devices = links.map((l) => str(l.ifname)).filter((x): x is string => !!x && x !== "lo");
  const p = prefixCollector();
  const { local4, local6 } = localAddrs(addrs, p);
  routePrefixes(routes4, false, p);
  routePrefixes(routes6, true, p);

  const values: SelectorValues = {
    marks: new Set<number>([0x1, 0xff]),
    uids: new Set<number>([0, 1000, 65534]),
    ports: new Set<number>([53, 80, 443, 1024, 51820]),
    tos: new Set<number>([0x10, 0x12, 0x14, 0x30, 0xb0, 0x04, 0x08, 0x1c]),
  };
  for (const r of rules) ruleValues(r, p, values);
  for (const r of routes4) {
    const t = num(r.tos);
    if (t !== undefined) for (const v of tosNear(t)) values.tos.add(v);
  }

  const dst4 = new Set<string>();
  for (const x of p.pre4) for (const b of boundaries4(x)) dst4.add(fmt4(b));
  const dst6 = new Set<string>();
  for (const x of p.pre6) for (const b of boundaries6(x)) if (usable6(b)) dst6.add(fmt6(b));
  // fast-check shrinks constantFrom() towards the first element: put neutral, readable
  // values first so minimal counterexamples read naturally.
  const first = <T>(x: T, xs: Iterable<T>) => [x, ...[...xs].filter((y) => y !== x)];
  const sorted = (xs: Set<number>) => [...xs].sort((a, b) => a - b);
  return {
    devices,
    local4: [...local4],
    local6: [...local6],
    dst4: first("8.8.8.8", dst4),
    dst6: first("2606:4700:4700::1111", dst6),
    marks: sorted(values.marks),
    uids: sorted(values.uids),
    ports: sorted(values.ports),
    tos: sorted(values.tos),
  };
}

export interface ProbeSpec {
  v6: boolean;
  dst4: string;
  dst6: string;
  input: boolean;
  /** output: optional source; input: the packet's source (mandatory). */
  from4: string | undefined;
  from6: string | undefined;
  in4: string;
  in6: string;
  iif: string;
  oif: string | undefined;
  mark: number | undefined;
  uid: number | undefined;
  ipproto: string | undefined;
  sport: number | undefined;
  dport: number | undefined;
  tos: number | undefined;
  fibmatch: boolean;
}

function fallback<T>(xs: T[], dflt: T): T[] {
  return xs.length ? xs : [dflt];
}

const rand4 = fc.integer({ min: 0, max: 0xffffffff }).map(fmt4);
const rand6 = fc
  .tuple(
    fc.constantFrom(0x2001, 0x2400, 0x2a00, 0xfd00, 0x2001),
    fc.bigInt({ min: 0n, max: (1n << 112n) - 1n }),
  )
  .map(([top, rest]) => fmt6((BigInt(top) << 112n) | rest));

/**
 * Random marks as a set of bits: shrinking drops bits, so a minimal mark shows the bits that
 * matter.
 */
const markBits = fc
  .uniqueArray(fc.integer({ min: 0, max: 31 }), { minLength: 1, maxLength: 12 })
  .map((bits) => bits.reduce((m, b) => (m | (1 << b)) >>> 0, 0));

/** The addresses a probe draws from: destinations, output sources, input sources. */
function addressArbitraries(v: Vocabulary) {
  const dst4 = fc.oneof(
    { arbitrary: fc.constantFrom(...fallback(v.dst4, "8.8.8.8")), weight: 7 },
    { arbitrary: rand4, weight: 2 },
    {
      arbitrary: fc.constantFrom(
        "0.0.0.0",
        "255.255.255.255",
        "127.0.0.1",
        "224.0.0.1",
        "8.8.8.8",
        "1.1.1.1",
      ),
      weight: 1,
    },
  );
  const dst6 = fc.oneof(
    { arbitrary: fc.constantFrom(...fallback(v.dst6, "2001:db8::1")), weight: 7 },
    { arbitrary: rand6, weight: 2 },
    {
      arbitrary: fc.constantFrom("::1", "2001:4860:4860::8888", "2606:4700:4700::1111"),
      weight: 1,
    },
  );
  const src4 = fc.oneof(
    { arbitrary: fc.constantFrom(...fallback(v.local4, "127.0.0.1")), weight: 3 },
    { arbitrary: fc.constantFrom(...fallback(v.dst4, "8.8.8.8")), weight: 2 },
    { arbitrary: rand4, weight: 1 },
  );
  const src6 = fc.oneof(
    { arbitrary: fc.constantFrom(...fallback(v.local6, "::1")), weight: 3 },
    { arbitrary: fc.constantFrom(...fallback(v.dst6, "2001:db8::2")), weight: 2 },
    { arbitrary: rand6, weight: 1 },
  );
  const inSrc4 = fc.oneof(
    { arbitrary: fc.constantFrom(...fallback(v.dst4, "8.8.8.8")), weight: 4 },
    { arbitrary: rand4, weight: 2 },
    { arbitrary: fc.constantFrom(...fallback(v.local4, "127.0.0.1")), weight: 1 },
  );
  const inSrc6 = fc.oneof(
    { arbitrary: fc.constantFrom(...fallback(v.dst6, "2001:db8::2")), weight: 4 },
    { arbitrary: rand6, weight: 2 },
    { arbitrary: fc.constantFrom(...fallback(v.local6, "::1")), weight: 1 },
  );
  return { dst4, dst6, src4, src6, inSrc4, inSrc6 };
}

/** Mostly one of the scenario's values, sometimes any in [min, max]. */
function scenarioOrAny(values: number[], min: number, max: number, weight: number) {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...values), weight },
    { arbitrary: fc.integer({ min, max }), weight: 1 },
  );
}

/** Random `route get` probes over a scenario's vocabulary (the record's shape is the seed's). */
export function probeArbitrary(v: Vocabulary): fc.Arbitrary<ProbeSpec> {
  const { dst4, dst6, src4, src6, inSrc4, inSrc6 } = addressArbitraries(v);
  const devs = fallback(v.devices, "lo");
  const opt = <T>(a: fc.Arbitrary<T>, freq: number) => fc.option(a, { nil: undefined, freq });
  return fc.record({
    v6: fc.oneof(
      { arbitrary: fc.constant(false), weight: 3 },
      { arbitrary: fc.constant(true), weight: v.local6.length ? 2 : 0 },
    ),
    dst4,
    dst6,
    input: fc.oneof(
      { arbitrary: fc.constant(false), weight: 3 },
      { arbitrary: fc.constant(true), weight: 2 },
    ),
    from4: opt(src4, 2),
    from6: opt(src6, 2),
    in4: inSrc4,
    in6: inSrc6,
    iif: fc.constantFrom(...devs),
    oif: opt(fc.constantFrom(...devs), 6),
    mark: opt(
      fc.oneof(
        { arbitrary: fc.constantFrom(...v.marks), weight: 4 },
        { arbitrary: markBits, weight: 1 },
      ),
      2,
    ),
    uid: opt(scenarioOrAny(v.uids, 0, 0xffffffff, 4), 3),
    ipproto: opt(fc.constantFrom("tcp", "udp", "icmp"), 2),
    sport: opt(scenarioOrAny(v.ports, 1, 65535, 3), 3),
    dport: opt(scenarioOrAny(v.ports, 1, 65535, 3), 2),
    tos: opt(scenarioOrAny(v.tos, 1, 255, 3), 5),
    fibmatch: fc.oneof(
      { arbitrary: fc.constant(false), weight: 19 },
      { arbitrary: fc.constant(true), weight: 1 },
    ),
  });
}

/** iproute2 batch line for a generated probe. */
export function renderProbe(p: ProbeSpec): string {
  const w: string[] = ["route", "get"];
  if (p.fibmatch) w.push("fibmatch");
  w.push(p.v6 ? p.dst6 : p.dst4);
  if (p.input) {
    w.push("from", p.v6 ? p.in6 : p.in4, "iif", p.iif);
  } else {
    const from = p.v6 ? p.from6 : p.from4;
    if (from !== undefined) w.push("from", from);
    if (p.oif !== undefined) w.push("oif", p.oif);
  }
  if (p.mark !== undefined) w.push("mark", `0x${p.mark.toString(16)}`);
  if (p.uid !== undefined) w.push("uid", String(p.uid));
  if (p.ipproto !== undefined)
    w.push("ipproto", p.v6 && p.ipproto === "icmp" ? "ipv6-icmp" : p.ipproto);
  if (p.sport !== undefined) w.push("sport", String(p.sport));
  if (p.dport !== undefined) w.push("dport", String(p.dport));
  if (p.tos !== undefined) w.push("tos", `0x${p.tos.toString(16)}`);
  return w.join(" ");
}

/** Stable per-scenario seed derived from the base seed and the scenario name (FNV-1a). */
export function scenarioSeed(base: number, name: string): number {
  let h = 0x811c9dc5 ^ base;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
