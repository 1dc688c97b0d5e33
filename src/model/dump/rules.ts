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
import { addrFamily, type Loader, named, num, prefixOf, rejected, str } from "./loader.js";

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

/** What one object of `ip -j rule show` has read so far. */
interface RuleObj {
  ld: Loader;
  r: Rule;
  key: string;
  src?: { s: string; pos: number };
  dst?: { s: string; pos: number };
  srclen?: number;
  dstlen?: number;
  protoGiven: boolean;
  action?: RuleAction;
  detached: Set<string>;
}

/**
 * One object of `ip -j rule show` (iproute2 ip/iprule.c print_rule). Each key is read by
 * its entry in RULE_KEYS; the prefixes wait for their lengths, which may come after them.
 */
export function ruleFromJson(ld: Loader, o: Extract<JNode, { t: "obj" }>): RuleDraft {
  const pr = o.entries.find((e) => e.key === "priority")?.value;
  const r = baseRule(4, pr ? num(pr, "a priority 0..4294967295") : 0);
  const x: RuleObj = { ld, r, key: "", protoGiven: false, detached: new Set<string>() };
  for (const { key, keyPos, value } of o.entries) {
    const read = RULE_KEYS.get(key);
    if (!read)
      throw rejected(keyPos, key, "a key of `ip -j rule show`", `unsupported rule key "${key}"`);
    x.key = key;
    read(x, value);
  }
  let family: Family | undefined;
  const famOf = (s: string, pos: number) => {
    const f = addrFamily(s);
    if (!f) throw rejected(pos, s, "an IP address");
    if (family && f !== family) throw rejected(pos, s, `an IPv${family} address`);
    family = f;
    return f;
  };
  const { src, dst, srclen, dstlen, action, protoGiven, detached } = x;
  if (src !== undefined) {
    if (src.s === "0") r.src = { addr: { family: 4, v: 0 }, len: srclen ?? 0 };
    else r.src = prefixOf(src.s, srclen, famOf(src.s, src.pos), src.pos);
  }
  if (dst !== undefined) {
    if (dst.s === "0") r.dst = { addr: { family: 4, v: 0 }, len: dstlen ?? 0 };
    else r.dst = prefixOf(dst.s, dstlen, famOf(dst.s, dst.pos), dst.pos);
  }
  if (r.markSet && !r.maskSet) r.fwmask = 0xffffffff;
  if (action) r.action = action;
  attachLinks(ld, r, detached);
  finishRule(r, protoGiven);
  return { rule: r, family, line: ld.idx.at(o.pos).line };
}

/** `fwmark`/`fwmask`: a hex number as iproute2 prints it. */
function mark(value: JNode, what: string, expected: string): number {
  return named(value, what, (s) => getUnsignedMax(s, 0xffffffff), expected);
}

/** `flow_from`/`flow_to`: one half of `realms` (print_rta_realms; `cosmos` is 0). */
function realm({ r, key }: RuleObj, value: JNode): void {
  const v = named(value, "a realm", (s) => (s === "cosmos" ? 0 : getUnsignedMax(s, 0xffff)));
  const cur = r.realms ?? 0;
  r.realms =
    key === "flow_from" ? ((v << 16) | (cur & 0xffff)) >>> 0 : ((cur & 0xffff0000) | v) >>> 0;
}

/** `action`: the rule types without a key of their own. */
function ruleAction(x: RuleObj, value: JNode): void {
  const s = str(value, "blackhole, unreachable or prohibit");
  if (s !== "blackhole" && s !== "unreachable" && s !== "prohibit")
    throw rejected(value.pos, s, "blackhole, unreachable or prohibit (nat rules are not modelled)");
  x.action = s;
}

/** A port, or one end of a port range. */
const port = (value: JNode) => num(value, "a port", 65535);

type RuleKey = (x: RuleObj, value: JNode) => void;

/** Each key `ip -j rule show` prints, and its reader (one per key). */
const RULE_KEYS: ReadonlyMap<string, RuleKey> = new Map(
  Object.entries<RuleKey>({
    priority: () => {}, // read first: baseRule needs it
    not: ({ r }) => {
      r.invert = true;
    },
    src: (x, value) => {
      const s = str(value, '"all" or an address');
      if (s !== "all") x.src = { s, pos: value.pos };
    },
    srclen: (x, value) => {
      x.srclen = num(value, "a prefix length", 128);
    },
    dst: (x, value) => {
      x.dst = { s: str(value, "an address"), pos: value.pos };
    },
    dstlen: (x, value) => {
      x.dstlen = num(value, "a prefix length", 128);
    },
    tos: ({ r }, value) => {
      r.tos = named(value, "a dsfield", dsfieldA2n, "a dsfield value");
    },
    fwmark: ({ r }, value) => {
      r.fwmark = mark(value, "a hex mark", "a mark like 0x10");
      r.markSet = true;
    },
    fwmask: ({ r }, value) => {
      r.fwmask = mark(value, "a hex mask", "a mask like 0xff");
      r.maskSet = true;
    },
    iif: ({ r }, value) => {
      r.iifname = str(value, "an interface name");
    },
    oif: ({ r }, value) => {
      r.oifname = str(value, "an interface name");
    },
    iif_detached: ({ detached }) => {
      detached.add("iif");
    },
    oif_detached: ({ detached }) => {
      detached.add("oif");
    },
    unresolved: () => {}, // derived when printing
    l3mdev: ({ r }) => {
      r.l3mdev = true;
    },
    uid_start: ({ r }, value) => {
      r.uidRange = [num(value, "a uid"), r.uidRange?.[1] ?? 0];
    },
    uid_end: ({ r }, value) => {
      r.uidRange = [r.uidRange?.[0] ?? 0, num(value, "a uid")];
    },
    ipproto: ({ r }, value) => {
      r.ipproto = named(value, "a protocol name", ipprotoA2n, "an IP protocol");
    },
    sport: ({ r }, value) => {
      const p = port(value);
      r.sport = [p, p];
    },
    dport: ({ r }, value) => {
      const p = port(value);
      r.dport = [p, p];
    },
    sport_start: ({ r }, value) => {
      r.sport = [port(value), r.sport?.[1] ?? 0];
    },
    sport_end: ({ r }, value) => {
      r.sport = [r.sport?.[0] ?? 0, port(value)];
    },
    dport_start: ({ r }, value) => {
      r.dport = [port(value), r.dport?.[1] ?? 0];
    },
    dport_end: ({ r }, value) => {
      r.dport = [r.dport?.[0] ?? 0, port(value)];
    },
    tun_id: ({ r }, value) => {
      r.tunId = BigInt(num(value, "a tunnel id", Number.MAX_SAFE_INTEGER));
    },
    table: ({ ld, r }, value) => {
      r.table = ld.table(str(value, "a table"), value.pos);
    },
    suppress_prefixlen: ({ r }, value) => {
      r.suppressPrefixlen = num(value, "a prefix length", 128);
    },
    suppress_ifgroup: ({ r }, value) => {
      r.suppressIfgroup = named(value, "a group", groupA2n, "a group name or number");
    },
    flow_from: realm,
    flow_to: realm,
    goto: (x, value) => {
      x.action = "goto";
      if (value.t !== "str") x.r.gotoPref = num(value, "a rule preference");
    },
    nop: (x) => {
      x.action = "nop";
    },
    action: ruleAction,
    protocol: (x, value) => {
      x.r.protocol = named(value, "a protocol", rtprotA2n, "a route protocol name or number");
      x.protoGiven = true;
    },
  }),
);
