/**
 * Small parsers shared by the iptables front-end: libxtables number parsing
 * (`strtoul` with base 0), ports and services, protocols, host/mask specs, and the
 * error type every parser throws. Isomorphic: no Node APIs; the host's `/etc/services`,
 * `/etc/protocols`, `/etc/passwd` are replaced by built-in tables (overridable via env).
 * @module
 */
import type { Issue, IssueCode } from "../../core/issue.js";
import { IssueError, issue } from "../../core/issue.js";
import { defined } from "../../core/result.js";
import type { Addr, Family } from "../../addr/ip.js";
import { parseAddr, v4, v6, MASK128, fmt4, fmt6 } from "../../addr/ip.js";
import { ETC_PROTOCOLS } from "../data/protocols.js";
import { SERVICES_TEXT } from "../data/services.js";

/** Exit statuses of iptables (include/xtables.h enum xtables_exittype + 1 for kernel errors). */
export const EXIT = { OTHER: 1, PARAMETER: 2, VERSION: 3, RESOURCE: 4 } as const;

/**
 * The Issue an iptables IssueError carries: `message` is what iptables prints on stderr
 * without the "Try `iptables -h' ..." line; the extra fields are what the slice's entry
 * points (runIptables, runIptablesRestore) need to print it and are dropped there.
 */
export interface IptIssue extends Issue {
  /** Exit status (EXIT). */
  status: number;
  /** argv index of the offending word. */
  arg?: number;
  /** Whether iptables prints the "Try `iptables -h'" line after it (PARAMETER_PROBLEM). */
  tryHelp: boolean;
}

/** A rejected command as a value (what xtables_error prints and exits with). */
export function iptIssue(
  message: string,
  status: number,
  code: IssueCode,
  arg?: number,
  expected?: string,
  tryHelp: boolean = status === EXIT.PARAMETER,
): IptIssue {
  return { ...issue(code, message, { expected }), status, tryHelp, ...defined({ arg }) };
}

/** A rejected command, thrown from deep inside the parser or executor. */
export function iptError(
  message: string,
  status: number,
  code: IssueCode,
  arg?: number,
  expected?: string,
  tryHelp: boolean = status === EXIT.PARAMETER,
): IssueError {
  return new IssueError(iptIssue(message, status, code, arg, expected, tryHelp));
}

/** The IptIssue of a caught value: anything but an IssueError is a bug and is rethrown. */
export function caughtIssue(thrown: unknown): IptIssue {
  if (!(thrown instanceof IssueError)) throw thrown;
  const i = thrown.issue as Partial<IptIssue> & Issue;
  return { ...i, status: i.status ?? EXIT.PARAMETER, tryHelp: i.tryHelp ?? false };
}

/** Program identity used in messages: `iptables` / `ip6tables` (or `-restore`). */
export interface Prog {
  name: string;
  family: Family;
}
export const VERSION = "1.8.9";
export function progPrefix(p: Prog): string {
  return `${p.name} v${VERSION} (nf_tables): `;
}

/** xtables_error(PARAMETER_PROBLEM, ...). */
export function paramError(
  p: Prog,
  msg: string,
  arg?: number,
  code: IssueCode = "iptables.parameter",
  expected?: string,
): IssueError {
  return iptError(progPrefix(p) + msg, EXIT.PARAMETER, code, arg, expected);
}

/**
 * xtables_strtoul: strtoull(base 0) that must consume the whole string (or stop at
 * a delimiter when `allowRest`); returns [value, rest] or undefined.
 */
export function strtoul(
  s: string,
  min: number,
  max: number,
  allowRest = false,
): [number, string] | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  let v: number;
  if (/^0[xX]/.test(body)) v = parseInt(body.slice(2), 16);
  else if (body.length > 1 && body[0] === "0") v = parseInt(body, 8);
  else v = parseInt(body, 10);
  if (m[1] === "-" && v !== 0) return undefined; // wraps to a huge value: out of range
  const rest = s.slice(m[0].length);
  if (!allowRest && rest !== "") return undefined;
  if (v < min || v > max || !Number.isFinite(v)) return undefined;
  return [v, rest];
}

/** getservbyname over data/services.ts: name -> [port, protomask]. */
const SERVICES = new Map<string, [number, number]>();
for (const e of SERVICES_TEXT.split(" ")) {
  const [n, p, m] = e.split(":");
  SERVICES.set(n!, [Number(p), Number(m)]);
}

