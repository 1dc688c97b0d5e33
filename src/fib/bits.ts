/**
 * Small helpers shared by the LPM backends: argument checks, netmasks as int32, and the
 * bigint <-> four-uint32-words conversion for IPv6.
 * @module
 */
import { MAX_ID } from "./types.js";

/** MASK4[len] = the IPv4 netmask as an int32 bit pattern (len 0..32). */
export const MASK4 = new Int32Array(33);
for (let l = 1; l <= 32; l++) MASK4[l] = (0xffffffff << (32 - l)) | 0;

/** MASK6[len * 4 + k] = word k (most significant first) of the IPv6 netmask, int32 pattern. */
export const MASK6 = new Int32Array(129 * 4);
for (let l = 0; l <= 128; l++) {
  for (let k = 0; k < 4; k++) {
    const b = Math.min(32, Math.max(0, l - 32 * k));
    MASK6[l * 4 + k] = MASK4[b]!;
  }
}

/** Throw unless `len` is an integer in 0..max. */
export function checkLen(len: number, max: number): void {
  if (!Number.isInteger(len) || len < 0 || len > max)
    throw new RangeError(`prefix length ${len} is not in 0..${max}`);
}

/** Throw unless `id` is an integer in 0..MAX_ID. */
export function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > MAX_ID)
    throw new RangeError(`id ${id} is not an integer in 0..${MAX_ID}`);
}

/** Error for an id already naming another prefix. */
export function idInUse(id: number): Error {
  return new Error(`id ${id} already names another prefix`);
}

const DV = new DataView(new ArrayBuffer(16));

/** Split a 128-bit bigint into four uint32 words (most significant first) into `out`. */
export function toWords(a: bigint, out: Uint32Array | Int32Array): void {
  // setBigUint64 takes the value modulo 2^64 itself: one bigint shift instead of six operations.
  DV.setBigUint64(0, a >> 64n);
  DV.setBigUint64(8, a);
  out[0] = DV.getUint32(0);
  out[1] = DV.getUint32(4);
  out[2] = DV.getUint32(8);
  out[3] = DV.getUint32(12);
}

/** Join four uint32 words (most significant first) into a bigint. */
export function fromWords(w0: number, w1: number, w2: number, w3: number): bigint {
  return (
    (BigInt(w0 >>> 0) << 96n) |
    (BigInt(w1 >>> 0) << 64n) |
    (BigInt(w2 >>> 0) << 32n) |
    BigInt(w3 >>> 0)
  );
}

/** Split a bigint into four uint32 words. @example words6(1n) // [0, 0, 0, 1] */
export function words6(a: bigint): [number, number, number, number] {
  const w = new Uint32Array(4);
  toWords(a, w);
  return [w[0]!, w[1]!, w[2]!, w[3]!];
}
