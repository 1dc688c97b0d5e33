/**
 * `ipset` commands for the sets `-m set --match-set` refers to: `hash:ip` and `hash:net`
 * (create, add, del, test, flush, destroy, swap, rename, list -n), with ipset 7.17's
 * messages. Other set types are rejected as not modelled.
 * @module
 */
import type { IssueCode } from "../../core/issue.js";
import { IssueError, issue } from "../../core/issue.js";
import type { Family } from "../../addr/ip.js";
import { parseAddr } from "../../addr/ip.js";
import type { Issue } from "../../core/issue.js";
import type { SourceLoc } from "../../core/loc.js";
import type { IptablesResult } from "./commands.js";
import type { Ipset, IptablesRuleset } from "./types.js";
import type { AddrMask } from "./util.js";
import { andAddr, caughtIssue, EXIT, formatAddrMask, iptError, maskLen, ntop } from "./util.js";
import { v4, v6, MASK128 } from "../../addr/ip.js";

const V = "ipset v7.17: ";
const KNOWN_TYPES = new Set([
  "hash:ip",
  "hash:net",
  "hash:ip,port",
  "hash:net,port",
  "hash:ip,port,ip",
  "hash:ip,port,net",
  "hash:ip,mark",
  "hash:net,iface",
  "hash:net,net",
  "hash:net,port,net",
  "hash:mac",
  "hash:ip,mac",
  "bitmap:ip",
  "bitmap:ip,mac",
  "bitmap:port",
  "list:set",
]);

/** ipset's error: message as printed, argv index, exit status (ipset exits 1). */
function ipsetError(
  message: string,
  arg: number,
  code: IssueCode,
  status: number = EXIT.OTHER,
): IssueError {
  return iptError(message, status, code, arg, undefined, false);
}

/** Success with a note on stderr (`ipset test` hit): an info issue that unwinds like an error. */
function ipsetNote(message: string): IssueError {
  return new IssueError(issue("ipset.in-set", message, undefined, "info"));
}

function maskOf(f: Family, len: number) {
  return f === 4
    ? v4(len <= 0 ? 0 : len >= 32 ? 0xffffffff : (0xffffffff << (32 - len)) >>> 0)
    : v6(len <= 0 ? 0n : (MASK128 << BigInt(128 - len)) & MASK128);
}

function parseEntry(set: Ipset, s: string, at: number): AddrMask {
  const slash = s.indexOf("/");
  const a = slash >= 0 ? s.slice(0, slash) : s;
  const r = parseAddr(a, set.family);
  const fam = set.family === 4 ? "IPv4" : "IPv6";
  if (!r.ok)
    throw ipsetError(
      `${V}Syntax error: cannot parse ${s}: resolving to ${fam} address failed`,
      at,
      "ipset.bad-entry",
    );
  const w = set.family === 4 ? 32 : 128;
  let len = w;
  if (slash >= 0) {
    const l = s.slice(slash + 1);
    if (!/^[0-9]+$/.test(l) || Number(l) > w || (set.type === "hash:net" && Number(l) === 0))
      throw ipsetError(
        `${V}Syntax error: cannot parse ${s}: resolving to ${fam} address failed`,
        at,
        "ipset.bad-entry",
      );
    len = Number(l);
  }
  const mask = maskOf(set.family, len);
  return { addr: andAddr(r.value, mask), mask };
}

/** The create options `ipset save` and `ipset list` print (defaults: nothing else is modelled). */
function ipsetHeader(s: Ipset): string {
  return `family ${s.family === 4 ? "inet" : "inet6"} hashsize 1024 maxelem 65536`;
}

function entryKey(e: AddrMask): string {
  return `${String(e.addr.v)}/${String(e.mask.v)}`;
}

/** Each set's entry keys, built once and kept up to date by add (del and flush drop it). */
const KEYS = new WeakMap<Ipset, Set<string>>();

function keysOf(set: Ipset): Set<string> {
  let k = KEYS.get(set);
  if (!k || k.size !== set.entries.length) KEYS.set(set, (k = new Set(set.entries.map(entryKey))));
  return k;
}

function formatEntry(e: AddrMask): string {
  const l = maskLen(e.mask);
  return l === (e.addr.family === 4 ? 32 : 128) ? ntop(e.addr) : formatAddrMask(e);
}

