/**
 * Argument readers the `ip` objects share, each named after the lib/utils.c or rt_names.c
 * function it follows; a bad word ends the command through the cursor (exit status and
 * message as `ip` prints them).
 * @module
 */
import { getAddr, parsePrefix, type Addr, type Family, type Prefix } from "../addr/ip.js";
import { dsfieldA2n } from "./names.js";
import type { ArgCursor } from "./args.js";
import type { Word } from "./shell.js";

/** get_prefix(): `Error: any valid prefix is expected rather than "X".` (exit 1). */
export function prefixArg(c: ArgCursor, w: Word, family: Family | undefined): Prefix {
  const r = parsePrefix(w.text, family);
  if (r.ok) return r.value;
  const message = `Error: any valid prefix is expected rather than "${w.text}".`;
  return c.fail("ip.prefix", message, w, 1, r.expected);
}

/** get_addr(): `Error: WHAT address is expected rather than "X".` (exit 1). */
export function addrArg(c: ArgCursor, w: Word, family: Family | undefined, what = "inet"): Addr {
  const r = getAddr(w.text, family);
  if (r.ok) return r.value;
  const message = `Error: ${what} address is expected rather than "${w.text}".`;
  return c.fail("ip.address", message, w, 1, r.expected);
}

/** rtnl_dsfield_a2n; `why` is the caller's invarg text (iproute.c and iprule.c differ). */
export function parseTos(c: ArgCursor, v: Word, why = "TOS value is invalid\n"): number {
  return dsfieldA2n(v.text) ?? c.invarg(why, v);
}

/** iprule.c sport/dport: `N` or `N-M`, decimal (sscanf %hu). */
export function parsePortRange(c: ArgCursor, v: Word, which: string): [number, number] {
  const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(v.text);
  if (!m) return c.invarg(`invalid ${which}\n`, v);
  const a = Number(m[1]);
  const b = m[2] !== undefined ? Number(m[2]) : a;
  if (a > 65535 || b > 65535) return c.invarg(`invalid ${which}\n`, v);
  return [a, b];
}
