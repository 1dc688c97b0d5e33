import type { MatchExt } from "../ext.js";
import { x6Check, x6Final } from "../ext.js";
import { paramError, saveString } from "../util.js";

export const comment: MatchExt = {
  kind: "match",
  name: "comment",
  opts: [{ name: "comment", id: 0, arg: true }],
  init: () => ({ comment: "" }),
  parse(a) {
    x6Check(a, "comment");
    if (a.arg!.length > 255)
      throw paramError(
        a.ctx.prog,
        "Argument must have a maximum length of 255 characters",
        a.valAt,
        "iptables.bad-value",
      );
    a.st.data.comment = a.arg!;
  },
  final(ctx, st) {
    x6Final(ctx, st, "comment", [{ id: 0, name: "comment", mand: true }]);
  },
  save(d) {
    return ` --comment ${saveString(d.comment as string)}`;
  },
  match() {
    return true;
  },
};
