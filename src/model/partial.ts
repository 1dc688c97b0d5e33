/**
 * Partial input: dumps of a real host rarely hold everything an answer depends on. What a
 * load of dumps (no setup script, no capture) did not contain is assumed, never guessed
 * silently: a rule dump's family comes from its rules, its file name or `--load -6:FILE`;
 * a route dump without the local table gets the kernel's local routes (fib_add_ifaddr /
 * addrconf) of the loaded addresses (lo's 127.0.0.1/8 and ::1 when none were loaded); and
 * {@link partialWarning} names every such assumption in ONE warning.
 * @module
 */
import { v4, v6, type Family } from "../addr/ip.js";
import { issue } from "../core/issue.js";
import { TABLE } from "../core/kinds.js";
import type { SourceLoc } from "../core/loc.js";
import { loadDump, type DumpFormat } from "./dump/index.js";
import { fileFamily } from "./dump/netfilter.js";
import { syncKernelRoutes } from "./ops/addr.js";
import type { NfIssue as LoadIssue } from "./netfilter.js";
import type { HostState } from "./types.js";

/** What kinds of input a host was loaded from. */
interface Loaded {
  script: boolean;
  capture: boolean;
  kinds: Set<"link" | "addr" | "sysctl" | "rule4" | "rule6">;
  /** Families whose routes came from a dump, and whether that dump had the local table. */
  routes: Map<Family, boolean>;
  first?: SourceLoc;
}

const LOADED = new WeakMap<HostState, Loaded>();

function loaded(s: HostState): Loaded {
  let l = LOADED.get(s);
  if (!l)
    LOADED.set(s, (l = { script: false, capture: false, kinds: new Set(), routes: new Map() }));
  return l;
}

/** A script or capture was loaded: the host is complete, nothing is assumed. */
export function noteLoaded(s: HostState, what: "script" | "capture"): void {
  loaded(s)[what] = true;
}

