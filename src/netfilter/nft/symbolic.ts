/**
 * The symbolic view (../symbolic.ts) of an nft base chain: each rule's statements in order
 * as the analysis' matches and mark writes, read the way eval-expr.ts evaluates them (an
 * expression that breaks, such as `ip daddr` on an IPv6 packet or `meta skuid` without a
 * socket, fails the rule whatever the operator). Anything else (fib, socket, concatenations,
 * verdict maps, NAT, tproxy) becomes an `unknown` item naming the expression.
 * @module
 */
import type { Addr } from "../../addr/ip.js";
import type {
  NfSymChain,
  NfSymCtState,
  NfSymMarkOp,
  NfSymMatch,
  NfSymRule,
  NfSymStmt,
  NfSymVerdict,
  NfSymView,
} from "../symbolic.js";
import type { Expr, NftChain, NftRule, NftTable, Stmt } from "./ast.js";
import { CT_STATE_BITS } from "./dtype.js";
import { fmtRule } from "./print.js";
import { elemInterval } from "./segtree.js";

type Match = Extract<Stmt, { k: "match" }>;
const unknown = (what: string): NfSymMatch => ({ kind: "unknown", what });

/** The right-hand side's values as intervals (a set's elements, or one operand). */
function intervals(right: Expr, t: NftTable): [bigint, bigint][] | undefined {
  let elems: Expr[];
  if (right.k === "set") elems = right.elems;
  else if (right.k === "setref") {
    const s = t.sets.find((x) => x.name === right.name);
    if (!s) return undefined;
    elems = s.elems;
  } else elems = [right];
  const out: [bigint, bigint][] = [];
  for (const e of elems) {
    const iv = elemInterval(e.k === "mapping" ? e.key : e);
    if (!iv) return undefined;
    out.push(iv);
  }
  return out;
}

/** `<`, `>`, `<=`, `>=` on a constant as one interval of a `bits`-wide value. */
function compare(op: Match["op"], right: Expr, bits: number): [bigint, bigint][] | undefined {
  if (right.k !== "const" || typeof right.v === "string") return undefined;
  const v = BigInt(right.v);
  const max = (1n << BigInt(bits)) - 1n;
  if (op === "<") return v === 0n ? [] : [[0n, v - 1n]];
  if (op === "<=") return [[0n, v]];
  if (op === ">") return v === max ? [] : [[v + 1n, max]];
  return [[v, max]];
}

const isCompare = (op: Match["op"]) => op === "<" || op === ">" || op === "<=" || op === ">=";

function addrMatch(s: Match, fam: 4 | 6, t: NftTable): NfSymMatch[] {
  const p = s.left as Extract<Expr, { k: "payload" }>;
  const ivs = isCompare(s.op)
    ? compare(s.op, s.right, fam === 4 ? 32 : 128)
    : intervals(s.right, t);
  if (!ivs) return [unknown(`${p.proto} ${p.field} ${s.op}`)];
  const addr = (v: bigint): Addr => (fam === 4 ? { family: 4, v: Number(v) } : { family: 6, v });
  const items = ivs.map(([lo, hi]) => ({ lo: addr(lo), hi: addr(hi) }));
  const field = p.field === "saddr" ? "saddr" : "daddr";
  return [nfproto(fam), { kind: "addr", field, items, inv: s.op === "!=" }];
}

/** The packet is of this family (`ip …` breaks on IPv6 packets and back). */
function nfproto(fam: 4 | 6, inv = false): NfSymMatch {
  return { kind: "family", family: fam, inv };
}

function numbers(s: Match, t: NftTable, bits: number): [bigint, bigint][] | undefined {
  return isCompare(s.op) ? compare(s.op, s.right, bits) : intervals(s.right, t);
}

const PROTO: Record<string, number> = { tcp: 6, udp: 17, udplite: 136, sctp: 132, dccp: 33 };
const PORT_PROTOS = [6, 17, 136, 132, 33];

/** tcp/udp/th sport/dport: the protocol gate (the payload breaks otherwise), then ports. */
function portMatch(s: Match, t: NftTable): NfSymMatch[] {
  const p = s.left as Extract<Expr, { k: "payload" }>;
  const gate = p.proto === "th" ? PORT_PROTOS : PROTO[p.proto] ? [PROTO[p.proto]!] : undefined;
  const ivs = numbers(s, t, 16);
  if (!gate || !ivs || (p.field !== "sport" && p.field !== "dport"))
    return [unknown(`${p.proto} ${p.field}`)];
  const ranges = ivs.map(([lo, hi]) => [Number(lo), Number(hi)] as const);
  return [
    { kind: "proto", protos: gate, inv: false },
    { kind: "port", field: p.field, ranges, inv: s.op === "!=" },
  ];
}