/** Number of iptables rules referring to the set (both families). */
export function ipsetReferences(rs: IptablesRuleset, name: string): number {
  let n = 0;
  for (const st of [rs.v4, rs.v6])
    for (const t of st.tables.values())
      for (const c of t.chains.values())
        for (const r of c.rules) {
          for (const m of r.matches) if (m.name === "set" && m.data.set === name) n++;
        }
  return n;
}

/**
 * Run one `ipset` command (argv[0] = "ipset").
 * @example runIpset(rs, ["ipset", "create", "cn", "hash:net"], locs).status // 0
 */
export function runIpset(rs: IptablesRuleset, argv: string[], locs: SourceLoc[]): IptablesResult {
  try {
    const stdout = ipsetExec(rs, argv);
    return { status: 0, stdout, stderr: "", issues: [], warnings: [] };
  } catch (thrown) {
    const e = caughtIssue(thrown);
    if (e.severity === "info")
      return { status: 0, stdout: "", stderr: e.message + "\n", issues: [], warnings: [e.message] };
    const at = e.arg !== undefined && e.arg < argv.length ? e.arg : 0;
    const found = issue(e.code, e.message, { loc: locs[at] ?? locs[0], token: argv[at] });
    return {
      status: e.status,
      stdout: "",
      stderr: e.message + "\n",
      issues: [found],
      warnings: [],
    };
  }
}

/** Apply one `ipset` command; the Issues of a rejection (empty on success). */
export function applyIpsetCommand(rs: IptablesRuleset, argv: string[], locs: SourceLoc[]): Issue[] {
  return runIpset(rs, argv, locs).issues;
}

/** One ipset command line: its words (flags removed) and the helpers every command uses. */
interface IpsetCmd {
  rs: IptablesRuleset;
  argv: string[];
  /** Words after the program, flags removed, with their argv index. */
  words: Array<[string, number]>;
  /** -exist / -!: no error for an existing or missing element or set. */
  exist: boolean;
  cmdAt: number;
  arg: (k: number) => [string, number] | undefined;
  need: (k: number, what: string) => [string, number];
  getSet: (k: number) => [Ipset, number];
}

/** Options create reads with a value, and flags without one. */
const CREATE_VALUED = [
  "hashsize",
  "maxelem",
  "timeout",
  "netmask",
  "bucketsize",
  "markmask",
  "initval",
  "skbinfo",
];
const CREATE_FLAGS = ["counters", "comment", "forceadd", "nomatch"];

/** The family a create line asks for (`family inet|inet6`), other options checked. */
function createFamily(words: Array<[string, number]>): Family {
  let family: Family = 4;
  for (let k = 3; k < words.length; k++) {
    const [w] = words[k]!;
    if (w === "family") {
      const f = words[k + 1]?.[0];
      if (f === "inet6" || f === "ipv6") family = 6;
      else if (f !== "inet" && f !== "ipv4")
        throw ipsetError(
          `${V}Syntax error: unknown family ${f ?? ""}`,
          words[k + 1]?.[1] ?? words[k]![1],
          "ipset.syntax",
        );
      k++;
    } else if (CREATE_VALUED.includes(w)) k++;
    else if (!CREATE_FLAGS.includes(w))
      throw ipsetError(`${V}Syntax error: Unknown argument: '${w}'`, words[k]![1], "ipset.syntax");
  }
  return family;
}

/** create SETNAME TYPE [family F] [options]. */
function ipsetCreate(x: IpsetCmd): string {
  const { rs, words, exist } = x;
  const [name, nameAt] = x.need(1, "missing setname");
  const [type, typeAt] = x.need(2, "missing settype");
  if (!KNOWN_TYPES.has(type))
    throw ipsetError(`${V}Syntax error: typename '${type}' is unknown`, typeAt, "ipset.bad-type");
  if (type !== "hash:ip" && type !== "hash:net")
    throw ipsetError(
      `routelab: ipset type ${type} is not modelled (only hash:ip and hash:net)`,
      typeAt,
      "ipset.unsupported",
    );
  const family = createFamily(words);
  const old = rs.ipsets.get(name);
  if (old) {
    if (exist && old.type === type && old.family === family) return "";
    throw ipsetError(
      `${V}Set cannot be created: set with the same name already exists`,
      nameAt,
      "ipset.EEXIST",
    );
  }
  rs.ipsets.set(name, { name, type, family, entries: [] });
  return "";
}

