import type { MatchExt, ParseArgs } from "../ext.js";
import { x6Check } from "../ext.js";
import { HOOK_BIT } from "../types.js";
import { paramError, parseProtocol, protoName, strtoul } from "../util.js";
import { bool } from "./common.js";

/**
 * The policy match (libxt_policy, xt_policy): the IPsec policy a packet was decapsulated with
 * (`--dir in`) or will be encapsulated with (`--dir out`), as strongSwan's updown script
 * writes it. Elements (`--reqid`, `--spi`, `--proto`, `--mode`, `--next`) are parsed and saved
 * as iptables 1.8.9 does; `--tunnel-src`/`--tunnel-dst` are refused as not modelled.
 * routelab's packets never carry IPsec (no sec_path, no xfrm dst): policy_mt's lookup finds
 * none, so `--pol none` matches and `--pol ipsec` does not.
 */

interface Elem {
  reqid?: [number, boolean];
  spi?: [number, boolean];
  proto?: [number, boolean];
  mode?: [string, boolean];
}

const fail = (a: ParseArgs, message: string) =>
  paramError(a.ctx.prog, message, a.valAt, "iptables.bad-value");

function elems(a: ParseArgs): Elem[] {
  const list = (a.st.data.elems ??= [{}]) as Elem[];
  return list;
}

/** One element option (policy_parse): each at most once per element. */
function element(a: ParseArgs, key: keyof Elem): void {
  const list = elems(a);
  const e = list[list.length - 1]!;
  if (e[key]) throw fail(a, `policy match: double --${key} option`);
  const arg = a.arg!;
  if (key === "mode") {
    if (arg !== "transport" && arg !== "tunnel")
      throw fail(a, `policy match: invalid mode "${arg}"`);
    e.mode = [arg, a.invert];
    return;
  }
  if (key === "proto") {
    const p = parseProtocol(arg.toLowerCase());
    if (p !== 50 && p !== 51 && p !== 108)
      throw fail(a, "policy match: protocol must be ah/esp/ipcomp");
    e.proto = [p, a.invert];
    return;
  }
  const v = strtoul(arg, 0, 0xffffffff);
  if (!v) throw fail(a, `policy: bad value for option "--${key}", or out of range (0-4294967295).`);
  e[key] = [v[0], a.invert];
}

function saveElem(e: Elem): string {
  const inv = (x: [unknown, boolean]) => (x[1] ? " !" : "");
  let s = "";
  if (e.reqid) s += `${inv(e.reqid)} --reqid ${e.reqid[0]}`;
  if (e.spi) s += `${inv(e.spi)} --spi 0x${e.spi[0].toString(16)}`;
  if (e.proto) s += `${inv(e.proto)} --proto ${protoName(e.proto[0]) ?? e.proto[0]}`;
  if (e.mode) s += `${inv(e.mode)} --mode ${e.mode[0]}`;
  return s;
}

export const policy: MatchExt = {
  kind: "match",
  name: "policy",
  opts: [
    { name: "dir", id: 0, arg: true },
    { name: "pol", id: 1, arg: true },
    { name: "strict", id: 2, arg: false },
    { name: "reqid", id: 3, arg: true, inv: true, multi: true },
    { name: "spi", id: 4, arg: true, inv: true, multi: true },
    { name: "tunnel-src", id: 5, arg: true, inv: true, multi: true, unsupported: true },
    { name: "tunnel-dst", id: 6, arg: true, inv: true, multi: true, unsupported: true },
    { name: "proto", id: 7, arg: true, inv: true, multi: true },
    { name: "mode", id: 8, arg: true, inv: true, multi: true },
    { name: "next", id: 9, arg: false, multi: true },
  ],
  init: () => ({}),
  parse(a) {
    x6Check(a, "policy");
    const arg = a.arg ?? "";
    switch (a.spec.name) {
      case "dir":
        if (arg !== "in" && arg !== "out") throw fail(a, `policy_match: invalid dir "${arg}"`);
        a.st.data.dir = arg;
        return;
      case "pol":
        if (arg !== "none" && arg !== "ipsec")
          throw fail(a, `policy match: invalid policy "${arg}"`);
        a.st.data.none = arg === "none";
        return;
      case "strict":
        a.st.data.strict = true;
        return;
      case "next":
        elems(a).push({});
        return;
      default:
        element(a, a.spec.name as keyof Elem);
    }
  },
  final(ctx, st) {
    const prog = ctx.prog;
    if (!st.data.dir)
      throw paramError(
        prog,
        "policy match: neither --dir in nor --dir out specified",
        st.argIndex,
        "iptables.missing-option",
      );
    if (st.data.none && st.data.strict)
      throw paramError(prog, "policy match: policy none but --strict given", st.argIndex);
    const list = (st.data.elems as Elem[] | undefined) ?? [{}];
    list.forEach((e, k) => {
      if (st.data.strict && !e.reqid && !e.spi && !e.proto && !e.mode)
        throw paramError(
          prog,
          `policy match: empty policy element ${k}. --strict is in effect, but at least one of ` +
            "reqid, spi, tunnel-src, tunnel-dst, proto or mode is required.",
          st.argIndex,
        );
    });
  },
  save(d) {
    let s = ` --dir ${d.dir} --pol ${bool(d, "none") ? "none" : "ipsec"}`;
    if (bool(d, "strict")) s += " --strict";
    // With --pol none the elements are not kept (policy_check: len stays 0).
    if (bool(d, "none")) return s;
    return s + ((d.elems as Elem[] | undefined) ?? [{}]).map(saveElem).join(" --next");
  },
  kernel: {
    reason: "--dir out only outside PREROUTING and INPUT, --dir in outside POSTROUTING and OUTPUT",
    // policy_mt_check.
    check(d, _r, hookMask) {
      const inOnly = HOOK_BIT.prerouting | HOOK_BIT.input;
      const outOnly = HOOK_BIT.postrouting | HOOK_BIT.output;
      if (d.dir === "out" && hookMask & inOnly) return "EINVAL";
      if (d.dir === "in" && hookMask & outOnly) return "EINVAL";
      return undefined;
    },
  },
  match(d) {
    return bool(d, "none");
  },
};
