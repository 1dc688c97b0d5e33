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
import type { LinkKind, RouteType, SourceLoc } from "../model/types.js";
import { ArgCursor, invarg, ipFail, isErr, matches, parseU32, type IpError } from "./args.js";
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
import { getS32, getU16 } from "../addr/num.js";

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

const fail = (error: IpError): ParseOut => ({ ok: false, error });

function prefixArg(w: Word, family: Family | undefined, end: SourceLoc): Prefix | IpError {
  const r = parsePrefix(w.text, family);
  if (!r.ok)
    return ipFail(
      "ip.prefix",
      `Error: any valid prefix is expected rather than "${w.text}".`,
      w,
      end,
      1,
      r.expected,
    );
  return r.value;
}

function addrArg(
  w: Word,
  family: Family | undefined,
  end: SourceLoc,
  what = "inet",
): Addr | IpError {
  const r = getAddr(w.text, family);
  if (!r.ok)
    return ipFail(
      "ip.address",
      `Error: ${what} address is expected rather than "${w.text}".`,
      w,
      end,
      1,
      r.expected,
    );
  return r.value;
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
  const objW = c.next();
  if (!objW)
    return fail(
      ipFail("ip.usage", "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }", undefined, end, 1),
    );
  const obj = OBJECTS.find((o) => matches(objW.text, o));
  switch (obj) {
    case "link":
      return parseLink(c, end);
    case "tuntap":
    case "tap":
      return parseTuntap(c, end);
    case "address":
      return parseAddrCmd(c, opts, end);
    case "route":
      return parseRoute(c, opts, tableNames, end);
    case "rule":
      return parseRule(c, opts, tableNames, end);
    case undefined:
      return fail(
        ipFail(
          "ip.unknown-object",
          `Object "${objW.text}" is unknown, try "ip help".`,
          objW,
          end,
          1,
          "link, address, route, rule or tuntap",
        ),
      );
    default:
      return fail(
        ipFail(
          "ip.not-modelled",
          `Object "${obj}" is not modelled by routelab`,
          objW,
          end,
          1,
          "link, address, route, rule or tuntap",
        ),
      );
  }
}

