/**
 * `iptables` argv parsing: a getopt_long emulation (long-option abbreviations, implicit
 * protocol matches, `!` inversion) followed by iptables 1.8.9's do_parse checks, in the
 * same order so the first error reported is the one the real tool prints.
 *
 * Kept whole: one getopt_long emulation followed by do_parse's checks in iptables' own order;
 * the first error printed depends on that order, so the steps stay side by side (each check is
 * its own function).
 * @module
 */
import { defined } from "../../core/result.js";
import type { OptSpec, ParseArgs } from "./ext.js";
import { canonName, KNOWN_UNSUPPORTED_MATCHES, KNOWN_UNSUPPORTED_TARGETS } from "./ext.js";
import type { ExtUse, Opt } from "./getopt.js";
import { ArgCursor, getoptLong, OptTable } from "./getopt.js";
import { familyOk, MATCHES } from "./matches.js";
import { TARGETS } from "./targets.js";
import type { IptablesRuleset, IptRule, ParseCtx } from "./types.js";
import { emptyRule } from "./types.js";
import type { AddrMask, IptEnv, Prog } from "./util.js";
import {
  EXIT,
  iptError,
  paramError,
  parseHostMaskList,
  parseProtocol,
  progPrefix,
} from "./util.js";

export type { ExtUse } from "./getopt.js";

export type CommandKind =
  | "A"
  | "C"
  | "D"
  | "DN"
  | "R"
  | "I"
  | "L"
  | "S"
  | "F"
  | "Z"
  | "N"
  | "X"
  | "E"
  | "P"
  | "V"
  | "h";

export interface ParsedCommand {
  command: CommandKind;
  table: string;
  tableArg?: number;
  chain?: string;
  chainArg?: number;
  rulenum?: number;
  newname?: string;
  policy?: string;
  policyArg?: number;
  /** The rule template (addresses filled per expansion). */
  rule: IptRule;
  srcs: AddrMask[];
  dsts: AddrMask[];
  matches: ExtUse[];
  target?: ExtUse;
  jumpto?: string;
  jumpArg?: number;
  isGoto: boolean;
  /** -v / -n / -x / --line-numbers seen. */
  verbose: boolean;
  numeric: boolean;
  warnings: string[];
  /** `-4`/`-6` in restore on the other family: skip the line. */
  skip?: boolean;
  /** buildMatches ran (iptables-nft translation). */
  built?: boolean;
}

/** Options of protocol matches this model does not implement (loaded implicitly by -p). */
const PROTO_MATCH_OPTS: Record<string, string[]> = {
  sctp: ["source-port", "sport", "destination-port", "dport", "chunk-types"],
  udplite: [],
  esp: ["espspi"],
  ah: ["ahspi"],
  dccp: ["source-port", "sport", "destination-port", "dport", "dccp-types", "dccp-option"],
};

/** Standard targets (xtables_find_target maps them to "standard"). */
export const STANDARD_TARGETS = new Set(["ACCEPT", "DROP", "RETURN", "QUEUE"]);

const CMD_FLAG: Record<string, number> = {
  I: 1,
  D: 2,
  DN: 4,
  R: 8,
  A: 16,
  L: 32,
  F: 64,
  Z: 128,
  N: 256,
  X: 512,
  P: 1024,
  E: 2048,
  S: 4096,
  C: 16384,
};
const CMD_CHAR: Record<number, string> = {
  1: "I",
  2: "D",
  4: "D",
  8: "R",
  16: "A",
  32: "L",
  64: "F",
  128: "Z",
  256: "N",
  512: "X",
  1024: "P",
  2048: "E",
  4096: "S",
  16384: "C",
};
const RULE_CMDS = new Set<CommandKind>(["A", "C", "D", "R", "I"]);

/** Option letters in 1.8.9's OPT_* order, for generic_opt_check ("Illegal option"). */
const OPT_ALLOWED: Array<[string, Set<CommandKind>]> = [
  ["n", new Set(["L"])],
  ["s", RULE_CMDS],
  ["d", RULE_CMDS],
  ["p", RULE_CMDS],
  ["j", RULE_CMDS],
  ["v", new Set(["A", "C", "D", "DN", "R", "I", "L", "S", "F", "Z", "N", "X", "E", "P"])],
  ["x", new Set(["L"])],
  ["i", RULE_CMDS],
  ["o", RULE_CMDS],
  ["0", new Set(["L"])],
  ["c", new Set(["I", "R", "A", "P"])],
  ["f", RULE_CMDS],
];

