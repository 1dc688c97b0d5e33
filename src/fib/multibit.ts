/**
 * Kept whole: the three trie shapes share one layout (levels, pool, leaf pushing) and one
 * update path; apart, each would repeat it.
 *
 * Leaf-pushed multibit tries in typed arrays: DIR-24-8 for big IPv4 tables, a 16-4-4-4-4
 * trie for medium IPv4 tables, and a 16-8-8-4-4-… trie for IPv6.
 *
 * Layout. Level 0 (the root) is a flat `Int32Array` indexed by the top `stride[0]` bits;
 * deeper nodes are `2^stride[k]`-entry slices of one shared pool. An entry holds either an id
 * (>= 0), -1 (nothing but /0, if any), or a child pointer `-2 - offset` (<= -2). Every entry
 * holds the *complete* longest match for its address range (leaf pushing), so a lookup is one
 * load per level and stops at the first non-pointer: DIR-24-8 is one load for ≤/24 and two
 * otherwise.
 * A prefix of length L lives in the first level k with `base[k] + stride[k] >= L` and covers
 * `2^(base[k] + stride[k] - L)` consecutive entries of its node.
 *
 * Updates without rebuild. Prefixes are nested or disjoint. Inside the range of a new prefix P,
 * every entry (and every entry of the nodes below it) holds either P's parent `gp` (the longest
 * prefix strictly containing P) or a prefix nested in P. So inserting P rewrites `gp -> P`
 * over its range and removing P rewrites `P -> gp`: no per-slot lengths are needed. The same
 * sweep fixes the parent map: each nested value is walked up its parent chain to the prefix
 * whose parent was `gp` (insert) or P (remove), which gets re-parented. Each pool node counts
 * the prefixes living in it plus its child nodes; at zero it is freed and its parent entry
 * gets the (uniform) value back. Cost is proportional to the covered range: one entry for a
 * /24 in DIR-24-8, 256 for a /16, 65,536 for a /8, 2^23 for a /1.
 *
 * The /0 prefix is virtual: it is never written into the tables (a default-route change stays
 * O(1) on a full table). -1 in an entry or in the parent map means "fall back to /0".
 * /1-/7 are virtual as well (a 256-entry table by the top 8 bits), so no change rewrites
 * more than the entries of a /8 (65,536 in DIR-24-8, 256 at the 2^16 roots).
 *
 * Per id the structure keeps length, address and parent (arrays indexed by id, grown to the
 * largest id), which gives `parentOf` in O(1) and exact match by walking up from `lookup`.
 *
 * Over 500 lines on purpose: the three backends share this layout and its leaf-pushing
 * helpers, which only make sense read together.
 * @module
 */
import { checkId, checkLen, idInUse, MASK4, MASK6, toWords } from "./bits.js";
import type { Lpm4, Lpm6 } from "./types.js";

const FREE = 255;

/** A parent chain longer than the address width means the structure is corrupt (a bug). */
function broken(): Error {
  return new Error("LPM invariant broken: parent chain too long");
}

/** The shared engine; subclasses add the family-typed API and an unrolled lookup. */
abstract class MultibitCore {
  /** Level-0 table. */
  protected root: Int32Array;
  /** Nodes of levels >= 1. */
  protected pool: Int32Array;
  private top = 0;
  /** Per pool node (indexed by offset >>> cntShift): prefixes living in it + child nodes. */
  private cnt: Int32Array;
  private readonly cntShift: number;
  private readonly freeNodes: number[][];
  /** Live pool nodes (for tests and memory accounting). */
  nodeCount = 0;

  private readonly base: Int32Array;
  private readonly stride: Int32Array;
  private readonly word: Int32Array;
  private readonly shift: Int32Array;
  private readonly mask: Int32Array;
  private readonly levelOfLen: Uint8Array;
  private readonly pathNode: Int32Array;
  private readonly pathIdx: Int32Array;

  /** Scratch: the normalised address of the current operation, as words. */
  protected readonly W = new Int32Array(4);
  /** Words per address: 1 (v4) or 4 (v6). */
  protected readonly nw: number;

  protected idLen = new Uint8Array(0);
  protected idPar = new Int32Array(0);
  protected idAddr = new Int32Array(0);
  private n = 0;
  /**
   * The /0 prefix's id, or -1. It is never written into the tables: -1 there means "fall back to
   * it".
   */
  protected def = -1;
  /**
   * Prefixes shorter than `vbits` are virtual too: kept in `vid`, never written into the
   * tables, so adding or removing a /1 costs 2^(vbits-1) small writes instead of rewriting
   * half of tbl24. 1: only /0 (the default).
   */
  private readonly vbits: number;
  /** vid[(1 << len) + top len bits] = the id of that short prefix (len 1..vbits-1), or -1. */
  private readonly vid: Int32Array;
  /**
   * Per block of the top vbits bits: the longest short prefix covering it, else the /0, else -1
   * (vbits > 1 only).
   */
  protected readonly vbest: Int32Array;