/**
 * xtables_parse_port: number (base 0) or service name for `proto` (getservbyname; any
 * protocol when undefined); undefined when invalid.
 */
export function parsePortNum(s: string, env?: IptEnv, proto?: string): number | undefined {
  const n = strtoul(s, 0, 65535);
  if (n) return n[0];
  const custom = env?.services?.[s];
  if (custom !== undefined) return custom;
  const e = SERVICES.get(s);
  if (!e) return undefined;
  const bit =
    proto === undefined ? 7 : proto === "tcp" ? 1 : proto === "udp" ? 2 : proto === "sctp" ? 4 : 0;
  return e[1] & bit ? e[0] : undefined;
}

/** xtables_chain_protos, then /etc/protocols (first name per number). */
const CHAIN_PROTOS: Array<[string, number]> = [
  ["tcp", 6],
  ["sctp", 132],
  ["udp", 17],
  ["udplite", 136],
  ["icmp", 1],
  ["ipv6-icmp", 58],
  ["icmpv6", 58],
  ["esp", 50],
  ["ah", 51],
  ["ipv6-mh", 135],
  ["mh", 135],
  ["all", 0],
];
/** xtables_parse_protocol (input already lower-cased); undefined when unknown. */
export function parseProtocol(s: string): number | undefined {
  const n = strtoul(s, 0, 255);
  if (n) return n[0];
  if (s === "all") return 0;
  for (const [name, num] of ETC_PROTOCOLS) if (name === s) return num;
  for (const [name, num] of CHAIN_PROTOS) if (name === s) return num;
  return undefined;
}

/** proto_to_name(proto, 0) as iptables-save prints `-p`. */
export function protoName(n: number): string | undefined {
  for (const [name, num] of CHAIN_PROTOS) if (num === n) return name;
  for (const [name, num] of ETC_PROTOCOLS) if (num === n) return name;
  return undefined;
}

/** Name resolution the real host would do (users, groups, services, hosts). */
export interface IptEnv {
  users?: Record<string, number>;
  groups?: Record<string, number>;
  services?: Record<string, number>;
  /** Host names -> addresses (getaddrinfo); `localhost` is built in. */
  hosts?: Record<string, string[]>;
}

/** An address with a (possibly non-CIDR) mask, as iptables stores `-s`/`-d`. */
export interface AddrMask {
  addr: Addr;
  mask: Addr;
}

function maskOfLen(f: Family, len: number): Addr {
  if (f === 4) return v4(len <= 0 ? 0 : len >= 32 ? 0xffffffff : (0xffffffff << (32 - len)) >>> 0);
  return v6(len <= 0 ? 0n : (MASK128 << BigInt(128 - len)) & MASK128);
}

/** CIDR length of a mask, or -1 when not contiguous. */
export function maskLen(m: Addr): number {
  if (m.family === 4) {
    const v = m.v >>> 0;
    for (let l = 0; l <= 32; l++) if ((maskOfLen(4, l).v as number) === v) return l;
    return -1;
  }
  for (let l = 0; l <= 128; l++) if ((maskOfLen(6, l).v as bigint) === m.v) return l;
  return -1;
}

export function andAddr(a: Addr, m: Addr): Addr {
  return a.family === 4 ? v4((a.v & (m.v as number)) >>> 0) : v6(a.v & (m.v as bigint));
}

export function addrIsZero(a: Addr): boolean {
  return a.family === 4 ? a.v === 0 : a.v === 0n;
}

/** inet_ntop. */
export function ntop(a: Addr): string {
  return a.family === 4 ? fmt4(a.v) : fmt6(a.v);
}

/**
 * xtables_numeric_to_ipaddr: 1-4 dotted parts, missing parts zero on the right
 * (`10.1` = 10.1.0.0).
 */
function numericV4(s: string): Addr | undefined {
  if (s === "" || s.endsWith(".")) return undefined;
  const parts = s.split(".");
  if (parts.length > 4) return undefined;
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    let n = 0;
    if (p !== undefined) {
      const r = strtoul(p, 0, 255);
      if (!r) return undefined;
      n = r[0];
    }
    v = v * 256 + n;
  }
  return v4(v >>> 0);
}

