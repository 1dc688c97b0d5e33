import type { MatchExt } from "../ext.js";
import { x6Check } from "../ext.js";
import { HOOK_BIT } from "../types.js";
import type { ParseCtx } from "../types.js";
import { paramError, strtoul } from "../util.js";
import { DEFAULT_GROUPS, DEFAULT_USERS } from "../../data/accounts.js";
import { bool, type Range } from "./common.js";

// ---------------------------------------------------------------------------------------------
// owner

function parseIdRange(
  ctx: ParseCtx,
  s: string,
  opt: string,
  at: number,
  names: Record<string, number>,
): Range {
  const byName = names[s];
  if (byName !== undefined) return [byName, byName];
  const bad = () =>
    paramError(
      ctx.prog,
      `owner: Bad value for "--${opt}" option: "${s}"`,
      at,
      "iptables.bad-value",
    );
  const a = strtoul(s, 0, 0xfffffffe, true);
  if (!a) throw bad();
  let to = a[0],
    rest = a[1];
  if (rest.startsWith("-") || rest.startsWith(":")) {
    const b = strtoul(rest.slice(1), 0, 0xfffffffe, true);
    if (!b) throw bad();
    to = b[0];
    rest = b[1];
  }
  if (rest !== "") throw bad();
  return [a[0], to];
}

export const owner: MatchExt = {
  kind: "match",
  name: "owner",
  opts: [
    { name: "uid-owner", id: 0, arg: true, inv: true },
    { name: "gid-owner", id: 1, arg: true, inv: true },
    { name: "socket-exists", id: 2, arg: false, inv: true },
    { name: "suppl-groups", id: 3, arg: false },
  ],
  init: () => ({}),
  parse(a) {
    x6Check(a, "owner");
    const d = a.st.data;
    const users = { ...DEFAULT_USERS, ...(a.ctx.env?.users ?? {}) },
      groups = { ...DEFAULT_GROUPS, ...(a.ctx.env?.groups ?? {}) };
    if (a.spec.id === 0) {
      d.uid = parseIdRange(a.ctx, a.arg!, "uid-owner", a.valAt, users);
      d.uidInv = a.invert;
    } else if (a.spec.id === 1) {
      d.gid = parseIdRange(a.ctx, a.arg!, "gid-owner", a.valAt, groups);
      d.gidInv = a.invert;
    } else if (a.spec.id === 2) {
      d.sock = true;
      d.sockInv = a.invert;
    } else d.suppl = true;
  },
  final(ctx, st) {
    if (!(st.flags & 7))
      throw paramError(
        ctx.prog,
        "owner: At least one of --uid-owner, --gid-owner or --socket-exists is required",
        st.argIndex,
        "iptables.missing-option",
      );
    if (st.flags & 8 && !(st.flags & 2))
      throw paramError(
        ctx.prog,
        "owner: --suppl-groups requires --gid-owner",
        st.argIndex,
        "iptables.missing-option",
      );
  },
  save(d) {
    let s = "";
    if (d.sock) s += `${bool(d, "sockInv") ? " !" : ""} --socket-exists`;
    const r = (x: Range) => (x[0] === x[1] ? String(x[0]) : `${x[0]}-${x[1]}`);
    if (d.uid) s += `${bool(d, "uidInv") ? " !" : ""} --uid-owner ${r(d.uid as Range)}`;
    if (d.gid) s += `${bool(d, "gidInv") ? " !" : ""} --gid-owner ${r(d.gid as Range)}`;
    if (d.suppl) s += " --suppl-groups";
    return s;
  },
  kernel: {
    hooks: HOOK_BIT.output | HOOK_BIT.postrouting,
    reason: "the uid/gid range must not be reversed",
    check(d) {
      const u = d.uid as Range | undefined,
        g = d.gid as Range | undefined;
      if ((u && u[0] > u[1]) || (g && g[0] > g[1])) return "EINVAL";
      return undefined;
    },
  },
  match(d, pkt) {
    // xt_owner: match = flags given, invert = flags inverted; no socket => (match ^ invert) == 0.
    let matchBits = 0,
      invBits = 0;
    if (d.uid) {
      matchBits |= 1;
      if (d.uidInv) invBits |= 1;
    }
    if (d.gid) {
      matchBits |= 2;
      if (d.gidInv) invBits |= 2;
    }
    if (d.sock) {
      matchBits |= 4;
      if (d.sockInv) invBits |= 4;
    }
    if (pkt.skuid === undefined) return (matchBits ^ invBits) === 0;
    if (d.uid) {
      const [lo, hi] = d.uid as Range;
      if ((pkt.skuid >= lo && pkt.skuid <= hi) === bool(d, "uidInv")) return false;
    }
    if (d.gid) {
      const [lo, hi] = d.gid as Range;
      const g = pkt.skgid ?? -1;
      if ((g >= lo && g <= hi) === bool(d, "gidInv")) return false;
    }
    return true;
  },
};
