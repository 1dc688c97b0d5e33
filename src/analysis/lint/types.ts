/**
 * What a lint reports, and the helpers every lint shares: the packets a finding is about as
 * a class description and a representative `route get` packet with its outcome.
 * @module
 */
import type { Addr } from "../../addr/ip.js";
import { and } from "../bdd/apply.js";
import { type Bdd, FALSE } from "../bdd/arena.js";
import { evaluate } from "../bdd/sat.js";
import type { Analysis } from "../classes.js";
import { describeOutcome, describeSet, packetWords, representative } from "../describe.js";
import { encode, type HeaderPacket } from "../header.js";
import type { Outcome } from "../outcome.js";

/** How bad a finding is: `error` breaks traffic, `warning` may, `info` is a smell. */
export type LintSeverity = "error" | "warning" | "info";

/** The packets a finding is about. */
export interface LintPackets {
  readonly family: 4 | 6;
  /** The class description ("uid = 129, dst ∉ {198.18.0.0/16}"); "" for the whole family. */
  readonly description: string;
  /** The representative as `ip route get` arguments. */
  readonly representative: readonly string[];
  /** The representative's outcome in words. */
  readonly outcome?: string;
  /** The representative itself (for cross-checks). */
  readonly packet: HeaderPacket;
}

/** One finding. */
export interface Finding {
  /** Stable id of the lint ("rule-shadowed", "loop-tunnel-mark"…). */
  readonly id: string;
  readonly severity: LintSeverity;
  readonly message: string;
  readonly packets?: LintPackets;
  /** What to change. */
  readonly fix: string;
}

/** Options of `routelab lint`. */
export interface LintOptions {
  /** `--ssh-peer ADDR`: the remote end of a login whose replies must keep their path. */
  readonly sshPeer?: Addr;
}

/** What a lint reads. */
export interface LintCtx {
  readonly a: Analysis;
  readonly opts: LintOptions;
}

/** A lint: the findings on one host. */
export type Lint = (c: LintCtx) => Finding[];

/** The outcome of one packet (the class containing it). */
export function outcomeOf(a: Analysis, p: HeaderPacket): Outcome | undefined {
  const bits = encode(p);
  return a.outcomes([p.family]).find((o) => evaluate(a.m, o.pred, bits))?.outcome;
}

/** The packets of `f` (within family `family`) as a finding shows them; undefined if empty. */
export function packetsOf(a: Analysis, f: Bdd, family: 4 | 6): LintPackets | undefined {
  const p = and(a.m, f, a.universe(family));
  if (p === FALSE) return undefined;
  const rep = representative(a.m, a.askable(p, family)) ?? representative(a.m, p);
  if (!rep) return undefined;
  const o = outcomeOf(a, rep);
  return {
    family,
    description: describeSet(a.m, p, a.universe(family), family),
    representative: packetWords(rep),
    ...(o ? { outcome: describeOutcome(a.s, o) } : {}),
    packet: rep,
  };
}
