#!/usr/bin/env node
/**
 * The code's shape, measured: import direction between layers, import cycles, Node APIs
 * outside the Node-only interfaces, long lines, long functions and large files.
 *
 *   node scripts/code-shape.mjs [--json] [DIR]
 *
 * test/architecture.test.ts asserts on the same measures; this script prints them (the
 * before/after figures of a restructuring).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** Line width the formatter keeps (biome.json lineWidth). */
export const WIDTH = 100;
/** A function longer than this needs a reason in its leading comment ("Kept whole: …"). */
export const LONG_FUNCTION = 80;
/** A file longer than this needs a reason in its header ("Kept whole: …"). */
export const LARGE_FILE = 500;
/** The marker a comment uses to say why a long function or a large file stays whole. */
export const KEPT_WHOLE = /Kept whole:/;

/**
 * Which layer a source file belongs to, and which layers it may import (the table in the
 * README's Layout section). Files are matched by their path below src/.
 */
export const LAYERS = [
  { name: "core", match: /^core\//, may: [] },
  { name: "addr", match: /^addr\//, may: ["core"] },
  { name: "parse", match: /^parse\//, may: ["core", "addr"] },
  // netfilter is one vertical slice per front-end (iptables, nft): grammar → ruleset →
  // evaluation in one folder, an extension holding its grammar and its evaluation (like the
  // kernel's xt_*.c); see README "netfilter: one vertical slice per front-end". Inside a
  // slice the grammar never imports the chain walkers (NETFILTER_EVAL below).
  { name: "netfilter", match: /^netfilter\//, may: ["core", "addr", "parse"] },
  { name: "fib", match: /^fib\//, may: ["core", "addr"] },
  { name: "model", match: /^model\//, may: ["core", "addr", "parse", "netfilter", "fib"] },
  { name: "engine", match: /^engine\//, may: ["core", "addr", "netfilter", "fib", "model"] },
  {
    name: "analysis",
    match: /^analysis\//,
    // parse: the check/map words read numbers and names with iproute2's grammar (parse/names)
    may: ["core", "addr", "parse", "netfilter", "fib", "model", "engine"],
  },
  {
    name: "print",
    match: /^print\//,
    may: ["core", "addr", "parse", "netfilter", "fib", "model", "engine", "analysis"],
  },
  {
    name: "interfaces",
    match: /^interfaces\//,
    may: ["core", "addr", "parse", "netfilter", "fib", "model", "engine", "analysis", "print"],
  },
  {
    name: "host",
    match: /^host\.ts$/,
    may: [
      "core",
      "addr",
      "parse",
      "netfilter",
      "fib",
      "model",
      "engine",
      "analysis",
      "print",
      "interfaces",
    ],
  },
  {
    name: "index",
    match: /^index\.ts$/,
    may: [
      "core",
      "addr",
      "parse",
      "fib",
      "model",
      "engine",
      "analysis",
      "print",
      "interfaces",
      "host",
    ],
  },
  // The CLI dispatches `routelab capture` (live) and `routelab serve` (the web page's server).
  { name: "cli", match: /^cli\//, may: ["index", "host", "live", "server"] },
  { name: "live", match: /^live\//, may: ["index", "host"] },
  { name: "server", match: /^server\//, may: ["index", "host", "live"] },
];

/**
 * The chain walkers of the netfilter slices: only each slice's index.ts may import them (the
 * grammar and the ruleset commands never do).
 */
export const NETFILTER_EVAL = /^netfilter\/(iptables\/eval|nft\/eval(-expr)?)\.ts$/;

/** Folders whose files may use Node's own modules (`node:*`). */
export const NODE_ONLY = ["cli", "live", "server"];

/** Data modules (tables, not code) are allowed long lines. */
export const isDataFile = (rel) => /(^|\/)data\//.test(rel) || /\.data\.ts$/.test(rel);

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === "node_modules" || name === "dist") continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

export function layerOf(relToSrc) {
  return LAYERS.find((l) => l.match.test(relToSrc));
}

/** Relative imports of one file, resolved to paths below src/ (".js" → ".ts"). */
function importsOf(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out = [];
  const visit = (n) => {
    const spec =
      (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier
        ? n.moduleSpecifier.text
        : undefined;
    if (spec !== undefined) {
      const line = sf.getLineAndCharacterOfPosition(n.getStart()).line + 1;
      out.push({ spec, line });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return { sf, imports: out };
}

function functionsOf(sf) {
  const out = [];
  const visit = (n) => {
    if (
      ts.isFunctionDeclaration(n) ||
      ts.isMethodDeclaration(n) ||
      ts.isArrowFunction(n) ||
      ts.isFunctionExpression(n) ||
      ts.isConstructorDeclaration(n)
    ) {
      const start = sf.getLineAndCharacterOfPosition(n.getStart()).line + 1;
      const end = sf.getLineAndCharacterOfPosition(n.getEnd()).line + 1;
      let name = n.name?.getText?.(sf);
      if (!name && ts.isVariableDeclaration(n.parent)) name = n.parent.name.getText(sf);
      // The comment that says why: the function's own, or its variable statement's.
      let holder = n;
      while (holder.parent && !ts.isSourceFile(holder.parent) && !ts.isClassLike(holder.parent)) {
        if (ts.isBlock(holder.parent)) break;
        holder = holder.parent;
      }
      const comments = ts.getLeadingCommentRanges(sf.text, holder.getFullStart()) ?? [];
      const lead = comments.map((c) => sf.text.slice(c.pos, c.end)).join("\n");
      out.push({ name: name ?? "(anonymous)", start, lines: end - start + 1, lead });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Every measure of the tree rooted at `root` (the repository). */
export function measure(root) {
  const src = join(root, "src");
  const files = walk(src).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
  const lintable = [
    ...walk(src),
    ...["test", "bench", "scripts"].flatMap((d) => {
      try {
        return walk(join(root, d));
      } catch {
        return [];
      }
    }),
  ].filter((f) => /\.(ts|mjs|cjs)$/.test(f));
  const graph = new Map();
  const upward = [];
  const sliceLeaks = [];
  const nodeApi = [];
  const longFunctions = [];
  const sizes = [];
  for (const f of files) {
    const rel = relative(src, f);
    const text = readFileSync(f, "utf8");
    const { sf, imports } = importsOf(f, text);
    const lines = text.split("\n").length;
    sizes.push({ file: `src/${rel}`, lines, kept: KEPT_WHOLE.test(text.slice(0, 2000)) });
    const from = layerOf(rel);
    const edges = [];
    for (const { spec, line } of imports) {
      if (spec.startsWith("node:")) {
        if (!NODE_ONLY.includes(from?.name ?? "")) nodeApi.push({ file: `src/${rel}`, line, spec });
        continue;
      }
      if (!spec.startsWith(".")) continue;
      const target = relative(src, resolve(dirname(f), spec)).replace(/\.js$/, ".ts");
      edges.push(target);
      if (
        NETFILTER_EVAL.test(target) &&
        rel.startsWith("netfilter/") &&
        !/(^|\/)index\.ts$/.test(rel) &&
        !NETFILTER_EVAL.test(rel)
      )
        sliceLeaks.push({ file: `src/${rel}`, line, imports: `src/${target}` });
      const to = layerOf(target);
      if (from && to && from !== to && !from.may.includes(to.name))
        upward.push({
          file: `src/${rel}`,
          line,
          imports: `src/${target}`,
          from: from.name,
          to: to.name,
        });
    }
    graph.set(rel, edges);
    for (const fn of functionsOf(sf))
      if (fn.lines > LONG_FUNCTION)
        longFunctions.push({
          file: `src/${rel}`,
          line: fn.start,
          name: fn.name,
          lines: fn.lines,
          kept: KEPT_WHOLE.test(fn.lead),
        });
  }
  const longLines = [];
  for (const f of lintable) {
    const rel = relative(root, f);
    if (isDataFile(rel)) continue;
    const lines = readFileSync(f, "utf8").split("\n");
    lines.forEach((l, i) => {
      if (l.length > WIDTH) longLines.push({ file: rel, line: i + 1, length: l.length });
    });
  }
  return {
    files: files.length,
    upward,
    sliceLeaks,
    cycles: cycles(graph),
    nodeApi,
    longLines,
    longFunctions: longFunctions.sort((a, b) => b.lines - a.lines),
    largeFiles: sizes.filter((s) => s.lines > LARGE_FILE).sort((a, b) => b.lines - a.lines),
    largest: sizes.sort((a, b) => b.lines - a.lines).slice(0, 5),
  };
}

/** Strongly connected components with more than one file (Tarjan), i.e. import cycles. */
function cycles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  const strong = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        comp.push(`src/${w}`);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return out;
}

function summary(m) {
  const over140 = m.longLines.filter((l) => l.length > 140).length;
  const unkeptFunctions = m.longFunctions.filter((f) => !f.kept).length;
  const unkeptFiles = m.largeFiles.filter((f) => !f.kept).length;
  const where = "src/test/bench/scripts, data files excepted";
  return [
    `source files (src, no tests)      ${m.files}`,
    `lines over ${WIDTH} chars (${where})  ${m.longLines.length} (over 140: ${over140})`,
    `functions over ${LONG_FUNCTION} lines               ${m.longFunctions.length}` +
      ` (without a reason: ${unkeptFunctions})`,
    ...m.longFunctions.slice(0, 5).map((f) => `  ${f.lines} ${f.file}:${f.line} ${f.name}`),
    `files over ${LARGE_FILE} lines                  ${m.largeFiles.length}` +
      ` (without a reason: ${unkeptFiles})`,
    ...m.largest.map((f) => `  ${f.lines} ${f.file}`),
    `upward imports                     ${m.upward.length}`,
    ...m.upward.slice(0, 10).map((u) => `  ${u.file}:${u.line} ${u.from} → ${u.to} (${u.imports})`),
    `import cycles                      ${m.cycles.length}`,
    ...m.cycles.slice(0, 5).map((c) => `  ${c.join(" → ")}`),
    `Node API outside cli/live/server   ${m.nodeApi.length}`,
  ].join("\n");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  const root =
    args.find((a) => !a.startsWith("--")) ?? resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const m = measure(resolve(root));
  console.log(json ? JSON.stringify(m) : summary(m));
}
