/**
 * `ip link` and `ip tuntap` (ip/iplink.c, ip/iptuntap.c) → typed commands.
 * @module
 */
import type { LinkKind } from "../core/kinds.js";
import { defined } from "../core/result.js";
import { getU32 } from "../addr/num.js";
import { matches, type ArgCursor } from "./args.js";
import type { IpCommand } from "./ipcmd.js";
import type { Word } from "./shell.js";

export function parseLink(c: ArgCursor): IpCommand {
  const cmdW = c.next();
  const cmd = cmdW?.text ?? "show";
  if (!cmdW || matches(cmd, "show") || matches(cmd, "list") || matches(cmd, "lst")) {
    let dev: Word | undefined;
    while (!c.done) {
      const w = c.next()!;
      if (w.text === "dev") {
        dev = c.nextArg();
      } else if (w.text !== "up") dev = w;
    }
    return { obj: "link", op: "show", ...defined({ dev: dev?.text, devWord: dev }) };
  }
  if (matches(cmd, "add")) {
    let name: Word | undefined,
      kind: LinkKind | undefined,
      peer: string | undefined,
      mtu: number | undefined,
      up: boolean | undefined;
    let mac: string | undefined, master: string | undefined, txqlen: number | undefined;
    while (!c.done) {
      const w = c.next()!;
      if (w.text === "name") {
        name = c.nextArg();
      } else if (w.text === "type") {
        const v = c.nextArg();
        if (v.text === "veth") kind = "veth";
        else if (v.text === "bridge") kind = "bridge";
        else
          return c.fail(
            "rtnl.unknown-kind",
            "Error: Unknown device type.",
            v,
            2,
            "veth or bridge (dummy, wireguard, vrf: use a tun named like the device)",
          );
        if (kind === "veth") {
          // type veth peer [name] NAME [netns X]
          if (c.peek()?.text === "peer") {
            c.next();
            if (c.peek()?.text === "name") c.next();
            const p = c.nextArg();
            peer = p.text;
            if (c.peek()?.text === "netns")
              return c.fail(
                "ip.not-modelled",
                "moving a veth peer to another namespace is not modelled; keep both ends in the host",
                c.peek(),
                1,
                "peer name NAME",
              );
          }
        }
      } else if (w.text === "mtu") {
        const v = c.nextArg();
        const n = getU32(v.text);
        if (n === undefined) return c.invarg('Invalid "mtu" value\n', v);
        mtu = n;
      } else if (w.text === "up") up = true;
      else if (w.text === "address") {
        const v = c.nextArg();
        mac = v.text.toLowerCase();
      } else if (w.text === "master") {
        master = c.nextArg().text;
      } else if (w.text === "txqueuelen" || w.text === "qlen" || w.text === "txqlen") {
        const v = c.nextArg();
        txqlen = getU32(v.text);
      } else if (w.text === "dev") {
        name = c.nextArg();
      } else if (!name) name = w;
      else
        return c.fail(
          "ip.garbage",
          `Error: either "dev" is duplicate, or "${w.text}" is a garbage.`,
          w,
          255,
        );
    }
    if (!name)
      return c.fail(
        "ip.incomplete",
        'Not enough information: "dev" argument is required.',
        undefined,
        255,
        "a device name",
      );
    if (!kind)
      return c.fail(
        "ip.link-kind",
        'Not enough information: "type" argument is required',
        undefined,
        1,
        "type veth|bridge",
      );
    return {
      obj: "link",
      op: "add",
      name: name.text,
      nameWord: name,
      kind,
      ...defined({ peer, mtu, up, mac, master, txqlen }),
    };
  }
  if (matches(cmd, "delete")) {
    let dev: Word | undefined;
    while (!c.done) {
      const w = c.next()!;
      if (w.text === "dev") {
        dev = c.nextArg();
      } else if (w.text === "type") {
        c.next();
      } else dev = w;
    }
    if (!dev)
      return c.fail(
        "ip.incomplete",
        'Not enough information: "dev" argument is required.',
        undefined,
        255,
      );
    return { obj: "link", op: "del", dev: dev.text, devWord: dev };
  }
  if (matches(cmd, "set") || matches(cmd, "change")) {
    let dev: Word | undefined;
    const out: Extract<IpCommand, { op: "set"; obj: "link" }> = {
      obj: "link",
      op: "set",
      dev: "",
      devWord: cmdW,
    };
    while (!c.done) {
      const w = c.next()!;
      const t = w.text;
      if (t === "up") out.up = true;
      else if (t === "down") out.up = false;
      else if (t === "mtu") {
        const v = c.nextArg();
        const n = getU32(v.text);
        if (n === undefined) return c.invarg('Invalid "mtu" value\n', v);
        out.mtu = n;
      } else if (t === "master") {
        out.master = c.nextArg().text;
      } else if (t === "nomaster") out.master = null;
      else if (t === "group") {
        const v = c.nextArg();
        const n = getU32(v.text);
        if (n === undefined) return c.invarg('Invalid "group" value\n', v);
        out.group = n;
      } else if (t === "name") {
        out.newName = c.nextArg().text;
      } else if (t === "address") {
        const v = c.nextArg();
        out.mac = v.text.toLowerCase();
      } else if (t === "txqueuelen" || t === "qlen" || t === "txqlen") {
        const v = c.nextArg();
        const n = getU32(v.text);
        if (n !== undefined) out.txqlen = n;
      } else if (t === "dev") {
        dev = c.nextArg();
      } else if (
        ["arp", "multicast", "allmulticast", "promisc", "trailers", "carrier", "dynamic"].includes(
          t,
        )
      ) {
        return c.fail(
          "ip.not-modelled",
          `link flag "${t}" is not modelled by routelab`,
          w,
          1,
          "up, down, mtu, master, nomaster, group, name, address",
        );
      } else if (!dev) dev = w;
      else
        return c.fail(
          "ip.garbage",
          `Error: either "dev" is duplicate, or "${t}" is a garbage.`,
          w,
          255,
        );
    }
    if (!dev)
      return c.fail(
        "ip.incomplete",
        'Not enough information: "dev" argument is required.',
        undefined,
        255,
      );
    out.dev = dev.text;
    out.devWord = dev;
    return out;
  }
  return c.fail(
    "ip.unknown-command",
    `Command "${cmd}" is unknown, try "ip link help".`,
    cmdW,
    255,
    "add, delete, set or show",
  );
}