export interface ParseOptions {
  prog: Prog;
  ruleset: IptablesRuleset;
  /** iptables-restore: `-t` forbidden, `-w` forbidden, table given by `*table`. */
  restore?: { table: string };
  env?: IptEnv;
}

/** Long names of the commands, for "unexpected ! flag before --NAME". */
const CMD_LONG: Record<CommandKind, string> = {
  A: "append",
  C: "check",
  D: "delete",
  DN: "delete",
  R: "replace",
  I: "insert",
  L: "list",
  S: "list-rules",
  F: "flush",
  Z: "zero",
  N: "new-chain",
  X: "delete-chain",
  E: "rename-chain",
  P: "policy",
  V: "version",
  h: "help",
};

/** Protocol numbers whose name loads an implicit match (command_default's proto_to_name). */
const IMPLICIT_PROTO_NAMES: Record<number, string> = {
  6: "tcp",
  17: "udp",
  1: "icmp",
  132: "sctp",
  136: "udplite",
  58: "ipv6-icmp",
  50: "esp",
  51: "ah",
  33: "dccp",
};

/** xs_has_arg-style numbers of `-w` (parse_wait_time: strtol base 0 must read a digit). */
const WAIT_SECONDS = /^\s*[+-]?(0[xX][0-9a-fA-F]+|[0-9]+)/;

/** do_parse's working state: struct iptables_command_state, struct xt_cmd_parse, locals. */
interface ParseState {
  p: Prog;
  o: ParseOptions;
  ctx: ParseCtx;
  rule: IptRule;
  cur: ArgCursor;
  table: OptTable;
  matches: ExtUse[];
  target: ExtUse | undefined;
  /** Bitmask of the commands given (CMD_FLAG). */
  cmd: number;
  command: CommandKind | undefined;
  pc: Partial<ParsedCommand> & { isGoto: boolean };
  /** Option letters given (cs->options). */
  options: Set<string>;
  /** A `!` is pending for the next option (cs->invert) and where it was. */
  invert: boolean;
  invertAt: number;
  /** `-p` as written (lower-cased), its argv index, and whether command_default used it. */
  protocol: string | undefined;
  protoArg: number;
  protoUsed: boolean;
  srcSpec: string | undefined;
  srcArg: number;
  dstSpec: string | undefined;
  dstArg: number;
  /** iptables-restore: `-4`/`-6` of the other family, the line is skipped. */
  skip: boolean;
}

function newState(argv: string[], o: ParseOptions): ParseState {
  const rule = emptyRule();
  const ctx: ParseCtx = {
    prog: o.prog,
    family: o.prog.family,
    table: o.restore?.table ?? "filter",
    ruleset: o.ruleset,
    rule,
    protoGiven: false,
    warnings: [],
    ...defined({ env: o.env }),
  };
  return {
    p: o.prog,
    o,
    ctx,
    rule,
    cur: new ArgCursor(argv),
    table: new OptTable(),
    matches: [],
    target: undefined,
    cmd: 0,
    command: undefined,
    pc: { isGoto: false },
    options: new Set(),
    invert: false,
    invertAt: -1,
    protocol: undefined,
    protoArg: -1,
    protoUsed: false,
    srcSpec: undefined,
    srcArg: -1,
    dstSpec: undefined,
    dstArg: -1,
    skip: false,
  };
}

/**
 * Parse an iptables argv (argv[0] = program name) as iptables 1.8.9's do_parse does: the
 * getopt_long loop, then the checks after it in the same order, so the first error is the
 * one the real tool prints. Throws an IssueError (IptIssue) with iptables' message and the
 * argv index of the offending word.
 */
export function parseIptablesArgv(argv: string[], o: ParseOptions): ParsedCommand {
  const st = newState(argv, o);
  for (let opt = getoptLong(st.cur, st.table, st.p); opt; opt = getoptLong(st.cur, st.table, st.p))
    doParseOption(st, opt);
  if (st.skip) return skippedCommand(st);
  return postParse(st);
}

