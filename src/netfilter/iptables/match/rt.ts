import type { MatchExt } from "../ext.js";
import { x6Check, x6Final } from "../ext.js";
import { paramError, strtoul } from "../util.js";
import { bool, num } from "./common.js";

/**
 * ip6tables `-m rt` (libip6t_rt, ip6t_rt): the IPv6 routing header. Only `--rt-type` is
 * modelled (ufw's before6.rules drops type 0); the others are refused as not modelled.
 * routelab's packets carry no extension headers, and rt_mt6 returns false when
 * ipv6_find_hdr finds no routing header, whatever the inversion.
 */
export const rt: MatchExt = {
  kind: "match",
  name: "rt",
  families: [6],
  opts: [
    { name: "rt-type", id: 0, arg: true, inv: true },
    { name: "rt-segsleft", id: 1, arg: true, inv: true, unsupported: true },
    { name: "rt-len", id: 2, arg: true, inv: true, unsupported: true },
    { name: "rt-0-res", id: 3, arg: false, unsupported: true },
    { name: "rt-0-addrs", id: 4, arg: true, unsupported: true },
    { name: "rt-0-not-strict", id: 5, arg: false, unsupported: true },
  ],
  init: () => ({ type: 0, inv: false, typed: false }),
  parse(a) {
    x6Check(a, "rt");
    const v = strtoul(a.arg!, 0, 0xffffffff);
    if (!v)
      throw paramError(
        a.ctx.prog,
        'rt: bad value for option "--rt-type", or out of range (0-4294967295).',
        a.valAt,
        "iptables.bad-value",
      );
    a.st.data.type = v[0];
    a.st.data.inv = a.invert;
    a.st.data.typed = true;
  },
  final(ctx, st) {
    x6Final(ctx, st, "rt", []);
  },
  save(d) {
    // rt_save prints only the options given (IP6T_RT_TYP).
    if (!bool(d, "typed")) return "";
    return `${bool(d, "inv") ? " !" : ""} --rt-type ${num(d, "type")}`;
  },
  match() {
    return false;
  },
};
