import type { MatchExt } from "../ext.js";
import { x6Check, x6Final } from "../ext.js";
import type { ParseCtx } from "../types.js";
import { hex, paramError, strtoul } from "../util.js";
import { bool, num } from "./common.js";

// ---------------------------------------------------------------------------------------------
// mark / connmark

export function parseMarkMask(
  ctx: ParseCtx,
  ext: string,
  opt: string,
  s: string,
  at: number,
): [number, number] {
  const bad = () =>
    paramError(
      ctx.prog,
      `${ext}: bad integer value for option "--${opt}", or out of range.`,
      at,
      "iptables.bad-value",
      "a 32-bit value[/mask]",
    );
  const a = strtoul(s, 0, 0xffffffff, true);
  if (!a) throw bad();
  let mask = 0xffffffff,
    rest = a[1];
  if (rest.startsWith("/")) {
    const b = strtoul(rest.slice(1), 0, 0xffffffff, true);
    if (!b) throw bad();
    mask = b[0];
    rest = b[1];
  }
  if (rest !== "")
    throw paramError(
      ctx.prog,
      `${ext}: trailing garbage after value for option "--${opt}".`,
      at,
      "iptables.bad-value",
    );
  return [a[0] >>> 0, mask >>> 0];
}

export function markLike(name: "mark" | "connmark"): MatchExt {
  return {
    kind: "match",
    name,
    opts: [{ name: "mark", id: 0, arg: true, inv: true }],
    init: () => ({ mark: 0, mask: 0xffffffff, inv: false }),
    parse(a) {
      x6Check(a, name);
      const [m, k] = parseMarkMask(a.ctx, name, "mark", a.arg!, a.valAt);
      a.st.data.mark = m;
      a.st.data.mask = k;
      a.st.data.inv = a.invert;
    },
    final(ctx, st) {
      x6Final(ctx, st, name, [{ id: 0, name: "mark", mand: true }]);
    },
    save(d) {
      const m = num(d, "mark"),
        k = num(d, "mask");
      const mask = k === 0xffffffff ? "" : "/" + hex(k);
      return `${bool(d, "inv") ? " !" : ""} --mark ${hex(m)}${mask}`;
    },
    conntrack: name === "connmark",
    match(d, pkt) {
      if (name === "connmark" && (pkt.ctstate === "invalid" || pkt.ctstate === "untracked"))
        return false;
      const v = name === "mark" ? pkt.mark : pkt.ctmark;
      return ((v & num(d, "mask")) >>> 0 === num(d, "mark")) !== bool(d, "inv");
    },
  };
}
