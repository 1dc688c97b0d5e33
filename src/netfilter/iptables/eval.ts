/**
 * Evaluation: each created built-in chain becomes an NfBaseChain that walks its rules
 * top-down with -j/-g/RETURN semantics (kernel-semantics §6.2), applies non-terminating
 * targets and returns the terminal verdict (the policy at the end of a built-in chain).
 * @module
 */
import type { Family } from "../../addr/ip.js";
import type {
  Hook,
  NfBaseChain,
  NfChainResult,
  NfHostView,
  NfPacket,
  NfStep,
  NfVerdict,
} from "../types.js";
import { MATCHES } from "./matches.js";
import { ruleLine } from "./save.js";
import { iptablesSymbolic } from "./symbolic.js";
import { TARGETS } from "./targets.js";
import type { EvalCtx, IptablesRuleset, IptChain, IptRule, IptTable, TableName } from "./types.js";
import { BUILTIN_CHAINS, TABLE_ORDER } from "./types.js";
import { addrInMask, hex, ifaceMatches } from "./util.js";

/** Hook priorities of iptables-nft base chains (§6.1; security registers at 150). */
export function iptablesPriority(table: TableName, hook: Hook): number {
  switch (table) {
    case "raw":
      return -300;
    case "mangle":
      return -150;
    case "filter":
      return 0;
    case "security":
      return 150;
    case "nat":
      return hook === "prerouting" || hook === "output" ? -100 : 100;
  }
}

/** Does the rule's fixed part (-s -d -i -o -p -f) and every match accept the packet? */
export function ruleMatches(r: IptRule, pkt: NfPacket, ectx: EvalCtx): boolean {
  if (r.src && addrInMask(pkt.saddr, r.src) === r.srcInv) return false;
  if (r.dst && addrInMask(pkt.daddr, r.dst) === r.dstInv) return false;
  if (r.iif !== undefined && ifaceMatches(r.iif, pkt.iifname) === r.iifInv) return false;
  if (r.oif !== undefined && ifaceMatches(r.oif, pkt.oifname) === r.oifInv) return false;
  if (r.proto !== 0 && (pkt.ipproto === r.proto) === r.protoInv) return false;
  if (r.frag && !r.fragInv) return false; // the model has no fragments
  for (const m of r.matches) {
    const ext = MATCHES[m.name];
    if (!ext || !ext.match(m.data, pkt, ectx)) return false;
  }
  return true;
}

function usesConntrack(t: IptTable, c: IptChain, seen: Set<string>): boolean {
  if (seen.has(c.name)) return false;
  seen.add(c.name);
  for (const r of c.rules) {
    if (r.matches.some((m) => MATCHES[m.name]?.conntrack)) return true;
    if (r.target.kind === "ext" && TARGETS[r.target.ext.name]?.conntrack) return true;
    if (r.target.kind === "jump" || r.target.kind === "goto") {
      const n = t.chains.get(r.target.chain);
      if (n && usesConntrack(t, n, seen)) return true;
    }
  }
  return false;
}

/** ipt_do_table's position: the chain, the next rule in it, the jump stack. */
interface Walk {
  base: IptChain;
  cur: IptChain;
  idx: number;
  stack: Array<{ chain: IptChain; next: number }>;
  pkt: NfPacket;
  steps: NfStep[];
  /** `ip mangle OUTPUT`, as steps and drop reasons name the base chain. */
  tableLabel: string;
}

/** Walk one base chain (ipt_do_table): rules in order, jumps, gotos, returns, the policy. */
export function evaluateChain(
  rs: IptablesRuleset,
  family: Family,
  t: IptTable,
  base: IptChain,
  input: NfPacket,
  host: NfHostView,
): NfChainResult {
  const ectx: EvalCtx = { host, ruleset: rs, family };
  const w: Walk = {
    base,
    cur: base,
    idx: 0,
    stack: [],
    pkt: { ...input },
    steps: [],
    tableLabel: `${family === 4 ? "ip" : "ip6"} ${t.name} ${base.name}`,
  };
  for (let guard = 1; ; guard++) {
    if (guard > 1_000_000)
      return {
        verdict: { kind: "drop", reason: "evaluation did not terminate" },
        packet: w.pkt,
        steps: w.steps,
      };
    if (w.idx >= w.cur.rules.length) {
      const end = chainReturn(w);
      if (end) return end;
      continue;
    }
    const r = w.cur.rules[w.idx]!;
    const step: NfStep = {
      table: w.tableLabel,
      chain: w.cur.name,
      ruleIndex: w.idx + 1,
      text: ruleLine(w.cur.name, r, family),
      matched: false,
      markBefore: w.pkt.mark,
    };
    if (r.loc) step.loc = r.loc;
    w.steps.push(step);
    step.matched = ruleMatches(r, w.pkt, ectx);
    const end = step.matched ? applyTarget(w, t, r, step, ectx) : undefined;
    if (!step.matched) {
      step.markAfter = w.pkt.mark;
      w.idx++;
    }
    if (end) return end;
  }
}

