/**
 * Rule dumps: objects of `ip -j rule show` into rules, and committing a rule dump as the
 * RPDB of each family it holds (fib_default_rules_init's defaults recognised). The text
 * form is read by rules-text.ts.
 * @module
 */
import type { Family } from "../../addr/ip.js";
import type { JNode } from "../../parse/dump-json.js";
import { getUnsignedMax } from "../../addr/num.js";
import { dsfieldA2n, groupA2n, ipprotoA2n, rtprotA2n } from "../../parse/names.js";
import { baseRule } from "../host.js";
import type { Rule, RuleAction } from "../types.js";
import { addrFamily, type Loader, num, prefixOf, rejected, str } from "./loader.js";

/** A rule read from a dump; its family is known once an address is seen. */
export interface RuleDraft {
  rule: Rule;
  family?: Family;
  line: number;
}

const DEFAULT_RULES: ReadonlyArray<[number, number]> = [
  [0, 255],
  [32766, 254],
  [32767, 253],
];

function isPlainLookup(r: Rule): boolean {
  return (
    r.action === "lookup" &&
    !r.invert &&
    !r.src &&
    !r.dst &&
    !r.tos &&
    !r.fwmark &&
    !r.fwmask &&
    r.iifname === undefined &&
    r.oifname === undefined &&
    !r.uidRange &&
    !r.ipproto &&
    !r.sport &&
    !r.dport &&
    r.suppressPrefixlen === -1 &&
    r.suppressIfgroup === -1 &&
    !r.l3mdev &&
    r.tunId === undefined &&
    r.realms === undefined
  );
}

/** The default rules have `proto kernel`; older iproute2 does not print it. */
export function finishRule(r: Rule, protoGiven: boolean): void {
  if (!protoGiven)
    r.protocol =
      isPlainLookup(r) && DEFAULT_RULES.some(([p, t]) => p === r.pref && t === r.table) ? 2 : 0;
}

function isDefaultSet(rules: Rule[], family: Family): boolean {
  const want = family === 4 ? DEFAULT_RULES : DEFAULT_RULES.slice(0, 2);
  return (
    rules.length === want.length &&
    rules.every((r, i) => isPlainLookup(r) && r.pref === want[i]![0] && r.table === want[i]![1])
  );
}

/**
 * Replace the RPDB of each family the dump holds; a list whose preferences go down again
 * starts the next family (`ip rule show; ip -6 rule show`).
 */
export function commitRules(
  ld: Loader,
  segments: RuleDraft[][],
  hintFamily: Family | undefined,
): void {
  const byFam: Record<Family, Rule[] | undefined> = { 4: undefined, 6: undefined };
  segments.forEach((seg, si) => {
    if (!seg.length) return;
    const fams = new Set(seg.map((d) => d.family).filter((f): f is Family => f !== undefined));
    let fam: Family;
    if (fams.size > 1) {
      const bad = seg.find((d) => d.family !== undefined && d.family !== [...fams][0])!;
      ld.issues.push({
        code: "dump.mixed-family",
        message: "IPv4 and IPv6 rules in one list",
        loc: { file: ld.file, line: bad.line, col: 1 },
        token: String(bad.rule.pref),
        expected: "rules of one family per `ip rule show` output",
      });
      fam = [...fams][0]!;
    } else if (fams.size === 1) fam = [...fams][0]!;
    else if (segments.filter((s) => s.length).length >= 2) fam = si === 0 ? 4 : 6;
    else fam = hintFamily ?? 4;
    const list = (byFam[fam] ??= []);
    for (const d of seg) {
      if (d.family !== undefined && d.family !== fam) continue;
      d.rule.family = fam;
      d.rule.seq = ld.state.seq++;
      list.push(d.rule);
    }
  });
  for (const f of [4, 6] as const) {
    const list = byFam[f];
    if (!list) continue;
    list.sort((a, b) => a.pref - b.pref);
    if (f === 4) {
      ld.state.rules4 = list;
      if (!isDefaultSet(list, 4)) ld.state.v4CustomRules = true;
    } else {
      ld.state.rules6 = list;
      if (!isDefaultSet(list, 6)) ld.state.v6CustomRules = true;
    }
  }
}

/** iif/oif devices a rule shows without `[detached]` exist: synthesize them when absent. */
export function attachLinks(ld: Loader, r: Rule, detached: Set<string>): void {
  if (r.iifname !== undefined && !detached.has("iif")) ld.link(r.iifname);
  if (r.oifname !== undefined && !detached.has("oif")) ld.link(r.oifname);
}

/**
 * One object of `ip -j rule show` (iproute2 ip/iprule.c print_rule). One switch over the
 * keys iproute2 prints, one case per key: longer than 80 lines because the key list is.
 */
