/**
 * What the browser specs share: where things are, `routelab serve` on a free port, waiting
 * for the page, the packet form, the CLI's answers, and the path drawn vs the CLI's trace.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { basename, dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { expect, type Page } from "@playwright/test";

export const root = resolve(dirname(new URL(import.meta.url).pathname), "../..");
export const cli = join(root, "dist/cli/main.js");
export const shots = join(root, "docs/screenshots");
export const run = promisify(execFile);

// The page's test hook lives on window (typed loosely: the page's types are web/'s).
export type Hook = any;

export async function ready(page: Page, version: number): Promise<void> {
  await expect(page.getByTestId("app")).toHaveAttribute("data-loading", "0");
  await page.waitForFunction(
    (v) => Number(document.querySelector("[data-testid=app]")?.getAttribute("data-version")) > v,
    version,
  );
}

export async function chooseExample(page: Page, id: string): Promise<void> {
  const v = Number(await page.getByTestId("app").getAttribute("data-version"));
  await page.getByTestId("example").selectOption(id);
  await ready(page, v);
}

export async function askForm(page: Page, packet: string): Promise<void> {
  const n = Number(await page.getByTestId("app").getAttribute("data-asked"));
  for (const f of ["dst", "from", "iif", "oif", "uid", "gid", "mark", "ipproto", "sport"])
    await page.getByTestId(`f-${f}`).fill("");
  await page.getByTestId("f-dport").fill("");
  await page.getByTestId("f-tos").fill("");
  const w = packet.split(" ");
  await page.getByTestId("f-reply").setChecked(w.includes("reply"));
  await page.getByTestId("f-dst").fill(w[0]!);
  for (let i = 1; i < w.length; i++)
    if (w[i] !== "reply") await page.getByTestId(`f-${w[i]}`).fill(w[++i]!);
  await page.getByTestId("f-dst").press("Enter");
  await page.waitForFunction(
    (v) => Number(document.querySelector("[data-testid=app]")?.getAttribute("data-asked")) > v,
    n,
  );
}

/** The CLI's answers to many lines at once (`-force -batch`), run beside the file. */
export async function cliBatch(file: string, opts: string[], lines: string[]) {
  const { writeFileSync, mkdtempSync } = await import("node:fs");
  const tmp = mkdtempSync(join(root, "test-results-batch-"));
  const batch = join(tmp, "batch.txt");
  writeFileSync(batch, `${lines.join("\n")}\n`);
  const args = [cli, "--load", basename(file), ...opts, "-force", "-batch", batch];
  const r = await run(process.execPath, args, { cwd: dirname(file), maxBuffer: 1 << 28 }).catch(
    (e: { stdout: string; stderr: string }) => e,
  );
  const { rmSync } = await import("node:fs");
  rmSync(tmp, { recursive: true, force: true });
  const stderr = r.stderr
    .split("\n")
    .filter((l) => l && !/^Command failed /.test(l) && !/^\S+\.sh:\d+:\d+: warning:/.test(l));
  return {
    stdout: r.stdout,
    stderr: stderr.join("\n"),
    failed: (r.stderr.match(/^Command failed /gm) ?? []).length,
  };
}

export interface TraceJson {
  final: { verdict: string };
  trace: {
    kind: string;
    hook?: string;
    chain?: string;
    rule?: number | null;
    matched?: boolean;
    stage?: string;
  }[];
}

/** The path the CLI's `-j trace` walks: hooks, rules shown, route stages, in order. */
export function expectedSteps(j: TraceJson) {
  return j.trace
    .filter(
      (s) =>
        s.kind === "hook" ||
        s.kind === "route" ||
        (s.kind === "rule" && (s.matched || s.rule === 0)),
    )
    .map((s) =>
      s.kind === "hook"
        ? `hook ${s.hook}`
        : s.kind === "route"
          ? `route ${s.stage}`
          : `rule ${s.chain}#${s.rule}`,
    );
}

export async function drawnSteps(page: Page): Promise<string[]> {
  return page.$$eval("[data-testid=steps] > li > ul > li", (els) =>
    els
      .filter((e) => ["hook", "route", "rule"].includes(e.getAttribute("data-kind") ?? ""))
      .map((e) => {
        const k = e.getAttribute("data-kind");
        if (k === "hook") return `hook ${e.getAttribute("data-hook")}`;
        if (k === "route") return `route ${e.getAttribute("data-stage")}`;
        return `rule ${e.getAttribute("data-chain")}#${e.getAttribute("data-rule")}`;
      }),
  );
}

/** `routelab serve ARGS --port 0` from the repository root, and the URL it prints. */
export async function serve(args: string[] = []): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [cli, "serve", ...args, "--port", "0"], { cwd: root });
  const url = await new Promise<string>((ok, fail) => {
    let out = "";
    proc.stdout!.on("data", (b) => {
      out += String(b);
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) ok(m[0]);
    });
    proc.once("exit", (c) => fail(new Error(`routelab serve exited (${c}): ${out}`)));
  });
  return { proc, url };
}
