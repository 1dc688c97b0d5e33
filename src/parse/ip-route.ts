/**
 * `ip route` (ip/iproute.c): add/del/replace/change/append/prepend, show/flush, and get.
 * @module
 */
import { parseAddr, parsePrefix, type Addr, type Family, type Prefix } from "../addr/ip.js";
import { getU16, getU32 } from "../addr/num.js";
import type { RouteType } from "../core/kinds.js";
import { defined } from "../core/result.js";
import { matches, type ArgCursor } from "./args.js";
import { addrArg, parseTos, prefixArg } from "./ip-args.js";
import type { IpCommand, IpOptions, NexthopSpec, RouteGetQuery, RouteSpec } from "./ip-types.js";
import { inetProtoA2n, protoA2n, rtntypeA2n, rttableA2n, scopeA2n } from "./names.js";
import type { Word } from "./shell.js";

type RouteModifyOp = "add" | "delete" | "replace" | "change" | "append" | "prepend";
const MODIFY_OPS: readonly RouteModifyOp[] = [
  "add",
  "delete",
  "replace",
  "change",
  "append",
  "prepend",
];

/** RTAX_* keywords iproute.c reads as `[lock] N` (get_u32 here). */
const METRIC_KEYWORDS = new Set([
  "mtu",
  "advmss",
  "hoplimit",
  "window",
  "rtt",
  "rttvar",
  "reordering",
  "cwnd",
  "initcwnd",
  "initrwnd",
  "ssthresh",
  "realm",
  "realms",
  "features",
  "quickack",
  "fastopen_no_cookie",
  "rto_min",
  "congctl",
]);

const PREF6: ReadonlyMap<string, number> = new Map([
  ["low", 3],
  ["medium", 0],
  ["high", 1],
]);

/** do_iproute: the command word, then its arguments. */
export function parseRoute(
  c: ArgCursor,
  opts: IpOptions,
  names: ReadonlyMap<number, string>,
): IpCommand {
  const cmdW = c.next();
  const cmd = cmdW?.text ?? "show";
  if (!cmdW || ["show", "list", "lst", "flush"].some((k) => matches(cmd, k)))
    return routeShow(c, opts, names, cmdW && matches(cmd, "flush") ? "flush" : "show");
  if (matches(cmd, "get")) return parseRouteGet(c, opts);
  const op = MODIFY_OPS.find((o) => matches(cmd, o));
  if (!op)
    return c.fail(
      "ip.unknown-command",
      `Command "${cmd}" is unknown, try "ip route help".`,
      cmdW,
      255,
    );
  return routeModify(c, opts, names, op);
}

function routeShow(
  c: ArgCursor,
  opts: IpOptions,
  names: ReadonlyMap<number, string>,
  op: "show" | "flush",
): IpCommand {
  let table: number | "all" | undefined;
  let dev: Word | undefined;
  let proto: number | undefined;
  let type: RouteType | undefined;
  let cloned: boolean | undefined;
  const f: { scope?: number; via?: Prefix; src?: Prefix } = {};
  while (!c.done) {
    const w = c.next()!;
    if (w.text === "scope") {
      const v = c.nextArg();
      f.scope = scopeA2n(v.text) ?? c.invarg('invalid "scope" value\n', v);
    } else if (w.text === "via") f.via = prefixArg(c, c.nextArg(), opts.family);
    else if (w.text === "src") f.src = prefixArg(c, c.nextArg(), opts.family);
    else if (w.text === "table") {
      const v = c.nextArg();
      if (v.text === "all" || v.text === "cache") table = "all";
      else table = rttableA2n(v.text, names) ?? c.invarg("table id value is invalid\n", v);
    } else if (w.text === "dev" || w.text === "oif") dev = c.nextArg();
    else if (w.text === "proto" || w.text === "protocol") proto = protoA2n(c.nextArg().text);
    else if (w.text === "type") type = rtntypeA2n(c.nextArg().text);
    // iproute_list_flush_or_save: `cache` selects RTM_F_CLONED routes.
    else if (w.text === "cache" || w.text === "cloned") cloned = true;
    else
      return c.fail(
        "ip.not-modelled",
        `route ${op} selector "${w.text}" is not modelled by routelab`,
        w,
        1,
        "table, dev, proto, type, scope, via or src",
      );
  }
  return {
    obj: "route",
    op,
    ...defined({ family: opts.family, table, dev: dev?.text, devWord: dev, proto, type, cloned }),
    ...defined(f),
  };
}

/** What iproute_modify keeps while it reads: the route, its first hop, the family. */
interface RouteState {
  readonly spec: RouteSpec;
  readonly names: ReadonlyMap<number, string>;
  familyKnown: boolean;
  /** The hop written without `nexthop` (via/dev/onlink). */
  nh: NexthopSpec;
  sawNexthop: boolean;
}

function setFamily(st: RouteState, f: Family): void {
  if (st.familyKnown) return;
  st.spec.family = f;
  st.familyKnown = true;
}

/**
 * The family may only be known from a later address (`ip route add default via
 * fd00::1`): the first word that looks like an address decides it.
 */