/** One turn of do_parse's `switch (c)`. */
function doParseOption(st: ParseState, opt: Opt): void {
  const c = opt.c;
  if (c === 1) return nonOption(st, opt);
  if (typeof c === "object") {
    extensionOption(st, opt, c);
    st.invert = false;
    return;
  }
  if (c === "?" || c === ":") return commandDefault(st, opt);
  const handler = OPTION_HANDLERS[c];
  if (!handler) throw paramError(st.p, `unknown option "${opt.tok}"`, opt.at, UNKNOWN_OPTION);
  handler(st, opt);
  st.invert = false;
}

const UNKNOWN_OPTION = "iptables.unknown-option";

/** A word that is no option: only `!` is allowed (it inverts the next option). */
function nonOption(st: ParseState, opt: Opt): void {
  if (opt.optarg !== "!")
    throw iptError(
      `Bad argument \`${opt.optarg!}'`,
      EXIT.PARAMETER,
      "iptables.unexpected-argument",
      opt.at,
      "an option",
    );
  if (st.invert)
    throw paramError(st.p, "multiple consecutive ! not allowed", opt.at, "iptables.double-invert");
  st.invert = true;
  st.invertAt = opt.at;
}

/** An option of a loaded extension: xtables_option_mpcall / tpcall. */
function extensionOption(st: ParseState, opt: Opt, c: { use: ExtUse; spec: OptSpec }): void {
  let use = c.use;
  for (const m of st.matches) if (m.ext === use.ext) use = m; // earlier instances are "completed"
  const cur = st.cur;
  const a: ParseArgs = {
    ctx: st.ctx,
    st: use.st,
    spec: c.spec,
    canon: canonName(use.ext, c.spec.id),
    arg: opt.optarg,
    invert: st.invert,
    at: opt.at,
    valAt: opt.optarg !== undefined && cur.prev > opt.at ? cur.prev : opt.at,
    peek: () => cur.peek(),
    take: () => cur.take(),
  };
  if (c.spec.unsupported)
    throw notModelled(
      `routelab: option "--${c.spec.name}" of ${use.ext.name} is not modelled`,
      opt.at,
    );
  use.ext.parse(a);
}

/** An error for something iptables accepts but this model does not (no "Try" line). */
function notModelled(message: string, at: number) {
  return iptError(message, EXIT.PARAMETER, "iptables.unsupported", at, undefined, false);
}

/**
 * command_default: an unknown option first loads the match named by `-p` (once) and
 * re-scans the option with its options merged in.
 */
function commandDefault(st: ParseState, opt: Opt): void {
  if (st.protocol !== undefined && !st.protoUsed) {
    st.protoUsed = true;
    const pname = implicitMatchName(st.protocol);
    const ext = MATCHES[pname];
    if (ext && familyOk(ext, st.ctx.family)) {
      loadMatch(st, pname, st.protoArg, true);
      st.cur.rewind(opt.at);
      return;
    }
    const known = PROTO_MATCH_OPTS[pname];
    const name = opt.tok.replace(/^--/, "").replace(/=.*$/, "");
    if (known && opt.c === "?" && known.some((o) => o.startsWith(name)))
      throw notModelled(
        `routelab: option "${opt.tok}" of the ${pname} match is not modelled`,
        opt.at,
      );
  }
  if (opt.c === ":")
    throw paramError(
      st.p,
      `option "${opt.tok}" requires an argument`,
      opt.at,
      "iptables.missing-argument",
    );
  throw paramError(
    st.p,
    `unknown option "${opt.unknownName}"`,
    opt.at,
    UNKNOWN_OPTION,
    "a known option for the loaded matches/target",
  );
}

/** The match `-p` names (a number maps through proto_to_name). */
function implicitMatchName(protocol: string): string {
  let pname = protocol;
  if (/^[0-9]+$/.test(protocol) || /^0[xX]/.test(protocol))
    pname = IMPLICIT_PROTO_NAMES[parseProtocol(protocol)!] ?? "";
  return pname === "ipv6-icmp" || pname === "icmpv6" ? "icmp6" : pname;
}