// ---------------- link ----------------
function parseLink(c: ArgCursor, end: SourceLoc): ParseOut {
  const cmdW = c.next();
  const cmd = cmdW?.text ?? "show";
  if (!cmdW || matches(cmd, "show") || matches(cmd, "list") || matches(cmd, "lst")) {
    let dev: Word | undefined;
    while (!c.done) {
      const w = c.next()!;
      if (w.text === "dev") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        dev = v;
      } else if (w.text !== "up") dev = w;
    }
    return {
      ok: true,
      cmd: { obj: "link", op: "show", ...(dev ? { dev: dev.text, devWord: dev } : {}) },
    };
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
        const v = c.value();
        if (isErr(v)) return fail(v);
        name = v;
      } else if (w.text === "type") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        if (v.text === "veth") kind = "veth";
        else if (v.text === "bridge") kind = "bridge";
        else
          return fail(
            ipFail(
              "rtnl.unknown-kind",
              "Error: Unknown device type.",
              v,
              end,
              2,
              "veth or bridge (dummy, wireguard, vrf: use a tun named like the device)",
            ),
          );
        if (kind === "veth") {
          // type veth peer [name] NAME [netns X]
          if (c.peek()?.text === "peer") {
            c.next();
            if (c.peek()?.text === "name") c.next();
            const p = c.value();
            if (isErr(p)) return fail(p);
            peer = p.text;
            if (c.peek()?.text === "netns")
              return fail(
                ipFail(
                  "ip.not-modelled",
                  "moving a veth peer to another namespace is not modelled; keep both ends in the host",
                  c.peek(),
                  end,
                  1,
                  "peer name NAME",
                ),
              );
          }
        }
      } else if (w.text === "mtu") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        const n = parseU32(v.text);
        if (n === undefined) return fail(invarg('Invalid "mtu" value\n', v, end));
        mtu = n;
      } else if (w.text === "up") up = true;
      else if (w.text === "address") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        mac = v.text.toLowerCase();
      } else if (w.text === "master") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        master = v.text;
      } else if (w.text === "txqueuelen" || w.text === "qlen" || w.text === "txqlen") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        txqlen = parseU32(v.text);
      } else if (w.text === "dev") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        name = v;
      } else if (!name) name = w;
      else
        return fail(
          ipFail(
            "ip.garbage",
            `Error: either "dev" is duplicate, or "${w.text}" is a garbage.`,
            w,
            end,
            255,
          ),
        );
    }
    if (!name)
      return fail(
        ipFail(
          "ip.incomplete",
          'Not enough information: "dev" argument is required.',
          undefined,
          end,
          255,
          "a device name",
        ),
      );
    if (!kind)
      return fail(
        ipFail(
          "ip.link-kind",
          'Not enough information: "type" argument is required',
          undefined,
          end,
          1,
          "type veth|bridge",
        ),
      );
    return {
      ok: true,
      cmd: {
        obj: "link",
        op: "add",
        name: name.text,
        nameWord: name,
        kind,
        ...(peer !== undefined ? { peer } : {}),
        ...(mtu !== undefined ? { mtu } : {}),
        ...(up ? { up } : {}),
        ...(mac ? { mac } : {}),
        ...(master ? { master } : {}),
        ...(txqlen !== undefined ? { txqlen } : {}),
      },
    };
  }
  if (matches(cmd, "delete")) {
    let dev: Word | undefined;
    while (!c.done) {
      const w = c.next()!;
      if (w.text === "dev") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        dev = v;
      } else if (w.text === "type") {
        c.next();
      } else dev = w;
    }
    if (!dev)
      return fail(
        ipFail(
          "ip.incomplete",
          'Not enough information: "dev" argument is required.',
          undefined,
          end,
          255,
        ),
      );
    return { ok: true, cmd: { obj: "link", op: "del", dev: dev.text, devWord: dev } };
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
        const v = c.value();
        if (isErr(v)) return fail(v);
        const n = parseU32(v.text);
        if (n === undefined) return fail(invarg('Invalid "mtu" value\n', v, end));
        out.mtu = n;
      } else if (t === "master") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        out.master = v.text;
      } else if (t === "nomaster") out.master = null;
      else if (t === "group") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        const n = parseU32(v.text);
        if (n === undefined) return fail(invarg('Invalid "group" value\n', v, end));
        out.group = n;
      } else if (t === "name") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        out.newName = v.text;
      } else if (t === "address") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        out.mac = v.text.toLowerCase();
      } else if (t === "txqueuelen" || t === "qlen" || t === "txqlen") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        const n = parseU32(v.text);
        if (n !== undefined) out.txqlen = n;
      } else if (t === "dev") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        dev = v;
      } else if (
        ["arp", "multicast", "allmulticast", "promisc", "trailers", "carrier", "dynamic"].includes(
          t,
        )
      ) {
        return fail(
          ipFail(
            "ip.not-modelled",
            `link flag "${t}" is not modelled by routelab`,
            w,
            end,
            1,
            "up, down, mtu, master, nomaster, group, name, address",
          ),
        );
      } else if (!dev) dev = w;
      else
        return fail(
          ipFail(
            "ip.garbage",
            `Error: either "dev" is duplicate, or "${t}" is a garbage.`,
            w,
            end,
            255,
          ),
        );
    }
    if (!dev)
      return fail(
        ipFail(
          "ip.incomplete",
          'Not enough information: "dev" argument is required.',
          undefined,
          end,
          255,
        ),
      );
    out.dev = dev.text;
    out.devWord = dev;
    return { ok: true, cmd: out };
  }
  return fail(
    ipFail(
      "ip.unknown-command",
      `Command "${cmd}" is unknown, try "ip link help".`,
      cmdW,
      end,
      255,
      "add, delete, set or show",
    ),
  );
}

