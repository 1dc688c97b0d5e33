/**
 * Loading what users paste — `ip -j link|addr|rule|route show` output, the plain text of
 * `ip rule show` / `ip route show table all`, and `sysctl -a` lines — into a HostState.
 *
 * A dump IS deployed kernel state: routes the kernel generated (local/broadcast/prefix
 * routes, IPv6 `multicast ff00::/8`) are in it and are loaded as they are; nothing is
 * synthesized except links that are referenced by name but absent from the dumps
 * (veth-like, up, with carrier unless every reference says `linkdown`).
 *
 * Replacement rules (a dump of a kind is complete for what it covers): a rule dump replaces
 * the RPDB of each family it contains; a route dump replaces the routes of each
 * (family, table) it contains; an addr dump replaces the addresses of each link it lists;
 * a link dump updates links by name (keeping the dump's ifindex, renumbering earlier
 * synthesized links if needed).
 *
 * Every rejected line or entry gives an Issue `{code, message, loc: {file, line, col}, token,
 * expected}`; nothing is skipped silently. Fields the model does not keep are dropped
 * without an issue: link statistics/altnames/qdisc/operstate details (derived when printing),
 * address lifetimes (the model keeps `forever`), route metrics' `lock` in JSON dumps
 * (iproute2 does not print it in JSON), `expires` of RA routes, hardware offload flags.
 *
 * @example
 * ```ts
 * const h = createHostState();
 * const issues = loadDump(h, execSync("ip -j rule show").toString(), "rules.json");
 * ```
 * @module
 */
import type { IssueCode } from "../core/issue.js";
import type { Addr, Family, Prefix } from "../addr/ip.js";
import { parseAddr, parsePrefix } from "../addr/ip.js";
import { baseRule } from "./host.js";
import { sharedNexthops } from "./fib-index.js";
import type {
  HostState,
  IfAddr,
  Issue,
  Link,
  LinkKind,
  Nexthop,
  Route,
  RouteType,
  Rule,
  RuleAction,
} from "./types.js";
import { RTN } from "./types.js";
import {
  dsfieldA2n,
  groupA2n,
  ipprotoA2n,
  METRIC_INDEX,
  parseNum,
  rtprotA2n,
  rtscopeA2n,
  tableA2n,
} from "../parse/names.js";
import { ignoreLinkdown } from "./sysctl.js";
import type { JNode } from "../parse/dump-json.js";
import { JsonSyntaxError, LineIndex, parseJsonValues } from "../parse/dump-json.js";

export type DumpFormat =
  | "ip-json-link"
  | "ip-json-addr"
  | "ip-json-rule"
  | "ip-json-route"
  | "ip-rule-text"
  | "ip-route-text"
  | "sysctl";

export interface DumpHint {
  /** Family for rule dumps whose rules carry no address (`ip -j -6 rule show` of defaults). Default 4. */
  family?: Family;
  /** Skip detection. */
  format?: DumpFormat;
}

export const ROUTE_TYPES = new Set(Object.keys(RTN).filter((t) => t !== "unspec"));
/** `[Deleted ][TYPE ]default|PREFIX ...` */
function isRouteLine(t: string): boolean {
  const w = t.split(/\s+/);
  let i = 0;
  if (w[i] === "Deleted") i++;
  if (w[i] !== undefined && ROUTE_TYPES.has(w[i]!)) i++;
  const d = w[i];
  return d === "default" || (d !== undefined && parsePrefix(d).ok);
}

function firstLine(text: string): string | undefined {
  for (const l of text.split("\n")) if (l.trim() !== "" && !l.trim().startsWith("#")) return l;
  return undefined;
}

function jsonFormat(nodes: JNode[]): DumpFormat | undefined {
  for (const n of nodes) {
    if (n.t !== "arr") return undefined;
    const o = n.items[0];
    if (!o) continue;
    if (o.t !== "obj") return undefined;
    const keys = new Set(o.entries.map((e) => e.key));
    if (keys.has("priority")) return "ip-json-rule";
    if (keys.has("addr_info")) return "ip-json-addr";
    if (keys.has("ifname")) return "ip-json-link";
    if (keys.has("dst")) return "ip-json-route";
    return undefined;
  }
  return undefined;
}

/**
 * Which dump this is, from its content.
 * @example detectDumpFormat("0:\tfrom all lookup local\n") // "ip-rule-text"
 */
export function detectDumpFormat(text: string): DumpFormat | undefined {
  const l = firstLine(text);
  if (l === undefined) return undefined;
  const t = l.trim();
  if (t.startsWith("[") || t.startsWith("{")) {
    try {
      return jsonFormat(parseJsonValues(text));
    } catch {
      return undefined;
    }
  }
  if (/^\d+:\s+(not\s+)?from\s/.test(t)) return "ip-rule-text";
  if (/^[A-Za-z0-9_][\w.\-/]*\s*=/.test(t) && t.includes(".")) return "sysctl";
  if (isRouteLine(t)) return "ip-route-text";
  return undefined;
}

/** A rejected dump entry: position in the text, the token, what was expected. */
export class Rejected extends Error {
  constructor(
    readonly pos: number,
    readonly token: string,
    readonly expected: string,
    message?: string,
  ) {
    super(message ?? `expected ${expected}`);
  }
}

/** Where loaded things are collected before being committed to the state. */
export class Loader {
  readonly issues: Issue[] = [];
  /** Text positions to line/column (the streaming loaders swap in their own mapping). */
  idx: { at(pos: number): { line: number; col: number } };
  /** Links synthesized by this load: name -> whether every reference said linkdown. */
  private synth = new Map<string, boolean>();
  /** Set while loading routes (references imply an up device). */
  routeRefs = false;
  constructor(
    readonly state: HostState,
    readonly text: string,
    readonly file: string,
  ) {
    this.idx = new LineIndex(text);
  }

  reject(e: Rejected, code: IssueCode = "dump.rejected"): void {
    const { line, col } = this.idx.at(e.pos);
    this.issues.push({
      code,
      message: e.message,
      loc: { file: this.file, line, col },
      token: e.token,
      expected: e.expected,
    });
  }