function payloadMatch(s: Match, t: NftTable): NfSymMatch[] {
  const p = s.left as Extract<Expr, { k: "payload" }>;
  if ((p.proto === "ip" || p.proto === "ip6") && (p.field === "saddr" || p.field === "daddr"))
    return addrMatch(s, p.proto === "ip" ? 4 : 6, t);
  if ((p.proto === "ip" && p.field === "protocol") || (p.proto === "ip6" && p.field === "nexthdr"))
    return [nfproto(p.proto === "ip" ? 4 : 6), ...protoMatch(s, t)];
  return portMatch(s, t);
}

function protoMatch(s: Match, t: NftTable): NfSymMatch[] {
  const ivs = numbers(s, t, 8);
  if (!ivs) return [unknown("protocol")];
  const protos: number[] = [];
  for (const [lo, hi] of ivs) for (let v = Number(lo); v <= Number(hi); v++) protos.push(v);
  return [{ kind: "proto", protos, inv: s.op === "!=" }];
}

/** `meta mark [& M] OP V` / `ct mark [& M] OP V` as mark tests. */
function markMatch(s: Match, field: "mark" | "ctmark", mask: number): NfSymMatch {
  if (s.right.k !== "const" || typeof s.right.v === "string" || isCompare(s.op))
    return unknown(`${field === "mark" ? "meta" : "ct"} mark ${s.op}`);
  const value = Number(s.right.v) >>> 0;
  return { kind: "bits", field, value, mask, inv: s.op === "!=" };
}

/** ct state: `==` compares the state's bit with the mask, else any bit of it (eval-expr). */
function ctstateMatch(s: Match): NfSymMatch {
  const r = s.right;
  if (r.k !== "flags" && !(r.k === "const" && typeof r.v !== "string")) return unknown("ct state");
  const mask = r.k === "flags" ? r.v.reduce((a, b) => a | b, 0) : Number(r.v);
  const all = Object.entries(CT_STATE_BITS) as [NfSymCtState, number][];
  const states = all.filter(([, b]) => (s.op === "==" ? b === mask : (b & mask) !== 0));
  return { kind: "ctstate", states: states.map(([n]) => n), inv: s.op === "!=" };
}

function ifaceMatch(s: Match, field: "iif" | "oif"): NfSymMatch {
  const elems = s.right.k === "set" ? s.right.elems : [s.right];
  const names: string[] = [];
  for (const e of elems) {
    if (e.k !== "const" || typeof e.v !== "string") return unknown(`${field}name`);
    names.push(e.v.endsWith("\\*") ? `${e.v.slice(0, -2)}*` : e.v);
  }
  // An empty name (no device, e.g. iifname in OUTPUT) breaks the expression (eval-expr).
  return { kind: "iface", field, names, inv: s.op === "!=", breakOnEmpty: true };
}

function metaMatch(s: Match, key: string, t: NftTable): NfSymMatch[] {
  switch (key) {
    case "mark":
      return [markMatch(s, "mark", 0xffffffff)];
    case "l4proto":
      return protoMatch(s, t);
    case "nfproto": {
      const ivs = intervals(s.right, t);
      const fams = (ivs ?? []).flatMap(([lo]) => (lo === 2n ? [4] : lo === 10n ? [6] : []));
      if (!ivs || fams.length !== 1) return [unknown("meta nfproto")];
      return [nfproto(fams[0] as 4 | 6, s.op === "!=")];
    }
    case "skuid": {
      const ivs = numbers(s, t, 32);
      if (!ivs) return [unknown("meta skuid")];
      const ranges = ivs.map(([lo, hi]) => [Number(lo), Number(hi)] as const);
      return [{ kind: "owner", field: "uid", ranges, inv: s.op === "!=", noSocket: false }];
    }
    case "iifname":
    case "oifname":
      return [ifaceMatch(s, key === "iifname" ? "iif" : "oif")];
    default:
      return [unknown(`meta ${key}`)];
  }
}

