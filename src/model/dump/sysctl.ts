/**
 * `sysctl -a` dumps: `key = value` lines into the host's sysctl table (keys written with
 * `/` are stored with `.`, as sysctl(8) accepts both).
 * @module
 */
import type { HostState } from "../types.js";
import { rejected } from "./loader.js";
import { tokenize } from "./tokens.js";

/**
 * One line of `sysctl -a` whose first character is at text position `base`.
 * @example sysctlLine(h, "net.ipv4.ip_forward = 1", 0) // h.sysctl has ip_forward "1"
 */
export function sysctlLine(state: HostState, line: string, base: number): void {
  const m = /^\s*([A-Za-z0-9_][\w.\-/:@]*)\s*=\s?(.*)$/.exec(line);
  if (!m) {
    const t = tokenize(line, base)[0]!;
    throw rejected(t.pos, t.s, "`key = value` as `sysctl -a` prints");
  }
  state.sysctl.set(m[1]!.replace(/\//g, "."), m[2]!.trim());
}
