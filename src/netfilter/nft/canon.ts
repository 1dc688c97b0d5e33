/**
 * Typing of right-hand values and canonicalisation of rules into the form nft lists
 * after a kernel round trip: implicit dependencies removed, single-element sets
 * collapsed, anonymous interval sets merged, mark arithmetic folded to mask/xor.
 * @module
 */
import type { Tok } from "./lexer.js";
import type { Const, DType, Expr, NftFamily, Stmt } from "./ast.js";
import { parseConst, constKey, typeBits } from "./dtype.js";

/** Untyped value as written. */
export type RawVal =
  | { k: "sym"; text: string; tok: Tok }
  | { k: "str"; text: string; tok: Tok }
  | { k: "set"; items: RawVal[]; tok: Tok }
  | { k: "setref"; name: string; tok: Tok }
  | { k: "list"; items: RawVal[]; tok: Tok }
  | { k: "concat"; items: RawVal[]; tok: Tok }
  | { k: "map"; key: RawVal; value: RawVal; tok: Tok }
  | {
      k: "verdict";
      v: "accept" | "drop" | "continue" | "return" | "jump" | "goto" | "queue";
      target?: string;
      tok: Tok;
    };

const TRANSPORT = new Set(["tcp", "udp", "udplite", "sctp", "dccp", "icmp", "icmpv6"]);

/** Datatype of a left-hand expression. */
export function leftType(e: Expr): DType {
  switch (e.k) {
    case "payload":
      if (e.proto === "ip" && (e.field === "saddr" || e.field === "daddr")) return "ipv4_addr";
      if (e.proto === "ip6" && (e.field === "saddr" || e.field === "daddr")) return "ipv6_addr";
      if (
        (e.proto === "ip" && e.field === "protocol") ||
        (e.proto === "ip6" && e.field === "nexthdr")
      )
        return "inet_proto";
      if (e.field === "sport" || e.field === "dport") return "inet_service";
      if (e.field === "dscp") return "dscp";
      if (e.proto === "tcp" && e.field === "flags") return "tcp_flag";
      if (e.proto === "icmp" && e.field === "type") return "icmp_type";
      if (e.proto === "icmpv6" && e.field === "type") return "icmpv6_type";
      return "integer";
    case "meta":
      switch (e.key) {
        case "mark":
          return "mark";
        case "l4proto":
          return "inet_proto";
        case "nfproto":
          return "nf_proto";
        case "iifname":
        case "oifname":
          return "ifname";
        case "iif":
        case "oif":
          return "iface_index";
        case "skuid":
          return "uid";
        case "skgid":
          return "gid";
        case "pkttype":
          return "pkttype";
        default:
          return "integer";
      }
    case "ct":
      switch (e.key) {
        case "state":
          return "ct_state";
        case "direction":
          return "ct_dir";
        case "mark":
          return "mark";
        case "status":
          return "ct_status";
        default:
          return "integer";
      }
    case "fib":
      return e.result === "type"
        ? "fib_addrtype"
        : e.result === "oifname"
          ? "ifname"
          : "iface_index";
    case "socket":
      return e.key === "mark" ? "mark" : "boolean";
    case "binop":
      return leftType(e.left);
    default:
      return "integer";
  }
}

const ADDR_TYPES = new Set<DType>(["ipv4_addr", "ipv6_addr"]);
const RANGE_TYPES = new Set<DType>([
  "ipv4_addr",
  "ipv6_addr",
  "inet_service",
  "mark",
  "uid",
  "gid",
  "integer",
  "inet_proto",
  "dscp",
]);

export type TypeRes = { ok: true; e: Expr } | { ok: false; msg: string; tok?: Tok };

