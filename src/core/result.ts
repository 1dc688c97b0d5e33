/**
 * Small helpers shared by every layer: a result union and optional fields.
 * @module
 */
import type { Issue } from "./issue.js";

/** A value or the issue that prevented it. Narrow on `ok`. */
export type Result<T, E = Issue> = { ok: true; value: T } | { ok: false; error: E };

/** @example ok(3) // { ok: true, value: 3 } */
export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** @example err({ code: "usage", message: "bad" }) // { ok: false, error: … } */
export function err<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}

/**
 * Copy `src` leaving out the keys whose value is undefined: one call instead of a
 * `...(x !== undefined ? { x } : {})` spread per optional field.
 * @example defined({ a: 1, b: undefined }) // { a: 1 }
 */
export function defined<T extends object>(src: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]: Exclude<T[K], undefined> };
}
