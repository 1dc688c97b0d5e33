/**
 * Rule dumps as text: one line of `ip rule show` into a rule.
 * @module
 */
import { parsePrefix, type Family, type Prefix } from "../../addr/ip.js";
import { getUnsignedMax } from "../../addr/num.js";
import { dsfieldA2n, groupA2n, ipprotoA2n, rtprotA2n } from "../../parse/names.js";
import { baseRule } from "../host.js";
import type { Rule } from "../types.js";
import { addrFamily, type Loader, rejected } from "./loader.js";
import { attachLinks, finishRule, type RuleDraft } from "./rules.js";
import type { Cursor, Tok } from "./tokens.js";

/** What one line of `ip rule show` has read so far. */
interface RuleLine {
  ld: Loader;
  c: Cursor;
  r: Rule;
  family: Family | undefined;
  protoGiven: boolean;
  /** The interface selectors that printed `[detached]`. */
  detached: Set<string>;
  /** The interface selector just read, which a `[detached]` after it refers to. */
  last: string | undefined;
}

/**
 * One line of `ip rule show` (iproute2 ip/iprule.c print_rule): the preference, `not`,
 * `from`, then the selectors and the action, each read by its entry in SELECTORS.
 */
export function ruleFromText(ld: Loader, c: Cursor, line: number): RuleDraft {
  const p = c.next("a preference like `100:`");
  const pm = /^(\d+):$/.exec(p.s);
  if (!pm || Number(pm[1]) > 0xffffffff) throw rejected(p.pos, p.s, "a preference like `100:`");
  const x: RuleLine = {
    ld,
    c,
    r: baseRule(4, Number(pm[1])),
    family: undefined,
    protoGiven: false,
    detached: new Set<string>(),
    last: undefined,
  };
  if (c.peek()?.s === "not") {
    c.i++;
    x.r.invert = true;
  }
  const f = c.next("`from`");
  if (f.s !== "from") throw rejected(f.pos, f.s, "`from`");
  const src = c.next("`all` or a prefix");
  if (src.s !== "all") x.r.src = prefix(x, src);
  while (!c.done()) {
    const t = c.next("a selector");
    if (t.s !== "[detached]") x.last = undefined;
    const read = SELECTORS.get(t.s);
    if (!read)
      throw rejected(t.pos, t.s, "a rule selector or action as `ip rule show` prints them");
    read(x, t);
  }
  const r = x.r;
  if (!r.markSet) {
    r.fwmark = 0;
    r.fwmask = 0;
  }
  attachLinks(ld, r, x.detached);
  finishRule(r, x.protoGiven);
  return { rule: r, family: x.family, line };
}

/** A prefix of the line; the first address fixes the family, a bare `0` takes it. */
function prefix(x: RuleLine, t: Tok): Prefix {
  const slash = t.s.indexOf("/");
  const a = slash >= 0 ? t.s.slice(0, slash) : t.s;
  const f = addrFamily(a) ?? (a === "0" ? (x.family ?? 4) : undefined);
  if (!f) throw rejected(t.pos, t.s, "an address or prefix");
  if (x.family && f !== x.family) throw rejected(t.pos, t.s, `an IPv${x.family} prefix`);
  if (a !== "0") x.family = f;
  const res = parsePrefix(a === "0" ? (f === 4 ? "0.0.0.0" : "::") + t.s.slice(slash) : t.s, f);
  if (!res.ok) throw rejected(t.pos, t.s, res.expected);
  return res.value;
}

/** `A` or `A-B`, each at most `max`. */
function range(t: Tok, what: string, max: number): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(t.s);
  if (!m || Number(m[1]) > max || Number(m[2] ?? m[1]) > max) throw rejected(t.pos, t.s, what);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

/** `fwmark MARK[/MASK]`. */
function fwmark({ c, r }: RuleLine): void {
  const v = c.next("MARK[/MASK]");
  const [ms, ks] = v.s.split("/");
  const m = getUnsignedMax(ms!, 0xffffffff),
    k = ks === undefined ? 0xffffffff : getUnsignedMax(ks, 0xffffffff);
  if (m === undefined || k === undefined) throw rejected(v.pos, v.s, "MARK[/MASK] in hex");
  r.fwmark = m;
  r.fwmask = k;
  r.markSet = true;
  r.maskSet = ks !== undefined;
}

