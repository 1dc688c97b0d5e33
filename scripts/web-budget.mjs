#!/usr/bin/env node
/**
 * The web page's size budget, checked after `vite build` (issue 11): the JavaScript a first
 * answer needs (the entry, its static imports and the engine worker) is at most 300 KiB
 * gzipped, and the editor (CodeMirror) is a lazy chunk that the entry does not load.
 *
 *   node scripts/web-budget.mjs [DIST_DIR]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 300 * 1024;
const dir = process.argv[2] ?? "dist-web";
const manifest = JSON.parse(readFileSync(join(dir, ".vite", "manifest.json"), "utf8"));
const gz = (file) => gzipSync(readFileSync(join(dir, file)), { level: 9 }).length;

const entry = Object.values(manifest).find((c) => c.isEntry);
if (!entry) throw new Error("web-budget: no entry chunk in the manifest");
/** Chunks the entry loads before it runs: itself and its static imports, recursively. */
const initial = new Set();
const visit = (key) => {
  const c = manifest[key] ?? Object.values(manifest).find((x) => x.file === key);
  if (!c || initial.has(c.file)) return;
  initial.add(c.file);
  for (const k of c.imports ?? []) visit(k);
};
visit(Object.keys(manifest).find((k) => manifest[k] === entry));
const workers = readdirSync(join(dir, "assets"))
  .filter((f) => /^worker-.*\.js$/.test(f))
  .map((f) => `assets/${f}`);
const editor = Object.values(manifest).find((c) => c.name === "editor" && !c.isEntry);

const rows = [...initial, ...workers].map((f) => [f, gz(f)]);
const total = rows.reduce((n, [, b]) => n + b, 0);
const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;
for (const [f, b] of rows) console.log(`web-budget: ${f.padEnd(40)} ${kib(b)} gzip`);
let bad = 0;
console.log(`web-budget: initial JavaScript ${kib(total)} gzip (budget ${kib(BUDGET)})`);
if (total > BUDGET) bad++, console.error("web-budget: over budget");
if (workers.length !== 1) bad++, console.error("web-budget: expected one engine worker chunk");
if (!editor) bad++, console.error("web-budget: no lazy editor chunk");
else if (initial.has(editor.file)) bad++, console.error("web-budget: the editor is loaded eagerly");
else console.log(`web-budget: editor chunk ${editor.file} ${kib(gz(editor.file))} gzip, lazy`);
process.exitCode = bad ? 1 : 0;
