/**
 * The iprange (xt_iprange.c) match: parsing with iptables 1.8.9's wording, the canonical
 * iptables-save text, kernel restrictions and evaluation on an NfPacket.
 * @module
 */
import type { Addr } from "../../../addr/ip.js";
import type { MatchExt } from "../ext.js";
import { x6Check } from "../ext.js";
import type { ParseCtx } from "../types.js";
import { addrCmp, ntop, paramError, resolveHost } from "../util.js";
import { parseAddr } from "../../../addr/ip.js";
import { bool } from "./common.js";

// ---------------------------------------------------------------------------------------------
// iprange

function parseIpRange(ctx: ParseCtx, s: string, at: number, opt: string): [Addr, Addr] {
  const dash = s.indexOf("-");
  const parts = dash >= 0 ? [s.slice(0, dash), s.slice(dash + 1)] : [s, s];
  const out: Addr[] = [];
  for (const part of parts) {
    // numeric only (xtables_numeric_to_ipaddr / ip6addr): `1.2.3` is 1.2.3.0, no host names
    const a =
      /[a-zA-Z]/.test(part) && ctx.family === 4
        ? undefined
        : ctx.family === 4
          ? resolveHost(part, 4, {})?.[0]
          : parseAddr(part, 6).ok
            ? (parseAddr(part, 6) as { ok: true; value: Addr }).value
            : undefined;
    if (!a || (ctx.family === 4 && part === "localhost"))
      throw paramError(
        ctx.prog,
        `iprange: Bad value for "--${opt}" option: "${part}"`,
        at,
        "iptables.bad-address",
        ctx.family === 4 ? "A.B.C.D[-A.B.C.D]" : "an IPv6 address range",
      );
    out.push(a);
  }
  if (addrCmp(out[0]!, out[1]!) > 0)
    ctx.warnings.push(
      `xt_iprange: range ${ntop(out[0]!)}-${ntop(out[1]!)} is reversed and will never match`,
    );
  return [out[0]!, out[1]!];
}

export const iprange: MatchExt = {
  kind: "match",
  name: "iprange",
  opts: [
    { name: "src-range", id: 0, arg: true, inv: true },
    { name: "dst-range", id: 1, arg: true, inv: true },
  ],
  init: () => ({}),
  parse(a) {
    x6Check(a, "iprange");
    const r = parseIpRange(a.ctx, a.arg!, a.valAt, a.spec.name);
    if (a.spec.id === 0) {
      a.st.data.src = r;
      a.st.data.srcInv = a.invert;
    } else {
      a.st.data.dst = r;
      a.st.data.dstInv = a.invert;
    }
  },
  final(ctx, st) {
    if (!st.flags)
      throw paramError(
        ctx.prog,
        "iprange match: You must specify `--src-range' or `--dst-range'",
        st.argIndex,
        "iptables.missing-option",
      );
  },
  save(d) {
    let s = "";
    const src = d.src as [Addr, Addr] | undefined,
      dst = d.dst as [Addr, Addr] | undefined;
    if (src) s += `${bool(d, "srcInv") ? " !" : ""} --src-range ${ntop(src[0])}-${ntop(src[1])}`;
    if (dst) s += `${bool(d, "dstInv") ? " !" : ""} --dst-range ${ntop(dst[0])}-${ntop(dst[1])}`;
    return s;
  },
  match(d, pkt) {
    const inr = (a: Addr, r: [Addr, Addr]) =>
      a.family === r[0].family && addrCmp(a, r[0]) >= 0 && addrCmp(a, r[1]) <= 0;
    const src = d.src as [Addr, Addr] | undefined,
      dst = d.dst as [Addr, Addr] | undefined;
    if (src && inr(pkt.saddr, src) === bool(d, "srcInv")) return false;
    if (dst && inr(pkt.daddr, dst) === bool(d, "dstInv")) return false;
    return true;
  },
};