function typeSym(type: DType, text: string, tok: Tok, quoted: boolean, left?: Expr): TypeRes {
  if (left?.k === "fib" && (text === "exists" || text === "missing"))
    return { ok: true, e: { k: "const", type: "boolean", v: text === "exists" ? 1 : 0 } };
  if (!quoted && ADDR_TYPES.has(type) && text.includes("/")) {
    const [a, l] = text.split("/") as [string, string];
    const c = parseConst(type, a);
    if (!c.ok) return { ok: false, msg: c.msg, tok };
    const len = Number(l);
    const w = typeBits(type);
    if (!/^[0-9]+$/.test(l) || len > w)
      return { ok: false, msg: `syntax error, unexpected string`, tok };
    return { ok: true, e: { k: "prefix", base: maskConst(c.c, len), len } };
  }
  if (!quoted && RANGE_TYPES.has(type)) {
    const i = type === "ipv6_addr" ? text.indexOf("-") : text.indexOf("-", 1);
    if (i > 0) {
      const lo = parseConst(type, text.slice(0, i)),
        hi = parseConst(type, text.slice(i + 1));
      const whole = parseConst(type, text);
      if (whole.ok) return { ok: true, e: whole.c };
      if (!lo.ok) return { ok: false, msg: lo.msg, tok };
      if (!hi.ok) return { ok: false, msg: hi.msg, tok };
      if (constKey(lo.c) > constKey(hi.c))
        return { ok: false, msg: "Range has zero or negative size", tok };
      return { ok: true, e: { k: "range", lo: lo.c, hi: hi.c } };
    }
  }
  const c = parseConst(
    type,
    text,
    quoted && type !== "ifname" && type !== "iface_index" && type !== "string" ? false : quoted,
  );
  if (!c.ok) return { ok: false, msg: c.msg, tok };
  return { ok: true, e: c.c };
}

function maskConst(c: Const, len: number): Const {
  if (c.type === "ipv4_addr") {
    const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    return { ...c, v: ((c.v as number) & m) >>> 0 };
  }
  if (c.type === "ipv6_addr") {
    const all = (1n << 128n) - 1n;
    const m = len === 0 ? 0n : (all << BigInt(128 - len)) & all;
    return { ...c, v: (c.v as bigint) & m };
  }
  return c;
}

/** Type a raw value against a left expression (or a set key type list). `dataType` types map values. */
export function typeValue(raw: RawVal, left: Expr | DType[], dataType?: DType): TypeRes {
  const types: DType[] = Array.isArray(left)
    ? left
    : left.k === "concat"
      ? left.items.map(leftType)
      : [leftType(left)];
  const leftExpr = Array.isArray(left) ? undefined : left;
  const one = (r: RawVal): TypeRes => {
    switch (r.k) {
      case "sym":
      case "str": {
        if (types.length > 1)
          return {
            ok: false,
            msg: `datatype mismatch, expected concatenation of (${types.join(", ")})`,
            tok: r.tok,
          };
        return typeSym(types[0]!, r.text, r.tok, r.k === "str", leftExpr);
      }
      case "concat": {
        if (r.items.length !== types.length)
          return {
            ok: false,
            msg: `datatype mismatch, expected concatenation of (${types.join(", ")})`,
            tok: r.tok,
          };
        const items: Expr[] = [];
        for (let i = 0; i < r.items.length; i++) {
          const it = r.items[i]!;
          if (it.k !== "sym" && it.k !== "str")
            return { ok: false, msg: "unsupported concatenation element", tok: it.tok };
          const x = typeSym(types[i]!, it.text, it.tok, it.k === "str");
          if (!x.ok) return x;
          items.push(x.e);
        }
        return { ok: true, e: { k: "concat", items } };
      }
      case "list": {
        if (types[0] !== "ct_state" && types[0] !== "tcp_flag")
          return { ok: false, msg: "syntax error, unexpected comma", tok: r.tok };
        const v: number[] = [];
        for (const it of r.items) {
          const x = one(it);
          if (!x.ok) return x;
          if (x.e.k !== "const") return { ok: false, msg: "unexpected value", tok: it.tok };
          v.push(x.e.v as number);
        }
        return { ok: true, e: { k: "flags", type: types[0], v } };
      }
      case "setref":
        return { ok: true, e: { k: "setref", name: r.name } };
      case "set": {
        const elems: Expr[] = [];
        for (const it of r.items) {
          if (it.k === "map") {
            const key = one(it.key);
            if (!key.ok) return key;
            const val =
              dataType === "verdict"
                ? typeVerdict(it.value)
                : dataType
                  ? typeValue(it.value, [dataType])
                  : { ok: false as const, msg: "mapping outside a map", tok: it.tok };
            if (!val.ok) return val;
            elems.push({ k: "mapping", key: key.e, value: val.e });
            continue;
          }
          if (dataType)
            return {
              ok: false,
              msg: "syntax error, unexpected comma, expecting colon",
              tok: it.tok,
            };
          if (it.k === "set")
            return { ok: false, msg: "nested sets are not supported", tok: it.tok };
          const x = one(it);
          if (!x.ok) return x;
          elems.push(x.e);
        }
        return { ok: true, e: { k: "set", elems } };
      }
      case "map":
        return { ok: false, msg: "syntax error, unexpected colon", tok: r.tok };
      case "verdict":
        return { ok: false, msg: `syntax error, unexpected ${r.v}`, tok: r.tok };
    }
  };
  return one(raw);
}

