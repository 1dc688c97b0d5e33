import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Addr, contains, type Prefix, v4, v6 } from "../addr/ip.js";
import { and, not, or } from "./bdd/apply.js";
import { FALSE } from "./bdd/arena.js";
import { evaluate, pickOne, satCount } from "./bdd/sat.js";
import {
  addrPrefix,
  CT_STATE,
  createHeaderArena,
  decode,
  encode,
  eq,
  FIELDS,
  type FieldName,
  HEADER_VARS,
  type HeaderPacket,
  maskedEq,
  prefix,
  range,
  wellFormed,
  witness,
} from "./header.js";

const RUNS = { numRuns: 200, seed: 0x4ead };
const m = createHeaderArena();

const ZERO: HeaderPacket = {
  family: 4,
  dst: v4(0),
  src: v4(0),
  iif: 0,
  oif: 0,
  fwmark: 0,
  uid: 0,
  ipproto: 0,
  sport: 0,
  dport: 0,
  tos: 0,
  ctmark: 0,
  ctstate: 0,
};

const addr4 = fc.nat({ max: 0xffffffff }).map(v4);
const addr6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map(v6);
const packetArb: fc.Arbitrary<HeaderPacket> = fc
  .record({
    family: fc.constantFrom(4 as const, 6 as const),
    iif: fc.nat(255),
    oif: fc.nat(255),
    fwmark: fc.nat({ max: 0xffffffff }),
    uid: fc.nat({ max: 0xffffffff }),
    ipproto: fc.nat(255),
    sport: fc.nat(0xffff),
    dport: fc.nat(0xffff),
    tos: fc.nat(255),
    ctmark: fc.nat({ max: 0xffffffff }),
    ctstate: fc.nat(4),
  })
  .chain((p) =>
    fc
      .tuple(p.family === 4 ? addr4 : addr6, p.family === 4 ? addr4 : addr6)
      .map(([dst, src]): HeaderPacket => ({ ...p, dst, src })),
  );

const zeroBits = new Uint8Array(HEADER_VARS); // the all-zero header, written bit by bit

/** Evaluate f at the zero header with one 8-bit field set to x (most significant bit first). */
function at8(f: number, name: FieldName, x: number): boolean {
  const bits = zeroBits.slice();
  for (let i = 0; i < 8; i++) bits[FIELDS[name].offset + i] = (x >> (7 - i)) & 1;
  return evaluate(m, f, bits);
}

/** A predicate on 0..255 as an array of its 256 answers (one assertion per run). */
function all256(fn: (x: number) => boolean): boolean[] {
  return Array.from({ length: 256 }, (_, x) => fn(x));
}

describe("field encoders agree with brute force on 8-bit fields", () => {
  const byte = fc.nat(255);
  const field8 = fc.constantFrom<FieldName>("ipproto", "tos", "iif", "oif");

  it("prefix: the top len bits equal those of value", () => {
    fc.assert(
      fc.property(field8, byte, fc.nat(8), (name, value, len) => {
        const f = prefix(m, name, value, len);
        const top = (x: number): number => x >> (8 - len);
        expect(all256((x) => at8(f, name, x))).toEqual(all256((x) => top(x) === top(value)));
      }),
      RUNS,
    );
  });

  it("eq: exactly one value", () => {
    fc.assert(
      fc.property(field8, byte, (name, value) => {
        const f = eq(m, name, value);
        expect(all256((x) => at8(f, name, x))).toEqual(all256((x) => x === value));
      }),
      RUNS,
    );
  });

  it("range: lo ≤ x ≤ hi, empty when lo > hi", () => {
    fc.assert(
      fc.property(field8, byte, byte, (name, lo, hi) => {
        const f = range(m, name, lo, hi);
        expect(all256((x) => at8(f, name, x))).toEqual(all256((x) => lo <= x && x <= hi));
      }),
      RUNS,
    );
  });

  it("maskedEq: (x & mask) === value, never when value has bits outside mask", () => {
    fc.assert(
      fc.property(field8, byte, byte, (name, value, mask) => {
        const f = maskedEq(m, name, value, mask);
        expect(all256((x) => at8(f, name, x))).toEqual(all256((x) => (x & mask) === value));
      }),
      RUNS,
    );
  });

  it("range and maskedEq on 16-, 32- and 128-bit fields, at the edges and random points", () => {
    const wide = fc.constantFrom<[FieldName, number]>(["dport", 16], ["fwmark", 32], ["dst", 128]);
    const valueArb = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
    fc.assert(
      fc.property(
        wide.chain(([name, bits]) =>
          fc.tuple(fc.constant(name), fc.array(valueArb(bits), { minLength: 6, maxLength: 6 })),
        ),
        ([name, [a, b, value, mask, ...xs]]) => {
          const [lo, hi] = a! <= b! ? [a!, b!] : [b!, a!];
          const r = range(m, name, lo, hi);
          const me = maskedEq(m, name, value! & mask!, mask!);
          for (const x of [lo, hi, lo - 1n, hi + 1n, value!, ...xs]) {
            if (x < 0n || x >> BigInt(FIELDS[name].width) !== 0n) continue;
            const bits = zeroBits.slice();
            const f = FIELDS[name];
            for (let i = 0; i < f.width; i++)
              bits[f.offset + i] = Number((x >> BigInt(f.width - 1 - i)) & 1n);
            expect(evaluate(m, r, bits)).toBe(lo <= x && x <= hi);
            expect(evaluate(m, me, bits)).toBe((x & mask!) === (value! & mask!));
          }
        },
      ),
      RUNS,
    );
  });

  it("encoders only test their own field", () => {
    const f = range(m, "dport", 1024, 65535);
    expect(evaluate(m, f, encode({ ...ZERO, dport: 2000, sport: 80, fwmark: 7 }))).toBe(true);
    expect(evaluate(m, f, encode({ ...ZERO, dport: 80, sport: 2000 }))).toBe(false);
  });

  it("values that do not fit their field are refused", () => {
    expect(() => eq(m, "ipproto", 256)).toThrow(RangeError);
    expect(() => eq(m, "fwmark", -1)).toThrow(RangeError);
    expect(() => prefix(m, "tos", 0, 9)).toThrow(RangeError);
    expect(() => addrPrefix(m, "dst", { addr: v4(0), len: 33 })).toThrow(RangeError);
  });
});

