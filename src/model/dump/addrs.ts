/**
 * Address dumps: the `addr_info` entries of `ip -j addr show`, which replace the
 * addresses of each link the dump lists.
 * @module
 */
import { parseAddr, type Addr, type Family } from "../../addr/ip.js";
import type { JNode } from "../../parse/dump-json.js";
import { rtscopeA2n } from "../../parse/names.js";
import type { IfAddr, Link } from "../types.js";
import { type Loader, num, rejected, str } from "./loader.js";

/**
 * One `addr_info` entry of `ip -j addr show` (iproute2 ip/ipaddress.c print_addrinfo);
 * the lifetimes of a `dynamic` address are kept as dumped (not counted down).
 */
export function addrFromJson(ld: Loader, o: Extract<JNode, { t: "obj" }>, link: Link): IfAddr {
  const get = (k: string) => o.entries.find((e) => e.key === k)?.value;
  const famN = get("family");
  const fs = famN ? str(famN, "inet or inet6") : "";
  if (fs !== "inet" && fs !== "inet6")
    throw rejected(
      famN?.pos ?? o.pos,
      fs || "{",
      "family inet or inet6 (other families are not modelled)",
    );
  const family: Family = fs === "inet" ? 4 : 6;
  const a = (n: JNode | undefined, what: string): Addr => {
    if (!n) throw rejected(o.pos, "{", what);
    const s = str(n, what);
    const r = parseAddr(s, family);
    if (!r.ok) throw rejected(n.pos, s, r.expected);
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
    if (n === undefined) throw rejected(sc.pos, s, "a scope");
    ia.scope = n;
  }
  if (get("address")) ia.peer = a(get("address"), "a peer address");
  if (get("broadcast")) ia.broadcast = a(get("broadcast"), "a broadcast address");
  if (get("secondary") || get("temporary")) ia.secondary = true;
  if (get("nodad")) ia.nodad = true;
  if (get("noprefixroute")) ia.noprefixroute = true;
  if (get("dynamic")) ia.lifetimes = lifetimesOf(get);
  const states = DUMPED_FLAGS.filter((f) => get(f));
  if (states.length) ia.dumpedFlags = states;
  const lab = get("label");
  if (lab) {
    const s = str(lab, "a label");
    if (s !== link.name) ia.label = s;
  }
  return ia;
}

/** Address states iproute2 prints between `nodad` and `dynamic` (print_ifa_flags order). */
const DUMPED_FLAGS = ["optimistic", "dadfailed", "home", "deprecated", "tentative"];

/** `valid_life_time` / `preferred_life_time` (INFINITY_LIFE_TIME when absent). */
function lifetimesOf(get: (k: string) => JNode | undefined): { valid: number; preferred: number } {
  const life = (k: string) => {
    const n = get(k);
    return n ? num(n, "a lifetime", 0xffffffff) : 0xffffffff;
  };
  return { valid: life("valid_life_time"), preferred: life("preferred_life_time") };
}
