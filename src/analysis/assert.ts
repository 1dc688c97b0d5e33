/**
 * The assertion language of `routelab check` and the filters of `routelab map`:
 *
 *     ASSERTION := ( always | never ) ":" PACKETS "->" OUTCOME
 *     PACKETS   := { [not] SELECTOR }          (empty or `all`: every packet)
 *     SELECTOR  := -4 | -6 | [to|dst] PREFIXES | from PREFIXES | iif DEVS | mark|fwmark MARKS
 *                | uid NUMS | tos NUMS | ipproto PROTOS | sport NUMS | dport NUMS
 *     OUTCOME   := TERM { or TERM };  TERM := FACTOR { and FACTOR }
 *     FACTOR    := not FACTOR | "(" OUTCOME ")" | dev NAME | via ADDR | table T | rule PREF
 *                | delivered | dropped | sent
 *     REPLY     := ( always | never ) ":" reply-of: PACKETS "->" OUTCOME    (the replies of
 *                  the flows whose incoming packets PACKETS are: reply-words.ts, reply.ts)
 *
 * Sets are comma-separated items (`uid 0-999`, `to 10.0.0.0/8,192.168.0.0/16`,
 * `mark 0x81/0xff`, `dport 53,853`). The words are those of `ip route get`/`trace`.
 * With `iif` the packets are received ones (input.ts, input6.ts), `from` their source;
 * without it they are locally generated, from a socket bound to a source address with
 * `from` (bound.ts). `oif` (a socket bound to a device) describes packets the analysis does
 * not model yet and is refused (never silently widened).
 * @module
 */
import { type Addr, getAddr, parsePrefix, type Prefix } from "../addr/ip.js";
import { getUnsigned } from "../addr/num.js";
import { type Issue, issue } from "../core/issue.js";
import type { Family } from "../core/kinds.js";
import { err, ok, type Result } from "../core/result.js";
import { dsfieldA2n, inetProtoA2n } from "../parse/names.js";
import { type ReplyOf, splitReplyWords } from "./reply-words.js";

/** One PACKETS selector: a field and the values it takes (a union), maybe negated. */
export type Selector =
  | { kind: "family"; family: Family }
  | { kind: "dst"; prefixes: Prefix[]; not: boolean }
  | { kind: "src"; prefixes: Prefix[]; not: boolean }
  | { kind: "iif"; names: string[]; not: boolean }
  | {
      kind: "num";
      field: "fwmark" | "uid" | "tos" | "ipproto" | "sport" | "dport";
      /** Inclusive ranges, or value/mask pairs (mask set). */
      items: { lo: number; hi: number; mask?: number }[];
      not: boolean;
    };

/** An OUTCOME expression. */
export type OutcomeExpr =
  | { kind: "dev"; name: string }
  | { kind: "via"; addr: Addr }
  | { kind: "table"; table: string }
  | { kind: "rule"; pref: number }
  | { kind: "delivered" | "dropped" | "sent" }
  | { kind: "not"; e: OutcomeExpr }
  | { kind: "and" | "or"; a: OutcomeExpr; b: OutcomeExpr };

export interface Assertion {
  readonly quantifier: "always" | "never";
  readonly packets: readonly Selector[];
  readonly outcome: OutcomeExpr;
  /** The assertion as written. */
  readonly text: string;
  /** `reply-of:`: PACKETS are the originals, OUTCOME is their replies' (reply.ts). */
  readonly reply?: ReplyOf;
}

const NUM_FIELDS: Record<string, Extract<Selector, { kind: "num" }>["field"]> = {
  mark: "fwmark",
  fwmark: "fwmark",
  uid: "uid",
  tos: "tos",
  dsfield: "tos",
  ipproto: "ipproto",
  sport: "sport",
  dport: "dport",
};

const MAX: Record<string, number> = {
  fwmark: 0xffffffff,
  uid: 0xffffffff,
  tos: 0xff,
  ipproto: 0xff,
  sport: 0xffff,
  dport: 0xffff,
};

const bad = (token: string, expected: string): Issue =>
  issue("analysis.syntax", `"${token}" is not ${expected}`, { token, expected });

/**
 * A value as `ip route get` reads it (iproute2 iproute.c): mark, uid and ports with get_u32 /
 * get_u16 base 0 (`0x81`, `010` = 8), tos with rtnl_dsfield_a2n (hex), ipproto with
 * inet_proto_a2n (names from /etc/protocols).
 */
function parseNum(s: string, field: string): number | undefined {
  let v: number | undefined;
  if (field === "ipproto") v = inetProtoA2n(s);
  else if (field === "tos") v = dsfieldA2n(s);
  else v = getUnsigned(s, 0);
  return v !== undefined && v <= MAX[field]! ? v : undefined;
}

function numItem(s: string, field: string): { lo: number; hi: number; mask?: number } | undefined {
  const slash = s.indexOf("/");
  if (slash > 0) {
    const v = parseNum(s.slice(0, slash), field);
    const mask = parseNum(s.slice(slash + 1), field);
    return v === undefined || mask === undefined ? undefined : { lo: v, hi: v, mask };
  }
  const dash = s.indexOf("-", 1);
  if (dash > 0 && field !== "ipproto") {
    const lo = parseNum(s.slice(0, dash), field);
    const hi = parseNum(s.slice(dash + 1), field);
    return lo === undefined || hi === undefined || lo > hi ? undefined : { lo, hi };
  }
  const v = parseNum(s, field);
  return v === undefined ? undefined : { lo: v, hi: v };
}

