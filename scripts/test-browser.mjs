#!/usr/bin/env node
/**
 * `npm run test:browser`: the browser suite (test/browser/) against the built page. Needs
 * Debian's chromium (the npm browser download is not reachable here): without it the suite
 * is skipped with one line, except under CI=true, where it must run.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  const line = `test:browser: chromium not found at ${chromium} (Debian package "chromium")`;
  if (process.env.CI === "true") {
    console.error(`${line}; CI=true needs it: apt-get install -y chromium`);
    process.exit(1);
  }
  console.log(`${line}: skipped`);
  process.exit(0);
}
const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
if (!existsSync("dist/cli/main.js")) step("npm", ["run", "build"]);
step("npm", ["run", "build:web"]);
step("npx", [
  "playwright",
  "test",
  "-c",
  "test/browser/playwright.config.ts",
  ...process.argv.slice(2),
]);
