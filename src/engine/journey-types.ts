/**
 * The records of a packet journey (engine/journey.ts): the question, each step and the
 * final verdict. A leaf of the engine, so the netfilter walker (engine/nfwalk.ts) and the
 * journey import it without importing each other.
 * @module
 */
import type { Addr } from "../addr/ip.js";
import type { Family } from "../core/kinds.js";
import type { Hook } from "../netfilter/types.js";
import type { RouteQuery } from "./route.js";
import type { Decision } from "./types.js";

/** The packet a user asks about (`routelab trace ...`). */
export interface JourneyQuery {
  family: Family;
  dst: Addr;
  /** Bound source (local) or the packet's source (forwarded, with iif). */
  from?: Addr;
  /** Ingress device: the packet arrives from outside (forwarded or for local delivery). */
  iif?: string;
  /** SO_BINDTODEVICE of the sending socket. */
  oif?: string;
  uid?: number;
  gid?: number;
  /** SO_MARK of the sending socket, or the skb mark of an arriving packet. */
  mark?: number;
  ipproto: number;
  sport?: number;
  dport?: number;
  tos?: number;
  /** Trace the reply of this flow instead of the packet itself. */
  reply?: boolean;
}

export type JourneyVerdict = "sent" | "delivered" | "dropped" | "error";

/** One step of the journey. */
export type JourneyStep =
  | {
      kind: "hook";
      hook: Hook;
      iif?: string;
      oif?: string;
      mark: number;
      saddr: string;
      daddr: string;
    }
  | {
      kind: "rule";
      hook: Hook;
      family: string;
      table: string;
      chain: string;
      rule: number;
      text: string;
      matched: boolean;
      verdict: string;
      markBefore?: number;
      markAfter?: number;
    }
  | {
      kind: "route";
      stage: "socket" | "connect" | "reroute" | "input";
      decision: Decision;
      query: RouteQuery;
    }
  | { kind: "nat"; what: string; saddr: string; daddr: string; sport: number; dport: number }
  | { kind: "conntrack"; text: string }
  | { kind: "note"; text: string };

export interface JourneyFinal {
  verdict: JourneyVerdict;
  iif?: string | null;
  oif: string | null;
  gateway: string | null;
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
  mark: number;
  ctmark: number;
  reason?: string;
  error?: string;
}

export interface JourneyResult {
  query: JourneyQuery;
  final: JourneyFinal;
  trace: JourneyStep[];
  original?: JourneyResult;
}

/** A socket listening on the host (`--listen udp 127.0.0.1 12345 transparent`). */
export interface ListenSpec {
  proto: "udp" | "tcp";
  addr: Addr;
  port: number;
  transparent: boolean;
}

/** What the journey needs beyond the host and its rulesets. */
export interface JourneyEnv {
  /**
   * Sockets listening on the host; undefined = assume the proxy a TPROXY rule points at is
   * listening.
   */
  listens?: readonly ListenSpec[];
}