/** add_command: one command per invocation, some pairs excepted (`other`). */
function addCommand(st: ParseState, k: CommandKind, other: number, at: number): void {
  if (st.invert) throw paramError(st.p, `unexpected ! flag before --${CMD_LONG[k]}`, at);
  if (st.cmd & ~other) {
    let bit = 1;
    while (bit && !(st.cmd & ~other & bit)) bit <<= 1;
    throw paramError(
      st.p,
      `Cannot use -${k === "DN" ? "D" : k} with -${CMD_CHAR[bit] ?? "?"}`,
      at,
      "iptables.conflicting-commands",
    );
  }
  st.cmd |= CMD_FLAG[k] ?? 0;
  st.command = k;
}

/** set_option: each option once; `!` only before invertible ones. */
function setOption(st: ParseState, c: string, at: number, invertible: boolean): void {
  if (st.options.has(c))
    throw paramError(st.p, `multiple -${c} flags not allowed`, at, "iptables.duplicate-option");
  st.options.add(c);
  if (st.invert && !invertible)
    throw paramError(st.p, `cannot have ! before -${c}`, at, "iptables.cannot-invert");
}

/** xtables_find_match + command_match: load `-m NAME` (or the implicit `-p` match). */
function loadMatch(st: ParseState, name: string, at: number, implicit: boolean): void {
  if (name === "ipv6-icmp" || name === "icmpv6") name = "icmp6";
  const ext = MATCHES[name];
  if (!ext || !familyOk(ext, st.ctx.family)) {
    if (implicit) return;
    if (KNOWN_UNSUPPORTED_MATCHES.has(name))
      throw notModelled(
        `routelab: match "${name}" (-m ${name}) is not modelled` +
          (name === "physdev" ? " (bridge netfilter is out of scope)" : ""),
        at,
      );
    throw paramError(
      st.p,
      `Couldn't load match \`${name}':No such file or directory`,
      at,
      "iptables.unknown-match",
      "a match name (tcp, udp, multiport, mark, conntrack, ...)",
    );
  }
  const use: ExtUse = { ext, st: { data: ext.init(st.ctx), flags: 0, argIndex: at } };
  const clone = st.matches.some((m) => m.ext === ext);
  st.matches.push(use);
  // options of a second instance are not merged (a clone); they reach the newest instance
  if (!clone) st.table.merge(use);
}

type OptionHandler = (st: ParseState, opt: Opt) => void;

/** -A -C -I -R -D chain [rulenum] (parse_rulenumber for -I, -R, -D). */
function ruleCommand(st: ParseState, opt: Opt): void {
  const k = opt.c as CommandKind;
  const { cur, pc, p } = st;
  addCommand(st, k, 0, opt.at);
  pc.chain = opt.optarg;
  pc.chainArg = cur.prev;
  if (k === "D" && cur.hasArg()) {
    const at = cur.i;
    const n = cur.take();
    if (!/^[0-9]+$/.test(n) || Number(n) === 0)
      throw paramError(p, `Invalid rule number \`${n}'`, at, "iptables.bad-rulenum", RULENUM);
    pc.rulenum = Number(n);
    st.command = "DN";
    st.cmd = CMD_FLAG.DN!;
  } else if (k === "R") {
    if (!cur.hasArg())
      throw paramError(p, "-R requires a rule number", opt.at, "iptables.missing-argument");
    pc.rulenum = takeRulenum(st);
  } else if (k === "I") {
    pc.rulenum = cur.hasArg() ? takeRulenum(st) : 1;
  }
}

const RULENUM = "a rule number >= 1";

function takeRulenum(st: ParseState): number {
  const at = st.cur.i;
  return parseRulenum(st.p, st.cur.take(), at);
}

/** -L -S -F -Z -X [chain] (-L, -S, -Z also [rulenum]); -Z combines with -L and -S. */
function chainCommand(st: ParseState, opt: Opt): void {
  const c = opt.c as "L" | "S" | "F" | "Z" | "X";
  const { cur, pc } = st;
  const other = c === "L" || c === "S" ? CMD_FLAG.Z! : c === "Z" ? CMD_FLAG.L! | CMD_FLAG.S! : 0;
  addCommand(st, c, other, opt.at);
  if (opt.optarg !== undefined) {
    pc.chain = opt.optarg;
    pc.chainArg = opt.at;
  } else if (cur.hasArg()) {
    pc.chainArg = cur.i;
    pc.chain = cur.take();
  }
  if ((c === "L" || c === "S" || c === "Z") && cur.hasArg()) pc.rulenum = takeRulenum(st);
}

