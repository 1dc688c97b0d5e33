/**
 * Multipath nexthop selection, bit-exact with the Linux kernel (checked against 6.18).
 *
 * Two steps, as in the kernel:
 *
 * 1. {@link multipathHash}: the 31-bit flow hash. IPv4 is `fib_multipath_hash()`
 *    (net/ipv4/route.c), IPv6 is `rt6_multipath_hash()` (net/ipv6/route.c). Both fill a
 *    zeroed `struct flow_keys` (include/net/flow_dissector.h) and call
 *    `fib_multipath_hash_from_keys()` (include/net/ip_fib.h), which is
 *    `flow_hash_from_keys_seed()` -> `__flow_hash_from_keys()` (net/core/flow_dissector.c):
 *    `__flow_hash_consistentify()` then SipHash-2-4 over the struct bytes from `basic` on,
 *    low 32 bits, 0 mapped to 1, and finally `>> 1`.
 * 2. {@link selectNexthop}: the weighted choice. Upper bounds come from `fib_rebalance()`
 *    (net/ipv4/fib_semantics.c) / `rt6_upper_bound_set()` (net/ipv6/route.c); IPv4 picks with
 *    `fib_select_multipath()`, IPv6 with `fib6_select_path()`.
 *
 * The SipHash key. `net.ipv4.fib_multipath_hash_seed` (one sysctl, used by IPv6 too) is a u32
 * written in decimal. `proc_fib_multipath_hash_set_seed()` (net/ipv4/sysctl_net_ipv4.c) stores
 * `mp_seed = user_seed ? user_seed : proc_fib_multipath_hash_rand_seed`, and
 * `fib_multipath_hash_construct_key()` makes `key[0] = key[1] = (u64)mp_seed << 32 | mp_seed`.
 * With the sysctl unset (or written as 0) the key is built from a random u32 drawn once per
 * boot (`proc_fib_multipath_hash_init_rand_seed()`), invisible to user space: the choice is
 * then stable on that machine but not predictable here, so {@link multipathHash} returns
 * `undefined`. Callers then fall back to the first live nexthop (what the kernel's lookup
 * had chosen before the hash, `res->nh_sel` from `fib_table_lookup()`), and should say the
 * answer is only one of the possible ones.
 *
 * What `ip route get` feeds in (this is what the function models):
 * - IPv4 (`inet_rtm_getroute()`): the kernel builds a dummy skb (`inet_rtm_getroute_build_skb()`)
 *   and hashes it, on the output and on the input (`iif`) path alike. Without `ipproto` the
 *   protocol is UDP (17); the kernel accepts only TCP, UDP and ICMP
 *   (`rtm_getroute_parse_ip_proto()`). Only TCP/UDP get a transport header, so with policy 1
 *   the ports count only for TCP and UDP (ICMP hashes ports 0).
 *   Policy 0 hashes saddr/daddr only (`ip_multipath_l3_keys()`); policy 1 adds ip_proto
 *   and ports.
 * - IPv6 (`inet6_rtm_getroute()`): no skb, the hash comes from the flowi6. Without
 *   `ipproto` the protocol is 0. Policy 0 hashes saddr, daddr, flow label (0: iproute2 cannot
 *   set it) **and the protocol**; policy 1 hashes saddr, daddr, protocol and both ports
 *   (for any protocol, as given).
 * - saddr is the `from` address as given (0.0.0.0 / :: when absent): the hash runs before
 *   the source address is chosen.
 * - With an output interface (`oif`), IPv4 skips the hash entirely (`fib_select_path()`:
 *   `if (fl4->flowi4_oif) goto check_saddr`). IPv6 still hashes (`ip6_pol_route()` passes
 *   have_oif_match = false) but keeps the lookup's own pick when the hashed nexthop scores
 *   negative in `rt6_score_route()` (another device under RT6_LOOKUP_F_IFACE). Both are the
 *   caller's business (read from the source, not exercised by the live test).
 * - Policy 2 (inner L3) equals policy 0 for packets without encapsulation (route get never
 *   has one). Policy 3 (custom fields) and nexthop objects (`nhid`, resilient groups) are not
 *   modelled: `undefined` / not applicable.
 *
 * @example
 * ```ts
 * const alive = [true, true];
 * const h = multipathHash(flow, { policy: 0, seed: 12345 });
 * // No seed: the kernel's pick is not knowable; report the first live nexthop as "one of".
 * const i = h === undefined ? alive.indexOf(true) : selectNexthop([1, 3], alive, h);
 * ```
 * @module
 */
