/**
 * `ip address` (ip/ipaddress.c) → typed commands.
 * @module
 */
import type { Addr, Prefix } from "../addr/ip.js";
import { getU32 } from "../addr/num.js";
import { defined } from "../core/result.js";
import { matches, type ArgCursor } from "./args.js";
import { addrArg, prefixArg } from "./ip-args.js";
import type { IpCommand, IpOptions } from "./ip-types.js";
import { scopeA2n } from "./names.js";
import type { Word } from "./shell.js";

type AddrModify = Extract<IpCommand, { obj: "addr"; op: "add" | "del" | "replace" | "change" }>;

const MODIFY_OPS = ["add", "delete", "replace", "change"] as const;

/** ipaddr_modify / ipaddr_list_flush_or_save: the command word, then its arguments. */
export function parseAddrCmd(c: ArgCursor, opts: IpOptions): IpCommand {
  const cmdW = c.next();
  const cmd = cmdW?.text ?? "show";
  if (!cmdW || ["show", "list", "lst", "flush"].some((k) => matches(cmd, k)))
    return addrShow(c, opts, cmdW && matches(cmd, "flush") ? "flush" : "show");
  const op = MODIFY_OPS.find((k) => matches(cmd, k));
  if (!op)
    return c.fail(
      "ip.unknown-command",
      `Command "${cmd}" is unknown, try "ip address help".`,
      cmdW,
      255,
    );
  return addrModify(c, opts, op === "delete" ? "del" : op);
}

/** ipaddr_list_flush_or_save's filters: `dev`, `label`, and for show `scope`, `up`. */
function addrShow(c: ArgCursor, opts: IpOptions, op: "show" | "flush"): IpCommand {
  let dev: Word | undefined;
  const f: { scope?: number; up?: boolean; label?: string } = {};
  while (!c.done) {
    const w = c.next()!;
    const show = op === "show";
    if (w.text === "dev") dev = c.nextArg();
    else if (show && w.text === "scope") {
      const v = c.nextArg();
      f.scope = scopeA2n(v.text) ?? c.invarg('invalid "scope"\n', v);
    } else if (show && w.text === "up") f.up = true;
    else if (w.text === "label") f.label = c.nextArg().text;
    else if (["scope", "label", "to", "up", "type", "master", "vrf"].includes(w.text))
      c.fail("ip.not-modelled", `ip addr ${op} filter "${w.text}" is not modelled`, w, 1, "dev D");
    else if (!dev) dev = w;
  }
  const base = defined({ family: opts.family, dev: dev?.text, devWord: dev });
  return { obj: "addr", op, ...base, ...defined(f) };
}

/** `brd +|-|ADDR` (get_addr with the IPv4 family, as ipaddress.c passes it). */
function broadcastArg(c: ArgCursor): Addr | "+" | "-" {
  const v = c.nextArg();
  return v.text === "+" || v.text === "-" ? v.text : addrArg(c, v, 4);
}

/**
 * ipaddr_modify: one branch per keyword in ipaddress.c's order (which decides the prefix
 * matches); the first other word is the local address.
 */
function addrModify(c: ArgCursor, opts: IpOptions, op: AddrModify["op"]): IpCommand {
  let local: Prefix | undefined;
  let dev: Word | undefined;
  const o: Partial<Pick<AddrModify, "peer" | "broadcast" | "scope" | "label" | "metric">> = {};
  let noprefixroute = false;
  let nodad = false;
  let family = opts.family;
  while (!c.done) {
    const w = c.next()!;
    const t = w.text;
    if (t === "peer" || t === "remote") o.peer = prefixArg(c, c.nextArg(), family);
    else if (matches(t, "broadcast") || t === "brd") o.broadcast = broadcastArg(c);
    else if (t === "anycast") c.nextArg();
    else if (t === "scope") {
      const v = c.nextArg();
      o.scope = scopeA2n(v.text) ?? c.invarg("invalid scope value.", v);
    } else if (t === "dev") dev = c.nextArg();
    else if (t === "label") o.label = c.nextArg().text;
    else if (t === "noprefixroute") noprefixroute = true;
    else if (t === "nodad") nodad = true;
    else if (t === "metric" || t === "priority" || t === "preference") {
      const v = c.nextArg();
      o.metric = getU32(v.text) ?? c.invarg('"metric" value is invalid\n', v);
    } else if (t === "valid_lft" || t === "preferred_lft") {
      const v = c.nextArg();
      if (v.text !== "forever")
        return c.fail(
          "ip.not-modelled",
          "address lifetimes other than forever are not modelled",
          v,
          1,
          "forever",
        );
    } else if (["home", "mngtmpaddr", "optimistic", "autojoin"].includes(t)) {
      /* no routing effect */
    } else {
      if (t !== "local" && local) return c.duparg2("local", w);
      local = prefixArg(c, t === "local" ? c.nextArg() : w, family);
      family = local.addr.family;
    }
  }
  if (!dev)
    return c.fail(
      "ip.incomplete",
      'Not enough information: "dev" argument is required.',
      undefined,
      255,
      "dev NAME",
    );
  if (!local)
    return c.fail(
      "ip.incomplete",
      'Not enough information: "local" argument is required.',
      undefined,
      255,
      "an address",
    );
  return {
    obj: "addr",
    op,
    family: local.addr.family,
    local,
    ...defined({ peer: o.peer, broadcast: o.broadcast, scope: o.scope }),
    dev: dev.text,
    devWord: dev,
    ...defined({ label: o.label || undefined }),
    noprefixroute,
    nodad,
    ...defined({ metric: o.metric }),
  };
}
