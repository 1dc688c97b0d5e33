/**
 * Route dumps as text: one line of `ip route show table all` into a route.
 * @module
 */
import { type Addr, parseAddr, parsePrefix, type Family } from "../../addr/ip.js";
import type { RouteType } from "../../core/kinds.js";
import { getUnsignedMax } from "../../addr/num.js";
import { dsfieldA2n, METRIC_INDEX, rtprotA2n, rtscopeA2n } from "../../parse/names.js";
import { newNh, newRoute } from "../route-skeleton.js";
import type { Nexthop, Route } from "../types.js";
import { ROUTE_TYPES } from "./detect.js";
import { type Loader, rejected } from "./loader.js";
import { finishNexthops, guessRouteFamily, type Hop, NH_FLAGS, realDead } from "./routes.js";
import { Cursor, type Tok } from "./tokens.js";

const METRIC_WORDS = new Set([...METRIC_INDEX.keys()]);

/** What one line of `ip route show` has read so far. */
interface RouteLine {
  ld: Loader;
  c: Cursor;
  r: Route;
  family: Family;
  /** The route's own nexthop (`via`, `dev`, flags) when it has no `nexthop` words. */
  top: Hop & { dev: string | undefined };
  /** The `nexthop` groups on the line itself. */
  hops: Hop[];
}

/**
 * One line of `ip route show` (iproute2 ip/iproute.c print_route); a `nexthop` line adds
 * to the multipath route before it. Each attribute is read by its entry in ATTRIBUTES.
 */
