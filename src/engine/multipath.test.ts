/**
 * Unit tests of the multipath hash and nexthop choice, plus kernel-recorded vectors.
 * The live comparison (≥ 400 random probes against the running kernel) is
 * test/kernel/multipath.kernel.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAddr, v4, v6, type Addr } from "../addr/ip.js";
import { multipathHash, selectNexthop, siphash24, upperBounds } from "./multipath.js";
import type { Flow } from "./types.js";

function flow(family: 4 | 6, daddr: string, saddr: string, extra: Partial<Flow> = {}): Flow {
  const a = (s: string): Addr => {
    const r = parseAddr(s, family);
    if (!r.ok) throw new Error(`bad address ${s}`);
    return r.value;
  };
  return {
    family,
    daddr: a(daddr),
    saddr: a(saddr || (family === 4 ? "0.0.0.0" : "::")),
    iif: 0,
    oif: 0,
    mark: 0,
    uid: 0,
    tos: 0,
    ipproto: 0,
    sport: 0,
    dport: 0,
    ...extra,
  };
}

describe("siphash24 (lib/siphash.c)", () => {
  // SipHash paper vectors: key 00..0f, message 00 01 .. (len-1).
  const key = Uint8Array.from({ length: 16 }, (_, i) => i);
  const msg = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);
  it.each([
    [0, 0x726fdb47dd0e0e31n],
    [7, 0xab0200f58b01d137n],
    [8, 0x93f5f5799a932462n],
    [15, 0xa129ca6149be45e5n],
    [16, 0x3f2acc7f57c29bdbn],
  ])("len %i", (n, want) => {
    expect(siphash24(msg(n), key)).toBe(want);
  });
});

describe("upperBounds (fib_rebalance / rt6_upper_bound_set)", () => {
  it("weights 1:3", () => {
    expect(upperBounds([1, 3], [true, true])).toEqual([(1 << 29) - 1, 0x7fffffff]);
  });
  it("weights 1:1:1 round to closest", () => {
    // (2^31 + 1) / 3 = 715827883; (2^32 + 1) / 3 = 1431655765.67 -> 1431655765
    expect(upperBounds([1, 1, 1], [true, true, true])).toEqual([715827882, 1431655764, 0x7fffffff]);
  });
  it("dead nexthops get -1 and do not count", () => {
    expect(upperBounds([2, 5, 1], [true, false, true])).toEqual([1431655764, -1, 0x7fffffff]);
  });
  it("matches DIV_ROUND_CLOSEST_ULL((u64)w << 31, total) - 1", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 256 }), fc.boolean()), {
          minLength: 1,
          maxLength: 32,
        }),
        (nhs) => {
          const weights = nhs.map(([w]) => w),
            alive = nhs.map(([, a]) => a);
          const total = BigInt(weights.filter((_, i) => alive[i]).reduce((x, y) => x + y, 0));
          let w = 0n;
          const want = weights.map((x, i) => {
            if (!alive[i]) return -1;
            w += BigInt(x);
            return Number(((w << 31n) + total / 2n) / total) - 1;
          });
          expect(upperBounds(weights, alive)).toEqual(want);
        },
      ),
      { seed: 1 },
    );
  });
});

describe("selectNexthop (fib_select_multipath / fib6_select_path)", () => {
  const b = upperBounds([1, 3], [true, true]);
  it("first live nexthop whose bound is >= hash, bounds inclusive", () => {
    expect(selectNexthop([1, 3], [true, true], 0)).toBe(0);
    expect(selectNexthop([1, 3], [true, true], b[0]!)).toBe(0);
    expect(selectNexthop([1, 3], [true, true], b[0]! + 1)).toBe(1);
    expect(selectNexthop([1, 3], [true, true], 0x7fffffff)).toBe(1);
  });
  it("skips dead nexthops and rebalances over the live ones", () => {
    expect(selectNexthop([1, 3, 1], [false, true, true], 0)).toBe(1);
    expect(selectNexthop([1, 3, 1], [true, false, true], 0x7fffffff)).toBe(2);
    expect(selectNexthop([1, 1], [false, false], 5)).toBe(-1);
  });
  it("IPv4 output with a source: a nexthop with that source wins, by hash among them", () => {
    // Bounds are cumulative, so "hash <= bound" holds from the hash's slice on: among the
    // nexthops with the source, the first at or after that slice wins, else the first one.
    const w = [1, 1, 1],
      alive = [true, true, true];
    const mid = upperBounds(w, alive)[1]!;
    expect(selectNexthop(w, alive, 0, [true, false, true])).toBe(0);
    expect(selectNexthop(w, alive, mid, [true, false, true])).toBe(2);
    expect(selectNexthop(w, alive, 0x7fffffff, [true, true, false])).toBe(0);
    expect(selectNexthop(w, alive, 0, [false, false, true])).toBe(2);
    // No nexthop has it: plain hash choice.
    expect(selectNexthop(w, alive, mid, [false, false, false])).toBe(1);
    // A dead nexthop never wins, even with the source.
    expect(selectNexthop(w, [true, true, false], 0, [false, false, true])).toBe(0);
  });
  it("without a source equals the first live index with hash <= bound", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 256 }), fc.boolean()), {
          minLength: 1,
          maxLength: 16,
        }),
        fc.integer({ min: 0, max: 0x7fffffff }),
        (nhs, hash) => {
          const weights = nhs.map(([w]) => w),
            alive = nhs.map(([, a]) => a);
          const want = upperBounds(weights, alive).findIndex((ub) => hash <= ub);
          expect(selectNexthop(weights, alive, hash)).toBe(want);
        },
      ),
      { seed: 2 },
    );
  });
});

describe("multipathHash", () => {
  const f4 = flow(4, "10.60.1.2", "10.1.0.1", { ipproto: 6, sport: 1234, dport: 80 });
  const f6 = flow(6, "fd60::1", "fd99::2", { ipproto: 17, sport: 53, dport: 5353 });

  it("is unpredictable (undefined) without a seed: the kernel keys it per boot", () => {
    expect(multipathHash(f4, { policy: 0, seed: undefined })).toBeUndefined();
    expect(multipathHash(f4, { policy: 1, seed: 0 })).toBeUndefined(); // writing 0 = back to random
    expect(multipathHash(f6, { policy: 0, seed: undefined })).toBeUndefined();
  });
  it("is undefined for policy 3 (custom fields, not modelled) and unknown policies", () => {
    expect(multipathHash(f4, { policy: 3, seed: 1 })).toBeUndefined();
    expect(multipathHash(f6, { policy: 9, seed: 1 })).toBeUndefined();
  });
  it("rejects seeds that are not u32", () => {
    expect(() => multipathHash(f4, { policy: 0, seed: -1 })).toThrow(RangeError);
    expect(() => multipathHash(f4, { policy: 0, seed: 2 ** 32 })).toThrow(RangeError);
    expect(() => multipathHash(f4, { policy: 0, seed: 1.5 })).toThrow(RangeError);
  });
  it("policy 2 equals policy 0 (no encapsulation)", () => {
    expect(multipathHash(f4, { policy: 2, seed: 5 })).toBe(
      multipathHash(f4, { policy: 0, seed: 5 }),
    );
    expect(multipathHash(f6, { policy: 2, seed: 5 })).toBe(
      multipathHash(f6, { policy: 0, seed: 5 }),
    );
  });
  it("IPv4 L3 ignores protocol and ports; L4 uses ports only for TCP/UDP", () => {
    const o = { policy: 0, seed: 77 };
    expect(multipathHash({ ...f4, ipproto: 1, sport: 9, dport: 9 }, o)).toBe(multipathHash(f4, o));
    const l4 = { policy: 1, seed: 77 };
    expect(multipathHash({ ...f4, ipproto: 1, sport: 9 }, l4)).toBe(
      multipathHash({ ...f4, ipproto: 1 }, l4),
    );
    expect(multipathHash({ ...f4, ipproto: 0 }, l4)).toBe(
      multipathHash({ ...f4, ipproto: 17 }, l4),
    );
    expect(multipathHash({ ...f4, sport: 1235 }, l4)).not.toBe(multipathHash(f4, l4));
  });
  it("IPv6 L3 includes the protocol (rt6_multipath_hash: flowi6_proto) but not the ports", () => {
    const o = { policy: 0, seed: 77 };
    expect(multipathHash({ ...f6, sport: 1 }, o)).toBe(multipathHash(f6, o));
    expect(multipathHash({ ...f6, ipproto: 6 }, o)).not.toBe(multipathHash(f6, o));
  });
  // __flow_hash_consistentify orders the addresses and the ports before hashing.
  it("is a 31-bit value, symmetric in (src, dst) and in (sport, dport)", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.constantFrom(0, 6, 17),
        fc.integer({ min: 0, max: 1 }),
        fc.integer({ min: 1, max: 0xffffffff }),
        (is6, a, b, p, q, proto, policy, seed) => {
          const addr = (x: bigint): Addr => (is6 ? v6(x) : v4(Number(x & 0xffffffffn)));
          const base: Flow = {
            ...f4,
            family: is6 ? 6 : 4,
            saddr: addr(a),
            daddr: addr(b),
            ipproto: proto,
            sport: p,
            dport: q,
          };
          const h = multipathHash(base, { policy, seed })!;
          expect(h).toBeGreaterThanOrEqual(0);
          expect(h).toBeLessThan(2 ** 31);
          expect(multipathHash({ ...base, saddr: addr(b), daddr: addr(a) }, { policy, seed })).toBe(
            h,
          );
          expect(multipathHash({ ...base, sport: q, dport: p }, { policy, seed })).toBe(h);
        },
      ),
      { seed: 3, numRuns: 300 },
    );
  });
  it("depends on the seed", () => {
    expect(multipathHash(f4, { policy: 0, seed: 1 })).not.toBe(
      multipathHash(f4, { policy: 0, seed: 2 }),
    );
  });
});

/**
 * Kernel answers. Obtained on Linux 6.18.44 (x86_64) with iproute2 6.1 by running, as root,
 *   MPATH_RECORD=1 npx vitest run test/kernel/multipath.kernel.test.ts
 * which builds netns `mpath_<pid>` (lo + veth a1/b1, a2/b2, a3/b3; 10.N.0.1/24 and
 * fd0N::1/64 nodad on aN; 10.9.0.1/32 on lo), sets `net.ipv4.fib_multipath_hash_seed` and
 * the policies below, adds `10.6S.0.0/16` and `fd6S::/16` (S = scenario index) as
 * `nexthop via 10.N.0.2 weight W ...` / `nexthop via fd0N::2 weight W ...`, applies the a3
 * state, and asks `ip -n NS -j route get DST [from SRC] [iif b1] [ipproto P] [sport X]
 * [dport Y]`. The last column is the kernel's nexthop (0 = via a1, 1 = a2, 2 = a3).
 */
