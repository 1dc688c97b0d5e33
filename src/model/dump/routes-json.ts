/**
 * Route dumps as JSON: one object of `ip -j route show` into a route.
 * @module
 */
import { type Addr, type Family, parseAddr, parsePrefix, type Prefix } from "../../addr/ip.js";
import type { RouteType } from "../../core/kinds.js";
import type { JNode } from "../../parse/dump-json.js";
import { getUnsignedMax } from "../../addr/num.js";
import { dsfieldA2n, METRIC_INDEX, rtprotA2n, rtscopeA2n } from "../../parse/names.js";
import { newNh, newRoute } from "../route-skeleton.js";
import type { Route } from "../types.js";
import { ROUTE_TYPES } from "./detect.js";
import { type Loader, named, num, rejected, str, tokenOf } from "./loader.js";
import { finishNexthops, guessRouteFamily, type Hop, NH_FLAGS } from "./routes.js";

/** RTA_VIA in JSON: `{"family":"inet6","host":"fe80::1"}`. */
function viaAddr(value: JNode): Addr {
  if (value.t !== "obj") throw rejected(value.pos, tokenOf(value), "an object {family, host}");
  const h = value.entries.find((e) => e.key === "host")?.value;
  if (!h) throw rejected(value.pos, "{", "a host");
  const s = str(h, "an address");
  const a = parseAddr(s);
  if (!a.ok) throw rejected(h.pos, s, a.expected);
  return a.value;
}

type Obj = Extract<JNode, { t: "obj" }>;

/** What one object of `ip -j route show` has read so far. */
interface RouteObj {
  ld: Loader;
  r: Route;
  family: Family;
  /** The route's own nexthop when it has no `nexthops` array. */
  top: Hop & { dev: string | undefined };
  hops: Hop[];
  hasNexthops: boolean;
}

/**
 * One object of `ip -j route show` (iproute2 ip/iproute.c print_route). Each key is read
 * by its entry in KEYS.
 */
export function routeFromJson(ld: Loader, o: Obj): Route {
  const get = (k: string) => o.entries.find((e) => e.key === k)?.value;
  const addrVals = ["dst", "from", "gateway", "prefsrc"]
    .map((k) => get(k))
    .filter((n): n is Extract<JNode, { t: "str" }> => n?.t === "str")
    .map((n) => n.v);
  const family = guessRouteFamily(
    addrVals.filter((v) => v !== "default"),
    get("pref") !== undefined,
  );
  const x: RouteObj = {
    ld,
    r: newRoute(family),
    family,
    top: { nh: newNh(), dev: undefined, flags: new Set<string>() },
    hops: [],
    hasNexthops: false,
  };
  for (const { key, keyPos, value } of o.entries) {
    const read = KEYS.get(key);
    if (!read)
      throw rejected(keyPos, key, "a key of `ip -j route show`", `unsupported route key "${key}"`);
    read(x, value);
  }
  const { r, top, hops } = x;
  if (family === 6 && top.dev === undefined && !x.hasNexthops) top.dev = undefined;
  if (!x.hasNexthops) hops.push(top);
  finishNexthops(ld, r, hops);
  return r;
}

/** An address of the route's family. */
function addr(n: JNode, family: Family): Addr {
  const s = str(n, "an address");
  const a = parseAddr(s, family);
  if (!a.ok) throw rejected(n.pos, s, a.expected);
  return a.value;
}

/** A prefix of the route's family. */
function prefix(n: JNode, family: Family): Prefix {
  const s = str(n, "a prefix");
  const p = parsePrefix(s, family);
  if (!p.ok) throw rejected(n.pos, s, p.expected);
  return p.value;
}

/** `"flags": [...]`, the nexthop flags iproute2 prints. */
function flagsOf(n: JNode, into: Set<string>): void {
  if (n.t !== "arr") throw rejected(n.pos, tokenOf(n), "an array of flags");
  for (const f of n.items) {
    const s = str(f, "a flag");
    if (!NH_FLAGS.has(s)) throw rejected(f.pos, s, "a route flag (dead, onlink, linkdown, ...)");
    into.add(s);
  }
}

