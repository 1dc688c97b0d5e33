/**
 * Classes in words: a compact description of a packet set field by field ("uid ≠ 129,
 * dst ∉ {10.0.0.0/8, 192.168.0.0/16}, not udp/53"), of an outcome ("dev clash0 table 129
 * rule 9000") and of a representative packet as `ip route get` arguments.
 *
 * A set is described by its projection on each field, with the complement when that is
 * shorter. When the set is not the product of its projections (a field's values depend on
 * another's), the description says "(fields interdependent)": each value it lists occurs, but
 * not in every combination.
 * @module
 */
import { formatAddr, v4, v6 } from "../addr/ip.js";
import type { Family } from "../core/kinds.js";
import { linkByIndex } from "../model/links.js";
import type { HostState } from "../model/types.js";
import { and, diff, not } from "./bdd/apply.js";
import { type Bdd, type BddArena, FALSE, TRUE } from "./bdd/arena.js";
import { existsCube } from "./bdd/quantify.js";
import { cube } from "./bdd/quantify.js";
import {
  cubes,
  evaluate,
  minimalCost,
  minimalSat,
  precedesMinimal,
  type SatMemo,
  satMemo,
} from "./bdd/sat.js";
import {
  decode,
  eq,
  FIELD_OF_VAR,
  FIELDS,
  type FieldName,
  HEADER_VARS,
  type HeaderPacket,
} from "./header.js";
import type { NfOutcome, Outcome } from "./outcome.js";

/** The fields a class description talks about (the rest are fixed by the universe). */
export const DESCRIBED: readonly FieldName[] = [
  "iif",
  "dst",
  "src",
  "fwmark",
  "uid",
  "ipproto",
  "sport",
  "dport",
  "tos",
];

/** How many values or prefixes a description lists before it abbreviates. */
const SHOWN = 4;

const PROTO: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp", 58: "ipv6-icmp" };

/** The defaults a representative prefers: what `ip route get` assumes (UDP). */
const DEFAULTS: Uint8Array = (() => {
  const d = new Uint8Array(HEADER_VARS);
  const f = FIELDS.ipproto;
  for (let i = 0; i < f.width; i++) d[f.offset + i] = (17 >> (f.width - 1 - i)) & 1;
  return d;
})();

/**
 * The packet of f that differs from `ip route get`'s defaults (uid 0, mark 0, UDP, no
 * ports) in the fewest fields; undefined when f is empty.
 */
export function representative(m: BddArena, f: Bdd): HeaderPacket | undefined {
  return witness(m, f)?.packet;
}

/** A representative with its bits and how many fields it changes (`preferred` compares). */
export interface Witness {
  readonly packet: HeaderPacket;
  readonly bits: Uint8Array;
  readonly cost: number;
}

/** `representative`'s packet with its bits and cost. */
export function witness(m: BddArena, f: Bdd): Witness | undefined {
  // Memoized per arena: BDDs are canonical, so an unchanged set (an assertion's violations
  // after an unrelated change) keeps its representative without another search, and the
  // search's node costs are kept for the next set (they share most nodes).
  const memo = repsOf(m);
  if (memo.reps.has(f)) return memo.reps.get(f);
  const bits = minimalSat(m, f, prefOf(memo));
  const w = bits === undefined ? undefined : { packet: decode(bits), bits, cost: costOf(bits) };
  memo.reps.set(f, w);
  return w;
}

const REPS = new WeakMap<BddArena, { reps: Map<Bdd, Witness | undefined>; costs: SatMemo }>();

function repsOf(m: BddArena) {
  let memo = REPS.get(m);
  if (!memo) REPS.set(m, (memo = { reps: new Map(), costs: satMemo() }));
  return memo;
}

const prefOf = (memo: { costs: SatMemo }) => ({
  fieldOf: FIELD_OF_VAR,
  defaults: DEFAULTS,
  memo: memo.costs,
});

/**
 * `witness(m, f)`, given an earlier set `before` and its witness (a class's packets before a
 * change, which moved a few prefixes in or out): when that witness is still in f, it is the
 * minimum of f ∩ before (it was before's), so f's is the preferred of it and the witness of
 * what f gained (`preferred` orders a union by its parts) — a search over the gained
 * packets alone.
 */
export function witnessAfter(
  m: BddArena,
  f: Bdd,
  before: { readonly set: Bdd; readonly w: Witness | undefined },
): Witness | undefined {
  if (f === FALSE) return undefined;
  // The class changed outside the asked packets: the same set, the same witness.
  if (f === before.set) return before.w;
  const w0 = before.w;
  if (!w0 || !evaluate(m, f, w0.bits)) return witness(m, f);
  const gained = diff(m, f, before.set);
  if (gained === FALSE) return w0;
  // Gained packets that all change more fields than w0, or as many and come after it in the
  // tie order, cannot beat it: no search.
  const pref = prefOf(repsOf(m));
  const cost = minimalCost(m, gained, pref);
  if (cost > w0.cost || (cost === w0.cost && precedesMinimal(m, gained, w0.bits, pref))) return w0;
  const g = witness(m, gained);
  return g && !preferred(w0, g) ? g : w0;
}

