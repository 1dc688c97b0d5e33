/**
 * Building a host from what users have: setup scripts (run by the shell interpreter in
 * parse/sh, every command routelab answers dispatched to script-commands.ts and
 * model/tools) and dumps, captures and tool files (detected from the content). A line the
 * kernel would refuse is reported as the real tool would, with the exit status the script
 * sees, and the script goes on (unless it ran `set -e`), so the host ends as the real one
 * would. No host command ever runs.
 * @module
 */
import type { Family } from "../addr/ip.js";
import type { Issue } from "../core/issue.js";
import type { SourceLoc } from "../core/loc.js";
import { defined } from "../core/result.js";
import { isErr } from "../parse/args.js";
import { type CommandCall, runShell } from "../parse/sh/interp.js";
import { detectDumpFormat, loadDump } from "./dump/index.js";
import { looksLikeJson } from "./dump/detect.js";
import { detectNetfilterFormat } from "./dump/netfilter.js";
import { isCapture, parseCapture } from "./capture.js";
import { loadCapture } from "./capture-load.js";
import { loadNetfilterDump } from "./load-netfilter.js";
import { loadIpDump, noteLoaded } from "./partial.js";
import { HOST_COMMANDS, writeScriptFile } from "./script-commands.js";
import { getSysctl, IPV4_CONF_KEYS, IPV6_CONF_KEYS } from "./sysctl.js";
import type { LoadIssue, LoadOptions } from "./ip-line.js";
import type { HostState } from "./types.js";
import { detectToolFile, loadToolFile, TOOLS } from "./tools/index.js";

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
  if (isCapture(text)) {
    const c = parseCapture(text, file);
    noteLoaded(s, "capture");
    return c.ok ? loadCapture(s, c.value, file, opts) : [{ ...c.error, severity: "error" }];
  }
  const nf = detectNetfilterFormat(text);
  if (nf) return loadNetfilterDump(s, text, file, nf, opts);
  const fmt = detectDumpFormat(text);
  if (fmt) return loadIpDump(s, text, file, fmt, opts.family);
  // Malformed JSON is a JSON syntax error at its line:column, not a shell script.
  if (looksLikeJson(text))
    return loadDump(s, text, file).map((i) => ({ ...i, severity: "error" as const }));
  // Tool files (wg-quick configuration or `wg-quick up` transcript): model/tools.
  const tool = detectToolFile(text);
  if (tool) return loadToolFile(s, tool, text, file, toolRunner(s, opts)).map(asLoadIssue);
  noteLoaded(s, "script");
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
      // Files the script made (`<(…)`) are readable by the commands it runs.
      (c: Parameters<typeof run>[1]) =>
        run(s, c, { ...opts, readFile: (p) => c.shell.readFile(p) }),
    ]),
  );
  // model/tools (`wg`, net-tools `route`, `ifconfig`): the words after the name, stdin, output.
  for (const [name, tool] of TOOLS)
    commands[name] = (c: CommandCall) => {
      const ctx = {
        loc: c.loc,
        readFile: (p: string) => c.shell.readFile(p),
        ...(c.io.stdin !== undefined
          ? { heredoc: { text: c.io.stdin, loc: c.io.stdinLoc ?? c.loc } }
          : {}),
      };
      const r = tool(s, c.argv.slice(1), ctx);
      if (r.stdout) c.io.out(r.stdout);
      return { status: r.status, issues: r.issues.map(asLoadIssue) };
    };
  // /proc/sys is the virtual host's: its values and its devices' conf directories.
  const readFile = (p: string) => procSysFile(s, p) ?? opts.readFile?.(p);
  const readDir = (p: string) => {
    const own = procConfDir(s, p);
    if (own !== null) return own;
    // Without the caller's reader (the browser) the directories every host has exist, empty.
    return opts.readDir
      ? opts.readDir(p)
      : /^\/((proc|sys|etc|tmp|dev)\/?)?$/.test(p)
        ? []
        : undefined;
  };
  const r = runShell(text, file, {
    commands,
    writeFile: (path, body, _append, loc) => writeScriptFile(s, path, body, loc),
    readFile,
    readDir,
    ...defined({ uname: opts.uname }),
  });
  return r.issues.map((i) => ({ ...i, severity: i.severity ?? "error" }) as LoadIssue);
}

/** `cat /proc/sys/net/ipv4/ip_forward` in a script: the virtual host's value. */
function procSysFile(s: HostState, path: string): string | undefined {
  const m = /^\/proc\/sys\/(.+)$/.exec(path);
  const v = m ? getSysctl(s, m[1]!.replace(/\//g, ".")) : undefined;
  return v === undefined ? undefined : `${v}\n`;
}

/**
 * /proc/sys/net/ipv{4,6}/conf[/DEV] as the virtual host has them (`for f in
 * /proc/sys/net/ipv4/conf/*\/rp_filter`): all, default and each link, with the keys routelab
 * models; null for a path outside them (the caller's reader answers).
 */
function procConfDir(s: HostState, path: string): readonly string[] | undefined | null {
  const m = /^\/proc\/sys\/net\/ipv([46])\/conf(?:\/([^/]+))?\/?$/.exec(path);
  if (!m) return null;
  const devs = ["all", "default", ...s.links.map((l) => l.name)];
  if (!m[2]) return devs.map((d) => `${d}/`);
  if (!devs.includes(m[2])) return undefined;
  return m[1] === "4" ? IPV4_CONF_KEYS : IPV6_CONF_KEYS;
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

/** The family an `ip` line would default to (for callers that print). */
export function defaultFamily(f: Family | undefined): Family {
  return f ?? 4;
}
export { isErr };
