/**
 * Evaluating nft base chains on a packet: rule walk with jump/goto/return, statements
 * (marks, ct mark), verdicts and verdict maps, one NfStep per visited rule.
 * @module
 */
import type { Addr } from "../../addr/ip.js";
import { defined } from "../../core/result.js";
import type {
  NfBaseChain,
  NfChainResult,
  NfHostView,
  NfPacket,
  NfStep,
  NfVerdict,
  Hook,
} from "../types.js";
import type { Expr, NftChain, NftRuleset, NftTable, Stmt } from "./ast.js";
import { evalExpr, matchStmt, valIn } from "./eval-expr.js";
import { fmtRule, fmtExpr } from "./print.js";
import { nftSymbolic } from "./symbolic.js";
import { jumpTargets } from "./validate.js";

const IP_HOOKS = new Set(["prerouting", "input", "forward", "output", "postrouting"]);

/**
 * All base chains of the ruleset, for the journey engine (hook order by priority is the
 * engine's job).
 */
export function nftBaseChains(rs: NftRuleset): NfBaseChain[] {
  const out: NfBaseChain[] = [];
  for (const t of rs.tables) {
    for (const c of t.chains) {
      if (!c.base || !IP_HOOKS.has(c.base.hook)) continue;
      const base = c.base;
      out.push({
        family: t.family,
        table: t.name,
        chain: c.name,
        hook: base.hook as Hook,
        priority: base.prio,
        type: base.type,
        needsConntrack: chainNeedsConntrack(t, c),
        evaluate: (pkt, host) => evalBaseChain(t, c, pkt, host),
        symbolic: () => nftSymbolic(t, c),
      });
    }
  }
  return out;
}

function exprUsesCt(e: Expr): boolean {
  switch (e.k) {
    case "ct":
      return true;
    case "binop":
      return exprUsesCt(e.left) || exprUsesCt(e.right);
    case "map":
      return exprUsesCt(e.key);
    case "concat":
      return e.items.some(exprUsesCt);
    default:
      return false;
  }
}

function stmtNeedsCt(s: Stmt): boolean {
  switch (s.k) {
    case "match":
      return exprUsesCt(s.left);
    case "mangle":
      return s.key.k === "ct" || exprUsesCt(s.value);
    case "nat":
      return true;
    case "vmap":
      return exprUsesCt(s.key);
    case "cthelper":
      return true;
    default:
      return false;
  }
}

function chainNeedsConntrack(t: NftTable, c: NftChain): boolean {
  const seen = new Set<string>();
  const walk = (ch: NftChain): boolean => {
    if (seen.has(ch.name)) return false;
    seen.add(ch.name);
    for (const r of ch.rules)
      for (const s of r.stmts) {
        if (stmtNeedsCt(s)) return true;
        for (const target of jumpTargets(s)) {
          const tc = t.chains.find((x) => x.name === target);
          if (tc && walk(tc)) return true;
        }
      }
    return false;
  };
  return walk(c);
}

interface Frame {
  chain: NftChain;
  next: number;
}

/** Where the walk goes after a rule (nft_do_chain's verdict handling). */
type Outcome =
  | { kind: "next" }
  | { kind: "verdict"; v: NfVerdict }
  | { kind: "jump" | "goto"; target: string }
  | { kind: "return" };

/** The state of one nft_do_chain() walk. */
interface Walk {
  t: NftTable;
  base: NftChain;
  pkt: NfPacket;
  host: NfHostView;
  steps: NfStep[];
  tableName: string;
  tproxy?: { addr?: Addr; port: number };
}

/** Walk one base chain (and the regular chains it jumps to) on a copy of `pkt`. */
export function evalBaseChain(
  t: NftTable,
  base: NftChain,
  input: NfPacket,
  host: NfHostView,
): NfChainResult {
  const w: Walk = {
    t,
    base,
    pkt: { ...input },
    host,
    steps: [],
    tableName: `${t.family} ${t.name}`,
  };
  const stack: Frame[] = [];
  let chain = base,
    i = 0;
  const byName = new Map(t.chains.map((c) => [c.name, c]));
  let guard = 0;
  for (;;) {
    if (++guard > 100000)
      return finish(w, { kind: "drop", reason: "nft evaluation did not terminate" });
    if (i >= chain.rules.length) {
      const f = stack.pop();
      if (!f) return policy(w);
      chain = f.chain;
      i = f.next;
      continue;
    }
    const outcome = runRule(w, chain, i);
    switch (outcome.kind) {
      case "next":
        i++;
        continue;
      case "verdict":
        return finish(w, outcome.v);
      case "jump":
      case "goto": {
        const target = byName.get(outcome.target);
        if (!target) return finish(w, { kind: "drop", reason: `missing chain ${outcome.target}` });
        if (outcome.kind === "jump") {
          if (stack.length >= 16) return finish(w, { kind: "drop", reason: "jump stack overflow" });
          stack.push({ chain, next: i + 1 });
        }
        chain = target;
        i = 0;
        continue;
      }
      case "return": {
        const f = stack.pop();
        if (!f) return policy(w);
        chain = f.chain;
        i = f.next;
        continue;
      }
    }
  }
}

