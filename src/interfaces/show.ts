/**
 * `ip OBJECT show` with iproute2 6.1's filters and output forms: `route show
 * dev|proto|scope|type|via|src|table`, `rule show pref|table|fwmark`, `addr show
 * dev|scope|up|label`, `link show dev|up|type|master|group`, `-brief` for links and addresses,
 * `-oneline` for them, routes and rules. What is not modelled is refused with a non-zero exit,
 * never ignored.
 * @module
 */
import type { Family } from "../addr/ip.js";
import type { IpError } from "../parse/args.js";
import type { IpCommand, IpOptions } from "../parse/ipcmd.js";
import { linkByName } from "../model/links.js";
import type { HostState } from "../model/types.js";
import { printRules } from "../print/rules.js";
import { printRoutes } from "../print/routes.js";
import {
  printAddrs,
  printAddrsBrief,
  printLinks,
  printLinksBrief,
  printLinksOneline,
} from "../print/links.js";
import { defined } from "../core/result.js";

/** What a show printed: stdout, or the error `ip` prints. */
export type ShowResult = { stdout: string } | { error: IpError };

/**
 * Output formats not modelled for a show command: `-brief` other than for links and
 * addresses in text, `-oneline` other than for links, addresses, routes and rules in text,
 * `-s`/`-d` for links and addresses (statistics, driver details).
 */
function refusedFormat(cmd: IpCommand, opts: IpOptions): IpError | undefined {
  if (!("op" in cmd) || cmd.op !== "show") return undefined;
  const la = cmd.obj === "link" || cmd.obj === "addr";
  // -oneline changes only multipath routes' nexthop lines; rules print one line each anyway.
  const oneline = la || cmd.obj === "route" || cmd.obj === "rule";
  let flag: string | undefined;
  if (opts.brief && (!la || opts.json)) flag = "-brief";
  else if (opts.oneline && (!oneline || opts.json)) flag = "-oneline";
  else if (la && opts.stats) flag = "-statistics";
  else if (la && opts.details) flag = "-details";
  if (!flag) return undefined;
  return {
    code: "ip.not-modelled",
    message: `option "${flag}" is not modelled for ip ${cmd.obj} show`,
    exit: 1,
  };
}

/**
 * ip rule show `pref N` / `table T` / `fwmark V[/M]` (iprule.c filter_nlmsg): only the
 * matching rules; a rule's reported mask is 0xffffffff for a mark given without one.
 */
function ruleFiltered(
  s: HostState,
  pref?: number,
  table?: number,
  fwmark?: [number, number],
): HostState {
  if (pref === undefined && table === undefined && fwmark === undefined) return s;
  const mask = (r: HostState["rules4"][number]) =>
    r.maskSet ? r.fwmask : r.fwmark ? 0xffffffff : 0;
  const keep = (r: HostState["rules4"][number]) =>
    (pref === undefined || r.pref === pref) &&
    (table === undefined || r.table === table) &&
    (fwmark === undefined ||
      (r.fwmark === fwmark[0] && (fwmark[1] < 0 || mask(r) >>> 0 === fwmark[1])));
  return { ...s, rules4: s.rules4.filter(keep), rules6: s.rules6.filter(keep) };
}

function routeShow(s: HostState, opts: IpOptions, cmd: Extract<IpCommand, { obj: "route" }>) {
  if (cmd.op !== "show") return undefined;
  // `ip route show cache`: no cloned routes are kept, so none are listed.
  if (cmd.cloned) return { stdout: opts.json ? "[]\n" : "" };
  const dev = cmd.dev !== undefined ? linkByName(s, cmd.dev) : undefined;
  if (cmd.dev !== undefined && !dev)
    return {
      error: {
        code: "ip.no-device",
        message: `Cannot find device "${cmd.dev}"`,
        exit: 1,
      } as IpError,
    };
  const { proto, type, scope, via, src, root, match } = cmd;
  const stdout = printRoutes(s, {
    ...defined({ family: opts.family, table: cmd.table, dev: dev?.ifindex }),
    ...defined({ proto, type, scope, via, src, root, match }),
    json: !!opts.json,
    pretty: !!opts.pretty,
    details: !!opts.details,
  });
  // iproute2 prints _SL_ ("\\" with -oneline) where a nexthop starts its own line.
  if (opts.oneline) return { stdout: stdout.replace(/\n\tnexthop /g, "\\\tnexthop ") };
  return { stdout };
}

/**
 * `ip OBJECT show`: the printers; undefined for a command that changes the host.
 * @example ipShow(state, {}, cmd) // { stdout: "0:\tfrom all lookup local\n…" }
 */
export function ipShow(s: HostState, opts: IpOptions, cmd: IpCommand): ShowResult | undefined {
  const refused = refusedFormat(cmd, opts);
  if (refused) return { error: refused };
  const fam: Family | undefined = opts.family;
  const view = { json: !!opts.json, pretty: !!opts.pretty };
  if (cmd.obj === "route") return routeShow(s, opts, cmd);
  if (cmd.obj === "rule" && cmd.op === "show") {
    const st = ruleFiltered(s, cmd.pref, cmd.table, cmd.fwmark);
    return { stdout: printRules(st, fam ?? 4, { ...view, details: !!opts.details }) };
  }
  if (cmd.obj === "addr" && cmd.op === "show") {
    const { scope, up, label } = cmd;
    const ao = {
      ...defined({ family: fam, dev: cmd.dev || undefined, scope, up, label }),
      ...view,
      oneline: !!opts.oneline,
    };
    return { stdout: opts.brief ? printAddrsBrief(s, ao) : printAddrs(s, ao) };
  }
  if (cmd.obj === "link" && cmd.op === "show") {
    if (cmd.dev && !linkByName(s, cmd.dev))
      return {
        error: { code: "ip.no-device", message: `Device "${cmd.dev}" does not exist.`, exit: 1 },
      };
    const lo = {
      ...defined({ dev: cmd.dev || undefined, up: cmd.up, type: cmd.type }),
      ...defined({ master: cmd.master, group: cmd.group }),
      ...view,
    };
    if (opts.brief) return { stdout: printLinksBrief(s, lo) };
    return { stdout: opts.oneline ? printLinksOneline(s, lo) : printLinks(s, lo) };
  }
  return undefined;
}
