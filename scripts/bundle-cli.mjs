// Bundle the CLI entry into one file (dist/cli/main.js) after tsc.
// Why: the CLI imports ~200 small ES modules; resolving and compiling them one by one cost
// ~60 ms of every `routelab` run (issue 7's load_s regression after the code was split into
// one file per concern). One bundled file starts faster than the unsplit code did. The
// library (dist/index.js and its modules) stays unbundled for importers and tree-shaking.
import { build } from "rolldown";

const entry = new URL("../dist/cli/main.js", import.meta.url).pathname;
await build({
  input: entry,
  platform: "node",
  logLevel: "warn",
  output: { file: entry, format: "esm", codeSplitting: false },
});
