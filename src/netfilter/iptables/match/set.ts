import type { MatchExt } from "../ext.js";
import { paramError } from "../util.js";
import { bool } from "./common.js";

// ---------------------------------------------------------------------------------------------
// set

export const set: MatchExt = {
  kind: "match",
  name: "set",
  opts: [
    { name: "match-set", id: 0, arg: true, inv: true, noX6: true },
    { name: "set", id: 0, arg: true, inv: true, noX6: true },
    { name: "return-nomatch", id: 1, arg: false, noX6: true, unsupported: true },
    { name: "update-counters", id: 2, arg: false, noX6: true, unsupported: true },
    { name: "update-subcounters", id: 3, arg: false, noX6: true, unsupported: true },
    { name: "packets-eq", id: 4, arg: true, noX6: true, unsupported: true },
    { name: "bytes-eq", id: 5, arg: true, noX6: true, unsupported: true },
  ],
  init: () => ({}),
  parse(a) {
    const p = a.ctx.prog;
    if (a.st.flags & 1)
      throw paramError(
        p,
        "--match-set can be specified only once",
        a.valAt,
        "iptables.duplicate-option",
      );
    const next = a.peek();
    if (next === undefined || next.startsWith("-") || next.startsWith("!"))
      throw paramError(p, "--match-set requires two args.", a.valAt, "iptables.missing-argument");
    const name = a.arg!;
    if (name.length > 31)
      throw paramError(
        p,
        `Setname \`${name}' is longer than 31 characters.`,
        a.valAt,
        "iptables.bad-value",
      );
    const flagsWord = a.take();
    const flags = flagsWord.split(",");
    if (flags.length > 6)
      throw paramError(
        p,
        `Can't be more src/dst options than 6.`,
        a.valAt + 1,
        "iptables.bad-value",
      );
    for (const f of flags)
      if (f !== "src" && f !== "dst")
        throw paramError(
          p,
          "You must spefify `src' or `dst'",
          a.valAt + 1,
          "iptables.bad-value",
          "src or dst",
        );
    const s = a.ctx.ruleset.ipsets.get(name);
    if (!s) throw paramError(p, `Set ${name} doesn't exist.`, a.valAt, "iptables.no-set");
    if (s.family !== a.ctx.family)
      throw paramError(
        p,
        `The protocol family of set ${name} is ${s.family === 4 ? "IPv4" : "IPv6"}, ` +
          "which is not applicable.",
        a.valAt,
        "iptables.set-family",
      );
    a.st.data.set = name;
    a.st.data.flags = flags;
    a.st.data.inv = a.invert;
    a.st.flags |= 1;
  },
  final(ctx, st) {
    if (!(st.flags & 1))
      throw paramError(
        ctx.prog,
        "You must specify `--match-set' with proper arguments",
        st.argIndex,
        "iptables.missing-option",
      );
  },
  save(d) {
    const flags = (d.flags as string[]).join(",");
    return `${bool(d, "inv") ? " !" : ""} --match-set ${d.set as string} ${flags}`;
  },
  match(d, pkt, ectx) {
    const s = ectx.ruleset.ipsets.get(d.set as string);
    let hit = false;
    if (s && s.family === pkt.family) {
      const a = (d.flags as string[])[0] === "src" ? pkt.saddr : pkt.daddr;
      hit = s.entries.some(
        (e) => e.addr.family === a.family && (BigInt(a.v) & BigInt(e.mask.v)) === BigInt(e.addr.v),
      );
    }
    return hit !== bool(d, "inv");
  },
};
