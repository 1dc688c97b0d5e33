/**
 * The symbolic view (../symbolic.ts) of an iptables base chain: each rule's fixed part
 * (-s -d -i -o -p) and the matches and targets the analysis can compile, in the order
 * ipt_do_table tests them. Everything else becomes an `unknown` item naming the extension,
 * so the analysis refuses those packets instead of guessing.
 * @module
 */
import type { Family } from "../../addr/ip.js";
import type { CtState } from "../types.js";
import type {
  NfSymAddr,
  NfSymChain,
  NfSymMatch,
  NfSymNat,
  NfSymRule,
  NfSymStmt,
  NfSymVerdict,
  NfSymView,
} from "../symbolic.js";
import { ruleLine } from "./save.js";
import type { AddrMask } from "./util.js";
import type { ExtInstance, IptablesRuleset, IptChain, IptRule, IptTable } from "./types.js";

type D = Record<string, unknown>;
type Range = readonly [number, number];

/** CT_STATES bit order of match/conntrack.ts (xt_conntrack's XT_CONNTRACK_STATE_* bits). */
const CT_BITS: readonly (CtState | "snat" | "dnat")[] = [
  "invalid",
  "new",
  "related",
  "established",
  "untracked",
  "snat",
  "dnat",
];

/** `-m conntrack --ctstate` / `-m state --state` as a set of states (SNAT/DNAT: unknown). */
function ctstateMatch(bits: number, inv: boolean): NfSymMatch {
  if (bits & 0x60) return { kind: "unknown", what: "--ctstate SNAT/DNAT" };
  const states = CT_BITS.filter((_, i) => bits & (1 << i)) as CtState[];
  return { kind: "ctstate", states, inv };
}

/** xt_owner: uid only (gid, --socket-exists and --suppl-groups are not in the header). */
function ownerMatch(d: D): NfSymMatch {
  if (d.gid || d.sock || d.suppl) return { kind: "unknown", what: "-m owner --gid-owner" };
  // Without a socket xt_owner matches iff every given test is inverted.
  const inv = d.uidInv === true;
  return { kind: "owner", field: "uid", ranges: [d.uid as Range], inv, noSocket: inv };
}

function portsOf(d: D, key: string, inv: string): NfSymMatch | undefined {
  const r = d[key] as Range | undefined;
  if (!r || (r[0] === 0 && r[1] === 0xffff && d[inv] !== true)) return undefined;
  return {
    kind: "port",
    field: key === "sp" ? "sport" : "dport",
    ranges: [r],
    inv: d[inv] === true,
  };
}

/** -m tcp / -m udp: the protocol (xt_tcpudp checks it), then the port ranges. */
function tcpudp(m: ExtInstance, proto: number): NfSymMatch[] {
  const d = m.data;
  if (d.flgMask || d.flgInv || d.option !== undefined)
    return [{ kind: "unknown", what: `-m ${m.name} flags/options` }];
  const out: NfSymMatch[] = [{ kind: "proto", protos: [proto], inv: false }];
  for (const [k, i] of [
    ["sp", "spInv"],
    ["dp", "dpInv"],
  ] as const) {
    const p = portsOf(d, k, i);
    if (p) out.push(p);
  }
  return out;
}

/**
 * An ipset's entries as items, the same array while the set is unchanged (ipset.ts only
 * pushes to an entries array, and a deletion makes a new one): the analysis keeps compiled
 * sets by array.
 */
const ITEMS = new WeakMap<readonly AddrMask[], { len: number; items: NfSymAddr[] }>();
function itemsOf(entries: readonly AddrMask[]): NfSymAddr[] {
  const known = ITEMS.get(entries);
  if (known && known.len === entries.length) return known.items;
  const items = entries.map((e) => ({ addr: e.addr, mask: e.mask }));
  ITEMS.set(entries, { len: entries.length, items });
  return items;
}

function setMatch(rs: IptablesRuleset, family: Family, d: D): NfSymMatch {
  const flags = d.flags as string[];
  if (flags.length !== 1) return { kind: "unknown", what: "-m set with several directions" };
  const s = rs.ipsets.get(d.set as string);
  const items: NfSymAddr[] = s && s.family === family ? itemsOf(s.entries) : [];
  const field = flags[0] === "src" ? "saddr" : "daddr";
  return { kind: "addr", field, items, inv: d.inv === true };
}

/** One -m extension. */
function matchOf(rs: IptablesRuleset, family: Family, m: ExtInstance): NfSymMatch[] {
  const d = m.data;
  switch (m.name) {
    case "comment":
      return [];
    case "mark":
    case "connmark": {
      const field = m.name === "mark" ? "mark" : "ctmark";
      const [value, mask] = [d.mark as number, d.mask as number];
      return [{ kind: "bits", field, value, mask, inv: d.inv === true }];
    }
    case "owner":
      return [ownerMatch(d)];
    case "tcp":
      return tcpudp(m, 6);
    case "udp":
      return tcpudp(m, 17);
    case "multiport": {
      const field = d.dir === "src" ? "sport" : d.dir === "dst" ? "dport" : "any";
      return [{ kind: "port", field, ranges: d.ports as Range[], inv: d.inv === true }];
    }
    case "set":
      return [setMatch(rs, family, d)];
    case "state":
      return [ctstateMatch(d.state as number, d.inv === true)];
    case "conntrack":
      if (d.dir !== undefined || d.state === undefined)
        return [{ kind: "unknown", what: "-m conntrack other than --ctstate" }];
      return [ctstateMatch(d.state as number, d.stateInv === true)];
    default:
      return [{ kind: "unknown", what: `-m ${m.name}` }];
  }
}