/** The family the addresses of a rule dump are written in (`from`/`to`, `src`/`dst`). */
function ruleContentFamily(text: string): Family | undefined {
  const re = /(?:"(?:src|dst)"\s*:\s*"|\b(?:from|to)\s+)([0-9a-fA-F:.]+)/g;
  for (const m of text.matchAll(re)) {
    if (m[1]!.includes(":")) return 6;
    if (/^\d+\.\d+\.\d+\.\d+$/.test(m[1]!)) return 4;
  }
  return undefined;
}

/** The preferences of a rule dump, in order. */
function rulePrefs(text: string): number[] {
  const re = /"priority"\s*:\s*(\d+)|^(\d+):/gm;
  return [...text.matchAll(re)].map((m) => Number(m[1] ?? m[2]));
}

/**
 * The family of a rule dump: asked, its addresses, its file name; else the family whose
 * default RPDB it is (IPv6 has no rule 32767), with a warning saying so.
 */
function ruleFamily(
  text: string,
  file: string,
  asked: Family | undefined,
): { family: Family; assumed?: LoadIssue } {
  const known = asked ?? ruleContentFamily(text) ?? fileFamily(file);
  if (known) return { family: known };
  const prefs = rulePrefs(text);
  // Two lists in one text (`ip rule; ip -6 rule`): the loader splits them where prefs restart.
  if (prefs.some((p, k) => k > 0 && p < prefs[k - 1]!)) return { family: 4 };
  // IPv4's default RPDB (IPv6 has no rule 32767 unless someone added one).
  if (prefs.join(" ") === "0 32766 32767" && /\bdefault\b/.test(text)) return { family: 4 };
  const v6 = prefs.join(" ") === "0 32766";
  const i = issue(
    "load.assumed",
    `a rule dump of no stated family: ${v6 ? "IPv6 (it is IPv6's default RPDB)" : "IPv4"} ` +
      "assumed",
    { loc: { file, line: 1, col: 1 }, expected: "--load -4:FILE or --load -6:FILE" },
  );
  return { family: v6 ? 6 : 4, assumed: { ...i, severity: "warning" } };
}

/**
 * Load an `ip` dump (links, addresses, rules, routes, sysctls), recording what it held.
 * @example loadIpDump(state, "[]", "rule6.json", "ip-json-rule", 6)
 */
export function loadIpDump(
  s: HostState,
  text: string,
  file: string,
  fmt: DumpFormat,
  asked?: Family,
): LoadIssue[] {
  const l = loaded(s);
  l.first ??= { file, line: 1, col: 1 };
  const out: LoadIssue[] = [];
  let family = asked;
  if (fmt === "ip-json-rule" || fmt === "ip-rule-text") {
    const r = ruleFamily(text, file, asked);
    family = r.family;
    if (r.assumed) out.push(r.assumed);
  }
  const seq0 = s.seq;
  const issues = loadDump(s, text, file, family ? { family } : {});
  for (const i of issues) out.push({ ...i, severity: "error" });
  if (fmt === "ip-json-link" || fmt === "ip-json-addr") l.kinds.add("link");
  if (fmt === "ip-json-addr") l.kinds.add("addr");
  if (fmt === "sysctl") l.kinds.add("sysctl");
  if (family && (fmt === "ip-json-rule" || fmt === "ip-rule-text")) l.kinds.add(`rule${family}`);
  if (fmt === "ip-json-route" || fmt === "ip-route-text") noteRouteDump(s, file, seq0);
  return out;
}

/** lo's addresses as a fresh `ip link set lo up` gives them. */
const LO = { ifindex: 1, scope: 254, secondary: false, noprefixroute: false, nodad: false };

/** Note the routes a streamed route dump (model/load-stream.ts) added since `seq0`. */
export function noteRouteDump(s: HostState, file: string, seq0: number): void {
  const l = loaded(s);
  l.first ??= { file, line: 1, col: 1 };
  for (const r of s.routes)
    if (r.seq >= seq0)
      l.routes.set(r.family, (l.routes.get(r.family) ?? false) || r.table === TABLE.local);
}

/** Add the kernel's local routes of family `f` (from the host's addresses) to table local. */
function assumeLocalTable(s: HostState, f: Family, withAddrs: boolean): void {
  if (!withAddrs && !s.addrs.some((a) => a.family === f && a.ifindex === 1)) {
    s.addrs.push(
      f === 4
        ? { ...LO, family: 4, local: v4(0x7f000001), prefixlen: 8 }
        : { ...LO, family: 6, local: v6(1n), prefixlen: 128 },
    );
    const lo = s.links.find((x) => x.ifindex === 1);
    if (lo) [lo.up, lo.carrier] = [true, true];
  }
  const scratch: HostState = { ...s, routes: [], addrs: [...s.addrs], links: s.links };
  syncKernelRoutes(scratch);
  for (const r of scratch.routes)
    if (r.family === f && r.table === TABLE.local) s.routes.push({ ...r, seq: s.seq++ });
}

/**
 * After every input of a load: fill what dumps left out that the kernel always has (the
 * local table) and return ONE warning naming every assumption, or none.
 * @example partialWarning(state) // [] after a setup script
 */
export function partialWarning(s: HostState): LoadIssue[] {
  const l = LOADED.get(s);
  if (!l || l.script || l.capture || !l.first) return [];
  const assumed: string[] = [];
  const withAddrs = l.kinds.has("addr");
  for (const [f, hasLocal] of l.routes) {
    if (hasLocal) continue;
    assumeLocalTable(s, f, withAddrs);
    const from = withAddrs
      ? "of the loaded addresses"
      : `of lo's ${f === 4 ? "127.0.0.1/8" : "::1"}`;
    assumed.push(`table local (not in the route dump) holds the kernel's local routes ${from}`);
  }
  if (!withAddrs) assumed.push("no addresses (answers carry no `src`)");
  if (!l.kinds.has("link")) assumed.push("devices named by the dumps are up with carrier");
  for (const f of l.routes.keys())
    if (!l.kinds.has(`rule${f}`)) assumed.push(`the default IPv${f} rules (no rule dump)`);
  if (!l.kinds.has("sysctl"))
    assumed.push("kernel default sysctls (ip_forward 0, rp_filter 0, src_valid_mark 0)");
  if (!assumed.length) return [];
  const i = issue("load.assumed", `partial input: assumed ${assumed.join("; ")}`, {
    loc: l.first,
    expected: "a routelab capture, or the missing dumps",
  });
  return [{ ...i, severity: "warning" }];
}
