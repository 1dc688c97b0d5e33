/**
 * Number <-> name tables iproute2 6.1 uses when printing (lib/rt_names.c with Debian's
 * /etc/iproute2 files, glibc getprotobynumber with netbase's /etc/protocols), embedded so
 * the parser and printers stay isomorphic. Each `*N2a` prints like its C namesake; each `*A2n`
 * reads like its C namesake: a name from the table, else a number with strtoul base 0 (`0x64`,
 * `010` is 8) up to the field's maximum; rtnl_dsfield_a2n reads base 16. `parseRtNames` reads
 * the rt_tables-style files the tables come from.
 * @module
 */
import { getU8, getUnsignedMax } from "../addr/num.js";
import { RTN, type RouteType } from "../core/kinds.js";

/** One `NUMBER NAME` line of an /etc/iproute2 file (rt_tables, rt_protos, …). */
export interface RtNameEntry {
  readonly id: number;
  readonly name: string;
  /** 1-based line number. */
  readonly line: number;
}

/**
 * rtnl_tab_initialize / rtnl_hash_initialize (lib/rt_names.c): blank lines and `#` comments
 * are skipped; a line is `0xHEX NAME` or `DECIMAL NAME` (sscanf `%d`, so `010` is ten), and
 * anything after the name is ignored. A line that does not scan stops the file (iproute2
 * prints `Database … is corrupted at …` and keeps what it read): it is returned as
 * `corrupt`. Ids outside 0..max are skipped, as rt_names does.
 * @example parseRtNames("100 wan # uplink\n").entries // [{ id: 100, name: "wan", line: 1 }]
 */
export function parseRtNames(
  text: string,
  max = 0xffffffff,
): { entries: RtNameEntry[]; corrupt?: { line: number; text: string } } {
  const entries: RtNameEntry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const p = lines[i]!.replace(/^[ \t]+/, "");
    if (p === "" || p[0] === "#" || p === "\r") continue;
    const m = /^0x([0-9a-fA-F]+)\s+(\S+)/.exec(p) ?? /^\s*([+-]?[0-9]+)\s+(\S+)/.exec(p);
    if (!m) return { entries, corrupt: { line: i + 1, text: p } };
    const id = p.startsWith("0x") ? parseInt(m[1]!, 16) : Number(m[1]);
    if (id < 0 || id > max) continue;
    entries.push({ id, name: m[2]!, line: i + 1 });
  }
  return { entries };
}

/** lib/rt_names.c rtnl_rtprot_tab + /etc/iproute2/rt_protos (Debian 12). */
export const RTPROT_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "unspec"],
  [1, "redirect"],
  [2, "kernel"],
  [3, "boot"],
  [4, "static"],
  [8, "gated"],
  [9, "ra"],
  [10, "mrt"],
  [11, "zebra"],
  [12, "bird"],
  [13, "dnrouted"],
  [14, "xorp"],
  [15, "ntk"],
  [16, "dhcp"],
  [18, "keepalived"],
  [42, "babel"],
  [99, "openr"],
  [186, "bgp"],
  [187, "isis"],
  [188, "ospf"],
  [189, "rip"],
  [192, "eigrp"],
]);

/** rtnl_rtprot_n2a. @example rtprotN2a(4) // "static" */
export function rtprotN2a(p: number): string {
  return RTPROT_NAMES.get(p) ?? String(p);
}

/** rt_scopes. */
export const SCOPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "global"],
  [200, "site"],
  [253, "link"],
  [254, "host"],
  [255, "nowhere"],
]);
/** rtnl_rtscope_n2a. @example rtscopeN2a(253) // "link" */
export function rtscopeN2a(s: number): string {
  return SCOPE_NAMES.get(s) ?? String(s);
}

/** rtnl_rtntype_n2a (lib/rt_names.c). */
export const RTN_NAMES: readonly string[] = [
  "none",
  "unicast",
  "local",
  "broadcast",
  "anycast",
  "multicast",
  "blackhole",
  "unreachable",
  "prohibit",
  "throw",
  "nat",
  "xresolve",
];
/** @example rtntypeN2a(6) // "blackhole" */
export function rtntypeN2a(t: number): string {
  return RTN_NAMES[t] ?? String(t);
}

/** rtm_type numbers by name: the kernel's own table (core/kinds RTN). */
export const ROUTE_TYPE_NUM: Readonly<Record<RouteType, number>> = RTN;

/**
 * /etc/iproute2/rt_dsfield (Debian 12); the file's later `0 cosmos` does not override
 * `0x0 default` in the table, but 0 is never printed.
 */