  /** ifindex of a link by name, synthesizing a veth-like link when absent. */
  /**
   * `linkdown`: whether the reference carried the flag, or null when the kernel never flags
   * such a reference (host-scope IPv4, IPv6 local/anycast/reject, rules).
   */
  link(name: string, linkdown: boolean | null = null, dead = false): number {
    const l = this.state.links.find((x) => x.name === name);
    if (l) {
      if (this.synth.has(name) && linkdown !== null) {
        const allDown = this.synth.get(name)! && linkdown;
        this.synth.set(name, allDown);
        l.carrier = !allDown;
      } else if (!l.up && !dead && linkdown !== null && this.routeRefs) {
        // Routes through an admin-down device do not exist: the device is up (e.g. lo of a fresh state).
        l.up = true;
        l.carrier = !linkdown;
      }
      return l.ifindex;
    }
    const ifindex = this.freeIndex();
    this.state.links.push({
      ifindex,
      name,
      kind: "veth",
      mac: synthMac(ifindex),
      mtu: 1500,
      up: true,
      carrier: linkdown !== true,
      group: 0,
      txqlen: 1000,
    });
    this.synth.set(name, linkdown !== false);
    return ifindex;
  }

  freeIndex(): number {
    let i = Math.max(this.state.nextIfindex, 2);
    while (this.state.links.some((l) => l.ifindex === i)) i++;
    this.state.nextIfindex = i + 1;
    return i;
  }

  table(s: string, pos: number): number {
    const t = tableA2n(this.state.tableNames, s);
    if (t === undefined)
      throw new Rejected(
        pos,
        s,
        "a table id or a name known to the host (fill state.tableNames from rt_tables first)",
        `unknown table "${s}"`,
      );
    return t;
  }
}

function synthMac(ifindex: number): string {
  return `02:00:00:00:${((ifindex >> 8) & 255).toString(16).padStart(2, "0")}:${(ifindex & 255).toString(16).padStart(2, "0")}`;
}

function prefixOf(
  s: string,
  len: number | undefined,
  family: Family | undefined,
  pos: number,
): Prefix {
  const a = parseAddr(s, family);
  if (!a.ok) throw new Rejected(pos, s, a.expected);
  return { addr: a.value, len: len ?? (a.value.family === 4 ? 32 : 128) };
}

function addrFamily(s: string): Family | undefined {
  return s.includes(":") ? 6 : /^\d+\.\d+\.\d+\.\d+$/.test(s) ? 4 : undefined;
}

// ---------------------------------------------------------------------------------------
// Rules

