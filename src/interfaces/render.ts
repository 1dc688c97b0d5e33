/**
 * Rendering issues for people: `file:line:column: severity: message`, then what was found
 * and what was expected.
 * @module
 */
import type { Issue } from "../core/issue.js";

/**
 * @example
 * ```ts
 * const loc = { file: "a.sh", line: 3, col: 5 };
 * renderIssue({ code: "usage", message: "bad", loc }, "error"); // "a.sh:3:5: error: bad"
 * ```
 */
export function renderIssue(i: Issue, severity: "error" | "warning"): string {
  const where = i.loc ? `${i.loc.file}:${i.loc.line}:${i.loc.col}: ` : "";
  // iproute2's own "Error: " prefix would read twice after the severity.
  let s = `${where}${severity}: ${i.message.trimEnd().replace(/^Error: /, "")}`;
  const extra: string[] = [];
  if (i.token !== undefined && !i.message.includes(`"${i.token}"`))
    extra.push(`found "${i.token}"`);
  if (i.expected && !i.message.includes(i.expected.trim()))
    extra.push(`expected ${i.expected.trim()}`);
  if (extra.length) s += ` (${extra.join("; ")})`;
  return s;
}
