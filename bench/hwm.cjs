// Preloaded (`node -r bench/hwm.cjs ...`) into the CLI processes bench/run.mjs measures:
// at exit, writes the peak resident set (VmHWM) and the time since this preload ran to the
// file named by ROUTELAB_BENCH_OUT. Reads /proc only; changes nothing in the process.
"use strict";
const fs = require("node:fs");
const t0 = performance.now();
process.on("exit", () => {
  const out = process.env.ROUTELAB_BENCH_OUT;
  if (!out) return;
  try {
    const st = fs.readFileSync("/proc/self/status", "utf8");
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(st)?.[1] ?? NaN);
    fs.writeFileSync(
      out,
      JSON.stringify({ hwmKiB: hwm, ms: performance.now() - t0, sinceStartMs: performance.now() }),
    );
  } catch {
    /* no /proc: nothing to report */
  }
});
