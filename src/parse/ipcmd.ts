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
import type { SourceLoc } from "../core/loc.js";
import { ArgCursor, catchIpError, isErr, matches, type IpError } from "./args.js";
import { USAGE } from "./usage-text.js";
import { parseAddrCmd } from "./ip-addr.js";
import { parseLink, parseTuntap } from "./ip-link.js";
import { parseRoute } from "./ip-route.js";
import { parseRule } from "./ip-rule.js";
import type { IpCommand, IpOptions } from "./ip-types.js";
import type { Word } from "./shell.js";

export type {
  IpCommand,
  IpOptions,
  NexthopSpec,
  RouteGetQuery,
  RouteSpec,
  RuleSpec,
} from "./ip-types.js";

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
  // `ip OBJECT help`: the object's usage on stderr, exit 255 (usage() → exit(-1)).
  const helpW = c.peek();
  const usage = obj === "tap" ? USAGE.tuntap : obj && USAGE[obj];
  if (usage && helpW && matches(helpW.text, "help")) return c.fail("ip.usage", usage, helpW, 255);
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
