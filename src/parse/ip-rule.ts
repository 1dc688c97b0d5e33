/**
 * `ip rule` (ip/iprule.c) → typed commands.
 * @module
 */
import { getS32, getU32 } from "../addr/num.js";
import type { Prefix } from "../addr/ip.js";
import { defined } from "../core/result.js";
import { matches, type ArgCursor } from "./args.js";
import { parsePortRange, parseTos, prefixArg } from "./ip-args.js";
import type { IpCommand, IpOptions, RuleSpec } from "./ip-types.js";
import { getRtRealmsOrRaw, inetProtoA2n, protoA2n, rttableA2n } from "./names.js";
import type { Word } from "./shell.js";

/** do_iprule: the command word, then its arguments. */
export function parseRule(
  c: ArgCursor,
  opts: IpOptions,
  names: ReadonlyMap<number, string>,
): IpCommand {
  const cmdW = c.next();
  const cmd = cmdW?.text ?? "show";
  if (!cmdW || ["show", "list", "lst", "flush"].some((k) => matches(cmd, k)))
    return ruleShow(c, opts, names, cmdW && matches(cmd, "flush") ? "flush" : "show");
  const op = matches(cmd, "add") ? "add" : matches(cmd, "delete") ? "del" : undefined;
  if (!op)
    return c.fail(
      "ip.unknown-command",
      `Command "${cmd}" is unknown, try "ip rule help".`,
      cmdW,
      255,
    );
  const r: RuleSpec = { family: opts.family ?? 4, invert: false, l3mdev: false, words: c.words };
  const st = { r, names, famKnown: opts.family !== undefined };
  while (!c.done) ruleArg(c, st, c.next()!);
  return { obj: "rule", op, rule: r };
}

function ruleShow(
  c: ArgCursor,
  opts: IpOptions,
  names: ReadonlyMap<number, string>,
  op: "show" | "flush",
): IpCommand {
  let pref: number | undefined;
  let table: number | undefined;
  let fwmark: [number, number] | undefined;
  while (!c.done) {
    const w = c.next()!;
    if (["pref", "preference", "priority", "order"].includes(w.text))
      pref = getU32(c.nextArg().text);
    else if (w.text === "fwmark") {
      // iprule.c iprule_list_flush_or_save: `fwmark V[/M]`; without M the mask is not compared.
      const v = c.nextArg();
      const [m, k] = v.text.split("/");
      const mark = getU32(m!) ?? c.invarg("fwmark value is invalid\n", v);
      const mask = k === undefined ? -1 : (getU32(k) ?? c.invarg("fwmask value is invalid\n", v));
      fwmark = [mark, mask];
    } else if (w.text === "table" || w.text === "lookup")
      table = rttableA2n(c.nextArg().text, names);
    else
      return c.fail(
        "ip.not-modelled",
        `rule ${op} selector "${w.text}" is not modelled by routelab`,
        w,
        1,
        "pref or table",
      );
  }
  return { obj: "rule", op, ...defined({ family: opts.family, pref, table, fwmark }) };
}

interface RuleState {
  readonly r: RuleSpec;
  readonly names: ReadonlyMap<number, string>;
  famKnown: boolean;
}

/** `from`/`to PREFIX`: the first address fixes the family. */
function rulePrefix(c: ArgCursor, st: RuleState): Prefix {
  const p = prefixArg(c, c.nextArg(), st.famKnown ? st.r.family : undefined);
  st.r.family = p.addr.family;
  st.famKnown = true;
  return p;
}

/** get_u32 base 0 or invarg(why). */
function u32Arg(c: ArgCursor, why: string): number {
  const v = c.nextArg();
  return getU32(v.text) ?? c.invarg(why, v);
}

/** The part of `w` from `start` on, as its own word (invarg names only that part). */
function part(w: Word, start: number, end = w.text.length): Word {
  return { text: w.text.slice(start, end), loc: { ...w.loc, col: w.loc.col + start } };
}