import type { Flow } from "./types.js";

/** Options of {@link multipathHash}. */
export interface MultipathHashOptions {
  /** `net.ipv4.fib_multipath_hash_policy` (IPv4) or `net.ipv6.fib_multipath_hash_policy` (IPv6). */
  policy: number;
  /** `net.ipv4.fib_multipath_hash_seed` (u32); `undefined` or 0 = the per-boot random key. */
  seed: number | undefined;
}

// --- SipHash-2-4 on 32-bit halves (lib/siphash.c), no allocation -------------------------

let v0h = 0,
  v0l = 0,
  v1h = 0,
  v1l = 0,
  v2h = 0,
  v2l = 0,
  v3h = 0,
  v3l = 0;

/** SIPROUND (include/linux/siphash.h). */
function sipRound(): void {
  let h: number, l: number;
  // v0 += v1; v1 = rol64(v1, 13); v1 ^= v0; v0 = rol64(v0, 32);
  l = (v0l + v1l) >>> 0;
  v0h = (v0h + v1h + (l < v0l ? 1 : 0)) >>> 0;
  v0l = l;
  h = v1h;
  l = v1l;
  v1h = ((h << 13) | (l >>> 19)) ^ v0h;
  v1l = ((l << 13) | (h >>> 19)) ^ v0l;
  h = v0h;
  v0h = v0l;
  v0l = h;
  // v2 += v3; v3 = rol64(v3, 16); v3 ^= v2;
  l = (v2l + v3l) >>> 0;
  v2h = (v2h + v3h + (l < v2l ? 1 : 0)) >>> 0;
  v2l = l;
  h = v3h;
  l = v3l;
  v3h = ((h << 16) | (l >>> 16)) ^ v2h;
  v3l = ((l << 16) | (h >>> 16)) ^ v2l;
  // v0 += v3; v3 = rol64(v3, 21); v3 ^= v0;
  v3h >>>= 0;
  v3l >>>= 0;
  l = (v0l + v3l) >>> 0;
  v0h = (v0h + v3h + (l < v0l ? 1 : 0)) >>> 0;
  v0l = l;
  h = v3h;
  l = v3l;
  v3h = (((h << 21) | (l >>> 11)) ^ v0h) >>> 0;
  v3l = (((l << 21) | (h >>> 11)) ^ v0l) >>> 0;
  // v2 += v1; v1 = rol64(v1, 17); v1 ^= v2; v2 = rol64(v2, 32);
  v1h >>>= 0;
  v1l >>>= 0;
  l = (v2l + v1l) >>> 0;
  v2h = (v2h + v1h + (l < v2l ? 1 : 0)) >>> 0;
  v2l = l;
  h = v1h;
  l = v1l;
  v1h = (((h << 17) | (l >>> 15)) ^ v2h) >>> 0;
  v1l = (((l << 17) | (h >>> 15)) ^ v2l) >>> 0;
  h = v2h;
  v2h = v2l;
  v2l = h;
}

/**
 * SipHash-2-4 of `words` (little-endian u32 words; `nbytes` = 4 * used words, the tail
 * being `tail`/`tailBytes`), key k0 = k0h:k0l, k1 = k1h:k1l. Leaves the 64-bit result in
 * v0h:v0l (returned low half).
 */
