/**
 * Extension interface (matches `-m NAME` and targets `-j NAME`) plus the helpers that
 * reproduce libxtables' x6 option checks and their wording.
 * @module
 */
import type { Family } from "../../addr/ip.js";
import type { NfPacket, NfVerdict } from "../types.js";
import type { EvalCtx, IptRule, ParseCtx } from "./types.js";
import { paramError } from "./util.js";

export interface OptSpec {
  name: string;
  id: number;
  arg: boolean;
  /** XTOPT_INVERT */
  inv?: boolean;
  /** XTOPT_MULTI (may be given more than once). */
  multi?: boolean;
  /** Old-style extensions check duplicates themselves. */
  noX6?: boolean;
  /** Accepted by iptables but not modelled here: rejected with iptables.unsupported. */
  unsupported?: boolean;
}

export interface ExtState {
  data: Record<string, unknown>;
  /** Bitmask of option ids seen (xflags). */
  flags: number;
  /** argv index of the `-m NAME` / `-j NAME` (or the option that loaded it implicitly). */
  argIndex: number;
}

export interface ParseArgs {
  ctx: ParseCtx;
  st: ExtState;
  spec: OptSpec;
  /** Canonical option name (first entry with that id) as x6 messages print it. */
  canon: string;
  arg: string | undefined;
  invert: boolean;
  /** argv index of the option word. */
  at: number;
  /** argv index of the option's value (the option word itself for `--opt=value` or no value). */
  valAt: number;
  /** Peek/consume the next argv word (xs_has_arg-style extra arguments). */
  peek(): string | undefined;
  take(): string;
}

/** Kernel-side restrictions (xt_check_match/target) and checkentry. */
export interface KernelSpec {
  /** Allowed hooks bitmask (HOOK_BIT); undefined = any. */
  hooks?: number;
  table?: string;
  /** Required rule protocol (not inverted). */
  proto?: number;
  /**
   * checkentry; hookMask is the chain's hook when added to a base chain, else 0. Returns
   * an errno name.
   */
  check?(
    data: Record<string, unknown>,
    rule: IptRule,
    hookMask: number,
    family: Family,
  ): "EINVAL" | "ENOENT" | undefined;
  /** What `check` enforces, for the Issue's `expected`. */
  reason?: string;
}

interface ExtCommon {
  name: string;
  families?: Family[];
  opts: OptSpec[];
  init(ctx: ParseCtx): Record<string, unknown>;
  parse(a: ParseArgs): void;
  final(ctx: ParseCtx, st: ExtState): void;
  /** The text after `-m NAME` / `-j NAME` as iptables-save prints it (leading space). */
  save(data: Record<string, unknown>, family: Family): string;
  kernel?: KernelSpec;
  /** Whether using it enables conntrack in the netns. */
  conntrack?: boolean;
  /**
   * Rule-build-time hook (iptables-nft translation): may throw userspace errors, or
   * return false to say the match vanishes from the rule (nft translated it away).
   */
  build?(ctx: ParseCtx, st: ExtState): boolean | void;
}

export interface MatchExt extends ExtCommon {
  kind: "match";
  match(data: Record<string, unknown>, pkt: NfPacket, ectx: EvalCtx): boolean;
}

export interface TargetResult {
  /** Terminal verdict; undefined = continue with the next rule. */
  verdict?: NfVerdict;
  effect: string;
}

export interface TargetExt extends ExtCommon {
  kind: "target";
  /** Applies the target; may mutate `pkt` (mark, ctmark). */
  apply(data: Record<string, unknown>, pkt: NfPacket, ectx: EvalCtx): TargetResult;
}

export type Ext = MatchExt | TargetExt;

/** First option entry per id: x6 messages use that name. */
export function canonName(ext: Ext, id: number): string {
  for (const o of ext.opts) if (o.id === id) return o.name;
  return "?";
}

/** xtables_option_parse's generic checks. */
export function x6Check(a: ParseArgs, extName: string): void {
  const bit = 1 << a.spec.id;
  if (!a.spec.multi && a.st.flags & bit)
    throw paramError(
      a.ctx.prog,
      `${extName}: option "--${a.canon}" can only be used once.`,
      a.at,
      "iptables.duplicate-option",
    );
  if (a.invert && !a.spec.inv)
    throw paramError(
      a.ctx.prog,
      `${extName}: option "--${a.canon}" cannot be inverted.`,
      a.at,
      "iptables.cannot-invert",
    );
  a.st.flags |= bit;
}

/** xtables_options_fcheck: mandatory options and exclusions ([id, name, exclMask]). */
export function x6Final(
  ctx: ParseCtx,
  st: ExtState,
  extName: string,
  table: Array<{ id: number; name: string; excl?: number; mand?: boolean; also?: number }>,
): void {
  for (const e of table) {
    if (e.mand && !(st.flags & (1 << e.id)))
      throw paramError(
        ctx.prog,
        `${extName}: option "--${e.name}" must be specified`,
        st.argIndex,
        "iptables.missing-option",
      );
    if (!(st.flags & (1 << e.id))) continue;
    for (const o of table) {
      if (o.id === e.id) continue;
      if (e.also !== undefined && e.also & (1 << o.id) && !(st.flags & (1 << o.id))) {
        throw paramError(
          ctx.prog,
          `${extName}: option "--${e.name}" also requires "--${o.name}".`,
          st.argIndex,
          "iptables.missing-option",
        );
      }
      if (e.excl !== undefined && e.excl & (1 << o.id) && st.flags & (1 << o.id)) {
        throw paramError(
          ctx.prog,
          `${extName}: option "--${e.name}" cannot be used together with "--${o.name}".`,
          st.argIndex,
          "iptables.conflicting-options",
        );
      }
    }
  }
}

/** Names iptables knows as extensions but this model does not implement. */
export const KNOWN_UNSUPPORTED_MATCHES = new Set([
  "ah",
  "bpf",
  "cgroup",
  "cluster",
  "connbytes",
  "connlabel",
  "connlimit",
  "cpu",
  "dccp",
  "devgroup",
  "dscp",
  "dst",
  "ecn",
  "esp",
  "eui64",
  "frag",
  "hashlimit",
  "hbh",
  "helper",
  "ipcomp",
  "ipv6header",
  "ipvs",
  "length",
  "mac",
  "mh",
  "nfacct",
  "osf",
  "physdev",
  "policy",
  "quota",
  "rateest",
  "realm",
  "recent",
  "sctp",
  "srh",
  "string",
  "tcpmss",
  "time",
  "tos",
  "ttl",
  "u32",
  "udplite",
]);
export const KNOWN_UNSUPPORTED_TARGETS = new Set([
  "AUDIT",
  "CHECKSUM",
  "CLASSIFY",
  "CLUSTERIP",
  "CONNSECMARK",
  "DNPT",
  "DSCP",
  "ECN",
  "HMARK",
  "IDLETIMER",
  "LED",
  "NETMAP",
  "RATEEST",
  "SECMARK",
  "SET",
  "SNPT",
  "SYNPROXY",
  "TCPOPTSTRIP",
  "TEE",
  "TOS",
  "TTL",
  "ULOG",
  "QUEUE",
]);
