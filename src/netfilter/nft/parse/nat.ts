/**
 * NAT and TPROXY statements (parser_bison.y `nat_stmt`, `masq_stmt`, `redir_stmt`,
 * `tproxy_stmt`) and their `to ADDR:PORT` targets.
 * @module
 */
import type { Const, DType, Expr, NftFamily, Stmt } from "../ast.js";
import { parseConst } from "../dtype.js";
import type { Parser } from "./cursor.js";
import { mapExpr, startsSelector } from "./expressions.js";

/**
 * `dnat|snat [[ip|ip6] to] TARGET`, `masquerade|redirect [to :PORT]`, then NAT flags. TARGET
 * is `ADDR[:PORT]` or map lookups (`nat_stmt_args`: `ip saddr map { … }`,
 * `tcp dport map { … } : tcp dport map { … }`); `to` is optional before a map.
 */
export function natStmt(p: Parser, w: string, family: NftFamily): Stmt {
  p.next();
  const s: Extract<Stmt, { k: "nat" }> = { k: "nat", type: w as "dnat" };
  let fam: "ip" | "ip6" | undefined;
  // `ip`/`ip6` is the NAT family (nf_key_proto) only before `to`: `snat ip saddr map` is a key.
  if ((p.isWord(p.peek(), "ip") || p.isWord(p.peek(), "ip6")) && p.isWord(p.peek(1), "to")) {
    fam = p.next().text as "ip" | "ip6";
  }
  if (w === "dnat" || w === "snat") {
    const m = natMapArgs(p, family, fam);
    if (m) {
      Object.assign(s, m);
      if (fam && family === "inet") s.family = fam;
      const flags = natFlags(p);
      if (flags.length) s.flags = flags;
      return s;
    }
  }
  if (p.isWord(p.peek(), "to")) {
    p.next();
    let a = p.word();
    if (w === "redirect" && /^[0-9]/.test(a.text)) a = { ...a, text: ":" + a.text };
    const addrFam: "ip" | "ip6" = fam ?? (family === "ip6" ? "ip6" : "ip");
    if (family === "inet" && !fam && (w === "dnat" || w === "snat") && !a.text.startsWith(":"))
      p.fail(a, "specify `dnat ip` or 'dnat ip6' in inet table to disambiguate");
    const r = parseNatTarget(a.text, addrFam, w === "masquerade" || w === "redirect");
    if (!r.ok) p.fail(a, r.msg);
    s.addr = r.addr;
    s.port = r.port;
  } else if (w === "redirect" && p.peek().kind === "word" && /^:?[0-9]/.test(p.peek().text)) {
    const a = p.next();
    const r = parseNatTarget(a.text.startsWith(":") ? a.text : ":" + a.text, "ip", true);
    if (!r.ok) p.fail(a, r.msg);
    s.port = r.port;
  }
  if (fam && family === "inet") s.family = fam;
  const flags = natFlags(p);
  if (flags.length) s.flags = flags;
  return s;
}

/** `[to] KEY map {…} [: KEY map {…} | : PORT]`; undefined when TARGET is no map lookup. */
function natMapArgs(
  p: Parser,
  family: NftFamily,
  fam: "ip" | "ip6" | undefined,
): { addr: Expr; port?: Expr } | undefined {
  const to = p.isWord(p.peek(), "to") ? 1 : 0;
  const save = p.pos;
  p.pos += to;
  if (!startsSelector(p)) {
    p.pos = save;
    return undefined;
  }
  const at: DType =
    (fam ?? (family === "ip6" ? "ip6" : "ip")) === "ip6" ? "ipv6_addr" : "ipv4_addr";
  const addr = mapExpr(p, family, at);
  const c = p.peek();
  if (!(p.isOp(c, ":") || (c.kind === "word" && c.text.startsWith(":")))) return { addr };
  // `}:tcp dport map` lexes `:tcp` as one word: the colon is the separator.
  if (p.isOp(c, ":")) p.next();
  else p.toks[p.pos] = { ...c, text: c.text.slice(1), col: c.col + 1, len: c.len - 1 };
  if (startsSelector(p)) return { addr, port: mapExpr(p, family, "inet_service") };
  const w = p.word();
  const r = parseNatTarget(`:${w.text}`, "ip", true);
  if (!r.ok) p.fail(w, r.msg);
  return r.port ? { addr, port: r.port } : { addr };
}

/** `random`, `fully-random`, `persistent`, comma-separated. */
function natFlags(p: Parser): string[] {
  const flags: string[] = [];
  while (
    p.peek().kind === "word" &&
    ["random", "fully-random", "persistent"].includes(p.peek().text)
  ) {
    flags.push(p.next().text);
    while (p.isOp(p.peek(), ",")) {
      p.next();
      flags.push(p.word().text);
    }
  }
  return flags;
}

