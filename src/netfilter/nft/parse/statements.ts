/**
 * Rules and their statements (parser_bison.y `rule`, `stmt_list`, `stmt`): verdicts,
 * `counter`, `log`, `limit`, `reject`, `queue`, `notrack`, NAT (parse/nat.ts) and the
 * expression statements `match_stmt`, `meta_stmt`/`ct_stmt`/`payload_stmt` (`... set
 * VALUE`) and `vmap`. A finished rule is canonicalised (canon.ts) as nft evaluates it.
 * @module
 */
import type { CtE, Expr, MatchOp, MetaE, NftFamily, PayloadE, Stmt, VerdictKind } from "../ast.js";
import { canonRule } from "../canon.js";
import type { Tok } from "../lexer.js";
import { typeValue } from "../typing.js";
import type { Parser } from "./cursor.js";
import { leftExpr, valueExpr } from "./expressions.js";
import { VERDICTS } from "./keywords.js";
import { natStmt, tproxyStmt } from "./nat.js";
import { ctHelperSet } from "./objects.js";
import { rawValue } from "./values.js";

/** A parsed rule: its canonical statements and, per statement, the tokens it came from. */
export interface RuleBody {
  stmts: Stmt[];
  comment?: string;
  stmtToks: Tok[][];
}

/** Statements up to the end of the line, then canonicalised as nft's rule_evaluate() does. */
export function ruleBody(p: Parser, family: NftFamily): RuleBody {
  const stmts: Stmt[] = [];
  const stmtToks: Tok[][] = [];
  let comment: string | undefined;
  while (!p.atEnd()) {
    const start = p.pos;
    const t = p.peek();
    if (p.isWord(t, "comment")) {
      p.next();
      comment = p.str();
      continue;
    }
    const s = statement(p, family);
    for (const x of s) stmts.push(x);
    for (let i = 0; i < s.length; i++) stmtToks.push(p.toks.slice(start, p.pos));
  }
  if (stmts.length === 0 && comment === undefined) p.unexpected(p.peek());
  const c = canonRule(stmts, family);
  if (!c.ok) p.throwAt(canonErrorTok(p, c, stmtToks), `Error: ${c.msg}`);
  return { stmts: c.stmts, comment, stmtToks };
}

/** Where nft points for an evaluation error: the statement, or the port after `to ...:`. */
function canonErrorTok(p: Parser, c: { index: number; at?: "port" }, stmtToks: Tok[][]): Tok {
  const toks = stmtToks[c.index] ?? [p.peek()];
  const first = toks[0]!;
  if (c.at !== "port") return first;
  const ti = toks.findIndex((x) => x.text === "to");
  const pt = toks[ti + 1];
  if (!pt) return first;
  const colon = pt.text.indexOf(":");
  return { ...pt, col: pt.col + colon + 1, len: pt.len - colon - 1 };
}

/** Statements the grammar knows and the model does not evaluate. */
const UNSUPPORTED_STMTS = [
  "numgen",
  "jhash",
  "symhash",
  "osf",
  "rt",
  "exthdr",
  "ipsec",
  "synproxy",
  "dup",
  "fwd",
  "xt",
];

/** One `stmt`; an array so a statement could expand to several. */
export function statement(p: Parser, family: NftFamily): Stmt[] {
  const t = p.peek();
  if (t.kind !== "word") p.unexpected(t);
  const w = t.text;
  if (VERDICTS.has(w)) return [verdictStmt(p, w)];
  switch (w) {
    case "counter":
      return [counterStmt(p)];
    case "log":
      return [logStmt(p)];
    case "limit":
      return [limitStmt(p)];
    case "notrack":
      p.next();
      return [{ k: "notrack" }];
    case "reject":
      return [rejectStmt(p)];
    case "queue":
      return [queueStmt(p)];
    case "dnat":
    case "snat":
    case "masquerade":
    case "redirect":
      return [natStmt(p, w, family)];
    case "tproxy":
      return [tproxyStmt(p, family)];
    case "ct":
      if (p.isWord(p.peek(1), "helper") && p.isWord(p.peek(2), "set")) {
        p.next();
        p.next();
        return [ctHelperSet(p, family)];
      }
  }
  if (UNSUPPORTED_STMTS.includes(w))
    p.fail(t, `'${w}' is not supported by routelab's nftables model`);
  return [exprStmt(p, family, t)];
}

