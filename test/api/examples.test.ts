/**
 * The `@example`s of the public API compile: every example in src/index.ts, src/host.ts
 * and the modules index.ts re-exports is typechecked as its own module, with the module's
 * exports and the public API in scope (and `state`/`host` declared, the names the examples
 * use for a loaded host). Examples that do not compile yet are listed in KNOWN_BROKEN with
 * the reason; the test fails when one of them starts compiling, so the list only shrinks.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

/** The public entry points and the modules src/index.ts re-exports. */
const MODULES = [
  "src/index.ts",
  "src/host.ts",
  "src/core/issue.ts",
  "src/core/loc.ts",
  "src/core/result.ts",
  "src/core/kinds.ts",
  "src/addr/ip.ts",
  "src/interfaces/render.ts",
  "src/engine/types.ts",
  "src/engine/journey.ts",
  "src/model/types.ts",
  // Not re-exported, but its examples are what people copy to ask a route question.
  "src/engine/route.ts",
];

/** `file:line` of examples that do not compile yet, and why (other owners' code). */
const KNOWN_BROKEN: Record<string, string> = {};

interface Example {
  file: string;
  line: number;
  code: string;
}

/** The `@example` texts of a source file: fenced ```ts blocks, or the text up to the next tag. */
export function examples(file: string, text: string): Example[] {
  const out: Example[] = [];
  for (const m of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const body = m[1]!;
    const at = text.slice(0, m.index).split("\n").length;
    const lines = body.split("\n").map((l) => l.replace(/^\s*\* ?/, ""));
    for (let i = 0; i < lines.length; i++) {
      const k = lines[i]!.indexOf("@example");
      if (k < 0) continue;
      const chunk = [lines[i]!.slice(k + 8)];
      for (let j = i + 1; j < lines.length && !/^\s*@\w/.test(lines[j]!); j++)
        chunk.push(lines[j]!);
      let code = chunk.join("\n");
      const fence = /```ts\n([\s\S]*?)```/.exec(code);
      if (fence) code = fence[1]!;
      code = code.replace(/@\w[\s\S]*$/, "").trim();
      if (code) out.push({ file, line: at + i, code });
    }
  }
  return out;
}

/** Names a module exports (values and types), read by the compiler. */
function exportsOf(program: ts.Program, path: string): string[] {
  const sf = program.getSourceFile(path);
  const sym = sf && program.getTypeChecker().getSymbolAtLocation(sf);
  return sym
    ? program
        .getTypeChecker()
        .getExportsOfModule(sym)
        .map((s) => s.name)
    : [];
}

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: true,
  noEmit: true,
  types: ["node"],
  typeRoots: [join(ROOT, "node_modules/@types")],
};

const dir = mkdtempSync(join(tmpdir(), "routelab-examples-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("JSDoc @examples of the public API", () => {
  it("typecheck", () => {
    const paths = MODULES.map((m) => join(ROOT, m));
    const base = ts.createProgram(paths, OPTIONS);
    const publicNames = new Set(exportsOf(base, join(ROOT, "src/index.ts")));
    const files: { path: string; ex: Example }[] = [];
    for (const m of MODULES) {
      const own = exportsOf(base, join(ROOT, m)).filter((n) => n !== "default");
      const fromIndex = [...publicNames].filter((n) => !own.includes(n));
      const src = join(ROOT, m).replace(/\.ts$/, ".js");
      const prelude = [
        own.length ? `import { ${own.join(", ")} } from ${JSON.stringify(src)};` : "",
        fromIndex.length
          ? `import { ${fromIndex.join(", ")} } from ${JSON.stringify(join(ROOT, "src/index.js"))};`
          : "",
        `import type { HostState } from ${JSON.stringify(join(ROOT, "src/model/types.js"))};`,
      ];
      for (const ex of examples(m, readFileSync(join(ROOT, m), "utf8"))) {
        // A self-contained example (one that imports "routelab") gets no prelude.
        const code = ex.code.replaceAll('"routelab"', JSON.stringify(join(ROOT, "src/index.js")));
        const path = join(dir, `${m.replace(/\W/g, "_")}_${ex.line}.ts`);
        const declares = (v: string) => new RegExp(`\\b(const|let) ${v}\\b`).test(ex.code);
        const head = ex.code.includes('from "routelab"')
          ? ""
          : [
              ...prelude,
              declares("state") ? "" : "declare const state: HostState;",
              declares("host") ? "" : "declare const host: Host;",
            ].join("\n");
        writeFileSync(path, `${head}\n${code}\nexport {};\n`);
        files.push({ path, ex });
      }
    }
    expect(files.length).toBeGreaterThan(20);
    const program = ts.createProgram(
      files.map((f) => f.path),
      OPTIONS,
    );
    const failing = new Map<string, string>();
    for (const f of files) {
      const sf = program.getSourceFile(f.path)!;
      const diags = [...program.getSemanticDiagnostics(sf), ...program.getSyntacticDiagnostics(sf)]
        // Unused-import noise: the prelude imports every name.
        .filter((d) => d.code !== 6133 && d.code !== 6192);
      const text = (d: ts.Diagnostic) => ts.flattenDiagnosticMessageText(d.messageText, " ");
      const why = diags.map((d) => `\n  → ${text(d)}`);
      if (diags.length) failing.set(`${f.ex.file}:${f.ex.line}`, `${f.ex.code}${why.join("")}`);
    }
    const unexpected = [...failing].filter(([k]) => !(k in KNOWN_BROKEN));
    const fixed = Object.keys(KNOWN_BROKEN).filter((k) => !failing.has(k));
    expect(unexpected.map(([k, v]) => `${k}: ${v}`).join("\n\n")).toBe("");
    expect(fixed, "these compile now: remove them from KNOWN_BROKEN").toEqual([]);
  });
});
