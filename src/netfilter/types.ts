/**
 * Shared netfilter vocabulary for the iptables and nftables front-ends: the packet a hook
 * sees, the context the journey engine gives, and what evaluating a base chain returns.
 * Both front-ends compile to their own rule representations but evaluate through this
 * interface, so the journey engine (hook order, re-routing) is written once.
 * @module
 */
import type { Addr } from "../addr/ip.js";
import type { Family } from "../core/kinds.js";
import type { SourceLoc } from "../core/loc.js";
import type { NfSymView } from "./symbolic.js";

export type Hook = "prerouting" | "input" | "forward" | "output" | "postrouting";

/** Conntrack state of the packet's flow as netfilter classifies it. */
export type CtState = "new" | "established" | "related" | "invalid" | "untracked";

/** The packet as a hook sees it (skb fields netfilter can read or write). */
export interface NfPacket {
  family: Family;
  saddr: Addr;
  daddr: Addr;
  /** IPPROTO_*: 6 tcp, 17 udp, 1 icmp, 58 icmpv6. */
  ipproto: number;
  sport: number;
  dport: number;
  /** skb->mark */
  mark: number;
  /** IPv4 tos / IPv6 traffic class. */
  tos: number;
  /**
   * IPv6 hop limit (`-m hl`, `-j HL`); undefined: what a local socket sends (64, or 255 for
   * neighbour discovery; see iptables/match/hl.ts hopLimit).
   */
  hoplimit?: number;
  /** Ingress device name ("" when none, e.g. OUTPUT). */
  iifname: string;
  /** Egress device name ("" before routing). */
  oifname: string;
  /** Socket owner for locally generated packets (undefined: no socket, e.g. forwarded). */
  skuid?: number;
  skgid?: number;
  /** Whether a local socket would match this packet (for -m socket / TPROXY). */
  socketExists?: boolean;
  /** That socket has IP_TRANSPARENT (`-m socket --transparent`); undefined = assume yes. */
  socketTransparent?: boolean;
  /** That socket's SO_MARK (`-m socket --restore-skmark`); undefined = leave the mark. */
  socketMark?: number;
  /**
   * TCP header flags (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20);
   * undefined = SYN for ctstate new, else ACK.
   */
  tcpFlags?: number;
  /** ICMP / ICMPv6 type and code (`-m icmp --icmp-type`); undefined: unknown, matches fail. */
  icmpType?: number;
  icmpCode?: number;
  /**
   * The flow's conntrack entry was source / destination NATed (IPS_SRC_NAT / IPS_DST_NAT;
   * `--ctstate SNAT,DNAT`).
   */
  ctSnat?: boolean;
  ctDnat?: boolean;
  /** Conntrack: state, ct mark, direction. */
  ctstate: CtState;
  ctmark: number;
  ctdir: "original" | "reply";
}

/** Lookups the rule evaluators need from the host (addrtype / fib expressions). */
export interface NfHostView {
  /**
   * RTN_* type name of `addr` as the local table sees it (`local`, `broadcast`, `unicast`,
   * ...); dev restricts to a device (limit-iface).
   */
  addrType(addr: Addr, dev?: string): string;
  /** ifindex -> name and name -> exists. */
  linkExists(name: string): boolean;
  /**
   * Optional FIB lookup for nft `fib ... oif|oifname` (rpf checks such as
   * `fib saddr . iif oif missing`):
   * route `daddr` (with `saddr`, `mark`, restricted to `oif` when set) and return the output
   * device name, or undefined when there is no usable route. Without it those expressions
   * are evaluated as "route exists".
   */
  fibLookup?(q: {
    family: Family;
    daddr: Addr;
    saddr?: Addr;
    mark?: number;
    iif?: string;
    oif?: string;
  }): string | undefined;
  /**
   * Optional: does a socket exist for an nft `tproxy` redirect to addr:port (addr undefined =
   * the packet's destination address)? Without it `pkt.socketExists ?? true` decides.
   */
  tproxySocket?(pkt: NfPacket, addr: Addr | undefined, port: number): boolean;
}

/** Terminal outcome of a base chain. */
export type NfVerdict =
  | { kind: "accept" }
  | { kind: "drop"; reason: string }
  | { kind: "reject"; with: string }
  /**
   * NAT targets: the new address/port; `masquerade` picks the oif's primary address in the
   * journey engine.
   */
  | { kind: "dnat"; addr?: Addr; port?: number }
  | { kind: "snat"; addr?: Addr; port?: number }
  | { kind: "masquerade"; port?: number }
  | { kind: "redirect"; port?: number }
  /** TPROXY: mark already applied to the packet; the journey decides socket found or not. */
  | { kind: "tproxy"; addr?: Addr; port: number }
  | { kind: "queue"; num: number };

/** One rule evaluated while walking chains. */
export interface NfStep {
  /** e.g. "ip mangle OUTPUT" for iptables-nft, "inet fw4 prerouting" for nft. */
  table: string;
  chain: string;
  /** 1-based rule position within the chain; 0 for the policy. */
  ruleIndex: number;
  /** The rule as `iptables-save` / `nft list` prints it. */
  text: string;
  matched: boolean;
  /** What the rule did when it matched: "MARK set 0x81", "jump CLASH", "return", "accept". */
  effect?: string;
  markBefore?: number;
  markAfter?: number;
  loc?: SourceLoc;
}

/** Result of running every rule of one base chain on a packet. */
export interface NfChainResult {
  verdict: NfVerdict;
  packet: NfPacket;
  steps: NfStep[];
}

/** A base chain registered at a hook, from either front-end, ordered by priority. */
export interface NfBaseChain {
  family: "ip" | "ip6" | "inet" | "arp" | "bridge" | "netdev";
  /** Table name as the trace prints it (`mangle`, `wg-quick-wg0`). */
  table: string;
  chain: string;
  hook: Hook;
  priority: number;
  /**
   * `filter` | `nat` | `route` (only `route` chains in output trigger a re-route; iptables
   * mangle OUTPUT is `route`).
   */
  type: "filter" | "nat" | "route";
  /** Whether any rule here needs conntrack (enables nat chains, E56). */
  needsConntrack: boolean;
  evaluate(pkt: NfPacket, host: NfHostView): NfChainResult;
  /**
   * The chain's rules as plain data for the whole-space analysis (./symbolic.ts), read at
   * call time; absent when the front-end has none (the analysis then refuses the chain).
   */
  symbolic?(): NfSymView;
}
