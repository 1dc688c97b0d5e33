/**
 * nftables ruleset model: tables, chains, sets and rules in the canonical (post
 * round-trip) form `nft list ruleset` prints. Text, argv and JSON loaders all build
 * this; the printer and the evaluator read it.
 * @module
 */
import type { SourceLoc } from "../../core/loc.js";
import type { Hook } from "../types.js";

export type NftFamily = "ip" | "ip6" | "inet" | "arp" | "bridge" | "netdev";
export const NFT_FAMILIES: readonly NftFamily[] = ["ip", "ip6", "inet", "arp", "bridge", "netdev"];

/** Datatypes nft knows for the expressions we model. */
export type DType =
  | "ipv4_addr"
  | "ipv6_addr"
  | "inet_service"
  | "mark"
  | "inet_proto"
  | "ct_state"
  | "ct_dir"
  | "uid"
  | "gid"
  | "ifname"
  | "iface_index"
  | "nf_proto"
  | "fib_addrtype"
  | "boolean"
  | "integer"
  | "verdict"
  | "ether_addr"
  | "ct_status"
  | "tcp_flag"
  | "icmp_type"
  | "icmpv6_type"
  | "pkttype"
  | "dscp"
  | "string";

/** A typed constant. v4 addresses are uint32 numbers, v6 bigints, strings for ifname. */
export interface Const {
  k: "const";
  type: DType;
  v: number | bigint | string;
}
export interface PrefixE {
  k: "prefix";
  base: Const;
  len: number;
}
export interface RangeE {
  k: "range";
  lo: Const;
  hi: Const;
}
export interface ConcatE {
  k: "concat";
  items: Expr[];
}
export interface SetE {
  k: "set";
  elems: Expr[];
}
export interface SetRef {
  k: "setref";
  name: string;
}
export interface Mapping {
  k: "mapping";
  key: Expr;
  value: Expr;
}
export interface VerdictE {
  k: "verdict";
  v: VerdictKind;
  target?: string;
}
export interface PayloadE {
  k: "payload";
  proto: string;
  field: string;
}
export interface MetaE {
  k: "meta";
  key: string;
}
export interface CtE {
  k: "ct";
  key: string;
  dir?: "original" | "reply";
}
export interface FibE {
  k: "fib";
  flags: string[];
  result: "oif" | "oifname" | "type";
}
export interface SocketE {
  k: "socket";
  key: "transparent" | "wildcard" | "mark";
}
export interface BinopE {
  k: "binop";
  op: "&" | "|" | "^" | "<<" | ">>";
  left: Expr;
  right: Expr;
}
/** `KEY map { k : v, ... }` / `KEY map @m`: the value the key maps to (nft_lookup with data). */
export interface MapE {
  k: "map";
  key: Expr;
  map: SetE | SetRef;
}
/** ct state-style flag list (bitmask values to OR). */
export interface FlagList {
  k: "flags";
  type: DType;
  v: number[];
}

export type Expr =
  | Const
  | PrefixE
  | RangeE
  | ConcatE
  | SetE
  | SetRef
  | Mapping
  | VerdictE
  | PayloadE
  | MetaE
  | CtE
  | FibE
  | SocketE
  | BinopE
  | MapE
  | FlagList;

export type VerdictKind = "accept" | "drop" | "continue" | "return" | "jump" | "goto" | "queue";

export type MatchOp = "==" | "!=" | "<" | ">" | "<=" | ">=" | "implicit";

export type Stmt =
  | { k: "match"; left: Expr; op: MatchOp; right: Expr }
  | { k: "mangle"; key: MetaE | CtE | PayloadE; value: Expr }
  | { k: "verdict"; v: VerdictKind; target?: string }
  | { k: "counter"; packets: number; bytes: number }
  | { k: "log"; prefix?: string; level?: string; group?: number; flags?: string[] }
  | { k: "limit"; rate: number; per: string; over: boolean; burst?: number; bytes?: string }
  | {
      k: "nat";
      type: "dnat" | "snat" | "masquerade" | "redirect";
      family?: "ip" | "ip6";
      addr?: Expr;
      port?: Expr;
      flags?: string[];
    }
  | { k: "tproxy"; family?: "ip" | "ip6"; addr?: Const; port?: number }
  | { k: "reject"; type?: "icmp" | "icmpv6" | "icmpx" | "tcp reset"; code?: string }
  | { k: "notrack" }
  | { k: "vmap"; key: Expr; map: SetE | SetRef }
  /** `ct helper set NAME|MAP` (nft_objref): the flow gets the table's ct helper object. */
  | { k: "cthelper"; value: Expr }
  | { k: "queue"; num: number; flags?: string[] };

export interface NftRule {
  handle: number;
  stmts: Stmt[];
  comment?: string;
  loc?: SourceLoc;
}

export interface BaseSpec {
  type: "filter" | "nat" | "route";
  hook: string;
  prio: number;
  policy: "accept" | "drop";
  device?: string;
}

export interface NftChain {
  name: string;
  handle: number;
  base?: BaseSpec;
  rules: NftRule[];
  comment?: string;
  loc?: SourceLoc;
}

export interface NftSet {
  name: string;
  handle: number;
  map: boolean;
  /** `type` key datatypes (concatenation when more than one). */
  keyType: DType[];
  /** `typeof` text when declared with typeof (printed verbatim). */
  typeofText?: string;
  dataType?: DType;
  flags: string[];
  autoMerge: boolean;
  elems: Expr[];
  size?: number;
  timeout?: string;
  counter?: boolean;
  comment?: string;
  policy?: string;
}

/**
 * A `ct helper` object (nft_ct_helper_obj): the conntrack helper `ct helper set` assigns. It
 * changes what conntrack expects (related flows), never a route.
 */
export interface NftCtHelper {
  name: string;
  handle: number;
  /** `type "ftp"`: the kernel helper's name. */
  helper: string;
  /** `protocol tcp|udp`. */
  l4proto: "tcp" | "udp";
  /** `l3proto`: the table's family unless given (nft_ct_helper_obj_init). */
  l3proto: NftFamily;
}

export interface NftTable {
  family: NftFamily;
  name: string;
  handle: number;
  chains: NftChain[];
  sets: NftSet[];
  /** Stateful objects: `ct helper`s, in the order they were added. */
  objs?: NftCtHelper[];
  flags: string[];
  comment?: string;
  /** Per-table object handle generator (chains, sets, rules share it). */
  nextHandle: number;
  /**
   * A table another tool manages (iptables-nft's `ip filter` in a captured ruleset): kept as
   * `nft list ruleset` printed it, never evaluated here (the iptables model evaluates it).
   */
  verbatim?: string;
}

export interface NftRuleset {
  tables: NftTable[];
  /** Per-netns table handle generator; never reset, not even by `flush ruleset`. */
  tableHandle: number;
}

export function createNftRuleset(): NftRuleset {
  return { tables: [], tableHandle: 0 };
}

/** Hook numbers by name for families that run on the IP path. */
export const IP_HOOKS: readonly Hook[] = [
  "prerouting",
  "input",
  "forward",
  "output",
  "postrouting",
];
