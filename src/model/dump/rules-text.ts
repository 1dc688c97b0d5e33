/**
 * Rule dumps as text: one line of `ip rule show` into a rule.
 * @module
 */
import { parsePrefix, type Family, type Prefix } from "../../addr/ip.js";
import { getUnsignedMax } from "../../addr/num.js";
import { dsfieldA2n, groupA2n, ipprotoA2n, rtprotA2n } from "../../parse/names.js";
import { baseRule } from "../host.js";
import { addrFamily, type Loader, rejected } from "./loader.js";
import { attachLinks, finishRule, type RuleDraft } from "./rules.js";
import type { Cursor, Tok } from "./tokens.js";

/**
 * One line of `ip rule show` (iproute2 ip/iprule.c print_rule). One switch over the
 * selectors iproute2 prints, one case per selector: longer than 80 lines because the list is.
 */
export function ruleFromText(ld: Loader, c: Cursor, line: number): RuleDraft {
  const p = c.next("a preference like `100:`");
  const pm = /^(\d+):$/.exec(p.s);
  if (!pm || Number(pm[1]) > 0xffffffff) throw rejected(p.pos, p.s, "a preference like `100:`");
  const r = baseRule(4, Number(pm[1]));
  let family: Family | undefined,
    protoGiven = false;
  const pfx = (t: Tok): Prefix => {
    const slash = t.s.indexOf("/");
    const a = slash >= 0 ? t.s.slice(0, slash) : t.s;
    const f = addrFamily(a) ?? (a === "0" ? (family ?? 4) : undefined);
    if (!f) throw rejected(t.pos, t.s, "an address or prefix");
    if (family && f !== family) throw rejected(t.pos, t.s, `an IPv${family} prefix`);
    if (a !== "0") family = f;
    const res = parsePrefix(a === "0" ? (f === 4 ? "0.0.0.0" : "::") + t.s.slice(slash) : t.s, f);
    if (!res.ok) throw rejected(t.pos, t.s, res.expected);
    return res.value;
  };
  const range = (t: Tok, what: string, max: number): [number, number] => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(t.s);
    if (!m || Number(m[1]) > max || Number(m[2] ?? m[1]) > max) throw rejected(t.pos, t.s, what);
    return [Number(m[1]), Number(m[2] ?? m[1])];
  };
  if (c.peek()?.s === "not") {
    c.i++;
    r.invert = true;
  }
  const f = c.next("`from`");
  if (f.s !== "from") throw rejected(f.pos, f.s, "`from`");
  const src = c.next("`all` or a prefix");
  if (src.s !== "all") r.src = pfx(src);
  const detached = new Set<string>();
  let last: string | undefined;
  while (!c.done()) {
    const t = c.next("a selector");
    if (t.s !== "[detached]") last = undefined;
    switch (t.s) {
      case "to":
        r.dst = pfx(c.next("a prefix"));
        break;
      case "tos":
      case "dsfield": {
        const v = c.next("a dsfield");
        const n = dsfieldA2n(v.s);
        if (n === undefined) throw rejected(v.pos, v.s, "a dsfield value");
        r.tos = n;
        break;
      }
      case "fwmark": {
        const v = c.next("MARK[/MASK]");
        const [ms, ks] = v.s.split("/");
        const m = getUnsignedMax(ms!, 0xffffffff),
          k = ks === undefined ? 0xffffffff : getUnsignedMax(ks, 0xffffffff);
        if (m === undefined || k === undefined) throw rejected(v.pos, v.s, "MARK[/MASK] in hex");
        r.fwmark = m;
        r.fwmask = k;
        r.markSet = true;
        r.maskSet = ks !== undefined;
        break;
      }
      case "iif":
        r.iifname = c.next("an interface name").s;
        last = "iif";
        break;
      case "oif":
        r.oifname = c.next("an interface name").s;
        last = "oif";
        break;
      case "[detached]":
        if (last) detached.add(last);
        break;
      case "[unresolved]":
        break;
      case "lookup":
      case "table": {
        const v = c.next("a table");
        if (v.s === "[l3mdev-table]") r.l3mdev = true;
        else r.table = ld.table(v.s, v.pos);
        break;
      }
      case "uidrange": {
        const v = c.next("A-B");
        r.uidRange = range(v, "a uid range A-B", 0xffffffff);
        break;
      }
      case "ipproto": {
        const v = c.next("a protocol");
        const n = ipprotoA2n(v.s);
        if (n === undefined) throw rejected(v.pos, v.s, "an IP protocol");
        r.ipproto = n;
        break;
      }
      case "sport":
        r.sport = range(c.next("a port"), "a port or range", 65535);
        break;
      case "dport":
        r.dport = range(c.next("a port"), "a port or range", 65535);
        break;
      case "tun_id": {
        const v = c.next("a tunnel id");
        if (!/^\d+$/.test(v.s)) throw rejected(v.pos, v.s, "a tunnel id");
        r.tunId = BigInt(v.s);
        break;
      }
      case "suppress_prefixlength": {
        const v = c.next("a length");
        const n = getUnsignedMax(v.s, 128);
        if (n === undefined) throw rejected(v.pos, v.s, "a prefix length");
        r.suppressPrefixlen = n;
        break;
      }
      case "suppress_ifgroup": {
        const v = c.next("a group");
        const n = groupA2n(v.s);
        if (n === undefined) throw rejected(v.pos, v.s, "a group");
        r.suppressIfgroup = n;
        break;
      }
      case "realms": {
        const v = c.next("[FROM/]TO");
        const parts = v.s.split("/").map((x) => (x === "cosmos" ? 0 : getUnsignedMax(x, 0xffff)));
        if (parts.some((x) => x === undefined) || parts.length > 2)
          throw rejected(v.pos, v.s, "realms [FROM/]TO");
        r.realms = parts.length === 2 ? ((parts[0]! << 16) | parts[1]!) >>> 0 : parts[0]!;
        break;
      }
      case "goto": {
        const v = c.next("a preference");
        const n = getUnsignedMax(v.s, 0xffffffff);
        r.action = "goto";
        if (n !== undefined) r.gotoPref = n;
        else if (v.s !== "none") throw rejected(v.pos, v.s, "a rule preference");
        break;
      }
      case "nop":
        r.action = "nop";
        break;
      case "blackhole":
      case "unreachable":
      case "prohibit":
        r.action = t.s;
        break;
      case "proto": {
        const v = c.next("a protocol");
        const n = rtprotA2n(v.s);
        if (n === undefined) throw rejected(v.pos, v.s, "a route protocol");
        r.protocol = n;
        protoGiven = true;
        break;
      }
      default:
        throw rejected(t.pos, t.s, "a rule selector or action as `ip rule show` prints them");
    }
  }
  if (!r.markSet) {
    r.fwmark = 0;
    r.fwmask = 0;
  }
  attachLinks(ld, r, detached);
  finishRule(r, protoGiven);
  return { rule: r, family, line };
}
