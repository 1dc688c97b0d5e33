/**
 * `routelab capture [-o FILE] [--netns NS]`: snapshot a live host into one file by running
 * read-only commands (`show`, `list`, `save`, `sysctl` reads, `cat` of rt_tables), each as an
 * argv array without a shell, each under `ip netns exec NS` when asked. What each printed is
 * kept as printed (see model/capture.ts for the file's shape); a tool that is not installed
 * is recorded with status -1.
 * @module
 */
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import {
  CAPTURE_COMMANDS,
  CAPTURE_FORMAT,
  CAPTURE_VERSION,
  captureOwners,
  linkNames,
  sysctlArgv,
  type Capture,
  type CaptureSection,
} from "../index.js";

/** Where tools are looked for when deciding whether one is installed. */
const PATH_DIRS = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

function installed(tool: string): boolean {
  const dirs = [...(process.env.PATH ?? "").split(":").filter(Boolean), ...PATH_DIRS];
  return dirs.some((d) => existsSync(`${d}/${tool}`));
}

/** Run one read-only command (under `ip netns exec NS` when asked), never through a shell. */
function run(name: string, argv: string[], netns: string | undefined): CaptureSection {
  if (!installed(argv[0]!)) return { name, argv, status: -1, stdout: "", stderr: "" };
  const full = netns ? ["ip", "netns", "exec", netns, ...argv] : argv;
  try {
    const stdout = execFileSync(full[0]!, full.slice(1), {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 1 << 30,
      env: { ...process.env, LC_ALL: "C" },
    });
    return { name, argv, status: 0, stdout, stderr: "" };
  } catch (e) {
    const x = e as { status?: number | null; stdout?: string; stderr?: string; message?: string };
    const status = typeof x.status === "number" ? x.status : 1;
    return { name, argv, status, stdout: x.stdout ?? "", stderr: x.stderr ?? x.message ?? "" };
  }
}

/** rt_tables and the files of rt_tables.d (as `ip netns exec` shows /etc to NS). */
function rtTables(netns: string | undefined): CaptureSection[] {
  const out = [run("rt_tables", ["cat", "/etc/iproute2/rt_tables"], netns)];
  const d = run("rt_tables.d", ["find", "/etc/iproute2/rt_tables.d", "-name", "*.conf"], netns);
  const files = d.status === 0 ? d.stdout.split("\n").filter(Boolean).sort() : [];
  for (const f of files) out.push(run("rt_tables", ["cat", f], netns));
  return out.filter((s) => s.status === 0);
}

/**
 * Capture the host (or namespace `netns`).
 * @example captureHost("ns1").sections.map((s) => s.name)
 */
export function captureHost(netns?: string): Capture {
  const sections: CaptureSection[] = [...rtTables(netns)];
  for (const c of CAPTURE_COMMANDS) {
    const s = run(c.name, c.argv, netns);
    if (c.optional && s.status === -1) continue;
    sections.push(s);
    if (c.name === "link") {
      const names = s.status === 0 ? linkNames(s.stdout) : [];
      sections.push(run("sysctl", sysctlArgv(names), netns));
    }
  }
  const cap: Capture = {
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    owners: captureOwners(sections),
    sections,
  };
  if (netns !== undefined) cap.netns = netns;
  return cap;
}

const USAGE = "Usage: routelab capture [-o FILE] [--netns NS]\n";

/**
 * The `capture` command line: writes the capture to FILE or standard output; returns the
 * exit status.
 */
export function captureMain(argv: readonly string[]): number {
  let out: string | undefined;
  let netns: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    if ((a === "-o" || a === "--output") && v !== undefined) [out, i] = [v, i + 1];
    else if ((a === "--netns" || a === "-n") && v !== undefined) [netns, i] = [v, i + 1];
    else {
      process.stderr.write(a === "-h" || a === "--help" ? "" : `routelab capture: ${a}?\n`);
      process.stderr.write(USAGE);
      return a === "-h" || a === "--help" ? 0 : 2;
    }
  }
  const cap = captureHost(netns);
  const text = `${JSON.stringify(cap, null, 1)}\n`;
  if (out === undefined || out === "-") process.stdout.write(text);
  else writeFileSync(out, text);
  const failed = cap.sections.filter((s) => s.status > 0);
  for (const s of failed)
    process.stderr.write(`routelab capture: ${s.argv.join(" ")}: ${s.stderr.trim()}\n`);
  return failed.some((s) => ["link", "addr", "rule4", "route4"].includes(s.name)) ? 1 : 0;
}