/** The entries an element stands for: a hash:ip set stores a CIDR as its addresses. */
function expandEntry(set: Ipset, entry: AddrMask, eAt: number): AddrMask[] {
  const list: AddrMask[] = [];
  if (set.type === "hash:ip" && maskLen(entry.mask) !== (set.family === 4 ? 32 : 128)) {
    const len = maskLen(entry.mask),
      w = set.family === 4 ? 32 : 128;
    if (w - len > 16)
      throw ipsetError(`${V}Hash is full, cannot add more elements`, eAt, "ipset.full");
    const count = 1 << (w - len);
    for (let k = 0; k < count; k++) {
      const a =
        set.family === 4
          ? v4(((entry.addr.v as number) + k) >>> 0)
          : v6((entry.addr.v as bigint) + BigInt(k));
      list.push({ addr: a, mask: maskOf(set.family, w) });
    }
  } else list.push(entry);
  return list;
}

/** add / del / test SETNAME ELEMENT. */
function ipsetElement(x: IpsetCmd, cmd: "add" | "del" | "test"): string {
  const { rs, exist } = x;
  const [set] = x.getSet(1);
  const [e, eAt] = x.need(2, "missing element");
  const list = expandEntry(set, parseEntry(set, e, eAt), eAt);
  const keys = keysOf(set);
  if (cmd === "test") {
    const addr = list[0]!.addr;
    const hit = set.entries.some(
      (y) => andAddr(addr, y.mask).v === y.addr.v && maskLen(y.mask) <= maskLen(list[0]!.mask),
    );
    if (!hit) throw ipsetError(`${e} is NOT in set ${set.name}.`, eAt, "ipset.not-in-set");
    throw ipsetNote(`Warning: ${e} is in set ${set.name}.`);
  }
  if (cmd === "add") {
    const fresh = list.filter((y) => !keys.has(entryKey(y)));
    if (fresh.length === 0 && !exist)
      throw ipsetError(
        `${V}Element cannot be added to the set: it's already added`,
        eAt,
        "ipset.EEXIST",
      );
    // In place with the key index: a copy per add made 20k one-per-line adds quadratic.
    for (const x of fresh) {
      set.entries.push(x);
      keys.add(entryKey(x));
    }
  } else {
    const drop = new Set(list.map(entryKey));
    if (!list.some((y) => keys.has(entryKey(y))) && !exist)
      throw ipsetError(
        `${V}Element cannot be deleted from the set: it's not added`,
        eAt,
        "ipset.ENOENT",
      );
    rs.ipsets.set(set.name, {
      ...set,
      entries: set.entries.filter((y) => !drop.has(entryKey(y))),
    });
  }
  return "";
}

/** flush [SETNAME]. */
function ipsetFlush(x: IpsetCmd): string {
  const { rs } = x;
  if (!x.arg(1)) {
    for (const [k, s] of rs.ipsets) rs.ipsets.set(k, { ...s, entries: [] });
    return "";
  }
  const [set] = x.getSet(1);
  rs.ipsets.set(set.name, { ...set, entries: [] });
  return "";
}

/** destroy [SETNAME]: a set a rule refers to is busy. */
function ipsetDestroy(x: IpsetCmd): string {
  const { rs, cmdAt } = x;
  const names = x.arg(1)
    ? [x.getSet(1)]
    : [...rs.ipsets.values()].map((s) => [s, cmdAt] as [Ipset, number]);
  for (const [s, at] of names)
    if (ipsetReferences(rs, s.name) > 0)
      throw ipsetError(
        `${V}Set cannot be destroyed: it is in use by a kernel component`,
        at,
        "ipset.EBUSY",
      );
  for (const [s] of names) rs.ipsets.delete(s.name);
  return "";
}