/** -N chain. */
function newChain(st: ParseState, opt: Opt): void {
  assertChainName(st.p, opt.optarg!, st.cur.prev);
  addCommand(st, "N", 0, opt.at);
  st.pc.chain = opt.optarg;
  st.pc.chainArg = st.cur.prev;
}

/** -E old-chain new-chain. */
function renameChain(st: ParseState, opt: Opt): void {
  const { cur, pc } = st;
  addCommand(st, "E", 0, opt.at);
  pc.chain = opt.optarg;
  pc.chainArg = cur.prev;
  if (!cur.hasArg())
    throw paramError(
      st.p,
      "-E requires old-chain-name and new-chain-name",
      opt.at,
      "iptables.missing-argument",
    );
  pc.newname = cur.take();
  assertChainName(st.p, pc.newname, cur.prev);
}

/** -P chain policy. */
function setPolicy(st: ParseState, opt: Opt): void {
  const { cur, pc } = st;
  addCommand(st, "P", 0, opt.at);
  if (!cur.hasArg())
    throw paramError(st.p, "-P requires a chain and a policy", opt.at, "iptables.missing-argument");
  pc.chain = opt.optarg;
  pc.chainArg = cur.prev;
  pc.policyArg = cur.i;
  pc.policy = cur.take();
}

/** -p proto: xtables_parse_protocol; `! -p all` never matches. */
function protocolOpt(st: ParseState, opt: Opt): void {
  const at = st.cur.prev;
  setOption(st, "p", opt.at, true);
  st.protocol = opt.optarg!.toLowerCase();
  st.protoArg = at;
  const n = parseProtocol(st.protocol);
  if (n === undefined)
    throw paramError(
      st.p,
      `unknown protocol "${opt.optarg!}" specified`,
      at,
      "iptables.bad-protocol",
      "a protocol name or number",
    );
  st.rule.proto = n;
  st.rule.protoInv = st.invert;
  st.ctx.protoGiven = true;
  if (n === 0 && st.invert)
    throw paramError(st.p, "rule would never match protocol", at, "iptables.bad-protocol");
}

/** -s / -d: kept as written, parsed after the loop (ipv4_post_parse). */
function addressOpt(st: ParseState, opt: Opt): void {
  setOption(st, opt.c as string, opt.at, true);
  if (opt.c === "s") {
    st.srcSpec = opt.optarg;
    st.srcArg = st.cur.prev;
    st.rule.srcInv = st.invert;
  } else {
    st.dstSpec = opt.optarg;
    st.dstArg = st.cur.prev;
    st.rule.dstInv = st.invert;
  }
}

/** -g chain. */
function gotoOpt(st: ParseState, opt: Opt): void {
  setOption(st, "j", opt.at, false);
  st.pc.isGoto = true;
  st.pc.jumpto = checkTargetName(st.p, opt.optarg!, st.cur.prev);
  st.pc.jumpArg = st.cur.prev;
}

/** command_jump: -j NAME loads a target extension (xtables_find_target) or names a chain. */
function jumpOpt(st: ParseState, opt: Opt): void {
  const at = st.cur.prev;
  setOption(st, "j", opt.at, false);
  st.pc.jumpArg = at;
  if (opt.optarg === "CONTINUE") return;
  const name = checkTargetName(st.p, opt.optarg!, at);
  st.pc.jumpto = name;
  const ext = TARGETS[name];
  if (ext) {
    st.target = { ext, st: { data: ext.init(st.ctx), flags: 0, argIndex: at } };
    st.table.merge(st.target);
  } else if (KNOWN_UNSUPPORTED_TARGETS.has(name)) {
    throw notModelled(`routelab: target "${name}" (-j ${name}) is not modelled`, at);
  }
}

