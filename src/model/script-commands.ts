/**
 * The commands a setup script may run that routelab answers, one entry per command name:
 * each gets the host, the call (words with locations, standard input, output) and the load
 * options, and returns the real tool's exit status and messages. Other helpers add entries
 * here (`wg`, `wg-quick`, net-tools `route`/`ifconfig`); a name missing from the table is
 * run as a no-op and reported once as skipped by the interpreter.
 * Files a script writes (`echo 1 > /proc/sys/…`) go through {@link writeScriptFile}.
 * @module
 */
import { defined } from "../core/result.js";
import type { CommandCall, CommandOutcome } from "../parse/sh/interp.js";
import type { Issue } from "../core/issue.js";
import type { SourceLoc } from "../core/loc.js";
import { RECORDED_TOOLS, runIpLine, type LoadIssue, type LoadOptions } from "./ip-line.js";
import { runNetfilterCommand } from "./netfilter.js";
import { writeSysctl } from "./ops/index.js";
import { getSysctl } from "./sysctl.js";
import { parseIpOptions } from "../parse/options.js";
import type { HostState } from "./types.js";

/** One modelled command. */
export type HostCommand = (s: HostState, call: CommandCall, lo: LoadOptions) => CommandOutcome;

const LISTING = /^(show|list|lst|ls|sh|save|monitor|get)$/;
const OBJECTS = /^(link|l|address|addr|a|route|r|ro|rule|ru|neighbour|neighbor|neigh|n|tuntap)$/;

/**
 * `ip OBJECT show …` in a script: it changes nothing, so it is not parsed for the host; a
 * named device that does not exist fails as in ip (`ip link show wg0 || ip link add …`).
 * The listing is printed by layers above this one, through `lo.show` when the host gives it;
 * without it a script that reads it (a pipe, `$(…)`) gets nothing, and is told so once.
 */
function ipListing(s: HostState, call: CommandCall, lo: LoadOptions): CommandOutcome | undefined {
  const { opts, next, error } = parseIpOptions(call.argv.slice(1), 0);
  const rest = call.argv.slice(1 + next);
  if (error || opts.batch !== undefined || !OBJECTS.test(rest[0]?.text ?? "")) return undefined;
  const verb = rest[1]?.text;
  if (verb !== undefined && !LISTING.test(verb)) return undefined;
  const issues: LoadIssue[] = [];
  const obj = rest[0]!.text;
  if (/^(l|link|a|addr|address)$/.test(obj) && verb !== undefined) {
    const k = rest.findIndex((w) => w.text === "dev");
    const dev = k >= 0 ? rest[k + 1] : rest.length === 3 ? rest[2] : undefined;
    if (dev && !s.links.some((l) => l.name === dev.text)) {
      const message = `Device "${dev.text}" does not exist.`;
      return {
        status: 1,
        issues: [
          { code: "ip.no-device", message, loc: dev.loc, token: dev.text, severity: "warning" },
        ],
      };
    }
  }
  if (lo.show) return shown(s, call, lo.show);
  if (call.io.captured && !readers.has(call.shell)) {
    readers.add(call.shell);
    const what = rest.map((w) => w.text).join(" ");
    const message = `the output of \`ip ${what}\` is not modelled in scripts: it is empty here`;
    issues.push({
      code: "ip.not-modelled",
      message,
      loc: call.loc,
      token: obj,
      severity: "warning",
    });
  }
  return { status: 0, issues };
}
const readers = new WeakSet<object>();

/**
 * The listing as the tool prints it; what it says on stderr is a warning at the command.
 * `from`: the first word passed on (1 drops `ip`); `tool`: the name the printers know it by.
 */
function shown(
  s: HostState,
  call: CommandCall,
  show: NonNullable<LoadOptions["show"]>,
  from = 1,
  tool?: string,
) {
  const words = call.argv.slice(from).map((w, k) => (k === 0 && tool ? { ...w, text: tool } : w));
  const r = show(s, words, words.at(-1)?.loc ?? call.loc);
  if (r.stdout) call.io.out(r.stdout);
  const message = r.stderr.trimEnd();
  if (!message) return { status: r.status };
  const severity = "warning" as const;
  const code = /not modelled/.test(message) ? "ip.not-modelled" : "ip.usage";
  const i = { code, message, loc: call.loc, token: "ip", severity } satisfies LoadIssue;
  return { status: r.status, issues: [i] };
}

