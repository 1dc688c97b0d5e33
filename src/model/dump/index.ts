/**
 * Loading what users paste — `ip -j link|addr|rule|route show` output, the plain text of
 * `ip rule show` / `ip route show table all`, and `sysctl -a` lines — into a HostState.
 *
 * A dump IS deployed kernel state: routes the kernel generated (local/broadcast/prefix
 * routes, IPv6 `multicast ff00::/8`) are in it and are loaded as they are; nothing is
 * synthesized except links that are referenced by name but absent from the dumps
 * (veth-like, up, with carrier unless every reference says `linkdown`).
 *
 * Replacement rules (a dump of a kind is complete for what it covers): a rule dump replaces
 * the RPDB of each family it contains; a route dump replaces the routes of each
 * (family, table) it contains; an addr dump replaces the addresses of each link it lists;
 * a link dump updates links by name (keeping the dump's ifindex, renumbering earlier
 * synthesized links if needed).
 *
 * Every rejected line or entry gives an Issue `{code, message, loc: {file, line, col}, token,
 * expected}`; nothing is skipped silently. Fields the model does not keep are dropped
 * without an issue: link statistics/altnames/qdisc/operstate details (derived when printing),
 * address lifetimes (the model keeps `forever`), route metrics' `lock` in JSON dumps
 * (iproute2 does not print it in JSON), `expires` of RA routes, hardware offload flags.
 *
 * @example
 * ```ts
 * const h = createHostState();
 * const issues = loadDump(h, execSync("ip -j rule show").toString(), "rules.json");
 * ```
 * The readers live beside this entry point, one per object: detect.ts, rules.ts /
 * rules-text.ts, routes.ts / routes-json.ts / routes-text.ts, links.ts, addrs.ts, sysctl.ts;
 * stream.ts reads route dumps of any size chunk by chunk.
 * @module
 */
import type { Family } from "../../addr/ip.js";
import type { Issue } from "../../core/issue.js";
import { IssueError } from "../../core/issue.js";
import type { JNode } from "../../parse/dump-json.js";
import { JsonSyntaxError, parseJsonValues } from "../../parse/dump-json.js";
import type { HostState, IfAddr, Route } from "../types.js";
import { addrFromJson } from "./addrs.js";
import {
  detectDumpFormat,
  type DumpFormat,
  type DumpHint,
  firstLine,
  looksLikeJson,
} from "./detect.js";
import { linkFromJson, upsertLink } from "./links.js";
import { Loader, rejected, tokenOf } from "./loader.js";
import { commitRules, ruleFromJson, type RuleDraft } from "./rules.js";
import { ruleFromText } from "./rules-text.js";
import { commitRoutes } from "./routes.js";
import { routeFromJson } from "./routes-json.js";
import { routeFromText } from "./routes-text.js";
import { sysctlLine } from "./sysctl.js";
import { Cursor, tokenize } from "./tokens.js";

export { detectDumpFormat, type DumpFormat, type DumpHint } from "./detect.js";

type JArr = Extract<JNode, { t: "arr" }>;
type JObj = Extract<JNode, { t: "obj" }>;

/** Run one reader; an IssueError it throws becomes an issue and the entry is skipped. */
function guard<T>(ld: Loader, f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof IssueError)) throw e;
    ld.reject(e);
    return undefined;
  }
}

/** The objects of an array; anything else in it is rejected. */
function objects(ld: Loader, arr: JArr): JObj[] {
  return arr.items.filter((it): it is JObj => {
    if (it.t === "obj") return true;
    ld.reject(rejected(it.pos, tokenOf(it), "an object"));
    return false;
  });
}

/** Add a rule to the current list; a lower preference starts the next family's list. */
function pushRule(segs: RuleDraft[][], d: RuleDraft): void {
  let seg = segs[segs.length - 1]!;
  const last = seg[seg.length - 1];
  if (last && d.rule.pref < last.rule.pref) {
    seg = [];
    segs.push(seg);
  }
  seg.push(d);
}

function loadJsonRules(ld: Loader, arrays: JArr[], hint: DumpHint): void {
  const segs: RuleDraft[][] = [];
  for (const arr of arrays) {
    segs.push([]);
    for (const o of objects(ld, arr)) {
      const d = guard(ld, () => ruleFromJson(ld, o));
      if (d) pushRule(segs, d);
    }
  }
  commitRules(ld, segs, hint.family);
}

function loadJsonRoutes(ld: Loader, arrays: JArr[]): void {
  ld.routeRefs = true;
  const routes: Route[] = [];
  for (const arr of arrays)
    for (const o of objects(ld, arr)) {
      const r = guard(ld, () => routeFromJson(ld, o));
      if (r) routes.push(r);
    }
  commitRoutes(ld, routes);
}

/** `ip -j link show`, or `ip -j addr show` (links, then each link's addresses). */
function loadJsonLinks(ld: Loader, arrays: JArr[], withAddrs: boolean): void {
  const all = arrays.flatMap((a) => objects(ld, a));
  const masters = new Set<string>();
  for (const o of all) {
    const m = o.entries.find((e) => e.key === "master")?.value;
    if (m?.t === "str") masters.add(m.v);
  }
  for (const o of all) {
    const l = guard(ld, () => linkFromJson(ld, o, masters));
    if (!l) continue;
    upsertLink(ld, l);
    if (!withAddrs) continue;
    const link = ld.state.links.find((x) => x.name === l.name)!;
    const ai = o.entries.find((e) => e.key === "addr_info")?.value;
    if (!ai) continue;
    if (ai.t !== "arr") {
      ld.reject(rejected(ai.pos, tokenOf(ai), "an array"));
      continue;
    }
    const addrs: IfAddr[] = [];
    for (const x of objects(ld, ai)) {
      const a = guard(ld, () => addrFromJson(ld, x, link));
      if (a) addrs.push(a);
    }
    ld.state.addrs = ld.state.addrs.filter((a) => a.ifindex !== link.ifindex).concat(addrs);
  }
}