export function ruleFromJson(ld: Loader, o: Extract<JNode, { t: "obj" }>): RuleDraft {
  const get = (k: string) => o.entries.find((e) => e.key === k)?.value;
  const pr = get("priority");
  const r = baseRule(4, pr ? num(pr, "a priority 0..4294967295") : 0);
  let family: Family | undefined;
  const famOf = (s: string, pos: number) => {
    const f = addrFamily(s);
    if (!f) throw rejected(pos, s, "an IP address");
    if (family && f !== family) throw rejected(pos, s, `an IPv${family} address`);
    family = f;
    return f;
  };
  let src: string | undefined,
    dst: string | undefined,
    srcPos = 0,
    dstPos = 0;
  let srclen: number | undefined, dstlen: number | undefined;
  let protoGiven = false,
    action: RuleAction | undefined;
  const detached = new Set<string>();
  for (const { key, keyPos, value } of o.entries) {
    switch (key) {
      case "priority":
        break;
      case "not":
        r.invert = true;
        break;
      case "src": {
        const s = str(value, '"all" or an address');
        if (s !== "all") {
          src = s;
          srcPos = value.pos;
        }
        break;
      }
      case "srclen":
        srclen = num(value, "a prefix length", 128);
        break;
      case "dst":
        dst = str(value, "an address");
        dstPos = value.pos;
        break;
      case "dstlen":
        dstlen = num(value, "a prefix length", 128);
        break;
      case "tos": {
        const s = str(value, "a dsfield");
        const t = dsfieldA2n(s);
        if (t === undefined) throw rejected(value.pos, s, "a dsfield value");
        r.tos = t;
        break;
      }
      case "fwmark": {
        const s = str(value, "a hex mark");
        const m = getUnsignedMax(s, 0xffffffff);
        if (m === undefined) throw rejected(value.pos, s, "a mark like 0x10");
        r.fwmark = m;
        r.markSet = true;
        break;
      }
      case "fwmask": {
        const s = str(value, "a hex mask");
        const m = getUnsignedMax(s, 0xffffffff);
        if (m === undefined) throw rejected(value.pos, s, "a mask like 0xff");
        r.fwmask = m;
        r.maskSet = true;
        break;
      }
      case "iif":
        r.iifname = str(value, "an interface name");
        break;
      case "oif":
        r.oifname = str(value, "an interface name");
        break;
      case "iif_detached":
        detached.add("iif");
        break;
      case "oif_detached":
        detached.add("oif");
        break;
      case "unresolved":
        break; // derived when printing
      case "l3mdev":
        r.l3mdev = true;
        break;
      case "uid_start":
        r.uidRange = [num(value, "a uid"), r.uidRange?.[1] ?? 0];
        break;
      case "uid_end":
        r.uidRange = [r.uidRange?.[0] ?? 0, num(value, "a uid")];
        break;
      case "ipproto": {
        const s = str(value, "a protocol name");
        const p = ipprotoA2n(s);
        if (p === undefined) throw rejected(value.pos, s, "an IP protocol");
        r.ipproto = p;
        break;
      }
      case "sport": {
        const p = num(value, "a port", 65535);
        r.sport = [p, p];
        break;
      }
      case "dport": {
        const p = num(value, "a port", 65535);
        r.dport = [p, p];
        break;
      }
      case "sport_start":
        r.sport = [num(value, "a port", 65535), r.sport?.[1] ?? 0];
        break;
      case "sport_end":
        r.sport = [r.sport?.[0] ?? 0, num(value, "a port", 65535)];
        break;
      case "dport_start":
        r.dport = [num(value, "a port", 65535), r.dport?.[1] ?? 0];
        break;
      case "dport_end":
        r.dport = [r.dport?.[0] ?? 0, num(value, "a port", 65535)];
        break;
      case "tun_id":
        r.tunId = BigInt(num(value, "a tunnel id", Number.MAX_SAFE_INTEGER));
        break;
      case "table": {
        const s = str(value, "a table");
        r.table = ld.table(s, value.pos);
        break;
      }
      case "suppress_prefixlen":
        r.suppressPrefixlen = num(value, "a prefix length", 128);
        break;
      case "suppress_ifgroup": {
        const s = str(value, "a group");
        const g = groupA2n(s);
        if (g === undefined) throw rejected(value.pos, s, "a group name or number");
        r.suppressIfgroup = g;
        break;
      }
      case "flow_from":
      case "flow_to": {
        const s = str(value, "a realm");
        const v = s === "cosmos" ? 0 : getUnsignedMax(s, 0xffff);
        if (v === undefined) throw rejected(value.pos, s, "a realm");
        const cur = r.realms ?? 0;
        r.realms =
          key === "flow_from" ? ((v << 16) | (cur & 0xffff)) >>> 0 : ((cur & 0xffff0000) | v) >>> 0;
        break;
      }
      case "goto":
        action = "goto";
        if (value.t !== "str") r.gotoPref = num(value, "a rule preference");
        break;
      case "nop":
        action = "nop";
        break;
      case "action": {
        const s = str(value, "blackhole, unreachable or prohibit");
        if (s !== "blackhole" && s !== "unreachable" && s !== "prohibit")
          throw rejected(
            value.pos,
            s,
            "blackhole, unreachable or prohibit (nat rules are not modelled)",
          );
        action = s;
        break;
      }
      case "protocol": {
        const s = str(value, "a protocol");
        const p = rtprotA2n(s);
        if (p === undefined) throw rejected(value.pos, s, "a route protocol name or number");
        r.protocol = p;
        protoGiven = true;
        break;
      }
      default:
        throw rejected(keyPos, key, "a key of `ip -j rule show`", `unsupported rule key "${key}"`);
    }
  }
  if (src !== undefined) {
    if (src === "0") r.src = { addr: { family: 4, v: 0 }, len: srclen ?? 0 };
    else r.src = prefixOf(src, srclen, famOf(src, srcPos), srcPos);
  }
  if (dst !== undefined) {
    if (dst === "0") r.dst = { addr: { family: 4, v: 0 }, len: dstlen ?? 0 };
    else r.dst = prefixOf(dst, dstlen, famOf(dst, dstPos), dstPos);
  }
  if (r.markSet && !r.maskSet) r.fwmask = 0xffffffff;
  if (action) r.action = action;
  attachLinks(ld, r, detached);
  finishRule(r, protoGiven);
  return { rule: r, family, line: ld.idx.at(o.pos).line };
}