/** `ip …`: usage errors exit 255 (iproute2's exit(-1)), kernel refusals 2, as `ip` does. */
function ip(s: HostState, call: CommandCall, lo: LoadOptions): CommandOutcome {
  const listing = ipListing(s, call, lo);
  if (listing) return listing;
  const stdin =
    call.io.stdin !== undefined
      ? { text: call.io.stdin, loc: call.io.stdinLoc ?? call.loc }
      : undefined;
  const issues = runIpLine(s, call.argv.slice(1), call.loc, stdin, lo);
  const error = issues.some((i) => i.severity === "error");
  const refused = issues.some((i) => i.severity === "warning");
  return { status: error ? 255 : refused ? 2 : 0, issues };
}

/** iptables, ip6tables, their -restore forms, nft and ipset: recorded and run in order. */
function netfilter(s: HostState, call: CommandCall, lo: LoadOptions): CommandOutcome {
  if (lo.show && isNftListing(call)) return shown(s, call, lo.show, 0);
  const rec = {
    argv: call.argv.map((w) => w.text),
    locs: call.argv.map((w) => w.loc),
    loc: call.loc,
    tool: call.argv[0]!.text,
    ...(call.io.stdin !== undefined
      ? { stdin: { text: call.io.stdin, loc: call.io.stdinLoc ?? call.loc } }
      : {}),
    ...defined({ cwd: call.shell.vars.get("PWD") }),
  };
  s.netfilter.push(rec);
  const r = runNetfilterCommand(s, rec, lo.readFile, lo.readDir);
  if (r.status === 0 && rec.tool === "nft" && nftVerb(rec.argv) === "list") {
    const message =
      `the output of \`${rec.argv.join(" ")}\` is not modelled in scripts: ` + "it is empty here";
    const i = {
      code: "ip.not-modelled" as const,
      message,
      loc: call.loc,
      token: "nft",
      severity: "warning" as const,
    };
    return { status: 0, issues: [...r.issues, i] };
  }
  return { status: r.status, issues: r.issues };
}

const NFT_LISTINGS = [
  "ruleset",
  "tables",
  "table",
  "chain",
  "chains",
  "sets",
  "set",
  "maps",
  "map",
];

/**
 * `nft [-a] list ruleset|tables|table|chain|chains|sets|set|maps|map …`: what the script
 * reads back is printed, not recorded (the other `list` forms keep their exit status, with
 * no output).
 */
function isNftListing(call: CommandCall): boolean {
  const args = call.argv.map((w) => w.text);
  const at = args.indexOf("list");
  return args[0] === "nft" && nftVerb(args) === "list" && NFT_LISTINGS.includes(args[at + 1] ?? "");
}

/** The command word of an nft argv (the first word after the options), e.g. `list`. */
function nftVerb(argv: readonly string[]): string | undefined {
  return argv.slice(1).find((a) => !a.startsWith("-"));
}

/**
 * `iptables-save` and its variants print the rules the script made so far, through the
 * printers the host passes in (`lo.show`); without them the output is empty.
 */
const listing: HostCommand = (s, call, lo) => {
  if (!lo.show) return { status: 0 };
  const tool = call.argv[0]!.text.startsWith("ip6") ? "ip6tables-save" : "iptables-save";
  return shown(s, call, lo.show, 0, tool);
};

function sysctlIssue(
  code: Issue["code"],
  message: string,
  loc: SourceLoc,
  token: string,
  severity: "error" | "warning",
): LoadIssue {
  return { code, message, loc, token, severity };
}

