/**
 * Set elements as the kernel stores them: intervals sorted, merged when `auto-merge`,
 * turned back into prefixes and ranges the way nft's segtree.c prints them.
 * @module
 */
import type { Const, DType, Expr } from "./ast.js";
import { ADDR_TYPES, constKey, typeBits } from "./dtype.js";

/** Interval [lo, hi] of a set element key. */
export function elemInterval(e: Expr): [bigint, bigint] | undefined {
  if (e.k === "const") {
    const k = constKey(e);
    return [k, k];
  }
  if (e.k === "range") return [constKey(e.lo), constKey(e.hi)];
  if (e.k === "prefix") {
    const w = BigInt(typeBits(e.base.type));
    const lo = constKey(e.base);
    const span = (1n << (w - BigInt(e.len))) - 1n;
    return [lo, lo + span];
  }
  return undefined;
}

function mkConst(type: DType, k: bigint): Const {
  if (type === "ipv6_addr") return { k: "const", type, v: k };
  return { k: "const", type, v: Number(k) };
}

/** Turn [lo, hi] back into the form nft prints (prefix for aligned address ranges). */
export function intervalExpr(type: DType, lo: bigint, hi: bigint): Expr {
  if (lo === hi) return mkConst(type, lo);
  if (ADDR_TYPES.has(type)) {
    const size = hi - lo + 1n;
    if ((size & (size - 1n)) === 0n && (lo & (size - 1n)) === 0n) {
      let bitsN = 0;
      let s = size;
      while (s > 1n) {
        s >>= 1n;
        bitsN++;
      }
      return { k: "prefix", base: mkConst(type, lo), len: typeBits(type) - bitsN };
    }
  }
  return { k: "range", lo: mkConst(type, lo), hi: mkConst(type, hi) };
}

function keyOf(e: Expr): bigint[] {
  if (e.k === "mapping") return keyOf(e.key);
  if (e.k === "concat") return e.items.flatMap(keyOf);
  const iv = elemInterval(e);
  return iv ? [iv[0]] : [0n];
}

function cmpKeys(a: bigint[], b: bigint[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? -1n,
      y = b[i] ?? -1n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function elemType(e: Expr): DType | undefined {
  if (e.k === "const") return e.type;
  if (e.k === "range") return e.lo.type;
  if (e.k === "prefix") return e.base.type;
  if (e.k === "mapping") return elemType(e.key);
  return undefined;
}

export type SetNorm = { ok: true; elems: Expr[] } | { ok: false; msg: string; index: number };

/**
 * Normalise set elements as the kernel stores them and nft lists them: sorted,
 * de-duplicated; interval sets merged when `autoMerge` (else overlaps are refused).
 */
export function normalizeElems(elems: Expr[], interval: boolean, autoMerge: boolean): SetNorm {
  if (!interval) {
    // Interface names with a wildcard make an interval set: byte-wise (big-endian) order.
    const wild = elems.some((e) => e.k === "const" && typeof e.v === "string" && e.v.endsWith("*"));
    const sorted = wild
      ? [...elems].sort((a, b) => {
          const x = a.k === "const" ? String(a.v) : "",
            y = b.k === "const" ? String(b.v) : "";
          return x < y ? -1 : x > y ? 1 : 0;
        })
      : [...elems].sort((a, b) => cmpKeys(keyOf(a), keyOf(b)));
    const out: Expr[] = [];
    for (const e of sorted)
      if (!out.length || cmpKeys(keyOf(out[out.length - 1]!), keyOf(e)) !== 0) out.push(e);
    return { ok: true, elems: out };
  }
  const ivs: { lo: bigint; hi: bigint; type: DType; val?: Expr; i: number }[] = [];
  for (let i = 0; i < elems.length; i++) {
    const e = elems[i]!;
    const key = e.k === "mapping" ? e.key : e;
    const iv = elemInterval(key);
    const type = elemType(key);
    if (!iv || !type) return { ok: false, msg: "unsupported interval element", index: i };
    ivs.push({ lo: iv[0], hi: iv[1], type, val: e.k === "mapping" ? e.value : undefined, i });
  }
  ivs.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : a.hi < b.hi ? -1 : a.hi > b.hi ? 1 : 0));
  const merged: typeof ivs = [];
  for (const iv of ivs) {
    const last = merged[merged.length - 1];
    if (last && iv.lo <= last.hi) {
      if (!autoMerge) {
        if (iv.lo === last.lo && iv.hi === last.hi) continue;
        return { ok: false, msg: "conflicting intervals specified", index: Math.min(iv.i, last.i) };
      }
      if (iv.hi > last.hi) last.hi = iv.hi;
      continue;
    }
    if (last && autoMerge && iv.lo === last.hi + 1n && !iv.val && !last.val) {
      last.hi = iv.hi;
      continue;
    }
    merged.push({ ...iv });
  }
  return {
    ok: true,
    elems: merged.map((m) => {
      const k = intervalExpr(m.type, m.lo, m.hi);
      return m.val ? { k: "mapping", key: k, value: m.val } : k;
    }),
  };
}