  constructor(
    readonly width: 32 | 128,
    strides: readonly number[],
    poolNodes: number,
    vbits = 1,
  ) {
    if (vbits < 1 || vbits > strides[0]!)
      throw new Error("virtual prefix lengths must end inside the first level");
    this.vbits = vbits;
    this.vid = new Int32Array(1 << vbits).fill(-1);
    this.vbest = new Int32Array(1 << vbits).fill(-1);
    this.nw = width === 32 ? 1 : 4;
    const L = strides.length;
    this.base = new Int32Array(L);
    this.stride = new Int32Array(strides);
    this.word = new Int32Array(L);
    this.shift = new Int32Array(L);
    this.mask = new Int32Array(L);
    this.levelOfLen = new Uint8Array(width + 1);
    this.pathNode = new Int32Array(L);
    this.pathIdx = new Int32Array(L);
    let b = 0,
      minStride = 31;
    for (let k = 0; k < L; k++) {
      const s = strides[k]!;
      if ((b & 31) + s > 32) throw new Error("a level may not cross a 32-bit word");
      this.base[k] = b;
      this.word[k] = b >>> 5;
      this.shift[k] = 32 - (b & 31) - s;
      this.mask[k] = (1 << s) - 1;
      if (k > 0) minStride = Math.min(minStride, s);
      b += s;
    }
    if (b !== width) throw new Error("strides must add up to the address width");
    for (let len = 0, k = 0; len <= width; len++) {
      while (this.base[k]! + this.stride[k]! < len) k++;
      this.levelOfLen[len] = k;
    }
    this.root = new Int32Array(1 << strides[0]!).fill(-1);
    this.cntShift = minStride;
    this.pool = new Int32Array(poolNodes << minStride);
    this.cnt = new Int32Array(poolNodes);
    this.freeNodes = strides.map(() => []);
  }

  get size(): number {
    return this.n;
  }

  /** Index of the scratch address W at level k. */
  private idx(k: number): number {
    return (this.W[this.word[k]!]! >>> this.shift[k]!) & this.mask[k]!;
  }

  /** Full LPM of the scratch address. */
  private lookupW(): number {
    let e = this.root[this.idx(0)]!;
    for (let k = 1; e < -1; k++) e = this.pool[-2 - e + this.idx(k)]!;
    return e;
  }

  /** The exact prefix (W, len) if present, else its would-be parent (or -1). */
  private chain(len: number): number {
    let v = this.lookupW();
    for (let steps = 0; v >= 0 && this.idLen[v]! > len; steps++) {
      if (steps > this.width) throw broken();
      v = this.idPar[v]!;
    }
    return v;
  }

  protected load4(addr: number, len: number): void {
    checkLen(len, 32);
    this.W[0] = addr & MASK4[len]!;
  }

  protected load6(addr: bigint, len: number): void {
    checkLen(len, 128);
    toWords(addr, this.W);
    for (let k = 0; k < 4; k++) this.W[k] = this.W[k]! & MASK6[len * 4 + k]!;
  }

  private isFreeId(id: number): boolean {
    return id >= this.idLen.length || this.idLen[id] === FREE;
  }

  private setMeta(id: number, len: number, parent: number): void {
    if (id >= this.idLen.length) {
      const cap = Math.max(id + 1, this.idLen.length * 2, 64);
      const l = new Uint8Array(cap).fill(FREE);
      l.set(this.idLen);
      const p = new Int32Array(cap);
      p.set(this.idPar);
      const a = new Int32Array(cap * this.nw);
      a.set(this.idAddr);
      this.idLen = l;
      this.idPar = p;
      this.idAddr = a;
    }
    this.idLen[id] = len;
    this.idPar[id] = parent;
    for (let k = 0; k < this.nw; k++) this.idAddr[id * this.nw + k] = this.W[k]!;
  }