/** The fields whose bits differ from DEFAULTS. */
function costOf(bits: Uint8Array): number {
  let n = 0;
  for (let v = 0; v < bits.length; ) {
    const f = FIELD_OF_VAR[v]!;
    let changed = false;
    for (; v < bits.length && FIELD_OF_VAR[v] === f; v++) changed ||= bits[v] !== DEFAULTS[v];
    if (changed) n++;
  }
  return n;
}

/**
 * Whether `a` is the representative minimalSat would pick from a set holding both: fewer
 * changed fields, then the default bit at the first variable where they differ. So the
 * representative of a union is the preferred one of its parts' representatives.
 */
export function preferred(a: Witness, b: Witness): boolean {
  if (a.cost !== b.cost) return a.cost < b.cost;
  for (let v = 0; v < a.bits.length; v++)
    if (a.bits[v] !== b.bits[v]) return a.bits[v] === DEFAULTS[v];
  return true;
}

/**
 * `ip route get` arguments for a representative (defaults left out); a received packet's
 * (`iif`: its ingress device's name) as `DST from SRC iif DEV`, a bound socket's (`bound`)
 * as `DST from SRC`.
 */
export function packetWords(p: HeaderPacket, iif?: string, bound = false): string[] {
  const w = [formatAddr(p.dst)];
  if (iif !== undefined || bound) w.push("from", formatAddr(p.src));
  if (iif !== undefined) w.push("iif", iif);
  if (p.fwmark) w.push("mark", "0x" + p.fwmark.toString(16));
  // A received IPv6 packet's flow has uid 0 (ip6_route_input); `ip -6 route get … iif`
  // without a uid looks up with INVALID_UID (inet6_rtm_getroute): said, so uidrange agrees.
  if (p.uid || (iif !== undefined && p.family === 6)) w.push("uid", String(p.uid));
  if (p.tos) w.push("tos", "0x" + p.tos.toString(16));
  if (p.ipproto !== (p.family === 4 ? 17 : 0)) w.push("ipproto", String(p.ipproto));
  if (p.sport) w.push("sport", String(p.sport));
  if (p.dport) w.push("dport", String(p.dport));
  return w;
}

/** Per arena: the cube of the variables outside each field, and projections of universes. */
const CACHE = new WeakMap<BddArena, { others: Map<FieldName, Bdd>; proj: Map<string, Bdd> }>();

function cacheOf(m: BddArena) {
  let c = CACHE.get(m);
  if (!c) CACHE.set(m, (c = { others: new Map(), proj: new Map() }));
  return c;
}

/** ∃ every variable outside `name`: the values the field takes in f. */
export function projection(m: BddArena, f: Bdd, name: FieldName): Bdd {
  const c = cacheOf(m);
  let others = c.others.get(name);
  if (others === undefined) {
    const fld = FIELDS[name];
    const vars: number[] = [];
    for (let v = 0; v < HEADER_VARS; v++)
      if (v < fld.offset || v >= fld.offset + fld.width) vars.push(v);
    c.others.set(name, (others = cube(m, vars)));
  }
  return existsCube(m, f, others);
}

/** projection, memoized (for universes, asked once per class). */
function projectionMemo(m: BddArena, f: Bdd, name: FieldName): Bdd {
  const c = cacheOf(m);
  const k = `${f}:${name}`;
  let p = c.proj.get(k);
  if (p === undefined) c.proj.set(k, (p = projection(m, f, name)));
  return p;
}

/** Whether f, over one field of `width` bits, is a single value (a cube of every bit). */
function isPoint(m: BddArena, f: Bdd, width: number): boolean {
  let n = f;
  for (let i = 0; i < width; i++) {
    if (n <= TRUE) return false;
    const lo = m.lows[n]!;
    const hi = m.highs[n]!;
    if (lo !== FALSE && hi !== FALSE) return false;
    n = lo === FALSE ? hi : lo;
  }
  return n === TRUE;
}

/** The number of paths of f to TRUE (its disjoint cubes), as a float. */
function pathCount(m: BddArena, f: Bdd): number {
  const memo = new Map<Bdd, number>();
  const count = (n: Bdd): number => {
    if (n <= TRUE) return n;
    const k = memo.get(n);
    if (k !== undefined) return k;
    const r = count(m.lows[n]!) + count(m.highs[n]!);
    memo.set(n, r);
    return r;
  };
  return count(f);
}

