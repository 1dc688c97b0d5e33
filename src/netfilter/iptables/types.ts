/**
 * The iptables model: per family, the tables that exist in the kernel (iptables-nft
 * creates a table, and each built-in chain, on first use), their chains and rules, plus
 * the ipsets `-m set` refers to.
 * @module
 */
import type { Family } from "../../addr/ip.js";
import type { SourceLoc } from "../../core/loc.js";
import type { Hook, NfHostView, NfPacket } from "../types.js";
import type { AddrMask, IptEnv, Prog } from "./util.js";

export type TableName = "raw" | "mangle" | "nat" | "filter" | "security";

/** iptables-save prints existing tables in this order (nft.c enum nft_table_type). */
export const TABLE_ORDER: readonly TableName[] = ["mangle", "security", "raw", "filter", "nat"];

/** Built-in chains per table, in iptables-save order, with their hooks. */
export const BUILTIN_CHAINS: Record<TableName, ReadonlyArray<[string, Hook]>> = {
  filter: [
    ["INPUT", "input"],
    ["FORWARD", "forward"],
    ["OUTPUT", "output"],
  ],
  mangle: [
    ["PREROUTING", "prerouting"],
    ["INPUT", "input"],
    ["FORWARD", "forward"],
    ["OUTPUT", "output"],
    ["POSTROUTING", "postrouting"],
  ],
  nat: [
    ["PREROUTING", "prerouting"],
    ["INPUT", "input"],
    ["OUTPUT", "output"],
    ["POSTROUTING", "postrouting"],
  ],
  raw: [
    ["PREROUTING", "prerouting"],
    ["OUTPUT", "output"],
  ],
  security: [
    ["INPUT", "input"],
    ["FORWARD", "forward"],
    ["OUTPUT", "output"],
  ],
};

/** Hook bits (NF_INET_*). */
export const HOOK_BIT: Record<Hook, number> = {
  prerouting: 1,
  input: 2,
  forward: 4,
  output: 8,
  postrouting: 16,
};

export interface ExtInstance {
  /** Extension name as printed after -m / -j. */
  name: string;
  /** Parsed, normalized data (extension-specific, JSON-serialisable). */
  data: Record<string, unknown>;
}

export type IptTarget =
  | { kind: "none" }
  | { kind: "verdict"; verdict: "ACCEPT" | "DROP" | "RETURN" }
  | { kind: "jump"; chain: string }
  | { kind: "goto"; chain: string }
  | { kind: "ext"; ext: ExtInstance };

export interface IptRule {
  src?: AddrMask;
  srcInv: boolean;
  dst?: AddrMask;
  dstInv: boolean;
  iif?: string;
  iifInv: boolean;
  oif?: string;
  oifInv: boolean;
  /** 0 = any (not printed). */
  proto: number;
  protoInv: boolean;
  /** `-f` (v4 only): matches non-first fragments. */
  frag: boolean;
  fragInv: boolean;
  matches: ExtInstance[];
  target: IptTarget;
  /** `-c PKTS BYTES` given on the command line (iptables-save -c prints them). */
  counters?: [number, number];
  loc?: SourceLoc;
}

export interface IptChain {
  name: string;
  builtin: boolean;
  hook?: Hook;
  policy: "ACCEPT" | "DROP";
  /** Built-in chains: whether iptables-nft created the nft base chain (only those are hooked). */
  created: boolean;
  rules: IptRule[];
}

export interface IptTable {
  name: TableName;
  /** Chains by name; built-ins always present (created or not), user chains as added. */
  chains: Map<string, IptChain>;
}

export interface IpsetEntry {
  addr: AddrMask /** hash:ip,port etc. not modelled */;
}
export interface Ipset {
  name: string;
  type: "hash:ip" | "hash:net";
  family: Family;
  entries: AddrMask[];
}

export interface IptFamilyState {
  family: Family;
  /** Existing tables only. */
  tables: Map<TableName, IptTable>;
}

/** Everything `iptables`/`ip6tables`/`ipset` commands changed on one host. */
export interface IptablesRuleset {
  v4: IptFamilyState;
  v6: IptFamilyState;
  ipsets: Map<string, Ipset>;
  env?: IptEnv;
}

/** Context handed to extension parsers. */
export interface ParseCtx {
  prog: Prog;
  family: Family;
  table: string;
  ruleset: IptablesRuleset;
  /** The rule built so far (proto known once -p was seen). */
  rule: IptRule;
  protoGiven: boolean;
  env?: IptEnv;
  warnings: string[];
}

export interface EvalCtx {
  host: NfHostView;
  ruleset: IptablesRuleset;
  family: Family;
}

/** Create an empty ruleset (a fresh network namespace). */
export function createIptablesRuleset(env?: IptEnv): IptablesRuleset {
  const rs: IptablesRuleset = {
    v4: { family: 4, tables: new Map() },
    v6: { family: 6, tables: new Map() },
    ipsets: new Map(),
  };
  if (env) rs.env = env;
  return rs;
}

export function emptyRule(): IptRule {
  return {
    srcInv: false,
    dstInv: false,
    iifInv: false,
    oifInv: false,
    proto: 0,
    protoInv: false,
    frag: false,
    fragInv: false,
    matches: [],
    target: { kind: "none" },
  };
}

export type { NfPacket };