function loadJson(ld: Loader, nodes: JNode[], fmt: DumpFormat, hint: DumpHint): void {
  const arrays: JArr[] = [];
  for (const n of nodes) {
    if (n.t !== "arr") ld.reject(rejected(n.pos, tokenOf(n), "a JSON array as `ip -j` prints"));
    else arrays.push(n);
  }
  if (fmt === "ip-json-rule") loadJsonRules(ld, arrays, hint);
  else if (fmt === "ip-json-route") loadJsonRoutes(ld, arrays);
  else if (fmt === "ip-json-link" || fmt === "ip-json-addr")
    loadJsonLinks(ld, arrays, fmt === "ip-json-addr");
}

/** A route line in the text dump: where it started, for multipath routes left without hops. */
interface RouteStart {
  pos: number;
  token: string;
}

/** After a text route dump: multipath heads must have had `nexthop` lines. */
function finishTextRoutes(ld: Loader, routes: Route[], starts: Map<Route, RouteStart>): void {
  for (const r of routes) {
    if (r.multipath && r.nexthops.length === 0) {
      const st = starts.get(r)!;
      const { line, col } = ld.idx.at(st.pos);
      ld.issues.push({
        code: "dump.rejected",
        message: "a route without dev or via must be followed by its `nexthop` lines",
        loc: { file: ld.file, line, col },
        token: st.token,
        expected: "`\\tnexthop via ADDR dev DEV weight N` lines",
      });
    }
    if (r.multipath && r.nexthops.length === 1) r.multipath = false;
  }
  commitRoutes(
    ld,
    routes.filter((r) => r.nexthops.length > 0),
  );
}

/** Text dumps (`ip rule show`, `ip route show`, `sysctl -a`), line by line. */
function loadLines(ld: Loader, fmt: DumpFormat, hint: DumpHint): void {
  ld.routeRefs = fmt === "ip-route-text";
  let off = 0;
  const segs: RuleDraft[][] = [[]];
  const routes: Route[] = [];
  let prev: Route | undefined;
  const starts = new Map<Route, RouteStart>();
  ld.text.split("\n").forEach((raw, i) => {
    const base = off;
    off += raw.length + 1;
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "" || /^\s*[#;]/.test(line)) return;
    try {
      if (fmt === "sysctl") return sysctlLine(ld.state, line, base);
      const c = new Cursor(tokenize(line, base), base + line.length);
      if (fmt === "ip-rule-text") return pushRule(segs, ruleFromText(ld, c, i + 1));
      const r = routeFromText(ld, c, prev);
      if (r !== "continued") {
        routes.push(r);
        prev = r;
        starts.set(r, { pos: base, token: c.toks[0]?.s ?? "" });
      }
    } catch (e) {
      if (!(e instanceof IssueError)) throw e;
      ld.reject(e);
      if (fmt === "ip-route-text" && !/^\s/.test(line)) prev = undefined;
    }
  });
  if (fmt === "ip-rule-text") commitRules(ld, segs, hint.family);
  if (fmt === "ip-route-text") finishTextRoutes(ld, routes, starts);
}

/** The issue for a text that is no dump routelab knows; none for an empty one. */
function unknownFormat(ld: Loader, text: string, file: string): Issue[] {
  const l = firstLine(text);
  const pos = l === undefined ? 0 : text.indexOf(l) + (l.length - l.trimStart().length);
  const { line, col } = ld.idx.at(pos);
  const trimmed = text.trim();
  if (trimmed === "" || /^\[\s*\]$/.test(trimmed)) return [];
  return [
    {
      code: "dump.unknown-format",
      message: "not a dump routelab can load",
      loc: { file, line, col },
      token: (l ?? "").trim().split(/\s+/)[0] ?? "",
      expected:
        "ip -j link|addr|rule|route show, ip rule show, ip route show table all, " +
        "or sysctl -a output",
    },
  ];
}

/**
 * Load a pasted dump into `state`. Returns the issues (rejected lines/entries); what was
 * accepted is in the state.
 * @example loadDump(createHostState(), "net.ipv4.ip_forward = 1\n", "sysctl.txt") // []
 */
export function loadDump(
  state: HostState,
  text: string,
  file: string,
  hint: DumpHint | Family = {},
): Issue[] {
  const h: DumpHint = typeof hint === "number" ? { family: hint } : hint;
  const ld = new Loader(state, text, file);
  const fmt = h.format ?? detectDumpFormat(text);
  // Malformed JSON is a JSON syntax error at its line:column, not a shell script.
  if (!fmt)
    return looksLikeJson(text) && !jsonNodes(ld, text) ? ld.issues : unknownFormat(ld, text, file);
  if (!fmt.startsWith("ip-json")) {
    loadLines(ld, fmt, h);
    return ld.issues;
  }
  const nodes = jsonNodes(ld, text);
  if (nodes) loadJson(ld, nodes, fmt, h);
  return ld.issues;
}

/** The JSON values of a dump, or undefined after rejecting its first syntax error. */
function jsonNodes(ld: Loader, text: string): JNode[] | undefined {
  try {
    return parseJsonValues(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const msg = `invalid JSON: ${e.message}`;
    ld.reject(rejected(e.pos, e.token, e.expected, msg, "dump.json-syntax"));
    return undefined;
  }
}
