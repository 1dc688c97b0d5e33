import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Kernel suites create network namespaces; keep files in one worker pool of 2 (2-core machines).
    maxWorkers: 2,
  },
});
