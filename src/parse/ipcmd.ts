/**
 * The `ip` command grammar (iproute2 6.1: ip/iplink.c, ipaddress.c, iproute.c, iprule.c,
 * iptuntap.c) → typed commands. Parsing never touches the host except to resolve table
 * names; device existence is checked when the command is applied, as the kernel does.
 *
 * @example
 * ```ts
 * const r = parseIpArgv(words("rule add fwmark 129 lookup 129"), { family: undefined }, names);
 * // r.cmd = { obj: "rule", op: "add", family: 4, rule: { fwmark: 129, ... } }
 * ```
 * @module
 */
import {
  getAddr,
  parseAddr,
  parsePrefix,
  type Addr,
  type Family,
  type Prefix,
} from "../addr/ip.js";
import type { LinkKind, RouteType } from "../core/kinds.js";
import type { SourceLoc } from "../core/loc.js";
import { ArgCursor, catchIpError, isErr, matches, type IpError } from "./args.js";
import {
  getRtRealmsOrRaw,
  dsfieldA2n,
  inetProtoA2n,
  protoA2n,
  rtntypeA2n,
  rttableA2n,
  scopeA2n,
} from "./names.js";
import type { Word } from "./shell.js";
import { defined } from "../core/result.js";
import { getS32, getU16, getU32 } from "../addr/num.js";

export interface NexthopSpec {
  gateway?: Addr;
  dev?: string;
  weight: number;
  onlink: boolean;
  devWord?: Word;
}

/** A route as written; `undefined` means "not given" (matters for del/change). */
export interface RouteSpec {
  family: Family;
  type?: RouteType;
  dst?: Prefix;
  src?: Prefix;
  tos?: number;
  table?: number;
  protocol?: number;
  scope?: number;
  metric?: number;
  prefsrc?: Addr;
  nexthops: NexthopSpec[];
  multipath: boolean;
  pref6?: number;
  metrics: { name: string; value: number; lock?: boolean }[];
  words: Word[];
}

export interface RuleSpec {
  family: Family;
  pref?: number;
  action?: "lookup" | "goto" | "nop" | "blackhole" | "unreachable" | "prohibit";
  table?: number;
  invert: boolean;
  src?: Prefix;
  dst?: Prefix;
  tos?: number;
  fwmark?: number;
  fwmask?: number;
  iifname?: string;
  oifname?: string;
  uidRange?: [number, number];
  ipproto?: number;
  sport?: [number, number];
  dport?: [number, number];
  suppressPrefixlen?: number;
  suppressIfgroup?: number;
  gotoPref?: number;
  protocol?: number;
  l3mdev: boolean;
  realms?: number;
  words: Word[];
}

export interface RouteGetQuery {
  family: Family;
  dst: Addr;
  from?: Addr;
  iif?: string;
  oif?: string;
  mark?: number;
  tos?: number;
  uid?: number;
  ipproto?: number;
  sport?: number;
  dport?: number;
  fibmatch: boolean;
  connected: boolean;
  words: Word[];
}

export type IpCommand =
  | {
      obj: "link";
      op: "add";
      name: string;
      kind: LinkKind;
      peer?: string;
      mtu?: number;
      up?: boolean;
      mac?: string;
      master?: string;
      group?: number;
      txqlen?: number;
      nameWord: Word;
    }
  | {
      obj: "link";
      op: "set";
      dev: string;
      devWord: Word;
      up?: boolean;
      mtu?: number;
      master?: string | null;
      group?: number;
      newName?: string;
      mac?: string;
      txqlen?: number;
    }
  | { obj: "link"; op: "del"; dev: string; devWord: Word }
  | { obj: "link"; op: "show"; dev?: string; devWord?: Word }
  | { obj: "tuntap"; op: "add" | "del"; name: string; mode: "tun" | "tap"; nameWord: Word }
  | {
      obj: "addr";
      op: "add" | "del" | "replace" | "change";
      family: Family;
      local: Prefix;
      peer?: Prefix;
      broadcast?: Addr | "+" | "-";
      scope?: number;
      dev: string;
      devWord: Word;
      label?: string;
      noprefixroute: boolean;
      nodad: boolean;
      metric?: number;
    }
  | { obj: "addr"; op: "flush" | "show"; family?: Family; dev?: string; devWord?: Word }
  | {
      obj: "route";
      op: "add" | "del" | "replace" | "change" | "append" | "prepend";
      route: RouteSpec;
    }
  | {
      obj: "route";
      op: "flush" | "show";
      family?: Family;
      table?: number | "all";
      dev?: string;
      devWord?: Word;
      type?: RouteType;
      proto?: number;
    }
  | { obj: "route"; op: "get"; query: RouteGetQuery }
  | { obj: "rule"; op: "add" | "del"; rule: RuleSpec }
  | { obj: "rule"; op: "flush" | "show"; family?: Family; pref?: number; table?: number };

