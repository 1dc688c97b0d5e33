/**
 * A front-end-neutral, plain-data view of a base chain's rules for the whole-space analysis
 * (src/analysis/netfilter/): what each rule tests and writes, in the terms the analysis can
 * compile to packet sets (addresses, ports, protocol, marks, conntrack state, socket owner,
 * device names) and mark transformers. The iptables and nft front-ends build it from their
 * own rule structures next to `evaluate`; anything they cannot express here becomes an
 * `unknown` item naming what it is, so the analysis can say which rule it does not model
 * instead of guessing.
 * @module
 */
import type { Addr } from "../addr/ip.js";
import type { SourceLoc } from "../core/loc.js";

/** Conntrack states (types.ts's CtState, repeated here: types.ts imports this module). */
export type NfSymCtState = "new" | "established" | "related" | "invalid" | "untracked";

/** An address set item: `addr/mask` (any mask, as iptables allows) or an inclusive range. */
export type NfSymAddr = { addr: Addr; mask: Addr } | { lo: Addr; hi: Addr };

/** A test a rule makes; `inv` negates it. */
export type NfSymMatch =
  | { kind: "addr"; field: "saddr" | "daddr"; items: readonly NfSymAddr[]; inv: boolean }
  /**
   * Device names; a trailing `+` (iptables) or `*` (nft) is a prefix wildcard.
   * `breakOnEmpty`: without a device the test fails whatever `inv` says (nft).
   */
  | {
      kind: "iface";
      field: "iif" | "oif";
      names: readonly string[];
      inv: boolean;
      breakOnEmpty?: boolean;
    }
  /** The packet is of this family (nft `ip …` on an IPv6 packet breaks; `meta nfproto`). */
  | { kind: "family"; family: 4 | 6; inv: boolean }
  | { kind: "proto"; protos: readonly number[]; inv: boolean }
  /** `field: "any"`: sport or dport in the ranges (multiport --ports). */
  | {
      kind: "port";
      field: "sport" | "dport" | "any";
      ranges: readonly (readonly [number, number])[];
      inv: boolean;
    }
  /** (field & mask) === value. */
  | { kind: "bits"; field: "mark" | "ctmark"; value: number; mask: number; inv: boolean }
  | { kind: "ctstate"; states: readonly NfSymCtState[]; inv: boolean }
  /**
   * The socket owner's uid/gid in the ranges; `noSocket` is the test's result for a packet
   * without a socket (xt_owner and nft `meta skuid` differ there).
   */
  | {
      kind: "owner";
      field: "uid" | "gid";
      ranges: readonly (readonly [number, number])[];
      inv: boolean;
      noSocket: boolean;
    }
  /** Decided without looking at the packet (a comment, a match on every value). */
  | { kind: "const"; value: boolean }
  | { kind: "unknown"; what: string };

/**
 * A mark write: `dst = (dst & keep) ^ (src & take) ^ xor` (bitwise, 32 bits). It covers
 * MARK --set-xmark/--and/--or/--xor, CONNMARK --set-xmark/--save-mark/--restore-mark
 * (xt_CONNMARK's connmark_tg) and nft `meta mark set` / `ct mark set` of a constant or of
 * `meta mark` / `ct mark` through & | ^ with constants.
 */
export interface NfSymMarkOp {
  readonly kind: "mark";
  readonly dst: "mark" | "ctmark";
  readonly keep: number;
  readonly src: "mark" | "ctmark";
  readonly take: number;
  readonly xor: number;
}

/** A rule's statements in order (a failed match ends the rule), then its verdict. */
export type NfSymStmt = NfSymMatch | NfSymMarkOp;

export type NfSymVerdict =
  | { kind: "continue" | "accept" | "drop" | "reject" | "return" }
  | { kind: "jump" | "goto"; chain: string }
  /** A NAT target (SNAT/MASQUERADE/DNAT/REDIRECT, nft snat/masquerade/dnat/redirect). */
  | { kind: "nat"; type: NfSymNat; what: string }
  | { kind: "unknown"; what: string };

/** What a NAT verdict rewrites: the source (snat, masquerade) or the destination. */
export type NfSymNat = "snat" | "masquerade" | "dnat" | "redirect";

export interface NfSymRule {
  /** 1-based position in its chain (as the trace numbers rules). */
  readonly index: number;
  /** The rule as iptables-save / nft list prints it. */
  readonly text: string;
  readonly loc?: SourceLoc;
  readonly stmts: readonly NfSymStmt[];
  readonly verdict: NfSymVerdict;
}

export interface NfSymChain {
  readonly name: string;
  readonly rules: readonly NfSymRule[];
}

/** The chains reachable from one base chain, and the base chain's policy. */
export interface NfSymView {
  readonly base: string;
  readonly policy: "accept" | "drop";
  readonly chains: ReadonlyMap<string, NfSymChain>;
}
