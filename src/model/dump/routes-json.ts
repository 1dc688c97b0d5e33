/**
 * Route dumps as JSON: one object of `ip -j route show` into a route.
 * @module
 */
import { parseAddr, parsePrefix, type Addr } from "../../addr/ip.js";
import type { RouteType } from "../../core/kinds.js";
import type { JNode } from "../../parse/dump-json.js";
import { getUnsignedMax } from "../../addr/num.js";
import { dsfieldA2n, METRIC_INDEX, rtprotA2n, rtscopeA2n } from "../../parse/names.js";
import { newNh, newRoute } from "../route-skeleton.js";
import type { Route } from "../types.js";
import { ROUTE_TYPES } from "./detect.js";
import { type Loader, num, rejected, str, tokenOf } from "./loader.js";
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

/**
 * One object of `ip -j route show` (iproute2 ip/iproute.c print_route). One switch over
 * the keys iproute2 prints, one case per key: longer than 80 lines because the list is.
 */
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
  const hops: Hop[] = [];
  const top = { nh: newNh(), dev: undefined as string | undefined, flags: new Set<string>() };
  let hasNexthops = false;
  const addr = (n: JNode): Addr => {
    const s = str(n, "an address");
    const a = parseAddr(s, family);
    if (!a.ok) throw rejected(n.pos, s, a.expected);
    return a.value;
  };
  const flagsOf = (n: JNode, into: Set<string>) => {
    if (n.t !== "arr") throw rejected(n.pos, tokenOf(n), "an array of flags");
    for (const f of n.items) {
      const s = str(f, "a flag");
      if (!NH_FLAGS.has(s)) throw rejected(f.pos, s, "a route flag (dead, onlink, linkdown, ...)");
      into.add(s);
    }
  };
  for (const { key, keyPos, value } of o.entries) {
    switch (key) {
      case "type": {
        const s = str(value, "a route type");
        if (!ROUTE_TYPES.has(s)) throw rejected(value.pos, s, "a route type");
        r.type = s as RouteType;
        break;
      }
      case "dst": {
        const s = str(value, "a prefix");
        const p = parsePrefix(s, family);
        if (!p.ok) throw rejected(value.pos, s, p.expected);
        r.dst = p.value;
        break;
      }
      case "from": {
        const s = str(value, "a prefix");
        const p = parsePrefix(s, family);
        if (!p.ok) throw rejected(value.pos, s, p.expected);
        r.src = p.value;
        break;
      }
      case "tos": {
        const s = str(value, "a dsfield");
        const t = dsfieldA2n(s);
        if (t === undefined) throw rejected(value.pos, s, "a dsfield");
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
        if (p === undefined) throw rejected(value.pos, s, "a route protocol");
        r.protocol = p;
        break;
      }
      case "scope": {
        const s = str(value, "a scope");
        const p = rtscopeA2n(s);
        if (p === undefined) throw rejected(value.pos, s, "a scope");
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
        break;
      }
      case "pref": {
        const s = value.t === "num" ? String(value.v) : str(value, "low, medium or high");
        const p = s === "medium" ? 0 : s === "high" ? 1 : s === "low" ? 3 : getUnsignedMax(s, 255);
        if (p === undefined) throw rejected(value.pos, s, "low, medium or high");
        r.pref6 = p;
        break;
      }
      case "expires":
      case "error":
        break; // not modelled
      case "nexthops": {
        hasNexthops = true;
        if (value.t !== "arr") throw rejected(value.pos, tokenOf(value), "an array of nexthops");
        for (const h of value.items) {
          if (h.t !== "obj") throw rejected(h.pos, tokenOf(h), "a nexthop object");
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
                throw rejected(
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
        throw rejected(
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