export function routeFromText(ld: Loader, c: Cursor, prev: Route | undefined): Route | "continued" {
  const first = c.peek()!;
  if (first.s === "nexthop") {
    if (!prev || !prev.multipath)
      throw rejected(
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
  const family = lineFamily(c, t);
  const r = newRoute(family);
  r.type = type;
  const p = parsePrefix(t.s, family);
  if (!p.ok) throw rejected(t.pos, t.s, p.expected);
  r.dst = p.value;
  const x: RouteLine = {
    ld,
    c,
    r,
    family,
    top: { nh: newNh(), dev: undefined, flags: new Set<string>() },
    hops: [],
  };
  while (!c.done()) attribute(x, c.next("a route attribute"));
  return finishLine(x, type);
}

/** The family: from any address on the line, else `pref` (IPv6 always prints it). */
function lineFamily(c: Cursor, dst: Tok): Family {
  const words = c.toks.map((x) => x.s);
  return guessRouteFamily(
    [
      dst.s,
      ...words.filter((w, i) => i > 0 && ["from", "via", "src"].includes(words[i - 1]!)),
    ].filter((w) => w !== "default"),
    words.includes("pref"),
  );
}

/** One attribute: a nexthop flag, a metric, or a keyword of ATTRIBUTES. */
function attribute(x: RouteLine, k: Tok): void {
  if (NH_FLAGS.has(k.s)) {
    x.top.flags.add(k.s);
    return;
  }
  if (METRIC_WORDS.has(k.s)) return metric(x, k);
  const read = ATTRIBUTES.get(k.s);
  if (!read) throw rejected(k.pos, k.s, "a route attribute as `ip route show` prints it");
  read(x);
}

/** `NAME [lock] VALUE` of the metrics iproute2 prints (print_rta_metrics). */
function metric({ c, r }: RouteLine, k: Tok): void {
  let v = c.next("a value");
  let lock = false;
  if (v.s === "lock") {
    lock = true;
    v = c.next("a value");
  }
  const val = metricValue(k.s, v);
  (r.metrics ??= []).push(lock ? { name: k.s, value: val, lock } : { name: k.s, value: val });
}

/** The nexthops: the line's `nexthop` groups, a multipath head, or the route's own. */
function finishLine({ ld, r, top, hops }: RouteLine, type: RouteType): Route {
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

/** `via [inet|inet6] ADDR` (a gateway of another family after its family word). */
function gateway(c: Cursor, family: Family): Addr {
  let v = c.next("an address");
  let fam: Family | undefined = family;
  if (v.s === "inet" || v.s === "inet6") {
    fam = v.s === "inet" ? 4 : 6;
    v = c.next("an address");
  }
  const a = parseAddr(v.s, fam);
  if (!a.ok) throw rejected(v.pos, v.s, a.expected);
  return a.value;
}

/** An address of the line's family, rejected as that family's parser says. */
function address(c: Cursor, family: Family, what: string): Addr {
  const v = c.next(what);
  const a = parseAddr(v.s, family);
  if (!a.ok) throw rejected(v.pos, v.s, a.expected);
  return a.value;
}

/** `tos`/`dsfield VALUE`. */
function tos({ c, r }: RouteLine): void {
  r.tos = c.value("a dsfield", dsfieldA2n);
}

/** `metric`/`priority`/`preference N`. */
function priority({ c, r }: RouteLine): void {
  r.metric = c.value("a number", (s) => getUnsignedMax(s, 0xffffffff), "a metric");
}

/** `pref low|medium|high` (RFC 4191, IPv6 only; iproute2 print_rt_pref). */
function pref(s: string): number | undefined {
  return s === "medium" ? 0 : s === "high" ? 1 : s === "low" ? 3 : getUnsignedMax(s, 255);
}

/** RA lifetimes / old kernels' reject errors: not modelled. */
function ignored({ c }: RouteLine): void {
  c.next("a value");
}

type Attribute = (x: RouteLine) => void;

/** Each attribute `ip route show` prints (metrics and flags aside), and its reader. */
const ATTRIBUTES: ReadonlyMap<string, Attribute> = new Map(
  Object.entries<Attribute>({
    from: ({ c, r, family }) => {
      const v = c.next("a prefix");
      const q = parsePrefix(v.s, family);
      if (!q.ok) throw rejected(v.pos, v.s, q.expected);
      r.src = q.value;
    },
    tos,
    dsfield: tos,
    via: ({ c, top, family }) => {
      top.nh.gateway = gateway(c, family);
    },
    dev: ({ c, top }) => {
      top.dev = c.next("an interface name").s;
    },
    table: ({ ld, c, r }) => {
      const v = c.next("a table");
      r.table = ld.table(v.s, v.pos);
    },
    proto: ({ c, r }) => {
      r.protocol = c.value("a protocol", rtprotA2n, "a route protocol");
    },
    scope: ({ c, r }) => {
      r.scope = c.value("a scope", rtscopeA2n);
    },
    src: ({ c, r, family }) => {
      r.prefsrc = address(c, family, "an address");
    },
    metric: priority,
    priority,
    preference: priority,
    pref: ({ c, r }) => {
      r.pref6 = c.value("a preference", pref, "low, medium or high");
    },
    expires: ignored,
    error: ignored,
    nexthop: ({ ld, c, family, hops }) => {
      const sub = new Cursor(c.toks, c.endPos);
      sub.i = c.i;
      hops.push({ nh: parseHop(ld, sub, family), flags: new Set() });
      c.i = sub.i;
    },
  }),
);

/** `nexthop via A dev D weight W FLAGS` up to the next `nexthop`. */
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
      case "via":
        nh.gateway = gateway(c, family);
        break;
      case "dev":
        dev = c.next("an interface name").s;
        break;
      case "weight": {
        const v = c.next("a weight");
        const n = getUnsignedMax(v.s, 256);
        if (!n) throw rejected(v.pos, v.s, "a weight 1..256");
        nh.weight = n;
        break;
      }
      default:
        throw rejected(k.pos, k.s, "via, dev, weight or a nexthop flag");
    }
  }
  const linkdown = flags.has("linkdown");
  if (dev !== undefined) nh.ifindex = ld.link(dev, linkdown, flags.has("dead"));
  const l = ld.state.links.find((x) => x.ifindex === nh.ifindex);
  nh.dead = realDead(ld.state, family, flags, l);
  nh.onlink = flags.has("onlink");
  return nh;
}

/** A metric value as iproute2 prints it (times in ms, `features ecn`). */
function metricValue(name: string, v: Tok): number {
  if (name === "rtt" || name === "rttvar" || name === "rto_min") {
    const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(v.s);
    if (!m) throw rejected(v.pos, v.s, "a time like 100ms");
    return Math.round(Number(m[1]) * (m[2] === "s" ? 1000 : 1));
  }
  if (name === "features") {
    if (v.s === "ecn") return 1;
    const n = getUnsignedMax(v.s, 0xffffffff);
    if (n === undefined) throw rejected(v.pos, v.s, "ecn or a number");
    return n;
  }
  const n = getUnsignedMax(v.s, 0xffffffff);
  if (n === undefined) throw rejected(v.pos, v.s, `a number for ${name}`);
  return n;
}