function typeVerdict(r: RawVal): TypeRes {
  if (r.k === "verdict")
    return {
      ok: true,
      e: r.target ? { k: "verdict", v: r.v, target: r.target } : { k: "verdict", v: r.v },
    };
  return {
    ok: false,
    msg: `syntax error, unexpected ${r.k === "sym" ? "string" : r.k}, expecting verdict`,
    tok: r.tok,
  };
}

// ------------------------------------------------------------------ sets

/** Interval [lo, hi] of a set element key. */
export function elemInterval(e: Expr): [bigint, bigint] | undefined {
  if (e.k === "const") {
    const k = constKey(e);
    return [k, k];
  }
  if (e.k === "range") return [constKey(e.lo), constKey(e.hi)];
  if (e.k === "prefix") {
    const w = BigInt(typeBits(e.base.type));
    const lo = constKey(e.base);
    const span = (1n << (w - BigInt(e.len))) - 1n;
    return [lo, lo + span];
  }
  return undefined;
}

function mkConst(type: DType, k: bigint): Const {
  if (type === "ipv6_addr") return { k: "const", type, v: k };
  return { k: "const", type, v: Number(k) };
}

/** Turn [lo, hi] back into the form nft prints (prefix for aligned address ranges). */
export function intervalExpr(type: DType, lo: bigint, hi: bigint): Expr {
  if (lo === hi) return mkConst(type, lo);
  if (ADDR_TYPES.has(type)) {
    const size = hi - lo + 1n;
    if ((size & (size - 1n)) === 0n && (lo & (size - 1n)) === 0n) {
      let bitsN = 0;
      let s = size;
      while (s > 1n) {
        s >>= 1n;
        bitsN++;
      }
      return { k: "prefix", base: mkConst(type, lo), len: typeBits(type) - bitsN };
    }
  }
  return { k: "range", lo: mkConst(type, lo), hi: mkConst(type, hi) };
}

function keyOf(e: Expr): bigint[] {
  if (e.k === "mapping") return keyOf(e.key);
  if (e.k === "concat") return e.items.flatMap(keyOf);
  const iv = elemInterval(e);
  return iv ? [iv[0]] : [0n];
}

