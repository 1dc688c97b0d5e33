/**
 * `iptables` argv parsing: a getopt_long emulation (long-option abbreviations, implicit
 * protocol matches, `!` inversion) followed by iptables 1.8.9's do_parse checks, in the
 * same order so the first error reported is the one the real tool prints.
 * @module
 */
import type { Family } from "../../addr/ip.js";
import type { Ext, ExtState, OptSpec, ParseArgs } from "./ext.js";
import { canonName, KNOWN_UNSUPPORTED_MATCHES, KNOWN_UNSUPPORTED_TARGETS } from "./ext.js";
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

export interface ExtUse {
  ext: Ext;
  st: ExtState;
}

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

type Code = string | { use: ExtUse; spec: OptSpec };
interface OptEntry {
  name: string;
  hasArg: 0 | 1 | 2;
  code: Code;
}

const BASE_LONG: Array<[string, 0 | 1 | 2, string]> = [
  ["append", 1, "A"],
  ["delete", 1, "D"],
  ["check", 1, "C"],
  ["insert", 1, "I"],
  ["replace", 1, "R"],
  ["list", 2, "L"],
  ["list-rules", 2, "S"],
  ["flush", 2, "F"],
  ["zero", 2, "Z"],
  ["new-chain", 1, "N"],
  ["delete-chain", 2, "X"],
  ["rename-chain", 1, "E"],
  ["policy", 1, "P"],
  ["source", 1, "s"],
  ["destination", 1, "d"],
  ["src", 1, "s"],
  ["dst", 1, "d"],
  ["protocol", 1, "p"],
  ["in-interface", 1, "i"],
  ["jump", 1, "j"],
  ["table", 1, "t"],
  ["match", 1, "m"],
  ["numeric", 0, "n"],
  ["out-interface", 1, "o"],
  ["verbose", 0, "v"],
  ["wait", 2, "w"],
  ["wait-interval", 2, "W"],
  ["exact", 0, "x"],
  ["fragments", 0, "f"],
  ["version", 0, "V"],
  ["help", 2, "h"],
  ["line-numbers", 0, "0"],
  ["modprobe", 1, "M"],
  ["set-counters", 1, "c"],
  ["goto", 1, "g"],
  ["ipv4", 0, "4"],
  ["ipv6", 0, "6"],
];
const SHORTS = "A:C:D:R:I:L::S::M:F::Z::N:X::E:P:Vh::o:p:s:d:j:i:fbvw::W::nt:m:xc:g:46";
const SHORT_ARG = new Map<string, 0 | 1 | 2>();
for (let i = 0; i < SHORTS.length; i++) {
  const c = SHORTS[i]!;
  let n: 0 | 1 | 2 = 0;
  if (SHORTS[i + 1] === ":") {
    n = 1;
    i++;
    if (SHORTS[i + 1] === ":") {
      n = 2;
      i++;
    }
  }
  SHORT_ARG.set(c, n);
}

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

function optName(c: string): string {
  return `-${c}`;
}

/**
 * Parse an iptables argv (argv[0] = program name). Throws an IssueError (IptIssue) with the message
 * iptables prints and the argv index of the offending word.
 */