function sipHashWords(
  words: ArrayLike<number>,
  nwords: number,
  tailLo: number,
  tailHi: number,
  nbytes: number,
  k0h: number,
  k0l: number,
  k1h: number,
  k1l: number,
): number {
  v0h = (0x736f6d65 ^ k0h) >>> 0;
  v0l = (0x70736575 ^ k0l) >>> 0;
  v1h = (0x646f7261 ^ k1h) >>> 0;
  v1l = (0x6e646f6d ^ k1l) >>> 0;
  v2h = (0x6c796765 ^ k0h) >>> 0;
  v2l = (0x6e657261 ^ k0l) >>> 0;
  v3h = (0x74656462 ^ k1h) >>> 0;
  v3l = (0x79746573 ^ k1l) >>> 0;
  for (let i = 0; i + 1 < nwords; i += 2) {
    const ml = words[i]! >>> 0,
      mh = words[i + 1]! >>> 0;
    v3l = (v3l ^ ml) >>> 0;
    v3h = (v3h ^ mh) >>> 0;
    sipRound();
    sipRound();
    v0l = (v0l ^ ml) >>> 0;
    v0h = (v0h ^ mh) >>> 0;
  }
  // Last block: remaining bytes plus (len << 56).
  const bl = tailLo >>> 0,
    bh = ((tailHi & 0x00ffffff) | ((nbytes & 0xff) << 24)) >>> 0;
  v3l = (v3l ^ bl) >>> 0;
  v3h = (v3h ^ bh) >>> 0;
  sipRound();
  sipRound();
  v0l = (v0l ^ bl) >>> 0;
  v0h = (v0h ^ bh) >>> 0;
  v2l = (v2l ^ 0xff) >>> 0;
  sipRound();
  sipRound();
  sipRound();
  sipRound();
  const hi = (v0h ^ v1h ^ v2h ^ v3h) >>> 0,
    lo = (v0l ^ v1l ^ v2l ^ v3l) >>> 0;
  v0h = hi;
  v0l = lo;
  return lo;
}

/**
 * SipHash-2-4 (siphash() in lib/siphash.c) of arbitrary bytes with a 16-byte key, as a u64.
 * Reference helper for tests; the hot path uses the word form.
 * @example siphash24(new Uint8Array(0), key00to0f) === 0x726fdb47dd0e0e31n
 */
export function siphash24(data: Uint8Array, key: Uint8Array): bigint {
  if (key.length !== 16) throw new RangeError("siphash key must be 16 bytes");
  const le32 = (b: Uint8Array, o: number): number =>
    ((b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) | ((b[o + 2] ?? 0) << 16) | ((b[o + 3] ?? 0) << 24)) >>>
    0;
  const full = data.length & ~7;
  const words: number[] = [];
  for (let o = 0; o < full; o += 4) words.push(le32(data, o));
  const tail = new Uint8Array(8);
  tail.set(data.subarray(full));
  sipHashWords(
    words,
    words.length,
    le32(tail, 0),
    le32(tail, 4),
    data.length,
    le32(key, 4),
    le32(key, 0),
    le32(key, 12),
    le32(key, 8),
  );
  return (BigInt(v0h) << 32n) | BigInt(v0l);
}

// --- struct flow_keys (x86_64) ------------------------------------------------------------
//
//   hashed: from `basic` on (FLOW_KEYS_HASH_OFFSET = 8)
//   off  size  field                                            hashed
//     0    8   control {u16 thoff, u16 addr_type, u32 flags}    no
//     8    4   basic {__be16 n_proto, u8 ip_proto, u8 padding}  __aligned(SIPHASH_ALIGNMENT = 8)
//    12    4   tags {u32 flow_label}
//    16    8   vlan
//    24    8   cvlan
//    32    4   keyid
//    36    4   ports {__be16 src, __be16 dst}
//    40    4   icmp
//    44   32   addrs (union v4addrs{src,dst} 8 / v6addrs{src,dst} 32 / tipc 4)
//    76    4   tail padding (sizeof = 80)
//
// flow_keys_hash_length():
//   sizeof(*flow) - (FLOW_KEYS_HASH_OFFSET + sizeof(addrs) - sizeof(v4addrs|v6addrs))
//   = 80 - 32 = 48 bytes for IPv4, 80 - 8 = 72 bytes for IPv6. Everything not set is zero
//   (the callers memset hash_keys). MSG holds those bytes as little-endian u32 words,
//   MSG[0] = struct offset 8.

