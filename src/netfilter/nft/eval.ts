/**
 * Evaluating nft base chains on a packet: rule walk with jump/goto/return, statements
 * (marks, ct mark), verdicts and verdict maps, one NfStep per visited rule.
 * @module
 */
import type { Addr } from "../../addr/ip.js";
import type {
  NfBaseChain,
  NfChainResult,
  NfHostView,
  NfPacket,
  NfStep,
  NfVerdict,
  Hook,
} from "../types.js";
import type { Const, Expr, NftChain, NftRuleset, NftTable, Stmt } from "./ast.js";
import { CT_STATE_BITS, FIB_TYPES, constKey } from "./dtype.js";
import { elemInterval } from "./segtree.js";
import { fmtRule, fmtExpr } from "./print.js";
import { jumpTargets } from "./ruleset.js";

type Val = { t: "n"; v: bigint } | { t: "s"; v: string } | { t: "tuple"; v: Val[] };

const IP_HOOKS = new Set(["prerouting", "input", "forward", "output", "postrouting"]);

/** All base chains of the ruleset, for the journey engine (hook order by priority is the engine's job). */
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

/** Walk one base chain (and the regular chains it jumps to) on a copy of `pkt`. */
export function evalBaseChain(
  t: NftTable,
  base: NftChain,
  input: NfPacket,
  host: NfHostView,
): NfChainResult {
  const pkt: NfPacket = { ...input };
  const steps: NfStep[] = [];
  const tableName = `${t.family} ${t.name}`;
  const stack: Frame[] = [];
  let chain = base,
    i = 0;
  let tproxy: { addr?: Addr; port: number } | undefined;
  const byName = new Map(t.chains.map((c) => [c.name, c]));
  let guard = 0;
  const finish = (verdict: NfVerdict): NfChainResult => {
    if (tproxy && verdict.kind === "accept")
      verdict = { kind: "tproxy", addr: tproxy.addr, port: tproxy.port };
    return { verdict, packet: pkt, steps };
  };
  for (;;) {
    if (++guard > 100000)
      return finish({ kind: "drop", reason: "nft evaluation did not terminate" });
    if (i >= chain.rules.length) {
      const f = stack.pop();
      if (!f) {
        const pol = base.base?.policy ?? "accept";
        steps.push({
          table: tableName,
          chain: base.name,
          ruleIndex: 0,
          text: `policy ${pol}`,
          matched: true,
          effect: pol,
          markBefore: pkt.mark,
          markAfter: pkt.mark,
        });
        return finish(
          pol === "drop"
            ? { kind: "drop", reason: `policy drop of ${tableName} ${base.name}` }
            : { kind: "accept" },
        );
      }
      chain = f.chain;
      i = f.next;
      continue;
    }
    const rule = chain.rules[i]!;
    const step: NfStep = {
      table: tableName,
      chain: chain.name,
      ruleIndex: i + 1,
      text: fmtRule(rule, t.family),
      matched: true,
      markBefore: pkt.mark,
    };
    if (rule.loc) step.loc = rule.loc;
    steps.push(step);
    const effects: string[] = [];
    let outcome:
      | { kind: "next" }
      | { kind: "verdict"; v: NfVerdict }
      | { kind: "jump" | "goto"; target: string }
      | { kind: "return" } = { kind: "next" };
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
        tproxy = { addr: r.addr, port: r.port };
        effects.push(fmtStmtShort(s, t));
        continue;
      }
      outcome = r;
      break;
    }
    step.matched = matched;
    step.markAfter = pkt.mark;
    if (!matched) {
      if (effects.length) step.effect = effects.join("; ");
      i++;
      continue;
    }
    switch (outcome.kind) {
      case "next":
        if (effects.length) step.effect = effects.join("; ");
        i++;
        continue;
      case "verdict":
        effects.push(verdictText(outcome.v));
        step.effect = effects.join("; ");
        return finish(outcome.v);
      case "jump":
      case "goto": {
        effects.push(`${outcome.kind} ${outcome.target}`);
        step.effect = effects.join("; ");
        const target = byName.get(outcome.target);
        if (!target) return finish({ kind: "drop", reason: `missing chain ${outcome.target}` });
        if (outcome.kind === "jump") {
          if (stack.length >= 16) return finish({ kind: "drop", reason: "jump stack overflow" });
          stack.push({ chain, next: i + 1 });
        }
        chain = target;
        i = 0;
        continue;
      }
      case "return": {
        effects.push("return");
        step.effect = effects.join("; ");
        const f = stack.pop();
        if (!f) {
          const pol = base.base?.policy ?? "accept";
          steps.push({
            table: tableName,
            chain: base.name,
            ruleIndex: 0,
            text: `policy ${pol}`,
            matched: true,
            effect: pol,
            markBefore: pkt.mark,
            markAfter: pkt.mark,
          });
          return finish(
            pol === "drop"
              ? { kind: "drop", reason: `policy drop of ${tableName} ${base.name}` }
              : { kind: "accept" },
          );
        }
        chain = f.chain;
        i = f.next;
        continue;
      }
    }
  }
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
    case "mangle": {
      const v = evalExpr(s.value, pkt, host);
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
    case "vmap": {
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
    case "nat": {
      const addr = s.addr ? constAddr(s.addr) : undefined;
      const port = s.port ? portOf(s.port) : undefined;
      let v: NfVerdict;
      if (s.type === "masquerade")
        v = port !== undefined ? { kind: "masquerade", port } : { kind: "masquerade" };
      else if (s.type === "redirect")
        v = port !== undefined ? { kind: "redirect", port } : { kind: "redirect" };
      else {
        const nv: { kind: "dnat" | "snat"; addr?: Addr; port?: number } = { kind: s.type };
        if (addr) nv.addr = addr;
        if (port !== undefined) nv.port = port;
        v = nv;
      }
      return { kind: "verdict", v };
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

const PORT_PROTOS = new Set([6, 17, 136, 132, 33]);
const PROTO_NUM: Record<string, number> = {
  tcp: 6,
  udp: 17,
  udplite: 136,
  sctp: 132,
  dccp: 33,
  icmp: 1,
  icmpv6: 58,
};

/** The packet's value for a left-hand expression; undefined = the expression breaks (rule does not match). */
function evalExpr(e: Expr, pkt: NfPacket, host: NfHostView): Val | undefined {
  const n = (v: number | bigint): Val => ({ t: "n", v: BigInt(v) });
  switch (e.k) {
    case "const":
      return typeof e.v === "string" ? { t: "s", v: e.v } : n(e.v);
    case "payload": {
      if (e.proto === "ip") {
        if (pkt.family !== 4) return undefined;
        if (e.field === "saddr") return n(pkt.saddr.v);
        if (e.field === "daddr") return n(pkt.daddr.v);
        if (e.field === "protocol") return n(pkt.ipproto);
        if (e.field === "dscp") return n(pkt.tos >> 2);
        return undefined;
      }
      if (e.proto === "ip6") {
        if (pkt.family !== 6) return undefined;
        if (e.field === "saddr") return n(pkt.saddr.v);
        if (e.field === "daddr") return n(pkt.daddr.v);
        if (e.field === "nexthdr") return n(pkt.ipproto);
        if (e.field === "dscp") return n(pkt.tos >> 2);
        return undefined;
      }
      const want = PROTO_NUM[e.proto];
      if (e.proto === "th") {
        if (!PORT_PROTOS.has(pkt.ipproto)) return undefined;
      } else if (want === undefined || pkt.ipproto !== want) return undefined;
      if (e.field === "sport") return n(pkt.sport);
      if (e.field === "dport") return n(pkt.dport);
      return undefined;
    }
    case "meta":
      switch (e.key) {
        case "mark":
          return n(pkt.mark);
        case "l4proto":
          return n(pkt.ipproto);
        case "nfproto":
          return n(pkt.family === 4 ? 2 : 10);
        case "protocol":
          return n(pkt.family === 4 ? 0x0800 : 0x86dd);
        case "iifname":
        case "iif":
          return pkt.iifname ? { t: "s", v: pkt.iifname } : undefined;
        case "oifname":
        case "oif":
          return pkt.oifname ? { t: "s", v: pkt.oifname } : undefined;
        case "skuid":
          return pkt.skuid === undefined ? undefined : n(pkt.skuid);
        case "skgid":
          return pkt.skgid === undefined ? undefined : n(pkt.skgid);
        case "nftrace":
          return n(0);
        default:
          return undefined;
      }
    case "ct":
      if (e.key === "state") return n(CT_STATE_BITS[pkt.ctstate] ?? 0);
      if (pkt.ctstate === "untracked" || pkt.ctstate === "invalid") return undefined;
      if (e.key === "mark") return n(pkt.ctmark);
      if (e.key === "direction") return n(pkt.ctdir === "original" ? 0 : 1);
      return undefined;
    case "fib": {
      const useS = e.flags.includes("saddr");
      const addr = useS ? pkt.saddr : pkt.daddr;
      const dev = e.flags.includes("iif")
        ? pkt.iifname
        : e.flags.includes("oif")
          ? pkt.oifname
          : undefined;
      if (e.result === "type") {
        const ty = host.addrType(addr, dev || undefined);
        const i = FIB_TYPES.indexOf(ty);
        return n(i >= 0 ? i : 0);
      }
      if (!host.fibLookup) return { t: "s", v: dev || "?" };
      const q: Parameters<NonNullable<NfHostView["fibLookup"]>>[0] = {
        family: pkt.family,
        daddr: addr,
        saddr: useS ? pkt.daddr : pkt.saddr,
      };
      if (e.flags.includes("mark")) q.mark = pkt.mark;
      if (e.flags.includes("iif")) q.oif = pkt.iifname;
      if (e.flags.includes("oif")) q.oif = pkt.oifname;
      const out = host.fibLookup(q);
      if (out === undefined) return { t: "s", v: "" };
      if (
        (e.flags.includes("iif") && out !== pkt.iifname) ||
        (e.flags.includes("oif") && out !== pkt.oifname)
      )
        return { t: "s", v: "" };
      return { t: "s", v: out };
    }
    case "socket":
      if (!pkt.socketExists) return undefined;
      if (e.key === "transparent") return n(1);
      if (e.key === "wildcard") return n(0);
      return n(pkt.mark);
    case "binop": {
      const l = evalExpr(e.left, pkt, host);
      const r = evalExpr(e.right, pkt, host);
      if (!l || !r || l.t !== "n" || r.t !== "n") return undefined;
      switch (e.op) {
        case "&":
          return n(l.v & r.v);
        case "|":
          return n(l.v | r.v);
        case "^":
          return n(l.v ^ r.v);
        case "<<":
          return n((l.v << r.v) & 0xffffffffn);
        case ">>":
          return n(l.v >> r.v);
      }
      return undefined;
    }
    case "concat": {
      const vs: Val[] = [];
      for (const it of e.items) {
        const v = evalExpr(it, pkt, host);
        if (!v) return undefined;
        vs.push(v);
      }
      return { t: "tuple", v: vs };
    }
    default:
      return undefined;
  }
}

function strMatch(pattern: string, v: string): boolean {
  if (pattern.endsWith("*") && !pattern.endsWith("\\*")) return v.startsWith(pattern.slice(0, -1));
  return pattern.replace(/\\\*$/, "*") === v;
}

/** Does value `v` match element/operand `e` (const, prefix, range, concat)? */
function valIn(v: Val, e: Expr): boolean {
  if (v.t === "tuple") {
    if (e.k !== "concat" || e.items.length !== v.v.length) return false;
    return e.items.every((it, i) => valIn(v.v[i]!, it));
  }
  if (v.t === "s") {
    if (e.k === "const" && typeof e.v === "string") return strMatch(e.v, v.v);
    return false;
  }
  if (e.k === "const" && typeof e.v === "string") return false;
  const iv = e.k === "const" || e.k === "range" || e.k === "prefix" ? elemInterval(e) : undefined;
  if (!iv) return false;
  return v.v >= iv[0] && v.v <= iv[1];
}

function setElems(e: Expr, t: NftTable): Expr[] | undefined {
  if (e.k === "set") return e.elems.map((x) => (x.k === "mapping" ? x.key : x));
  if (e.k === "setref")
    return t.sets.find((s) => s.name === e.name)?.elems.map((x) => (x.k === "mapping" ? x.key : x));
  return undefined;
}

function matchStmt(
  s: Extract<Stmt, { k: "match" }>,
  pkt: NfPacket,
  host: NfHostView,
  t: NftTable,
): boolean {
  const v = evalExpr(s.left, pkt, host);
  if (!v) return false;
  const right = s.right;
  // ct state-like bitmask semantics
  if (s.left.k === "ct" && s.left.key === "state" && v.t === "n") {
    if (right.k === "flags" || right.k === "const") {
      const mask = right.k === "flags" ? right.v.reduce((a, b) => a | b, 0) : Number(right.v);
      if (s.op === "==") return Number(v.v) === mask;
      const any = (Number(v.v) & mask) !== 0;
      return s.op === "!=" ? !any : any;
    }
  }
  const elems = setElems(right, t);
  if (elems) {
    const hit = elems.some((e) => valIn(v, e));
    return s.op === "!=" ? !hit : hit;
  }
  if (s.left.k === "fib" && right.k === "const" && right.type === "boolean") {
    const present = v.t === "s" ? v.v !== "" : true;
    const want = Number(right.v) === 1;
    return s.op === "!=" ? present !== want : present === want;
  }
  if (s.op === "<" || s.op === ">" || s.op === "<=" || s.op === ">=") {
    if (v.t !== "n" || right.k !== "const" || typeof right.v === "string") return false;
    const r = constKey(right as Const);
    return s.op === "<" ? v.v < r : s.op === ">" ? v.v > r : s.op === "<=" ? v.v <= r : v.v >= r;
  }
  const hit = valIn(v, right);
  return s.op === "!=" ? !hit : hit;
}