export function parseIptablesArgv(argv: string[], o: ParseOptions): ParsedCommand {
  const p = o.prog,
    family: Family = p.family;
  const rule = emptyRule();
  const warnings: string[] = [];
  const ctx: ParseCtx = {
    prog: p,
    family,
    table: o.restore?.table ?? "filter",
    ruleset: o.ruleset,
    rule,
    protoGiven: false,
    warnings,
    ...(o.env ? { env: o.env } : {}),
  };
  const matches: ExtUse[] = [];
  let target: ExtUse | undefined;
  const table: OptEntry[] = BASE_LONG.map(([name, hasArg, code]) => ({ name, hasArg, code }));
  let cmd = 0;
  let command: CommandKind | undefined;
  const pc: Partial<ParsedCommand> & { isGoto: boolean } = { isGoto: false };
  let options = new Set<string>();
  let invert = false,
    invertAt = -1;
  let protoUsed = false,
    protocol: string | undefined,
    protoArg = -1;
  let srcSpec: string | undefined,
    dstSpec: string | undefined,
    srcArg = -1,
    dstArg = -1;
  let i = 1,
    sub = 0; // argv index, position within a short-option cluster
  let skip = false;

  const hasArgAt = (k: number) =>
    k < argv.length && !argv[k]!.startsWith("-") && !argv[k]!.startsWith("!");
  const addCommand = (k: CommandKind, other: number, at: number) => {
    if (invert)
      throw paramError(
        p,
        "unexpected ! flag before --" +
          (
            {
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
            } as const
          )[k],
        at,
      );
    if (cmd & ~other) {
      let bit = 1;
      while (bit && !(cmd & ~other & bit)) bit <<= 1;
      throw paramError(
        p,
        `Cannot use -${k === "DN" ? "D" : k} with -${CMD_CHAR[bit] ?? "?"}`,
        at,
        "iptables.conflicting-commands",
      );
    }
    cmd |= CMD_FLAG[k] ?? 0;
    command = k;
  };
  const setOption = (c: string, at: number, invertible: boolean) => {
    if (options.has(c))
      throw paramError(
        p,
        `multiple ${optName(c)} flags not allowed`,
        at,
        "iptables.duplicate-option",
      );
    options.add(c);
    if (invert && !invertible)
      throw paramError(p, `cannot have ! before ${optName(c)}`, at, "iptables.cannot-invert");
  };
  const loadMatch = (name: string, at: number, implicit: boolean): ExtUse | undefined => {
    if (name === "ipv6-icmp" || name === "icmpv6") name = "icmp6";
    const ext = MATCHES[name];
    if (!ext || !familyOk(ext, family)) {
      if (implicit) return undefined;
      if (KNOWN_UNSUPPORTED_MATCHES.has(name))
        throw iptError(
          `routelab: match "${name}" (-m ${name}) is not modelled` +
            (name === "physdev" ? " (bridge netfilter is out of scope)" : ""),
          EXIT.PARAMETER,
          "iptables.unsupported",
          at,
          undefined,
          false,
        );
      throw paramError(
        p,
        `Couldn't load match \`${name}':No such file or directory`,
        at,
        "iptables.unknown-match",
        "a match name (tcp, udp, multiport, mark, conntrack, ...)",
      );
    }
    const st: ExtState = { data: ext.init(ctx), flags: 0, argIndex: at };
    const use: ExtUse = { ext, st };
    const clone = matches.some((m) => m.ext === ext);
    matches.push(use);
    // options of a second instance are not merged (a clone); they reach the newest instance
    if (!clone)
      mergeOpts(
        ext.opts.map((spec) => ({
          name: spec.name,
          hasArg: spec.arg ? 1 : 0,
          code: { use, spec },
        })),
      );
    return use;
  };
  // xtables_merge_options: base options first, then the newest extension's, then older ones
  const baseCount = table.length;
  const mergeOpts = (entries: OptEntry[]) => {
    table.splice(baseCount, 0, ...entries);
  };
  const findLong = (name: string): OptEntry | "ambiguous" | undefined => {
    const exact = table.find((e) => e.name === name);
    if (exact) return exact;
    const pre = table.filter((e) => e.name.startsWith(name));
    if (pre.length === 0) return undefined;
    const first = pre[0]!;
    for (const e of pre.slice(1)) {
      if (e.hasArg !== first.hasArg || e.code !== first.code) {
        if (
          typeof e.code === "string" ||
          typeof first.code === "string" ||
          e.code.use !== first.code.use ||
          e.code.spec.id !== first.code.spec.id
        )
          return "ambiguous";
      }
    }
    return first;
  };

  // getopt loop -------------------------------------------------------------------------------
  while (i < argv.length) {
    const tok = argv[i]!;
    let c: Code | "?" | ":" | 1;
    let optarg: string | undefined;
    let at = i;
    let unknownName = tok;
    if (sub === 0 && (tok === "-" || !tok.startsWith("-"))) {
      c = 1;
      optarg = tok;
      i++;
    } else if (sub === 0 && tok === "--") {
      i++;
      if (i < argv.length)
        throw paramError(
          p,
          "unknown arguments found on commandline",
          i,
          "iptables.unexpected-argument",
        );
      break;
    } else if (sub === 0 && tok.startsWith("--")) {
      const eq = tok.indexOf("=");
      const name = eq >= 0 ? tok.slice(2, eq) : tok.slice(2);
      const e = findLong(name);
      i++;
      if (!e || e === "ambiguous") {
        c = "?";
      } else {
        c = e.code;
        if (e.hasArg === 1) {
          if (eq >= 0) optarg = tok.slice(eq + 1);
          else if (i < argv.length) {
            optarg = argv[i]!;
            i++;
          } else {
            c = ":";
          }
        } else if (e.hasArg === 2) {
          if (eq >= 0) optarg = tok.slice(eq + 1);
        } else if (eq >= 0) {
          c = "?";
        }
      }
    } else {
      // short option cluster
      const ch = tok[1 + sub]!;
      const has = SHORT_ARG.get(ch);
      unknownName = `-${ch}`;
      sub++;
      const last = 1 + sub >= tok.length;
      if (has === undefined) {
        c = "?";
        if (last) {
          sub = 0;
          i++;
        }
      } else {
        c = ch;
        if (has === 0) {
          if (last) {
            sub = 0;
            i++;
          }
        } else {
          const rest = tok.slice(1 + sub);
          sub = 0;
          i++;
          if (rest !== "") optarg = rest;
          else if (has === 1) {
            if (i < argv.length) {
              optarg = argv[i]!;
              i++;
            } else c = ":";
          }
        }
      }
    }

    if (c === 1) {
      if (optarg === "!") {
        if (invert)
          throw paramError(p, "multiple consecutive ! not allowed", at, "iptables.double-invert");
        invert = true;
        invertAt = at;
        continue;
      }
      throw iptError(
        `Bad argument \`${optarg!}'`,
        EXIT.PARAMETER,
        "iptables.unexpected-argument",
        at,
        "an option",
      );
    }
    if (typeof c === "string" && c !== "?" && c !== ":") {
      switch (c) {
        case "A":
        case "C":
        case "I":
        case "R":
        case "D": {
          const k = c as CommandKind;
          addCommand(k, 0, at);
          pc.chain = optarg;
          pc.chainArg = i - 1;
          if (k === "D" && hasArgAt(i)) {
            const n = argv[i]!;
            if (!/^[0-9]+$/.test(n) || Number(n) === 0)
              throw paramError(
                p,
                `Invalid rule number \`${n}'`,
                i,
                "iptables.bad-rulenum",
                "a rule number >= 1",
              );
            pc.rulenum = Number(n);
            i++;
            command = "DN";
            cmd = CMD_FLAG.DN!;
          } else if (k === "R") {
            if (!hasArgAt(i))
              throw paramError(p, "-R requires a rule number", at, "iptables.missing-argument");
            pc.rulenum = parseRulenum(p, argv[i]!, i);
            i++;
          } else if (k === "I") {
            if (hasArgAt(i)) {
              pc.rulenum = parseRulenum(p, argv[i]!, i);
              i++;
            } else pc.rulenum = 1;
          }
          break;
        }
        case "L":
        case "S":
        case "F":
        case "Z":
        case "X": {
          addCommand(
            c as CommandKind,
            c === "L" || c === "S" ? CMD_FLAG.Z! : c === "Z" ? CMD_FLAG.L! | CMD_FLAG.S! : 0,
            at,
          );
          if (optarg !== undefined) {
            pc.chain = optarg;
            pc.chainArg = at;
          } else if (hasArgAt(i)) {
            pc.chain = argv[i]!;
            pc.chainArg = i;
            i++;
          }
          if ((c === "L" || c === "S" || c === "Z") && hasArgAt(i)) {
            pc.rulenum = parseRulenum(p, argv[i]!, i);
            i++;
          }
          break;
        }
        case "N": {
          assertChainName(p, optarg!, i - 1);
          addCommand("N", 0, at);
          pc.chain = optarg;
          pc.chainArg = i - 1;
          break;
        }
        case "E": {
          addCommand("E", 0, at);
          pc.chain = optarg;
          pc.chainArg = i - 1;
          if (!hasArgAt(i))
            throw paramError(
              p,
              "-E requires old-chain-name and new-chain-name",
              at,
              "iptables.missing-argument",
            );
          pc.newname = argv[i]!;
          i++;
          assertChainName(p, pc.newname, i - 1);
          break;
        }
        case "P": {
          addCommand("P", 0, at);
          if (!hasArgAt(i))
            throw paramError(
              p,
              "-P requires a chain and a policy",
              at,
              "iptables.missing-argument",
            );
          pc.chain = optarg;
          pc.chainArg = i - 1;
          pc.policy = argv[i]!;
          pc.policyArg = i;
          i++;
          break;
        }
        case "h":
        case "V":
          addCommand(c, 0, at);
          break;
        case "p": {
          setOption("p", at, true);
          protocol = optarg!.toLowerCase();
          protoArg = i - 1;
          const n = parseProtocol(protocol);
          if (n === undefined)
            throw paramError(
              p,
              `unknown protocol "${optarg!}" specified`,
              i - 1,
              "iptables.bad-protocol",
              "a protocol name or number",
            );
          rule.proto = n;
          rule.protoInv = invert;
          ctx.protoGiven = true;
          if (n === 0 && invert)
            throw paramError(p, "rule would never match protocol", i - 1, "iptables.bad-protocol");
          break;
        }
        case "s":
          setOption("s", at, true);
          srcSpec = optarg;
          srcArg = i - 1;
          rule.srcInv = invert;
          break;
        case "d":
          setOption("d", at, true);
          dstSpec = optarg;
          dstArg = i - 1;
          rule.dstInv = invert;
          break;
        case "g":
          setOption("j", at, false);
          pc.isGoto = true;
          pc.jumpto = checkTargetName(p, optarg!, i - 1);
          pc.jumpArg = i - 1;
          break;
        case "j": {
          setOption("j", at, false);
          pc.jumpArg = i - 1;
          if (optarg === "CONTINUE") break;
          const name = checkTargetName(p, optarg!, i - 1);
          pc.jumpto = name;
          const ext = TARGETS[name];
          if (ext) {
            const st: ExtState = { data: ext.init(ctx), flags: 0, argIndex: i - 1 };
            target = { ext, st };
            const tu = target;
            mergeOpts(
              ext.opts.map((spec) => ({
                name: spec.name,
                hasArg: spec.arg ? 1 : 0,
                code: { use: tu, spec },
              })),
            );
          } else if (KNOWN_UNSUPPORTED_TARGETS.has(name)) {
            throw iptError(
              `routelab: target "${name}" (-j ${name}) is not modelled`,
              EXIT.PARAMETER,
              "iptables.unsupported",
              i - 1,
              undefined,
              false,
            );
          }
          break;
        }
        case "i":
        case "o": {
          if (optarg === "")
            throw paramError(
              p,
              "Empty interface is likely to be undesired",
              i - 1,
              "iptables.bad-interface",
            );
          setOption(c, at, true);
          if (optarg!.length >= 16)
            throw paramError(
              p,
              `interface name \`${optarg!}' must be shorter than IFNAMSIZ (15)`,
              i - 1,
              "iptables.bad-interface",
              "at most 15 characters",
            );
          if (c === "i") {
            rule.iif = optarg!;
            rule.iifInv = invert;
          } else {
            rule.oif = optarg!;
            rule.oifInv = invert;
          }
          break;
        }
        case "f":
          if (family === 6)
            throw paramError(
              p,
              "`-f' is not supported in IPv6, use -m frag instead",
              at,
              "iptables.unsupported-option",
            );
          setOption("f", at, true);
          rule.frag = true;
          rule.fragInv = invert;
          break;
        case "v":
          if (!options.has("v")) setOption("v", at, false);
          break;
        case "m": {
          if (invert)
            throw paramError(p, "unexpected ! flag before --match", at, "iptables.cannot-invert");
          loadMatch(optarg!, i - 1, false);
          break;
        }
        case "n":
          setOption("n", at, false);
          break;
        case "x":
          setOption("x", at, false);
          break;
        case "0":
          setOption("0", at, false);
          break;
        case "t":
          if (invert)
            throw paramError(p, "unexpected ! flag before --table", at, "iptables.cannot-invert");
          if (o.restore)
            throw paramError(
              p,
              `The -t option cannot be used in ${p.name}.`,
              at,
              "iptables.restore-table",
            );
          ctx.table = optarg!;
          pc.tableArg = i - 1;
          break;
        case "w":
          if (o.restore) throw paramError(p, "You cannot use `-w' from iptables-restore", at);
          if (optarg === undefined && hasArgAt(i)) {
            if (!/^\s*[+-]?(0[xX][0-9a-fA-F]+|[0-9]+)/.test(argv[i]!))
              throw paramError(p, "wait seconds not numeric", i);
            i++;
          } else if (optarg !== undefined && !/^\s*[+-]?(0[xX][0-9a-fA-F]+|[0-9]+)/.test(optarg))
            throw paramError(p, "wait seconds not numeric", at);
          break;
        case "W":
          if (o.restore) throw paramError(p, "You cannot use `-W' from iptables-restore", at);
          if (optarg === undefined) {
            if (hasArgAt(i)) i++;
            else throw paramError(p, "wait interval value required", at);
          }
          warnings.push("Ignoring deprecated --wait-interval option.");
          break;
        case "M":
          break;
        case "c": {
          setOption("c", at, false);
          let pk = optarg!,
            by: string;
          const comma = pk.indexOf(",");
          if (comma >= 0) {
            by = pk.slice(comma + 1);
            pk = pk.slice(0, comma);
          } else if (hasArgAt(i)) {
            by = argv[i]!;
            i++;
          } else throw paramError(p, "-c requires packet and byte counter", at);
          const num = (x: string) => {
            const m = /^\s*[0-9]+/.exec(x);
            return m ? Number(m[0]) : undefined;
          };
          const pn = num(pk),
            bn = num(by);
          if (pn === undefined) throw paramError(p, "-c packet counter not numeric", at);
          if (bn === undefined) throw paramError(p, "-c byte counter not numeric", at);
          rule.counters = [pn, bn];
          break;
        }
        case "4":
          if (family === 4) break;
          if (o.restore) {
            skip = true;
            i = argv.length;
            break;
          }
          throw iptError(
            "",
            EXIT.PARAMETER,
            "iptables.wrong-family",
            at,
            "an IPv6 rule (line is for iptables)",
          );
        case "6":
          if (family === 6) break;
          if (o.restore) {
            skip = true;
            i = argv.length;
            break;
          }
          throw iptError(
            "",
            EXIT.PARAMETER,
            "iptables.wrong-family",
            at,
            "an IPv4 rule (line is for ip6tables)",
          );
        case "b":
          throw paramError(p, `unknown option "-b"`, at, "iptables.unknown-option");
        default:
          throw paramError(p, `unknown option "${tok}"`, at, "iptables.unknown-option");
      }
      invert = false;
      continue;
    }
    // extension option or unknown
    if (typeof c === "object") {
      let use = c.use;
      for (const m of matches) if (m.ext === use.ext) use = m; // earlier instances are "completed"

      const a: ParseArgs = {
        ctx,
        st: use.st,
        spec: c.spec,
        canon: canonName(use.ext, c.spec.id),
        arg: optarg,
        invert,
        at,
        valAt: optarg !== undefined && i - 1 > at ? i - 1 : at,
        peek: () => (i < argv.length ? argv[i] : undefined),
        take: () => {
          const w = argv[i]!;
          i++;
          return w;
        },
      };
      if (c.spec.unsupported)
        throw iptError(
          `routelab: option "--${c.spec.name}" of ${use.ext.name} is not modelled`,
          EXIT.PARAMETER,
          "iptables.unsupported",
          at,
          undefined,
          false,
        );
      use.ext.parse(a);
      invert = false;
      continue;
    }
    // '?' or ':' : command_default -> try the implicit protocol match
    if (protocol !== undefined && !protoUsed) {
      protoUsed = true;
      let pname = protocol;
      if (/^[0-9]+$/.test(protocol) || /^0[xX]/.test(protocol)) {
        const n = parseProtocol(protocol)!;
        pname =
          (
            {
              6: "tcp",
              17: "udp",
              1: "icmp",
              132: "sctp",
              136: "udplite",
              58: "ipv6-icmp",
              50: "esp",
              51: "ah",
              33: "dccp",
            } as Record<number, string>
          )[n] ?? "";
      }
      if (pname === "ipv6-icmp" || pname === "icmpv6") pname = "icmp6";
      if (MATCHES[pname] && familyOk(MATCHES[pname]!, family)) {
        loadMatch(pname, protoArg, true);
        i = at;
        sub = 0;
        continue;
      }
      const known = PROTO_MATCH_OPTS[pname];
      if (
        known &&
        c === "?" &&
        known.some((o) => o.startsWith(tok.replace(/^--/, "").replace(/=.*$/, "")))
      ) {
        throw iptError(
          `routelab: option "${tok}" of the ${pname} match is not modelled`,
          EXIT.PARAMETER,
          "iptables.unsupported",
          at,
          undefined,
          false,
        );
      }
    }
    if (c === ":")
      throw paramError(p, `option "${tok}" requires an argument`, at, "iptables.missing-argument");
    throw paramError(
      p,
      `unknown option "${unknownName}"`,
      at,
      "iptables.unknown-option",
      "a known option for the loaded matches/target",
    );
  }

  if (skip)
    return {
      command: "A",
      table: ctx.table,
      rule,
      srcs: [],
      dsts: [],
      matches,
      isGoto: false,
      verbose: false,
      numeric: false,
      warnings,
      skip: true,
    };

  // post-getopt checks ------------------------------------------------------------------------
  if (ctx.table === "nat" && (pc.policy === "DROP" || pc.jumpto === "DROP")) {
    throw paramError(
      p,
      '\nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.',
      pc.policy === "DROP" ? pc.policyArg : pc.jumpArg,
      "iptables.nat-drop",
    );
  }
  for (const m of matches) m.ext.final(ctx, m.st);
  if (target) target.ext.final(ctx, target.st);
  if (command === undefined)
    throw paramError(
      p,
      "no command specified",
      undefined,
      "iptables.no-command",
      "a command (-A, -I, -D, -N, ...)",
    );
  if (invert)
    throw paramError(p, "nothing appropriate following !", invertAt, "iptables.dangling-invert");

  let srcs: AddrMask[] = [],
    dsts: AddrMask[] = [];
  const isRule = RULE_CMDS.has(command);
  if (srcSpec !== undefined || isRule)
    srcs = srcSpec === undefined ? [] : parseHostMaskList(srcSpec, family, p, srcArg, o.env);
  if (dstSpec !== undefined || isRule)
    dsts = dstSpec === undefined ? [] : parseHostMaskList(dstSpec, family, p, dstArg, o.env);
  if ((srcs.length > 1 || dsts.length > 1) && (rule.srcInv || rule.dstInv)) {
    throw paramError(
      p,
      "! not allowed with multiple source or destination IP addresses",
      rule.srcInv ? srcArg : dstArg,
      "iptables.invert-multiple",
    );
  }
  if (command === "R" && (srcs.length > 1 || dsts.length > 1)) {
    throw paramError(
      p,
      "Replacement rule does not specify a unique address",
      srcs.length > 1 ? srcArg : dstArg,
      "iptables.parameter",
    );
  }
  for (const [c, allowed] of OPT_ALLOWED) {
    if (options.has(c) && !allowed.has(command) && !(c === "v")) {
      throw paramError(
        p,
        `Illegal option \`${optName(c)}' with this command`,
        undefined,
        "iptables.illegal-option",
      );
    }
  }
  if (pc.chain !== undefined && pc.chain.length >= 29) {
    throw paramError(
      p,
      `chain name \`${pc.chain}' too long (must be under 29 chars)`,
      pc.chainArg,
      "iptables.bad-chain-name",
      "at most 28 characters",
    );
  }
  if (isRule && pc.chain !== undefined) {
    if ((pc.chain === "PREROUTING" || pc.chain === "INPUT") && options.has("o"))
      throw paramError(
        p,
        `Can't use -o with ${pc.chain}`,
        pc.chainArg,
        "iptables.bad-interface-direction",
      );
    if ((pc.chain === "POSTROUTING" || pc.chain === "OUTPUT") && options.has("i"))
      throw paramError(
        p,
        `Can't use -i with ${pc.chain}`,
        pc.chainArg,
        "iptables.bad-interface-direction",
      );
  }
  return {
    command,
    table: ctx.table,
    ...(pc.tableArg !== undefined ? { tableArg: pc.tableArg } : {}),
    ...(pc.chain !== undefined ? { chain: pc.chain, chainArg: pc.chainArg! } : {}),
    ...(pc.rulenum !== undefined ? { rulenum: pc.rulenum } : {}),
    ...(pc.newname !== undefined ? { newname: pc.newname } : {}),
    ...(pc.policy !== undefined ? { policy: pc.policy, policyArg: pc.policyArg! } : {}),
    rule,
    srcs,
    dsts,
    matches,
    ...(target ? { target } : {}),
    ...(pc.jumpto !== undefined ? { jumpto: pc.jumpto, jumpArg: pc.jumpArg! } : {}),
    isGoto: pc.isGoto,
    verbose: options.has("v"),
    numeric: options.has("n"),
    warnings,
  };
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
