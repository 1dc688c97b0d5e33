/**
 * Loading a `routelab capture` file (model/capture.ts) into a host: each section through the
 * reader of its format, in an order where everything a section refers to is already there
 * (names, sysctls, links, addresses, rules, routes, ipsets, iptables, nft). A capture is
 * complete for what it holds: a rule or route section replaces its family's whole RPDB or
 * FIB, empty or not. iptables-nft's own tables in the nft ruleset are loaded once, through
 * iptables-save, and kept as printed for `nft list ruleset`.
 * @module
 */
import type { Family } from "../addr/ip.js";
import { issue } from "../core/issue.js";
import { parseRtNames } from "../parse/names.js";
import type { NftFamily, NftTable } from "../netfilter/nft/ast.js";
import type { Capture, CaptureSection } from "./capture.js";
import { sectionFamily } from "./capture.js";
import { loadDump, type DumpFormat } from "./dump/index.js";
import { runWithStdin, type NfLoadOptions } from "./load-netfilter.js";
import { liveNetfilter, runNetfilterCommand, type NfIssue as LoadIssue } from "./netfilter.js";
import type { HostState } from "./types.js";

/** Sections in load order, with the dump format each is read as. */
const DUMPS: readonly [string, DumpFormat][] = [
  ["sysctl", "sysctl"],
  ["link", "ip-json-link"],
  ["addr", "ip-json-addr"],
  ["rule4", "ip-json-rule"],
  ["rule6", "ip-json-rule"],
  ["route4", "ip-json-route"],
  ["route6", "ip-json-route"],
];

/** `rt_tables` files: `ID NAME` lines (the last name of an id wins, as in rt_names.c). */
export function loadRtTables(s: HostState, text: string, file: string): LoadIssue[] {
  const { entries, corrupt } = parseRtNames(text);
  for (const e of entries) s.tableNames.set(e.id, e.name);
  if (!corrupt) return [];
  const i = issue("load.read", `Database ${file} is corrupted at ${corrupt.text}`, {
    loc: { file, line: corrupt.line, col: 1 },
    token: corrupt.text,
    expected: "`NUMBER NAME` lines",
  });
  return [{ ...i, severity: "warning" }];
}

/** `/etc/passwd` or `getent passwd` lines: user names for `--uid-owner NAME`. */
export function loadPasswd(s: HostState, text: string, file: string): LoadIssue[] {
  const users = (s.users ??= new Map());
  const out: LoadIssue[] = [];
  text.split("\n").forEach((l, k) => {
    if (l.trim() === "" || l.startsWith("#")) return;
    const f = l.split(":");
    const uid = Number(f[2]);
    if (f.length < 3 || f[2] === "" || !Number.isInteger(uid) || uid < 0) {
      const i = issue("load.read", "not a passwd line", {
        loc: { file, line: k + 1, col: 1 },
        token: l,
        expected: "NAME:PASSWORD:UID:GID:GECOS:HOME:SHELL",
      });
      out.push({ ...i, severity: "error" });
      return;
    }
    users.set(f[0]!, uid);
  });
  return out;
}

/** A command a capture needed failed on the live host: say what is missing. */
function failedSection(sec: CaptureSection, file: string): LoadIssue {
  const why = sec.stderr.trim().split("\n")[0] ?? "";
  const i = issue("load.capture", `${sec.argv.join(" ")} failed when captured: ${why}`, {
    loc: { file, line: 1, col: 1 },
    token: sec.name,
    expected: "a section whose command succeeded",
  });
  return { ...i, severity: "warning" };
}

/** The dump sections (sysctls, links, addresses, rules, routes). */
function loadDumpSections(s: HostState, cap: Capture, file: string): LoadIssue[] {
  const out: LoadIssue[] = [];
  for (const [name, format] of DUMPS) {
    const sec = cap.sections.find((x) => x.name === name);
    if (!sec) continue;
    if (sec.status !== 0) {
      out.push(failedSection(sec, file));
      continue;
    }
    const fam = sectionFamily(name);
    // The section is the family's whole RPDB / FIB: what it does not list is not there.
    if (format === "ip-json-rule" && fam === 4) [s.rules4, s.v4CustomRules] = [[], true];
    if (format === "ip-json-rule" && fam === 6) [s.rules6, s.v6CustomRules] = [[], true];
    if (format === "ip-json-route") s.routes = s.routes.filter((r) => r.family !== fam);
    const hint = fam === undefined ? { format } : { format, family: fam };
    const issues = loadDump(s, sec.stdout, `${file}#${name}`, hint);
    if (format === "ip-json-rule") markDefaultRules(s, fam!);
    for (const i of issues) out.push({ ...i, severity: "error" });
  }
  return out;
}

/** The kernel's default RPDB of a family is not a custom one (fib*_has_custom_rules). */
function markDefaultRules(s: HostState, fam: Family): void {
  const rules = fam === 4 ? s.rules4 : s.rules6;
  const prefs = rules.map((r) => `${r.pref}:${r.table}:${r.protocol}`).join(" ");
  const dflt = fam === 4 ? "0:255:2 32766:254:2 32767:253:2" : "0:255:2 32766:254:2";
  if (prefs !== dflt || rules.some((r) => r.src || r.dst || r.markSet || r.iifname)) return;
  if (fam === 4) s.v4CustomRules = false;
  else s.v6CustomRules = false;
}

