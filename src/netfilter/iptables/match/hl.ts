import type { NfPacket } from "../../types.js";
import type { MatchExt, TargetExt } from "../ext.js";
import { x6Check, x6Final } from "../ext.js";
import { paramError, strtoul } from "../util.js";
import { num } from "./common.js";

/**
 * ip6tables `-m hl` (libip6t_hl, ip6t_hl.c) and `-j HL` (libip6t_HL, ip6t_HL.c): the IPv6
 * hop limit. ufw's before6.rules accepts neighbour discovery only with `--hl-eq 255`.
 */

/**
 * The hop limit a packet carries: the one set on it, else what the kernel gives a packet a
 * local socket sends (ip6_dst_hoplimit: the route's or the device's hop_limit sysctl,
 * default 64), and 255 for neighbour discovery (ndisc_send_skb; RFC 4861 requires it:
 * ICMPv6 types 133 to 137). routelab's journeys do not model a hop count along the way.
 */
export function hopLimit(pkt: NfPacket): number {
  if (pkt.hoplimit !== undefined) return pkt.hoplimit;
  const nd = pkt.ipproto === 58 && pkt.icmpType !== undefined;
  return nd && pkt.icmpType! >= 133 && pkt.icmpType! <= 137 ? 255 : 64;
}

/** IP6T_HL_EQ, _NE, _LT, _GT as hl_save prints them. */
const MODES = ["--hl-eq", "! --hl-eq", "--hl-lt", "--hl-gt"];

export const hl: MatchExt = {
  kind: "match",
  name: "hl",
  families: [6],
  // hl_opts: each excludes the others (F_ANY); `--hl` is the old name of `--hl-eq`.
  opts: [
    { name: "hl-lt", id: 1, arg: true },
    { name: "hl-gt", id: 2, arg: true },
    { name: "hl-eq", id: 0, arg: true, inv: true },
    { name: "hl", id: 0, arg: true },
  ],
  init: () => ({ mode: 0, value: 0 }),
  parse(a) {
    x6Check(a, "hl");
    const v = strtoul(a.arg!, 0, 255);
    if (!v)
      throw paramError(
        a.ctx.prog,
        `hl: bad value for option "--${a.canon}", or out of range (0-255).`,
        a.valAt,
        "iptables.bad-value",
      );
    a.st.data.value = v[0];
    a.st.data.mode = a.spec.id === 0 ? (a.invert ? 1 : 0) : a.spec.id + 1;
  },
  final(ctx, st) {
    const names = ["hl-lt", "hl-gt", "hl-eq"];
    x6Final(
      ctx,
      st,
      "hl",
      names.map((name, k) => ({ id: (k + 1) % 3, name, excl: 7 })),
    );
    if (!st.flags)
      throw paramError(
        ctx.prog,
        "HL match: You must specify one of `--hl-eq', `--hl-lt', `--hl-gt'",
        st.argIndex,
        "iptables.missing-option",
      );
  },
  save: (d) => ` ${MODES[num(d, "mode")]} ${num(d, "value")}`,
  // hl_mt6
  match(d, pkt) {
    const h = hopLimit(pkt);
    const v = num(d, "value");
    return [h === v, h !== v, h < v, h > v][num(d, "mode")]!;
  },
};

/** IP6T_HL_SET, _INC, _DEC as HL_save prints them. */
const ACTIONS = ["set", "inc", "dec"];

export const HL: TargetExt = {
  kind: "target",
  name: "HL",
  families: [6],
  opts: [
    { name: "hl-set", id: 0, arg: true },
    { name: "hl-dec", id: 2, arg: true },
    { name: "hl-inc", id: 1, arg: true },
  ],
  init: () => ({ mode: 0, value: 0 }),
  parse(a) {
    x6Check(a, "HL");
    const min = a.spec.id === 0 ? 0 : 1;
    const v = strtoul(a.arg!, min, 255);
    if (!v)
      throw paramError(
        a.ctx.prog,
        `HL: bad value for option "--${a.canon}", or out of range (${min}-255).`,
        a.valAt,
        "iptables.bad-value",
      );
    a.st.data.value = v[0];
    a.st.data.mode = a.spec.id;
  },
  final(ctx, st) {
    const names = ["hl-set", "hl-dec", "hl-inc"];
    x6Final(
      ctx,
      st,
      "HL",
      names.map((name) => ({ id: ACTIONS.indexOf(name.slice(3)), name, excl: 7 })),
    );
    if (!st.flags)
      throw paramError(
        ctx.prog,
        "HL: You must specify an action",
        st.argIndex,
        "iptables.missing-option",
      );
  },
  save: (d) => ` --hl-${ACTIONS[num(d, "mode")]} ${num(d, "value")}`,
  kernel: { table: "mangle" },
  // hl_tg6: the new hop limit, kept within 0..255.
  apply(d, pkt) {
    const old = hopLimit(pkt);
    const v = num(d, "value");
    const mode = num(d, "mode");
    pkt.hoplimit = mode === 0 ? v : mode === 1 ? Math.min(255, old + v) : Math.max(0, old - v);
    return { effect: `HL ${ACTIONS[mode]} ${v} (hop limit ${old} -> ${pkt.hoplimit})` };
  },
};
