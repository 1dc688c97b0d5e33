/**
 * nft datatypes: symbol tables, constant parsing and printing as nftables 1.0.6 does.
 * @module
 */
import { fmt4, fmt6, parseAddr } from "../../addr/ip.js";
import type { Const, DType } from "./ast.js";

/** Datatypes whose values are addresses (prefixes print as `a/len`). */
export const ADDR_TYPES: ReadonlySet<DType> = new Set<DType>(["ipv4_addr", "ipv6_addr"]);

export const PROTO_NAMES: Record<number, string> = {
  0: "hopopt",
  1: "icmp",
  2: "igmp",
  4: "ipencap",
  6: "tcp",
  17: "udp",
  33: "dccp",
  41: "ipv6",
  47: "gre",
  50: "esp",
  51: "ah",
  58: "ipv6-icmp",
  132: "sctp",
  136: "udplite",
  115: "l2tp",
  94: "ipip",
  112: "vrrp",
};
const PROTO_ALIASES: Record<string, number> = { icmpv6: 58, "ipv6-icmp": 58, icmp6: 58 };
export const CT_STATE_BITS: Record<string, number> = {
  invalid: 1,
  established: 2,
  related: 4,
  new: 8,
  untracked: 64,
};
export const TCP_FLAG_BITS: Record<string, number> = {
  fin: 1,
  syn: 2,
  rst: 4,
  psh: 8,
  ack: 16,
  urg: 32,
  ecn: 64,
  cwr: 128,
};
export const ICMP_TYPES: Record<string, number> = {
  "echo-reply": 0,
  "destination-unreachable": 3,
  "source-quench": 4,
  redirect: 5,
  "echo-request": 8,
  "router-advertisement": 9,
  "router-solicitation": 10,
  "time-exceeded": 11,
  "parameter-problem": 12,
  "timestamp-request": 13,
  "timestamp-reply": 14,
  "info-request": 15,
  "info-reply": 16,
  "address-mask-request": 17,
  "address-mask-reply": 18,
};
export const ICMPV6_TYPES: Record<string, number> = {
  "destination-unreachable": 1,
  "packet-too-big": 2,
  "time-exceeded": 3,
  "parameter-problem": 4,
  "echo-request": 128,
  "echo-reply": 129,
  "mld-listener-query": 130,
  "mld-listener-report": 131,
  "mld-listener-done": 132,
  "nd-router-solicit": 133,
  "nd-router-advert": 134,
  "nd-neighbor-solicit": 135,
  "nd-neighbor-advert": 136,
  "nd-redirect": 137,
  "router-renumbering": 138,
  "ind-neighbor-solicit": 141,
  "ind-neighbor-advert": 142,
  "mld2-listener-report": 143,
};
export const PKTTYPES: Record<string, number> = {
  host: 0,
  unicast: 0,
  broadcast: 1,
  multicast: 2,
  other: 3,
};
export const DSCP: Record<string, number> = {
  cs0: 0,
  cs1: 8,
  cs2: 16,
  cs3: 24,
  cs4: 32,
  cs5: 40,
  cs6: 48,
  cs7: 56,
  af11: 10,
  af12: 12,
  af13: 14,
  af21: 18,
  af22: 20,
  af23: 22,
  af31: 26,
  af32: 28,
  af33: 30,
  af41: 34,
  af42: 36,
  af43: 38,
  ef: 46,
};
export const FIB_TYPES = [
  "unspec",
  "unicast",
  "local",
  "broadcast",
  "anycast",
  "multicast",
  "blackhole",
  "unreachable",
  "prohibit",
];
export const NFPROTO: Record<string, number> = { ipv4: 2, ipv6: 10 };

export function protoByName(s: string): number | undefined {
  for (const [n, name] of Object.entries(PROTO_NAMES)) if (name === s) return Number(n);
  return PROTO_ALIASES[s];
}

/** Parse an unsigned integer literal (decimal or 0x hex) as nft's scanner does. */
export function parseNum(s: string): number | undefined {
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^[0-9]+$/.test(s)) return Number(s);
  return undefined;
}