/** The top-level `table FAMILY NAME { … }` blocks of an `nft list ruleset` text. */
export function nftTableBlocks(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /^table (\S+) (\S+) \{[^\n]*\n(?:(?!\}\n)[^\n]*\n)*?\}\n/gm;
  for (const m of text.matchAll(re)) out.set(`${m[1]} ${m[2]}`, m[0]);
  return out;
}

type NftItem = Record<string, Record<string, unknown>>;

/** The `family name` of the table an item of `nft -j` output belongs to. */
function itemTable(it: NftItem): string | undefined {
  const [k, v] = Object.entries(it)[0] ?? [];
  if (!k || !v || k === "metainfo") return undefined;
  return `${String(v.family)} ${String(k === "table" ? v.name : v.table)}`;
}

/**
 * The nft ruleset: `nft -j list ruleset` without the tables iptables-nft manages (iptables-save
 * loads those), which are kept as `nft list ruleset` printed them, in their place.
 */
function loadNftSections(s: HostState, cap: Capture, file: string, lo: NfLoadOptions): LoadIssue[] {
  const sec = cap.sections.find((x) => x.name === "nft-json" && x.status === 0);
  if (!sec || sec.stdout.trim() === "") return [];
  const owned = new Set(cap.owners.filter((o) => o.owner === "iptables-nft").map((o) => o.table));
  let doc: { nftables?: NftItem[] };
  try {
    doc = JSON.parse(sec.stdout) as { nftables?: NftItem[] };
  } catch {
    return runWithStdin(s, "nft", ["nft", "-j", "-f", "-"], sec.stdout, `${file}#nft-json`, lo);
  }
  const items = doc.nftables ?? [];
  const order = items.filter((it) => it.table).map((it) => itemTable(it)!);
  const keep = items.filter((it) => !owned.has(itemTable(it) ?? ""));
  const text = JSON.stringify({ nftables: keep });
  const out = runWithStdin(s, "nft", ["nft", "-j", "-f", "-"], text, `${file}#nft-json`, lo);
  if (!owned.size) return out;
  const blocks = nftTableBlocks(cap.sections.find((x) => x.name === "nft")?.stdout ?? "");
  const rs = liveNetfilter(s).nft;
  for (const t of order) {
    if (!owned.has(t)) continue;
    const [family, name] = t.split(" ") as [NftFamily, string];
    const handle = Number(items.find((it) => itemTable(it) === t && it.table)?.table?.handle);
    const table: NftTable = {
      family,
      name,
      handle: Number.isInteger(handle) ? handle : 0,
      chains: [],
      sets: [],
      flags: [],
      nextHandle: 1,
      verbatim: blocks.get(t) ?? "",
    };
    rs.tables.splice(order.indexOf(t), 0, table);
  }
  return out;
}

/** ipset save lines, each an `ipset` command (what `ipset restore` does with them). */
function loadIpset(s: HostState, text: string, file: string): LoadIssue[] {
  const out: LoadIssue[] = [];
  text.split("\n").forEach((l, k) => {
    if (l.trim() === "") return;
    const loc = { file, line: k + 1, col: 1 };
    const argv = ["ipset", ...l.trim().split(/\s+/)];
    const rec = { argv, locs: argv.map(() => loc), loc, tool: "ipset" };
    s.netfilter.push(rec);
    for (const i of runNetfilterCommand(s, rec).issues) out.push(i);
  });
  return out;
}

/**
 * Load a capture into a host.
 * @example loadCapture(createHostState(), parsed, "host.json") // []
 */
export function loadCapture(
  s: HostState,
  cap: Capture,
  file: string,
  lo: NfLoadOptions = {},
): LoadIssue[] {
  const out: LoadIssue[] = [];
  const ok = (name: string) => cap.sections.filter((x) => x.name === name && x.status === 0);
  for (const sec of ok("rt_tables"))
    for (const i of loadRtTables(s, sec.stdout, `${file}#${sec.argv.at(-1)}`)) out.push(i);
  for (const sec of ok("passwd"))
    for (const i of loadPasswd(s, sec.stdout, `${file}#passwd`)) out.push(i);
  for (const i of loadDumpSections(s, cap, file)) out.push(i);
  for (const sec of ok("ipset"))
    for (const i of loadIpset(s, sec.stdout, `${file}#ipset`)) out.push(i);
  for (const [name, tool] of [
    ["iptables4", "iptables-restore"],
    ["iptables6", "ip6tables-restore"],
  ] as const)
    for (const sec of ok(name))
      if (sec.stdout.trim() !== "")
        for (const i of runWithStdin(s, tool, [tool], sec.stdout, `${file}#${name}`, lo))
          out.push(i);
  for (const i of loadNftSections(s, cap, file, lo)) out.push(i);
  return out;
}
