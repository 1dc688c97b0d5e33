/**
 * The packet's value for an expression and the comparisons on it, as the kernel's
 * expression `eval` callbacks compute them (nft_payload_eval, nft_meta_get_eval,
 * nft_ct_get_eval, nft_fib_eval, nft_bitwise_eval, nft_cmp_eval, nft_lookup_eval).
 * @module
 */
import type { NfHostView, NfPacket } from "../types.js";
import type { Const, Expr, NftTable, Stmt } from "./ast.js";
import { CT_STATE_BITS, FIB_TYPES, constKey } from "./dtype.js";
import { elemInterval } from "./segtree.js";

/** A numeric value. */
const n = (v: number | bigint): Val => ({ t: "n", v: BigInt(v) });

export type Val = { t: "n"; v: bigint } | { t: "s"; v: string } | { t: "tuple"; v: Val[] };

const PORT_PROTOS = new Set([6, 17, 136, 132, 33]);

const PROTO_NUM: Record<string, number> = {
  tcp: 6,
  udp: 17,
  udplite: 136,
  sctp: 132,
  dccp: 33,
  icmp: 1,
  icmpv6: 58,
};

/**
 * The packet's value for a left-hand expression; undefined = the expression breaks (the
 * rule does not match), as the kernel's NFT_BREAK. `t` holds the named maps a lookup uses.
 */
export function evalExpr(e: Expr, pkt: NfPacket, host: NfHostView, t?: NftTable): Val | undefined {
  switch (e.k) {
    case "const":
      return typeof e.v === "string" ? { t: "s", v: e.v } : n(e.v);
    case "payload":
      return payloadValue(e, pkt);
    case "meta":
      switch (e.key) {
        case "mark":
          return n(pkt.mark);
        case "l4proto":
          return n(pkt.ipproto);
        case "nfproto":
          return n(pkt.family === 4 ? 2 : 10);
        case "protocol":
          return n(pkt.family === 4 ? 0x0800 : 0x86dd);
        case "iifname":
        case "iif":
          return pkt.iifname ? { t: "s", v: pkt.iifname } : undefined;
        case "oifname":
        case "oif":
          return pkt.oifname ? { t: "s", v: pkt.oifname } : undefined;
        case "skuid":
          return pkt.skuid === undefined ? undefined : n(pkt.skuid);
        case "skgid":
          return pkt.skgid === undefined ? undefined : n(pkt.skgid);
        case "nftrace":
          return n(0);
        default:
          return undefined;
      }
    case "ct":
      if (e.key === "state") return n(CT_STATE_BITS[pkt.ctstate] ?? 0);
      if (pkt.ctstate === "untracked" || pkt.ctstate === "invalid") return undefined;
      if (e.key === "mark") return n(pkt.ctmark);
      if (e.key === "direction") return n(pkt.ctdir === "original" ? 0 : 1);
      return undefined;
    case "fib":
      return fibValue(e, pkt, host);
    case "socket":
      if (!pkt.socketExists) return undefined;
      if (e.key === "transparent") return n(1);
      if (e.key === "wildcard") return n(0);
      return n(pkt.mark);
    case "binop":
      return binopValue(e, pkt, host);
    case "map":
      return mapValue(e, pkt, host, t);
    case "concat": {
      const vs: Val[] = [];
      for (const it of e.items) {
        const v = evalExpr(it, pkt, host);
        if (!v) return undefined;
        vs.push(v);
      }
      return { t: "tuple", v: vs };
    }
    default:
      return undefined;
  }
}

/** nft_lookup_eval with a map: the value of the element the key falls in, else NFT_BREAK. */
function mapValue(
  e: Extract<Expr, { k: "map" }>,
  pkt: NfPacket,
  host: NfHostView,
  t: NftTable | undefined,
): Val | undefined {
  const key = evalExpr(e.key, pkt, host, t);
  if (!key) return undefined;
  const map = e.map;
  const elems = map.k === "set" ? map.elems : t?.sets.find((s) => s.name === map.name)?.elems;
  for (const m of elems ?? [])
    if (m.k === "mapping" && valIn(key, m.key)) return evalExpr(m.value, pkt, host, t);
  return undefined;
}

function strMatch(pattern: string, v: string): boolean {
  if (pattern.endsWith("*") && !pattern.endsWith("\\*")) return v.startsWith(pattern.slice(0, -1));
  return pattern.replace(/\\\*$/, "*") === v;
}

/** Does value `v` match element/operand `e` (const, prefix, range, concat)? */
export function valIn(v: Val, e: Expr): boolean {
  if (v.t === "tuple") {
    if (e.k !== "concat" || e.items.length !== v.v.length) return false;
    return e.items.every((it, i) => valIn(v.v[i]!, it));
  }
  if (v.t === "s") {
    if (e.k === "const" && typeof e.v === "string") return strMatch(e.v, v.v);
    return false;
  }
  if (e.k === "const" && typeof e.v === "string") return false;
  const iv = e.k === "const" || e.k === "range" || e.k === "prefix" ? elemInterval(e) : undefined;
  if (!iv) return false;
  return v.v >= iv[0] && v.v <= iv[1];
}