/** Global options as `ip` reads them before the object. */
export interface IpOptions {
  family?: Family;
  json?: boolean;
  pretty?: boolean;
  details?: boolean;
  force?: boolean;
  batch?: string;
  numeric?: boolean;
  stats?: boolean;
}

export type ParseOut = { ok: true; cmd: IpCommand } | { ok: false; error: IpError };

/** get_prefix(): `Error: any valid prefix is expected rather than "X".` (exit 1). */
function prefixArg(c: ArgCursor, w: Word, family: Family | undefined): Prefix {
  const r = parsePrefix(w.text, family);
  if (r.ok) return r.value;
  const message = `Error: any valid prefix is expected rather than "${w.text}".`;
  return c.fail("ip.prefix", message, w, 1, r.expected);
}

/** get_addr(): `Error: WHAT address is expected rather than "X".` (exit 1). */
function addrArg(c: ArgCursor, w: Word, family: Family | undefined, what = "inet"): Addr {
  const r = getAddr(w.text, family);
  if (r.ok) return r.value;
  const message = `Error: ${what} address is expected rather than "${w.text}".`;
  return c.fail("ip.address", message, w, 1, r.expected);
}

/** Object names in iproute2's do_cmd order (prefix matching picks the first). */
const OBJECTS = [
  "address",
  "addrlabel",
  "maddress",
  "route",
  "rule",
  "neighbor",
  "neighbour",
  "ntable",
  "link",
  "l2tp",
  "fou",
  "ila",
  "macsec",
  "tunnel",
  "tuntap",
  "tap",
  "token",
  "tcpmetrics",
  "monitor",
  "xfrm",
  "mroute",
  "mrule",
  "netns",
  "netconf",
  "vrf",
  "sr",
  "nexthop",
  "mptcp",
  "ioam",
  "stats",
  "help",
];

/**
 * Parse the words after `ip` (global options already consumed) into a command.
 * @example parseIpArgv(ws, { family: 6 }, names)
 */
export function parseIpArgv(
  words: Word[],
  opts: IpOptions,
  tableNames: ReadonlyMap<number, string>,
  end: SourceLoc,
): ParseOut {
  const c = new ArgCursor(words, end);
  const r = catchIpError(() => parseObject(c, opts, tableNames));
  return isErr(r) ? { ok: false, error: r } : { ok: true, cmd: r };
}

/** do_cmd: the object word (prefixes match in OBJECTS order), then its command. */
function parseObject(
  c: ArgCursor,
  opts: IpOptions,
  tableNames: ReadonlyMap<number, string>,
): IpCommand {
  const objW = c.next();
  if (!objW)
    return c.fail("ip.usage", "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }", undefined, 1);
  const obj = OBJECTS.find((o) => matches(objW.text, o));
  switch (obj) {
    case "link":
      return parseLink(c);
    case "tuntap":
    case "tap":
      return parseTuntap(c);
    case "address":
      return parseAddrCmd(c, opts);
    case "route":
      return parseRoute(c, opts, tableNames);
    case "rule":
      return parseRule(c, opts, tableNames);
    case undefined:
      return c.fail(
        "ip.unknown-object",
        `Object "${objW.text}" is unknown, try "ip help".`,
        objW,
        1,
        "link, address, route, rule or tuntap",
      );
    default:
      return c.fail(
        "ip.not-modelled",
        `Object "${obj}" is not modelled by routelab`,
        objW,
        1,
        "link, address, route, rule or tuntap",
      );
  }
}

