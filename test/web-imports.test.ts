/**
 * The web page (web/src) uses the engine only through the package's entry ("routelab",
 * src/index.ts), as any other interface does; the rest it imports is its UI libraries and
 * the bundled example files as raw text (web/examples/ holds the page's own).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "../web/src");
const ALLOWED = [
  /^routelab$/,
  /^\.\/[\w-]+(\.css)?$/,
  /^preact(\/hooks)?$/,
  /^codemirror$/,
  /^@codemirror\/[\w-]+$/,
  /^\.\.\/\.\.\/(examples|test\/kernel\/scenarios)\/[\w.-]+\.sh\?raw$/,
  /^\.\.\/examples\/[\w.-]+\.sh\?raw$/,
];

function imports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+"([^"]+)"/g))
    out.push(m[1]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s+"([^"]+)"/g)) out.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) out.push(m[1]!);
  return out;
}

describe("web page imports", () => {
  const files = readdirSync(web).filter((f) => /\.tsx?$/.test(f));
  it("finds the page's sources", () => {
    expect(files).toContain("worker.ts");
  });
  it("imports the engine only through the package entry", () => {
    const bad = files.flatMap((f) =>
      imports(readFileSync(join(web, f), "utf8"))
        .filter((spec) => !ALLOWED.some((re) => re.test(spec)))
        .map((spec) => `${f}: ${spec}`),
    );
    expect(bad).toEqual([]);
  });
  it("reads the engine in the worker, not on the page's main thread", () => {
    const main = files.filter((f) => f !== "worker.ts");
    const direct = main.filter((f) =>
      imports(readFileSync(join(web, f), "utf8")).some((s) => s === "routelab"),
    );
    expect(direct).toEqual([]);
  });
});
