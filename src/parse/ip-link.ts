/**
 * `ip link` and `ip tuntap` (ip/iplink.c, ip/iptuntap.c) → typed commands.
 * @module
 */
import type { LinkKind } from "../core/kinds.js";
import { defined } from "../core/result.js";
import { getU32 } from "../addr/num.js";
import { matches, type ArgCursor } from "./args.js";
import type { IpCommand } from "./ip-types.js";
import type { Word } from "./shell.js";

type LinkAdd = Extract<IpCommand, { obj: "link"; op: "add" }>;
type LinkSet = Extract<IpCommand, { obj: "link"; op: "set" }>;

/** C isspace() in the "C" locale. */
const SPACE = new Set([" ", "\t", "\n", "\v", "\f", "\r"]);

function bytesOf(name: string): number {
  return new TextEncoder().encode(name).length;
}

/**
 * iproute2 check_ifname (size 16, IFNAMSIZ) and check_altifname (128, ALTIFNAMSIZ):
 * not empty, shorter than `size` bytes, no `/` and no white space.
 */
export function ifnameOk(name: string, size = 16): boolean {
  if (name === "" || bytesOf(name) >= size) return false;
  for (const ch of name) if (ch === "/" || SPACE.has(ch)) return false;
  return true;
}

/** The kernel's dev_valid_name(): also no `:`, and neither `.` nor `..`. */
export function devValidName(name: string): boolean {
  return ifnameOk(name) && name !== "." && name !== ".." && !name.includes(":");
}

/**
 * The device name of `ip link add`: iproute2's own check (`name NAME` is check_ifname,
 * `[dev] NAME` check_altifname), then the kernel's IFLA_IFNAME policy (IFNAMSIZ).
 */
function newIfname(c: ArgCursor, w: Word, key: "name" | "dev"): Word {
  if (!ifnameOk(w.text, key === "name" ? 16 : 128)) c.invarg(`"${key}" not a valid ifname`, w);
  if (bytesOf(w.text) >= 16)
    c.fail("rtnl.EINVAL", "Error: Attribute failed policy validation.", w, 2, "at most 15 bytes");
  return w;
}

/** `Not enough information: "dev" argument is required.` (iplink.c, exit 255). */
function needDev(c: ArgCursor, expected?: string): never {
  const message = 'Not enough information: "dev" argument is required.';
  return c.fail("ip.incomplete", message, undefined, 255, expected);
}

/** do_iplink: the command word, then its arguments. */
export function parseLink(c: ArgCursor): IpCommand {
  const cmdW = c.next();
  const cmd = cmdW?.text ?? "show";
  if (!cmdW || matches(cmd, "show") || matches(cmd, "list") || matches(cmd, "lst"))
    return linkShow(c);
  if (matches(cmd, "add")) return linkAdd(c);
  if (matches(cmd, "delete")) return linkDel(c);
  if (matches(cmd, "set") || matches(cmd, "change")) return linkSet(c, cmdW);
  return c.fail(
    "ip.unknown-command",
    `Command "${cmd}" is unknown, try "ip link help".`,
    cmdW,
    255,
    "add, delete, set or show",
  );
}

/**
 * ipaddr_list_flush_or_save's link filters: `dev D`, `up`, `type KIND`, `master M`,
 * `vrf V`, `group G`; others are refused as not modelled (never silently ignored).
 */
function linkShow(c: ArgCursor): IpCommand {
  let dev: Word | undefined;
  const f: { up?: boolean; type?: string; master?: string; group?: number } = {};
  while (!c.done) {
    const w = c.next()!;
    if (w.text === "dev") dev = c.nextArg();
    else if (w.text === "up") f.up = true;
    else if (w.text === "type") f.type = c.nextArg().text;
    else if (w.text === "master" || w.text === "vrf") f.master = c.nextArg().text;
    else if (w.text === "group") {
      const v = c.nextArg();
      f.group =
        v.text === "default" ? 0 : (getU32(v.text) ?? c.invarg('Invalid "group" value\n', v));
    } else if (["nomaster", "label", "to", "scope", "permanent", "dynamic"].includes(w.text))
      c.fail(
        "ip.not-modelled",
        `ip link show "${w.text}" is not modelled`,
        w,
        1,
        "dev, up, type, master, vrf, group",
      );
    else if (dev) c.duparg2("dev", w);
    else dev = w;
  }
  return { obj: "link", op: "show", ...defined({ dev: dev?.text, devWord: dev }), ...defined(f) };
}

/** The kind-specific part of `ip link add … type KIND …` (iplink_parse hands it on). */
interface LinkType {
  kind: LinkKind;
  peer?: string;
  vlanId?: number;
  macvlanMode?: string;
  vrfTable?: number;
}