/** `verdict_stmt`: `accept`, `drop`, `continue`, `return`, `jump C`, `goto C`. */
function verdictStmt(p: Parser, w: string): Stmt {
  p.next();
  if (w === "jump" || w === "goto") {
    const target = p.ident();
    return { k: "verdict", v: w, target: target.text };
  }
  return { k: "verdict", v: w as VerdictKind };
}

/** `counter_stmt`: `counter [packets N bytes N]`. */
function counterStmt(p: Parser): Stmt {
  p.next();
  let packets = 0,
    bytes = 0;
  if (p.isWord(p.peek(), "packets")) {
    p.next();
    packets = Number(p.word().text);
    p.expectWord("bytes");
    bytes = Number(p.word().text);
  }
  return { k: "counter", packets, bytes };
}

/** `log_stmt`: `log [prefix S] [level L] [group N] [flags F,...]`, in any order. */
function logStmt(p: Parser): Stmt {
  p.next();
  const s: Extract<Stmt, { k: "log" }> = { k: "log" };
  for (;;) {
    const o = p.peek();
    if (p.isWord(o, "prefix")) {
      p.next();
      s.prefix = p.str();
    } else if (p.isWord(o, "level")) {
      p.next();
      s.level = p.word().text;
    } else if (p.isWord(o, "group")) {
      p.next();
      s.group = Number(p.word().text);
    } else if (p.isWord(o, "flags")) {
      p.next();
      s.flags = p.commaWords();
    } else return s;
  }
}

/** `limit_stmt`: `limit rate [over] N/UNIT | N BYTES/UNIT [burst N [packets|bytes]]`. */
function limitStmt(p: Parser): Stmt {
  p.next();
  p.expectWord("rate");
  let over = false;
  if (p.isWord(p.peek(), "over")) {
    p.next();
    over = true;
  }
  const { rate, per, bytes } = limitRate(p);
  let burst: number | undefined;
  if (p.isWord(p.peek(), "burst")) {
    p.next();
    burst = Number(p.word().text);
    if (p.isWord(p.peek(), "packets") || p.isWord(p.peek(), "bytes")) p.next();
  }
  return { k: "limit", rate, per, over, burst, bytes };
}

/** `N/second`, `N / second` or `N mbytes/second`. */
function limitRate(p: Parser): { rate: number; per: string; bytes?: string } {
  const r = p.word();
  const m = /^([0-9]+)\/(second|minute|hour|day|week)$/.exec(r.text);
  if (m) return { rate: Number(m[1]), per: m[2]! };
  const rate = Number(r.text);
  if (!Number.isFinite(rate)) p.unexpected(r);
  const u = p.word();
  const mm = /^([a-z]+)\/(second|minute|hour|day|week)$/.exec(u.text);
  if (mm) return { rate, per: mm[2]!, bytes: mm[1] };
  p.expectOp("/");
  return { rate, per: p.word().text, bytes: undefined };
}

/** `reject_stmt`: `reject [with tcp reset | with icmp|icmpv6|icmpx [type] CODE]`. */
function rejectStmt(p: Parser): Stmt {
  p.next();
  if (!p.isWord(p.peek(), "with")) return { k: "reject" };
  p.next();
  const kind = p.word();
  if (kind.text === "tcp") {
    p.expectWord("reset");
    return { k: "reject", type: "tcp reset" };
  }
  if (!["icmp", "icmpv6", "icmpx", "icmp6"].includes(kind.text)) p.unexpected(kind);
  if (p.isWord(p.peek(), "type")) p.next();
  const code = p.word();
  const ty = kind.text === "icmp6" ? "icmpv6" : (kind.text as "icmp" | "icmpv6" | "icmpx");
  return { k: "reject", type: ty, code: code.text };
}