/** -i / -o: xtables_parse_interface. */
function interfaceOpt(st: ParseState, opt: Opt): void {
  const at = st.cur.prev;
  const name = opt.optarg!;
  if (name === "")
    throw paramError(st.p, "Empty interface is likely to be undesired", at, BAD_IFACE);
  setOption(st, opt.c as string, opt.at, true);
  if (name.length >= 16)
    throw paramError(
      st.p,
      `interface name \`${name}' must be shorter than IFNAMSIZ (15)`,
      at,
      BAD_IFACE,
      "at most 15 characters",
    );
  if (opt.c === "i") {
    st.rule.iif = name;
    st.rule.iifInv = st.invert;
  } else {
    st.rule.oif = name;
    st.rule.oifInv = st.invert;
  }
}

const BAD_IFACE = "iptables.bad-interface";

/** -f (IPv4 only). */
function fragmentOpt(st: ParseState, opt: Opt): void {
  if (st.ctx.family === 6)
    throw paramError(
      st.p,
      "`-f' is not supported in IPv6, use -m frag instead",
      opt.at,
      "iptables.unsupported-option",
    );
  setOption(st, "f", opt.at, true);
  st.rule.frag = true;
  st.rule.fragInv = st.invert;
}

/** -m NAME. */
function matchOpt(st: ParseState, opt: Opt): void {
  if (st.invert)
    throw paramError(st.p, "unexpected ! flag before --match", opt.at, "iptables.cannot-invert");
  loadMatch(st, opt.optarg!, st.cur.prev, false);
}

/** -t table (not in iptables-restore, where `*table` sets it). */
function tableOpt(st: ParseState, opt: Opt): void {
  const p = st.p;
  if (st.invert)
    throw paramError(p, "unexpected ! flag before --table", opt.at, "iptables.cannot-invert");
  if (st.o.restore)
    throw paramError(
      p,
      `The -t option cannot be used in ${p.name}.`,
      opt.at,
      "iptables.restore-table",
    );
  st.ctx.table = opt.optarg!;
  st.pc.tableArg = st.cur.prev;
}

/** -w [seconds]: parse_wait_time (checked, otherwise ignored: there is no lock). */
function waitOpt(st: ParseState, opt: Opt): void {
  const { cur, p } = st;
  if (st.o.restore) throw paramError(p, "You cannot use `-w' from iptables-restore", opt.at);
  if (opt.optarg === undefined && cur.hasArg()) {
    const at = cur.i;
    if (!WAIT_SECONDS.test(cur.take())) throw paramError(p, "wait seconds not numeric", at);
  } else if (opt.optarg !== undefined && !WAIT_SECONDS.test(opt.optarg))
    throw paramError(p, "wait seconds not numeric", opt.at);
}

/** -W [usecs]: parse_wait_interval, deprecated. */
function waitIntervalOpt(st: ParseState, opt: Opt): void {
  const { cur, p } = st;
  if (st.o.restore) throw paramError(p, "You cannot use `-W' from iptables-restore", opt.at);
  if (opt.optarg === undefined) {
    if (cur.hasArg()) cur.take();
    else throw paramError(p, "wait interval value required", opt.at);
  }
  st.ctx.warnings.push("Ignoring deprecated --wait-interval option.");
}

/** -c packets bytes (or `packets,bytes`): parse_counters. */
function countersOpt(st: ParseState, opt: Opt): void {
  const { cur, p } = st;
  setOption(st, "c", opt.at, false);
  let pk = opt.optarg!,
    by: string;
  const comma = pk.indexOf(",");
  if (comma >= 0) {
    by = pk.slice(comma + 1);
    pk = pk.slice(0, comma);
  } else if (cur.hasArg()) by = cur.take();
  else throw paramError(p, "-c requires packet and byte counter", opt.at);
  const num = (x: string) => {
    const m = /^\s*[0-9]+/.exec(x);
    return m ? Number(m[0]) : undefined;
  };
  const pn = num(pk),
    bn = num(by);
  if (pn === undefined) throw paramError(p, "-c packet counter not numeric", opt.at);
  if (bn === undefined) throw paramError(p, "-c byte counter not numeric", opt.at);
  st.rule.counters = [pn, bn];
}

/** -4 / -6: a line for the other family is skipped by iptables-restore, refused otherwise. */
function familyOpt(st: ParseState, opt: Opt): void {
  const f = opt.c === "4" ? 4 : 6;
  if (st.ctx.family === f) return;
  if (st.o.restore) {
    st.skip = true;
    st.cur.end();
    return;
  }
  throw iptError(
    "",
    EXIT.PARAMETER,
    "iptables.wrong-family",
    opt.at,
    f === 4 ? "an IPv6 rule (line is for iptables)" : "an IPv4 rule (line is for ip6tables)",
  );
}