/** `iif NAME` / `oif NAME`, remembered for a `[detached]` after it. */
function ifname(x: RuleLine, t: Tok): void {
  const name = x.c.next("an interface name").s;
  if (t.s === "iif") x.r.iifname = name;
  else x.r.oifname = name;
  x.last = t.s;
}

/** `lookup TABLE`, or `[l3mdev-table]`. */
function table({ ld, c, r }: RuleLine): void {
  const v = c.next("a table");
  if (v.s === "[l3mdev-table]") r.l3mdev = true;
  else r.table = ld.table(v.s, v.pos);
}

/** `tun_id N` (a 64-bit id). */
function tunId({ c, r }: RuleLine): void {
  const v = c.next("a tunnel id");
  if (!/^\d+$/.test(v.s)) throw rejected(v.pos, v.s, "a tunnel id");
  r.tunId = BigInt(v.s);
}

/** `realms [FROM/]TO` (iproute2 print_rta_realms; `cosmos` is 0). */
function realms({ c, r }: RuleLine): void {
  const v = c.next("[FROM/]TO");
  const parts = v.s.split("/").map((x) => (x === "cosmos" ? 0 : getUnsignedMax(x, 0xffff)));
  if (parts.some((x) => x === undefined) || parts.length > 2)
    throw rejected(v.pos, v.s, "realms [FROM/]TO");
  r.realms = parts.length === 2 ? ((parts[0]! << 16) | parts[1]!) >>> 0 : parts[0]!;
}

/** `goto PREF`, or `goto none` when the target is gone. */
function gotoPref({ c, r }: RuleLine): void {
  const v = c.next("a preference");
  const n = getUnsignedMax(v.s, 0xffffffff);
  r.action = "goto";
  if (n !== undefined) r.gotoPref = n;
  else if (v.s !== "none") throw rejected(v.pos, v.s, "a rule preference");
}

/** `blackhole`, `unreachable`, `prohibit`. */
function action({ r }: RuleLine, t: Tok): void {
  r.action = t.s as "blackhole" | "unreachable" | "prohibit";
}

/** `tos`/`dsfield VALUE`. */
function tos({ c, r }: RuleLine): void {
  r.tos = c.value("a dsfield", dsfieldA2n, "a dsfield value");
}

type Selector = (x: RuleLine, t: Tok) => void;

/** Each selector and action `ip rule show` prints, and its reader (one per keyword). */
const SELECTORS: ReadonlyMap<string, Selector> = new Map(
  Object.entries<Selector>({
    to: (x) => {
      x.r.dst = prefix(x, x.c.next("a prefix"));
    },
    tos,
    dsfield: tos,
    fwmark,
    iif: ifname,
    oif: ifname,
    "[detached]": (x) => {
      if (x.last) x.detached.add(x.last);
    },
    "[unresolved]": () => {},
    lookup: table,
    table,
    uidrange: ({ c, r }) => {
      r.uidRange = range(c.next("A-B"), "a uid range A-B", 0xffffffff);
    },
    ipproto: ({ c, r }) => {
      r.ipproto = c.value("a protocol", ipprotoA2n, "an IP protocol");
    },
    sport: ({ c, r }) => {
      r.sport = range(c.next("a port"), "a port or range", 65535);
    },
    dport: ({ c, r }) => {
      r.dport = range(c.next("a port"), "a port or range", 65535);
    },
    tun_id: tunId,
    suppress_prefixlength: ({ c, r }) => {
      r.suppressPrefixlen = c.value("a length", (s) => getUnsignedMax(s, 128), "a prefix length");
    },
    suppress_ifgroup: ({ c, r }) => {
      r.suppressIfgroup = c.value("a group", groupA2n);
    },
    realms,
    goto: gotoPref,
    nop: ({ r }) => {
      r.action = "nop";
    },
    blackhole: action,
    unreachable: action,
    prohibit: action,
    proto: (x) => {
      x.r.protocol = x.c.value("a protocol", rtprotA2n, "a route protocol");
      x.protoGiven = true;
    },
  }),
);
