/**
 * Typing of right-hand values, as nft's evaluate.c does for symbol expressions: a word
 * written after `ip daddr` becomes an IPv4 address, prefix or range, after `tcp dport` a
 * service, in a concatenation one datatype per member. The grammar calls it while parsing
 * so a bad value is reported at its token and the command is skipped.
 * @module
 */
import type { Const, DType, Expr } from "./ast.js";
import { ADDR_TYPES, constKey, parseConst, typeBits } from "./dtype.js";
import type { Tok } from "./lexer.js";

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

/**
 * Type a raw value against a left expression (or a set key type list). `dataType` types
 * map values.
 */
export function typeValue(raw: RawVal, left: Expr | DType[], dataType?: DType): TypeRes {
  const types: DType[] = Array.isArray(left)
    ? left
    : left.k === "concat"
      ? left.items.map(leftType)
      : [leftType(left)];
  return typeRaw(raw, { types, left: Array.isArray(left) ? undefined : left, dataType });
}

/** What a value is typed against: key datatypes, the left expression, the map's data type. */
interface TypeCtx {
  types: DType[];
  left: Expr | undefined;
  dataType: DType | undefined;
}

function concatMismatch(types: DType[], tok: Tok): TypeRes {
  const msg = `datatype mismatch, expected concatenation of (${types.join(", ")})`;
  return { ok: false, msg, tok };
}

function typeRaw(r: RawVal, ctx: TypeCtx): TypeRes {
  switch (r.k) {
    case "sym":
    case "str":
      if (ctx.types.length > 1) return concatMismatch(ctx.types, r.tok);
      return typeSym(ctx.types[0]!, r.text, r.tok, r.k === "str", ctx.left);
    case "concat":
      return typeConcat(r, ctx.types);
    case "list":
      return typeFlagList(r, ctx);
    case "setref":
      return { ok: true, e: { k: "setref", name: r.name } };
    case "set":
      return typeSetBlock(r, ctx);
    case "map":
      return { ok: false, msg: "syntax error, unexpected colon", tok: r.tok };
    case "verdict":
      return { ok: false, msg: `syntax error, unexpected ${r.v}`, tok: r.tok };
  }
}

/** `a . b . c`: one datatype per member, as many members as types. */
function typeConcat(r: Extract<RawVal, { k: "concat" }>, types: DType[]): TypeRes {
  if (r.items.length !== types.length) return concatMismatch(types, r.tok);
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

/** `ct state established,related`: a comma list only for bitmask types. */
function typeFlagList(r: Extract<RawVal, { k: "list" }>, ctx: TypeCtx): TypeRes {
  const type = ctx.types[0];
  if (type !== "ct_state" && type !== "tcp_flag")
    return { ok: false, msg: "syntax error, unexpected comma", tok: r.tok };
  const v: number[] = [];
  for (const it of r.items) {
    const x = typeRaw(it, ctx);
    if (!x.ok) return x;
    if (x.e.k !== "const") return { ok: false, msg: "unexpected value", tok: it.tok };
    v.push(x.e.v as number);
  }
  return { ok: true, e: { k: "flags", type, v } };
}

/** `{ a, b }` or, for a map, `{ key : value, ... }`. */
function typeSetBlock(r: Extract<RawVal, { k: "set" }>, ctx: TypeCtx): TypeRes {
  const elems: Expr[] = [];
  for (const it of r.items) {
    if (it.k === "map") {
      const m = typeMapping(it, ctx);
      if (!m.ok) return m;
      elems.push(m.e);
      continue;
    }
    if (ctx.dataType) {
      const msg = "syntax error, unexpected comma, expecting colon";
      return { ok: false, msg, tok: it.tok };
    }
    if (it.k === "set") return { ok: false, msg: "nested sets are not supported", tok: it.tok };
    const x = typeRaw(it, ctx);
    if (!x.ok) return x;
    elems.push(x.e);
  }
  return { ok: true, e: { k: "set", elems } };
}

function typeMapping(it: Extract<RawVal, { k: "map" }>, ctx: TypeCtx): TypeRes {
  const key = typeRaw(it.key, ctx);
  if (!key.ok) return key;
  const val =
    ctx.dataType === "verdict"
      ? typeVerdict(it.value)
      : ctx.dataType
        ? typeValue(it.value, [ctx.dataType])
        : { ok: false as const, msg: "mapping outside a map", tok: it.tok };
  if (!val.ok) return val;
  return { ok: true, e: { k: "mapping", key: key.e, value: val.e } };
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