/** rename FROM TO. */
function ipsetRename(x: IpsetCmd): string {
  const { rs } = x;
  const [set] = x.getSet(1);
  const [to, toAt] = x.need(2, "missing new setname");
  if (rs.ipsets.has(to))
    throw ipsetError(
      `${V}Set cannot be renamed: a set with the new name already exists`,
      toAt,
      "ipset.EEXIST",
    );
  if (ipsetReferences(rs, set.name) > 0)
    throw ipsetError(
      `${V}Set cannot be renamed: it is in use by a kernel component`,
      toAt,
      "ipset.EBUSY",
    );
  rs.ipsets.delete(set.name);
  rs.ipsets.set(to, { ...set, name: to });
  return "";
}

/** swap A B: compatible sets exchange their contents. */
function ipsetSwap(x: IpsetCmd): string {
  const { rs } = x;
  const [a] = x.getSet(1),
    [b] = x.getSet(2);
  if (a.type !== b.type || a.family !== b.family)
    throw ipsetError(
      `${V}Sets cannot be swapped: The sets are not compatible`,
      x.cmdAt,
      "ipset.incompatible",
    );
  rs.ipsets.set(a.name, { ...b, name: a.name });
  rs.ipsets.set(b.name, { ...a, name: b.name });
  return "";
}

/** list / save [SETNAME]. */
function ipsetList(x: IpsetCmd, cmd: "list" | "save"): string {
  const { rs, argv } = x;
  const sets = x.arg(1) ? [x.getSet(1)[0]] : [...rs.ipsets.values()];
  let out = "";
  for (const s of sets) {
    if (cmd === "save") {
      out += `create ${s.name} ${s.type} ${ipsetHeader(s)}\n`;
      for (const e of s.entries) out += `add ${s.name} ${formatEntry(e)}\n`;
    } else if (argv.includes("-n") || argv.includes("-name")) out += `${s.name}\n`;
    else {
      out +=
        `Name: ${s.name}\nType: ${s.type}\nHeader: ${ipsetHeader(s)}\n` +
        `References: ${ipsetReferences(rs, s.name)}\n` +
        `Number of entries: ${s.entries.length}\nMembers:\n`;
      for (const e of s.entries) out += `${formatEntry(e)}\n`;
    }
  }
  return out;
}

/** Command letters and their long names (ipset.c's commands table). */
const IPSET_ALIASES: Record<string, string> = {
  n: "create",
  c: "create",
  a: "add",
  d: "del",
  t: "test",
  x: "destroy",
  f: "flush",
  l: "list",
  s: "save",
  e: "rename",
  w: "swap",
};

function ipsetExec(rs: IptablesRuleset, argv: string[]): string {
  let exist = false;
  const words: Array<[string, number]> = [];
  argv.forEach((w, i) => {
    if (i === 0) return;
    if (w === "-exist" || w === "-!" || w === "--exist") exist = true;
    else if (w === "-q" || w === "-quiet" || w === "-n" || w === "-name") {
      /* output flags */
    } else words.push([w, i]);
  });
  const [cmdW, cmdAt] = words[0] ?? ["", 0];
  const arg = (k: number) => words[k];
  const need = (k: number, what: string): [string, number] => {
    const w = arg(k);
    if (!w) throw ipsetError(`${V}Syntax error: ${what}`, cmdAt, "ipset.syntax");
    return w;
  };
  const getSet = (k: number): [Ipset, number] => {
    const [n, at] = need(k, "missing setname");
    const s = rs.ipsets.get(n);
    if (!s) throw ipsetError(`${V}The set with the given name does not exist`, at, "ipset.no-set");
    return [s, at];
  };
  const x: IpsetCmd = { rs, argv, words, exist, cmdAt, arg, need, getSet };
  const bare = cmdW.replace(/^-+/, "");
  const cmd = IPSET_ALIASES[bare] ?? bare;
  switch (cmd) {
    case "create":
      return ipsetCreate(x);
    case "add":
    case "del":
    case "test":
      return ipsetElement(x, cmd);
    case "flush":
      return ipsetFlush(x);
    case "destroy":
      return ipsetDestroy(x);
    case "rename":
      return ipsetRename(x);
    case "swap":
      return ipsetSwap(x);
    case "list":
    case "save":
      return ipsetList(x, cmd);
    default:
      throw ipsetError(
        `${V}No command specified: unknown argument ${cmdW}`,
        cmdAt,
        "ipset.syntax",
        EXIT.OTHER,
      );
  }
}
