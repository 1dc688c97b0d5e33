/**
 * Match extensions (`-m NAME`), one file per kernel module under match/ (like the kernel's
 * xt_*.c): parsing with iptables 1.8.9's wording, the canonical iptables-save text, kernel
 * restrictions and evaluation on an NfPacket. This module is their registry.
 * @module
 */
import type { Family } from "../../addr/ip.js";
import { EXTRA_MATCHES } from "./extra.js";
import type { MatchExt } from "./ext.js";
import { addrtype } from "./match/addrtype.js";
import { comment } from "./match/comment.js";
import { rt } from "./match/rt.js";
import { hl } from "./match/hl.js";
import { conntrack, state } from "./match/conntrack.js";
import { iprange } from "./match/iprange.js";
import { markLike } from "./match/mark.js";
import { owner } from "./match/owner.js";
import { multiport, tcpudp } from "./match/ports.js";
import { policy } from "./match/policy.js";
import { set } from "./match/set.js";
import { socket } from "./match/socket.js";

export { ADDRTYPES } from "./match/addrtype.js";
export { parseMarkMask } from "./match/mark.js";

export const MATCHES: Record<string, MatchExt> = {
  tcp: tcpudp("tcp"),
  udp: tcpudp("udp"),
  multiport,
  iprange,
  owner,
  mark: markLike("mark"),
  connmark: markLike("connmark"),
  conntrack,
  state,
  addrtype,
  set,
  socket,
  comment,
  rt,
  hl,
  policy,
  ...EXTRA_MATCHES,
};

export function familyOk(ext: { families?: Family[] }, f: Family): boolean {
  return !ext.families || ext.families.includes(f);
}