/** The result; an accepted packet a `tproxy` statement took is a TPROXY verdict. */
function finish(w: Walk, verdict: NfVerdict): NfChainResult {
  if (w.tproxy && verdict.kind === "accept")
    verdict = { kind: "tproxy", addr: w.tproxy.addr, port: w.tproxy.port };
  return { verdict, packet: w.pkt, steps: w.steps };
}

/** The base chain's policy, as a step of its own. */
function policy(w: Walk): NfChainResult {
  const pol = w.base.base?.policy ?? "accept";
  w.steps.push({
    table: w.tableName,
    chain: w.base.name,
    ruleIndex: 0,
    text: `policy ${pol}`,
    matched: true,
    effect: pol,
    markBefore: w.pkt.mark,
    markAfter: w.pkt.mark,
  });
  return finish(
    w,
    pol === "drop"
      ? { kind: "drop", reason: `policy drop of ${w.tableName} ${w.base.name}` }
      : { kind: "accept" },
  );
}

/** Run rule `i` of `chain`: its statements in order until one does not match or decides. */
function runRule(w: Walk, chain: NftChain, i: number): Outcome {
  const { t, pkt, host } = w;
  const rule = chain.rules[i]!;
  const step: NfStep = {
    table: w.tableName,
    chain: chain.name,
    ruleIndex: i + 1,
    text: fmtRule(rule, t.family),
    matched: true,
    markBefore: pkt.mark,
  };
  if (rule.loc) step.loc = rule.loc;
  w.steps.push(step);
  const effects: string[] = [];
  let outcome: Outcome = { kind: "next" };
  let matched = true;
  for (const s of rule.stmts) {
    const r = execStmt(s, pkt, host, t, effects);
    if (r === "nomatch") {
      matched = false;
      break;
    }
    if (r === "next") continue;
    if (r.kind === "tproxy") {
      const found = host.tproxySocket
        ? host.tproxySocket(pkt, r.addr, r.port)
        : (pkt.socketExists ?? true);
      if (!found) {
        matched = false;
        effects.push(`tproxy: no socket for :${r.port} (rule stops)`);
        break;
      }
      w.tproxy = { addr: r.addr, port: r.port };
      effects.push(fmtStmtShort(s, t));
      continue;
    }
    outcome = r;
    break;
  }
  step.matched = matched;
  step.markAfter = pkt.mark;
  if (!matched) outcome = { kind: "next" };
  else if (outcome.kind === "verdict") effects.push(verdictText(outcome.v));
  else if (outcome.kind === "jump" || outcome.kind === "goto")
    effects.push(`${outcome.kind} ${outcome.target}`);
  else if (outcome.kind === "return") effects.push("return");
  if (effects.length || outcome.kind !== "next") step.effect = effects.join("; ");
  return outcome;
}

function verdictText(v: NfVerdict): string {
  switch (v.kind) {
    case "accept":
      return "accept";
    case "drop":
      return "drop";
    case "reject":
      return `reject ${v.with}`;
    case "queue":
      return `queue ${v.num}`;
    default:
      return v.kind;
  }
}

function fmtStmtShort(s: Stmt, t: NftTable): string {
  return fmtRule({ handle: 0, stmts: [s] }, t.family);
}

type ExecRes =
  | "next"
  | "nomatch"
  | { kind: "verdict"; v: NfVerdict }
  | { kind: "jump" | "goto"; target: string }
  | { kind: "return" }
  | { kind: "tproxy"; addr?: Addr; port: number };

function execStmt(
  s: Stmt,
  pkt: NfPacket,
  host: NfHostView,
  t: NftTable,
  effects: string[],
): ExecRes {
  switch (s.k) {
    case "match":
      return matchStmt(s, pkt, host, t) ? "next" : "nomatch";
    case "mangle":
      return mangleStmt(s, pkt, host, t, effects);
    case "verdict":
      switch (s.v) {
        case "accept":
          return { kind: "verdict", v: { kind: "accept" } };
        case "drop":
          return { kind: "verdict", v: { kind: "drop", reason: `drop in ${t.family} ${t.name}` } };
        case "continue":
          return "next";
        case "return":
          return { kind: "return" };
        case "jump":
        case "goto":
          return { kind: s.v, target: s.target! };
        default:
          return "next";
      }
    case "vmap":
      return vmapStmt(s, pkt, host, t, effects);
    case "nat":
      return natStmt(s, pkt, host, t);
    case "cthelper": {
      // The flow's conntrack entry gets the helper (nft_ct_helper_obj_eval): it decides
      // which related flows conntrack expects, never a route or a mark.
      const v = evalExpr(s.value, pkt, host, t);
      if (!v) return "nomatch";
      effects.push(`ct helper set "${v.v}" (conntrack helper: no routing effect)`);
      return "next";
    }
    case "tproxy": {
      const addr = s.addr ? constAddr(s.addr) : undefined;
      return { kind: "tproxy", addr, port: s.port ?? pkt.dport };
    }
    case "reject": {
      const w =
        s.type === "tcp reset"
          ? "tcp-reset"
          : (s.code ?? (pkt.family === 4 ? "icmp-port-unreachable" : "icmp6-port-unreachable"));
      return { kind: "verdict", v: { kind: "reject", with: w } };
    }
    case "queue":
      return { kind: "verdict", v: { kind: "queue", num: s.num } };
    case "counter":
    case "log":
    case "limit":
    case "notrack":
      return "next";
  }
}