export function parseTuntap(c: ArgCursor): IpCommand {
  const cmdW = c.next();
  if (!cmdW)
    return c.fail(
      "ip.usage",
      "Usage: ip tuntap { add | del | show | list | lst | help } ...",
      undefined,
      255,
    );
  const op = matches(cmdW.text, "add") ? "add" : matches(cmdW.text, "delete") ? "del" : undefined;
  if (!op)
    return c.fail(
      "ip.unknown-command",
      `Command "${cmdW.text}" is unknown, try "ip tuntap help".`,
      cmdW,
      255,
      "add or del",
    );
  let name: Word | undefined;
  let mode: "tun" | "tap" | undefined;
  while (!c.done) {
    const w = c.next()!;
    if (w.text === "mode") {
      const v = c.nextArg();
      if (v.text !== "tun" && v.text !== "tap")
        return c.fail("ip.tuntap-mode", `Unknown tunnel mode "${v.text}"`, v, 255, "tun or tap");
      mode = v.text;
    } else if (w.text === "tun" || w.text === "tap") mode = w.text;
    else if (w.text === "dev" || w.text === "name") {
      name = c.nextArg();
    } else if (["user", "group"].includes(w.text)) {
      c.nextArg();
    } else if (["one_queue", "pi", "vnet_hdr", "multi_queue", "persist"].includes(w.text)) {
      /* flags: no routing effect */
    } else if (!name) name = w;
    else return c.fail("ip.garbage", `Unknown tunnel option "${w.text}"`, w, 255);
  }
  if (!name)
    return c.fail(
      "ip.incomplete",
      'Not enough information: "dev" argument is required.',
      undefined,
      255,
    );
  if (!mode)
    return c.fail(
      "ip.tuntap-mode",
      "You failed to specify a tunnel mode",
      undefined,
      255,
      "mode tun|tap",
    );
  return { obj: "tuntap", op, name: name.text, nameWord: name, mode };
}
