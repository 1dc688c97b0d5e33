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
import type { Addr, Family, Prefix } from "../addr/ip.js";
import type { LinkKind, RouteType } from "../core/kinds.js";
import type { SourceLoc } from "../core/loc.js";
import { ArgCursor, catchIpError, isErr, matches, type IpError } from "./args.js";
import { parseAddrCmd } from "./ip-addr.js";
import { parseLink, parseTuntap } from "./ip-link.js";
import { parseRoute } from "./ip-route.js";
import { parseRule } from "./ip-rule.js";
import type { Word } from "./shell.js";

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
      /** `cache`: cloned routes (route exceptions) only, which routelab does not keep. */
      cloned?: boolean;
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