const MAXV: Partial<Record<DType, number>> = {
  inet_service: 0xffff,
  tcp_flag: 0xff,
  icmp_type: 0xff,
  icmpv6_type: 0xff,
  mark: 0xffffffff,
  inet_proto: 0xff,
  uid: 0xffffffff,
  gid: 0xffffffff,
  integer: 0xffffffff,
  ct_dir: 1,
  boolean: 1,
  dscp: 63,
};

/** Result of parsing one symbolic constant. */
export type ConstResult = { ok: true; c: Const } | { ok: false; msg: string };

/** nft error wording for a value of this type that did not parse. */
function typeErr(type: DType): string {
  switch (type) {
    case "inet_service":
      return "Could not resolve service: Servname not supported for ai_socktype";
    case "ipv4_addr":
      return `Could not resolve hostname: Name or service not known`;
    case "ipv6_addr":
      return `Could not resolve hostname: Name or service not known`;
    case "inet_proto":
      return `Could not resolve protocol name`;
    case "ct_state":
      return `Could not parse conntrack state`;
    case "fib_addrtype":
      return `Could not parse fib address type`;
    default:
      return `Could not parse ${typeDesc(type)}`;
  }
}

export function typeDesc(t: DType): string {
  switch (t) {
    case "ipv4_addr":
      return "IPv4 address";
    case "ipv6_addr":
      return "IPv6 address";
    case "inet_service":
      return "internet network service";
    case "mark":
      return "packet mark";
    case "inet_proto":
      return "Internet protocol";
    case "ct_state":
      return "conntrack state";
    case "ct_dir":
      return "conntrack direction";
    case "uid":
      return "user ID";
    case "gid":
      return "group ID";
    case "ifname":
      return "network interface name";
    case "iface_index":
      return "network interface index";
    case "nf_proto":
      return "netfilter protocol";
    case "fib_addrtype":
      return "fib address type";
    case "boolean":
      return "boolean type";
    default:
      return t;
  }
}

/** Parse one scalar constant (no ranges/prefixes) of `type`. */
export function parseConst(type: DType, s: string, quoted = false): ConstResult {
  const mk = (v: number | bigint | string): ConstResult => ({
    ok: true,
    c: { k: "const", type, v },
  });
  if (type === "ifname" || type === "iface_index" || type === "string") {
    return mk(s);
  }
  if (quoted) return { ok: false, msg: typeErr(type) };
  switch (type) {
    case "ipv4_addr": {
      const a = parseAddr(s, 4);
      return a.ok ? mk(a.value.v as number) : { ok: false, msg: typeErr(type) };
    }
    case "ipv6_addr": {
      const a = parseAddr(s, 6);
      return a.ok ? mk(a.value.v as bigint) : { ok: false, msg: typeErr(type) };
    }
    case "inet_proto": {
      const n = parseNum(s) ?? protoByName(s);
      return n !== undefined && n <= 255 ? mk(n) : { ok: false, msg: typeErr(type) };
    }
    case "ct_state": {
      const b = CT_STATE_BITS[s];
      return b !== undefined ? mk(b) : { ok: false, msg: typeErr(type) };
    }
    case "pkttype":
    case "dscp": {
      const b = (type === "pkttype" ? PKTTYPES : DSCP)[s];
      if (b !== undefined) return mk(b);
      break;
    }
    case "icmp_type":
    case "icmpv6_type": {
      const b = (type === "icmp_type" ? ICMP_TYPES : ICMPV6_TYPES)[s];
      if (b !== undefined) return mk(b);
      break;
    }
    case "tcp_flag": {
      const b = TCP_FLAG_BITS[s];
      if (b !== undefined) return mk(b);
      break;
    }
    case "ct_dir": {
      if (s === "original") return mk(0);
      if (s === "reply") return mk(1);
      return { ok: false, msg: typeErr(type) };
    }
    case "nf_proto": {
      const n = NFPROTO[s] ?? parseNum(s);
      return n !== undefined ? mk(n) : { ok: false, msg: typeErr(type) };
    }
    case "fib_addrtype": {
      const i = FIB_TYPES.indexOf(s);
      return i >= 0 ? mk(i) : { ok: false, msg: typeErr(type) };
    }
    case "boolean": {
      if (s === "exists" || s === "true") return mk(1);
      if (s === "missing" || s === "false") return mk(0);
      break;
    }
    case "uid":
    case "gid": {
      if (s === "root") return mk(0);
      break;
    }
    default:
      break;
  }
  const n = parseNum(s);
  if (n === undefined) return { ok: false, msg: typeErr(type) };
  const max = MAXV[type] ?? 0xffffffff;
  if (n > max) return { ok: false, msg: `Value ${s} exceeds valid range 0-${max}` };
  return mk(n);
}

