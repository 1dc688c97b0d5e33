/**
 * The load fuzzer: grammar-aware mutations of real inputs (test/fuzz/corpus.ts) loaded with
 * `Host.load` and asked a few questions. A case fails when anything throws (an internal
 * error), when an issue has no location, or when it takes longer than `CASE_MS`.
 */
import fc from "fast-check";
import { Host } from "../../src/index.js";
import { DUMPS, LINES, SCRIPTS, WORDS } from "./corpus.js";

/** The most one case may take (loading and its questions). */
export const CASE_MS = 2000;

const words = (l: string) => l.split(/(\s+)/);

/** One mutation of a line: a word replaced, deleted or duplicated, a cut, a stray character. */
const mutateLine = (line: string) =>
  fc.oneof(
    fc.constant(line),
    fc.tuple(fc.nat(), fc.constantFrom(...WORDS)).map(([i, w]) => {
      const ws = words(line);
      ws[(i % Math.max(1, ws.length)) & ~1] = w;
      return ws.join("");
    }),
    fc.nat().map((i) => {
      const ws = words(line);
      ws.splice((i % Math.max(1, ws.length)) & ~1, 1);
      return ws.join("");
    }),
    fc.nat().map((i) => line.slice(0, i % (line.length + 1))),
    fc.tuple(fc.nat(), fc.string({ maxLength: 3 })).map(([i, s]) => {
      const at = i % (line.length + 1);
      return line.slice(0, at) + s + line.slice(at);
    }),
    // Repeated on one line, compound commands too (4 unclosed nested `for` took 7 s in the
    // old shell front-end; src/parse/sh/ answers in under a millisecond). Closed loops nest
    // and multiply their work (7^5 route adds is the input's size, not a hang): at most 3.
    fc.nat({ max: /^\s*(for|while|until)\b/.test(line) ? 1 : 3 }).map((n) =>
      Array(n + 2)
        .fill(line)
        .join(" "),
    ),
  );

/** A window of a scenario script with some of its lines mutated. */
const scriptCase = fc
  .tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 8 }))
  .chain(([k, start, len]) => {
    const lines = SCRIPTS[k % SCRIPTS.length]!;
    const from = start % Math.max(1, lines.length);
    const win = lines.slice(from, from + len);
    return fc.tuple(...win.map(mutateLine)).map((ls) => ls.join("\n") + "\n");
  });

/** A few command lines of any front-end, mutated. */
const linesCase = fc
  .array(fc.constantFrom(...LINES), { minLength: 1, maxLength: 4 })
  .chain((ls) => fc.tuple(...ls.map(mutateLine)).map((x) => x.join("\n") + "\n"));

/** A dump with a word or character mutated (JSON syntax errors included). */
const dumpCase = fc.constantFrom(...DUMPS).chain(mutateLine);

export const fuzzCase = fc.oneof(
  { arbitrary: scriptCase, weight: 4 },
  { arbitrary: linesCase, weight: 4 },
  { arbitrary: dumpCase, weight: 1 },
);

/** Load one case and ask it questions; the problem, or undefined when all is well. */
export function checkCase(text: string): string | undefined {
  const t0 = performance.now();
  const files = { "a.nft": "table inet t {\n}\n", "b.txt": "route add 10.0.0.0/8 dev lo\n" };
  const host = Host.load([{ name: "case.sh", text }], {
    readFile: (p) => files[p as keyof typeof files],
  });
  for (const i of host.issues) {
    const l = i.loc;
    if (!l || typeof l.file !== "string" || !(l.line >= 1) || !(l.col >= 1))
      return `issue without a location: ${JSON.stringify(i)}`;
  }
  if (!host.errors.length) {
    host.routeGet("10.0.0.1", { mark: 1, uid: 1000 });
    host.ip("route show table all");
    // A netfilter journey only where there is netfilter to walk (it is the slow question).
    if (/iptables|nft|ipset/.test(text)) host.trace("1.1.1.1 dport 53");
  }
  const ms = performance.now() - t0;
  return ms > CASE_MS ? `took ${ms.toFixed(0)} ms` : undefined;
}

/** Run `runs` cases from `seed`; throws (fast-check's report) on the first failing case. */
export function fuzz(runs: number, seed: number): void {
  fc.assert(
    fc.property(fuzzCase, (text) => {
      const why = checkCase(text);
      if (why) throw new Error(why);
    }),
    { numRuns: runs, seed, endOnFailure: true },
  );
}