  private alloc(k: number, fill: number): number {
    const size = 1 << this.stride[k]!;
    let off = this.freeNodes[k]!.pop();
    if (off === undefined) {
      off = this.top;
      this.top += size;
      if (this.top > this.pool.length) {
        const p = new Int32Array(Math.max(this.top, Math.ceil(this.pool.length * 1.5)));
        p.set(this.pool);
        this.pool = p;
        const c = new Int32Array(p.length >>> this.cntShift);
        c.set(this.cnt);
        this.cnt = c;
      }
    }
    this.pool.fill(fill, off, off + size);
    this.cnt[off >>> this.cntShift] = 0;
    this.nodeCount++;
    return off;
  }

  /**
   * In `count` entries of node `node` (-1 = root) at level k from `start`: entries equal to
   * `from` become `to`, child nodes are rewritten whole, and every other (nested) prefix is
   * re-parented from `from` to `to` at the top of its chain.
   */
  private rewrite(
    node: number,
    k: number,
    start: number,
    count: number,
    from: number,
    to: number,
  ): void {
    const arr = node < 0 ? this.root : this.pool;
    const par = this.idPar;
    let last = -1;
    for (let i = (node < 0 ? 0 : node) + start, end = i + count; i < end; i++) {
      const e = arr[i]!;
      if (e === from) arr[i] = to;
      else if (e < -1) this.rewrite(-2 - e, k + 1, 0, 1 << this.stride[k + 1]!, from, to);
      else if (e !== last && e >= 0) {
        last = e;
        for (let c = e, steps = 0; ; steps++) {
          const p = par[c]!;
          if (p === from) {
            par[c] = to;
            break;
          }
          if (p === to || p < 0) break;
          if (steps > this.width) throw broken();
          c = p;
        }
      }
    }
  }

  /** Recompute vbest for the blocks [lo, hi). */
  private refreshV(lo: number, hi: number): void {
    const vb = this.vbits,
      vid = this.vid;
    for (let b = lo; b < hi; b++) {
      let best = this.def;
      for (let l = vb - 1; l >= 1; l--) {
        const x = vid[(1 << l) + (b >>> (vb - l))]!;
        if (x >= 0) {
          best = x;
          break;
        }
      }
      this.vbest[b] = best;
    }
  }

  /** The blocks of the short scratch prefix of length len. */
  private vspan(len: number): [number, number] {
    const top = this.W[0]! >>> (32 - len),
      span = this.vbits - len;
    return [top << span, (top + 1) << span];
  }

  /** Insert the scratch prefix (W, len). */
  protected insertW(len: number, id: number): void {
    checkId(id);
    if (len === 0) {
      if (this.def === id) return;
      if (!this.isFreeId(id)) throw idInUse(id);
      this.setMeta(id, 0, -1);
      if (this.def >= 0) this.idLen[this.def] = FREE;
      else this.n++;
      this.def = id;
      if (this.vbits > 1) this.refreshV(0, 1 << this.vbits);
      return;
    }
    if (len < this.vbits) {
      const k = (1 << len) + (this.W[0]! >>> (32 - len)),
        old = this.vid[k]!;
      if (old === id) return;
      if (!this.isFreeId(id)) throw idInUse(id);
      this.setMeta(id, len, -1);
      if (old >= 0) this.idLen[old] = FREE;
      else this.n++;
      this.vid[k] = id;
      const [lo, hi] = this.vspan(len);
      this.refreshV(lo, hi);
      return;
    }
    const v = this.chain(len);
    const lv = this.levelOfLen[len]!;
    const count = 1 << (this.base[lv]! + this.stride[lv]! - len);
    if (v >= 0 && this.idLen[v] === len) {
      if (v === id) return;
      if (!this.isFreeId(id)) throw idInUse(id);
      this.setMeta(id, len, this.idPar[v]!);
      let node = -1;
      for (let k = 0; k < lv; k++)
        node = -2 - (node < 0 ? this.root[this.idx(k)]! : this.pool[node + this.idx(k)]!);
      this.rewrite(node, lv, this.idx(lv), count, v, id);
      this.idLen[v] = FREE;
      return;
    }
    if (!this.isFreeId(id)) throw idInUse(id);
    this.setMeta(id, len, v);
    let node = -1;
    for (let k = 0; k < lv; k++) {
      const i = (node < 0 ? 0 : node) + this.idx(k);
      const e = node < 0 ? this.root[i]! : this.pool[i]!;
      if (e < -1) {
        node = -2 - e;
        continue;
      }
      const c = this.alloc(k + 1, e);
      if (node < 0) this.root[i] = -2 - c;
      else {
        this.pool[i] = -2 - c;
        this.cnt[node >>> this.cntShift]!++;
      }
      node = c;
    }
    if (node >= 0) this.cnt[node >>> this.cntShift]!++;
    this.rewrite(node, lv, this.idx(lv), count, v, id);
    this.n++;
  }