/** A numeric field's cube as an inclusive range [lo, hi], or value/mask when not a range. */
function numericCube(c: Int8Array, name: FieldName): { lo: number; hi: number; mask?: number } {
  const f = FIELDS[name];
  let value = 0,
    mask = 0,
    range = true,
    seenFree = false;
  for (let i = 0; i < f.width; i++) {
    const b = c[f.offset + i]!;
    value = value * 2 + (b === 1 ? 1 : 0);
    mask = mask * 2 + (b === -1 ? 0 : 1);
    if (b === -1) seenFree = true;
    else if (seenFree) range = false;
  }
  const full = 2 ** f.width - 1;
  if (range) return { lo: value, hi: value + (full - mask) };
  return { lo: value, hi: value, mask };
}

const num = (name: FieldName, v: number): string =>
  name === "fwmark" || name === "tos" ? "0x" + v.toString(16) : String(v);

/** The values of a numeric field set, ranges merged, at most SHOWN listed. */
function numericText(m: BddArena, set: Bdd, name: FieldName): { text: string[]; n: number } {
  if (pathCount(m, set) > 256) return { text: [], n: Number.POSITIVE_INFINITY };
  const { cubes: cs, complete } = cubes(m, set, 256);
  const parts = cs.map((c) => numericCube(c, name)).sort((a, b) => a.lo - b.lo);
  const merged: typeof parts = [];
  for (const p of parts) {
    const last = merged[merged.length - 1];
    if (last && !last.mask && !p.mask && last.hi + 1 >= p.lo) last.hi = Math.max(last.hi, p.hi);
    else merged.push({ ...p });
  }
  const text = merged.map((p) =>
    p.mask !== undefined
      ? `${num(name, p.lo)}/${num(name, p.mask)}`
      : p.lo === p.hi
        ? name === "ipproto"
          ? (PROTO[p.lo] ?? String(p.lo))
          : num(name, p.lo)
        : `${num(name, p.lo)}-${num(name, p.hi)}`,
  );
  return { text, n: complete ? merged.length : Number.POSITIVE_INFINITY };
}

/** An address cube as prefixes (small holes expanded), or a pattern when it has big ones. */
function prefixesOfCube(c: Int8Array, family: Family, name: "dst" | "src"): string[] {
  const f = FIELDS[name];
  const width = family === 4 ? 32 : 128;
  let last = -1;
  const holes: number[] = [];
  for (let i = 0; i < width; i++) if (c[f.offset + i] !== -1) last = i;
  for (let i = 0; i < last; i++) if (c[f.offset + i] === -1) holes.push(i);
  if (holes.length > 3) return [`(${width}-bit pattern of ${last + 1 - holes.length} fixed bits)`];
  const out: string[] = [];
  for (let k = 0; k < 1 << holes.length; k++) {
    let v = 0n;
    for (let i = 0; i < width; i++) {
      const h = holes.indexOf(i);
      const bit = h >= 0 ? (k >> h) & 1 : c[f.offset + i] === 1 ? 1 : 0;
      v = (v << 1n) | BigInt(bit);
    }
    const a = family === 4 ? v4(Number(v)) : v6(v);
    out.push(`${formatAddr(a)}/${last + 1}`);
  }
  return out;
}

function addrText(
  m: BddArena,
  set: Bdd,
  family: Family,
  name: "dst" | "src",
): { text: string[]; n: number } {
  const paths = pathCount(m, set);
  const { cubes: cs } = cubes(m, set, SHOWN + 1);
  const text = cs.flatMap((c) => prefixesOfCube(c, family, name));
  // Paths are disjoint cubes; a cube with holes lists as several prefixes.
  return { text, n: Math.max(paths, text.length) };
}

function setText(name: FieldName, items: string[], n: number, negated: boolean): string {
  const label = name === "fwmark" ? "mark" : name === "src" ? "from" : name;
  if (n === 1 && items.length === 1) return `${label} ${negated ? "≠" : "="} ${items[0]}`;
  const more = n > SHOWN ? `, … ${Number.isFinite(n) ? `(${n} in all)` : "(many)"}` : "";
  return `${label} ${negated ? "∉" : "∈"} {${items.slice(0, SHOWN).join(", ")}${more}}`;
}

/** The devices (by name) whose ifindex is in an iif set. */
function devText(m: BddArena, set: Bdd, devs: readonly Dev[]): { text: string[]; n: number } {
  const text = devs.filter((d) => and(m, set, eq(m, "iif", d.ifindex)) !== FALSE);
  return { text: text.map((d) => d.name), n: text.length };
}

/** A device as descriptions name it. */
export interface Dev {
  readonly ifindex: number;
  readonly name: string;
}