function sniffFamily(c: ArgCursor, spec: RouteSpec): void {
  for (const w of c.words.slice(c.i)) {
    if (w.text.includes(":") && parseAddr(w.text.split("/")[0]!, 6).ok) {
      spec.family = 6;
      return;
    }
    if (/^\d+\.\d+/.test(w.text)) {
      spec.family = 4;
      return;
    }
  }
}

function routeModify(
  c: ArgCursor,
  opts: IpOptions,
  names: ReadonlyMap<number, string>,
  op: RouteModifyOp,
): IpCommand {
  const spec: RouteSpec = {
    family: opts.family ?? 4,
    nexthops: [],
    multipath: false,
    metrics: [],
    words: c.words,
  };
  const st: RouteState = {
    spec,
    names,
    familyKnown: opts.family !== undefined,
    nh: { weight: 1, onlink: false },
    sawNexthop: false,
  };
  if (!st.familyKnown) sniffFamily(c, spec);
  while (!c.done) routeArg(c, st, c.next()!);
  const nh = st.nh;
  if (!st.sawNexthop && (nh.gateway || nh.dev || nh.onlink)) spec.nexthops.push(nh);
  if (!spec.dst && op !== "delete")
    return c.fail(
      "ip.incomplete",
      "need at least a destination address",
      undefined,
      255,
      "a destination prefix",
    );
  return { obj: "route", op: op === "delete" ? "del" : op, route: spec };
}

/** `via [inet|inet6] ADDR` (the family word is read and ignored, as get_addr decides). */
function viaArg(c: ArgCursor, st: RouteState): Addr {
  let v = c.nextArg();
  if (v.text === "inet" || v.text === "inet6") v = c.nextArg();
  const a = addrArg(c, v, undefined);
  setFamily(st, a.family);
  return a;
}

/**
 * One iproute_modify keyword: one branch per keyword in iproute.c's order, which decides
 * the prefix matches (`metric` before `mtu`); a word that is no keyword is the destination.
 */
function routeArg(c: ArgCursor, st: RouteState, w: Word): void {
  const { spec, nh } = st;
  const t = w.text;
  if (t === "src") {
    spec.prefsrc = addrArg(c, c.nextArg(), spec.family);
    setFamily(st, spec.prefsrc.family);
  } else if (t === "as") c.fail("ip.not-modelled", "NAT routes are not modelled", w, 1);
  else if (t === "via") {
    if (st.sawNexthop || nh.gateway) c.invarg("use nexthop syntax to specify multiple via\n", w);
    nh.gateway = viaArg(c, st);
  } else if (t === "from") spec.src = prefixArg(c, c.nextArg(), spec.family);
  else if (t === "tos" || matches(t, "dsfield"))
    spec.tos = parseTos(c, c.nextArg(), '"tos" value is invalid\n');
  else if (t === "expires") c.fail("ip.not-modelled", "route expiry is not modelled", w, 1);
  else if (matches(t, "metric") || matches(t, "priority") || t === "preference") {
    const v = c.nextArg();
    spec.metric = getU32(v.text) ?? c.invarg('"metric" value is invalid\n', v);
  } else if (t === "scope") {
    const v = c.nextArg();
    spec.scope = scopeA2n(v.text) ?? c.invarg('invalid "scope" value\n', v);
  } else if (METRIC_KEYWORDS.has(t)) metricArg(c, spec, t);
  else if (t === "pref") {
    const v = c.nextArg();
    spec.pref6 = PREF6.get(v.text) ?? c.invarg('"pref" value is invalid\n', v);
  } else if (t === "nexthop") nexthopArgs(c, st, w);
  else if (t === "table") {
    const v = c.nextArg();
    spec.table = rttableA2n(v.text, st.names) ?? c.invarg('"table" value is invalid\n', v);
  } else if (t === "vrf")
    c.fail("ip.not-modelled", "VRF devices are not available; use a table", w, 1);
  else if (t === "dev" || t === "oif") {
    if (st.sawNexthop) c.duparg2("to", w);
    const v = c.nextArg();
    nh.dev = v.text;
    nh.devWord = v;
  } else if (t === "onlink") nh.onlink = true;
  else if (t === "protocol" || t === "proto") {
    const v = c.nextArg();
    spec.protocol = protoA2n(v.text) ?? c.invarg('"protocol" value is invalid\n', v);
  } else if (t === "nhid" || t === "encap" || t === "ttl-propagate")
    c.fail("ip.not-modelled", `"${t}" is not modelled by routelab`, w, 1);
  else routeDst(c, st, w);
}

/** `KEYWORD [lock] N` for an RTAX_* metric. */
function metricArg(c: ArgCursor, spec: RouteSpec, t: string): void {
  let v = c.nextArg();
  const lock = v.text === "lock";
  if (lock) v = c.nextArg();
  const n = getU32(v.text) ?? c.invarg(`"${t}" value is invalid\n`, v);
  spec.metrics.push({ name: t, value: n, ...defined({ lock: lock || undefined }) });
}

