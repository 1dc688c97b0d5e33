/**
 * The analysis panels in a real browser: lint on a broken example lists the CLI's findings
 * and a finding's packet, chosen by keyboard, fills the form and draws the CLI trace's path
 * for it; diff against a second setup (the example's "after" side, or files opened from
 * disk) lists exactly the classes `routelab diff -j` prints; both survive in the URL and
 * fit a phone's width. Screenshots for the README.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, type Page, test } from "@playwright/test";
import {
  chooseExample,
  cli,
  ready,
  drawnSteps,
  expectedSteps,
  root,
  run,
  serve,
  shots,
  type TraceJson,
} from "./helpers.js";

let server: ChildProcess;
let url = "";

test.beforeAll(async () => {
  ({ proc: server, url } = await serve());
  mkdirSync(shots, { recursive: true });
});

test.afterAll(() => {
  server?.kill();
});

/** The CLI, its exit status ignored (lint and diff exit 1 when they find something). */
async function routelab(args: string[]): Promise<string> {
  const r = await run(process.execPath, [cli, ...args], { cwd: root }).catch(
    (e: { stdout: string }) => e,
  );
  return r.stdout;
}

interface CliFinding {
  id: string;
  packets?: { description: string; representative: string[]; outcome?: string };
}
interface CliChange {
  family: number;
  packets: string;
  before: string;
  after: string;
  representative: string[];
}

async function asked(page: Page): Promise<number> {
  return Number(await page.getByTestId("app").getAttribute("data-asked"));
}

async function waitAsked(page: Page, n: number): Promise<void> {
  await page.waitForFunction(
    (v) => Number(document.querySelector("[data-testid=app]")?.getAttribute("data-asked")) > v,
    n,
  );
}

/** The diff table as the CLI's JSON would print it (family, packets, before, after). */
async function shownChanges(page: Page): Promise<string[]> {
  const rows = page.locator("[data-testid=diff-table] tr");
  const out: string[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const r = rows.nth(i);
    const [packets, before, after] = await Promise.all([
      r.locator("td").nth(1).innerText(),
      r.locator(".before").innerText(),
      r.locator(".after").innerText(),
    ]);
    out.push(`${packets} | ${before} | ${after}`);
  }
  return out;
}

const cliChanges = (cs: CliChange[]) =>
  cs.map((c) => `ipv${c.family}, ${c.packets || "all"} | before: ${c.before} | after: ${c.after}`);

test("lint: a broken example's findings; a finding's packet fills the form, path drawn", async ({
  page,
}) => {
  await page.goto(url);
  await expect(page.getByTestId("final")).toBeVisible();
  await chooseExample(page, "wg-mark-loop");
  // By keyboard: ← from the first panel tab wraps to the last (Diff), ← again is Lint.
  await page.getByTestId("panel-rules").focus();
  await page.keyboard.press("ArrowLeft");
  await expect(page.getByTestId("panel-diff")).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(page.getByTestId("panel-lint")).toHaveAttribute("aria-selected", "true");
  const file = "web/examples/wg-mark-loop.sh";
  const cliLint = JSON.parse(await routelab(["--load", file, "-j", "lint"])) as CliFinding[];
  expect(cliLint.map((f) => f.id)).toContain("loop-tunnel-mark");
  const findings = page.getByTestId("finding");
  await expect(findings).toHaveCount(cliLint.length);
  const ids = await findings.evaluateAll((es) => es.map((e) => e.getAttribute("data-id")));
  expect(ids).toEqual(cliLint.map((f) => f.id));
  const loop = cliLint.find((f) => f.id === "loop-tunnel-mark")!;
  const shown = page.locator("[data-testid=finding][data-id=loop-tunnel-mark]");
  await expect(shown.getByTestId("finding-class")).toHaveText(loop.packets!.description);
  await expect(shown).toContainText(`→ ${loop.packets!.outcome}`);
  await expect(page.getByTestId("lint-text")).toHaveText(await routelab(["--load", file, "lint"]), {
    useInnerText: false,
  });
  await shown.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, "lint.png"), fullPage: true });

  // By keyboard: the finding's packet is a button; Enter fills the form and asks it.
  const n = await asked(page);
  await shown.getByTestId("finding-packet").focus();
  await page.keyboard.press("Enter");
  await waitAsked(page, n);
  const rep = loop.packets!.representative;
  await expect(page.getByTestId("f-dst")).toHaveValue(rep[0]!);
  await expect(page.getByTestId("f-mark")).toHaveValue(rep[rep.indexOf("mark") + 1]!);
  const trace = JSON.parse(await routelab(["--load", file, "-j", "trace", ...rep])) as TraceJson & {
    final: { oif?: string };
  };
  expect(await drawnSteps(page)).toEqual(expectedSteps(trace));
  await expect(page.getByTestId("final")).toHaveAttribute("data-verdict", trace.final.verdict);
  await expect(page.getByTestId("final")).toContainText("wg0");
  await page.getByTestId("view-trace").click();
  await expect(page.getByTestId("out-trace")).toHaveText(
    await routelab(["--load", file, "trace", ...rep]),
  );
  // lint's option, refused as the CLI refuses it.
  await page.getByTestId("lint-ssh-peer").fill("bogus");
  await page.getByTestId("lint-ssh-peer").press("Enter");
  await expect(page.getByTestId("lint")).toContainText("--ssh-peer: expected an IP address");
});

