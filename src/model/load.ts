/**
 * Building a host from what users have: setup scripts (run by the shell interpreter in
 * parse/sh, every command routelab answers dispatched to script-commands.ts) and dumps
 * (detected from the content). A line the kernel would refuse is reported as the real tool
 * would, with the exit status the script sees, and the script goes on (unless it ran
 * `set -e`), so the host ends as the real one would. No host command ever runs.
 * @module
 */
import type { Family } from "../addr/ip.js";
import { isErr } from "../parse/args.js";
import { runShell } from "../parse/sh/interp.js";
import { detectDumpFormat, loadDump } from "./dump/index.js";
import { HOST_COMMANDS, writeScriptFile } from "./script-commands.js";
import type { LoadIssue, LoadOptions } from "./ip-line.js";
import type { HostState } from "./types.js";

export {
  batchWords,
  RECORDED_TOOLS,
  runIpLine,
  type LoadIssue,
  type LoadOptions,
} from "./ip-line.js";

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
  const fmt = detectDumpFormat(text);
  if (fmt) return loadDump(s, text, file).map((i) => ({ ...i, severity: "error" as const }));
  return loadScript(s, text, file, opts);
}

/**
 * Run a script's commands against the host: the shell interpreter with routelab's commands
 * (`ip`, `sysctl`, `iptables`…, `nft`, `ipset`) and its files (`/proc/sys/…`).
 * @example loadScript(state, "echo 1 > /proc/sys/net/ipv4/ip_forward\n", "s.sh")
 */
export function loadScript(
  s: HostState,
  text: string,
  file: string,
  opts: LoadOptions = {},
): LoadIssue[] {
  const commands = Object.fromEntries(
    Object.entries(HOST_COMMANDS).map(([name, run]) => [
      name,
      (c: Parameters<typeof run>[1]) => run(s, c, opts),
    ]),
  );
  const r = runShell(text, file, {
    commands,
    writeFile: (path, body, _append, loc) => writeScriptFile(s, path, body, loc),
    ...(opts.readFile ? { readFile: opts.readFile } : {}),
  });
  return r.issues.map((i) => ({ ...i, severity: i.severity ?? "error" }) as LoadIssue);
}

/** The family an `ip` line would default to (for callers that print). */
export function defaultFamily(f: Family | undefined): Family {
  return f ?? 4;
}
export { isErr };