/** `nexthop [via ADDR] [dev DEV] [weight N] [onlink]` (parse_one_nh). */
function nexthopArgs(c: ArgCursor, st: RouteState, w: Word): void {
  if (!st.sawNexthop && (st.nh.gateway || st.nh.dev)) c.duparg2("to", w);
  st.sawNexthop = true;
  st.spec.multipath = true;
  const hop: NexthopSpec = { weight: 1, onlink: false };
  for (let hw = c.peek(); hw && hw.text !== "nexthop"; hw = c.peek()) {
    if (hw.text === "via") {
      c.next();
      hop.gateway = viaArg(c, st);
    } else if (hw.text === "dev") {
      c.next();
      const v = c.nextArg();
      hop.dev = v.text;
      hop.devWord = v;
    } else if (hw.text === "weight") {
      c.next();
      const v = c.nextArg();
      const n = getU32(v.text);
      if (n === undefined || n < 1 || n > 256) c.invarg('"weight" is invalid\n', v);
      hop.weight = n;
    } else if (hw.text === "onlink") {
      c.next();
      hop.onlink = true;
    } else break;
  }
  st.spec.nexthops.push(hop);
}

/** `[to] [TYPE] [to] PREFIX`: the route type (rtnl_rtntype_a2n) and the destination. */
function routeDst(c: ArgCursor, st: RouteState, w: Word): void {
  const { spec } = st;
  let tw = w.text === "to" ? c.nextArg() : w;
  const ty = rtntypeA2n(tw.text);
  if (ty && !spec.type && tw.text !== "to") {
    spec.type = ty;
    tw = c.nextArg();
    if (tw.text === "to") tw = c.nextArg();
  }
  if (spec.dst) c.duparg2("to", tw);
  spec.dst = prefixArg(c, tw, st.familyKnown ? spec.family : undefined);
  setFamily(st, spec.dst.addr.family);
}

type GetState = Omit<RouteGetQuery, "dst" | "family"> & { family?: Family; dst?: Addr };

/** iproute_get: one branch per keyword in iproute.c's order; any other word is the address. */
function parseRouteGet(c: ArgCursor, opts: IpOptions): IpCommand {
  const q: GetState = { fibmatch: false, connected: false, words: c.words };
  q.family = opts.family;
  while (!c.done) {
    const w = c.next()!;
    const t = w.text;
    if (t === "tos" || matches(t, "dsfield")) q.tos = parseTos(c, c.nextArg());
    else if (matches(t, "from")) {
      const v = c.nextArg();
      const r = parsePrefix(v.text, q.family);
      if (!r.ok)
        c.fail("ip.prefix", `Error: any valid prefix is expected rather than "${v.text}".`, v, 1);
      q.from = r.value.addr;
      q.family ??= r.value.addr.family;
    } else if (t === "iif") q.iif = c.nextArg().text;
    else if (matches(t, "mark")) q.mark = u32Arg(c, "invalid mark value");
    else if (matches(t, "oif") || t === "dev") q.oif = c.nextArg().text;
    else if (matches(t, "notify")) {
      /* no effect */
    } else if (matches(t, "connected")) q.connected = true;
    else if (t === "vrf") c.fail("ip.not-modelled", "VRF devices are not available", w, 1);
    else if (t === "uid") q.uid = u32Arg(c, "invalid UID\n");
    else if (matches(t, "fibmatch")) q.fibmatch = true;
    else if (t === "as") c.fail("ip.not-modelled", "`as` (NAT) is not modelled", w, 1);
    else if (t === "sport" || t === "dport") {
      // iproute.c: get_be16 base 0
      const v = c.nextArg();
      q[t] = getU16(v.text) ?? c.invarg(`invalid ${t}\n`, v);
    } else if (t === "ipproto") {
      const v = c.nextArg();
      q.ipproto = inetProtoA2n(v.text) ?? c.invarg('Invalid "ipproto" value\n', v);
    } else getDst(c, q, t === "to" ? c.nextArg() : w);
  }
  const { dst, family: _family, ...rest } = q;
  if (!dst)
    return c.fail(
      "ip.incomplete",
      "need at least a destination address",
      undefined,
      1,
      "a destination address",
    );
  return { obj: "route", op: "get", query: { ...rest, family: dst.family, dst } };
}

/** get_u32 base 0 or invarg(why). */
function u32Arg(c: ArgCursor, why: string): number {
  const v = c.nextArg();
  return getU32(v.text) ?? c.invarg(why, v);
}

/** The address asked about: get_prefix's message, or "inet prefix" after tos/from. */
function getDst(c: ArgCursor, q: GetState, tw: Word): void {
  if (q.dst) c.duparg2("to", tw);
  const r = parsePrefix(tw.text, q.family);
  if (!r.ok)
    c.fail(
      "ip.prefix",
      q.tos === undefined && !q.from
        ? `Error: any valid prefix is expected rather than "${tw.text}".`
        : `Error: inet prefix is expected rather than "${tw.text}".`,
      tw,
      1,
    );
  q.dst = r.value.addr;
  q.family ??= q.dst.family;
  // iproute_get: a length other than the full one is warned about and sent as full.
  const full = q.dst.family === 4 ? 32 : 128;
  if (r.value.len !== full) q.dstLen = r.value.len;
}
