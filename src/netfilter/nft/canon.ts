/**
 * Canonicalisation of rules into the form nft lists after a kernel round trip
 * (evaluate.c, netlink_delinearize.c): implicit protocol dependencies removed,
 * single-element sets collapsed, anonymous interval sets merged, mark arithmetic folded
 * to the kernel's mask/xor and printed back as nft does.
 * @module
 */
import type { Const, DType, Expr, NftFamily, Stmt } from "./ast.js";
import { defined } from "../../core/result.js";
import { constKey } from "./dtype.js";
import { intervalExpr, normalizeAnon } from "./segtree.js";
import { leftType } from "./typing.js";

const TRANSPORT = new Set(["tcp", "udp", "udplite", "sctp", "dccp", "icmp", "icmpv6"]);

const ALL32 = 0xffffffff;

/** Fold `base (& | ^) c ...` into kernel (mask, xor) and re-expand as nft prints it. */
export function foldBinop(e: Expr): Expr {
  if (e.k !== "binop") return e;
  const chain: { op: string; v: number; c: Const }[] = [];
  let base: Expr = e;
  while (
    base.k === "binop" &&
    (base.op === "&" || base.op === "|" || base.op === "^") &&
    base.right.k === "const" &&
    typeof base.right.v === "number"
  ) {
    chain.unshift({ op: base.op, v: base.right.v, c: base.right });
    base = base.left;
  }
  if (base.k === "binop" || chain.length === 0) return e;
  let mask = ALL32,
    xor = 0;
  for (const b of chain) {
    if (b.op === "&") {
      mask = (mask & b.v) >>> 0;
      xor = (xor & b.v) >>> 0;
    } else if (b.op === "|") {
      mask = (mask & ~b.v) >>> 0;
      xor = (xor | b.v) >>> 0;
    } else xor = (xor ^ b.v) >>> 0;
  }
  const type = chain[0]!.c.type;
  return expandMaskXor(base, mask, xor, type);
}

/** netlink_parse_bitwise_bool: (mask, xor) -> `& m`, `^ x`, `| o`. */
export function expandMaskXor(base: Expr, mask: number, xor: number, type: DType): Expr {
  let m = mask >>> 0,
    x = xor >>> 0,
    o = 0;
  if (m !== ALL32 || x !== 0) {
    o = (((m & x) >>> 0) ^ x) >>> 0;
    x = (x & m) >>> 0;
    m = (m | o) >>> 0;
  }
  let e = base;
  const c = (v: number): Const => ({ k: "const", type, v });
  if (m !== ALL32) e = { k: "binop", op: "&", left: e, right: c(m) };
  if (x !== 0) e = { k: "binop", op: "^", left: e, right: c(x) };
  if (o !== 0) e = { k: "binop", op: "|", left: e, right: c(o) };
  return e;
}

/** Kernel (mask, xor) of a folded expression over its base. */
export function maskXorOf(e: Expr): { base: Expr; mask: number; xor: number } {
  let mask = ALL32,
    xor = 0;
  const chain: Extract<Expr, { k: "binop" }>[] = [];
  let b: Expr = e;
  while (b.k === "binop") {
    chain.unshift(b);
    b = b.left;
  }
  for (const x of chain) {
    const v = x.right.k === "const" && typeof x.right.v === "number" ? x.right.v : 0;
    if (x.op === "&") {
      mask = (mask & v) >>> 0;
      xor = (xor & v) >>> 0;
    } else if (x.op === "|") {
      mask = (mask & ~v) >>> 0;
      xor = (xor | v) >>> 0;
    } else if (x.op === "^") xor = (xor ^ v) >>> 0;
  }
  return { base: b, mask, xor };
}

// ------------------------------------------------------------------ rules

export type CanonRes =
  | { ok: true; stmts: Stmt[] }
  | { ok: false; index: number; msg: string; at?: "port" };

function l4OfMatch(s: Stmt, family: NftFamily): string | undefined {
  if (s.k !== "match" || (s.op !== "implicit" && s.op !== "==") || s.right.k !== "const")
    return undefined;
  const l = s.left;
  if (l.k === "meta" && l.key === "l4proto") return protoName(s.right);
  if (
    l.k === "payload" &&
    ((l.proto === "ip" && l.field === "protocol") || (l.proto === "ip6" && l.field === "nexthdr"))
  )
    return protoName(s.right);
  void family;
  return undefined;
}

function protoName(c: Const): string {
  const n = c.v as number;
  return n === 6
    ? "tcp"
    : n === 17
      ? "udp"
      : n === 1
        ? "icmp"
        : n === 58
          ? "icmpv6"
          : n === 132
            ? "sctp"
            : n === 136
              ? "udplite"
              : n === 33
                ? "dccp"
                : `#${n}`;
}