function parseTuntap(c: ArgCursor, end: SourceLoc): ParseOut {
  const cmdW = c.next();
  if (!cmdW)
    return fail(
      ipFail(
        "ip.usage",
        "Usage: ip tuntap { add | del | show | list | lst | help } ...",
        undefined,
        end,
        255,
      ),
    );
  const op = matches(cmdW.text, "add") ? "add" : matches(cmdW.text, "delete") ? "del" : undefined;
  if (!op)
    return fail(
      ipFail(
        "ip.unknown-command",
        `Command "${cmdW.text}" is unknown, try "ip tuntap help".`,
        cmdW,
        end,
        255,
        "add or del",
      ),
    );
  let name: Word | undefined;
  let mode: "tun" | "tap" | undefined;
  while (!c.done) {
    const w = c.next()!;
    if (w.text === "mode") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      if (v.text !== "tun" && v.text !== "tap")
        return fail(
          ipFail("ip.tuntap-mode", `Unknown tunnel mode "${v.text}"`, v, end, 255, "tun or tap"),
        );
      mode = v.text;
    } else if (w.text === "tun" || w.text === "tap") mode = w.text;
    else if (w.text === "dev" || w.text === "name") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      name = v;
    } else if (["user", "group"].includes(w.text)) {
      const v = c.value();
      if (isErr(v)) return fail(v);
    } else if (["one_queue", "pi", "vnet_hdr", "multi_queue", "persist"].includes(w.text)) {
      /* flags: no routing effect */
    } else if (!name) name = w;
    else return fail(ipFail("ip.garbage", `Unknown tunnel option "${w.text}"`, w, end, 255));
  }
  if (!name)
    return fail(
      ipFail(
        "ip.incomplete",
        'Not enough information: "dev" argument is required.',
        undefined,
        end,
        255,
      ),
    );
  if (!mode)
    return fail(
      ipFail(
        "ip.tuntap-mode",
        "You failed to specify a tunnel mode",
        undefined,
        end,
        255,
        "mode tun|tap",
      ),
    );
  return { ok: true, cmd: { obj: "tuntap", op, name: name.text, nameWord: name, mode } };
}