/** Resolve one host spec (numeric or name) into addresses; undefined when not found. */
export function resolveHost(s: string, f: Family, env?: IptEnv): Addr[] | undefined {
  if (f === 4) {
    const a = numericV4(s);
    if (a) return [a];
  } else {
    const r = parseAddr(s, 6);
    if (r.ok) return [r.value];
  }
  // Debian's /etc/hosts: `127.0.0.1 localhost`, `::1 ip6-localhost ip6-loopback` (ip6tables
  // does not resolve `localhost` there: getaddrinfo(AF_INET6) finds no AAAA for it).
  const names =
    env?.hosts?.[s] ??
    (s === "localhost" && f === 4
      ? ["127.0.0.1"]
      : (s === "ip6-localhost" || s === "ip6-loopback") && f === 6
        ? ["::1"]
        : undefined);
  if (!names) return undefined;
  const out: Addr[] = [];
  for (const n of names) {
    const r = parseAddr(n, f);
    if (r.ok) out.push(r.value);
  }
  return out.length ? out : undefined;
}

/**
 * xtables_ipparse_multiple / xtables_ip6parse_multiple: comma-separated host[/mask]
 * list, each masked; duplicates (same unmasked address and mask) dropped.
 */
export function parseHostMaskList(
  spec: string,
  f: Family,
  p: Prog,
  arg: number | undefined,
  env?: IptEnv,
): AddrMask[] {
  const out: AddrMask[] = [];
  const seen = new Set<string>();
  for (const item of spec.split(",")) {
    const slash = item.indexOf("/");
    const host = slash >= 0 ? item.slice(0, slash) : item;
    let mask: Addr = maskOfLen(f, f === 4 ? 32 : 128);
    if (slash >= 0) {
      const ms = item.slice(slash + 1);
      const n = strtoul(ms, 0, f === 4 ? 32 : 128);
      if (n) mask = maskOfLen(f, n[0]);
      else {
        let m: Addr | undefined;
        if (f === 4) {
          const r = parseAddr(ms, 4);
          if (r.ok) m = r.value;
        } else {
          const r = parseAddr(ms, 6);
          if (r.ok) m = r.value;
        }
        if (!m)
          throw paramError(
            p,
            `invalid mask \`${ms}' specified`,
            arg,
            "iptables.bad-mask",
            "a prefix length or a netmask",
          );
        mask = m;
      }
    }
    // A /0 host part is not resolved by iptables when mask is zero? It is: "0/0" parses fine.
    const addrs = resolveHost(host, f, env);
    if (!addrs)
      throw paramError(
        p,
        `host/network \`${host}' not found`,
        arg,
        "iptables.bad-host",
        f === 4 ? "an IPv4 address or host name" : "an IPv6 address or host name",
      );
    for (const a of addrs) {
      // iptables drops an entry equal (unmasked address and mask) to the one before it
      const key = `${String(a.v)}/${String(mask.v)}`;
      if (seen.has(key)) continue;
      seen.clear();
      seen.add(key);
      out.push({ addr: andAddr(a, mask), mask });
    }
  }
  return out;
}

/** `addr/len` or `addr/mask` as iptables-save prints (`-d 10.1.2.3/32`). */
export function formatAddrMask(am: AddrMask): string {
  const l = maskLen(am.mask);
  return `${ntop(am.addr)}/${l >= 0 ? String(l) : ntop(am.mask)}`;
}

/** xtables_save_string: bare when only [_-0-9a-zA-Z], else double-quoted with \" \\ \' escapes. */
export function saveString(s: string): string {
  if (/^[_\-0-9a-zA-Z]+$/.test(s)) return s;
  return `"${s.replace(/["\\']/g, (c) => "\\" + c)}"`;
}

export function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16);
}

/** Match an interface name against an iptables pattern (`eth+` prefix wildcard). */
export function ifaceMatches(pattern: string, name: string): boolean {
  if (pattern.endsWith("+")) return name.startsWith(pattern.slice(0, -1));
  return name === pattern;
}

export function addrInMask(a: Addr, am: AddrMask): boolean {
  if (a.family !== am.addr.family) return false;
  return andAddr(a, am.mask).v === am.addr.v;
}

export function addrCmp(a: Addr, b: Addr): number {
  const x = BigInt(a.v),
    y = BigInt(b.v);
  return x < y ? -1 : x > y ? 1 : 0;
}