function payloadsOf(e: Expr): Extract<Expr, { k: "payload" }>[] {
  if (e.k === "payload") return [e];
  if (e.k === "concat") return e.items.flatMap(payloadsOf);
  if (e.k === "binop") return payloadsOf(e.left);
  return [];
}

/**
 * The protocol context while walking a rule (nft's `proto_ctx`): the l4 protocol seen
 * first, and which earlier statements are implicit dependencies a later payload match
 * makes redundant (payload_dependency_kill).
 */
interface ProtoCtx {
  stmts: (Stmt | null)[];
  family: NftFamily;
  l4: string | undefined;
  deps: Map<"network" | "transport", number>;
}

type Refusal = Extract<CanonRes, { ok: false }>;

/** Canonicalise one rule's statements (see module doc). */
export function canonRule(input: Stmt[], family: NftFamily): CanonRes {
  const ctx: ProtoCtx = {
    stmts: input.map((s) => canonStmt(s)),
    family,
    l4: undefined,
    deps: new Map(),
  };
  for (let i = 0; i < ctx.stmts.length; i++) {
    const s = ctx.stmts[i];
    if (!s) continue;
    const bad = s.k === "match" ? matchContext(ctx, s, i) : otherStmt(ctx, s, i);
    if (bad) return bad;
  }
  return { ok: true, stmts: ctx.stmts.filter((s): s is Stmt => s !== null) };
}

/** A match: its payloads kill dependencies; an l4 or nfproto match becomes one. */
function matchContext(
  ctx: ProtoCtx,
  s: Extract<Stmt, { k: "match" }>,
  i: number,
): Refusal | undefined {
  const { family } = ctx;
  for (const p of payloadsOf(s.left)) {
    const bad = payloadDependency(ctx, p, i);
    if (bad) return bad;
  }
  const lp = l4OfMatch(s, family);
  if (lp) {
    if (ctx.l4 && ctx.l4 !== lp && s.left.k === "meta")
      return { ok: false, index: i, msg: `conflicting protocols specified: ${ctx.l4} vs. ${lp}` };
    ctx.l4 = lp;
    ctx.deps.set("transport", i);
  } else if (s.left.k === "meta" && s.left.key === "l4proto") {
    ctx.l4 = "#set";
  }
  if (
    family === "inet" &&
    s.left.k === "meta" &&
    s.left.key === "nfproto" &&
    s.right.k === "const" &&
    (s.op === "implicit" || s.op === "==")
  )
    ctx.deps.set("network", i);
  return undefined;
}

/** One payload of a match against the protocol context. */
function payloadDependency(
  ctx: ProtoCtx,
  p: Extract<Expr, { k: "payload" }>,
  i: number,
): Refusal | undefined {
  const { stmts, family, deps } = ctx;
  if (TRANSPORT.has(p.proto)) {
    if (ctx.l4 && ctx.l4 !== p.proto && !ctx.l4.startsWith("#"))
      return {
        ok: false,
        index: i,
        msg: `conflicting protocols specified: ${ctx.l4} vs. ${p.proto}`,
      };
    const d = deps.get("transport");
    if (d !== undefined) {
      const ds = stmts[d];
      if (ds && l4OfMatch(ds, family) === p.proto && killable(ds, family)) stmts[d] = null;
      deps.delete("transport");
    }
    ctx.l4 = p.proto;
    if (family === "inet") icmpNetworkDependency(ctx, p.proto);
  } else if (p.proto === "th") {
    // `th dport` after `meta l4proto tcp` lists as `tcp dport`.
    const d = deps.get("transport");
    if (d !== undefined) {
      const ds = stmts[d];
      const dp = ds ? l4OfMatch(ds, family) : undefined;
      if (
        ds &&
        dp &&
        ["tcp", "udp", "udplite", "sctp", "dccp"].includes(dp) &&
        killable(ds, family)
      ) {
        p.proto = dp;
        stmts[d] = null;
      }
      deps.delete("transport");
    }
  } else if ((p.proto === "ip" || p.proto === "ip6") && family === "inet") {
    const d = deps.get("network");
    if (d !== undefined) {
      const ds = stmts[d];
      if (
        ds &&
        ds.k === "match" &&
        ds.right.k === "const" &&
        ds.right.v === (p.proto === "ip" ? 2 : 10)
      )
        stmts[d] = null;
      deps.delete("network");
    }
  }
  return undefined;
}

/**
 * In an inet table icmp/igmp imply `meta nfproto ipv4` and icmpv6 `meta nfproto ipv6`
 * (nft's payload_gen_special_dependency), so a written one lists as implied.
 */
function icmpNetworkDependency(ctx: ProtoCtx, proto: string): void {
  const want = proto === "icmp" || proto === "igmp" ? 2 : proto === "icmpv6" ? 10 : undefined;
  const d = ctx.deps.get("network");
  if (want === undefined || d === undefined) return;
  const ds = ctx.stmts[d];
  if (ds && ds.k === "match" && ds.right.k === "const" && ds.right.v === want) ctx.stmts[d] = null;
  ctx.deps.delete("network");
}

