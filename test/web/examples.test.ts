/**
 * The page's bundled examples: each (and each "after" side diff compares with) loads
 * without an issue; the broken one is broken as its title says (lint finds the loop, whose
 * packet really goes back into wg0) and its fix is the fix (no finding; diff moves exactly
 * the loop's packets from wg0 to eth0). The panels read `-j` output defensively.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { diffOutput, Host } from "../../src/index.js";
import { changesOf, findingsOf } from "../../web/src/json.js";

const src = resolve(dirname(fileURLToPath(import.meta.url)), "../../web/src");
/** The files web/src/examples.ts bundles (its `?raw` imports), by name. */
const bundled = new Map(
  [...readFileSync(resolve(src, "examples.ts"), "utf8").matchAll(/from "([^"]+)\?raw"/g)].map(
    (m) => {
      const path = resolve(src, m[1]!);
      return [basename(path), readFileSync(path, "utf8")] as const;
    },
  ),
);
const load = (...names: string[]) =>
  Host.load(names.map((name) => ({ name, text: bundled.get(name) ?? "" })));

describe("bundled examples", () => {
  it("every file the page bundles loads without an issue", () => {
    expect(bundled.size).toBeGreaterThanOrEqual(8);
    for (const name of bundled.keys()) expect(load(name).issues, name).toEqual([]);
  });

  it("wg-mark-loop: lint finds the loop; its packet goes back into wg0", () => {
    const h = load("wg-mark-loop.sh");
    const r = h.lint();
    if (!r.ok) throw new Error(r.error.message);
    const loop = r.value.find((f) => f.id === "loop-tunnel-mark");
    expect(loop?.severity).toBe("error");
    const rep = loop!.packets!.representative;
    expect(rep).toContain("mark");
    expect(h.ip(["route", "get", ...rep]).stdout).toMatch(/ dev wg0 /);
  });

  it("its fix: no finding, and diff moves the marked packets from wg0 to eth0", () => {
    const before = load("wg-mark-loop.sh");
    const after = load("wg-mark-fixed.sh");
    const r = after.lint();
    expect(r.ok && r.value).toEqual([]);
    const cs = before.diff(after);
    expect(cs.length).toBeGreaterThan(0);
    for (const c of cs) {
      expect(c.packets).toContain("mark = 0xca6c");
      expect(before.ip(["route", "get", ...c.representative]).stdout).toMatch(/ dev wg0 /);
      expect(after.ip(["route", "get", ...c.representative]).stdout).toMatch(/ dev eth0 /);
    }
  });
});

describe("the lint and diff panels read -j output defensively", () => {
  const printed = (stdout: string) => ({ stdout, stderr: "", status: 1 });
  it("shows the CLI's findings with their class and packet", () => {
    const h = load("wg-mark-loop.sh");
    const shown = findingsOf(printed(h.ip(["-j", "lint"]).stdout));
    const r = h.lint();
    if (!r.ok) throw new Error(r.error.message);
    expect(shown.map((f) => f.id)).toEqual(r.value.map((f) => f.id));
    const loop = shown.find((f) => f.id === "loop-tunnel-mark")!;
    expect(loop.packets?.representative).toEqual(r.value[0]!.packets!.representative);
    expect(loop.packets?.description).toContain("mark = 0xca6c");
  });
  it("keeps what it knows of a finding with new or odd fields, and drops what is not one", () => {
    const json = JSON.stringify([
      { id: "x", severity: "error", message: "m", fix: "f", extra: { a: 1 }, packets: 3 },
      { id: "y", packets: { family: 6, description: "d", representative: ["::1", 7] } },
      "not a finding",
    ]);
    const shown = findingsOf(printed(json));
    expect(shown.map((f) => [f.id, f.severity, f.packets])).toEqual([
      ["x", "error", undefined],
      ["y", "info", undefined],
    ]);
    expect(findingsOf(printed("not json"))).toEqual([]);
  });
  it("shows diff -j's changes as the CLI prints them, and survives odd ones", () => {
    const cs = load("wg-mark-loop.sh").diff(load("wg-mark-fixed.sh"));
    const shown = changesOf(diffOutput(cs, true));
    expect(shown.map((c) => c.before)).toEqual(cs.map((c) => c.before));
    expect(shown[0]!.representative).toEqual(cs[0]!.representative);
    const odd = changesOf(printed('[{"family":4,"packets":"all","representative":[1]},null]'));
    expect(odd).toEqual([
      { family: "4", packets: "all", before: "", after: "", representative: undefined },
    ]);
  });
});
