/**
 * The package as users get it: `npm pack`, installed into an empty directory, imported by
 * its name from a plain Node ESM script and typechecked from a TypeScript file — with the
 * README's `ts` blocks among them, so the README cannot rot. Needs `dist/` (npm test builds
 * it first); the pack runs without scripts so that dist is never rebuilt under other suites.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };

/** The `ts` code blocks of a markdown section (from its heading to the next `## `). */
export function tsBlocks(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) return [];
  const next = markdown.indexOf("\n## ", start + heading.length + 2);
  const section = markdown.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

let dir = "";
const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/index.d.ts")))
    throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
  dir = mkdtempSync(join(tmpdir(), "routelab-pack-"));
  const out = execFileSync(
    "npm",
    ["pack", "--ignore-scripts", "--json", "--pack-destination", dir],
    { cwd: ROOT, encoding: "utf8" },
  );
  const tarball = join(dir, (JSON.parse(out) as { filename: string }[])[0]!.filename);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
  run("npm", ["install", "--no-audit", "--no-fund", "--offline", tarball]);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        skipLibCheck: false,
        outDir: "out",
        typeRoots: [join(ROOT, "node_modules/@types")],
        types: ["node"],
      },
    }),
  );
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the packed package", () => {
  it("ships types, the CLI and the example, and no sources or tests", () => {
    const p = join(dir, "node_modules/routelab");
    expect(existsSync(join(p, "dist/index.d.ts"))).toBe(true);
    expect(existsSync(join(p, "dist/cli/main.js"))).toBe(true);
    expect(existsSync(join(p, "examples/clash-uid-standalone.sh"))).toBe(true);
    expect(existsSync(join(p, "src"))).toBe(false);
    expect(existsSync(join(p, "dist/interfaces/batch-get.test.js"))).toBe(false);
  });

  it("`routelab --version` prints the package's version", () => {
    const out = run("node", ["node_modules/routelab/dist/cli/main.js", "--version"]);
    expect(out.startsWith(`routelab ${pkg.version} `)).toBe(true);
    expect(run("node", ["node_modules/routelab/dist/cli/main.js", "-V"])).toBe(out);
  });

  it("is imported by name from plain Node ESM and answers as the CLI", () => {
    writeFileSync(
      join(dir, "plain.mjs"),
      `import { readFileSync } from "node:fs";
import { Host } from "routelab";
const file = "node_modules/routelab/examples/clash-uid-standalone.sh";
const host = Host.load([{ name: file, text: readFileSync(file, "utf8") }]);
const r = host.routeGet("1.1.1.1", { mark: 129 });
const bad = host.routeGet({ ok: true, value: { family: 4, v: 1 } });
const t = host.trace("1.1.1.1 uid 1000 ipproto udp dport 443");
const ip = host.ip(["route", "get", "1.1.1.1", "mark", "129"]);
console.log(JSON.stringify({
  issues: host.issues.length,
  table: r.ok && r.value.ok ? r.value.table : null,
  bad: bad.ok ? "answered" : bad.error.code,
  verdict: t.ok ? t.value.final.verdict : t.error.message,
  oif: t.ok ? t.value.final.oif : null,
  ip,
}));
`,
    );
    const got = JSON.parse(run("node", ["plain.mjs"]));
    expect(got).toEqual({
      issues: 0,
      table: 129,
      bad: "ip.address",
      verdict: "sent",
      oif: "clash0",
      ip: {
        stdout: "1.1.1.1 dev clash0 table 129 src 198.18.0.1 mark 0x81 uid 0 \n    cache \n",
        stderr: "",
        status: 0,
      },
    });
  });

  it("typechecks TypeScript against the shipped declarations (and rejects misuse)", () => {
    writeFileSync(
      join(dir, "typed.ts"),
      `import { Host, type Decision, type Issue, type Result } from "routelab";
const host: Host = Host.load([{ name: "a.sh", text: "ip rule add fwmark 1 lookup 100\\n" }]);
const issues: readonly Issue[] = host.issues;
const r: Result<Decision> = host.routeGet("10.0.0.1", { mark: 1, ipproto: "tcp", dport: 443 });
const out: { stdout: string; stderr: string; status: number } = host.ip("rule show");
export const used = [issues, r, out];
`,
    );
    writeFileSync(
      join(dir, "misuse.ts"),
      `import { Host } from "routelab";
// @ts-expect-error a mark is a number
Host.load([]).routeGet("10.0.0.1", { mark: "1" });
`,
    );
    run("node", [TSC, "--noEmit", "-p", "."]);
  });

  it("runs the README's library examples", () => {
    const blocks = tsBlocks(readFileSync(join(ROOT, "README.md"), "utf8"), "## Use as a library");
    expect(blocks.length).toBeGreaterThan(0);
    blocks.forEach((b, k) => writeFileSync(join(dir, `readme-${k}.ts`), b));
    run("node", [TSC, "-p", "."]);
    for (let k = 0; k < blocks.length; k++) {
      const out = run("node", [`out/readme-${k}.js`]);
      expect(out).toContain("unicast 129");
      expect(out).toContain("sent clash0");
      expect(out).toContain("0 4");
    }
  });
});
