/**
 * `ip address` (ip/ipaddress.c) → typed commands.
 * @module
 */
import type { Addr, Prefix } from "../addr/ip.js";
import { getU32 } from "../addr/num.js";
import { defined } from "../core/result.js";
import { matches, type ArgCursor } from "./args.js";
import { addrArg, prefixArg } from "./ip-args.js";
import type { IpCommand, IpOptions } from "./ipcmd.js";
import { scopeA2n } from "./names.js";
import type { Word } from "./shell.js";

export function parseAddrCmd(c: ArgCursor, opts: IpOptions): IpCommand {
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
    let dev: Word | undefined;
    while (!c.done) {
      const w = c.next()!;
      if (w.text === "dev") {
        dev = c.nextArg();
      } else if (["scope", "label", "to"].includes(w.text)) {
        c.next();
      } else if (!dev) dev = w;
    }
    return {
      obj: "addr",
      op,
      ...defined({ family: opts.family, dev: dev?.text, devWord: dev }),
    };
  }
  const op = matches(cmd, "add")
    ? "add"
    : matches(cmd, "delete")
      ? "del"
      : matches(cmd, "replace")
        ? "replace"
        : matches(cmd, "change")
          ? "change"
          : undefined;
  if (!op)
    return c.fail(
      "ip.unknown-command",
      `Command "${cmd}" is unknown, try "ip address help".`,
      cmdW,
      255,
    );
  let local: Prefix | undefined,
    peer: Prefix | undefined,
    broadcast: Addr | "+" | "-" | undefined,
    scope: number | undefined;
  let dev: Word | undefined,
    label: string | undefined,
    noprefixroute = false,
    nodad = false,
    metric: number | undefined;
  let family = opts.family;
  while (!c.done) {
    const w = c.next()!;
    const t = w.text;
    if (t === "peer" || t === "remote") {
      const v = c.nextArg();
      const p = prefixArg(c, v, family);
      peer = p;
    } else if (matches(t, "broadcast") || t === "brd") {
      const v = c.nextArg();
      if (v.text === "+" || v.text === "-") broadcast = v.text;
      else {
        const a = addrArg(c, v, 4);
        broadcast = a;
      }
    } else if (t === "anycast") {
      c.nextArg();
    } else if (t === "scope") {
      const v = c.nextArg();
      const s = scopeA2n(v.text);
      if (s === undefined) return c.invarg("invalid scope value.", v);
      scope = s;
    } else if (t === "dev") {
      dev = c.nextArg();
    } else if (t === "label") {
      label = c.nextArg().text;
    } else if (t === "noprefixroute") noprefixroute = true;
    else if (t === "nodad") nodad = true;
    else if (t === "metric" || t === "priority" || t === "preference") {
      const v = c.nextArg();
      const n = getU32(v.text);
      if (n === undefined) return c.invarg('"metric" value is invalid\n', v);
      metric = n;
    } else if (["valid_lft", "preferred_lft"].includes(t)) {
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
      if (t === "local") {
        const v = c.nextArg();
        const p = prefixArg(c, v, family);
        local = p;
        family = p.addr.family;
        continue;
      }
      if (local)
        return c.fail(
          "ip.garbage",
          `Error: either "local" is duplicate, or "${t}" is a garbage.`,
          w,
          255,
        );
      const p = prefixArg(c, w, family);
      local = p;
      family = p.addr.family;
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
    ...defined({ peer, broadcast, scope }),
    dev: dev.text,
    devWord: dev,
    ...defined({ label }),
    noprefixroute,
    nodad,
    ...defined({ metric }),
  };
}