/** The rule's fixed part, as ipt_do_table's ip_packet_match tests it. */
function fixedPart(r: IptRule): NfSymMatch[] {
  const out: NfSymMatch[] = [];
  if (r.src) out.push({ kind: "addr", field: "saddr", items: [r.src], inv: r.srcInv });
  if (r.dst) out.push({ kind: "addr", field: "daddr", items: [r.dst], inv: r.dstInv });
  if (r.iif !== undefined) out.push({ kind: "iface", field: "iif", names: [r.iif], inv: r.iifInv });
  if (r.oif !== undefined) out.push({ kind: "iface", field: "oif", names: [r.oif], inv: r.oifInv });
  if (r.proto !== 0) out.push({ kind: "proto", protos: [r.proto], inv: r.protoInv });
  // The model has no fragments: `-f` never matches, `! -f` always does.
  if (r.frag) out.push({ kind: "const", value: r.fragInv });
  return out;
}

/** MARK / CONNMARK as mark writes (xt_MARK mark_tg, xt_CONNMARK connmark_tg_shift). */
function targetOf(r: IptRule): { stmt?: NfSymStmt; verdict: NfSymVerdict } {
  const t = r.target;
  if (t.kind === "none") return { verdict: { kind: "continue" } };
  if (t.kind === "verdict")
    return {
      verdict: {
        kind: t.verdict === "ACCEPT" ? "accept" : t.verdict === "DROP" ? "drop" : "return",
      },
    };
  if (t.kind === "jump" || t.kind === "goto") return { verdict: { kind: t.kind, chain: t.chain } };
  const d = t.ext.data;
  const n = (k: string) => (d[k] as number) >>> 0;
  switch (t.ext.name) {
    case "MARK": {
      const op = { kind: "mark", dst: "mark", keep: ~n("mask") >>> 0, src: "mark", take: 0 };
      return { stmt: { ...op, xor: n("mark") } as NfSymStmt, verdict: { kind: "continue" } };
    }
    case "CONNMARK":
      return { stmt: connmark(d, n), verdict: { kind: "continue" } };
    case "REJECT":
      return { verdict: { kind: "reject" } };
    case "SNAT":
    case "MASQUERADE":
    case "DNAT":
    case "REDIRECT": {
      const type = t.ext.name.toLowerCase() as NfSymNat;
      return { verdict: { kind: "nat", type, what: `-j ${t.ext.name}` } };
    }
    case "LOG":
    case "NFLOG":
    case "TCPMSS":
      return { verdict: { kind: "continue" } };
    default:
      return { verdict: { kind: "unknown", what: `-j ${t.ext.name}` } };
  }
}

function connmark(d: D, n: (k: string) => number): NfSymStmt {
  const [ct, nf] = [n("ctmask"), n("nfmask")];
  if (d.mode === "set")
    return {
      kind: "mark",
      dst: "ctmark",
      keep: ~ct >>> 0,
      src: "ctmark",
      take: 0,
      xor: n("ctmark"),
    };
  if (d.mode === "save")
    return { kind: "mark", dst: "ctmark", keep: ~ct >>> 0, src: "mark", take: nf, xor: 0 };
  return { kind: "mark", dst: "mark", keep: ~nf >>> 0, src: "ctmark", take: ct, xor: 0 };
}

function ruleOf(
  rs: IptablesRuleset,
  family: Family,
  c: IptChain,
  r: IptRule,
  i: number,
): NfSymRule {
  const stmts: NfSymStmt[] = fixedPart(r);
  for (const m of r.matches) stmts.push(...matchOf(rs, family, m));
  const t = targetOf(r);
  if (t.stmt) stmts.push(t.stmt);
  return {
    index: i + 1,
    text: ruleLine(c.name, r, family),
    ...(r.loc ? { loc: r.loc } : {}),
    stmts,
    verdict: t.verdict,
  };
}

/**
 * The view of base chain `base` of table `t`: every chain of the table (jumps may reach any),
 * read at call time (later rule changes show).
 */
export function iptablesSymbolic(
  rs: IptablesRuleset,
  family: Family,
  t: IptTable,
  base: IptChain,
): NfSymView {
  const chains = new Map<string, NfSymChain>();
  for (const c of t.chains.values())
    chains.set(c.name, { name: c.name, rules: c.rules.map((r, i) => ruleOf(rs, family, c, r, i)) });
  return { base: base.name, policy: base.policy === "ACCEPT" ? "accept" : "drop", chains };
}
