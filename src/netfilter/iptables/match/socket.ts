import type { MatchExt } from "../ext.js";
import { x6Check } from "../ext.js";
import { HOOK_BIT } from "../types.js";

// ---------------------------------------------------------------------------------------------
// socket, comment

export const socket: MatchExt = {
  kind: "match",
  name: "socket",
  opts: [
    { name: "transparent", id: 0, arg: false },
    { name: "nowildcard", id: 1, arg: false },
    { name: "restore-skmark", id: 2, arg: false },
  ],
  init: () => ({}),
  parse(a) {
    x6Check(a, "socket");
    a.st.data[["transparent", "nowildcard", "restoreSkmark"][a.spec.id]!] = true;
  },
  final() {
    /* none */
  },
  save(d) {
    let s = "";
    if (d.transparent) s += " --transparent";
    if (d.nowildcard) s += " --nowildcard";
    if (d.restoreSkmark) s += " --restore-skmark";
    return s;
  },
  kernel: { hooks: HOOK_BIT.prerouting | HOOK_BIT.input },
  match(d, pkt) {
    if (!pkt.socketExists) return false;
    if (d.transparent && pkt.socketTransparent === false) return false;
    if (d.restoreSkmark && pkt.socketMark !== undefined) pkt.mark = pkt.socketMark >>> 0;
    return true;
  },
};
