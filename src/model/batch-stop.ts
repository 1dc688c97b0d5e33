/**
 * Where `ip -batch` stops (iproute2 ip.c batch()): an argument error exit()s ip even with
 * `-force`; any other failed line ends the batch with `Command failed FILE:N` unless
 * `-force`.
 * @module
 */
import type { Issue } from "../core/issue.js";
import type { SourceLoc } from "../core/loc.js";
import { exitsIp, type IpError } from "../parse/args.js";

/** A line ip would count as failed: an input error or a kernel refusal. */
function isFailure(e: Issue): boolean {
  return (e.severity ?? "error") === "error" || e.code.startsWith("rtnl");
}

/**
 * After a line's issues `got`: false to go on, true to stop silently (ip exited), or the
 * `Command failed` issue to add before stopping. `end` is the line's end, so the note sorts
 * after the line's own error, as ip prints it.
 */
export function batchStop<I extends Issue>(
  got: readonly I[],
  force: boolean,
  end: SourceLoc,
  onError: (e: IpError) => I,
): I | boolean {
  if (got.some(exitsIp)) return true;
  const bad = force ? undefined : got.find(isFailure);
  if (!bad) return false;
  const message = `Command failed ${end.file}:${end.line}`;
  const note = onError({ code: "load.batch-failed", message, loc: end, exit: 1 });
  return { ...note, severity: bad.severity ?? "error" };
}