/** Kinds iproute2 knows without options of its own: trailing words are not read. */
const PLAIN_KINDS: readonly LinkKind[] = ["bridge", "dummy", "ifb"];

/** `type veth|bridge|dummy|ifb|wireguard|vlan|macvlan|vrf …` and the kind's own options. */
function linkType(c: ArgCursor): LinkType {
  const v = c.nextArg();
  const kind = v.text as LinkKind;
  if (PLAIN_KINDS.includes(kind)) {
    while (!c.done) c.next();
    return { kind };
  }
  if (kind === "wireguard") {
    // No link_util for wireguard in iproute2 6.1: words after the kind are garbage.
    const w = c.peek();
    if (w)
      c.fail(
        "ip.garbage",
        `Garbage instead of arguments "${w.text} ...". Try "ip link help".`,
        w,
        1,
      );
    return { kind };
  }
  if (kind === "vlan") return vlanOpts(c);
  if (kind === "macvlan") return macvlanOpts(c);
  if (kind === "vrf") return vrfOpts(c);
  if (kind !== "veth")
    return c.fail(
      "rtnl.unknown-kind",
      "Error: Unknown device type.",
      v,
      2,
      "veth, bridge, dummy, ifb, wireguard, vlan, macvlan or vrf",
    );
  if (c.peek()?.text !== "peer") return { kind: "veth" };
  c.next();
  const key = c.peek()?.text === "name" ? "name" : "dev";
  if (key === "name") c.next();
  const peer = newIfname(c, c.nextArg(), key).text;
  if (c.peek()?.text === "netns")
    return c.fail(
      "ip.not-modelled",
      "moving a veth peer to another namespace is not modelled; keep both ends in the host",
      c.peek(),
      1,
      "peer name NAME",
    );
  return { kind: "veth", peer };
}

/** iplink_vlan.c vlan_parse_opt: `id N` (get_u16); other options have no routing effect. */
function vlanOpts(c: ArgCursor): LinkType {
  const out: LinkType = { kind: "vlan" };
  while (!c.done) {
    const w = c.next()!;
    if (w.text === "id") {
      const v = c.nextArg();
      const n = getU32(v.text);
      if (n === undefined || n > 0xffff) c.invarg("id is invalid", v);
      out.vlanId = n;
    } else if (
      ["protocol", "reorder_hdr", "gvrp", "mvrp", "loose_binding", "bridge_binding"].includes(
        w.text,
      )
    )
      c.nextArg();
    else if (w.text === "ingress-qos-map" || w.text === "egress-qos-map") {
      while (!c.done && /^\d+:\d+$/.test(c.peek()!.text)) c.next();
    } else c.fail("ip.garbage", `vlan: unknown command "${w.text}"?`, w, 255, "id N");
  }
  return out;
}

const MACVLAN_MODES = ["private", "vepa", "bridge", "passthru", "source"];

/** iplink_macvlan.c macvlan_parse_opt: `mode M`. */
function macvlanOpts(c: ArgCursor): LinkType {
  const out: LinkType = { kind: "macvlan" };
  while (!c.done) {
    const w = c.next()!;
    if (w.text === "mode") {
      const v = c.nextArg();
      if (!MACVLAN_MODES.includes(v.text)) {
        const m =
          'Error: argument of "mode" must be "private", "vepa", "bridge", "passthru" or ' +
          `"source", not "${v.text}"`;
        c.fail("ip.invarg", m, v, 1, MACVLAN_MODES.join(", "));
      }
      out.macvlanMode = v.text;
    } else if (w.text === "nopromisc" || w.text === "nodst") {
      /* no routing effect */
    } else c.fail("ip.garbage", `macvlan: unknown command "${w.text}"?`, w, 255, "mode M");
  }
  return out;
}

/** iplink_vrf.c vrf_parse_opt: `table N` (rtnl_rttable_a2n). */
function vrfOpts(c: ArgCursor): LinkType {
  const out: LinkType = { kind: "vrf" };
  while (!c.done) {
    const w = c.next()!;
    if (w.text !== "table")
      c.fail("ip.garbage", `vrf: unknown option "${w.text}"?`, w, 255, "table N");
    const v = c.nextArg();
    const named: Record<string, number> = { default: 253, main: 254, local: 255 };
    const n = named[v.text] ?? getU32(v.text);
    if (n === undefined) c.invarg("invalid table ID\n", v);
    out.vrfTable = n;
  }
  return out;
}

/** `mtu N` (iplink.c: get_integer, here get_u32 as before). */
function mtuArg(c: ArgCursor): number {
  const v = c.nextArg();
  return getU32(v.text) ?? c.invarg('Invalid "mtu" value\n', v);
}