/** Any other statement: checks that need a transport protocol, then the context resets. */
function otherStmt(ctx: ProtoCtx, s: Stmt, i: number): Refusal | undefined {
  const { stmts, family, deps, l4 } = ctx;
  if (s.k === "reject" && s.type === "tcp reset" && (family === "ip" || family === "ip6")) {
    const d = deps.get("transport");
    if (d !== undefined) {
      const ds = stmts[d];
      if (ds && l4OfMatch(ds, family) === "tcp") stmts[d] = null;
    }
  }
  if (s.k === "tproxy") {
    if (!l4 || (l4.startsWith("#") && l4 !== "#set"))
      return {
        ok: false,
        index: i,
        msg: "Transparent proxy support requires transport protocol match",
      };
  }
  if (s.k === "nat" && s.port && !l4 && !mapKeysTransport(s))
    return {
      ok: false,
      index: i,
      msg: "transport protocol mapping is only valid after transport protocol match",
      at: "port",
    };
  if (s.k === "nat" && family !== "inet") delete s.family;
  if (s.k === "nat" && s.addr?.k === "range")
    s.addr = intervalExpr(s.addr.lo.type, constKey(s.addr.lo), constKey(s.addr.hi));
  if (s.k === "reject") canonReject(s, family);
  deps.clear();
  return undefined;
}

/**
 * A NAT map keyed by a transport header (`tcp dport map …`) sets the protocol context itself
 * (evaluating its key adds the dependency), so the port mapping is valid.
 */
function mapKeysTransport(s: Extract<Stmt, { k: "nat" }>): boolean {
  return [s.addr, s.port].some(
    (e) => e?.k === "map" && payloadsOf(e.key).some((p) => TRANSPORT.has(p.proto)),
  );
}

function killable(s: Stmt, family: NftFamily): boolean {
  if (s.k !== "match") return false;
  if (s.left.k === "meta") return true;
  // `ip protocol X` is only an implicit dependency in the ip family.
  if (s.left.k === "payload" && s.left.proto === "ip") return family === "ip";
  if (s.left.k === "payload" && s.left.proto === "ip6") return family === "ip6";
  return false;
}

function canonReject(s: Extract<Stmt, { k: "reject" }>, family: NftFamily): void {
  if (!s.type || s.type === "tcp reset") return;
  if (s.type === "icmpx" && s.code === "port-unreachable") {
    delete s.type;
    delete s.code;
    return;
  }
  if (family === "ip" && s.type === "icmp" && s.code === "port-unreachable") {
    delete s.type;
    delete s.code;
    return;
  }
  if (family === "ip6" && s.type === "icmpv6" && s.code === "port-unreachable") {
    delete s.type;
    delete s.code;
    return;
  }
}

/** An anonymous map's elements as the kernel lists them (sorted, intervals merged). */
function canonMap(e: Expr): Expr {
  if (e.k !== "map" || e.map.k !== "set") return e;
  return { k: "map", key: e.key, map: { k: "set", elems: normalizeAnon(e.map.elems) } };
}

function canonStmt(s: Stmt): Stmt {
  if (s.k === "match") {
    let left = s.left.k === "binop" ? foldBinop(s.left) : s.left;
    let right = s.right;
    let op = s.op;
    const lt = leftType(left);
    if (right.k === "set") {
      const elems = right.elems;
      if (elems.length === 1 && elems[0]!.k === "const") right = elems[0]!;
      else right = { k: "set", elems: normalizeAnon(elems) };
    }
    if (right.k === "flags" && right.v.length === 1)
      right = { k: "const", type: right.type, v: right.v[0]! };
    if (left.k === "binop") {
      if (op === "implicit") op = "==";
    } else if (op === "==" && !((lt === "ct_state" || lt === "tcp_flag") && right.k === "const"))
      op = "implicit";
    if (left.k === "binop" && left.op === "&" && left.right.k === "const" && left.right.v === ALL32)
      left = left.left;
    return { k: "match", left, op, right };
  }
  if (s.k === "vmap" && s.map.k === "set")
    return { k: "vmap", key: s.key, map: { k: "set", elems: normalizeAnon(s.map.elems) } };
  if (s.k === "cthelper") return { k: "cthelper", value: canonMap(s.value) };
  if (s.k === "nat" && (s.addr?.k === "map" || s.port?.k === "map"))
    return {
      ...s,
      ...defined({ addr: s.addr && canonMap(s.addr), port: s.port && canonMap(s.port) }),
    };
  if (s.k === "mangle") {
    const v = s.value.k === "binop" ? foldBinop(s.value) : s.value;
    return { k: "mangle", key: s.key, value: v };
  }
  return s;
}
