import type { NfPacket } from "../../types.js";
import type { MatchExt } from "../ext.js";
import { x6Check, x6Final } from "../ext.js";
import type { ParseCtx } from "../types.js";
import { paramError } from "../util.js";
import { bool, num } from "./common.js";

// ---------------------------------------------------------------------------------------------
// conntrack / state

const CT_STATES = [
  "INVALID",
  "NEW",
  "RELATED",
  "ESTABLISHED",
  "UNTRACKED",
  "SNAT",
  "DNAT",
] as const;

function parseStates(
  ctx: ParseCtx,
  s: string,
  at: number,
  allowed: readonly string[],
  what: string,
): number {
  let v = 0;
  for (const part of s.split(",")) {
    const i = allowed.findIndex((x) => x.toLowerCase() === part.toLowerCase());
    if (i < 0)
      throw paramError(
        ctx.prog,
        `Bad ${what} "${part}"`,
        at,
        "iptables.bad-value",
        allowed.join(","),
      );
    v |= 1 << CT_STATES.indexOf(allowed[i] as (typeof CT_STATES)[number]);
  }
  return v;
}

function printStates(v: number): string {
  return CT_STATES.filter((_, i) => v & (1 << i)).join(",");
}

function pktStateBit(pkt: NfPacket): number {
  return 1 << CT_STATES.indexOf(pkt.ctstate.toUpperCase() as (typeof CT_STATES)[number]);
}

const CONNTRACK_UNSUPPORTED = [
  "ctproto",
  "ctorigsrc",
  "ctorigdst",
  "ctreplsrc",
  "ctrepldst",
  "ctorigsrcport",
  "ctorigdstport",
  "ctreplsrcport",
  "ctrepldstport",
  "ctstatus",
  "ctexpire",
];

export const conntrack: MatchExt = {
  kind: "match",
  name: "conntrack",
  opts: [
    { name: "ctstate", id: 0, arg: true, inv: true },
    { name: "ctdir", id: 1, arg: true },
    ...CONNTRACK_UNSUPPORTED.map((n, i) => ({
      name: n,
      id: 2 + i,
      arg: true,
      inv: true,
      unsupported: true,
    })),
  ],
  init: () => ({}),
  parse(a) {
    x6Check(a, "conntrack");
    if (a.spec.id === 0) {
      a.st.data.state = parseStates(a.ctx, a.arg!, a.valAt, CT_STATES, "ctstate");
      a.st.data.stateInv = a.invert;
    } else if (a.spec.id === 1) {
      const v = a.arg!.toUpperCase();
      if (v !== "ORIGINAL" && v !== "REPLY")
        throw paramError(
          a.ctx.prog,
          `conntrack: Bad value for "--ctdir" option: "${a.arg!}"`,
          a.valAt,
          "iptables.bad-value",
          "ORIGINAL or REPLY",
        );
      a.st.data.dir = v;
    }
  },
  final(ctx, st) {
    if (!st.flags)
      throw paramError(
        ctx.prog,
        "conntrack: At least one option is required",
        st.argIndex,
        "iptables.missing-option",
      );
  },
  save(d) {
    let s = "";
    if (d.state !== undefined)
      s += `${bool(d, "stateInv") ? " !" : ""} --ctstate ${printStates(num(d, "state"))}`;
    if (d.dir) s += ` --ctdir ${d.dir as string}`;
    return s;
  },
  conntrack: true,
  match(d, pkt) {
    const noCt = pkt.ctstate === "invalid" || pkt.ctstate === "untracked";
    if (d.state !== undefined) {
      let bits = pktStateBit(pkt);
      if (!noCt && pkt.ctSnat) bits |= 1 << 5;
      if (!noCt && pkt.ctDnat) bits |= 1 << 6;
      const hit = (num(d, "state") & bits) !== 0;
      if (hit === bool(d, "stateInv")) return false;
    }
    if (noCt) return d.state !== undefined;
    if (d.dir) {
      const orig = pkt.ctdir === "original";
      if (orig !== (d.dir === "ORIGINAL")) return false;
    }
    return true;
  },
};

const STATE_NAMES = ["INVALID", "ESTABLISHED", "NEW", "RELATED", "UNTRACKED"] as const;

export const state: MatchExt = {
  kind: "match",
  name: "state",
  opts: [{ name: "state", id: 0, arg: true, inv: true }],
  init: () => ({}),
  parse(a) {
    x6Check(a, "state");
    a.st.data.state = parseStates(a.ctx, a.arg!, a.valAt, STATE_NAMES, "state");
    a.st.data.inv = a.invert;
  },
  final(ctx, st) {
    x6Final(ctx, st, "state", [{ id: 0, name: "state", mand: true }]);
  },
  save(d) {
    return `${bool(d, "inv") ? " !" : ""} --state ${printStates(num(d, "state"))}`;
  },
  conntrack: true,
  match(d, pkt) {
    return ((num(d, "state") & pktStateBit(pkt)) !== 0) !== bool(d, "inv");
  },
};
