/**
 * `ip [-6] [-j [-p]] route get ...` output for an engine Decision, as iproute2 6.1's
 * print_route prints the kernel's RTM_NEWROUTE answer (net/ipv4/route.c rt_fill_info,
 * net/ipv6/route.c rt6_fill_node), and the error form `RTNETLINK answers: <strerror>`.
 *
 * @example
 * ```ts
 * printRouteGet(state, decision, { family: 4, json: false });
 * // "10.1.0.2 dev a1 src 10.1.0.1 uid 0 \n    cache \n"
 * ```
 * @module
 */
import type { Addr } from "../addr/ip.js";
import { TABLE, type Family } from "../core/kinds.js";
import { defined } from "../core/result.js";
import { formatAddr } from "../addr/ip.js";
import type { HostState } from "../model/types.js";
import type { Decision, Errno, RouteDecision } from "../engine/types.js";
import { ERRNO } from "../engine/types.js";
import { Emitter } from "./emit.js";
import { dsfieldN2a, rtprotN2a, tableN2a } from "../parse/names.js";
import { linkName, printPref, printRouteEntry } from "./routes.js";

export interface RouteGetQuery {
  family: Family;
  /** `from ADDR` as given on the command line. */
  from?: Addr;
  /** `iif DEV` as given (name or ifindex). */
  iif?: string | number;
  /**
   * `uid N` as given; undefined = not given (output lookups then print the flow's uid, the
   * caller's).
   */
  uid?: number | undefined;
  /** `mark N` as given (0 is not sent by iproute2). */
  mark?: number;
  fibmatch?: boolean;
  /** `connected` as given (see {@link routeGetResult}). */
  connected?: boolean;
  json?: boolean;
  pretty?: boolean;
}

/**
 * The error line iproute2 prints on stderr (exit status 2).
 * @example routeGetError("EACCES") // "RTNETLINK answers: Permission denied\n"
 */
export function routeGetError(errno: Errno): string {
  return `RTNETLINK answers: ${ERRNO[errno]}\n`;
}

/** RTCF_* cache flag print order (print_cache_flags). */
const CACHE_ORDER = [
  "local",
  "reject",
  "mc",
  "brd",
  "dst-nat",
  "src-nat",
  "masq",
  "dst-direct",
  "src-direct",
  "redirected",
  "redirect",
  "fastroute",
  "notify",
  "proxy",
];

/**
 * stdout of a successful `ip route get`; for a failed decision, the stderr line instead
 * (use {@link routeGetResult} to get both streams and the exit status).
 */
export function printRouteGet(state: HostState, d: Decision, q: RouteGetQuery): string {
  if (!d.ok) return routeGetError(d.errno);
  const o = new Emitter({ json: q.json, pretty: q.pretty });
  o.startList();
  if (q.fibmatch && d.route) {
    // fib_dump_info reports the table that answered (main while local is merged into it).
    // …and the type of the answer (a limited broadcast through a unicast default prints
    // "broadcast").
    let r =
      d.table !== undefined && d.table !== d.route.table ? { ...d.route, table: d.table } : d.route;
    if ((d.type === "broadcast" || d.type === "multicast") && r.type === "unicast")
      r = { ...r, type: d.type };
    let nhs = r.nexthops;
    if (r.family === 6 && nhs.length > 1 && d.nhIndex !== undefined) {
      // IPv6 multipath routes are siblings: the matched one is printed first, then the rest of the
      // ring.
      nhs = [...nhs.slice(d.nhIndex), ...nhs.slice(0, d.nhIndex)];
    }
    const iif =
      r.family === 6 && (q.iif ?? d.iif) !== undefined
        ? iifName(state, (q.iif ?? d.iif)!)
        : undefined;
    printRouteEntry(o, state, r, {
      details: false,
      tableFiltered: false,
      nexthops: nhs,
      ...defined({ iif }),
    });
  } else {
    printCloned(o, state, d, q);
  }
  o.endList();
  return o.text();
}

function iifName(state: HostState, iif: string | number): string {
  return typeof iif === "number" ? linkName(state, iif) : iif;
}