function setElems(e: Expr, t: NftTable): Expr[] | undefined {
  if (e.k === "set") return e.elems.map((x) => (x.k === "mapping" ? x.key : x));
  if (e.k === "setref")
    return t.sets.find((s) => s.name === e.name)?.elems.map((x) => (x.k === "mapping" ? x.key : x));
  return undefined;
}

export function matchStmt(
  s: Extract<Stmt, { k: "match" }>,
  pkt: NfPacket,
  host: NfHostView,
  t: NftTable,
): boolean {
  const v = evalExpr(s.left, pkt, host);
  if (!v) return false;
  const right = s.right;
  // ct state-like bitmask semantics
  if (s.left.k === "ct" && s.left.key === "state" && v.t === "n") {
    if (right.k === "flags" || right.k === "const") {
      const mask = right.k === "flags" ? right.v.reduce((a, b) => a | b, 0) : Number(right.v);
      if (s.op === "==") return Number(v.v) === mask;
      const any = (Number(v.v) & mask) !== 0;
      return s.op === "!=" ? !any : any;
    }
  }
  const elems = setElems(right, t);
  if (elems) {
    const hit = elems.some((e) => valIn(v, e));
    return s.op === "!=" ? !hit : hit;
  }
  if (s.left.k === "fib" && right.k === "const" && right.type === "boolean") {
    const present = v.t === "s" ? v.v !== "" : true;
    const want = Number(right.v) === 1;
    return s.op === "!=" ? present !== want : present === want;
  }
  if (s.op === "<" || s.op === ">" || s.op === "<=" || s.op === ">=") {
    if (v.t !== "n" || right.k !== "const" || typeof right.v === "string") return false;
    const r = constKey(right as Const);
    return s.op === "<" ? v.v < r : s.op === ">" ? v.v > r : s.op === "<=" ? v.v <= r : v.v >= r;
  }
  const hit = valIn(v, right);
  return s.op === "!=" ? !hit : hit;
}

function payloadValue(e: Extract<Expr, { k: "payload" }>, pkt: NfPacket): Val | undefined {
  if (e.proto === "ip") {
    if (pkt.family !== 4) return undefined;
    if (e.field === "saddr") return n(pkt.saddr.v);
    if (e.field === "daddr") return n(pkt.daddr.v);
    if (e.field === "protocol") return n(pkt.ipproto);
    if (e.field === "dscp") return n(pkt.tos >> 2);
    return undefined;
  }
  if (e.proto === "ip6") {
    if (pkt.family !== 6) return undefined;
    if (e.field === "saddr") return n(pkt.saddr.v);
    if (e.field === "daddr") return n(pkt.daddr.v);
    if (e.field === "nexthdr") return n(pkt.ipproto);
    if (e.field === "dscp") return n(pkt.tos >> 2);
    return undefined;
  }
  const want = PROTO_NUM[e.proto];
  if (e.proto === "th") {
    if (!PORT_PROTOS.has(pkt.ipproto)) return undefined;
  } else if (want === undefined || pkt.ipproto !== want) return undefined;
  if (e.field === "sport") return n(pkt.sport);
  if (e.field === "dport") return n(pkt.dport);
  return undefined;
}

function fibValue(
  e: Extract<Expr, { k: "fib" }>,
  pkt: NfPacket,
  host: NfHostView,
): Val | undefined {
  const useS = e.flags.includes("saddr");
  const addr = useS ? pkt.saddr : pkt.daddr;
  const dev = e.flags.includes("iif")
    ? pkt.iifname
    : e.flags.includes("oif")
      ? pkt.oifname
      : undefined;
  if (e.result === "type") {
    const ty = host.addrType(addr, dev || undefined);
    const i = FIB_TYPES.indexOf(ty);
    return n(i >= 0 ? i : 0);
  }
  if (!host.fibLookup) return { t: "s", v: dev || "?" };
  const q: Parameters<NonNullable<NfHostView["fibLookup"]>>[0] = {
    family: pkt.family,
    daddr: addr,
    saddr: useS ? pkt.daddr : pkt.saddr,
  };
  if (e.flags.includes("mark")) q.mark = pkt.mark;
  if (e.flags.includes("iif")) q.oif = pkt.iifname;
  if (e.flags.includes("oif")) q.oif = pkt.oifname;
  const out = host.fibLookup(q);
  if (out === undefined) return { t: "s", v: "" };
  if (
    (e.flags.includes("iif") && out !== pkt.iifname) ||
    (e.flags.includes("oif") && out !== pkt.oifname)
  )
    return { t: "s", v: "" };
  return { t: "s", v: out };
}

function binopValue(
  e: Extract<Expr, { k: "binop" }>,
  pkt: NfPacket,
  host: NfHostView,
): Val | undefined {
  const l = evalExpr(e.left, pkt, host);
  const r = evalExpr(e.right, pkt, host);
  if (!l || !r || l.t !== "n" || r.t !== "n") return undefined;
  switch (e.op) {
    case "&":
      return n(l.v & r.v);
    case "|":
      return n(l.v | r.v);
    case "^":
      return n(l.v ^ r.v);
    case "<<":
      return n((l.v << r.v) & 0xffffffffn);
    case ">>":
      return n(l.v >> r.v);
  }
  return undefined;
}
