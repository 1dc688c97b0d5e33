/**
 * Helpers every match extension uses to read its parsed data.
 * @module
 */
export type D = Record<string, unknown>;
export const num = (d: D, k: string): number => d[k] as number;
export const bool = (d: D, k: string): boolean => d[k] === true;
/** An inclusive [min, max] range (ports, ids). */
export type Range = [number, number];
