/**
 * `wc [-l] [-w] [-m] [-c] [FILE…]` as coreutils 9.1 counts: lines (newlines), words (runs of
 * non-blanks), characters and bytes (UTF-8), printed in that order; one count of one input
 * alone, otherwise each in a column as wide as the files' total size has digits (at least 7
 * when standard input is among them), a `total` line after several files.
 * @module
 */
import type { TextIo } from "./text-io.js";

const ORDER = ["l", "w", "m", "c"] as const;

function counts(text: string): Record<(typeof ORDER)[number], number> {
  return {
    l: (text.match(/\n/g) ?? []).length,
    w: (text.match(/[^ \t\n\r\f\v]+/g) ?? []).length,
    m: [...text].length,
    c: new TextEncoder().encode(text).length,
  };
}

/**
 * Run `wc ARGS`; its exit status.
 * @example runWc(["-l"], io) // "3\n" for three lines
 */
export function runWc(args: readonly string[], io: TextIo): number {
  const want = new Set<string>();
  const files: string[] = [];
  for (const a of args) {
    const long = { "--lines": "l", "--words": "w", "--chars": "m", "--bytes": "c" }[a];
    if (long) want.add(long);
    else if (/^-[lwmc]+$/.test(a)) for (const c of a.slice(1)) want.add(c);
    else if (a.startsWith("-") && a !== "-") {
      io.warn(`wc: option ${a} is not modelled`);
      return 1;
    } else files.push(a);
  }
  if (want.size === 0) for (const c of "lwc") want.add(c);
  const cols = ORDER.filter((c) => want.has(c));
  const names = files.length ? files : ["-"];
  const rows: { name: string; n: Record<string, number> }[] = [];
  let failed = false;
  let regular = 0;
  let stdin = false;
  for (const name of names) {
    const text = name === "-" ? (io.stdin ?? "") : io.readFile(name);
    if (text === undefined) {
      io.warn(`wc: ${name}: No such file or directory`);
      failed = true;
      continue;
    }
    const n = counts(text);
    if (name === "-") stdin = true;
    else regular += n.c;
    rows.push({ name: files.length ? name : "", n });
  }
  // compute_number_width() in wc.c.
  let width = String(regular).length;
  if (stdin) width = Math.max(width, 7);
  if (names.length === 1 && cols.length === 1) width = 1;
  if (rows.length > 1 || (files.length > 1 && rows.length)) {
    const total: Record<string, number> = {};
    for (const c of cols) total[c] = rows.reduce((s, r) => s + r.n[c]!, 0);
    rows.push({ name: "total", n: total });
  }
  const line = (r: (typeof rows)[number]) =>
    cols.map((c) => String(r.n[c]).padStart(width)).join(" ") + (r.name ? ` ${r.name}` : "");
  io.out(rows.map((r) => `${line(r)}\n`).join(""));
  return failed ? 1 : 0;
}