function constAddr(e: Expr): Addr | undefined {
  const c = e.k === "range" ? e.lo : e.k === "prefix" ? e.base : e.k === "const" ? e : undefined;
  if (!c) return undefined;
  if (c.type === "ipv4_addr") return { family: 4, v: c.v as number };
  if (c.type === "ipv6_addr") return { family: 6, v: c.v as bigint };
  return undefined;
}

function portOf(e: Expr): number | undefined {
  if (e.k === "const") return Number(e.v);
  if (e.k === "range") return Number(e.lo.v);
  return undefined;
}

function mangleStmt(
  s: Extract<Stmt, { k: "mangle" }>,
  pkt: NfPacket,
  host: NfHostView,
  t: NftTable,
  effects: string[],
): ExecRes {
  const v = evalExpr(s.value, pkt, host, t);
  if (!v || v.t !== "n") return "nomatch";
  const n = Number(v.v & 0xffffffffn) >>> 0;
  if (s.key.k === "meta" && s.key.key === "mark") pkt.mark = n;
  else if (s.key.k === "ct" && s.key.key === "mark") pkt.ctmark = n;
  else if (s.key.k === "payload") {
    // Header rewrites (nft_payload_set): the address family and protocol must fit, like a match.
    if (evalExpr(s.key, pkt, host) === undefined) return "nomatch";
    const f = s.key.field;
    if (f === "saddr" || f === "daddr")
      pkt[f] =
        pkt.family === 4
          ? { family: 4, v: Number(v.v & 0xffffffffn) >>> 0 }
          : { family: 6, v: v.v };
    else if (f === "dscp") pkt.tos = ((n & 0x3f) << 2) | (pkt.tos & 3);
    else if (f === "sport" || f === "dport") pkt[f] = n & 0xffff;
  }
  effects.push(fmtStmtShort(s, t));
  return "next";
}

function vmapStmt(
  s: Extract<Stmt, { k: "vmap" }>,
  pkt: NfPacket,
  host: NfHostView,
  t: NftTable,
  effects: string[],
): ExecRes {
  const key = evalExpr(s.key, pkt, host);
  if (!key) return "nomatch";
  const elems =
    s.map.k === "set"
      ? s.map.elems
      : (t.sets.find((x) => x.name === (s.map as { name: string }).name)?.elems ?? []);
  for (const m of elems) {
    if (m.k !== "mapping") continue;
    if (!valIn(key, m.key)) continue;
    const vd = m.value;
    if (vd.k !== "verdict") return "next";
    effects.push(`vmap -> ${fmtExpr(vd, t.family)}`);
    switch (vd.v) {
      case "accept":
        return { kind: "verdict", v: { kind: "accept" } };
      case "drop":
        return {
          kind: "verdict",
          v: { kind: "drop", reason: `vmap drop in ${t.family} ${t.name}` },
        };
      case "return":
        return { kind: "return" };
      case "jump":
      case "goto":
        return { kind: vd.v, target: vd.target! };
      default:
        return "next";
    }
  }
  return "nomatch";
}

/**
 * NAT statements end the chain with the translation as the verdict. A map lookup that finds
 * no element breaks the rule (nft_lookup_eval: NFT_BREAK), so nothing is translated.
 */
function natStmt(
  s: Extract<Stmt, { k: "nat" }>,
  pkt: NfPacket,
  host: NfHostView,
  t: NftTable,
): ExecRes {
  let addr = s.addr ? constAddr(s.addr) : undefined;
  let port = s.port ? portOf(s.port) : undefined;
  if (s.addr?.k === "map") {
    const v = evalExpr(s.addr, pkt, host, t);
    if (!v || v.t !== "n") return "nomatch";
    const v6 = s.family ? s.family === "ip6" : pkt.family === 6;
    addr = v6 ? { family: 6, v: v.v } : { family: 4, v: Number(v.v) >>> 0 };
  }
  if (s.port?.k === "map") {
    const v = evalExpr(s.port, pkt, host, t);
    if (!v || v.t !== "n") return "nomatch";
    port = Number(v.v);
  }
  const v: NfVerdict =
    s.type === "masquerade" || s.type === "redirect"
      ? { kind: s.type, ...defined({ port }) }
      : { kind: s.type, ...defined({ addr: addr || undefined, port }) };
  return { kind: "verdict", v };
}
