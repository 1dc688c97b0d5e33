/**
 * The contract between the script loader and the tools outside iproute2 that routelab
 * answers (`wg`, net-tools `route` and `ifconfig`): a tool gets the words after its name
 * and returns its exit status, its standard output and its issues.
 * @module
 */
import type { Issue } from "../../core/issue.js";
import type { SourceLoc } from "../../core/loc.js";

/** What a tool may use besides the host. */
export interface ToolContext {
  /** The command's location (issues without a word point here). */
  loc: SourceLoc;
  /** A here-document on the command's standard input. */
  heredoc?: { text: string; loc: SourceLoc };
  /** Reads a file the command names (`wg setconf wg0 FILE`); absent in the browser. */
  readFile?: (path: string) => string | undefined;
}

/** What a tool did: exit status, standard output, issues (severity error or warning). */
export interface ToolResult {
  status: number;
  stdout: string;
  issues: Issue[];
}
