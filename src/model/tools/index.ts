/**
 * Tools outside iproute2 that scripts use and routelab answers, by command name, and the
 * files of those tools that `--load` recognises (wg-quick configurations and `wg-quick up`
 * transcripts). The script loader calls {@link TOOLS} for a command it does not know and
 * {@link detectToolFile} before reading a file as a script.
 * @module
 */
import type { Issue } from "../../core/issue.js";
import type { SourceLoc } from "../../core/loc.js";
import type { Word } from "../../parse/shell.js";
import type { HostState } from "../types.js";
import { runIfconfig, runRoute } from "./nettools.js";
import { isWgQuickTranscript, loadWgQuickTranscript } from "./transcript.js";
import type { ToolContext, ToolResult } from "./types.js";
import { runWg } from "./wg.js";
import { isWgQuickConf, loadWgQuick, type ScriptRunner } from "./wgquick.js";

export type { ToolContext, ToolResult } from "./types.js";
export type { ScriptRunner } from "./wgquick.js";
export { wgQuickNft } from "./wgquick.js";

/** A tool: the words after its name → status, stdout, issues. */
export type ToolRunner = (s: HostState, words: Word[], ctx: ToolContext) => ToolResult;

/** Commands routelab runs besides ip/sysctl/netfilter: `wg`, net-tools `route`, `ifconfig`. */
export const TOOLS: ReadonlyMap<string, ToolRunner> = new Map<string, ToolRunner>([
  ["wg", runWg],
  ["route", runRoute],
  ["ifconfig", runIfconfig],
]);

/** A tool's file format, recognised from the content. */
export type ToolFile = "wg-quick" | "wg-quick-transcript";

/** `[Interface]`: wg-quick configuration; `[#] ip link add … type wireguard`: transcript. */
export function detectToolFile(text: string): ToolFile | undefined {
  if (isWgQuickConf(text)) return "wg-quick";
  if (isWgQuickTranscript(text)) return "wg-quick-transcript";
  return undefined;
}

/**
 * Load a tool's file into the host; `run` runs shell text (hooks, generated commands) the
 * way the script loader does.
 */
export function loadToolFile(
  s: HostState,
  kind: ToolFile,
  text: string,
  file: string,
  run: ScriptRunner,
): Issue[] {
  return kind === "wg-quick"
    ? loadWgQuick(s, text, file, run)
    : loadWgQuickTranscript(s, text, file, run);
}

/** Where a generated command is reported: the config line it comes from. */
export type { SourceLoc };
