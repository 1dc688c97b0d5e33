/**
 * The link index: finding a device by name or ifindex (dev_get_by_name /
 * dev_get_by_index). The engine and the interfaces use this, never the command appliers.
 * @module
 */
import type { HostState, Link } from "./types.js";

/** Find a link by name. @example linkByName(s, "lo")?.ifindex // 1 */
export function linkByName(s: HostState, name: string): Link | undefined {
  return s.links.find((l) => l.name === name);
}

/** Find a link by ifindex. @example linkByIndex(s, 1)?.name // "lo" */
export function linkByIndex(s: HostState, ifindex: number): Link | undefined {
  return s.links.find((l) => l.ifindex === ifindex);
}