/** `queue_stmt`: `queue [num N | to N] [bypass] [fanout] [flags F,...]`. */
function queueStmt(p: Parser): Stmt {
  p.next();
  let num = 0;
  const flags: string[] = [];
  for (;;) {
    const o = p.peek();
    if (p.isWord(o, "num") || p.isWord(o, "to")) {
      p.next();
      num = Number(p.word().text);
    } else if (p.isWord(o, "bypass") || p.isWord(o, "fanout")) {
      p.next();
      flags.push(o.text);
    } else if (p.isWord(o, "flags")) {
      p.next();
      for (const w of p.commaWords()) flags.push(w);
    } else return { k: "queue", num, flags };
  }
}

/** An expression statement: `left [op] right`, `left set value` or `left vmap { ... }`. */
function exprStmt(p: Parser, family: NftFamily, t: Tok): Stmt {
  const left = leftExpr(p, family);
  const nt = p.peek();
  if (p.isWord(nt, "set")) {
    p.next();
    return mangleStmt(p, family, t, left);
  }
  if (p.isWord(nt, "vmap")) {
    p.next();
    const raw = rawValue(p);
    const m = typeValue(raw, left, "verdict");
    if (!m.ok) p.fail(m.tok ?? nt, m.msg);
    if (m.e.k !== "set" && m.e.k !== "setref") p.unexpected(raw.tok, "'{' or '@'");
    return { k: "vmap", key: left, map: m.e };
  }
  return matchStmt(p, left, nt);
}

/** `meta_stmt`, `ct_stmt`, `payload_stmt`: `KEY set VALUE`. */
function mangleStmt(p: Parser, family: NftFamily, t: Tok, left: Expr): Stmt {
  // Payload statements cover the header fields routing and NAT look at (addresses, dscp,
  // ports).
  const okPayload =
    left.k === "payload" &&
    (((left.proto === "ip" || left.proto === "ip6") &&
      ["saddr", "daddr", "dscp"].includes(left.field)) ||
      (["tcp", "udp", "th"].includes(left.proto) && ["sport", "dport"].includes(left.field)));
  if (left.k !== "meta" && left.k !== "ct" && !okPayload)
    p.fail(t, `setting ${t.text} is not supported by routelab's nftables model`);
  const key = left as MetaE | CtE | PayloadE;
  const val = valueExpr(p, family, key);
  return { k: "mangle", key, value: val };
}

const WORD_OPS = { eq: "==", ne: "!=", lt: "<", gt: ">", le: "<=", ge: ">=" } as const;

/** `match_stmt`: `left [==|!=|<|>|<=|>=|eq|ne|...] right`. */
function matchStmt(p: Parser, left: Expr, nt: Tok): Stmt {
  let op: MatchOp = "implicit";
  if (nt.kind === "op" && ["==", "!=", "<", ">", "<=", ">="].includes(nt.text)) {
    p.next();
    op = nt.text as MatchOp;
  } else if (nt.kind === "word" && Object.keys(WORD_OPS).includes(nt.text)) {
    p.next();
    op = WORD_OPS[nt.text as keyof typeof WORD_OPS];
  }
  if (p.atEnd()) p.unexpected(p.peek());
  // Bitmask selectors take a comma list: `ct state established,related`.
  const flagList =
    (left.k === "ct" && left.key === "state") || (left.k === "payload" && left.field === "flags");
  const raw = rawValue(p, flagList);
  const v = typeValue(raw, left);
  if (!v.ok) p.fail(v.tok ?? raw.tok, v.msg);
  return { k: "match", left, op, right: v.e };
}