// ---------------- address ----------------
function parseAddrCmd(c: ArgCursor, opts: IpOptions, end: SourceLoc): ParseOut {
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
        const v = c.value();
        if (isErr(v)) return fail(v);
        dev = v;
      } else if (["scope", "label", "to"].includes(w.text)) {
        c.next();
      } else if (!dev) dev = w;
    }
    return {
      ok: true,
      cmd: {
        obj: "addr",
        op,
        ...(opts.family ? { family: opts.family } : {}),
        ...(dev ? { dev: dev.text, devWord: dev } : {}),
      },
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
    return fail(
      ipFail(
        "ip.unknown-command",
        `Command "${cmd}" is unknown, try "ip address help".`,
        cmdW,
        end,
        255,
      ),
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
      const v = c.value();
      if (isErr(v)) return fail(v);
      const p = prefixArg(v, family, end);
      if (isErr(p)) return fail(p);
      peer = p;
    } else if (matches(t, "broadcast") || t === "brd") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      if (v.text === "+" || v.text === "-") broadcast = v.text;
      else {
        const a = addrArg(v, 4, end);
        if (isErr(a)) return fail(a);
        broadcast = a;
      }
    } else if (t === "anycast") {
      const v = c.value();
      if (isErr(v)) return fail(v);
    } else if (t === "scope") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const s = scopeA2n(v.text);
      if (s === undefined) return fail(invarg("invalid scope value.", v, end));
      scope = s;
    } else if (t === "dev") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      dev = v;
    } else if (t === "label") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      label = v.text;
    } else if (t === "noprefixroute") noprefixroute = true;
    else if (t === "nodad") nodad = true;
    else if (t === "metric" || t === "priority" || t === "preference") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = parseU32(v.text);
      if (n === undefined) return fail(invarg('"metric" value is invalid\n', v, end));
      metric = n;
    } else if (["valid_lft", "preferred_lft"].includes(t)) {
      const v = c.value();
      if (isErr(v)) return fail(v);
      if (v.text !== "forever")
        return fail(
          ipFail(
            "ip.not-modelled",
            "address lifetimes other than forever are not modelled",
            v,
            end,
            1,
            "forever",
          ),
        );
    } else if (["home", "mngtmpaddr", "optimistic", "autojoin"].includes(t)) {
      /* no routing effect */
    } else {
      if (t === "local") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        const p = prefixArg(v, family, end);
        if (isErr(p)) return fail(p);
        local = p;
        family = p.addr.family;
        continue;
      }
      if (local)
        return fail(
          ipFail(
            "ip.garbage",
            `Error: either "local" is duplicate, or "${t}" is a garbage.`,
            w,
            end,
            255,
          ),
        );
      const p = prefixArg(w, family, end);
      if (isErr(p)) return fail(p);
      local = p;
      family = p.addr.family;
    }
  }
  if (!dev)
    return fail(
      ipFail(
        "ip.incomplete",
        'Not enough information: "dev" argument is required.',
        undefined,
        end,
        255,
        "dev NAME",
      ),
    );
  if (!local)
    return fail(
      ipFail(
        "ip.incomplete",
        'Not enough information: "local" argument is required.',
        undefined,
        end,
        255,
        "an address",
      ),
    );
  return {
    ok: true,
    cmd: {
      obj: "addr",
      op,
      family: local.addr.family,
      local,
      ...(peer ? { peer } : {}),
      ...(broadcast !== undefined ? { broadcast } : {}),
      ...(scope !== undefined ? { scope } : {}),
      dev: dev.text,
      devWord: dev,
      ...(label ? { label } : {}),
      noprefixroute,
      nodad,
      ...(metric !== undefined ? { metric } : {}),
    },
  };
}

// ---------------- route ----------------
/** rtnl_dsfield_a2n; `why` is the caller's invarg text (iproute.c and iprule.c differ). */
function parseTos(v: Word, end: SourceLoc, why = "TOS value is invalid\n"): number | IpError {
  const n = dsfieldA2n(v.text);
  return n === undefined ? invarg(why, v, end) : n;
}