export const DSFIELD_NAMES: ReadonlyMap<number, string> = new Map([
  [0x28, "AF11"],
  [0x30, "AF12"],
  [0x38, "AF13"],
  [0x48, "AF21"],
  [0x50, "AF22"],
  [0x58, "AF23"],
  [0x68, "AF31"],
  [0x70, "AF32"],
  [0x78, "AF33"],
  [0x88, "AF41"],
  [0x90, "AF42"],
  [0x98, "AF43"],
  [0x20, "CS1"],
  [0x40, "CS2"],
  [0x60, "CS3"],
  [0x80, "CS4"],
  [0xa0, "CS5"],
  [0xc0, "CS6"],
  [0xe0, "CS7"],
  [0xb8, "EF"],
]);
/** rtnl_dsfield_n2a: name or `0x%02x`. @example dsfieldN2a(0x4) // "0x04" */
export function dsfieldN2a(v: number): string {
  return DSFIELD_NAMES.get(v) ?? "0x" + v.toString(16).padStart(2, "0");
}
/** rtnl_dsfield_a2n: a name, else strtoul base 16 (`10` is 0x10) up to 0xff. */
export function dsfieldA2n(s: string): number | undefined {
  for (const [k, v] of DSFIELD_NAMES) if (v === s) return k;
  if (s === "default") return 0;
  return getUnsignedMax(s, 0xff, 16);
}

/** /etc/protocols (netbase, Debian 12), first name for each number as getprotobynumber returns. */
export const IPPROTO_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "ip"],
  [1, "icmp"],
  [2, "igmp"],
  [3, "ggp"],
  [4, "ipencap"],
  [5, "st"],
  [6, "tcp"],
  [8, "egp"],
  [9, "igp"],
  [12, "pup"],
  [17, "udp"],
  [20, "hmp"],
  [22, "xns-idp"],
  [27, "rdp"],
  [29, "iso-tp4"],
  [33, "dccp"],
  [36, "xtp"],
  [37, "ddp"],
  [38, "idpr-cmtp"],
  [41, "ipv6"],
  [43, "ipv6-route"],
  [44, "ipv6-frag"],
  [45, "idrp"],
  [46, "rsvp"],
  [47, "gre"],
  [50, "esp"],
  [51, "ah"],
  [57, "skip"],
  [58, "ipv6-icmp"],
  [59, "ipv6-nonxt"],
  [60, "ipv6-opts"],
  [73, "rspf"],
  [81, "vmtp"],
  [88, "eigrp"],
  [89, "ospf"],
  [93, "ax.25"],
  [94, "ipip"],
  [97, "etherip"],
  [98, "encap"],
  [103, "pim"],
  [108, "ipcomp"],
  [112, "vrrp"],
  [115, "l2tp"],
  [124, "isis"],
  [132, "sctp"],
  [133, "fc"],
  [135, "mobility-header"],
  [136, "udplite"],
  [137, "mpls-in-ip"],
  [138, "manet"],
  [139, "hip"],
  [140, "shim6"],
  [141, "wesp"],
  [142, "rohc"],
  [143, "ethernet"],
]);
/** inet_proto_n2a. @example ipprotoN2a(253) // "ipproto-253" */
export function ipprotoN2a(p: number): string {
  return IPPROTO_NAMES.get(p) ?? `ipproto-${p}`;
}
/** Inverse (names incl. aliases iproute2 accepts via getprotobyname, `ipproto-N`, numbers). */
export function ipprotoA2n(s: string): number | undefined {
  for (const [k, v] of IPPROTO_NAMES) if (v === s) return k;
  const alias: Record<string, number> = {
    "ipv6-icmp": 58,
    icmpv6: 58,
    "IPv6-ICMP": 58,
    TCP: 6,
    UDP: 17,
    ICMP: 1,
  };
  if (alias[s] !== undefined) return alias[s];
  const m = /^ipproto-(\d+)$/.exec(s);
  if (m) return Number(m[1]);
  return getUnsignedMax(s, 255);
}

/**
 * inet_proto_a2n as `ip rule … ipproto X` and `ip route get … ipproto X` read it: a name from
 * /etc/protocols, else get_u8 base 10 (`010` is 10, `0x11` and `ipproto-6` are refused;
 * checked against ip 6.1).
 */
export function inetProtoA2n(s: string): number | undefined {
  if (/^ipproto-/.test(s)) return undefined;
  const n = ipprotoA2n(s);
  return n !== undefined && !/^[-+ 0-9]/.test(s) ? n : getU8(s, 10);
}

/** /etc/iproute2/group. @example groupN2a(0) // "default" */
export function groupN2a(g: number): string {
  return g === 0 ? "default" : String(g);
}
/** rtnl_group_a2n: `default` or a u32 (base 0). */
export function groupA2n(s: string): number | undefined {
  return s === "default" ? 0 : getUnsignedMax(s, 0xffffffff);
}