function matchOf(s: Match, t: NftTable): NfSymMatch[] {
  const l = s.left;
  if (l.k === "payload") return payloadMatch(s, t);
  if (l.k === "meta") return metaMatch(s, l.key, t);
  if (l.k === "ct" && l.key === "state") return [ctstateMatch(s)];
  if (l.k === "ct" && l.key === "mark" && !l.dir) return [markMatch(s, "ctmark", 0xffffffff)];
  if (l.k === "binop" && l.op === "&" && l.right.k === "const" && typeof l.right.v !== "string") {
    const mask = Number(l.right.v) >>> 0;
    if (l.left.k === "meta" && l.left.key === "mark") return [markMatch(s, "mark", mask)];
    if (l.left.k === "ct" && l.left.key === "mark") return [markMatch(s, "ctmark", mask)];
  }
  return [unknown(`${l.k} ${"key" in l ? l.key : ""}`.trim())];
}

/** A mark value: `(src & take) ^ xor` from a constant, meta mark or ct mark through & | ^. */
function affine(e: Expr): { src?: "mark" | "ctmark"; take: number; xor: number } | undefined {
  if (e.k === "const" && typeof e.v !== "string") return { take: 0, xor: Number(e.v) >>> 0 };
  if (e.k === "meta" && e.key === "mark") return { src: "mark", take: 0xffffffff, xor: 0 };
  if (e.k === "ct" && e.key === "mark" && !e.dir)
    return { src: "ctmark", take: 0xffffffff, xor: 0 };
  if (e.k !== "binop" || e.right.k !== "const" || typeof e.right.v === "string") return undefined;
  const a = affine(e.left);
  const c = Number(e.right.v) >>> 0;
  if (!a) return undefined;
  if (e.op === "&") return { ...a, take: (a.take & c) >>> 0, xor: (a.xor & c) >>> 0 };
  if (e.op === "|") return { ...a, take: (a.take & ~c) >>> 0, xor: (a.xor | c) >>> 0 };
  if (e.op === "^") return { ...a, xor: (a.xor ^ c) >>> 0 };
  return undefined;
}

/** `meta mark set …` / `ct mark set …` (nft_meta_set_eval, nft_ct_set_eval). */
function mangleOf(s: Extract<Stmt, { k: "mangle" }>): NfSymStmt {
  const k = s.key;
  const dst =
    k.k === "meta" && k.key === "mark"
      ? "mark"
      : k.k === "ct" && k.key === "mark" && !k.dir
        ? "ctmark"
        : undefined;
  const a = affine(s.value);
  if (!dst || !a) return unknown(`${k.k} ${"key" in k ? k.key : ""} set`);
  const src = a.src ?? dst;
  // The same field on both sides reads as keep; another as take.
  const op: NfSymMarkOp =
    src === dst
      ? { kind: "mark", dst, keep: a.src ? a.take : 0, src, take: 0, xor: a.xor }
      : { kind: "mark", dst, keep: 0, src, take: a.take, xor: a.xor };
  return op;
}

function ruleOf(r: NftRule, i: number, t: NftTable): NfSymRule {
  const stmts: NfSymStmt[] = [];
  let verdict: NfSymVerdict = { kind: "continue" };
  for (const s of r.stmts) {
    if (s.k === "match") stmts.push(...matchOf(s, t));
    else if (s.k === "mangle") stmts.push(mangleOf(s));
    else if (s.k === "counter" || s.k === "log" || s.k === "limit" || s.k === "notrack") continue;
    else if (s.k === "verdict") {
      if (s.v === "continue") continue;
      verdict =
        s.v === "jump" || s.v === "goto"
          ? { kind: s.v, chain: s.target! }
          : s.v === "queue"
            ? { kind: "unknown", what: "queue" }
            : { kind: s.v };
      break;
    } else if (s.k === "reject") {
      verdict = { kind: "reject" };
      break;
    } else if (s.k === "nat") {
      verdict = { kind: "nat", type: s.type, what: s.type };
      break;
    } else {
      verdict = { kind: "unknown", what: s.k };
      break;
    }
  }
  return {
    index: i + 1,
    text: fmtRule(r, t.family),
    ...(r.loc ? { loc: r.loc } : {}),
    stmts,
    verdict,
  };
}

/** The view of base chain `base` of table `t`, read at call time. */
export function nftSymbolic(t: NftTable, base: NftChain): NfSymView {
  const chains = new Map<string, NfSymChain>();
  for (const c of t.chains)
    chains.set(c.name, { name: c.name, rules: c.rules.map((r, i) => ruleOf(r, i, t)) });
  return { base: base.name, policy: base.base?.policy ?? "accept", chains };
}
