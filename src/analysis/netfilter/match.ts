/**
 * One symbolic match (netfilter/symbolic.ts) as the set of packets it accepts, given the
 * mark vectors of the packets tested and what the hook knows (devices, conntrack state).
 * `undefined` means the analysis cannot say exactly: the walk then refuses those packets,
 * naming the rule.
 * @module
 */
import type { Addr } from "../../addr/ip.js";
import type { NfSymAddr, NfSymMatch } from "../../netfilter/symbolic.js";
import type { CtState } from "../../netfilter/types.js";
import { not, or, orAll } from "../bdd/apply.js";
import { type Bdd, type BddArena, FALSE, TRUE } from "../bdd/arena.js";
import { embed, eq, maskedEq, range } from "../header.js";
import { type MarkVec, maskedTest } from "./markvec.js";

/** What a hook knows about the packets it runs on. */
export interface HookCtx {
  readonly m: BddArena;
  readonly family: 4 | 6;
  /** The ingress device name ("" in OUTPUT). */
  readonly iif: string;
  /**
   * The packets whose egress device matches a name pattern (the first route's device in
   * OUTPUT); undefined when some packet's device is not one name (multipath).
   */
  readonly oif: (pattern: string) => Bdd | undefined;
  /** Whether the packets have a socket (locally generated). */
  readonly socket: boolean;
  /**
   * Received packets (PREROUTING): their source address is the header's src, they have no
   * output device yet (oifname breaks) and TPROXY may assign them a socket.
   */
  readonly received?: boolean;
  /** TPROXY is allowed (the PREROUTING hook). */
  readonly tproxy?: boolean;
  /** The packets whose address in `field` the local table gives one of `types` (addrtype). */
  readonly addrType?: (field: "src" | "dst", types: readonly string[]) => Bdd;
  /** The conntrack state chains see, or undefined before the conntrack hook (no entry). */
  readonly ctstate?: CtState;
  /** Compiled address sets by content (ipsets and nft sets of thousands of prefixes). */
  readonly sets?: Map<string, Bdd>;
}

/** The marks of the packets a match is tested on. */
export interface Marks {
  readonly mark: MarkVec;
  readonly ct: MarkVec;
}

/** `name` against an iptables (`eth+`) or nft (`eth*`) pattern. */
export function ifaceMatches(pattern: string, name: string): boolean {
  const last = pattern[pattern.length - 1];
  if (last === "+" || last === "*") return name.startsWith(pattern.slice(0, -1));
  return name === pattern;
}

const W = (fam: 4 | 6, a: Addr): bigint => embed(a) >> (fam === 4 ? 96n : 0n);

type AddrField = "dst" | "src";

/** An address in one item: a mask over the field, or a range. */
function addrItem(c: HookCtx, it: NfSymAddr, f: AddrField): Bdd {
  if ("mask" in it) {
    if (it.addr.family !== c.family) return FALSE;
    const v = embed(it.addr) & embed(it.mask);
    return maskedEq(c.m, f, v, embed(it.mask));
  }
  if (it.lo.family !== c.family) return FALSE;
  const shift = c.family === 4 ? 96n : 0n;
  const lo = W(c.family, it.lo) << shift;
  const hi = (W(c.family, it.hi) << shift) | ((1n << shift) - 1n);
  return range(c.m, f, lo, hi);
}

/** Compiled sets by items array (front-ends keep an unchanged set's array). */
const BY_ARRAY = new WeakMap<BddArena, WeakMap<readonly NfSymAddr[], Bdd[]>>();

/** The union of address items, cached by array and by content for big sets. */
function addrSet(c: HookCtx, items: readonly NfSymAddr[], f: AddrField): Bdd {
  let arrays = BY_ARRAY.get(c.m);
  if (!arrays) BY_ARRAY.set(c.m, (arrays = new WeakMap()));
  const fam = (c.family === 4 ? 0 : 1) + (f === "src" ? 2 : 0);
  const hit = arrays.get(items)?.[fam];
  if (hit !== undefined) return hit;
  const r = addrSetByContent(c, items, f);
  const slot = arrays.get(items) ?? [];
  slot[fam] = r;
  arrays.set(items, slot);
  return r;
}