/** rtnl_rttable_n2a with the host's table names. */
export function tableN2a(names: ReadonlyMap<number, string>, id: number): string {
  return names.get(id) ?? String(id);
}
/**
 * rtnl_rttable_a2n: the host's names (rt_tables; `unspec` is 0 there by default), else
 * strtoul base 0 up to RT_TABLE_MAX (`table 0x64` is 100, `table 010` is 8).
 * @example rttableA2n("main", new Map([[254, "main"]])) // 254
 */
export function rttableA2n(s: string, names: ReadonlyMap<number, string>): number | undefined {
  for (const [k, v] of names) if (v === s) return k;
  if (s === "unspec") return 0;
  return getUnsignedMax(s, 0xffffffff);
}
/** rtnl_rtprot_a2n: a name, else strtoul base 0 up to 255. @example rtprotA2n("010") // 8 */
export function rtprotA2n(s: string): number | undefined {
  for (const [k, v] of RTPROT_NAMES) if (v === s) return k;
  return getUnsignedMax(s, 255);
}
/** rtnl_rtscope_a2n: a name (`universe` is not one: ip 6.1 refuses it), else base 0 <= 255. */
export function rtscopeA2n(s: string): number | undefined {
  for (const [k, v] of SCOPE_NAMES) if (v === s) return k;
  return getUnsignedMax(s, 255);
}
/** rtnl_rtrealm_a2n: rt_realms names (Debian: only `unknown` 0), else base 0 <= 255. */
export function rtrealmA2n(s: string): number | undefined {
  if (s === "unknown") return 0;
  return getUnsignedMax(s, 255);
}

/**
 * get_rt_realms_or_raw (lib/utils.c): a raw u32 (base 0), else `[FROM/]TO` realms, each
 * rtnl_rtrealm_a2n, FROM in the upper 16 bits. @example getRtRealmsOrRaw("1/010") // 0x10008
 */
export function getRtRealmsOrRaw(s: string): number | undefined {
  const raw = getUnsignedMax(s, 0xffffffff);
  if (raw !== undefined) return raw;
  const slash = s.indexOf("/");
  let realms = 0;
  let to = s;
  if (slash >= 0) {
    const from = rtrealmA2n(s.slice(0, slash));
    if (from === undefined) return undefined;
    realms = from << 16;
    to = s.slice(slash + 1);
  }
  if (to === "") return realms >>> 0;
  const t = rtrealmA2n(to);
  return t === undefined ? undefined : (realms | t) >>> 0;
}

/** RTAX_* metric indexes in print order (iproute.c mx_names). */
export const METRIC_INDEX: ReadonlyMap<string, number> = new Map([
  ["mtu", 2],
  ["window", 3],
  ["rtt", 4],
  ["rttvar", 5],
  ["ssthresh", 6],
  ["cwnd", 7],
  ["advmss", 8],
  ["reordering", 9],
  ["hoplimit", 10],
  ["initcwnd", 11],
  ["features", 12],
  ["rto_min", 13],
  ["initrwnd", 14],
  ["quickack", 15],
  ["congctl", 16],
  ["fastopen_no_cookie", 17],
]);

// --- Spellings the `ip` grammar uses (iproute2 function names) ---
/** Alias of RTPROT_NAMES under the name the grammar uses. */
export const RT_PROTOS = RTPROT_NAMES;
/** Alias of SCOPE_NAMES. */
export const RT_SCOPES = SCOPE_NAMES;
/** IP protocol names. */
export const IP_PROTOS = IPPROTO_NAMES;
/** rtnl_rtprot_a2n. @example protoA2n("static") // 4 */
export function protoA2n(s: string): number | undefined {
  return rtprotA2n(s);
}
/** rtnl_rtprot_n2a. */
export function protoN2a(n: number): string {
  return rtprotN2a(n);
}
/** rtnl_rtscope_a2n. */
export function scopeA2n(s: string): number | undefined {
  return rtscopeA2n(s);
}
/** rtnl_rtscope_n2a. */
export function scopeN2a(n: number): string {
  return rtscopeN2a(n);
}
/**
 * Route type name → RTN (rtnl_rtntype_a2n; `brd` = broadcast).
 * @example rtntypeA2n("brd") // "broadcast"
 */
export function rtntypeA2n(s: string): RouteType | undefined {
  if (s === "brd") return "broadcast";
  return Object.prototype.hasOwnProperty.call(ROUTE_TYPE_NUM, s) && s !== "unspec"
    ? (s as RouteType)
    : undefined;
}
