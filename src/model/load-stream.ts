/**
 * Loading a big input given as a stream of text chunks (the CLI reads files that way).
 * Route dumps — `ip route show table all` text and `ip -j route show table all` JSON — are
 * read as they arrive (src/model/dump-stream.ts); anything else is joined and loaded with
 * `loadText`, so the result is always what `loadText` gives for the whole text.
 * @module
 */
import { routeDumpKind, routeDumpStream } from "./dump/stream.js";
import { loadText, type LoadIssue, type LoadOptions } from "./load.js";
import { noteRouteDump } from "./partial.js";
import type { HostState } from "./types.js";

/** A re-readable input: `open()` gives its chunks from the start each time it is called. */
export interface ChunkedInput {
  open(): Iterable<string>;
  /** Size in characters (bytes for ASCII files), 0 when unknown: for progress. */
  size?: number;
}

/**
 * Load an input given in chunks into a host.
 * @example loadChunked(state, { open: () => [text] }, "routes.txt")
 */
export function loadChunked(
  s: HostState,
  input: ChunkedInput,
  file: string,
  opts: LoadOptions = {},
): LoadIssue[] {
  const it = input.open()[Symbol.iterator]();
  let head = "";
  let kind = routeDumpKind(head);
  let ended = false;
  while (kind === "more") {
    const r = it.next();
    if (r.done) {
      ended = true;
      kind = routeDumpKind(head + "\n");
      if (kind === "more") kind = "other";
      break;
    }
    head += r.value;
    kind = routeDumpKind(head);
  }
  if (kind === "text" || kind === "json") {
    const seq0 = s.seq;
    const st = routeDumpStream(s, kind, file, opts.progress, input.size ?? 0);
    st.push(head);
    head = "";
    for (let r = it.next(); !r.done; r = it.next()) st.push(r.value);
    const res = st.end();
    if (res !== "whole-text") {
      noteRouteDump(s, file, seq0);
      return res.map((i) => ({ ...i, severity: "error" as const }));
    }
    // Not JSON this reader can take element by element: the whole text, the ordinary way.
    if ((input.size ?? 0) > MAX_WHOLE) return [tooBig(file, input.size!)];
    return loadText(s, [...input.open()].join(""), file, opts);
  }
  const parts = [head];
  let size = head.length;
  if (!ended)
    for (let r = it.next(); !r.done; r = it.next()) {
      parts.push(r.value);
      size += r.value.length;
      if (size > MAX_WHOLE) return [tooBig(file, input.size ?? size)];
    }
  return loadText(s, parts.join(""), file, opts);
}

/**
 * Inputs read whole (scripts, rule and link dumps) stop here: a script is expanded before it
 * runs, and 60 MB of it needed 4.5 GB and five minutes. Route dumps and `ip -batch` files stream
 * at any size.
 */
export const MAX_WHOLE = 32 << 20;

function tooBig(file: string, size: number): LoadIssue {
  const mib = (n: number) => `${Math.ceil(n / 1048576)} MiB`;
  return {
    code: "load.too-big",
    message:
      `${file} is too big to load as a script or dump (${mib(size)}, at most ` +
      `${mib(MAX_WHOLE)}); route dumps (ip route show table all, ip -j route) and ` +
      "ip -batch files stream at any size",
    loc: { file, line: 1, col: 1 },
    expected: `a script of at most ${mib(MAX_WHOLE)}`,
    severity: "error",
  };
}