/**
 * The description of `f` inside `universe` (the family's packets), one clause per field that
 * is constrained. Empty when f is the whole universe. `devs` names the ingress devices of
 * received packets (iif).
 */
export function describeSet(
  m: BddArena,
  f: Bdd,
  universe: Bdd,
  family: Family,
  devs: readonly Dev[] = [],
): string {
  const clauses: string[] = [];
  let product = universe;
  for (const name of DESCRIBED) {
    const all = projectionMemo(m, universe, name);
    // A field the universe fixes (src and iif of locally generated packets) says nothing.
    if (isPoint(m, all, FIELDS[name].width)) continue;
    const proj = projection(m, f, name);
    product = and(m, product, proj);
    if (and(m, all, proj) === all) continue;
    const comp = and(m, all, not(m, proj));
    const render = (set: Bdd) =>
      name === "dst" || name === "src"
        ? addrText(m, set, family, name)
        : name === "iif" && devs.length
          ? devText(m, set, devs)
          : numericText(m, set, name);
    const a = render(and(m, all, proj));
    const b = render(comp);
    clauses.push(b.n < a.n ? setText(name, b.text, b.n, true) : setText(name, a.text, a.n, false));
  }
  if (product !== f && f !== TRUE) clauses.push("(fields interdependent)");
  return clauses.join(", ");
}

/**
 * packetWords of a class's packet: received ones (`o.input`) name their ingress device,
 * those of bound sockets (`o.bound`) their source.
 */
export function outcomeWords(s: HostState, p: HeaderPacket, o: Outcome | undefined): string[] {
  return packetWords(p, o?.input ? devName(s, p.iif) : undefined, !!o?.bound);
}

/** A device name, or `if<N>` for one the host no longer has. */
function devName(s: HostState, ifindex: number): string {
  return linkByIndex(s, ifindex)?.name ?? `if${ifindex}`;
}

/** A table as iproute2 names it (rtnl_rttable_n2a). */
export function tableName(s: HostState, t: number): string {
  return s.tableNames.get(t) ?? String(t);
}

/** A received packet's drop: "dropped by rp_filter (strict)", "dropped as martian". */
function dropText(o: Outcome): string {
  if (o.drop?.startsWith("rp_filter")) return `dropped by ${o.drop}`;
  // A TPROXY'd packet the lookup forwards: dropped after a lookup that succeeded (no errno).
  if (o.drop && !o.errno) return `dropped by ${o.drop}`;
  return o.drop ? `dropped as ${o.drop} (${o.errno})` : `dropped ${o.errno}`;
}

/** The outcome in words: "dev eth0 via 192.168.1.1 table main rule 32766", "ENETUNREACH". */
export function describeOutcome(s: HostState, o: Outcome): string {
  const nf = o.nf;
  if (nf && (nf.verdict === "drop" || nf.verdict === "reject" || nf.verdict === "unknown"))
    return describeNfEnd(nf);
  const w: string[] = [];
  if (nf?.verdict === "reroute-failed") w.push(`dropped: re-route with mark ${nf.markText}`);
  if (!o.ok) w.push(o.input ? dropText(o) : `refused ${o.errno}`);
  else {
    if (o.input && o.type === "unicast") w.push("forwarded");
    if (o.type !== "unicast") w.push(o.type === "local" ? "delivered locally" : (o.type ?? ""));
    const paths = o.paths.map(
      (p) => `dev ${devName(s, p.dev)}${p.gateway ? ` via ${formatAddr(p.gateway)}` : ""}`,
    );
    w.push(paths.length > 1 ? `one of {${paths.join(" | ")}} (multipath)` : (paths[0] ?? ""));
    if (o.prefsrc) w.push(`src ${formatAddr(o.prefsrc)}`);
  }
  if (o.table !== undefined) w.push(`table ${tableName(s, o.table)}`);
  if (o.rule !== undefined) w.push(`rule ${o.rule}`);
  if (o.special) w.push(`(${o.special})`);
  if (nf && nf.verdict === "accept") {
    if (nf.markText !== "unchanged") w.push(`mark ${nf.markText}`);
    if (nf.tproxy) w.push("(TPROXY socket)");
  }
  return w.filter((x) => x).join(" ");
}

/** An OUTPUT verdict that ends the packet, or a rule the analysis does not model. */
function describeNfEnd(nf: NfOutcome): string {
  const at = nf.where ? ` (${nf.where})` : "";
  const rule = `${nf.by ?? ""}${at}${nf.text ? `: ${nf.text}` : ""}`;
  if (nf.verdict === "unknown") return `not modelled: ${nf.what ?? "?"} in ${rule}`;
  const mark = nf.markText !== "unchanged" ? `, mark ${nf.markText}` : "";
  return `${nf.verdict === "drop" ? "dropped" : "rejected"} by ${rule}${mark}`;
}
