/**
 * The bottom layer: types and helpers every other layer may import; it imports nothing.
 * @module
 */
export * from "./issue.js";
export * from "./kinds.js";
export * from "./loc.js";
export * from "./result.js";