function parseRoute(
  c: ArgCursor,
  opts: IpOptions,
  names: ReadonlyMap<number, string>,
  end: SourceLoc,
): ParseOut {
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
        const v = c.value();
        if (isErr(v)) return fail(v);
        if (v.text === "all" || v.text === "cache") table = "all";
        else {
          const n = rttableA2n(v.text, names);
          if (n === undefined) return fail(invarg("table id value is invalid\n", v, end));
          table = n;
        }
      } else if (w.text === "dev" || w.text === "oif") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        dev = v;
      } else if (w.text === "proto" || w.text === "protocol") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        proto = protoA2n(v.text);
      } else if (w.text === "type") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        type = rtntypeA2n(v.text);
      } else
        return fail(
          ipFail(
            "ip.not-modelled",
            `route ${op} selector "${w.text}" is not modelled by routelab`,
            w,
            end,
            1,
            "table, dev, proto or type",
          ),
        );
    }
    return {
      ok: true,
      cmd: {
        obj: "route",
        op,
        ...(opts.family ? { family: opts.family } : {}),
        ...(table !== undefined ? { table } : {}),
        ...(dev ? { dev: dev.text, devWord: dev } : {}),
        ...(proto !== undefined ? { proto } : {}),
        ...(type ? { type } : {}),
      },
    };
  }
  if (matches(cmd, "get")) return parseRouteGet(c, opts, end);
  const op = (["add", "delete", "replace", "change", "append", "prepend"] as const).find((o) =>
    matches(cmd, o),
  );
  if (!op)
    return fail(
      ipFail(
        "ip.unknown-command",
        `Command "${cmd}" is unknown, try "ip route help".`,
        cmdW,
        end,
        255,
      ),
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
      const v = c.value();
      if (isErr(v)) return fail(v);
      const a = addrArg(v, spec.family, end);
      if (isErr(a)) return fail(a);
      spec.prefsrc = a;
      setFamily(a.family);
    } else if (t === "as") {
      return fail(ipFail("ip.not-modelled", "NAT routes are not modelled", w, end, 1));
    } else if (t === "via") {
      if (sawNexthop || nh.gateway)
        return fail(invarg("use nexthop syntax to specify multiple via\n", w, end));
      let v = c.value();
      if (isErr(v)) return fail(v);
      if (v.text === "inet" || v.text === "inet6") {
        v = c.value();
        if (isErr(v)) return fail(v);
      }
      const a = addrArg(v, undefined, end);
      if (isErr(a)) return fail(a);
      nh.gateway = a;
      setFamily(a.family);
    } else if (t === "from") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const p = prefixArg(v, spec.family, end);
      if (isErr(p)) return fail(p);
      spec.src = p;
    } else if (t === "tos" || matches(t, "dsfield")) {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = parseTos(v, end, '"tos" value is invalid\n');
      if (isErr(n)) return fail(n);
      spec.tos = n;
    } else if (t === "expires") {
      return fail(ipFail("ip.not-modelled", "route expiry is not modelled", w, end, 1));
    } else if (matches(t, "metric") || matches(t, "priority") || t === "preference") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = parseU32(v.text);
      if (n === undefined) return fail(invarg('"metric" value is invalid\n', v, end));
      spec.metric = n;
    } else if (t === "scope") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const s = scopeA2n(v.text);
      if (s === undefined) return fail(invarg('invalid "scope" value\n', v, end));
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
      let v = c.value();
      if (isErr(v)) return fail(v);
      let lock = false;
      if (v.text === "lock") {
        lock = true;
        v = c.value();
        if (isErr(v)) return fail(v);
      }
      const n = parseU32(v.text);
      if (n === undefined) return fail(invarg(`"${t}" value is invalid\n`, v, end));
      spec.metrics.push({ name: t, value: n, ...(lock ? { lock } : {}) });
    } else if (t === "pref") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const m: Record<string, number> = { low: 3, medium: 0, high: 1 };
      const n = m[v.text];
      if (n === undefined) return fail(invarg('"pref" value is invalid\n', v, end));
      spec.pref6 = n;
    } else if (t === "nexthop") {
      if (!sawNexthop && (nh.gateway || nh.dev))
        return fail(
          ipFail(
            "ip.garbage",
            `Error: either "to" is duplicate, or "nexthop" is a garbage.`,
            w,
            end,
            255,
          ),
        );
      sawNexthop = true;
      spec.multipath = true;
      const hop: NexthopSpec = { weight: 1, onlink: false };
      while (!c.done && c.peek()!.text !== "nexthop") {
        const hw = c.peek()!;
        if (hw.text === "via") {
          c.next();
          let v = c.value();
          if (isErr(v)) return fail(v);
          if (v.text === "inet" || v.text === "inet6") {
            v = c.value();
            if (isErr(v)) return fail(v);
          }
          const a = addrArg(v, undefined, end);
          if (isErr(a)) return fail(a);
          hop.gateway = a;
          setFamily(a.family);
        } else if (hw.text === "dev") {
          c.next();
          const v = c.value();
          if (isErr(v)) return fail(v);
          hop.dev = v.text;
          hop.devWord = v;
        } else if (hw.text === "weight") {
          c.next();
          const v = c.value();
          if (isErr(v)) return fail(v);
          const n = parseU32(v.text);
          if (n === undefined || n < 1 || n > 256)
            return fail(invarg('"weight" is invalid\n', v, end));
          hop.weight = n;
        } else if (hw.text === "onlink") {
          c.next();
          hop.onlink = true;
        } else break;
      }
      spec.nexthops.push(hop);
    } else if (t === "table") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = rttableA2n(v.text, names);
      if (n === undefined) return fail(invarg('"table" value is invalid\n', v, end));
      spec.table = n;
    } else if (t === "vrf") {
      return fail(
        ipFail("ip.not-modelled", "VRF devices are not available; use a table", w, end, 1),
      );
    } else if (t === "dev" || t === "oif") {
      if (sawNexthop)
        return fail(
          ipFail(
            "ip.garbage",
            `Error: either "to" is duplicate, or "${t}" is a garbage.`,
            w,
            end,
            255,
          ),
        );
      const v = c.value();
      if (isErr(v)) return fail(v);
      nh.dev = v.text;
      nh.devWord = v;
    } else if (t === "onlink") nh.onlink = true;
    else if (t === "protocol" || t === "proto") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = protoA2n(v.text);
      if (n === undefined) return fail(invarg('"protocol" value is invalid\n', v, end));
      spec.protocol = n;
    } else if (t === "nhid" || t === "encap" || t === "ttl-propagate")
      return fail(ipFail("ip.not-modelled", `"${t}" is not modelled by routelab`, w, end, 1));
    else {
      let tw = w;
      if (t === "to") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        tw = v;
      }
      const ty = rtntypeA2n(tw.text);
      if (ty && !spec.type && tw.text !== "to") {
        spec.type = ty;
        const v = c.value();
        if (isErr(v)) return fail(v);
        tw = v;
        if (tw.text === "to") {
          const v2 = c.value();
          if (isErr(v2)) return fail(v2);
          tw = v2;
        }
      }
      if (spec.dst)
        return fail(
          ipFail(
            "ip.garbage",
            `Error: either "to" is duplicate, or "${tw.text}" is a garbage.`,
            tw,
            end,
            255,
          ),
        );
      const p = prefixArg(tw, familyKnown ? spec.family : undefined, end);
      if (isErr(p)) return fail(p);
      spec.dst = p;
      setFamily(p.addr.family);
    }
  }
  if (!sawNexthop && (nh.gateway || nh.dev || nh.onlink)) spec.nexthops.push(nh);
  if (!spec.dst && op !== "delete")
    return fail(
      ipFail(
        "ip.incomplete",
        "need at least a destination address",
        undefined,
        end,
        255,
        "a destination prefix",
      ),
    );
  const opName = op === "delete" ? "del" : op;
  return { ok: true, cmd: { obj: "route", op: opName, route: spec } };
}

