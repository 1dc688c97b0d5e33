/**
 * The code's shape, checked: layers import only downwards, no import cycles, Node APIs only
 * in the Node-only interfaces, no line over the formatter's width outside data files, and
 * long functions and large files only with a reason ("Kept whole: …") in their comment.
 * The measures live in scripts/code-shape.mjs (`node scripts/code-shape.mjs` prints them).
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script without type declarations
import { layerOf, measure } from "../scripts/code-shape.mjs";

interface Shape {
  upward: { file: string; line: number; imports: string }[];
  sliceLeaks: { file: string; line: number; imports: string }[];
  cycles: string[][];
  nodeApi: { file: string; line: number; spec: string }[];
  longLines: { file: string; line: number; length: number }[];
  longFunctions: { file: string; line: number; name: string; lines: number; kept: boolean }[];
  largeFiles: { file: string; lines: number; kept: boolean }[];
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const shape = measure(root) as Shape;
const where = (xs: { file: string; line?: number }[]) =>
  xs.map((x) => `${x.file}${x.line ? `:${x.line}` : ""}`);

describe("code shape", () => {
  it("knows the layer of a file by its folder", () => {
    expect(layerOf("engine/rules.ts").name).toBe("engine");
    expect(layerOf("core/issue.ts").may).toEqual([]);
    expect(layerOf("cli/main.ts").may).not.toContain("model");
  });
  it("has no upward import between layers", () => {
    expect(where(shape.upward)).toEqual([]);
  });
  it("has no import cycle", () => {
    expect(shape.cycles).toEqual([]);
  });
  it("uses Node APIs only in cli, live and server", () => {
    expect(where(shape.nodeApi)).toEqual([]);
  });
  it("has no line over the formatter's width outside data files", () => {
    expect(where(shape.longLines)).toEqual([]);
  });
  // Issue 7 took these to zero: a long function or a large file says why in its comment
  // ("Kept whole: …").
  it("has no long function without a reason", () => {
    expect(where(shape.longFunctions.filter((f) => !f.kept))).toEqual([]);
  });
  it("has no large file without a reason", () => {
    expect(where(shape.largeFiles.filter((f) => !f.kept))).toEqual([]);
  });
  it("keeps the netfilter grammar and rulesets from importing the chain walkers", () => {
    expect(where(shape.sliceLeaks)).toEqual([]);
  });
});