const MSG = new Uint32Array(18);

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}
function bswap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}

const _IPPROTO_ICMP = 1,
  IPPROTO_TCP = 6,
  IPPROTO_UDP = 17;

/**
 * The kernel's multipath flow hash (31 bits, compared with nexthop upper bounds) for
 * `ip route get`, or `undefined` when it is not predictable: no seed set (random per-boot
 * key) or a policy that is not modelled (3 = custom fields, or unknown).
 *
 * IPv4 = fib_multipath_hash(), IPv6 = rt6_multipath_hash(); see the module comment for
 * which fields each policy hashes.
 * @example multipathHash(flow, { policy: 1, seed: 7 }) // e.g. 1450862355
 */
export function multipathHash(flow: Flow, opts: MultipathHashOptions): number | undefined {
  const seed = opts.seed;
  if (seed === undefined || seed === 0) return undefined;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`fib_multipath_hash_seed must be a u32, got ${seed}`);
  }
  const policy = opts.policy === 2 ? 0 : opts.policy; // 2 == 0 without encapsulation
  if (policy !== 0 && policy !== 1) return undefined;
  MSG.fill(0);
  let nbytes: number;
  let sp = 0,
    dp = 0;
  if (flow.family === 4) {
    // fib_multipath_hash(): case 0 -> ip_multipath_l3_keys(skb): src/dst only.
    // case 1 -> skb_flow_dissect_flow_keys(skb) of the route-get skb: proto, ports (TCP/UDP).
    let proto = 0;
    if (policy === 1) {
      proto = flow.ipproto === 0 ? IPPROTO_UDP : flow.ipproto & 0xff;
      if (proto === IPPROTO_TCP || proto === IPPROTO_UDP) {
        sp = bswap16(flow.sport);
        dp = bswap16(flow.dport);
      }
    }
    // __flow_hash_consistentify(), IPv4: compare the __be32 values as loaded (u32, LE).
    let s = bswap32(flow.saddr.v as number),
      d = bswap32(flow.daddr.v as number);
    if (d < s) {
      const t = s;
      s = d;
      d = t;
    }
    MSG[0] = proto << 16;
    MSG[9] = s;
    MSG[10] = d;
    nbytes = 48;
  } else {
    // rt6_multipath_hash() without skb: case 0 -> saddr, daddr, flow_label (0), proto;
    // case 1 -> saddr, daddr, ports, proto.
    const proto = flow.ipproto & 0xff;
    if (policy === 1) {
      sp = bswap16(flow.sport);
      dp = bswap16(flow.dport);
    }
    let s = flow.saddr.v as bigint,
      d = flow.daddr.v as bigint;
    // __flow_hash_consistentify(), IPv6: memcmp(dst, src) < 0 -> swap.
    if (d < s) {
      const t = s;
      s = d;
      d = t;
    }
    MSG[0] = proto << 16;
    for (let i = 0; i < 4; i++) {
      const shift = BigInt(96 - 32 * i);
      MSG[9 + i] = bswap32(Number((s >> shift) & 0xffffffffn));
      MSG[13 + i] = bswap32(Number((d >> shift) & 0xffffffffn));
    }
    nbytes = 72;
  }
  // __flow_hash_consistentify(): ports compared as loaded (u16), independently of addresses.
  if (dp < sp) {
    const t = sp;
    sp = dp;
    dp = t;
  }
  MSG[7] = (sp | (dp << 16)) >>> 0;
  // fib_multipath_hash_construct_key(): key[0] = key[1] = (u64)seed << 32 | seed.
  const k = seed >>> 0;
  let h = sipHashWords(MSG, nbytes >>> 2, 0, 0, nbytes, k, k, k, k);
  if (h === 0) h = 1; // __flow_hash_from_keys()
  return h >>> 1; // fib_multipath_hash() / rt6_multipath_hash(): mhash >> 1
}