/** `fwmark MARK[/MASK]`: split at the first `/`, each half get_u32 base 0. */
function fwmarkArg(c: ArgCursor, r: RuleSpec): void {
  const v = c.nextArg();
  const slash = v.text.indexOf("/");
  const mark = part(v, 0, slash < 0 ? undefined : slash);
  r.fwmark = getU32(mark.text) ?? c.invarg("fwmark value is invalid\n", mark);
  if (slash < 0) return;
  const mask = part(v, slash + 1);
  r.fwmask = getU32(mask.text) ?? c.invarg("fwmask value is invalid\n", mask);
}

/**
 * One iprule_modify keyword: one branch per keyword in iprule.c's order, which decides the
 * prefix matches (`pref`, `table`, `realms`, ...); any other word is the rule type.
 */
function ruleArg(c: ArgCursor, st: RuleState, w: Word): void {
  const { r } = st;
  const t = w.text;
  if (t === "not") r.invert = true;
  else if (t === "from") r.src = rulePrefix(c, st);
  else if (t === "to") r.dst = rulePrefix(c, st);
  else if (matches(t, "preference") || matches(t, "order") || matches(t, "priority"))
    r.pref = u32Arg(c, "preference value is invalid\n");
  else if (t === "tos" || matches(t, "dsfield")) r.tos = parseTos(c, c.nextArg());
  else if (t === "fwmark") fwmarkArg(c, r);
  else if (matches(t, "realms")) {
    const v = c.nextArg();
    r.realms = getRtRealmsOrRaw(v.text) ?? c.invarg("invalid realms\n", v);
  } else if (t === "protocol") {
    const v = c.nextArg();
    r.protocol = protoA2n(v.text) ?? c.invarg('"protocol" value is invalid\n', v);
  } else if (t === "tun_id") c.fail("ip.not-modelled", "tun_id rules are not modelled", w, 1);
  else if (matches(t, "table") || matches(t, "lookup")) {
    const v = c.nextArg();
    r.table = rttableA2n(v.text, st.names) ?? c.invarg("invalid table ID\n", v);
    r.action = "lookup";
  } else if (t === "suppress_prefixlength" || t === "sup_pl") {
    const v = c.nextArg();
    // iprule.c: get_s32 base 0, and a negative length is refused.
    const n = getS32(v.text);
    if (n === undefined || n < 0) c.invarg("suppress_prefixlength value is invalid\n", v);
    r.suppressPrefixlen = n;
  } else if (t === "suppress_ifgroup" || t === "sup_group")
    r.suppressIfgroup = u32Arg(c, 'Invalid "ifgroup" value\n');
  else if (t === "dev" || t === "iif") r.iifname = c.nextArg().text;
  else if (t === "oif") r.oifname = c.nextArg().text;
  else if (t === "l3mdev") r.l3mdev = true;
  else if (t === "uidrange") r.uidRange = uidRangeArg(c);
  else if (t === "sport" || t === "dport") r[t] = parsePortRange(c, c.nextArg(), t);
  else if (t === "ipproto") {
    const v = c.nextArg();
    r.ipproto = inetProtoA2n(v.text) ?? c.invarg('Invalid "ipproto" value\n', v);
  } else if (matches(t, "nat") || matches(t, "map-to"))
    c.fail("ip.not-modelled", "rule NAT is not supported by the kernel any more", w, 1);
  else if (t === "goto") {
    r.gotoPref = u32Arg(c, "invalid target\n");
    r.action = "goto";
  } else if (t === "nop") r.action = "nop";
  else ruleType(c, r, t === "type" ? c.nextArg() : w);
}

/** `uidrange A-B` (iprule.c: sscanf "%u-%u", decimal). */
function uidRangeArg(c: ArgCursor): [number, number] {
  const v = c.nextArg();
  const m = /^([0-9]+)-([0-9]+)$/.exec(v.text);
  if (!m || Number(m[1]) > 0xffffffff || Number(m[2]) > 0xffffffff)
    return c.invarg("invalid UID range\n", v);
  return [Number(m[1]), Number(m[2])];
}

/** `[type] TYPE`: rtnl_rtntype_a2n limited to the FR_ACT_* a rule can have. */
function ruleType(c: ArgCursor, r: RuleSpec, tw: Word): void {
  if (tw.text === "blackhole" || tw.text === "unreachable" || tw.text === "prohibit")
    r.action = tw.text;
  else if (tw.text === "unicast") r.action = "lookup";
  else c.invarg("Failed to parse rule type", tw);
}