/** A flag option: set once, never inverted (-n -x --line-numbers). */
const flagOpt: OptionHandler = (st, opt) => setOption(st, opt.c as string, opt.at, false);

const OPTION_HANDLERS: Record<string, OptionHandler> = {
  A: ruleCommand,
  C: ruleCommand,
  I: ruleCommand,
  R: ruleCommand,
  D: ruleCommand,
  L: chainCommand,
  S: chainCommand,
  F: chainCommand,
  Z: chainCommand,
  X: chainCommand,
  N: newChain,
  E: renameChain,
  P: setPolicy,
  h: (st, opt) => addCommand(st, "h", 0, opt.at),
  V: (st, opt) => addCommand(st, "V", 0, opt.at),
  p: protocolOpt,
  s: addressOpt,
  d: addressOpt,
  g: gotoOpt,
  j: jumpOpt,
  i: interfaceOpt,
  o: interfaceOpt,
  f: fragmentOpt,
  v: (st, opt) => {
    if (!st.options.has("v")) setOption(st, "v", opt.at, false);
  },
  m: matchOpt,
  n: flagOpt,
  x: flagOpt,
  "0": flagOpt,
  t: tableOpt,
  w: waitOpt,
  W: waitIntervalOpt,
  M: () => {},
  c: countersOpt,
  "4": familyOpt,
  "6": familyOpt,
  b: (st, opt) => {
    throw paramError(st.p, `unknown option "-b"`, opt.at, UNKNOWN_OPTION);
  },
};

/** An iptables-restore line for the other family: nothing to do. */
function skippedCommand(st: ParseState): ParsedCommand {
  return {
    command: "A",
    table: st.ctx.table,
    rule: st.rule,
    srcs: [],
    dsts: [],
    matches: st.matches,
    isGoto: false,
    verbose: false,
    numeric: false,
    warnings: st.ctx.warnings,
    skip: true,
  };
}

/** The checks after do_parse's getopt loop, in iptables' order. */
function postParse(st: ParseState): ParsedCommand {
  const { p, pc, ctx } = st;
  if (ctx.table === "nat" && (pc.policy === "DROP" || pc.jumpto === "DROP")) {
    throw paramError(
      p,
      '\nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.',
      pc.policy === "DROP" ? pc.policyArg : pc.jumpArg,
      "iptables.nat-drop",
    );
  }
  // xtables_option_mfcall / xtables_option_tfcall
  for (const m of st.matches) m.ext.final(ctx, m.st);
  if (st.target) st.target.ext.final(ctx, st.target.st);
  const command = st.command;
  if (command === undefined)
    throw paramError(
      p,
      "no command specified",
      undefined,
      "iptables.no-command",
      "a command (-A, -I, -D, -N, ...)",
    );
  if (st.invert)
    throw paramError(p, "nothing appropriate following !", st.invertAt, "iptables.dangling-invert");
  const [srcs, dsts] = ipPostParse(st, command);
  genericOptCheck(st, command);
  checkChain(st, command);
  return {
    command,
    table: ctx.table,
    ...defined({
      tableArg: pc.tableArg,
      chain: pc.chain,
      chainArg: pc.chain === undefined ? undefined : pc.chainArg,
      rulenum: pc.rulenum,
      newname: pc.newname,
      policy: pc.policy,
      policyArg: pc.policy === undefined ? undefined : pc.policyArg,
      target: st.target,
      jumpto: pc.jumpto,
      jumpArg: pc.jumpto === undefined ? undefined : pc.jumpArg,
    }),
    rule: st.rule,
    srcs,
    dsts,
    matches: st.matches,
    isGoto: pc.isGoto,
    verbose: st.options.has("v"),
    numeric: st.options.has("n"),
    warnings: ctx.warnings,
  };
}

