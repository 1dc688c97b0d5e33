/**
 * The iptables front-end: `iptables`/`ip6tables` command lines, `iptables-restore`
 * input and `ipset` commands build an IptablesRuleset; `iptablesSave` prints it as
 * iptables-save (1.8.9, nf_tables) does; `iptablesBaseChains` hands its hooked chains to
 * the journey engine.
 * @module
 */
export type { IptablesRuleset, IptRule, IptChain, IptTable, Ipset, TableName, IptTarget, ExtInstance } from "./types.js";
export { createIptablesRuleset, TABLE_ORDER, BUILTIN_CHAINS } from "./types.js";
export type { IptablesResult, RunOptions } from "./commands.js";
export { runIptables, applyIptablesCommand, validateTable } from "./commands.js";
export type { RestoreOptions } from "./restore.js";
export { runIptablesRestore, applyIptablesRestore, tokenizeRestoreLine } from "./restore.js";
export { runIpset, applyIpsetCommand } from "./ipset.js";
export type { SaveOptions } from "./save.js";
export { iptablesSave, iptablesListRules, ruleLine, ruleSpec } from "./save.js";
export { iptablesBaseChains, evaluateChain, iptablesPriority, ruleMatches } from "./eval.js";
export type { IptEnv } from "./util.js";