/** Comma-separated set items; braces are optional (`{a, b}`). */
function items(word: string): string[] {
  return word
    .replace(/[{}]/g, "")
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x);
}

/** The words of PACKETS (after `map` or before `->`) as selectors. */
export function parsePackets(words: readonly string[]): Result<Selector[]> {
  const out: Selector[] = [];
  for (let i = 0; i < words.length; i++) {
    let w = words[i]!;
    const negated = w === "not";
    if (negated) w = words[++i] ?? "";
    if (w === "all" && !negated) continue;
    if ((w === "-4" || w === "-6") && !negated) {
      out.push({ kind: "family", family: w === "-4" ? 4 : 6 });
      continue;
    }
    if (w === "oif")
      return err(
        issue(
          "analysis.unsupported",
          `"${w}": the analysis covers unbound sockets; bound-socket traffic is not ` +
            "modelled yet",
          { token: w },
        ),
      );
    if (w === "iif") {
      const names = items(words[++i] ?? "");
      if (!names.length) return err(bad(w, "followed by a device name"));
      out.push({ kind: "iif", names, not: negated });
      continue;
    }
    const field = NUM_FIELDS[w];
    const bare = w !== "to" && w !== "dst" && w !== "from" && field === undefined;
    const value = bare ? w : words[++i];
    if (value === undefined) return err(bad(w, "followed by a value"));
    if (field !== undefined) {
      const list = items(value).map((x) => numItem(x, field));
      if (!list.length || list.some((x) => !x))
        return err(bad(value, `a ${w} value, range A-B or value/mask list`));
      out.push({ kind: "num", field, items: list as { lo: number; hi: number }[], not: negated });
      continue;
    }
    const prefixes: Prefix[] = [];
    for (const x of items(value)) {
      const p = parsePrefix(x);
      if (!p.ok) return err(bad(x, bare ? "a PACKETS word or prefix" : "a prefix"));
      prefixes.push(p.value);
    }
    if (!prefixes.length) return err(bad(value, "a prefix"));
    out.push({ kind: w === "from" ? "src" : "dst", prefixes, not: negated });
  }
  return ok(out);
}

/** Recursive-descent parser of OUTCOME over words; `pos` advances. */
class OutcomeParser {
  pos = 0;
  constructor(private readonly w: readonly string[]) {}

  parse(): Result<OutcomeExpr> {
    try {
      const e = this.or();
      if (this.pos < this.w.length) throw bad(this.w[this.pos]!, "`and`, `or` or the end");
      return ok(e);
    } catch (e) {
      return err(e as Issue);
    }
  }

  private or(): OutcomeExpr {
    let a = this.and();
    while (this.w[this.pos] === "or") {
      this.pos++;
      a = { kind: "or", a, b: this.and() };
    }
    return a;
  }

  private and(): OutcomeExpr {
    let a = this.factor();
    while (this.w[this.pos] === "and") {
      this.pos++;
      a = { kind: "and", a, b: this.factor() };
    }
    return a;
  }

  private factor(): OutcomeExpr {
    const w = this.w[this.pos++];
    if (w === undefined) throw bad("", "an OUTCOME (dev, via, table, rule, delivered…)");
    if (w === "not") return { kind: "not", e: this.factor() };
    if (w === "(") {
      const e = this.or();
      if (this.w[this.pos++] !== ")") throw bad(this.w[this.pos - 1] ?? "", "`)`");
      return e;
    }
    if (w === "delivered" || w === "dropped" || w === "sent") return { kind: w };
    const arg = this.w[this.pos++];
    if (arg === undefined) throw bad(w, "an OUTCOME word with its value");
    if (w === "dev") return { kind: "dev", name: arg };
    if (w === "table") return { kind: "table", table: arg };
    if (w === "via") {
      const a = getAddr(arg);
      if (!a.ok) throw bad(arg, "an address");
      return { kind: "via", addr: a.value };
    }
    if (w === "rule" || w === "pref") {
      const n = Number(arg);
      if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw bad(arg, "a rule preference");
      return { kind: "rule", pref: n };
    }
    throw bad(w, "an OUTCOME word (dev, via, table, rule, delivered, dropped, sent)");
  }
}

/** Split words, keeping parentheses as words of their own. */
function tokens(text: string): string[] {
  return text
    .replace(/([()])/g, " $1 ")
    .split(/\s+/)
    .filter((x) => x);
}

/** `always: PACKETS -> OUTCOME` or `never: …`. */
export function parseAssertion(text: string): Result<Assertion> {
  const m = /^\s*(always|never)\s*:(.*)$/s.exec(text);
  if (!m) return err(bad(text.trim(), "an assertion `always|never: PACKETS -> OUTCOME`"));
  const arrow = m[2]!.indexOf("->");
  if (arrow < 0) return err(bad(text.trim(), "an assertion with `->` before its OUTCOME"));
  let words = tokens(m[2]!.slice(0, arrow));
  let reply: ReplyOf | undefined;
  if (/^reply-of:/.test(words[0] ?? "")) {
    const split = splitReplyWords([words[0]!.slice(9), ...words.slice(1)].filter((w) => w));
    if (!split.ok) return split;
    ({ reply, rest: words } = split.value);
  }
  const packets = parsePackets(words);
  if (!packets.ok) return packets;
  const outcome = new OutcomeParser(tokens(m[2]!.slice(arrow + 2))).parse();
  if (!outcome.ok) return outcome;
  const quantifier = m[1] as "always" | "never";
  const as = { quantifier, packets: packets.value, outcome: outcome.value, text: text.trim() };
  return ok(reply ? { ...as, reply } : as);
}
