/**
 * Left-hand expressions (parser_bison.y `primary_expr` and the `*_expr` rules it names:
 * `payload_expr`, `meta_expr`, `ct_expr`, `fib_expr`, `socket_expr`), with concatenation
 * (`concat_expr`) and bitwise operators (`and_expr`, `or_expr`, `exclusive_or_expr`).
 * @module
 */
import type { CtE, DType, Expr, MapE, MetaE, NftFamily, PayloadE } from "../ast.js";
import type { Tok } from "../lexer.js";
import { typeValue } from "../typing.js";
import type { Parser } from "./cursor.js";
import { CT_KEYS, KEYWORDS, META_KEYS, META_UNQUALIFIED, PAYLOAD_FIELDS } from "./keywords.js";
import { rawValue } from "./values.js";

/** Left-hand expressions: payload, meta, ct, fib, socket, with binops and concatenations. */
export function leftExpr(p: Parser, family: NftFamily): Expr {
  let e = primaryLeft(p, family);
  for (;;) {
    const t = p.peek();
    if (p.isOp(t, ".")) {
      p.next();
      const r = primaryLeft(p, family);
      e =
        e.k === "concat" ? { k: "concat", items: [...e.items, r] } : { k: "concat", items: [e, r] };
      continue;
    }
    const bop =
      t.kind === "op" && ["&", "|", "^"].includes(t.text)
        ? t.text
        : t.kind === "word" && ["and", "or", "xor"].includes(t.text)
          ? ({ and: "&", or: "|", xor: "^" } as const)[t.text as "and"]
          : undefined;
    if (bop) {
      p.next();
      const raw = rawValue(p);
      const v = typeValue(raw, baseOf(e));
      if (!v.ok) p.fail(v.tok ?? raw.tok, v.msg);
      e = { k: "binop", op: bop as "&", left: e, right: v.e };
      continue;
    }
    return e;
  }
}

/** One operand: `( expr )` or a selector such as `ip saddr`, `meta mark`, `fib daddr type`. */
function primaryLeft(p: Parser, family: NftFamily): Expr {
  if (p.isOp(p.peek(), "(")) {
    p.next();
    const e = leftExpr(p, family);
    p.expectOp(")");
    return e;
  }
  const t = p.next();
  if (t.kind !== "word") p.unexpected(t);
  const w = t.text;
  if (PAYLOAD_FIELDS[w] && !(w === "ip" && p.peek().kind !== "word")) return payloadExpr(p, w);
  if (w === "meta") return metaExpr(p);
  if (META_UNQUALIFIED.has(w)) return { k: "meta", key: w };
  if (w === "ct") return ctExpr(p);
  if (w === "fib") return fibExpr(p, t);
  if (w === "socket") return socketExpr(p);
  unsupportedExpr(p, t);
}

/** `payload_expr`: `PROTO FIELD` from the header tables of proto.c. */
function payloadExpr(p: Parser, proto: string): Expr {
  const f = p.next();
  if (proto === "tcp" && f.text === "option")
    p.fail(f, "tcp options are not supported by routelab's nftables model");
  if (!PAYLOAD_FIELDS[proto]!.includes(f.text)) p.unexpected(f);
  return { k: "payload", proto: proto === "icmp6" ? "icmpv6" : proto, field: f.text };
}

/** `meta_expr`: `meta KEY` (the unqualified keys are handled by the caller). */
function metaExpr(p: Parser): Expr {
  const k = p.next();
  if (!META_KEYS.has(k.text)) p.unexpected(k);
  return { k: "meta", key: k.text };
}

/** `ct_expr`: `ct [original|reply] KEY`. */
function ctExpr(p: Parser): Expr {
  let k = p.next();
  let dir: "original" | "reply" | undefined;
  if (k.text === "original" || k.text === "reply") {
    dir = k.text;
    k = p.next();
  }
  if (!CT_KEYS.has(k.text)) p.unexpected(k);
  return dir ? { k: "ct", key: k.text, dir } : { k: "ct", key: k.text };
}