const SCENARIOS = [
  { seed: 12345, policy4: 0, policy6: 0, weights: [1, 3], alive: [true, true] },
  { seed: 12345, policy4: 1, policy6: 1, weights: [1, 3], alive: [true, true] },
  { seed: 4294967295, policy4: 1, policy6: 0, weights: [2, 5, 1], alive: [true, true, true] },
  // a3 admin down (dead)
  { seed: 1, policy4: 0, policy6: 1, weights: [1, 1, 1], alive: [true, true, false] },
  // a3 no carrier, ignore_routes_with_linkdown=1
  { seed: 7, policy4: 1, policy6: 1, weights: [3, 1, 2], alive: [true, true, false] },
  // a3 no carrier (linkdown, still used)
  { seed: 99, policy4: 0, policy6: 0, weights: [1, 2, 1], alive: [true, true, true] },
  { seed: 2147483648, policy4: 2, policy6: 2, weights: [256, 1], alive: [true, true] },
];

// [scenario, dst, from ("" = none), iif b1?, ipproto (0 = none), sport, dport, kernel nexthop]
type Row = [number, string, string, number, number, number, number, number];
const KERNEL_VECTORS: Row[] = [
  [0, "fd60::18d8:0:16", "", 0, 0, 0, 0, 1],
  [0, "10.60.3.232", "172.18.2.84", 1, 6, 0, 0, 1],
  [0, "10.60.227.0", "10.9.0.1", 0, 0, 4448, 65529, 1],
  [0, "fd60::efee:844d:57a9", "fd01::1", 0, 6, 0, 0, 0],
  [0, "fd60::fa9b:be2e:f42b", "fd02::1", 1, 17, 3, 22323, 0],
  [0, "10.60.249.163", "172.19.248.89", 1, 17, 0, 0, 1],
  [0, "fd60::3ca0:0:7", "fd99::529e:fff9", 0, 17, 0, 0, 1],
  [0, "fd60::fff9:b217:fc1a", "fd02::1", 1, 58, 0, 40344, 1],
  [0, "fd60::d:0:d", "", 0, 0, 0, 0, 1],
  [0, "10.60.0.69", "172.27.106.4", 1, 1, 2, 65534, 1],
  [0, "10.60.11.29", "10.9.0.1", 0, 6, 0, 45525, 1],
  [0, "10.60.250.4", "10.9.0.1", 0, 0, 0, 0, 1],
  [0, "10.60.44.116", "172.31.44.36", 1, 0, 65532, 9, 1],
  [0, "fd60::3:ffff:fffa", "fd01::1", 0, 17, 9, 61916, 1],
  [0, "10.60.7.21", "10.3.0.1", 0, 17, 21031, 0, 1],
  [0, "fd60::b:c955:4b73", "", 0, 17, 30397, 7952, 1],
  [1, "10.61.247.6", "172.18.0.8", 1, 17, 0, 32359, 1],
  [1, "10.61.191.4", "172.17.70.5", 1, 0, 0, 14, 1],
  [1, "fd61::ee17:ffff:fff1", "fd02::1", 0, 58, 0, 65525, 1],
  [1, "fd61::e:35d2:9e6d", "fd02::1", 0, 58, 0, 65532, 1],
  [1, "fd61::4931:4f24:c4aa", "fd99::2:c6c3", 1, 58, 14, 0, 1],
  [1, "fd61::fff2:0:16", "fd99::c:fff6", 0, 0, 0, 0, 0],
  [1, "10.61.3.3", "172.19.2.247", 1, 0, 0, 0, 1],
  [1, "10.61.0.5", "172.19.4.8", 1, 17, 46116, 0, 1],
  [1, "fd61::b:7ec6:ec60", "fd02::1", 1, 58, 21275, 6, 1],
  [1, "10.61.0.178", "172.17.4.199", 1, 0, 0, 18989, 1],
  [1, "10.61.3.1", "172.24.175.2", 1, 0, 0, 0, 0],
  [1, "fd61::42e1:0:1a", "fd01::1", 1, 0, 65529, 0, 0],
  [1, "10.61.223.240", "172.16.1.178", 1, 17, 32734, 40435, 1],
  [1, "10.61.249.214", "172.29.24.5", 1, 0, 22917, 0, 1],
  [1, "fd61::42f4:2867:3403", "", 0, 6, 0, 0, 1],
  [1, "fd61::f0c5:529e:3350", "fd01::1", 0, 0, 62365, 0, 1],
  [2, "10.62.249.255", "172.18.7.21", 1, 17, 2053, 0, 1],
  [2, "fd62::5eb8:0:9", "", 1, 6, 0, 8796, 1],
  [2, "fd62::66de:0:e", "fd02::1", 0, 6, 21760, 0, 0],
  [2, "fd62::f:42e6:2264", "fd99::b5c5:a", 1, 58, 65532, 0, 1],
  [2, "fd62::9:8b02:f047", "fd02::1", 1, 17, 0, 0, 2],
  [2, "10.62.203.62", "172.17.189.247", 1, 6, 65521, 14, 1],
  [2, "10.62.2.158", "172.21.2.254", 1, 1, 2491, 0, 0],
  [2, "fd62::5ef0:a6b7:3674", "", 1, 17, 0, 0, 1],
  [2, "fd62::9:0:d", "", 0, 6, 0, 0, 2],
  [2, "fd62::5aef:1f7b:f408", "fd99::4f2d:235f", 0, 6, 65531, 0, 1],
  [2, "fd62::abf0:b6ba:9856", "fd99::a0a0:f", 1, 58, 0, 0, 0],
  [2, "fd62::fff1:0:f", "", 1, 58, 14, 0, 1],
  [2, "10.62.15.5", "172.16.0.188", 1, 6, 0, 0, 1],
  [2, "10.62.48.224", "10.2.0.1", 0, 6, 22981, 0, 1],
  [2, "fd62::1abe:2734:1043", "fd99::7b78:c403", 1, 58, 48820, 49146, 0],
  [2, "fd62::946e:ffff:ffec", "fd99::7b5a:aa3a", 1, 6, 16142, 65529, 0],
  [3, "fd63::fffc:69d:693f", "fd02::1", 0, 17, 0, 0, 1],
  [3, "fd63::60ec:a7c9:edc2", "fd99::fff4:dc67", 1, 6, 34806, 0, 0],
  [3, "10.63.191.167", "10.1.0.1", 0, 1, 17744, 12, 0],
  [3, "fd63::485b:0:15", "fd01::1", 0, 17, 8, 0, 0],
  [3, "10.63.2.150", "172.18.4.51", 1, 0, 0, 0, 1],
  [3, "10.63.5.5", "10.9.0.1", 0, 17, 0, 38368, 0],
  [3, "fd63::6:c7ac:bbf4", "fd01::1", 1, 0, 46165, 51072, 0],
  [3, "10.63.3.1", "172.19.151.45", 1, 17, 0, 15, 0],
  [3, "10.63.43.70", "172.24.2.248", 1, 17, 43489, 22587, 0],
  [3, "10.63.1.185", "172.30.97.4", 1, 0, 49792, 48630, 1],
  [3, "10.63.193.16", "10.1.0.1", 0, 0, 41285, 57077, 0],
  [3, "10.63.7.248", "172.19.198.222", 1, 17, 49717, 0, 0],
  [3, "fd63::86c0:16ed:c9c3", "", 1, 6, 19040, 0, 1],
  [3, "10.63.2.189", "", 0, 6, 65531, 1, 1],
  [3, "fd63::f7c7:ffff:ffff", "fd99::e:b", 1, 6, 7, 0, 1],
  [3, "10.63.43.250", "", 0, 1, 9, 0, 0],
  [4, "fd64::67ae:8608:9af2", "fd99::64c4:fff8", 0, 0, 15, 1, 0],
  [4, "10.64.155.147", "", 0, 6, 0, 0, 0],
  [4, "10.64.214.255", "172.16.7.187", 1, 17, 0, 0, 1],
  [4, "fd64::9a09:290c:e669", "fd99::fff4:b511", 0, 58, 9070, 14, 0],
  [4, "10.64.18.0", "10.1.0.1", 0, 1, 0, 65528, 0],
  [4, "fd64::c9ec:ffff:fff0", "fd99::2f35:d", 1, 58, 2569, 0, 0],
  [4, "fd64::fff7:0:1b", "fd99::3b01:6", 1, 17, 65217, 0, 0],
  [4, "fd64::7f36:0:1f", "", 0, 17, 0, 38552, 1],
  [4, "10.64.66.7", "172.18.131.248", 1, 0, 13, 0, 0],
  [4, "fd64::485f:6e3f:ba39", "fd99::5:c", 1, 6, 0, 49113, 0],
  [4, "fd64::b784:88b3:49f4", "fd99::6cd7:fff8", 1, 58, 0, 49762, 0],
  [4, "10.64.111.134", "172.28.5.3", 1, 0, 43080, 63243, 1],
  [4, "fd64::1e0e:9351:b3be", "fd01::1", 1, 6, 10, 25563, 0],
  [4, "10.64.114.163", "172.30.0.77", 1, 0, 9793, 0, 1],
  [4, "fd64::b68b:14e8:7a5e", "fd01::1", 0, 17, 0, 17250, 0],
  [4, "10.64.150.87", "10.2.0.1", 0, 1, 29094, 65522, 1],
  [5, "10.65.17.173", "10.3.0.1", 0, 0, 12117, 12976, 2],
  [5, "10.65.254.94", "172.18.72.37", 1, 0, 0, 0, 1],
  [5, "fd65::bcac:ca39:2ef7", "fd01::1", 0, 6, 0, 43638, 1],
  [5, "fd65::0:ff5c:911b", "fd99::b:30c6", 1, 6, 0, 34657, 1],
  [5, "10.65.64.252", "10.9.0.1", 0, 0, 0, 0, 1],
  [5, "10.65.31.207", "10.1.0.1", 0, 0, 20379, 0, 0],
  [5, "10.65.173.249", "10.3.0.1", 0, 17, 12777, 0, 2],
  [5, "10.65.68.21", "10.2.0.1", 0, 1, 10, 19205, 1],
  [5, "10.65.44.112", "10.1.0.1", 0, 17, 0, 0, 0],
  [5, "fd65::fff9:d08b:253c", "", 1, 0, 54550, 0, 1],
  [5, "fd65::b:0:b", "fd99::e95d:d070", 0, 0, 13, 0, 0],
  [5, "fd65::989e:a303:4f45", "fd99::541e:213c", 1, 6, 42956, 65530, 2],
  [5, "fd65::d559:57c1:601a", "", 1, 0, 0, 65535, 1],
  [5, "fd65::64af:0:1c", "fd99::4abb:9423", 0, 58, 39771, 65529, 2],
  [5, "10.65.226.253", "172.29.5.24", 1, 6, 50869, 21488, 1],
  [5, "10.65.6.139", "172.24.255.30", 1, 0, 0, 0, 0],
  [6, "10.66.4.3", "172.20.4.6", 1, 17, 1801, 38468, 0],
  [6, "fd66::a:ffff:ffe1", "", 1, 6, 21981, 45061, 0],
  [6, "fd66::c763:6418:b96f", "fd99::d321:fffd", 1, 58, 0, 5899, 0],
  [6, "fd66::3:ac47:ee00", "fd01::1", 0, 6, 16, 62416, 0],
  [6, "10.66.0.3", "10.1.0.1", 0, 1, 0, 23815, 0],
  [6, "fd66::c:a3d9:917e", "fd99::fff2:6091", 0, 17, 0, 1, 0],
  [6, "10.66.134.97", "", 0, 6, 0, 0, 0],
  [6, "fd66::e:424c:7488", "fd99::f4f3:6", 1, 0, 0, 0, 0],
  [6, "10.66.81.223", "", 0, 17, 65526, 6853, 0],
  [6, "10.66.7.108", "172.20.0.35", 1, 17, 1, 62404, 0],
  [6, "10.66.27.245", "10.3.0.1", 0, 6, 0, 0, 0],
  [6, "fd66::4716:634a:dee2", "", 0, 58, 55834, 0, 0],
  [6, "fd66::7405:dce4:2469", "", 1, 6, 0, 9, 0],
  [6, "fd66::c:78d2:a730", "fd99::f:fffb", 1, 17, 0, 0, 0],
  [6, "10.66.32.250", "10.2.0.1", 0, 6, 0, 0, 1],
  [6, "10.66.246.205", "172.26.6.63", 1, 1, 0, 29844, 0],
];

describe("kernel-recorded vectors (Linux 6.18.44)", () => {
  it.each(
    KERNEL_VECTORS.map(
      (r) =>
        [
          `scenario ${r[0]}: route get ${r[1]}${r[2] ? " from " + r[2] : ""}` +
            `${r[3] ? " iif b1" : ""}${r[4] ? " ipproto " + r[4] : ""}` +
            `${r[5] ? " sport " + r[5] : ""}${r[6] ? " dport " + r[6] : ""}`,
          r,
        ] as const,
    ),
  )("%s", (_name, [sc, dst, from, input, proto, sport, dport, want]) => {
    const s = SCENARIOS[sc]!;
    const fam = dst.includes(":") ? 6 : 4;
    const h = multipathHash(
      flow(fam, dst, from, { ipproto: proto, sport, dport, iif: input ? 2 : 0 }),
      { policy: fam === 4 ? s.policy4 : s.policy6, seed: s.seed },
    );
    expect(h).toBeDefined();
    const saddrMatch =
      fam === 4 && !input && from ? s.weights.map((_, i) => from === `10.${i + 1}.0.1`) : undefined;
    expect(selectNexthop(s.weights, s.alive, h!, saddrMatch)).toBe(want);
  });
});
