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
    return loadText(s, [...input.open()].join(""), file, opts);
  }
  const parts = [head];
  if (!ended) for (let r = it.next(); !r.done; r = it.next()) parts.push(r.value);
  return loadText(s, parts.join(""), file, opts);
}