/** `fib_expr`: `fib FLAG[. FLAG...] oif|oifname|type`. */
function fibExpr(p: Parser, t: Tok): Expr {
  const flags: string[] = [p.word().text];
  while (p.isOp(p.peek(), ".")) {
    p.next();
    flags.push(p.word().text);
  }
  for (const f of flags) if (!["saddr", "daddr", "mark", "iif", "oif"].includes(f)) p.unexpected(t);
  const r = p.word();
  if (!["oif", "oifname", "type"].includes(r.text)) p.unexpected(r, "oif or oifname or type");
  return { k: "fib", flags, result: r.text as "oif" };
}

/** `socket_expr`: `socket transparent|wildcard|mark`. */
function socketExpr(p: Parser): Expr {
  const k = p.word();
  if (!["transparent", "wildcard", "mark"].includes(k.text)) p.unexpected(k);
  return { k: "socket", key: k.text as "transparent" };
}

/** Expressions nft has and the model does not, then nft's own refusal of unknown words. */
function unsupportedExpr(p: Parser, t: Tok): never {
  const w = t.text;
  if (["numgen", "jhash", "symhash", "rt", "osf", "exthdr", "ipsec"].includes(w))
    p.fail(t, `'${w}' is not supported by routelab's nftables model`);
  if (w === "ether" || w === "vlan" || w === "arp")
    p.fail(t, `'${w}' matches are not supported by routelab's nftables model`);
  if (KEYWORDS.has(w)) p.unexpected(t);
  p.fail(t, "No symbol type information");
}

/** Value for `meta mark set ...`: constant or expression with binops. */
export function valueExpr(p: Parser, family: NftFamily, target: MetaE | CtE | PayloadE): Expr {
  const t = p.peek();
  if (
    p.isOp(t, "(") ||
    p.isWord(t, "meta") ||
    p.isWord(t, "ct") ||
    (t.kind === "word" && META_UNQUALIFIED.has(t.text) && t.text !== "mark"
      ? false
      : p.isWord(t, "mark"))
  ) {
    return leftExpr(p, family);
  }
  if (t.kind === "word" && ["numgen", "jhash", "symhash", "rt", "osf"].includes(t.text))
    p.fail(t, `'${t.text}' is not supported by routelab's nftables model`);
  const raw = rawValue(p);
  const v = typeValue(raw, target);
  if (!v.ok) p.fail(v.tok ?? raw.tok, v.msg);
  // allow `meta mark set 0x10 or ...`? nft needs an expression on the left: not supported.
  return v.e;
}

/**
 * `map_expr`: `KEY map { k : v, ... }` or `KEY map @NAME`, whose values are `dataType` (a NAT
 * address or port, a ct helper name).
 */
export function mapExpr(p: Parser, family: NftFamily, dataType: DType): MapE {
  const key = leftExpr(p, family);
  p.expectWord("map");
  const raw = rawValue(p);
  const m = typeValue(raw, key, dataType);
  if (!m.ok) p.fail(m.tok ?? raw.tok, m.msg);
  if (m.e.k !== "set" && m.e.k !== "setref") p.unexpected(raw.tok, "'{' or '@'");
  return { k: "map", key, map: m.e };
}

/** Whether the tokens ahead start a selector expression (`tcp dport`, `meta mark`, `ct …`). */
export function startsSelector(p: Parser): boolean {
  const a = p.peek();
  const b = p.peek(1);
  if (a.kind !== "word") return false;
  if (a.text === "meta" || a.text === "ct") return true;
  return b.kind === "word" && PAYLOAD_FIELDS[a.text]?.includes(b.text) === true;
}

/** The selector a binop applies to (its datatype types the operand). */
function baseOf(e: Expr): Expr {
  return e.k === "binop" ? baseOf(e.left) : e;
}

/** The left expression `a b` names (for `typeof`). */
export function leftFor(a: string, b: string): Expr | undefined {
  if (PAYLOAD_FIELDS[a]?.includes(b)) return { k: "payload", proto: a, field: b };
  if (a === "meta" && META_KEYS.has(b)) return { k: "meta", key: b };
  if (a === "ct" && CT_KEYS.has(b)) return { k: "ct", key: b };
  return undefined;
}