  /** Remove the scratch prefix (W, len). */
  protected removeW(len: number): boolean {
    if (len === 0) {
      if (this.def < 0) return false;
      this.idLen[this.def] = FREE;
      this.def = -1;
      this.n--;
      if (this.vbits > 1) this.refreshV(0, 1 << this.vbits);
      return true;
    }
    if (len < this.vbits) {
      const k = (1 << len) + (this.W[0]! >>> (32 - len)),
        old = this.vid[k]!;
      if (old < 0) return false;
      this.vid[k] = -1;
      this.idLen[old] = FREE;
      this.n--;
      const [lo, hi] = this.vspan(len);
      this.refreshV(lo, hi);
      return true;
    }
    const old = this.chain(len);
    if (old < 0 || this.idLen[old] !== len) return false;
    const gp = this.idPar[old]!;
    const lv = this.levelOfLen[len]!;
    let node = -1;
    for (let k = 0; k < lv; k++) {
      const i = this.idx(k);
      this.pathNode[k] = node;
      this.pathIdx[k] = i;
      node = -2 - (node < 0 ? this.root[i]! : this.pool[node + i]!);
    }
    this.rewrite(node, lv, this.idx(lv), 1 << (this.base[lv]! + this.stride[lv]! - len), old, gp);
    this.idLen[old] = FREE;
    this.n--;
    for (let k = lv; k > 0 && --this.cnt[node >>> this.cntShift]! === 0; k--) {
      const fill = this.pool[node]!;
      this.freeNodes[k]!.push(node);
      this.nodeCount--;
      const pn = this.pathNode[k - 1]!,
        pi = this.pathIdx[k - 1]!;
      if (pn < 0) {
        this.root[pi] = fill;
        break;
      }
      this.pool[pn + pi] = fill;
      node = pn;
    }
    return true;
  }

  clear(): void {
    this.root.fill(-1);
    this.top = 0;
    for (const l of this.freeNodes) l.length = 0;
    this.nodeCount = 0;
    this.idLen.fill(FREE);
    this.def = -1;
    this.vid.fill(-1);
    this.vbest.fill(-1);
    this.n = 0;
  }

  protected getW(len: number): number {
    if (len === 0) return this.def;
    if (len < this.vbits) return this.vid[(1 << len) + (this.W[0]! >>> (32 - len))]!;
    const v = this.chain(len);
    return v >= 0 && this.idLen[v] === len ? v : -1;
  }

  parentOf(id: number): number {
    if (id < 0 || id >= this.idLen.length || this.idLen[id] === FREE) return -1;
    const p = this.idPar[id]!;
    if (p >= 0 || id === this.def) return p;
    if (this.vbits === 1) return this.def;
    const len = this.idLen[id]!,
      a = this.idAddr[id * this.nw]!;
    if (len >= this.vbits) return this.vbest[a >>> (32 - this.vbits)]!;
    // a short prefix: the next shorter short one, else the /0
    for (let l = len - 1; l >= 1; l--) {
      const x = this.vid[(1 << l) + (a >>> (32 - l))]!;
      if (x >= 0) return x;
    }
    return this.def;
  }

  /** Bytes held in typed arrays (root, pool, per-node counts, per-id arrays). */
  get bytes(): number {
    return (
      this.root.byteLength +
      this.pool.byteLength +
      this.cnt.byteLength +
      this.idLen.byteLength +
      this.idPar.byteLength +
      this.idAddr.byteLength +
      this.vid.byteLength +
      this.vbest.byteLength
    );
  }

  /** Live ids in id order (a snapshot). */
  protected liveIds(): number[] {
    const out: number[] = [];
    for (let id = 0; id < this.idLen.length; id++) if (this.idLen[id] !== FREE) out.push(id);
    return out;
  }
}

/** DIR-24-8 for large IPv4 tables: tbl24 is 2^24 int32 (64 MiB), tbl8 groups of 256. */
export class Lpm4Dir248 extends MultibitCore implements Lpm4 {
  /**
   * `groups`: tbl8 groups to allocate up front (a BGP-like table needs about one per 120 prefixes).
   */
  constructor(groups = 64) {
    super(32, [24, 8], Math.max(64, groups), 8);
  }