function isInterval(elems: Expr[]): boolean {
  return elems.some((e) => {
    const k = e.k === "mapping" ? e.key : e;
    return k.k === "range" || k.k === "prefix";
  });
}

/**
 * Normalise an anonymous set (nft makes it an interval set with auto-merge if any element
 * is a range/prefix).
 */
export function normalizeAnon(elems: Expr[]): Expr[] {
  const iv = isInterval(elems);
  const r = normalizeElems(elems, iv, true);
  return r.ok ? r.elems : elems;
}

/** Arrays that are normalizeElems/addElems results: sorted and merged already. */
const NORMAL = new WeakSet<Expr[]>();

function isWild(e: Expr): boolean {
  return e.k === "const" && typeof e.v === "string" && e.v.endsWith("*");
}

/** First index in `out` whose key is not below `key` (binary search). */
function lowerBound(out: Expr[], below: (e: Expr) => boolean): number {
  let lo = 0,
    hi = out.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (below(out[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One interval element into sorted, disjoint `out`; false when it touches a neighbour. */
function insertInterval(out: Expr[], e: Expr, autoMerge: boolean): boolean {
  const key = e.k === "mapping" ? e.key : e;
  const iv = elemInterval(key);
  const type = elemType(key);
  if (!iv || !type) return false;
  const ivOf = (x: Expr) => elemInterval(x.k === "mapping" ? x.key : x)!;
  const at = lowerBound(out, (x) => ivOf(x)[0] < iv[0]);
  const prev = at > 0 ? ivOf(out[at - 1]!) : undefined;
  const next = at < out.length ? ivOf(out[at]!) : undefined;
  const gap = autoMerge ? 1n : 0n;
  if (prev && prev[1] + gap >= iv[0]) return false;
  if (next && iv[1] + gap >= next[0]) return false;
  const k = intervalExpr(type, iv[0], iv[1]);
  out.splice(at, 0, e.k === "mapping" ? { k: "mapping", key: k, value: e.value } : k);
  return true;
}

/**
 * `normalizeElems(old ++ added)` for an `old` that is already normal, inserting each new
 * element by binary search: one-per-line `nft add element` stays linear where a sort of
 * the whole set per line was quadratic. Overlaps and merges take the full path.
 */
export function addElems(
  old: Expr[],
  added: Expr[],
  interval: boolean,
  autoMerge: boolean,
): SetNorm {
  const full = () => mark(normalizeElems([...old, ...added], interval, autoMerge));
  if (old.length && !NORMAL.has(old)) return full();
  const out = old.slice();
  const wild = old.some(isWild);
  for (const e of added) {
    if (interval) {
      if (!insertInterval(out, e, autoMerge)) return full();
      continue;
    }
    if (wild || isWild(e)) return full();
    const key = keyOf(e);
    const at = lowerBound(out, (x) => cmpKeys(keyOf(x), key) < 0);
    if (at < out.length && cmpKeys(keyOf(out[at]!), key) === 0) continue;
    out.splice(at, 0, e);
  }
  return mark({ ok: true, elems: out });
}

function mark(r: SetNorm): SetNorm {
  if (r.ok) NORMAL.add(r.elems);
  return r;
}
