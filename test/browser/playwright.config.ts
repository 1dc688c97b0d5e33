/**
 * The browser suite (issue 11): Debian's chromium driven by Playwright against the built
 * page served by `routelab serve` on 127.0.0.1. Run through scripts/test-browser.mjs
 * (`npm run test:browser`), which builds the page and skips without chromium.
 */
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: ".",
  testMatch: /.*\.spec\.ts$/,
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [["line"]],
  outputDir: "../../test-results/browser",
  use: {
    viewport: { width: 1400, height: 1000 },
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    },
  },
});