interface RuleDraft {
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

function finishRule(r: Rule, protoGiven: boolean): void {
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

function commitRules(ld: Loader, segments: RuleDraft[][], hintFamily: Family | undefined): void {
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

function str(n: JNode, what: string): string {
  if (n.t !== "str") throw new Rejected(n.pos, tokenOf(n), what);
  return n.v;
}
function num(n: JNode, what: string, max = 0xffffffff): number {
  if (n.t !== "num" || !Number.isInteger(n.v) || n.v < 0 || n.v > max)
    throw new Rejected(n.pos, tokenOf(n), what);
  return n.v;
}
export function tokenOf(n: JNode): string {
  switch (n.t) {
    case "str":
      return JSON.stringify(n.v);
    case "num":
      return n.raw;
    case "bool":
      return String(n.v);
    case "null":
      return "null";
    case "obj":
      return "{";
    case "arr":
      return "[";
  }
}

/** iif/oif devices a rule shows without `[detached]` exist: synthesize them when absent. */
function attachLinks(ld: Loader, r: Rule, detached: Set<string>): void {
  if (r.iifname !== undefined && !detached.has("iif")) ld.link(r.iifname);
  if (r.oifname !== undefined && !detached.has("oif")) ld.link(r.oifname);
}

function ruleFromJson(ld: Loader, o: Extract<JNode, { t: "obj" }>): RuleDraft {
  const get = (k: string) => o.entries.find((e) => e.key === k)?.value;
  const pr = get("priority");
  const r = baseRule(4, pr ? num(pr, "a priority 0..4294967295") : 0);
  let family: Family | undefined;
  const famOf = (s: string, pos: number) => {
    const f = addrFamily(s);
    if (!f) throw new Rejected(pos, s, "an IP address");
    if (family && f !== family) throw new Rejected(pos, s, `an IPv${family} address`);
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
        if (t === undefined) throw new Rejected(value.pos, s, "a dsfield value");
        r.tos = t;
        break;
      }
      case "fwmark": {
        const s = str(value, "a hex mark");
        const m = parseNum(s, 0xffffffff);
        if (m === undefined) throw new Rejected(value.pos, s, "a mark like 0x10");
        r.fwmark = m;
        r.markSet = true;
        break;
      }
      case "fwmask": {
        const s = str(value, "a hex mask");
        const m = parseNum(s, 0xffffffff);
        if (m === undefined) throw new Rejected(value.pos, s, "a mask like 0xff");
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
        if (p === undefined) throw new Rejected(value.pos, s, "an IP protocol");
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
        if (g === undefined) throw new Rejected(value.pos, s, "a group name or number");
        r.suppressIfgroup = g;
        break;
      }
      case "flow_from":
      case "flow_to": {
        const s = str(value, "a realm");
        const v = s === "cosmos" ? 0 : parseNum(s, 0xffff);
        if (v === undefined) throw new Rejected(value.pos, s, "a realm");
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
          throw new Rejected(
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
        if (p === undefined) throw new Rejected(value.pos, s, "a route protocol name or number");
        r.protocol = p;
        protoGiven = true;
        break;
      }
      default:
        throw new Rejected(
          keyPos,
          key,
          "a key of `ip -j rule show`",
          `unsupported rule key "${key}"`,
        );
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

// ---------------------------------------------------------------------------------------
// Tokenized text lines

export interface Tok {
  s: string;
  pos: number;
}

export function tokenize(line: string, base: number): Tok[] {
  const out: Tok[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push({ s: m[0], pos: base + m.index });
  return out;
}

export class Cursor {
  i = 0;
  constructor(
    readonly toks: Tok[],
    readonly endPos: number,
  ) {}
  peek(): Tok | undefined {
    return this.toks[this.i];
  }
  next(expected: string): Tok {
    const t = this.toks[this.i];
    if (!t) throw new Rejected(this.endPos, "end of line", expected);
    this.i++;
    return t;
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }
}

function ruleFromText(ld: Loader, c: Cursor, line: number): RuleDraft {
  const p = c.next("a preference like `100:`");
  const pm = /^(\d+):$/.exec(p.s);
  if (!pm || Number(pm[1]) > 0xffffffff) throw new Rejected(p.pos, p.s, "a preference like `100:`");
  const r = baseRule(4, Number(pm[1]));
  let family: Family | undefined,
    protoGiven = false;
  const pfx = (t: Tok): Prefix => {
    const slash = t.s.indexOf("/");
    const a = slash >= 0 ? t.s.slice(0, slash) : t.s;
    const f = addrFamily(a) ?? (a === "0" ? (family ?? 4) : undefined);
    if (!f) throw new Rejected(t.pos, t.s, "an address or prefix");
    if (family && f !== family) throw new Rejected(t.pos, t.s, `an IPv${family} prefix`);
    if (a !== "0") family = f;
    const res = parsePrefix(a === "0" ? (f === 4 ? "0.0.0.0" : "::") + t.s.slice(slash) : t.s, f);
    if (!res.ok) throw new Rejected(t.pos, t.s, res.expected);
    return res.value;
  };
  const range = (t: Tok, what: string, max: number): [number, number] => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(t.s);
    if (!m || Number(m[1]) > max || Number(m[2] ?? m[1]) > max)
      throw new Rejected(t.pos, t.s, what);
    return [Number(m[1]), Number(m[2] ?? m[1])];
  };
  if (c.peek()?.s === "not") {
    c.i++;
    r.invert = true;
  }
  const f = c.next("`from`");
  if (f.s !== "from") throw new Rejected(f.pos, f.s, "`from`");
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
        if (n === undefined) throw new Rejected(v.pos, v.s, "a dsfield value");
        r.tos = n;
        break;
      }
      case "fwmark": {
        const v = c.next("MARK[/MASK]");
        const [ms, ks] = v.s.split("/");
        const m = parseNum(ms!, 0xffffffff),
          k = ks === undefined ? 0xffffffff : parseNum(ks, 0xffffffff);
        if (m === undefined || k === undefined)
          throw new Rejected(v.pos, v.s, "MARK[/MASK] in hex");
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
        if (n === undefined) throw new Rejected(v.pos, v.s, "an IP protocol");
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
        if (!/^\d+$/.test(v.s)) throw new Rejected(v.pos, v.s, "a tunnel id");
        r.tunId = BigInt(v.s);
        break;
      }
      case "suppress_prefixlength": {
        const v = c.next("a length");
        const n = parseNum(v.s, 128);
        if (n === undefined) throw new Rejected(v.pos, v.s, "a prefix length");
        r.suppressPrefixlen = n;
        break;
      }
      case "suppress_ifgroup": {
        const v = c.next("a group");
        const n = groupA2n(v.s);
        if (n === undefined) throw new Rejected(v.pos, v.s, "a group");
        r.suppressIfgroup = n;
        break;
      }
      case "realms": {
        const v = c.next("[FROM/]TO");
        const parts = v.s.split("/").map((x) => (x === "cosmos" ? 0 : parseNum(x, 0xffff)));
        if (parts.some((x) => x === undefined) || parts.length > 2)
          throw new Rejected(v.pos, v.s, "realms [FROM/]TO");
        r.realms = parts.length === 2 ? ((parts[0]! << 16) | parts[1]!) >>> 0 : parts[0]!;
        break;
      }
      case "goto": {
        const v = c.next("a preference");
        const n = parseNum(v.s, 0xffffffff);
        r.action = "goto";
        if (n !== undefined) r.gotoPref = n;
        else if (v.s !== "none") throw new Rejected(v.pos, v.s, "a rule preference");
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
        if (n === undefined) throw new Rejected(v.pos, v.s, "a route protocol");
        r.protocol = n;
        protoGiven = true;
        break;
      }
      default:
        throw new Rejected(t.pos, t.s, "a rule selector or action as `ip rule show` prints them");
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

// ---------------------------------------------------------------------------------------
// Routes

export const NH_FLAGS = new Set([
  "dead",
  "onlink",
  "pervasive",
  "offload",
  "trap",
  "notify",
  "linkdown",
  "unresolved",
  "rt_offload",
  "rt_trap",
  "rt_offload_failed",
]);

export function newRoute(family: Family): Route {
  return {
    family,
    table: 254,
    type: "unicast",
    dst: { addr: family === 4 ? { family: 4, v: 0 } : { family: 6, v: 0n }, len: 0 },
    tos: 0,
    metric: 0,
    protocol: 3,
    scope: 0,
    nexthops: [],
    multipath: false,
    pref6: 0,
    seq: 0,
  };
}

export function newNh(): Nexthop {
  return { ifindex: 0, weight: 1, onlink: false, dead: false };
}

/**
 * RTNH_F_DEAD, or a `dead` that iproute2 shows because of ignore_routes_with_linkdown on a
 * linkdown nexthop of an up device (fib_nexthop_info)? Load sysctls before routes for this.
 */
function realDead(
  state: HostState,
  family: Family,
  flags: Set<string>,
  l: Link | undefined,
): boolean {
  if (!flags.has("dead")) return false;
  if (!flags.has("linkdown") || !l || !l.up) return true;
  return !ignoreLinkdown(state, family, l.name);
}

/** Can the kernel flag this route's nexthops `linkdown`? */
export function canLinkdown(r: Route): boolean {
  if (r.family === 4) return r.scope !== 254;
  return !["local", "anycast", "blackhole", "unreachable", "prohibit", "throw"].includes(r.type);
}

export function finishNexthops(
  ld: Loader,
  r: Route,
  hops: { nh: Nexthop; dev?: string; flags: Set<string> }[],
): void {
  for (const h of hops) {
    const linkdown = h.flags.has("linkdown");
    if (h.dev !== undefined)
      h.nh.ifindex = ld.link(h.dev, canLinkdown(r) ? linkdown : null, h.flags.has("dead"));
    const l = ld.state.links.find((x) => x.ifindex === h.nh.ifindex);
    // `dead` with `linkdown` on an up device comes from ignore_routes_with_linkdown, not RTNH_F_DEAD.
    h.nh.dead = realDead(ld.state, r.family, h.flags, l);
    h.nh.onlink = h.flags.has("onlink");
  }
  r.nexthops = hops.map((h) => h.nh);
  r.multipath = hops.length > 1;
  if (!r.nexthops.length) r.nexthops = [newNh()];
}

function guessRouteFamily(vals: string[], v6Hint: boolean): Family {
  if (v6Hint) return 6;
  for (const v of vals) {
    const f = addrFamily(v.split("/")[0]!);
    if (f) return f;
  }
  return 4;
}

/** RTA_VIA in JSON: `{"family":"inet6","host":"fe80::1"}`. */
function viaAddr(value: JNode): Addr {
  if (value.t !== "obj") throw new Rejected(value.pos, tokenOf(value), "an object {family, host}");
  const h = value.entries.find((e) => e.key === "host")?.value;
  if (!h) throw new Rejected(value.pos, "{", "a host");
  const s = str(h, "an address");
  const a = parseAddr(s);
  if (!a.ok) throw new Rejected(h.pos, s, a.expected);
  return a.value;
}

export function routeFromJson(ld: Loader, o: Extract<JNode, { t: "obj" }>): Route {
  const get = (k: string) => o.entries.find((e) => e.key === k)?.value;
  const addrVals = ["dst", "from", "gateway", "prefsrc"]
    .map((k) => get(k))
    .filter((n): n is Extract<JNode, { t: "str" }> => n?.t === "str")
    .map((n) => n.v);
  const family = guessRouteFamily(
    addrVals.filter((v) => v !== "default"),
    get("pref") !== undefined,
  );
  const r = newRoute(family);
  if (family === 6) r.metric = 1024;
  const hops: { nh: Nexthop; dev?: string; flags: Set<string> }[] = [];
  const top = { nh: newNh(), dev: undefined as string | undefined, flags: new Set<string>() };
  let hasNexthops = false;
  const addr = (n: JNode): Addr => {
    const s = str(n, "an address");
    const a = parseAddr(s, family);
    if (!a.ok) throw new Rejected(n.pos, s, a.expected);
    return a.value;
  };
  const flagsOf = (n: JNode, into: Set<string>) => {
    if (n.t !== "arr") throw new Rejected(n.pos, tokenOf(n), "an array of flags");
    for (const f of n.items) {
      const s = str(f, "a flag");
      if (!NH_FLAGS.has(s))
        throw new Rejected(f.pos, s, "a route flag (dead, onlink, linkdown, ...)");
      into.add(s);
    }
  };
  for (const { key, keyPos, value } of o.entries) {
    switch (key) {
      case "type": {
        const s = str(value, "a route type");
        if (!ROUTE_TYPES.has(s)) throw new Rejected(value.pos, s, "a route type");
        r.type = s as RouteType;
        break;
      }
      case "dst": {
        const s = str(value, "a prefix");
        const p = parsePrefix(s, family);
        if (!p.ok) throw new Rejected(value.pos, s, p.expected);
        r.dst = p.value;
        break;
      }
      case "from": {
        const s = str(value, "a prefix");
        const p = parsePrefix(s, family);
        if (!p.ok) throw new Rejected(value.pos, s, p.expected);
        r.src = p.value;
        break;
      }
      case "tos": {
        const s = str(value, "a dsfield");
        const t = dsfieldA2n(s);
        if (t === undefined) throw new Rejected(value.pos, s, "a dsfield");
        r.tos = t;
        break;
      }
      case "gateway":
        top.nh.gateway = addr(value);
        break;
      case "via":
        top.nh.gateway = viaAddr(value);
        break;
      case "dev":
        top.dev = str(value, "an interface name");
        break;
      case "table":
        r.table = ld.table(str(value, "a table"), value.pos);
        break;
      case "protocol": {
        const s = str(value, "a protocol");
        const p = rtprotA2n(s);
        if (p === undefined) throw new Rejected(value.pos, s, "a route protocol");
        r.protocol = p;
        break;
      }
      case "scope": {
        const s = str(value, "a scope");
        const p = rtscopeA2n(s);
        if (p === undefined) throw new Rejected(value.pos, s, "a scope");
        r.scope = p;
        break;
      }
      case "prefsrc":
        r.prefsrc = addr(value);
        break;
      case "metric":
        r.metric = num(value, "a metric");
        break;
      case "flags":
        flagsOf(value, top.flags);
        break;
      case "metrics": {
        if (value.t !== "arr") throw new Rejected(value.pos, tokenOf(value), "an array");
        r.metrics = [];
        for (const m of value.items) {
          if (m.t !== "obj") throw new Rejected(m.pos, tokenOf(m), "an object");
          for (const e of m.entries) {
            if (!METRIC_INDEX.has(e.key) || e.key === "congctl")
              throw new Rejected(e.keyPos, e.key, "a numeric route metric (mtu, advmss, ...)");
            r.metrics.push({ name: e.key, value: num(e.value, "a number") });
          }
        }
        break;
      }
      case "pref": {
        const s = value.t === "num" ? String(value.v) : str(value, "low, medium or high");
        const p = s === "medium" ? 0 : s === "high" ? 1 : s === "low" ? 3 : parseNum(s, 255);
        if (p === undefined) throw new Rejected(value.pos, s, "low, medium or high");
        r.pref6 = p;
        break;
      }
      case "expires":
      case "error":
        break; // not modelled
      case "nexthops": {
        hasNexthops = true;
        if (value.t !== "arr")
          throw new Rejected(value.pos, tokenOf(value), "an array of nexthops");
        for (const h of value.items) {
          if (h.t !== "obj") throw new Rejected(h.pos, tokenOf(h), "a nexthop object");
          const hop = {
            nh: newNh(),
            dev: undefined as string | undefined,
            flags: new Set<string>(),
          };
          for (const e of h.entries) {
            switch (e.key) {
              case "gateway":
                hop.nh.gateway = addr(e.value);
                break;
              case "via":
                hop.nh.gateway = viaAddr(e.value);
                break;
              case "dev":
                hop.dev = str(e.value, "an interface name");
                break;
              case "weight":
                hop.nh.weight = num(e.value, "a weight 1..256", 256);
                break;
              case "flags":
                flagsOf(e.value, hop.flags);
                break;
              default:
                throw new Rejected(
                  e.keyPos,
                  e.key,
                  "gateway, dev, weight or flags",
                  `unsupported nexthop key "${e.key}"`,
                );
            }
          }
          hops.push(hop);
        }
        break;
      }
      default:
        throw new Rejected(
          keyPos,
          key,
          "a key of `ip -j route show`",
          `unsupported route key "${key}"`,
        );
    }
  }
  if (family === 6 && top.dev === undefined && !hasNexthops) top.dev = undefined;
  if (!hasNexthops) hops.push(top);
  finishNexthops(ld, r, hops);
  return r;
}

const METRIC_WORDS = new Set([...METRIC_INDEX.keys()]);

export function routeFromText(ld: Loader, c: Cursor, prev: Route | undefined): Route | "continued" {
  const first = c.peek()!;
  if (first.s === "nexthop") {
    if (!prev || !prev.multipath)
      throw new Rejected(
        first.pos,
        first.s,
        "a route (a `nexthop` line must follow a multipath route)",
      );
    c.i++;
    prev.nexthops.push(parseHop(ld, c, prev.family));
    return "continued";
  }
  if (first.s === "Deleted") c.i++;
  let t = c.next("a route");
  let type: RouteType = "unicast";
  if (ROUTE_TYPES.has(t.s)) {
    type = t.s as RouteType;
    t = c.next("a destination");
  }
  // The family: from any address on the line, else `pref` (IPv6 always prints it).
  const words = c.toks.map((x) => x.s);
  const family = guessRouteFamily(
    [
      t.s,
      ...words.filter((w, i) => i > 0 && ["from", "via", "src"].includes(words[i - 1]!)),
    ].filter((w) => w !== "default"),
    words.includes("pref"),
  );
  const r = newRoute(family);
  r.type = type;
  if (family === 6) r.metric = 1024;
  const p = parsePrefix(t.s, family);
  if (!p.ok) throw new Rejected(t.pos, t.s, p.expected);
  r.dst = p.value;
  const top = { nh: newNh(), dev: undefined as string | undefined, flags: new Set<string>() };
  const hops: { nh: Nexthop; dev?: string; flags: Set<string> }[] = [];
  while (!c.done()) {
    const k = c.next("a route attribute");
    if (NH_FLAGS.has(k.s)) {
      top.flags.add(k.s);
      continue;
    }
    if (METRIC_WORDS.has(k.s)) {
      let v = c.next("a value");
      let lock = false;
      if (v.s === "lock") {
        lock = true;
        v = c.next("a value");
      }
      const val = metricValue(k.s, v);
      (r.metrics ??= []).push(lock ? { name: k.s, value: val, lock } : { name: k.s, value: val });
      continue;
    }
    switch (k.s) {
      case "from": {
        const v = c.next("a prefix");
        const q = parsePrefix(v.s, family);
        if (!q.ok) throw new Rejected(v.pos, v.s, q.expected);
        r.src = q.value;
        break;
      }
      case "tos":
      case "dsfield": {
        const v = c.next("a dsfield");
        const n = dsfieldA2n(v.s);
        if (n === undefined) throw new Rejected(v.pos, v.s, "a dsfield");
        r.tos = n;
        break;
      }
      case "via": {
        let v = c.next("an address");
        let fam: Family | undefined = family;
        if (v.s === "inet" || v.s === "inet6") {
          fam = v.s === "inet" ? 4 : 6;
          v = c.next("an address");
        }
        const a = parseAddr(v.s, fam);
        if (!a.ok) throw new Rejected(v.pos, v.s, a.expected);
        top.nh.gateway = a.value;
        break;
      }
      case "dev":
        top.dev = c.next("an interface name").s;
        break;
      case "table": {
        const v = c.next("a table");
        r.table = ld.table(v.s, v.pos);
        break;
      }
      case "proto": {
        const v = c.next("a protocol");
        const n = rtprotA2n(v.s);
        if (n === undefined) throw new Rejected(v.pos, v.s, "a route protocol");
        r.protocol = n;
        break;
      }
      case "scope": {
        const v = c.next("a scope");
        const n = rtscopeA2n(v.s);
        if (n === undefined) throw new Rejected(v.pos, v.s, "a scope");
        r.scope = n;
        break;
      }
      case "src": {
        const v = c.next("an address");
        const a = parseAddr(v.s, family);
        if (!a.ok) throw new Rejected(v.pos, v.s, a.expected);
        r.prefsrc = a.value;
        break;
      }
      case "metric":
      case "priority":
      case "preference": {
        const v = c.next("a number");
        const n = parseNum(v.s, 0xffffffff);
        if (n === undefined) throw new Rejected(v.pos, v.s, "a metric");
        r.metric = n;
        break;
      }
      case "pref": {
        const v = c.next("a preference");
        const n =
          v.s === "medium" ? 0 : v.s === "high" ? 1 : v.s === "low" ? 3 : parseNum(v.s, 255);
        if (n === undefined) throw new Rejected(v.pos, v.s, "low, medium or high");
        r.pref6 = n;
        break;
      }
      case "expires":
      case "error":
        c.next("a value");
        break; // RA lifetimes / old kernels' reject errors: not modelled
      case "nexthop": {
        const sub = new Cursor(c.toks, c.endPos);
        sub.i = c.i;
        hops.push({ nh: parseHop(ld, sub, family), flags: new Set() });
        c.i = sub.i;
        break;
      }
      default:
        throw new Rejected(k.pos, k.s, "a route attribute as `ip route show` prints it");
    }
  }
  if (hops.length) {
    r.nexthops = hops.map((h) => h.nh);
    r.multipath = hops.length > 1;
  } else if (type === "unicast" && !top.dev && !top.nh.gateway) {
    // `10.60.0.0/16 ` with neither dev nor via: a multipath route whose `\tnexthop` lines follow.
    r.multipath = true;
    r.nexthops = [];
  } else {
    finishNexthops(ld, r, [top]);
  }
  return r;
}

function parseHop(ld: Loader, c: Cursor, family: Family): Nexthop {
  const nh = newNh();
  let dev: string | undefined;
  const flags = new Set<string>();
  while (!c.done()) {
    const k = c.peek()!;
    if (k.s === "nexthop") break;
    c.i++;
    if (NH_FLAGS.has(k.s)) {
      flags.add(k.s);
      continue;
    }
    switch (k.s) {
      case "via": {
        let v = c.next("an address");
        let fam: Family | undefined = family;
        if (v.s === "inet" || v.s === "inet6") {
          fam = v.s === "inet" ? 4 : 6;
          v = c.next("an address");
        }
        const a = parseAddr(v.s, fam);
        if (!a.ok) throw new Rejected(v.pos, v.s, a.expected);
        nh.gateway = a.value;
        break;
      }
      case "dev":
        dev = c.next("an interface name").s;
        break;
      case "weight": {
        const v = c.next("a weight");
        const n = parseNum(v.s, 256);
        if (!n) throw new Rejected(v.pos, v.s, "a weight 1..256");
        nh.weight = n;
        break;
      }
      default:
        throw new Rejected(k.pos, k.s, "via, dev, weight or a nexthop flag");
    }
  }
  const linkdown = flags.has("linkdown");
  if (dev !== undefined) nh.ifindex = ld.link(dev, linkdown, flags.has("dead"));
  const l = ld.state.links.find((x) => x.ifindex === nh.ifindex);
  nh.dead = realDead(ld.state, family, flags, l);
  nh.onlink = flags.has("onlink");
  return nh;
}

function metricValue(name: string, v: Tok): number {
  if (name === "rtt" || name === "rttvar" || name === "rto_min") {
    const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(v.s);
    if (!m) throw new Rejected(v.pos, v.s, "a time like 100ms");
    return Math.round(Number(m[1]) * (m[2] === "s" ? 1000 : 1));
  }
  if (name === "features") {
    if (v.s === "ecn") return 1;
    const n = parseNum(v.s, 0xffffffff);
    if (n === undefined) throw new Rejected(v.pos, v.s, "ecn or a number");
    return n;
  }
  const n = parseNum(v.s, 0xffffffff);
  if (n === undefined) throw new Rejected(v.pos, v.s, `a number for ${name}`);
  return n;
}

export function commitRoutes(ld: Loader, dumped: Route[]): void {
  // Tables sharing a hash bucket are dumped newest first; the state keeps creation order
  // (first appearance of a table = older), so reverse the dump's table order inside a bucket.
  const key = (r: Route) => (r.family === 4 ? r.table : -1 - r.table);
  const groups = new Map<number, Route[]>();
  for (const r of dumped) {
    const k = key(r);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  const order = [...groups.keys()];
  const routes = order
    .map((k, i) => ({ k, i, g: groups.get(k)! }))
    .sort((a, b) => {
      const ra = a.g[0]!,
        rb = b.g[0]!;
      if (ra.family !== rb.family || (ra.table & 255) !== (rb.table & 255)) return a.i - b.i;
      return b.i - a.i;
    });
  ld.state.routes = ld.state.routes.filter((r) => !groups.has(key(r)));
  for (const { g } of routes) {
    for (const r of g) {
      r.seq = ld.state.seq++;
      // A full table shares its few nexthop lists (fib-index sharedNexthops).
      r.nexthops = sharedNexthops(ld.state, r.nexthops);
      ld.state.routes.push(r);
      if (r.family === 4 && r.type === "local" && r.protocol !== 2)
        ld.state.v4CustomLocalRoutes = true;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Links and addresses

function linkFromJson(ld: Loader, o: Extract<JNode, { t: "obj" }>, masters: Set<string>): Link {
  const get = (k: string) => o.entries.find((e) => e.key === k)?.value;
  const nameN = get("ifname");
  if (!nameN) throw new Rejected(o.pos, "{", "an object with ifname");
  const name = str(nameN, "an interface name");
  const idxN = get("ifindex");
  const ifindex = idxN ? num(idxN, "an ifindex", 0x7fffffff) : 0;
  const flagsN = get("flags");
  const flags = new Set<string>();
  if (flagsN) {
    if (flagsN.t !== "arr") throw new Rejected(flagsN.pos, tokenOf(flagsN), "an array of flags");
    for (const f of flagsN.items) flags.add(str(f, "a flag"));
  }
  const linkType = get("link_type");
  const lt = linkType ? str(linkType, "a link type") : "ether";
  const info = get("linkinfo");
  let infoKind: string | undefined;
  if (info?.t === "obj") {
    const k = info.entries.find((e) => e.key === "info_kind")?.value;
    if (k?.t === "str") infoKind = k.v;
  }
  const peerN = get("link");
  const linkIndex = get("link_index");
  let kind: LinkKind;
  if (lt === "loopback") kind = "loopback";
  else if (infoKind === "tun") kind = lt === "none" ? "tun" : "tap";
  else if (lt === "none") kind = "tun";
  else if (infoKind === "veth" || infoKind === "bridge") kind = infoKind;
  else if (infoKind) kind = "other";
  else if (peerN?.t === "str" || linkIndex) kind = "veth";
  else if (masters.has(name)) kind = "bridge";
  else if (guessTap(lt, get("qdisc"), get("operstate"), flags)) kind = "tap";
  // A port-less bridge: noqueue, carrier, operstate UNKNOWN (a veth would have a peer).
  else if (
    lt === "ether" &&
    str2(get("qdisc")) === "noqueue" &&
    str2(get("operstate")) === "UNKNOWN"
  )
    kind = "bridge";
  else kind = "other";
  const up = flags.has("UP");
  const carrier = flags.has("LOWER_UP") || (!up && kind === "loopback");
  const l: Link = {
    ifindex,
    name,
    kind,
    mac:
      kind === "tun"
        ? null
        : get("address")?.t === "str"
          ? (get("address") as { v: string }).v
          : null,
    mtu: get("mtu") ? num(get("mtu")!, "an MTU") : 1500,
    up,
    carrier,
    group: 0,
    txqlen: get("txqlen") ? num(get("txqlen")!, "a queue length") : 0,
  };
  const g = get("group");
  if (g) {
    const s = str(g, "a group");
    const n = groupA2n(s);
    if (n === undefined) throw new Rejected(g.pos, s, "a group");
    l.group = n;
  }
  if (peerN?.t === "str") l.peer = peerN.v;
  if (linkIndex) {
    l.peer = `if${num(linkIndex, "an ifindex")}`;
    l.peerExternal = true;
  }
  const m = get("master");
  if (m) l.master = str(m, "a master name");
  if ((kind === "tun" || kind === "tap") && !carrier) l.tunNoReader = true;
  return l;
}

/**
 * Without `-d` a tap looks like any ethernet device; it is the one with a real qdisc that is
 * UNKNOWN when it has a reader and NO-CARRIER/DOWN without one.
 */
function str2(n: JNode | undefined): string | undefined {
  return n?.t === "str" ? n.v : undefined;
}

function guessTap(
  lt: string,
  qdisc: JNode | undefined,
  oper: JNode | undefined,
  flags: Set<string>,
): boolean {
  if (lt !== "ether" || qdisc?.t !== "str" || ["noqueue", "noop"].includes(qdisc.v)) return false;
  const os = oper?.t === "str" ? oper.v : "";
  return os === "UNKNOWN" || (os === "DOWN" && flags.has("NO-CARRIER"));
}

function reindex(state: HostState, from: number, to: number): void {
  for (const a of state.addrs) if (a.ifindex === from) a.ifindex = to;
  for (const r of state.routes)
    for (const nh of r.nexthops) if (nh.ifindex === from) nh.ifindex = to;
  const l = state.links.find((x) => x.ifindex === from);
  if (l) l.ifindex = to;
}

function upsertLink(ld: Loader, l: Link): void {
  const st = ld.state;
  const existing = st.links.find((x) => x.name === l.name);
  if (l.ifindex) {
    const occupant = st.links.find((x) => x.ifindex === l.ifindex && x !== existing);
    if (occupant)
      reindex(
        st,
        occupant.ifindex,
        Math.max(st.nextIfindex, ...st.links.map((x) => x.ifindex + 1)),
      );
    if (existing && existing.ifindex !== l.ifindex) reindex(st, existing.ifindex, l.ifindex);
  } else {
    l.ifindex = existing?.ifindex ?? ld.freeIndex();
  }
  if (existing) Object.assign(existing, l);
  else st.links.push(l);
  st.links.sort((a, b) => a.ifindex - b.ifindex);
  st.nextIfindex = Math.max(st.nextIfindex, ...st.links.map((x) => x.ifindex + 1));
}

function addrFromJson(ld: Loader, o: Extract<JNode, { t: "obj" }>, link: Link): IfAddr {
  const get = (k: string) => o.entries.find((e) => e.key === k)?.value;
  const famN = get("family");
  const fs = famN ? str(famN, "inet or inet6") : "";
  if (fs !== "inet" && fs !== "inet6")
    throw new Rejected(
      famN?.pos ?? o.pos,
      fs || "{",
      "family inet or inet6 (other families are not modelled)",
    );
  const family: Family = fs === "inet" ? 4 : 6;
  const a = (n: JNode | undefined, what: string): Addr => {
    if (!n) throw new Rejected(o.pos, "{", what);
    const s = str(n, what);
    const r = parseAddr(s, family);
    if (!r.ok) throw new Rejected(n.pos, s, r.expected);
    return r.value;
  };
  const local = a(get("local"), "a local address");
  const plN = get("prefixlen");
  const ia: IfAddr = {
    family,
    ifindex: link.ifindex,
    local,
    prefixlen: plN ? num(plN, "a prefix length", family === 4 ? 32 : 128) : family === 4 ? 32 : 128,
    scope: 0,
    secondary: false,
    noprefixroute: false,
    nodad: false,
  };
  const sc = get("scope");
  if (sc) {
    const s = sc.t === "num" ? String(sc.v) : str(sc, "a scope");
    const n = rtscopeA2n(s);
    if (n === undefined) throw new Rejected(sc.pos, s, "a scope");
    ia.scope = n;
  }
  if (get("address")) ia.peer = a(get("address"), "a peer address");
  if (get("broadcast")) ia.broadcast = a(get("broadcast"), "a broadcast address");
  if (get("secondary") || get("temporary")) ia.secondary = true;
  if (get("nodad")) ia.nodad = true;
  if (get("noprefixroute")) ia.noprefixroute = true;
  const lab = get("label");
  if (lab) {
    const s = str(lab, "a label");
    if (s !== link.name) ia.label = s;
  }
  return ia;
}

// ---------------------------------------------------------------------------------------
// Entry points

function loadJson(ld: Loader, nodes: JNode[], fmt: DumpFormat, hint: DumpHint): void {
  const arrays: Extract<JNode, { t: "arr" }>[] = [];
  for (const n of nodes) {
    if (n.t !== "arr") {
      ld.reject(new Rejected(n.pos, tokenOf(n), "a JSON array as `ip -j` prints"));
      continue;
    }
    arrays.push(n);
  }
  const objects = (arr: Extract<JNode, { t: "arr" }>) =>
    arr.items.filter((it): it is Extract<JNode, { t: "obj" }> => {
      if (it.t === "obj") return true;
      ld.reject(new Rejected(it.pos, tokenOf(it), "an object"));
      return false;
    });
  const guard = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (e instanceof Rejected) {
        ld.reject(e);
        return undefined;
      }
      throw e;
    }
  };
  switch (fmt) {
    case "ip-json-rule": {
      const segs: RuleDraft[][] = [];
      for (const arr of arrays) {
        let seg: RuleDraft[] = [];
        segs.push(seg);
        for (const o of objects(arr)) {
          const d = guard(() => ruleFromJson(ld, o));
          if (!d) continue;
          const last = seg[seg.length - 1];
          if (last && d.rule.pref < last.rule.pref) {
            seg = [];
            segs.push(seg);
          }
          seg.push(d);
        }
      }
      commitRules(ld, segs, hint.family);
      break;
    }
    case "ip-json-route": {
      ld.routeRefs = true;
      const routes: Route[] = [];
      for (const arr of arrays)
        for (const o of objects(arr)) {
          const r = guard(() => routeFromJson(ld, o));
          if (r) routes.push(r);
        }
      commitRoutes(ld, routes);
      break;
    }
    case "ip-json-link":
    case "ip-json-addr": {
      const all = arrays.flatMap(objects);
      const masters = new Set<string>();
      for (const o of all) {
        const m = o.entries.find((e) => e.key === "master")?.value;
        if (m?.t === "str") masters.add(m.v);
      }
      for (const o of all) {
        const l = guard(() => linkFromJson(ld, o, masters));
        if (!l) continue;
        upsertLink(ld, l);
        if (fmt !== "ip-json-addr") continue;
        const link = ld.state.links.find((x) => x.name === l.name)!;
        const ai = o.entries.find((e) => e.key === "addr_info")?.value;
        if (!ai) continue;
        if (ai.t !== "arr") {
          ld.reject(new Rejected(ai.pos, tokenOf(ai), "an array"));
          continue;
        }
        const addrs: IfAddr[] = [];
        for (const x of objects(ai)) {
          const a = guard(() => addrFromJson(ld, x, link));
          if (a) addrs.push(a);
        }
        ld.state.addrs = ld.state.addrs.filter((a) => a.ifindex !== link.ifindex).concat(addrs);
      }
      break;
    }
    default:
      break;
  }
}

function loadLines(ld: Loader, fmt: DumpFormat, hint: DumpHint): void {
  ld.routeRefs = fmt === "ip-route-text";
  const lines = ld.text.split("\n");
  let off = 0;
  const segs: RuleDraft[][] = [[]];
  const routes: Route[] = [];
  let prev: Route | undefined;
  const starts = new Map<Route, { pos: number; token: string }>();
  lines.forEach((raw, i) => {
    const base = off;
    off += raw.length + 1;
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "" || /^\s*[#;]/.test(line)) return;
    try {
      if (fmt === "sysctl") {
        const m = /^\s*([A-Za-z0-9_][\w.\-/:@]*)\s*=\s?(.*)$/.exec(line);
        if (!m) {
          const t = tokenize(line, base)[0]!;
          throw new Rejected(t.pos, t.s, "`key = value` as `sysctl -a` prints");
        }
        ld.state.sysctl.set(m[1]!.replace(/\//g, "."), m[2]!.trim());
        return;
      }
      const c = new Cursor(tokenize(line, base), base + line.length);
      if (fmt === "ip-rule-text") {
        const d = ruleFromText(ld, c, i + 1);
        let seg = segs[segs.length - 1]!;
        const last = seg[seg.length - 1];
        if (last && d.rule.pref < last.rule.pref) {
          seg = [];
          segs.push(seg);
        }
        seg.push(d);
      } else {
        const r = routeFromText(ld, c, prev);
        if (r !== "continued") {
          routes.push(r);
          prev = r;
          starts.set(r, { pos: base, token: c.toks[0]?.s ?? "" });
        }
      }
    } catch (e) {
      if (!(e instanceof Rejected)) throw e;
      ld.reject(e);
      if (fmt === "ip-route-text" && !/^\s/.test(line)) prev = undefined;
    }
  });
  if (fmt === "ip-rule-text") commitRules(ld, segs, hint.family);
  if (fmt === "ip-route-text") {
    for (const r of routes) {
      if (r.multipath && r.nexthops.length === 0) {
        const st = starts.get(r)!;
        const { line, col } = ld.idx.at(st.pos);
        ld.issues.push({
          code: "dump.rejected",
          message: "a route without dev or via must be followed by its `nexthop` lines",
          loc: { file: ld.file, line, col },
          token: st.token,
          expected: "`\\tnexthop via ADDR dev DEV weight N` lines",
        });
      }
      if (r.multipath && r.nexthops.length === 1) r.multipath = false;
    }
    commitRoutes(
      ld,
      routes.filter((r) => r.nexthops.length > 0),
    );
  }
}

/**
 * Load a pasted dump into `state`. Returns the issues (rejected lines/entries); what was
 * accepted is in the state.
 * @example loadDump(createHostState(), "net.ipv4.ip_forward = 1\n", "sysctl.txt") // []
 */
export function loadDump(
  state: HostState,
  text: string,
  file: string,
  hint: DumpHint | Family = {},
): Issue[] {
  const h: DumpHint = typeof hint === "number" ? { family: hint } : hint;
  const ld = new Loader(state, text, file);
  const fmt = h.format ?? detectDumpFormat(text);
  if (!fmt) {
    const l = firstLine(text);
    const pos = l === undefined ? 0 : text.indexOf(l) + (l.length - l.trimStart().length);
    const { line, col } = ld.idx.at(pos);
    const trimmed = text.trim();
    if (trimmed === "" || /^\[\s*\]$/.test(trimmed)) return [];
    return [
      {
        code: "dump.unknown-format",
        message: "not a dump routelab can load",
        loc: { file, line, col },
        token: (l ?? "").trim().split(/\s+/)[0] ?? "",
        expected:
          "ip -j link|addr|rule|route show, ip rule show, ip route show table all, or sysctl -a output",
      },
    ];
  }
  if (fmt.startsWith("ip-json")) {
    let nodes: JNode[];
    try {
      nodes = parseJsonValues(text);
    } catch (e) {
      if (e instanceof JsonSyntaxError) {
        ld.reject(
          new Rejected(e.pos, e.token, e.expected, `invalid JSON: ${e.message}`),
          "dump.json-syntax",
        );
        return ld.issues;
      }
      throw e;
    }
    loadJson(ld, nodes, fmt, h);
  } else {
    loadLines(ld, fmt, h);
  }
  return ld.issues;
}
