/**
 * Which dump a text is, from its content: `ip -j link|addr|rule|route show` JSON by the
 * keys of its first object, `ip rule show` / `ip route show` text and `sysctl -a` lines by
 * the shape of their first line.
 * @module
 */
import { parsePrefix, type Family } from "../../addr/ip.js";
import { RTN } from "../../core/kinds.js";
import type { JNode } from "../../parse/dump-json.js";
import { parseJsonValues } from "../../parse/dump-json.js";

/** The dumps routelab reads. */
export type DumpFormat =
  | "ip-json-link"
  | "ip-json-addr"
  | "ip-json-rule"
  | "ip-json-route"
  | "ip-rule-text"
  | "ip-route-text"
  | "sysctl";

/** What the caller knows about a dump. */
export interface DumpHint {
  /**
   * Family for rule dumps whose rules carry no address (`ip -j -6 rule show` of
   * defaults). Default 4.
   */
  family?: Family;
  /** Skip detection. */
  format?: DumpFormat;
}

/** The route types `ip route show` prints before a destination. */
export const ROUTE_TYPES = new Set(Object.keys(RTN).filter((t) => t !== "unspec"));
/** `[Deleted ][TYPE ]default|PREFIX ...` */
export function isRouteLine(t: string): boolean {
  const w = t.split(/\s+/);
  let i = 0;
  if (w[i] === "Deleted") i++;
  if (w[i] !== undefined && ROUTE_TYPES.has(w[i]!)) i++;
  const d = w[i];
  return d === "default" || (d !== undefined && parsePrefix(d).ok);
}

/** The first line that is neither blank nor a comment. */
export function firstLine(text: string): string | undefined {
  for (const l of text.split("\n")) if (l.trim() !== "" && !l.trim().startsWith("#")) return l;
  return undefined;
}

/**
 * Whether a text is meant as JSON: `[` then `{`, `"`, `[` or `]`, or `{` then `"`. A shell
 * test (`[ -f x ]`, `[[ … ]]`) or group (`{ cmd; }`) is not.
 */
export function looksLikeJson(text: string): boolean {
  return /^\s*(\[\s*[{"\]]|\[\s*\[\s*[{"\]]|\{\s*")/.test(text.replace(/^\uFEFF/, ""));
}

/** The `ip -j` dump a JSON text is, from the keys of its first object. */
function jsonFormat(nodes: JNode[]): DumpFormat | undefined {
  for (const n of nodes) {
    if (n.t !== "arr") return undefined;
    const o = n.items[0];
    if (!o) continue;
    if (o.t !== "obj") return undefined;
    const keys = new Set(o.entries.map((e) => e.key));
    if (keys.has("priority")) return "ip-json-rule";
    if (keys.has("addr_info")) return "ip-json-addr";
    if (keys.has("ifname")) return "ip-json-link";
    if (keys.has("dst")) return "ip-json-route";
    return undefined;
  }
  return undefined;
}

/**
 * Which dump this is, from its content.
 * @example detectDumpFormat("0:\tfrom all lookup local\n") // "ip-rule-text"
 */
export function detectDumpFormat(text: string): DumpFormat | undefined {
  const l = firstLine(text);
  if (l === undefined) return undefined;
  const t = l.trim();
  if (t.startsWith("[") || t.startsWith("{")) {
    try {
      return jsonFormat(parseJsonValues(text));
    } catch {
      return undefined;
    }
  }
  if (/^\d+:\s+(not\s+)?from\s/.test(t)) return "ip-rule-text";
  if (/^[A-Za-z0-9_][\w.\-/]*\s*=/.test(t) && t.includes(".")) return "sysctl";
  if (isRouteLine(t)) return "ip-route-text";
  return undefined;
}
