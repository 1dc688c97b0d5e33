/**
 * `ip rule` (ip/iprule.c) → typed commands.
 * @module
 */
import { getS32, getU32 } from "../addr/num.js";
import { defined } from "../core/result.js";
import { matches, type ArgCursor } from "./args.js";
import { parsePortRange, parseTos, prefixArg } from "./ip-args.js";
import type { IpCommand, IpOptions, RuleSpec } from "./ipcmd.js";
import { getRtRealmsOrRaw, inetProtoA2n, protoA2n, rttableA2n } from "./names.js";

export function parseRule(
  c: ArgCursor,
  opts: IpOptions,
  names: ReadonlyMap<number, string>,
): IpCommand {
  const cmdW = c.next();
  const cmd = cmdW?.text ?? "show";
  if (
    !cmdW ||
    matches(cmd, "show") ||
    matches(cmd, "list") ||
    matches(cmd, "lst") ||
    matches(cmd, "flush")
  ) {
    const op = cmdW && matches(cmd, "flush") ? "flush" : "show";
    let pref: number | undefined, table: number | undefined;
    while (!c.done) {
      const w = c.next()!;
      if (["pref", "preference", "priority", "order"].includes(w.text)) {
        const v = c.nextArg();
        pref = getU32(v.text);
      } else if (w.text === "table" || w.text === "lookup") {
        const v = c.nextArg();
        table = rttableA2n(v.text, names);
      } else
        return c.fail(
          "ip.not-modelled",
          `rule ${op} selector "${w.text}" is not modelled by routelab`,
          w,
          1,
          "pref or table",
        );
    }
    return {
      obj: "rule",
      op,
      ...defined({ family: opts.family, pref, table }),
    };
  }
  const op = matches(cmd, "add") ? "add" : matches(cmd, "delete") ? "del" : undefined;
  if (!op)
    return c.fail(
      "ip.unknown-command",
      `Command "${cmd}" is unknown, try "ip rule help".`,
      cmdW,
      255,
    );
  const r: RuleSpec = { family: opts.family ?? 4, invert: false, l3mdev: false, words: c.words };
  let famKnown = opts.family !== undefined;
  while (!c.done) {
    const w = c.next()!;
    const t = w.text;
    if (t === "not") r.invert = true;
    else if (t === "from") {
      const v = c.nextArg();
      const p = prefixArg(c, v, famKnown ? r.family : undefined);
      r.src = p;
      r.family = p.addr.family;
      famKnown = true;
    } else if (t === "to") {
      const v = c.nextArg();
      const p = prefixArg(c, v, famKnown ? r.family : undefined);
      r.dst = p;
      r.family = p.addr.family;
      famKnown = true;
    } else if (matches(t, "preference") || matches(t, "order") || matches(t, "priority")) {
      const v = c.nextArg();
      const n = getU32(v.text);
      if (n === undefined) return c.invarg("preference value is invalid\n", v);
      r.pref = n;
    } else if (t === "tos" || matches(t, "dsfield")) {
      const v = c.nextArg();
      const n = parseTos(c, v);
      r.tos = n;
    } else if (t === "fwmark") {
      const v = c.nextArg();
      const [a, b] = v.text.split("/");
      const mark = getU32(a!);
      if (mark === undefined) return c.invarg("fwmark value is invalid\n", v);
      r.fwmark = mark;
      if (b !== undefined) {
        const m = getU32(b);
        if (m === undefined) return c.invarg("fwmask value is invalid\n", v);
        r.fwmask = m;
      }
    } else if (matches(t, "realms")) {
      const v = c.nextArg();
      const n = getRtRealmsOrRaw(v.text);
      if (n === undefined) return c.invarg("invalid realms\n", v);
      r.realms = n;
    } else if (t === "protocol") {
      const v = c.nextArg();
      const n = protoA2n(v.text);
      if (n === undefined) return c.invarg('"protocol" value is invalid\n', v);
      r.protocol = n;
    } else if (t === "tun_id")
      return c.fail("ip.not-modelled", "tun_id rules are not modelled", w, 1);
    else if (matches(t, "table") || matches(t, "lookup")) {
      const v = c.nextArg();
      const n = rttableA2n(v.text, names);
      if (n === undefined) return c.invarg("invalid table ID\n", v);
      r.table = n;
      r.action = "lookup";
    } else if (t === "suppress_prefixlength" || t === "sup_pl") {
      const v = c.nextArg();
      // iprule.c: get_s32 base 0, and a negative length is refused.
      const n = getS32(v.text);
      if (n === undefined || n < 0) return c.invarg("suppress_prefixlength value is invalid\n", v);
      r.suppressPrefixlen = n;
    } else if (t === "suppress_ifgroup" || t === "sup_group") {
      const v = c.nextArg();
      const n = getU32(v.text);
      if (n === undefined) return c.invarg('Invalid "ifgroup" value\n', v);
      r.suppressIfgroup = n;
    } else if (t === "dev" || t === "iif") {
      r.iifname = c.nextArg().text;
    } else if (t === "oif") {
      r.oifname = c.nextArg().text;
    } else if (t === "l3mdev") r.l3mdev = true;
    else if (t === "uidrange") {
      const v = c.nextArg();
      const m = /^([0-9]+)-([0-9]+)$/.exec(v.text);
      if (!m || Number(m[1]) > 0xffffffff || Number(m[2]) > 0xffffffff)
        return c.invarg("invalid UID range\n", v);
      r.uidRange = [Number(m[1]), Number(m[2])];
    } else if (t === "sport" || t === "dport") {
      const v = c.nextArg();
      const pr = parsePortRange(c, v, t);
      r[t] = pr;
    } else if (t === "ipproto") {
      const v = c.nextArg();
      const n = inetProtoA2n(v.text);
      if (n === undefined) return c.invarg('Invalid "ipproto" value\n', v);
      r.ipproto = n;
    } else if (matches(t, "nat") || matches(t, "map-to"))
      return c.fail("ip.not-modelled", "rule NAT is not supported by the kernel any more", w, 1);
    else if (t === "goto") {
      const v = c.nextArg();
      const n = getU32(v.text);
      if (n === undefined) return c.invarg("invalid target\n", v);
      r.gotoPref = n;
      r.action = "goto";
    } else if (t === "nop") r.action = "nop";
    else {
      let tw = w;
      if (t === "type") {
        tw = c.nextArg();
      }
      if (tw.text === "blackhole" || tw.text === "unreachable" || tw.text === "prohibit")
        r.action = tw.text;
      else if (tw.text === "unicast") r.action = "lookup";
      else return c.invarg("Failed to parse rule type", tw);
    }
  }
  return { obj: "rule", op, rule: r };
}