function printCloned(o: Emitter, state: HostState, d: RouteDecision, q: RouteGetQuery): void {
  const v4 = q.family === 4;
  const type = d.type;
  const iif = q.iif ?? d.iif;
  o.openObject();
  if (type !== "unicast") o.any("type", "%s ", type);
  o.any("dst", "%s ", formatAddr(d.flow.daddr));
  if (q.from && !(q.from.family === 4 && q.from.v === 0))
    o.any("from", "from %s ", formatAddr(q.from));
  else if (!v4) o.any("from", "from %s ", "::");
  const tos = d.route?.tos ?? 0;
  if (v4 && tos) o.any("tos", "tos %s ", dsfieldN2a(tos));
  if (d.gateway) {
    o.js("gateway", formatAddr(d.gateway));
    o.fp(`via ${formatAddr(d.gateway)} `);
  }
  if (d.oif) o.any("dev", "dev %s ", linkName(state, d.oif));
  if (d.table && d.table !== TABLE.main)
    o.any("table", "table %s ", tableN2a(state.tableNames, d.table));
  if (!v4 && d.route) {
    if (d.route.protocol !== 3) o.any("protocol", "proto %s ", rtprotN2a(d.route.protocol));
  }
  const showSrc = v4 ? (q.from === undefined || q.from.v === 0) && iif === undefined : true;
  if (d.prefsrc && showSrc) {
    o.js("prefsrc", formatAddr(d.prefsrc));
    o.fp(`src ${formatAddr(d.prefsrc)} `);
  }
  if (!v4) o.any("metric", "metric %u ", (d.route?.metric ?? 0) >>> 0);
  o.openArray("flags");
  if (v4 && d.cacheFlags.includes("mc")) o.any(null, "%s ", "rt_offload_failed");
  o.closeArray();
  if (v4) {
    const mark = (q.mark ?? d.flow.mark) >>> 0;
    if (mark) {
      if (o.json) o.js("mark", mark);
      else o.fp(mark >= 16 ? `mark 0x${mark.toString(16)} ` : `mark ${mark} `);
    }
    const uid = q.uid !== undefined ? q.uid : iif === undefined ? d.flow.uid : undefined;
    if (uid !== undefined && uid >>> 0 !== 0xffffffff) o.any("uid", "uid %u ", uid >>> 0);
    o.openArray("cache");
    o.fp("\n    cache ");
    const flags = CACHE_ORDER.filter((f) => d.cacheFlags.includes(f));
    if (flags.length) {
      o.fp("<");
      flags.forEach((f, i) => {
        o.js(null, f);
        o.fp(f + (i < flags.length - 1 ? "," : "> "));
      });
    }
    o.closeArray();
  }
  if (iif !== undefined) o.any("iif", "iif %s ", iifName(state, iif));
  if (!v4) printPref(o, d.route?.pref6 ?? 0);
  o.fp("\n");
  o.closeObject();
}

/** Both streams and the exit status of `ip route get` (2 on error, like iproute2). */
export function routeGetResult(
  state: HostState,
  d: Decision,
  q: RouteGetQuery,
): { stdout: string; stderr: string; status: number } {
  if (!d.ok) return { stdout: "", stderr: routeGetError(d.errno), status: 2 };
  const out = printRouteGet(state, d, q);
  if (q.connected && !q.from) {
    const text = q.json ? printRouteGet(state, d, { ...q, json: false }) : out;
    return connectedResult(d, q, out, text);
  }
  return { stdout: out, stderr: "", status: 0 };
}

/**
 * iproute2 6.1 iproute_get with `connected` and no `from`: it prints the answer, turns its
 * RTA_PREFSRC into RTA_SRC, but then sends the original request again: the same answer
 * twice, in JSON the list (closed by delete_json_obj) and then the answer in text. Without a
 * source in the answer it says "Failed to connect the route" (exit 1), leaving the JSON list
 * unclosed.
 */
function connectedResult(
  d: RouteDecision,
  q: RouteGetQuery,
  out: string,
  text: string,
): { stdout: string; stderr: string; status: number } {
  // rt_fill_info puts RTA_PREFSRC in an output answer; an input (iif) one has none.
  const hasSrc = d.prefsrc !== undefined && (q.family === 6 || q.iif === undefined);
  if (hasSrc) return { stdout: out + text, stderr: "", status: 0 };
  const stdout = q.json && !q.pretty && out.endsWith("]\n") ? out.slice(0, -2) : out;
  return { stdout, stderr: "Failed to connect the route\n", status: 1 };
}