describe("addresses", () => {
  const prefixArb = (a: fc.Arbitrary<Addr>, max: number): fc.Arbitrary<Prefix> =>
    fc.record({ addr: a, len: fc.nat(max) });

  it("addrPrefix matches the packets whose address `contains` says are in the prefix", () => {
    fc.assert(
      fc.property(
        fc.oneof(prefixArb(addr4, 32), prefixArb(addr6, 128)),
        packetArb,
        fc.boolean(),
        (p, pkt, inside) => {
          // Half the time move the packet's dst into p's family and prefix.
          const dst: Addr =
            inside && p.addr.family === pkt.family
              ? p.addr.family === 4
                ? v4(p.addr.v)
                : v6(p.addr.v)
              : pkt.dst;
          const q = { ...pkt, dst };
          const f = addrPrefix(m, "dst", p);
          expect(evaluate(m, f, encode(q))).toBe(contains(p, dst));
          expect(evaluate(m, addrPrefix(m, "src", p), encode(q))).toBe(contains(p, q.src));
        },
      ),
      RUNS,
    );
  });

  it("5,000 random IPv4 prefixes ORed: membership as a linear scan says", () => {
    let seed = 0x2545f491;
    const next = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    const ps: Prefix[] = Array.from({ length: 5000 }, () => ({
      addr: v4(next()),
      len: 8 + (next() % 25),
    }));
    let f = FALSE;
    for (const p of ps) f = or(m, f, addrPrefix(m, "dst", p));
    for (let i = 0; i < 500; i++) {
      // Alternate addresses inside some prefix and uniform ones.
      const base = ps[next() % ps.length]!;
      const a = v4(i % 2 ? next() : (base.addr.v as number) ^ (next() >>> base.len));
      const want = ps.some((p) => contains(p, a));
      expect(evaluate(m, f, encode({ ...ZERO, dst: a }))).toBe(want);
    }
  });
});

describe("decoding and witnesses", () => {
  it("decode(encode(p)) is p, and eq on every field holds exactly that packet", () => {
    fc.assert(
      fc.property(packetArb, (p) => {
        expect(decode(encode(p))).toEqual(p);
      }),
      RUNS,
    );
    const p: HeaderPacket = { ...ZERO, dst: v4(0x0a000001), fwmark: 0x10, dport: 53 };
    const names = Object.keys(FIELDS) as FieldName[];
    const bits = encode(p);
    const values = names.map((n) => eq(m, n, readBack(bits, n)));
    let f = values.reduce((x, y) => and(m, x, y));
    expect(satCount(m, f, HEADER_VARS)).toBe(1n);
    expect(decode(pickOne(m, f)!)).toEqual(p);
    f = and(m, f, not(m, eq(m, "dport", 53)));
    expect(f).toBe(FALSE);
  });

  it("wellFormed IPv4 headers: 2^32 dst × 2^32 src × 5 ct states × the other 160 bits", () => {
    const v4Only = and(m, wellFormed(m), eq(m, "family", 0));
    const other = HEADER_VARS - 1 - 256 - 3; // iif..ctmark
    expect(other).toBe(160);
    expect(satCount(m, v4Only, HEADER_VARS)).toBe(5n << BigInt(64 + other));
  });

  it("the witness changes the fewest fields from the zero packet", () => {
    // fwmark = 0xffffffff alone (one field) or uid = 5 and sport = 1 (two fields): the least
    // assignment in variable order would take the second (fwmark's top bit 0 first).
    const f = or(m, eq(m, "fwmark", 0xffffffff), and(m, eq(m, "uid", 5), eq(m, "sport", 1)));
    expect(witness(m, and(m, f, wellFormed(m)))).toEqual({ ...ZERO, fwmark: 0xffffffff });
    expect(decode(pickOne(m, f)!)).toEqual({ ...ZERO, uid: 5, sport: 1 });
  });

  it("a routed witness: 10/8 with mark 0x1/0x1 and TCP is 10.0.0.0, mark 1, proto 6", () => {
    const f = [
      wellFormed(m),
      addrPrefix(m, "dst", { addr: v4(0x0a000000), len: 8 }),
      maskedEq(m, "fwmark", 1, 1),
      eq(m, "ipproto", 6),
      eq(m, "ctstate", CT_STATE.established),
    ].reduce((x, y) => and(m, x, y));
    expect(witness(m, f)).toEqual({
      ...ZERO,
      dst: v4(0x0a000000),
      fwmark: 1,
      ipproto: 6,
      ctstate: CT_STATE.established,
    });
    expect(witness(m, FALSE)).toBeUndefined();
  });
});

/** A field's value as encode wrote it (test-side bit reading, independent of readField). */
function readBack(bits: Uint8Array, name: FieldName): bigint {
  const f = FIELDS[name];
  let v = 0n;
  for (let i = 0; i < f.width; i++) v = (v << 1n) | BigInt(bits[f.offset + i]!);
  return v;
}