/** `"metrics": [{"mtu": 1400}, ...]` (print_rta_metrics), numeric metrics only. */
function metrics(r: Route, value: JNode): void {
  if (value.t !== "arr") throw rejected(value.pos, tokenOf(value), "an array");
  r.metrics = [];
  for (const m of value.items) {
    if (m.t !== "obj") throw rejected(m.pos, tokenOf(m), "an object");
    for (const e of m.entries) {
      if (!METRIC_INDEX.has(e.key) || e.key === "congctl")
        throw rejected(e.keyPos, e.key, "a numeric route metric (mtu, advmss, ...)");
      r.metrics.push({ name: e.key, value: num(e.value, "a number") });
    }
  }
}

/** `"pref": "medium"` (RFC 4191; iproute2 print_rt_pref), or the number. */
function pref(value: JNode): number {
  const s = value.t === "num" ? String(value.v) : str(value, "low, medium or high");
  const p = s === "medium" ? 0 : s === "high" ? 1 : s === "low" ? 3 : getUnsignedMax(s, 255);
  if (p === undefined) throw rejected(value.pos, s, "low, medium or high");
  return p;
}

/** `"nexthops": [{gateway, dev, weight, flags}, ...]` (print_rta_multipath). */
function nexthops(x: RouteObj, value: JNode): void {
  x.hasNexthops = true;
  if (value.t !== "arr") throw rejected(value.pos, tokenOf(value), "an array of nexthops");
  for (const h of value.items) {
    if (h.t !== "obj") throw rejected(h.pos, tokenOf(h), "a nexthop object");
    x.hops.push(nexthop(h, x.family));
  }
}

/** One object of `nexthops`. */
function nexthop(h: Obj, family: Family): Hop & { dev: string | undefined } {
  const hop = { nh: newNh(), dev: undefined as string | undefined, flags: new Set<string>() };
  for (const e of h.entries) {
    switch (e.key) {
      case "gateway":
        hop.nh.gateway = addr(e.value, family);
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
        throw rejected(
          e.keyPos,
          e.key,
          "gateway, dev, weight or flags",
          `unsupported nexthop key "${e.key}"`,
        );
    }
  }
  return hop;
}

type Key = (x: RouteObj, value: JNode) => void;

/** Each key `ip -j route show` prints, and its reader (one per key). */
const KEYS: ReadonlyMap<string, Key> = new Map(
  Object.entries<Key>({
    type: ({ r }, value) => {
      const s = str(value, "a route type");
      if (!ROUTE_TYPES.has(s)) throw rejected(value.pos, s, "a route type");
      r.type = s as RouteType;
    },
    dst: ({ r, family }, value) => {
      r.dst = prefix(value, family);
    },
    from: ({ r, family }, value) => {
      r.src = prefix(value, family);
    },
    tos: ({ r }, value) => {
      r.tos = named(value, "a dsfield", dsfieldA2n);
    },
    gateway: ({ top, family }, value) => {
      top.nh.gateway = addr(value, family);
    },
    via: ({ top }, value) => {
      top.nh.gateway = viaAddr(value);
    },
    dev: ({ top }, value) => {
      top.dev = str(value, "an interface name");
    },
    table: ({ ld, r }, value) => {
      r.table = ld.table(str(value, "a table"), value.pos);
    },
    protocol: ({ r }, value) => {
      r.protocol = named(value, "a protocol", rtprotA2n, "a route protocol");
    },
    scope: ({ r }, value) => {
      r.scope = named(value, "a scope", rtscopeA2n);
    },
    prefsrc: ({ r, family }, value) => {
      r.prefsrc = addr(value, family);
    },
    metric: ({ r }, value) => {
      r.metric = num(value, "a metric");
    },
    flags: ({ top }, value) => flagsOf(value, top.flags),
    metrics: ({ r }, value) => metrics(r, value),
    pref: ({ r }, value) => {
      r.pref6 = pref(value);
    },
    expires: () => {}, // not modelled
    error: () => {},
    nexthops,
  }),
);