function addrSetByContent(c: HookCtx, items: readonly NfSymAddr[], f: AddrField): Bdd {
  const text = (it: NfSymAddr) =>
    "mask" in it ? `${it.addr.v}/${it.mask.v}` : `${it.lo.v}-${it.hi.v}`;
  const key =
    items.length > 8 && c.sets ? `${c.family}|${f}|${items.map(text).join(",")}` : undefined;
  const known = key === undefined ? undefined : c.sets!.get(key);
  if (known !== undefined) return known;
  const preds = items.map((it) => addrItem(c, it, f));
  const r = orAll(c.m, preds);
  if (key !== undefined) c.sets!.set(key, r);
  return r;
}

function ranges(c: HookCtx, field: "sport" | "dport" | "uid", rs: NfSymRanges): Bdd {
  let r = FALSE;
  for (const [lo, hi] of rs) r = or(c.m, r, range(c.m, field, lo, hi));
  return r;
}
type NfSymRanges = readonly (readonly [number, number])[];

/** The packets the match accepts, before `inv`; undefined when not exact. */
function positive(c: HookCtx, x: NfSymMatch, marks: Marks): Bdd | undefined {
  const m = c.m;
  switch (x.kind) {
    case "const":
      return x.value ? TRUE : FALSE;
    case "family":
      return x.family === c.family ? TRUE : FALSE;
    case "unknown":
      return undefined;
    case "addr": {
      // The source address locally generated packets get is chosen per route and
      // destination (inet_select_addr, ipv6_dev_get_saddr): not in the header. A received
      // packet's is.
      if (x.field === "saddr") return c.received ? addrSet(c, x.items, "src") : undefined;
      return addrSet(c, x.items, "dst");
    }
    case "iface": {
      if (x.field === "iif") return x.names.some((n) => ifaceMatches(n, c.iif)) ? TRUE : FALSE;
      let r = FALSE;
      for (const n of x.names) {
        const p = c.oif(n);
        if (p === undefined) return undefined;
        r = or(m, r, p);
      }
      return r;
    }
    case "proto": {
      let r = FALSE;
      for (const p of x.protos) r = or(m, r, eq(m, "ipproto", p));
      return r;
    }
    case "port":
      if (x.field !== "any") return ranges(c, x.field, x.ranges);
      return or(m, ranges(c, "sport", x.ranges), ranges(c, "dport", x.ranges));
    case "bits":
      if (x.field === "ctmark" && c.ctstate === undefined) return undefined;
      return maskedTest(m, x.field === "mark" ? marks.mark : marks.ct, x.value, x.mask);
    case "ctstate":
      return x.states.includes(c.ctstate ?? "invalid") ? TRUE : FALSE;
    case "addrtype": {
      // A locally generated packet's source is not in the header (see "addr" above).
      if (!c.addrType || (x.field === "saddr" && !c.received)) return undefined;
      return c.addrType(x.field === "saddr" ? "src" : "dst", x.types);
    }
    case "owner":
      if (x.field === "gid") return undefined;
      return ranges(c, "uid", x.ranges);
  }
}

/** The packets the match accepts (inversion applied), or undefined when not exact. */
export function matchPred(c: HookCtx, x: NfSymMatch, marks: Marks): Bdd | undefined {
  if (x.kind === "owner" && !c.socket) return x.noSocket ? TRUE : FALSE;
  if (x.kind === "iface" && x.breakOnEmpty && x.field === "iif" && c.iif === "") return FALSE;
  // Before the input route lookup a received packet has no output device.
  if (x.kind === "iface" && x.breakOnEmpty && x.field === "oif" && c.received) return FALSE;
  const p = positive(c, x, marks);
  if (p === undefined) return undefined;
  return x.kind !== "const" && x.kind !== "unknown" && x.inv ? not(c.m, p) : p;
}
