/**
 * Load a scenario script into a HostState the way `Host.load` does (scripts that read back
 * `ip … show`, `iptables-save` or `nft list ruleset` see the host they built), for tests that
 * need the state itself (the analysis' internals) rather than the public Host.
 */
import fs from "node:fs";
import path from "node:path";
import type { Issue } from "../src/core/issue.js";
import { runLine } from "../src/interfaces/commands.js";
import { createHostState } from "../src/model/host.js";
import { type LoadOptions, loadText } from "../src/model/load.js";
import { liveRulesets } from "../src/model/netfilter.js";
import type { HostState } from "../src/model/types.js";

export function loadScenario(
  file: string,
  text = fs.readFileSync(file, "utf8"),
  opts: LoadOptions = {},
): { s: HostState; issues: Issue[] } {
  const s = createHostState();
  const dir = path.dirname(file);
  const readFile = (p: string): string | undefined => {
    try {
      return fs.readFileSync(path.resolve(dir, p), "utf8");
    } catch {
      return undefined;
    }
  };
  const lo: LoadOptions = {
    readFile,
    show: (st, words, end) => runLine(st, [...words], end, { netfilter: () => liveRulesets(st) }),
    ...opts,
  };
  return { s, issues: loadText(s, text, path.basename(file), lo) };
}