// ---------------- link ----------------
function parseLink(c: ArgCursor): IpCommand {
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

function parseTuntap(c: ArgCursor): IpCommand {
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

// ---------------- address ----------------
function parseAddrCmd(c: ArgCursor, opts: IpOptions): IpCommand {
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

// ---------------- route ----------------
/** rtnl_dsfield_a2n; `why` is the caller's invarg text (iproute.c and iprule.c differ). */
function parseTos(c: ArgCursor, v: Word, why = "TOS value is invalid\n"): number {
  return dsfieldA2n(v.text) ?? c.invarg(why, v);
}

function parseRoute(c: ArgCursor, opts: IpOptions, names: ReadonlyMap<number, string>): IpCommand {
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
    let table: number | "all" | undefined,
      dev: Word | undefined,
      proto: number | undefined,
      type: RouteType | undefined;
    while (!c.done) {
      const w = c.next()!;
      if (w.text === "table") {
        const v = c.nextArg();
        if (v.text === "all" || v.text === "cache") table = "all";
        else {
          const n = rttableA2n(v.text, names);
          if (n === undefined) return c.invarg("table id value is invalid\n", v);
          table = n;
        }
      } else if (w.text === "dev" || w.text === "oif") {
        dev = c.nextArg();
      } else if (w.text === "proto" || w.text === "protocol") {
        const v = c.nextArg();
        proto = protoA2n(v.text);
      } else if (w.text === "type") {
        const v = c.nextArg();
        type = rtntypeA2n(v.text);
      } else
        return c.fail(
          "ip.not-modelled",
          `route ${op} selector "${w.text}" is not modelled by routelab`,
          w,
          1,
          "table, dev, proto or type",
        );
    }
    return {
      obj: "route",
      op,
      ...defined({ family: opts.family, table, dev: dev?.text, devWord: dev, proto, type }),
    };
  }
  if (matches(cmd, "get")) return parseRouteGet(c, opts);
  const op = (["add", "delete", "replace", "change", "append", "prepend"] as const).find((o) =>
    matches(cmd, o),
  );
  if (!op)
    return c.fail(
      "ip.unknown-command",
      `Command "${cmd}" is unknown, try "ip route help".`,
      cmdW,
      255,
    );
  const spec: RouteSpec = {
    family: opts.family ?? 4,
    nexthops: [],
    multipath: false,
    metrics: [],
    words: c.words,
  };
  let familyKnown = opts.family !== undefined;
  const setFamily = (f: Family) => {
    if (!familyKnown) {
      spec.family = f;
      familyKnown = true;
    }
  };
  let nh: NexthopSpec = { weight: 1, onlink: false };
  let sawNexthop = false;
  // Family may only be known from a later address (e.g. `ip route add default via fd00::1`).
  const rest: Word[] = c.words.slice(c.i);
  if (!familyKnown)
    for (const w of rest) {
      if (w.text.includes(":") && parseAddr(w.text.split("/")[0]!, 6).ok) {
        spec.family = 6;
        break;
      }
      if (/^\d+\.\d+/.test(w.text)) {
        spec.family = 4;
        break;
      }
    }
  while (!c.done) {
    const w = c.next()!;
    const t = w.text;
    if (t === "src") {
      const v = c.nextArg();
      const a = addrArg(c, v, spec.family);
      spec.prefsrc = a;
      setFamily(a.family);
    } else if (t === "as") {
      return c.fail("ip.not-modelled", "NAT routes are not modelled", w, 1);
    } else if (t === "via") {
      if (sawNexthop || nh.gateway)
        return c.invarg("use nexthop syntax to specify multiple via\n", w);
      let v = c.nextArg();
      if (v.text === "inet" || v.text === "inet6") {
        v = c.nextArg();
      }
      const a = addrArg(c, v, undefined);
      nh.gateway = a;
      setFamily(a.family);
    } else if (t === "from") {
      const v = c.nextArg();
      const p = prefixArg(c, v, spec.family);
      spec.src = p;
    } else if (t === "tos" || matches(t, "dsfield")) {
      const v = c.nextArg();
      const n = parseTos(c, v, '"tos" value is invalid\n');
      spec.tos = n;
    } else if (t === "expires") {
      return c.fail("ip.not-modelled", "route expiry is not modelled", w, 1);
    } else if (matches(t, "metric") || matches(t, "priority") || t === "preference") {
      const v = c.nextArg();
      const n = getU32(v.text);
      if (n === undefined) return c.invarg('"metric" value is invalid\n', v);
      spec.metric = n;
    } else if (t === "scope") {
      const v = c.nextArg();
      const s = scopeA2n(v.text);
      if (s === undefined) return c.invarg('invalid "scope" value\n', v);
      spec.scope = s;
    } else if (
      t === "mtu" ||
      t === "advmss" ||
      t === "hoplimit" ||
      t === "window" ||
      t === "rtt" ||
      t === "rttvar" ||
      t === "reordering" ||
      t === "cwnd" ||
      t === "initcwnd" ||
      t === "initrwnd" ||
      t === "ssthresh" ||
      t === "realm" ||
      t === "realms" ||
      t === "features" ||
      t === "quickack" ||
      t === "fastopen_no_cookie" ||
      t === "rto_min" ||
      t === "congctl"
    ) {
      let v = c.nextArg();
      let lock = false;
      if (v.text === "lock") {
        lock = true;
        v = c.nextArg();
      }
      const n = getU32(v.text);
      if (n === undefined) return c.invarg(`"${t}" value is invalid\n`, v);
      spec.metrics.push({ name: t, value: n, ...defined({ lock: lock || undefined }) });
    } else if (t === "pref") {
      const v = c.nextArg();
      const m: Record<string, number> = { low: 3, medium: 0, high: 1 };
      const n = m[v.text];
      if (n === undefined) return c.invarg('"pref" value is invalid\n', v);
      spec.pref6 = n;
    } else if (t === "nexthop") {
      if (!sawNexthop && (nh.gateway || nh.dev))
        return c.fail(
          "ip.garbage",
          `Error: either "to" is duplicate, or "nexthop" is a garbage.`,
          w,
          255,
        );
      sawNexthop = true;
      spec.multipath = true;
      const hop: NexthopSpec = { weight: 1, onlink: false };
      while (!c.done && c.peek()!.text !== "nexthop") {
        const hw = c.peek()!;
        if (hw.text === "via") {
          c.next();
          let v = c.nextArg();
          if (v.text === "inet" || v.text === "inet6") {
            v = c.nextArg();
          }
          const a = addrArg(c, v, undefined);
          hop.gateway = a;
          setFamily(a.family);
        } else if (hw.text === "dev") {
          c.next();
          const v = c.nextArg();
          hop.dev = v.text;
          hop.devWord = v;
        } else if (hw.text === "weight") {
          c.next();
          const v = c.nextArg();
          const n = getU32(v.text);
          if (n === undefined || n < 1 || n > 256) return c.invarg('"weight" is invalid\n', v);
          hop.weight = n;
        } else if (hw.text === "onlink") {
          c.next();
          hop.onlink = true;
        } else break;
      }
      spec.nexthops.push(hop);
    } else if (t === "table") {
      const v = c.nextArg();
      const n = rttableA2n(v.text, names);
      if (n === undefined) return c.invarg('"table" value is invalid\n', v);
      spec.table = n;
    } else if (t === "vrf") {
      return c.fail("ip.not-modelled", "VRF devices are not available; use a table", w, 1);
    } else if (t === "dev" || t === "oif") {
      if (sawNexthop)
        return c.fail(
          "ip.garbage",
          `Error: either "to" is duplicate, or "${t}" is a garbage.`,
          w,
          255,
        );
      const v = c.nextArg();
      nh.dev = v.text;
      nh.devWord = v;
    } else if (t === "onlink") nh.onlink = true;
    else if (t === "protocol" || t === "proto") {
      const v = c.nextArg();
      const n = protoA2n(v.text);
      if (n === undefined) return c.invarg('"protocol" value is invalid\n', v);
      spec.protocol = n;
    } else if (t === "nhid" || t === "encap" || t === "ttl-propagate")
      return c.fail("ip.not-modelled", `"${t}" is not modelled by routelab`, w, 1);
    else {
      let tw = w;
      if (t === "to") {
        tw = c.nextArg();
      }
      const ty = rtntypeA2n(tw.text);
      if (ty && !spec.type && tw.text !== "to") {
        spec.type = ty;
        const v = c.nextArg();
        tw = v;
        if (tw.text === "to") {
          const v2 = c.nextArg();
          tw = v2;
        }
      }
      if (spec.dst)
        return c.fail(
          "ip.garbage",
          `Error: either "to" is duplicate, or "${tw.text}" is a garbage.`,
          tw,
          255,
        );
      const p = prefixArg(c, tw, familyKnown ? spec.family : undefined);
      spec.dst = p;
      setFamily(p.addr.family);
    }
  }
  if (!sawNexthop && (nh.gateway || nh.dev || nh.onlink)) spec.nexthops.push(nh);
  if (!spec.dst && op !== "delete")
    return c.fail(
      "ip.incomplete",
      "need at least a destination address",
      undefined,
      255,
      "a destination prefix",
    );
  const opName = op === "delete" ? "del" : op;
  return { obj: "route", op: opName, route: spec };
}

function parseRouteGet(c: ArgCursor, opts: IpOptions): IpCommand {
  let dst: Addr | undefined;
  const q: Omit<RouteGetQuery, "dst" | "family"> & { family?: Family } = {
    fibmatch: false,
    connected: false,
    words: c.words,
  };
  let family = opts.family;
  while (!c.done) {
    const w = c.next()!;
    const t = w.text;
    if (t === "tos" || matches(t, "dsfield")) {
      const v = c.nextArg();
      const n = parseTos(c, v);
      q.tos = n;
    } else if (matches(t, "from")) {
      const v = c.nextArg();
      const r = parsePrefix(v.text, family);
      if (!r.ok)
        return c.fail(
          "ip.prefix",
          `Error: any valid prefix is expected rather than "${v.text}".`,
          v,
          1,
        );
      q.from = r.value.addr;
      family ??= r.value.addr.family;
    } else if (t === "iif") {
      q.iif = c.nextArg().text;
    } else if (matches(t, "mark")) {
      const v = c.nextArg();
      const n = getU32(v.text);
      if (n === undefined) return c.invarg("invalid mark value", v);
      q.mark = n;
    } else if (matches(t, "oif") || t === "dev") {
      q.oif = c.nextArg().text;
    } else if (matches(t, "notify")) {
      /* no effect */
    } else if (matches(t, "connected")) q.connected = true;
    else if (t === "vrf") return c.fail("ip.not-modelled", "VRF devices are not available", w, 1);
    else if (t === "uid") {
      const v = c.nextArg();
      const n = getU32(v.text);
      if (n === undefined) return c.invarg("invalid UID\n", v);
      q.uid = n;
    } else if (matches(t, "fibmatch")) q.fibmatch = true;
    else if (t === "as") return c.fail("ip.not-modelled", "`as` (NAT) is not modelled", w, 1);
    else if (t === "sport") {
      const v = c.nextArg();
      const n = getU16(v.text); // iproute.c: get_be16 base 0
      if (n === undefined) return c.invarg("invalid sport\n", v);
      q.sport = n;
    } else if (t === "dport") {
      const v = c.nextArg();
      const n = getU16(v.text); // iproute.c: get_be16 base 0
      if (n === undefined) return c.invarg("invalid dport\n", v);
      q.dport = n;
    } else if (t === "ipproto") {
      const v = c.nextArg();
      const n = inetProtoA2n(v.text);
      if (n === undefined) return c.invarg('Invalid "ipproto" value\n', v);
      q.ipproto = n;
    } else {
      let tw = w;
      if (t === "to") {
        tw = c.nextArg();
      }
      if (dst)
        return c.fail(
          "ip.garbage",
          `Error: either "to" is duplicate, or "${tw.text}" is a garbage.`,
          tw,
          255,
        );
      const r = parsePrefix(tw.text, family);
      if (!r.ok)
        return c.fail(
          "ip.prefix",
          dst === undefined && q.tos === undefined && !q.from
            ? `Error: any valid prefix is expected rather than "${tw.text}".`
            : `Error: inet prefix is expected rather than "${tw.text}".`,
          tw,
          1,
        );
      dst = r.value.addr;
      family ??= dst.family;
    }
  }
  if (!dst)
    return c.fail(
      "ip.incomplete",
      "need at least a destination address",
      undefined,
      1,
      "a destination address",
    );
  return { obj: "route", op: "get", query: { ...q, family: dst.family, dst } };
}

// ---------------- rule ----------------
/** iprule.c sport/dport: `N` or `N-M`, decimal (sscanf %hu). */
function parsePortRange(c: ArgCursor, v: Word, which: string): [number, number] {
  const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(v.text);
  if (!m) return c.invarg(`invalid ${which}\n`, v);
  const a = Number(m[1]);
  const b = m[2] !== undefined ? Number(m[2]) : a;
  if (a > 65535 || b > 65535) return c.invarg(`invalid ${which}\n`, v);
  return [a, b];
}

function parseRule(c: ArgCursor, opts: IpOptions, names: ReadonlyMap<number, string>): IpCommand {
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
