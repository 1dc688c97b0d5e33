/**
 * The addrtype (xt_addrtype.c) match: parsing with iptables 1.8.9's wording, the canonical
 * iptables-save text, kernel restrictions and evaluation on an NfPacket.
 * @module
 */
import type { Addr } from "../../../addr/ip.js";
import type { MatchExt } from "../ext.js";
import { x6Check, x6Final } from "../ext.js";
import { HOOK_BIT } from "../types.js";
import type { ParseCtx } from "../types.js";
import { paramError } from "../util.js";
import { bool, num } from "./common.js";

// ---------------------------------------------------------------------------------------------
// addrtype

export const ADDRTYPES = [
  "UNSPEC",
  "UNICAST",
  "LOCAL",
  "BROADCAST",
  "ANYCAST",
  "MULTICAST",
  "BLACKHOLE",
  "UNREACHABLE",
  "PROHIBIT",
  "THROW",
  "NAT",
  "XRESOLVE",
] as const;

function parseTypes(ctx: ParseCtx, s: string, at: number): number {
  let v = 0;
  for (const part of s.split(",")) {
    const i = ADDRTYPES.findIndex((x) => x.toLowerCase() === part.toLowerCase());
    if (i < 0)
      throw paramError(
        ctx.prog,
        `addrtype: bad type "${part}"`,
        at,
        "iptables.bad-value",
        ADDRTYPES.join(","),
      );
    v |= 1 << i;
  }
  return v;
}

export const addrtype: MatchExt = {
  kind: "match",
  name: "addrtype",
  opts: [
    { name: "src-type", id: 0, arg: true, inv: true },
    { name: "dst-type", id: 1, arg: true, inv: true },
    { name: "limit-iface-in", id: 2, arg: false },
    { name: "limit-iface-out", id: 3, arg: false },
  ],
  init: () => ({ src: 0, dst: 0 }),
  parse(a) {
    x6Check(a, "addrtype");
    const d = a.st.data;
    if (a.spec.id === 0) {
      d.src = parseTypes(a.ctx, a.arg!, a.valAt);
      d.srcInv = a.invert;
    } else if (a.spec.id === 1) {
      d.dst = parseTypes(a.ctx, a.arg!, a.valAt);
      d.dstInv = a.invert;
    } else if (a.spec.id === 2) d.limitIn = true;
    else d.limitOut = true;
  },
  final(ctx, st) {
    x6Final(ctx, st, "addrtype", [
      { id: 0, name: "src-type" },
      { id: 1, name: "dst-type" },
      { id: 2, name: "limit-iface-in", excl: 8 },
      { id: 3, name: "limit-iface-out", excl: 4 },
    ]);
    if (!(st.flags & 3))
      throw paramError(
        ctx.prog,
        "addrtype: you must specify --src-type or --dst-type",
        st.argIndex,
        "iptables.missing-option",
      );
  },
  save(d) {
    const t = (v: number) => ADDRTYPES.filter((_, i) => v & (1 << i)).join(",");
    let s = "";
    if (num(d, "src")) s += `${bool(d, "srcInv") ? " !" : ""} --src-type ${t(num(d, "src"))}`;
    if (num(d, "dst")) s += `${bool(d, "dstInv") ? " !" : ""} --dst-type ${t(num(d, "dst"))}`;
    if (d.limitIn) s += " --limit-iface-in";
    if (d.limitOut) s += " --limit-iface-out";
    return s;
  },
  kernel: {
    reason:
      "--limit-iface-in only in PREROUTING/INPUT/FORWARD, " +
      "--limit-iface-out only in OUTPUT/POSTROUTING/FORWARD; " +
      "IPv6 has no BROADCAST, BLACKHOLE or PROHIBIT..XRESOLVE types",
    check(d, _rule, hookMask, family) {
      if (d.limitIn && d.limitOut) return "EINVAL";
      if (hookMask & (HOOK_BIT.prerouting | HOOK_BIT.input) && d.limitOut) return "EINVAL";
      if (hookMask & (HOOK_BIT.output | HOOK_BIT.postrouting) && d.limitIn) return "EINVAL";
      if (family === 6) {
        const all = num(d, "src") | num(d, "dst");
        if (all & (1 << 6)) return "EINVAL"; // BLACKHOLE
        if (all >= 1 << 8) return "EINVAL"; // PROHIBIT and above
        if (all & (1 << 3)) return "EINVAL"; // BROADCAST
      }
      return undefined;
    },
  },
  match(d, pkt, ectx) {
    const dev = d.limitIn ? pkt.iifname : d.limitOut ? pkt.oifname : undefined;
    const typeBit = (a: Addr) => {
      const t = ectx.host.addrType(a, dev || undefined).toUpperCase();
      const i = ADDRTYPES.indexOf(t as (typeof ADDRTYPES)[number]);
      return i < 0 ? 0 : 1 << i;
    };
    if (num(d, "src") && ((typeBit(pkt.saddr) & num(d, "src")) !== 0) === bool(d, "srcInv"))
      return false;
    if (num(d, "dst") && ((typeBit(pkt.daddr) & num(d, "dst")) !== 0) === bool(d, "dstInv"))
      return false;
    return true;
  },
};
