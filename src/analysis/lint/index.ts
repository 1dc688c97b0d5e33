/**
 * `routelab lint`: every lint, in a fixed order. Structural lints read the rules, tables and
 * sysctls; packet lints ask the analysis (locally generated packets: see classes.ts).
 * @module
 */
import type { Analysis } from "../classes.js";
import { autoPrefs } from "./auto-pref.js";
import { leaks } from "./leaks.js";
import { loops } from "./loop.js";
import { rpFilterReplies } from "./rp-filter.js";
import { sharedMarks, sharedPrefRanges } from "./marks.js";
import { shadowedRules } from "./shadowed.js";
import { sshReply } from "./ssh-reply.js";
import { notFwmarkWithoutSrcValidMark } from "./src-valid-mark.js";
import { suppressNothing } from "./suppress.js";
import { emptyTables, unreachedTables } from "./tables.js";
import { tunnelSource } from "./tunnel-source.js";
import type { Finding, Lint, LintOptions } from "./types.js";

export type { Finding, LintOptions, LintPackets, LintSeverity } from "./types.js";

/** Every lint, in report order. */
export const LINTS: readonly Lint[] = [
  loops,
  leaks,
  tunnelSource,
  sshReply,
  notFwmarkWithoutSrcValidMark,
  rpFilterReplies,
  shadowedRules,
  emptyTables,
  unreachedTables,
  suppressNothing,
  sharedMarks,
  sharedPrefRanges,
  autoPrefs,
];

/** Run every lint on the analysis' host. */
export function lint(a: Analysis, opts: LintOptions = {}): Finding[] {
  return LINTS.flatMap((l) => l({ a, opts }));
}