/** `tproxy [ip|ip6] to [ADDR][:PORT]`; inet tables must name the address family. */
export function tproxyStmt(p: Parser, family: NftFamily): Stmt {
  p.next();
  let fam: "ip" | "ip6" | undefined;
  if (p.isWord(p.peek(), "ip") || p.isWord(p.peek(), "ip6")) fam = p.next().text as "ip" | "ip6";
  p.expectWord("to");
  const a = p.word();
  const addrFam: "ip" | "ip6" = fam ?? (family === "ip6" ? "ip6" : "ip");
  const r = parseNatTarget(a.text, addrFam, false);
  if (!r.ok) p.fail(a, r.msg);
  if (family === "inet" && r.addr && !fam)
    p.fail(
      a,
      "Transparent proxy support requires an address family, " +
        "use tproxy ip to ADDR or tproxy ip6 to ADDR",
    );
  const s: Extract<Stmt, { k: "tproxy" }> = { k: "tproxy" };
  if (family === "inet" && fam && r.addr) s.family = fam;
  if (r.addr) s.addr = r.addr.k === "const" ? r.addr : undefined;
  if (r.port) s.port = r.port.k === "const" ? Number(r.port.v) : undefined;
  return s;
}

type NatTarget = { ok: true; addr?: Expr; port?: Expr } | { ok: false; msg: string };

/** `ADDR`, `ADDR:PORT`, `[V6]:PORT`, `:PORT`, `:P1-P2`, `A1-A2`, `PORT` (redirect). */
export function parseNatTarget(s: string, fam: "ip" | "ip6", portOnly: boolean): NatTarget {
  const { addrPart, portPart } = splitNatTarget(s, fam);
  if (portOnly && addrPart !== "")
    return { ok: false, msg: "syntax error, unexpected string, expecting colon" };
  const out: { ok: true; addr?: Expr; port?: Expr } = { ok: true };
  if (addrPart) {
    const a = natAddr(addrPart, fam);
    if (!a.ok) return a;
    out.addr = a.addr;
  }
  if (portPart !== undefined) {
    const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(portPart);
    if (!m)
      return {
        ok: false,
        msg: "Could not resolve service: Servname not supported for ai_socktype",
      };
    const lo: Const = { k: "const", type: "inet_service", v: Number(m[1]) };
    out.port =
      m[2] !== undefined
        ? { k: "range", lo, hi: { k: "const", type: "inet_service", v: Number(m[2]) } }
        : lo;
  }
  return out;
}

/** Address and port text: IPv6 addresses with a port are bracketed. */
function splitNatTarget(s: string, fam: "ip" | "ip6"): { addrPart: string; portPart?: string } {
  if (fam === "ip6") {
    const m = /^\[([^\]]+)\](?::(.+))?$/.exec(s);
    if (m) return { addrPart: m[1]!, portPart: m[2] };
    if (s.startsWith(":") && !s.startsWith("::")) return { addrPart: "", portPart: s.slice(1) };
    return { addrPart: s };
  }
  const i = s.indexOf(":");
  if (i >= 0) return { addrPart: s.slice(0, i), portPart: s.slice(i + 1) };
  return { addrPart: s };
}

/** `A`, `A/LEN` or `A1-A2`. */
function natAddr(
  addrPart: string,
  fam: "ip" | "ip6",
): { ok: true; addr: Expr } | { ok: false; msg: string } {
  const at: DType = fam === "ip6" ? "ipv6_addr" : "ipv4_addr";
  const dash = addrPart.indexOf("-");
  const slash = addrPart.indexOf("/");
  if (slash > 0) {
    const a = parseConst(at, addrPart.slice(0, slash));
    const len = Number(addrPart.slice(slash + 1));
    if (!a.ok) return a;
    if (!Number.isInteger(len) || len < 0 || len > (fam === "ip6" ? 128 : 32))
      return { ok: false, msg: "syntax error, unexpected string" };
    return { ok: true, addr: { k: "prefix", base: a.c, len } };
  }
  if (dash > 0) {
    const lo = parseConst(at, addrPart.slice(0, dash)),
      hi = parseConst(at, addrPart.slice(dash + 1));
    if (!lo.ok) return lo;
    if (!hi.ok) return hi;
    return { ok: true, addr: { k: "range", lo: lo.c, hi: hi.c } };
  }
  const a = parseConst(at, addrPart);
  if (!a.ok) return a;
  return { ok: true, addr: a.c };
}