function parseRouteGet(c: ArgCursor, opts: IpOptions, end: SourceLoc): ParseOut {
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
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = parseTos(v, end);
      if (isErr(n)) return fail(n);
      q.tos = n;
    } else if (matches(t, "from")) {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const r = parsePrefix(v.text, family);
      if (!r.ok)
        return fail(
          ipFail(
            "ip.prefix",
            `Error: any valid prefix is expected rather than "${v.text}".`,
            v,
            end,
            1,
          ),
        );
      q.from = r.value.addr;
      family ??= r.value.addr.family;
    } else if (t === "iif") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      q.iif = v.text;
    } else if (matches(t, "mark")) {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = parseU32(v.text);
      if (n === undefined) return fail(invarg("invalid mark value", v, end));
      q.mark = n;
    } else if (matches(t, "oif") || t === "dev") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      q.oif = v.text;
    } else if (matches(t, "notify")) {
      /* no effect */
    } else if (matches(t, "connected")) q.connected = true;
    else if (t === "vrf")
      return fail(ipFail("ip.not-modelled", "VRF devices are not available", w, end, 1));
    else if (t === "uid") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = parseU32(v.text);
      if (n === undefined) return fail(invarg("invalid UID\n", v, end));
      q.uid = n;
    } else if (matches(t, "fibmatch")) q.fibmatch = true;
    else if (t === "as")
      return fail(ipFail("ip.not-modelled", "`as` (NAT) is not modelled", w, end, 1));
    else if (t === "sport") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = getU16(v.text); // iproute.c: get_be16 base 0
      if (n === undefined) return fail(invarg("invalid sport\n", v, end));
      q.sport = n;
    } else if (t === "dport") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = getU16(v.text); // iproute.c: get_be16 base 0
      if (n === undefined) return fail(invarg("invalid dport\n", v, end));
      q.dport = n;
    } else if (t === "ipproto") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = inetProtoA2n(v.text);
      if (n === undefined) return fail(invarg('Invalid "ipproto" value\n', v, end));
      q.ipproto = n;
    } else {
      let tw = w;
      if (t === "to") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        tw = v;
      }
      if (dst)
        return fail(
          ipFail(
            "ip.garbage",
            `Error: either "to" is duplicate, or "${tw.text}" is a garbage.`,
            tw,
            end,
            255,
          ),
        );
      const r = parsePrefix(tw.text, family);
      if (!r.ok)
        return fail(
          ipFail(
            "ip.prefix",
            dst === undefined && q.tos === undefined && !q.from
              ? `Error: any valid prefix is expected rather than "${tw.text}".`
              : `Error: inet prefix is expected rather than "${tw.text}".`,
            tw,
            end,
            1,
          ),
        );
      dst = r.value.addr;
      family ??= dst.family;
    }
  }
  if (!dst)
    return fail(
      ipFail(
        "ip.incomplete",
        "need at least a destination address",
        undefined,
        end,
        1,
        "a destination address",
      ),
    );
  return { ok: true, cmd: { obj: "route", op: "get", query: { ...q, family: dst.family, dst } } };
}

