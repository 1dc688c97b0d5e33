/**
 * fnmatch(3) as iproute2 uses it for `label` patterns (ipaddr_filter): `*`, `?` and
 * literal characters.
 * @module
 */

/** True when `s` matches the shell pattern. */
export function fnmatch(pattern: string, s: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test(s);
}
