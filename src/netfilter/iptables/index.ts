/**
 * The iptables front-end (iptables 1.8.9, nf_tables backend): `iptables`/`ip6tables`
 * command lines, `iptables-restore` input and `ipset` commands build an IptablesRuleset;
 * `iptablesSave` prints it byte for byte as iptables-save does; `iptablesBaseChains`
 * hands the base chains iptables-nft registered to the journey engine.
 *
 * Every rejected command yields one Issue with iptables' own wording (stderr without the
 * "Try `iptables -h'" line), the location of the offending word and, for kernel refusals,
 * the reason in `expected`. Commands are atomic like an nft batch.
 *
 * Modelled: tables raw/mangle/nat/filter/security with lazily created base chains;
 * -A -I -D -R -C -N -X -F -Z -P -E -S (-L approximate); -s/-d lists, -i/-o wildcards, -p,
 * -f; matches tcp udp multiport iprange owner mark connmark conntrack (ctstate, ctdir) state
 * addrtype set socket comment icmp icmp6 limit pkttype statistic rpfilter; targets ACCEPT
 * DROP RETURN, jumps and gotos, MARK CONNMARK LOG REJECT DNAT SNAT MASQUERADE REDIRECT
 * TPROXY TCPMSS NFLOG NOTRACK CT(--notrack/--zone) TRACE NFQUEUE; ipset hash:ip/hash:net.
 *
 * Not modelled (rejected with code `iptables.unsupported`, never skipped): other matches
 * and targets (physdev, mac, length, ttl/hl, dscp/tos, string, u32, recent, hashlimit,
 * connlimit, time, helper, policy, sctp/dccp options, conntrack --ctorigsrc and the like,
 * --ctstatus,
 * set --return-nomatch and counters, CT helpers/timeouts, DSCP/TOS/TTL/CLASSIFY/SECMARK/
 * NETMAP/TEE...); other ipset types; iptables-legacy specifics (treated as iptables-nft).
 * Inner layers, each importing only the ones above it (no cycle; checked by reading the
 * imports, list them with `grep 'from "\./' src/netfilter/iptables/*.ts`):
 * 1. vocabulary: util.ts (libxtables number/port/host parsing, EXIT, IptIssue), types.ts
 *    (ruleset, rule, contexts), ext.ts (the extension interface and its x6 checks), with the
 *    tables of ../data (services, protocols, accounts);
 * 2. extensions: matches.ts, extra.ts, targets.ts (MATCHES, TARGETS); one record per
 *    extension holds what iptables splits between libxt_NAME.c (parse, final check, save)
 *    and the kernel's xt_NAME.c (checkentry, match/target);
 * 3. grammar: getopt.ts (getopt_long, the option table, an optind cursor), parse.ts
 *    (do_parse: argv to a ParsedCommand, no ruleset change);
 * 4. ruleset: save.ts (iptables-save), commands.ts (do_command: one command, atomic),
 *    restore.ts (iptables-restore batches), ipset.ts;
 * 5. evaluation: eval.ts (a packet through the base chains, for the journey engine).
 * Errors are thrown as core's IssueError (an IptIssue: message, code, exit status, argv
 * index) from any layer and caught only at runIptables, runIptablesRestore and runIpset,
 * which return them as an IptablesResult's issues and stderr.
 * @module
 */
export type {
  IptablesRuleset,
  IptRule,
  IptChain,
  IptTable,
  Ipset,
  TableName,
  IptTarget,
  ExtInstance,
} from "./types.js";
export { createIptablesRuleset, TABLE_ORDER, BUILTIN_CHAINS } from "./types.js";
export type { IptablesResult, RunOptions, KernelReject } from "./commands.js";
export { runIptables, applyIptablesCommand, validateTable } from "./commands.js";
export type { RestoreOptions } from "./restore.js";
export { runIptablesRestore, applyIptablesRestore, tokenizeRestoreLine } from "./restore.js";
export { runIpset, applyIpsetCommand } from "./ipset.js";
export type { SaveOptions } from "./save.js";
export { iptablesSave, iptablesListRules, ruleLine, ruleSpec } from "./save.js";
export { iptablesBaseChains, evaluateChain, iptablesPriority, ruleMatches } from "./eval.js";
export type { IptEnv } from "./util.js";