/**
 * Per-nexthop hash upper bounds, `fib_rebalance()` (IPv4) / `rt6_multipath_rebalance()` +
 * `rt6_upper_bound_set()` (IPv6): dead nexthops get -1, live ones
 * `DIV_ROUND_CLOSEST_ULL((u64)cumulative_weight << 31, total_live_weight) - 1`.
 * @example upperBounds([1, 3], [true, true]) // [536870911, 2147483647]
 */
export function upperBounds(weights: readonly number[], alive: readonly boolean[]): number[] {
  const total = liveTotal(weights, alive);
  const out: number[] = [];
  let w = 0;
  for (let i = 0; i < weights.length; i++) {
    if (!alive[i]) {
      out.push(-1);
      continue;
    }
    w += weights[i]!;
    out.push(bound(w, total));
  }
  return out;
}

function liveTotal(weights: readonly number[], alive: readonly boolean[]): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) if (alive[i]) total += weights[i]!;
  return total;
}

/** DIV_ROUND_CLOSEST_ULL((u64)w << 31, total) - 1, exact in doubles (w * 2^31 < 2^53). */
function bound(w: number, total: number): number {
  const n = w * 2147483648 + Math.floor(total / 2);
  let q = Math.floor(n / total);
  if (q * total > n) q--;
  else if ((q + 1) * total <= n) q++;
  return q - 1;
}

/**
 * The nexthop index the kernel picks for a 31-bit `hash` (from {@link multipathHash}), or -1
 * when no nexthop is alive (the kernel's lookup would not have matched this route then).
 *
 * - `weights[i]`: the nexthop weight (1..256, `weight` in `ip route`).
 * - `alive[i]`: false for RTNH_F_DEAD nexthops, and for linkdown ones when the device has
 *   `ignore_routes_with_linkdown=1`; those get upper bound -1 and are never chosen. Plain
 *   linkdown nexthops are alive. (`fib_multipath_use_neigh=1`, default 0, is not modelled.)
 * - `saddrMatch[i]` (IPv4 output path only, i.e. `ip route get ... from S` without `iif`):
 *   whether the nexthop's preferred source (`nh_saddr`, `inet_select_addr()` on its device)
 *   equals S. 6.18 `fib_select_multipath()` (since "net: fib: restore ECMP balance from
 *   loopback") scores nexthops: +2 for a matching source, +1 when `hash <= upper_bound`;
 *   the first best wins. Bounds are cumulative, so among the nexthops with that source the
 *   first one at or after the hash's slice wins, else the first of them; with no nexthop
 *   having it, the plain hash choice. Omit it for input lookups and for IPv6
 *   (`fib6_select_path()` has no such preference), or when no `from` was given.
 *   Note `nh_saddr` is computed when the route is created.
 *
 * Without `saddrMatch` this is: the first live nexthop whose upper bound is >= hash (the
 * last live one has bound 2^31 - 1, so one always qualifies).
 * @example selectNexthop([1, 3], [true, true], 0x20000000) // 1
 */
export function selectNexthop(
  weights: readonly number[],
  alive: readonly boolean[],
  hash: number,
  saddrMatch?: readonly boolean[],
): number {
  const total = liveTotal(weights, alive);
  let best = -1,
    score = -1,
    w = 0;
  for (let i = 0; i < weights.length; i++) {
    if (!alive[i]) continue; // upper bound -1
    w += weights[i]!;
    const ub = bound(w, total);
    let s = 0;
    const useSaddr = saddrMatch !== undefined;
    if (useSaddr && saddrMatch[i]) s += 2;
    if (hash <= ub) s += 1;
    if (score < s) {
      best = i;
      if (s === 3 || (!useSaddr && s === 1)) return i;
      score = s;
    }
  }
  return best;
}
