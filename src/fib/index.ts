/**
 * Longest-prefix-match structures for routing tables: prefixes map to small integer ids,
 * with backtracking to the next shorter containing prefix (`parentOf`).
 * @module
 */
export * from "./types.js";
export { fromWords, toWords, words6 } from "./bits.js";
export { Lpm4Small, Lpm6Small } from "./small.js";
export { Lpm4Dir248, Lpm4Multibit, Lpm6Multibit } from "./multibit.js";
export { AutoLpm4, AutoLpm6, createLpm, copyLpm, SMALL_MAX, MEDIUM_MAX4 } from "./create.js";
