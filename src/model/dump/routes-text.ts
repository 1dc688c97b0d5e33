/**
 * Route dumps as text: one line of `ip route show table all` into a route.
 * @module
 */
import { parseAddr, parsePrefix, type Family } from "../../addr/ip.js";
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

/**
 * One line of `ip route show` (iproute2 ip/iproute.c print_route); a `nexthop` line adds
 * to the multipath route before it. One switch over the attributes iproute2 prints, one
 * case per attribute: longer than 80 lines because the list is.
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
  const p = parsePrefix(t.s, family);
  if (!p.ok) throw rejected(t.pos, t.s, p.expected);
  r.dst = p.value;
  const top = { nh: newNh(), dev: undefined as string | undefined, flags: new Set<string>() };
  const hops: Hop[] = [];
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
        if (!q.ok) throw rejected(v.pos, v.s, q.expected);
        r.src = q.value;
        break;
      }
      case "tos":
      case "dsfield": {
        const v = c.next("a dsfield");
        const n = dsfieldA2n(v.s);
        if (n === undefined) throw rejected(v.pos, v.s, "a dsfield");
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
        if (!a.ok) throw rejected(v.pos, v.s, a.expected);
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
        if (n === undefined) throw rejected(v.pos, v.s, "a route protocol");
        r.protocol = n;
        break;
      }
      case "scope": {
        const v = c.next("a scope");
        const n = rtscopeA2n(v.s);
        if (n === undefined) throw rejected(v.pos, v.s, "a scope");
        r.scope = n;
        break;
      }
      case "src": {
        const v = c.next("an address");
        const a = parseAddr(v.s, family);
        if (!a.ok) throw rejected(v.pos, v.s, a.expected);
        r.prefsrc = a.value;
        break;
      }
      case "metric":
      case "priority":
      case "preference": {
        const v = c.next("a number");
        const n = getUnsignedMax(v.s, 0xffffffff);
        if (n === undefined) throw rejected(v.pos, v.s, "a metric");
        r.metric = n;
        break;
      }
      case "pref": {
        const v = c.next("a preference");
        const n =
          v.s === "medium" ? 0 : v.s === "high" ? 1 : v.s === "low" ? 3 : getUnsignedMax(v.s, 255);
        if (n === undefined) throw rejected(v.pos, v.s, "low, medium or high");
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
        throw rejected(k.pos, k.s, "a route attribute as `ip route show` prints it");
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
      case "via": {
        let v = c.next("an address");
        let fam: Family | undefined = family;
        if (v.s === "inet" || v.s === "inet6") {
          fam = v.s === "inet" ? 4 : 6;
          v = c.next("an address");
        }
        const a = parseAddr(v.s, fam);
        if (!a.ok) throw rejected(v.pos, v.s, a.expected);
        nh.gateway = a.value;
        break;
      }
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