/** The base chain's policy, as the last step. */
function policyResult(w: Walk): NfChainResult {
  const { base, pkt } = w;
  w.steps.push({
    table: w.tableLabel,
    chain: base.name,
    ruleIndex: 0,
    text: `-P ${base.name} ${base.policy}`,
    matched: true,
    effect: `policy ${base.policy.toLowerCase()}`,
    markBefore: pkt.mark,
    markAfter: pkt.mark,
  });
  const verdict: NfVerdict =
    base.policy === "ACCEPT"
      ? { kind: "accept" }
      : { kind: "drop", reason: `policy of ${w.tableLabel}` };
  return { verdict, packet: pkt, steps: w.steps };
}

/** RETURN or the end of a chain: back to the caller, or the policy in the base chain. */
function chainReturn(w: Walk): NfChainResult | undefined {
  if (w.cur === w.base) return policyResult(w);
  const ret = w.stack.pop();
  if (!ret) return policyResult(w);
  w.cur = ret.chain;
  w.idx = ret.next;
  return undefined;
}

/** A matched rule's target; a result when it ends the walk, else the walk moved on. */
function applyTarget(
  w: Walk,
  t: IptTable,
  r: IptRule,
  step: NfStep,
  ectx: EvalCtx,
): NfChainResult | undefined {
  const { pkt } = w;
  const tg = r.target;
  step.markAfter = pkt.mark;
  if (tg.kind === "none") {
    step.effect = "continue";
    w.idx++;
    return undefined;
  }
  if (tg.kind === "verdict") {
    if (tg.verdict === "ACCEPT") {
      step.effect = "accept";
      return { verdict: { kind: "accept" }, packet: pkt, steps: w.steps };
    }
    if (tg.verdict === "DROP") {
      step.effect = "drop";
      const reason = `${w.tableLabel}: ${step.text}`;
      return { verdict: { kind: "drop", reason }, packet: pkt, steps: w.steps };
    }
    step.effect = "return";
    return chainReturn(w);
  }
  if (tg.kind === "jump" || tg.kind === "goto") {
    step.effect = `${tg.kind} ${tg.chain}`;
    const next = t.chains.get(tg.chain);
    if (!next) {
      w.idx++;
      return undefined;
    }
    if (tg.kind === "jump") w.stack.push({ chain: w.cur, next: w.idx + 1 });
    w.cur = next;
    w.idx = 0;
    return undefined;
  }
  const ext = TARGETS[tg.ext.name];
  w.idx++;
  if (!ext) {
    step.effect = `${tg.ext.name} (not modelled)`;
    return undefined;
  }
  const res = ext.apply(tg.ext.data, pkt, ectx);
  step.effect = res.effect;
  step.markAfter = pkt.mark;
  return res.verdict ? { verdict: res.verdict, packet: pkt, steps: w.steps } : undefined;
}

/**
 * The base chains iptables-nft registered for this ruleset (both families), each with an
 * `evaluate` bound to the ruleset (it sees later changes to rules of existing chains).
 * @example
 * iptablesBaseChains(rs).find((c) => c.table === "mangle" && c.chain === "OUTPUT")?.type
 * // "route"
 */
export function iptablesBaseChains(rs: IptablesRuleset): NfBaseChain[] {
  const out: NfBaseChain[] = [];
  for (const st of [rs.v4, rs.v6]) {
    const family = st.family;
    for (const tn of TABLE_ORDER) {
      const t = st.tables.get(tn);
      if (!t) continue;
      for (const [name, hook] of BUILTIN_CHAINS[tn]) {
        const c = t.chains.get(name);
        if (!c || !c.created) continue;
        const type: NfBaseChain["type"] =
          tn === "nat" ? "nat" : tn === "mangle" && hook === "output" ? "route" : "filter";
        out.push({
          family: family === 4 ? "ip" : "ip6",
          table: tn,
          chain: name,
          hook,
          priority: iptablesPriority(tn, hook),
          type,
          needsConntrack: usesConntrack(t, c, new Set()),
          evaluate(pkt: NfPacket, host: NfHostView): NfChainResult {
            const tt = (family === 4 ? rs.v4 : rs.v6).tables.get(tn) ?? t;
            const cc = tt.chains.get(name) ?? c;
            return evaluateChain(rs, family, tt, cc, pkt, host);
          },
          symbolic() {
            const tt = (family === 4 ? rs.v4 : rs.v6).tables.get(tn) ?? t;
            return iptablesSymbolic(rs, family, tt, tt.chains.get(name) ?? c);
          },
        });
      }
    }
  }
  out.sort((a, b) => a.priority - b.priority);
  return out;
}

export { hex };