/** ipv4_post_parse / ipv6_post_parse: the -s / -d host lists and their restrictions. */
function ipPostParse(st: ParseState, command: CommandKind): [AddrMask[], AddrMask[]] {
  const { p, rule } = st;
  const family = st.ctx.family;
  const parse = (spec: string | undefined, at: number) =>
    spec === undefined ? [] : parseHostMaskList(spec, family, p, at, st.o.env);
  const srcs = parse(st.srcSpec, st.srcArg);
  const dsts = parse(st.dstSpec, st.dstArg);
  if ((srcs.length > 1 || dsts.length > 1) && (rule.srcInv || rule.dstInv)) {
    throw paramError(
      p,
      "! not allowed with multiple source or destination IP addresses",
      rule.srcInv ? st.srcArg : st.dstArg,
      "iptables.invert-multiple",
    );
  }
  if (command === "R" && (srcs.length > 1 || dsts.length > 1)) {
    throw paramError(
      p,
      "Replacement rule does not specify a unique address",
      srcs.length > 1 ? st.srcArg : st.dstArg,
      "iptables.parameter",
    );
  }
  return [srcs, dsts];
}

/** generic_opt_check: options the command does not take ("Illegal option"). */
function genericOptCheck(st: ParseState, command: CommandKind): void {
  for (const [c, allowed] of OPT_ALLOWED) {
    if (st.options.has(c) && !allowed.has(command) && !(c === "v")) {
      throw paramError(
        st.p,
        `Illegal option \`-${c}' with this command`,
        undefined,
        "iptables.illegal-option",
      );
    }
  }
}

/** The chain's name length, and -i / -o against the chains that have no such device. */
function checkChain(st: ParseState, command: CommandKind): void {
  const { p, pc } = st;
  if (pc.chain === undefined) return;
  if (pc.chain.length >= 29) {
    throw paramError(
      p,
      `chain name \`${pc.chain}' too long (must be under 29 chars)`,
      pc.chainArg,
      "iptables.bad-chain-name",
      "at most 28 characters",
    );
  }
  if (!RULE_CMDS.has(command)) return;
  const dir = "iptables.bad-interface-direction";
  if ((pc.chain === "PREROUTING" || pc.chain === "INPUT") && st.options.has("o"))
    throw paramError(p, `Can't use -o with ${pc.chain}`, pc.chainArg, dir);
  if ((pc.chain === "POSTROUTING" || pc.chain === "OUTPUT") && st.options.has("i"))
    throw paramError(p, `Can't use -i with ${pc.chain}`, pc.chainArg, dir);
}
function parseRulenum(p: Prog, s: string, at: number): number {
  if (!/^\s*[+]?[0-9]+$/.test(s) || Number(s) < 1 || Number(s) > 0x7fffffff)
    throw paramError(
      p,
      `Invalid rule number \`${s}'`,
      at,
      "iptables.bad-rulenum",
      "a rule number >= 1",
    );
  return Number(s);
}

function checkTargetName(p: Prog, s: string, at: number): string {
  if (s.length < 1)
    throw paramError(p, "Invalid target name (too short)", at, "iptables.bad-target");
  if (s.length >= 29)
    throw paramError(p, `Invalid target name \`${s}' (28 chars max)`, at, "iptables.bad-target");
  if (/\s/.test(s)) throw paramError(p, `Invalid target name \`${s}'`, at, "iptables.bad-target");
  return s;
}

/** Names a user chain may not take (xtables_find_target succeeds for them). */
export function isTargetName(s: string): boolean {
  return (
    STANDARD_TARGETS.has(s) || s in TARGETS || KNOWN_UNSUPPORTED_TARGETS.has(s) || s === "standard"
  );
}

function assertChainName(p: Prog, s: string, at: number): void {
  if (s.length >= 29)
    throw paramError(
      p,
      `chain name \`${s}' too long (must be under 29 chars)`,
      at,
      "iptables.bad-chain-name",
      "at most 28 characters",
    );
  if (s.startsWith("-") || s.startsWith("!"))
    throw paramError(
      p,
      `chain name not allowed to start with \`${s[0]!}'`,
      at,
      "iptables.bad-chain-name",
    );
  if (isTargetName(s))
    throw paramError(p, "chain name may not clash with target name", at, "iptables.bad-chain-name");
  if (/\s/.test(s))
    throw paramError(p, `Invalid chain name \`${s}'`, at, "iptables.bad-chain-name");
}

export { progPrefix };
