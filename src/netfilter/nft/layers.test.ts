/**
 * The nft slice's inner layering (index.ts header): every module imports only from its
 * own layer or the layers below it, and nothing from src/model.
 */
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));

/** Layer of each module, bottom first (index.ts documents what each holds). */
function layer(path: string): number {
  if (path.startsWith("parse/")) return 3;
  const rank: Record<string, number> = {
    "lexer.ts": 1,
    "ast.ts": 1,
    "dtype.ts": 1,
    "prio.ts": 1,
    "typing.ts": 2,
    "segtree.ts": 2,
    "canon.ts": 2,
    "ruleset.ts": 4,
    "objects.ts": 4,
    "validate.ts": 4,
    "json.ts": 4,
    "print.ts": 4,
    "eval.ts": 5,
    "eval-expr.ts": 5,
    "symbolic.ts": 5,
    "index.ts": 6,
  };
  const r = rank[path];
  if (r === undefined) throw new Error(`layers.test.ts: no layer for ${path}`);
  return r;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return d.name.endsWith(".ts") && !d.name.endsWith(".test.ts") ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/from "([^"]+)"/g)].map((m) => m[1]!);
}

describe("nft slice layering", () => {
  const files = sources(HERE);

  it("knows every module", () => {
    for (const f of files) expect(() => layer(relative(HERE, f))).not.toThrow();
  });

  it("imports only from the same or a lower layer", () => {
    const bad: string[] = [];
    for (const f of files) {
      const me = relative(HERE, f);
      for (const spec of imports(f)) {
        const target = relative(HERE, join(dirname(f), spec)).replace(/\.js$/, ".ts");
        if (target.startsWith("..")) continue;
        if (layer(target) > layer(me)) bad.push(`${me} -> ${target}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("imports nothing from src/model", () => {
    const all = [...files, join(HERE, "../types.ts")];
    const bad = all.filter((f) => imports(f).some((s) => /(^|\/)model\//.test(s)));
    expect(bad).toEqual([]);
  });
});