/** `sysctl [-w|-q|-e] KEY=VALUE…`, `sysctl [-n] KEY` (prints), `sysctl -p [FILE]`. */
function sysctl(s: HostState, call: CommandCall, lo: LoadOptions): CommandOutcome {
  const out: LoadIssue[] = [];
  const words = call.argv.slice(1);
  const valueOnly = words.some((w) => /^-[a-z]*n/.test(w.text));
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    if (w.text === "-p" || w.text === "--load" || w.text.startsWith("--load=")) {
      const file = w.text.startsWith("--load=")
        ? w.text.slice(7)
        : words[k + 1]?.text.startsWith("-") === false
          ? words[++k]!.text
          : "/etc/sysctl.conf";
      out.push(...sysctlFile(s, file, words[k]!.loc, lo));
      continue;
    }
    if (/^-[wqeNn]+$/.test(w.text)) continue;
    if (w.text.startsWith("-")) {
      out.push(
        sysctlIssue(
          "sysctl.option",
          `sysctl: option "${w.text}" is not modelled`,
          w.loc,
          w.text,
          "error",
        ),
      );
      continue;
    }
    const m = /^([^=\s]+)\s*=\s*(.*)$/.exec(w.text);
    if (!m) {
      const v = getSysctl(s, w.text);
      if (v === undefined)
        out.push(
          sysctlIssue(
            "sysctl.unknown-key",
            `sysctl: cannot stat /proc/sys/${w.text.replace(/\./g, "/")}: ` +
              "No such file or directory",
            w.loc,
            w.text,
            "warning",
          ),
        );
      else call.io.out(valueOnly ? `${v}\n` : `${w.text} = ${v}\n`);
      continue;
    }
    const err = writeSysctl(s, m[1]!, m[2]!.trim());
    if (err) out.push(sysctlIssue("sysctl.unknown-key", err, w.loc, m[1]!, "warning"));
    else if (!words.some((x) => /^-[a-z]*q/.test(x.text)))
      call.io.out(`${m[1]} = ${m[2]!.trim()}\n`);
  }
  const error = out.some((i) => i.severity === "error");
  return { status: error ? 1 : out.length ? 255 : 0, issues: out };
}

/** `sysctl -p FILE`: `key = value` lines, `#`/`;` comments, a leading `-` ignores errors. */
function sysctlFile(s: HostState, file: string, loc: SourceLoc, lo: LoadOptions): LoadIssue[] {
  const text = lo.readFile?.(file);
  if (text === undefined)
    return [
      sysctlIssue(
        "sysctl.read",
        `sysctl: cannot open "${file}": No such file or directory`,
        loc,
        file,
        "warning",
      ),
    ];
  const out: LoadIssue[] = [];
  text.split("\n").forEach((raw, n) => {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) return;
    const m = /^(-?)([^=\s]+)\s*=\s*(.*)$/.exec(line);
    const at = { file, line: n + 1, col: 1 };
    if (!m)
      return void out.push(
        sysctlIssue(
          "sysctl.read",
          `sysctl: ${file}(${n + 1}): invalid syntax, continuing...`,
          at,
          line,
          "warning",
        ),
      );
    const err = writeSysctl(s, m[2]!, m[3]!.trim());
    if (err && !m[1]) out.push(sysctlIssue("sysctl.unknown-key", err, at, m[2]!, "warning"));
  });
  return out;
}

/** The modelled commands by name. */
export const HOST_COMMANDS: Record<string, HostCommand> = {
  ip,
  sysctl,
  "iptables-save": listing,
  "ip6tables-save": listing,
  "iptables-legacy-save": listing,
  "iptables-nft-save": listing,
};
for (const t of RECORDED_TOOLS) HOST_COMMANDS[t] = netfilter;

/**
 * `echo "200 vpn" >> /etc/iproute2/rt_tables`: the names `ip` reads (rtnl_tab_initialize:
 * `ID NAME` lines, `#` comments); the built-in names stay, as the shipped file has them.
 */
function rtTables(s: HostState, text: string): CommandOutcome {
  for (const line of text.split("\n")) {
    const m = /^\s*(0x[0-9a-fA-F]+|\d+)\s+([^\s#]+)/.exec(line);
    if (m) s.tableNames.set(Number(m[1]), m[2]!);
  }
  return { status: 0 };
}

/**
 * `> FILE` in a script: /proc/sys/… sets the sysctl, as the kernel's proc handler does;
 * /dev/stdout and /dev/stderr are the terminal. Other files are not modelled (undefined).
 */
export function writeScriptFile(
  s: HostState,
  path: string,
  text: string,
  loc: SourceLoc,
): CommandOutcome | undefined {
  if (path === "/dev/stdout" || path === "/dev/stderr") return { status: 0 };
  if (/^\/etc\/iproute2\/rt_tables(\.d\/[^/]+\.conf)?$/.test(path)) return rtTables(s, text);
  const m = /^\/proc\/sys\/(.+)$/.exec(path);
  if (!m) return undefined;
  const key = m[1]!.replace(/\//g, ".");
  const value = text.trim().split(/\s+/)[0] ?? "";
  const err = writeSysctl(s, key, value);
  if (!err) return { status: 0 };
  const errno = /no such/i.test(err) ? "No such file or directory" : "Invalid argument";
  const message = `${path}: ${errno}`;
  return {
    status: 1,
    issues: [{ code: "shell.redirect", message, loc, token: path, severity: "warning" }],
  };
}