function linkAdd(c: ArgCursor): IpCommand {
  let name: Word | undefined;
  let type: LinkType | undefined;
  let link: Word | undefined;
  const o: Partial<Pick<LinkAdd, "mtu" | "up" | "mac" | "master" | "txqlen">> = {};
  while (!c.done) {
    const w = c.next()!;
    const t = w.text;
    if (t === "name" || t === "dev") name = newIfname(c, c.nextArg(), t);
    else if (t === "type") type = linkType(c);
    else if (t === "mtu") o.mtu = mtuArg(c);
    else if (t === "up") o.up = true;
    else if (t === "address") o.mac = c.nextArg().text.toLowerCase();
    else if (t === "master") o.master = c.nextArg().text;
    else if (t === "link") link = c.nextArg();
    else if (t === "txqueuelen" || t === "qlen" || t === "txqlen")
      o.txqlen = getU32(c.nextArg().text);
    else if (!name) name = newIfname(c, w, "dev");
    else return c.duparg2("dev", w);
  }
  if (!name) return needDev(c, "a device name");
  if (!type)
    return c.fail(
      "ip.link-kind",
      'Not enough information: "type" argument is required',
      undefined,
      1,
      "type veth|bridge|dummy|ifb|wireguard|vlan|macvlan|vrf",
    );
  const { kind, peer, vlanId, macvlanMode, vrfTable } = type;
  return {
    obj: "link",
    op: "add",
    name: name.text,
    nameWord: name,
    kind,
    ...defined({ peer, mtu: o.mtu, up: o.up, mac: o.mac || undefined }),
    ...defined({ master: o.master || undefined, txqlen: o.txqlen, link }),
    ...defined({ vlanId, macvlanMode, vrfTable }),
  };
}

function linkDel(c: ArgCursor): IpCommand {
  let dev: Word | undefined;
  while (!c.done) {
    const w = c.next()!;
    if (w.text === "dev") dev = c.nextArg();
    else if (w.text === "type") c.next();
    else dev = w;
  }
  if (!dev) return needDev(c);
  return { obj: "link", op: "del", dev: dev.text, devWord: dev };
}

const LINK_FLAGS = [
  "arp",
  "multicast",
  "allmulticast",
  "promisc",
  "trailers",
  "carrier",
  "dynamic",
];

function linkSet(c: ArgCursor, cmdW: Word): IpCommand {
  let dev: Word | undefined;
  const out: LinkSet = { obj: "link", op: "set", dev: "", devWord: cmdW };
  while (!c.done) {
    const w = c.next()!;
    const t = w.text;
    if (t === "up") out.up = true;
    else if (t === "down") out.up = false;
    else if (t === "mtu") out.mtu = mtuArg(c);
    else if (t === "master") out.master = c.nextArg().text;
    else if (t === "nomaster" || t === "novrf") out.master = null;
    else if (t === "vrf") out.master = c.nextArg().text;
    else if (t === "group") {
      const v = c.nextArg();
      out.group = getU32(v.text) ?? c.invarg('Invalid "group" value\n', v);
    } else if (t === "name") {
      const v = c.nextArg();
      if (!ifnameOk(v.text)) c.invarg('"name" not a valid ifname', v);
      out.newName = v.text;
    } else if (t === "address") out.mac = c.nextArg().text.toLowerCase();
    else if (t === "txqueuelen" || t === "qlen" || t === "txqlen") {
      const n = getU32(c.nextArg().text);
      if (n !== undefined) out.txqlen = n;
    } else if (t === "dev") dev = c.nextArg();
    else if (LINK_FLAGS.includes(t))
      return c.fail(
        "ip.not-modelled",
        `link flag "${t}" is not modelled by routelab`,
        w,
        1,
        "up, down, mtu, master, nomaster, group, name, address",
      );
    else if (!dev) dev = w;
    else return c.duparg2("dev", w);
  }
  if (!dev) return needDev(c);
  out.dev = dev.text;
  out.devWord = dev;
  return out;
}

/** do_iptuntap add/del. */
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
    else if (w.text === "dev" || w.text === "name") name = c.nextArg();
    else if (["user", "group"].includes(w.text)) c.nextArg();
    else if (["one_queue", "pi", "vnet_hdr", "multi_queue", "persist"].includes(w.text)) {
      /* flags: no routing effect */
    } else if (!name) name = w;
    else return c.fail("ip.garbage", `Unknown tunnel option "${w.text}"`, w, 255);
  }
  if (!name) return needDev(c);
  // iptuntap.c copies the name with get_ifname() (check_ifname).
  if (!ifnameOk(name.text)) c.invarg('"name" not a valid ifname', name);
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