  lookup(a: number): number {
    let e = this.root[a >>> 8]!;
    if (e < -1) e = this.pool[-2 - e + (a & 255)]!;
    // -1: no prefix of /8 or longer; the short ones (/0-/7) are looked up by the top 8 bits
    return e >= 0 ? e : this.vbest[a >>> 24]!;
  }
  insert(addr: number, len: number, id: number): void {
    this.load4(addr, len);
    this.insertW(len, id);
  }
  remove(addr: number, len: number): boolean {
    this.load4(addr, len);
    return this.removeW(len);
  }
  get(addr: number, len: number): number {
    this.load4(addr, len);
    return this.getW(len);
  }
  forEach(fn: (addr: number, len: number, id: number) => void): void {
    for (const id of this.liveIds()) fn(this.idAddr[id]! >>> 0, this.idLen[id]!, id);
  }
}

/** Medium IPv4 tables: a 2^16 root (256 KiB) then four 4-bit levels of 16-entry (64-byte) nodes. */
export class Lpm4Multibit extends MultibitCore implements Lpm4 {
  constructor() {
    super(32, [16, 4, 4, 4, 4], 256, 8);
  }

  lookup(a: number): number {
    let e = this.root[a >>> 16]!;
    if (e < -1) {
      const p = this.pool;
      e = p[-2 - e + ((a >>> 12) & 15)]!;
      if (e < -1) {
        e = p[-2 - e + ((a >>> 8) & 15)]!;
        if (e < -1) {
          e = p[-2 - e + ((a >>> 4) & 15)]!;
          if (e < -1) e = p[-2 - e + (a & 15)]!;
        }
      }
    }
    return e >= 0 ? e : this.vbest[a >>> 24]!;
  }
  insert(addr: number, len: number, id: number): void {
    this.load4(addr, len);
    this.insertW(len, id);
  }
  remove(addr: number, len: number): boolean {
    this.load4(addr, len);
    return this.removeW(len);
  }
  get(addr: number, len: number): number {
    this.load4(addr, len);
    return this.getW(len);
  }
  forEach(fn: (addr: number, len: number, id: number) => void): void {
    for (const id of this.liveIds()) fn(this.idAddr[id]! >>> 0, this.idLen[id]!, id);
  }
}

/** The IPv6 level schedule: 16, 8, 8 (to /32), then 24 levels of 4 bits. */
const STRIDES6 = [16, 8, 8, ...new Array<number>(24).fill(4)];

/** IPv6 tables of any size: a 2^16 root, two 8-bit levels, then 4-bit levels (64-byte nodes). */
export class Lpm6Multibit extends MultibitCore implements Lpm6 {
  /** `nodes`: 64-byte nodes to allocate up front (a BGP-like table needs about 2.4 per prefix). */
  constructor(nodes = 1024) {
    super(128, STRIDES6, Math.max(1024, Math.ceil(nodes)), 8);
  }

  lookup(addr: bigint): number {
    toWords(addr, this.W);
    return this.lookup6w(this.W[0]!, this.W[1]!, this.W[2]!, this.W[3]!);
  }

  lookup6w(w0: number, w1: number, w2: number, w3: number): number {
    let e = this.root[w0 >>> 16]!;
    if (e < -1) {
      const p = this.pool;
      e = p[-2 - e + ((w0 >>> 8) & 255)]!;
      if (e < -1) {
        e = p[-2 - e + (w0 & 255)]!;
        for (let s = 28; e < -1 && s >= 0; s -= 4) e = p[-2 - e + ((w1 >>> s) & 15)]!;
        for (let s = 28; e < -1 && s >= 0; s -= 4) e = p[-2 - e + ((w2 >>> s) & 15)]!;
        for (let s = 28; e < -1 && s >= 0; s -= 4) e = p[-2 - e + ((w3 >>> s) & 15)]!;
      }
    }
    return e >= 0 ? e : this.vbest[w0 >>> 24]!;
  }
  insert(addr: bigint, len: number, id: number): void {
    this.load6(addr, len);
    this.insertW(len, id);
  }
  remove(addr: bigint, len: number): boolean {
    this.load6(addr, len);
    return this.removeW(len);
  }
  get(addr: bigint, len: number): number {
    this.load6(addr, len);
    return this.getW(len);
  }
  forEach(fn: (addr: bigint, len: number, id: number) => void): void {
    const a = this.idAddr;
    for (const id of this.liveIds()) {
      const b = id * 4;
      const v =
        (BigInt(a[b]! >>> 0) << 96n) |
        (BigInt(a[b + 1]! >>> 0) << 64n) |
        (BigInt(a[b + 2]! >>> 0) << 32n) |
        BigInt(a[b + 3]! >>> 0);
      fn(v, this.idLen[id]!, id);
    }
  }
}