// ---------------- rule ----------------
function parsePortRange(v: Word, which: string, end: SourceLoc): [number, number] | IpError {
  const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(v.text);
  if (!m) return invarg(`invalid ${which}\n`, v, end);
  const a = Number(m[1]);
  const b = m[2] !== undefined ? Number(m[2]) : a;
  if (a > 65535 || b > 65535) return invarg(`invalid ${which}\n`, v, end);
  return [a, b];
}

function parseRule(
  c: ArgCursor,
  opts: IpOptions,
  names: ReadonlyMap<number, string>,
  end: SourceLoc,
): ParseOut {
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
        const v = c.value();
        if (isErr(v)) return fail(v);
        pref = parseU32(v.text);
      } else if (w.text === "table" || w.text === "lookup") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        table = rttableA2n(v.text, names);
      } else
        return fail(
          ipFail(
            "ip.not-modelled",
            `rule ${op} selector "${w.text}" is not modelled by routelab`,
            w,
            end,
            1,
            "pref or table",
          ),
        );
    }
    return {
      ok: true,
      cmd: {
        obj: "rule",
        op,
        ...(opts.family ? { family: opts.family } : {}),
        ...(pref !== undefined ? { pref } : {}),
        ...(table !== undefined ? { table } : {}),
      },
    };
  }
  const op = matches(cmd, "add") ? "add" : matches(cmd, "delete") ? "del" : undefined;
  if (!op)
    return fail(
      ipFail(
        "ip.unknown-command",
        `Command "${cmd}" is unknown, try "ip rule help".`,
        cmdW,
        end,
        255,
      ),
    );
  const r: RuleSpec = { family: opts.family ?? 4, invert: false, l3mdev: false, words: c.words };
  let famKnown = opts.family !== undefined;
  while (!c.done) {
    const w = c.next()!;
    const t = w.text;
    if (t === "not") r.invert = true;
    else if (t === "from") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const p = prefixArg(v, famKnown ? r.family : undefined, end);
      if (isErr(p)) return fail(p);
      r.src = p;
      r.family = p.addr.family;
      famKnown = true;
    } else if (t === "to") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const p = prefixArg(v, famKnown ? r.family : undefined, end);
      if (isErr(p)) return fail(p);
      r.dst = p;
      r.family = p.addr.family;
      famKnown = true;
    } else if (matches(t, "preference") || matches(t, "order") || matches(t, "priority")) {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = parseU32(v.text);
      if (n === undefined) return fail(invarg("preference value is invalid\n", v, end));
      r.pref = n;
    } else if (t === "tos" || matches(t, "dsfield")) {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = parseTos(v, end);
      if (isErr(n)) return fail(n);
      r.tos = n;
    } else if (t === "fwmark") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const [a, b] = v.text.split("/");
      const mark = parseU32(a!);
      if (mark === undefined) return fail(invarg("fwmark value is invalid\n", v, end));
      r.fwmark = mark;
      if (b !== undefined) {
        const m = parseU32(b);
        if (m === undefined) return fail(invarg("fwmask value is invalid\n", v, end));
        r.fwmask = m;
      }
    } else if (matches(t, "realms")) {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = getRtRealmsOrRaw(v.text);
      if (n === undefined) return fail(invarg("invalid realms\n", v, end));
      r.realms = n;
    } else if (t === "protocol") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = protoA2n(v.text);
      if (n === undefined) return fail(invarg('"protocol" value is invalid\n', v, end));
      r.protocol = n;
    } else if (t === "tun_id")
      return fail(ipFail("ip.not-modelled", "tun_id rules are not modelled", w, end, 1));
    else if (matches(t, "table") || matches(t, "lookup")) {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = rttableA2n(v.text, names);
      if (n === undefined) return fail(invarg("invalid table ID\n", v, end));
      r.table = n;
      r.action = "lookup";
    } else if (t === "suppress_prefixlength" || t === "sup_pl") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      // iprule.c: get_s32 base 0, and a negative length is refused.
      const n = getS32(v.text);
      if (n === undefined || n < 0)
        return fail(invarg("suppress_prefixlength value is invalid\n", v, end));
      r.suppressPrefixlen = n;
    } else if (t === "suppress_ifgroup" || t === "sup_group") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = parseU32(v.text);
      if (n === undefined) return fail(invarg('Invalid "ifgroup" value\n', v, end));
      r.suppressIfgroup = n;
    } else if (t === "dev" || t === "iif") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      r.iifname = v.text;
    } else if (t === "oif") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      r.oifname = v.text;
    } else if (t === "l3mdev") r.l3mdev = true;
    else if (t === "uidrange") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const m = /^([0-9]+)-([0-9]+)$/.exec(v.text);
      if (!m || Number(m[1]) > 0xffffffff || Number(m[2]) > 0xffffffff)
        return fail(invarg("invalid UID range\n", v, end));
      r.uidRange = [Number(m[1]), Number(m[2])];
    } else if (t === "sport" || t === "dport") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const pr = parsePortRange(v, t, end);
      if (isErr(pr)) return fail(pr);
      r[t] = pr;
    } else if (t === "ipproto") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = inetProtoA2n(v.text);
      if (n === undefined) return fail(invarg('Invalid "ipproto" value\n', v, end));
      r.ipproto = n;
    } else if (matches(t, "nat") || matches(t, "map-to"))
      return fail(
        ipFail("ip.not-modelled", "rule NAT is not supported by the kernel any more", w, end, 1),
      );
    else if (t === "goto") {
      const v = c.value();
      if (isErr(v)) return fail(v);
      const n = parseU32(v.text);
      if (n === undefined) return fail(invarg("invalid target\n", v, end));
      r.gotoPref = n;
      r.action = "goto";
    } else if (t === "nop") r.action = "nop";
    else {
      let tw = w;
      if (t === "type") {
        const v = c.value();
        if (isErr(v)) return fail(v);
        tw = v;
      }
      if (tw.text === "blackhole" || tw.text === "unreachable" || tw.text === "prohibit")
        r.action = tw.text;
      else if (tw.text === "unicast") r.action = "lookup";
      else return fail(invarg("Failed to parse rule type", tw, end));
    }
  }
  return { ok: true, cmd: { obj: "rule", op, rule: r } };
}