test("diff: the example's before/after pair, then files opened from disk, as the CLI", async ({
  page,
}) => {
  await page.goto(url);
  await expect(page.getByTestId("final")).toBeVisible();
  await chooseExample(page, "wg-mark-loop");
  await page.getByTestId("panel-diff").click();
  // The example has an "after" side: diff compares with it unless told otherwise.
  await expect(page.getByTestId("against")).toHaveValue("wg-mark-loop:after");
  const pair = [
    "--load",
    "web/examples/wg-mark-loop.sh",
    "--against",
    "web/examples/wg-mark-fixed.sh",
  ];
  const cliPair = JSON.parse(await routelab(["diff", "-j", ...pair])) as CliChange[];
  expect(cliPair.length).toBeGreaterThan(0);
  await expect(page.getByTestId("change")).toHaveCount(cliPair.length);
  expect(await shownChanges(page)).toEqual(cliChanges(cliPair));
  await expect(page.getByTestId("diff-text")).toHaveText(await routelab(["diff", ...pair]), {
    useInnerText: false,
  });
  await page.getByTestId("diff").scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, "diff.png"), fullPage: true });

  // A change's representative fills the form (asked in this setup, the "before").
  const n = await asked(page);
  await page.getByTestId("change").first().getByRole("button").click();
  await waitAsked(page, n);
  await expect(page.getByTestId("f-dst")).toHaveValue(cliPair[0]!.representative[0]!);
  await expect(page.getByTestId("final")).toContainText("wg0");

  // The link keeps the panel and the second setup.
  await page.waitForTimeout(500);
  const fresh = await page.context().newPage();
  await fresh.goto(page.url());
  await expect(fresh.getByTestId("against")).toHaveValue("wg-mark-loop:after");
  await expect(fresh.getByTestId("change")).toHaveCount(cliPair.length);
  await fresh.close();

  // A second set of files, opened from disk: this setup with one more rule.
  const tmp = mkdtempSync(join(root, "test-results-diff-"));
  try {
    const text =
      `${(await page.getByTestId("against-text").inputValue()).trimEnd()}\n` +
      "ip rule add uidrange 1000-1000 to 8.8.0.0/16 lookup main pref 50\n";
    writeFileSync(join(tmp, "mine.sh"), text);
    await page
      .getByTestId("against-open")
      .setInputFiles({ name: "mine.sh", mimeType: "text/plain", buffer: Buffer.from(text) });
    await expect(page.getByTestId("against")).toHaveValue("");
    await expect(page.getByRole("tab", { name: "mine.sh" })).toBeVisible();
    const args = ["diff", "-j", "--load", "web/examples/wg-mark-loop.sh", "--against"];
    const cliMine = JSON.parse(await routelab([...args, join(tmp, "mine.sh")])) as CliChange[];
    await expect(page.getByTestId("diff-summary")).toContainText(`${cliMine.length} class`);
    expect(await shownChanges(page)).toEqual(cliChanges(cliMine));
    // Edited in place: a load error of the second setup shows at its line.
    await page.getByTestId("against-text").fill(`${text}ip rule add bogus\n`);
    const line = text.split("\n").length;
    await expect(page.getByTestId("against-issues")).toContainText(`mine.sh:${line}:`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("routelab serve --against hands diff its second setup", async ({ page }) => {
  const pair = [
    "--load",
    "web/examples/wg-mark-loop.sh",
    "--against",
    "web/examples/wg-mark-fixed.sh",
  ];
  const { proc, url: served } = await serve(pair);
  try {
    await page.goto(served);
    await expect(page.getByTestId("final")).toBeVisible();
    await expect(page.getByTestId("panel-diff")).toHaveAttribute("aria-selected", "true");
    await expect(page.getByTestId("against")).toHaveValue("");
    await expect(page.getByRole("tab", { name: "wg-mark-fixed.sh" })).toBeVisible();
    const cliPair = JSON.parse(await routelab(["diff", "-j", ...pair])) as CliChange[];
    await expect(page.getByTestId("change")).toHaveCount(cliPair.length);
    expect(await shownChanges(page)).toEqual(cliChanges(cliPair));
    // Swapped: the fix is the setup (its packets asked), the loop the second setup.
    const v = Number(await page.getByTestId("app").getAttribute("data-version"));
    await page.getByTestId("against-swap").click();
    await ready(page, v);
    await expect(page.getByRole("tab", { name: "wg-mark-loop.sh" })).toBeVisible();
    const back = ["diff", "-j", "--load", pair[3]!, "--against", pair[1]!];
    const cliBack = JSON.parse(await routelab(back)) as CliChange[];
    await expect(page.locator(".diff .before").first()).toContainText(cliBack[0]!.before);
    expect(await shownChanges(page)).toEqual(cliChanges(cliBack));
    await page.getByTestId("change").first().getByRole("button").click();
    await expect(page.getByTestId("final")).toContainText("eth0");
  } finally {
    proc.kill();
  }
});

test("lint and diff are readable on a phone", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(url);
  await expect(page.getByTestId("final")).toBeVisible();
  await chooseExample(page, "wg-mark-loop");
  for (const panel of ["lint", "diff"]) {
    await page.getByTestId(`panel-${panel}`).click();
    await expect(page.getByTestId(panel)).toHaveAttribute("data-done", "1");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, panel).toBeLessThanOrEqual(390);
  }
});