/** Print a constant as nft does. `ctx` adjusts booleans (`exists`/`missing` after fib presence). */
export function fmtConst(c: Const, ctx?: "fibPresence"): string {
  const v = c.v;
  switch (c.type) {
    case "ipv4_addr":
      return fmt4(v as number);
    case "ipv6_addr":
      return fmt6(v as bigint);
    case "mark":
      return "0x" + (v as number).toString(16).padStart(8, "0");
    case "inet_proto":
      return PROTO_NAMES[v as number] ?? String(v);
    case "ct_state": {
      const names = Object.entries(CT_STATE_BITS)
        .filter(([, b]) => b === v)
        .map(([n]) => n);
      return names[0] ?? "0x" + (v as number).toString(16);
    }
    case "ct_dir":
      return v === 0 ? "original" : "reply";
    case "pkttype":
      return ["host", "broadcast", "multicast", "other"][v as number] ?? String(v);
    case "dscp":
      return (
        Object.entries(DSCP).find(([, b]) => b === v)?.[0] ??
        "0x" + (v as number).toString(16).padStart(2, "0")
      );
    case "icmp_type":
    case "icmpv6_type": {
      const names = Object.entries(c.type === "icmp_type" ? ICMP_TYPES : ICMPV6_TYPES)
        .filter(([, b]) => b === v)
        .map(([n]) => n);
      return names[0] ?? String(v);
    }
    case "tcp_flag": {
      const names = Object.entries(TCP_FLAG_BITS)
        .filter(([, b]) => b === v)
        .map(([n]) => n);
      return names[0] ?? "0x" + (v as number).toString(16);
    }
    case "nf_proto":
      return v === 2 ? "ipv4" : v === 10 ? "ipv6" : String(v);
    case "fib_addrtype":
      return FIB_TYPES[v as number] ?? String(v);
    case "boolean":
      return ctx === "fibPresence" ? (v ? "exists" : "missing") : String(v);
    case "ifname":
    case "iface_index":
    case "string":
      return `"${String(v)}"`;
    default:
      return String(v);
  }
}

/**
 * Numeric key of a constant for sorting / interval math (strings compare as nft's
 * host-order mpz).
 */
export function constKey(c: Const): bigint {
  if (typeof c.v === "bigint") return c.v;
  if (typeof c.v === "number") return BigInt(c.v);
  // ifname: 16 bytes, value read little-endian (nft sorts by mpz of host-order data).
  const bytes = new Array<number>(16).fill(0);
  for (let i = 0; i < Math.min(16, c.v.length); i++) bytes[i] = c.v.charCodeAt(i) & 0xff;
  let k = 0n;
  for (let i = 15; i >= 0; i--) k = (k << 8n) | BigInt(bytes[i] ?? 0);
  return k;
}

export function typeBits(t: DType): number {
  switch (t) {
    case "ipv4_addr":
      return 32;
    case "ipv6_addr":
      return 128;
    case "inet_service":
      return 16;
    case "inet_proto":
    case "nf_proto":
    case "fib_addrtype":
    case "ct_dir":
    case "boolean":
      return 8;
    case "ifname":
      return 128;
    default:
      return 32;
  }
}