function cmpKeys(a: bigint[], b: bigint[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? -1n,
      y = b[i] ?? -1n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function elemType(e: Expr): DType | undefined {
  if (e.k === "const") return e.type;
  if (e.k === "range") return e.lo.type;
  if (e.k === "prefix") return e.base.type;
  if (e.k === "mapping") return elemType(e.key);
  return undefined;
}

export type SetNorm = { ok: true; elems: Expr[] } | { ok: false; msg: string; index: number };

/**
 * Normalise set elements as the kernel stores them and nft lists them: sorted,
 * de-duplicated; interval sets merged when `autoMerge` (else overlaps are refused).
 */
export function normalizeElems(elems: Expr[], interval: boolean, autoMerge: boolean): SetNorm {
  if (!interval) {
    // Interface names with a wildcard make an interval set: byte-wise (big-endian) order.
    const wild = elems.some((e) => e.k === "const" && typeof e.v === "string" && e.v.endsWith("*"));
    const sorted = wild
      ? [...elems].sort((a, b) => {
          const x = a.k === "const" ? String(a.v) : "",
            y = b.k === "const" ? String(b.v) : "";
          return x < y ? -1 : x > y ? 1 : 0;
        })
      : [...elems].sort((a, b) => cmpKeys(keyOf(a), keyOf(b)));
    const out: Expr[] = [];
    for (const e of sorted)
      if (!out.length || cmpKeys(keyOf(out[out.length - 1]!), keyOf(e)) !== 0) out.push(e);
    return { ok: true, elems: out };
  }
  const ivs: { lo: bigint; hi: bigint; type: DType; val?: Expr; i: number }[] = [];
  for (let i = 0; i < elems.length; i++) {
    const e = elems[i]!;
    const key = e.k === "mapping" ? e.key : e;
    const iv = elemInterval(key);
    const type = elemType(key);
    if (!iv || !type) return { ok: false, msg: "unsupported interval element", index: i };
    ivs.push({ lo: iv[0], hi: iv[1], type, val: e.k === "mapping" ? e.value : undefined, i });
  }
  ivs.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : a.hi < b.hi ? -1 : a.hi > b.hi ? 1 : 0));
  const merged: typeof ivs = [];
  for (const iv of ivs) {
    const last = merged[merged.length - 1];
    if (last && iv.lo <= last.hi) {
      if (!autoMerge) {
        if (iv.lo === last.lo && iv.hi === last.hi) continue;
        return { ok: false, msg: "conflicting intervals specified", index: Math.min(iv.i, last.i) };
      }
      if (iv.hi > last.hi) last.hi = iv.hi;
      continue;
    }
    if (last && autoMerge && iv.lo === last.hi + 1n && !iv.val && !last.val) {
      last.hi = iv.hi;
      continue;
    }
    merged.push({ ...iv });
  }
  return {
    ok: true,
    elems: merged.map((m) => {
      const k = intervalExpr(m.type, m.lo, m.hi);
      return m.val ? { k: "mapping", key: k, value: m.val } : k;
    }),
  };
}

function isInterval(elems: Expr[]): boolean {
  return elems.some((e) => {
    const k = e.k === "mapping" ? e.key : e;
    return k.k === "range" || k.k === "prefix";
  });
}

/** Normalise an anonymous set (nft makes it an interval set with auto-merge if any element is a range/prefix). */
export function normalizeAnon(elems: Expr[]): Expr[] {
  const iv = isInterval(elems);
  const r = normalizeElems(elems, iv, true);
  return r.ok ? r.elems : elems;
}

// ------------------------------------------------------------------ binops

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

/** Canonicalise one rule's statements (see module doc). */
export function canonRule(input: Stmt[], family: NftFamily): CanonRes {
  const stmts: (Stmt | null)[] = input.map((s) => canonStmt(s));
  // Protocol context: first l4 protocol seen (for conflicts, tproxy/nat port checks).
  let l4: string | undefined;
  const deps = new Map<"network" | "transport", number>();
  for (let i = 0; i < stmts.length; i++) {
    const s = stmts[i];
    if (!s) continue;
    if (s.k === "match") {
      for (const p of payloadsOf(s.left)) {
        if (TRANSPORT.has(p.proto)) {
          if (l4 && l4 !== p.proto && !l4.startsWith("#"))
            return {
              ok: false,
              index: i,
              msg: `conflicting protocols specified: ${l4} vs. ${p.proto}`,
            };
          const d = deps.get("transport");
          if (d !== undefined) {
            const ds = stmts[d];
            if (ds && l4OfMatch(ds, family) === p.proto && killable(ds, family)) stmts[d] = null;
            deps.delete("transport");
          }
          l4 = p.proto;
        } else if (p.proto === "th") {
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
      }
      const lp = l4OfMatch(s, family);
      if (lp) {
        if (l4 && l4 !== lp && s.left.k === "meta")
          return { ok: false, index: i, msg: `conflicting protocols specified: ${l4} vs. ${lp}` };
        l4 = lp;
        deps.set("transport", i);
      } else if (s.left.k === "meta" && s.left.key === "l4proto") {
        l4 = "#set";
      }
      if (
        family === "inet" &&
        s.left.k === "meta" &&
        s.left.key === "nfproto" &&
        s.right.k === "const" &&
        (s.op === "implicit" || s.op === "==")
      )
        deps.set("network", i);
      continue;
    }
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
    if (s.k === "nat" && s.port && !l4)
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
  }
  return { ok: true, stmts: stmts.filter((s): s is Stmt => s !== null) };
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
  if (s.k === "mangle") {
    const v = s.value.k === "binop" ? foldBinop(s.value) : s.value;
    return { k: "mangle", key: s.key, value: v };
  }
  return s;
}
