/**
 * Route dumps at Internet scale, read as a stream of text chunks: `ip route show table all`
 * text and `ip -j route show table all` JSON with a million routes load without holding the
 * whole text (nor a JSON tree of it) in memory.
 *
 * Each line (text) or array element (JSON) is read by a fast reader when it has the shape
 * iproute2 prints for ordinary routes, and by the general dump reader (`routeFromText`,
 * `routeFromJson`) otherwise, with the same validation and `file:line:column` issues as
 * `loadDump` on the whole text. The routes are committed at the end exactly as `loadDump`
 * commits them. A JSON stream that turns out not to be valid JSON cannot be loaded
 * element by element (`loadDump` reports one syntax error and loads nothing); the caller is
 * then told to load the whole text the ordinary way.
 * The readers: stream-text.ts and stream-json.ts (their shared part: stream-common.ts).
 * @module
 */
import type { Issue } from "../../core/issue.js";
import { parseJsonValues } from "../../parse/dump-json.js";
import type { HostState, Link } from "../types.js";
import { isRouteLine } from "./detect.js";
import { JsonStream } from "./stream-json.js";
import { TextStream } from "./stream-text.js";

/**
 * Progress callback: bytes (UTF-16 units) of `file` read so far, of `total` when known (0
 * otherwise).
 */
export type StreamProgress = (file: string, done: number, total: number) => void;

/** A route dump being read chunk by chunk. */
export interface RouteDumpStream {
  /** Feed the next piece of text (any split, even inside a line or a JSON string). */
  push(chunk: string): void;
  /**
   * Commit the routes; the issues found. `"whole-text"`: the input is not a JSON text this
   * reader can take element by element; nothing was changed, load the whole text instead.
   */
  end(): Issue[] | "whole-text";
}

/** Which route dump a text starts with, from its first line (text) or first element (JSON). */
export function routeDumpKind(head: string): "text" | "json" | "other" | "more" {
  let i = 0;
  // first non-blank, non-comment line
  for (;;) {
    const nl = head.indexOf("\n", i);
    const line = head.slice(i, nl < 0 ? head.length : nl);
    const t = line.trim();
    if (t !== "" && !t.startsWith("#")) {
      if (t.startsWith("[")) {
        // the first element of the first array
        const at = head.indexOf("[", i) + 1;
        let j = at;
        while (j < head.length && /\s/.test(head[j]!)) j++;
        if (j >= head.length) return "more";
        if (head[j] !== "{") return "other";
        let depth = 0,
          str = false,
          esc = false,
          k = j;
        for (; k < head.length; k++) {
          const c = head[k]!;
          if (str) {
            if (esc) esc = false;
            else if (c === "\\") esc = true;
            else if (c === '"') str = false;
            continue;
          }
          if (c === '"') str = true;
          else if (c === "{" || c === "[") depth++;
          else if (c === "}" || c === "]") {
            if (--depth === 0) break;
          }
        }
        if (k >= head.length) return "more";
        try {
          const nodes = parseJsonValues(head.slice(j, k + 1));
          const o = nodes[0];
          return o?.t === "obj" &&
            o.entries.some((e) => e.key === "dst") &&
            !o.entries.some(
              (e) => e.key === "priority" || e.key === "addr_info" || e.key === "ifname",
            )
            ? "json"
            : "other";
        } catch {
          return "other";
        }
      }
      if (nl < 0) return "more";
      return detectRouteText(t) ? "text" : "other";
    }
    if (nl < 0) return "more";
    i = nl + 1;
  }
}

/** A route line, and neither a rule line nor a sysctl line (detectDumpFormat's order). */
function detectRouteText(t: string): boolean {
  if (/^\d+:\s+(not\s+)?from\s/.test(t)) return false;
  if (/^[A-Za-z0-9_][\w.\-/]*\s*=/.test(t) && t.includes(".")) return false;
  return isRouteLine(t);
}

/**
 * A streaming reader for a route dump whose kind `routeDumpKind` gave. Links the dump
 * references are created as elements are read; `end()` returning "whole-text" puts them back.
 */
export function routeDumpStream(
  state: HostState,
  kind: "text" | "json",
  file: string,
  progress?: StreamProgress,
  total = 0,
): RouteDumpStream {
  let done = 0;
  const tick = progress ? () => progress(file, done, total) : undefined;
  const saved =
    kind === "json"
      ? { links: state.links.map((l): Link => ({ ...l })), next: state.nextIfindex }
      : undefined;
  const s = kind === "text" ? new TextStream(state, file, tick) : new JsonStream(state, file, tick);
  return {
    push(chunk: string) {
      done += chunk.length;
      s.push(chunk);
    },
    end() {
      const r = s.finish();
      if (r === "whole-text" && saved) {
        state.links = saved.links;
        state.nextIfindex = saved.next;
      }
      if (progress) progress(file, done, total || done);
      return r;
    },
  };
}
