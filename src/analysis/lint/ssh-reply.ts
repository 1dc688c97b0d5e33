/**
 * `ssh-reply-moved` (`--ssh-peer ADDR`): the replies of a remote login — locally generated
 * TCP from sport 22 to ADDR, uid 0 and mark 0 as sshd's accepted socket has them — leave by
 * another device than the main table alone would choose. The login then breaks when the
 * rules are applied (replies go into a tunnel or out the wrong uplink).
 * @module
 */
import { formatAddr } from "../../addr/ip.js";
import { TABLE } from "../../core/kinds.js";
import { linkByIndex } from "../../model/links.js";
import { and } from "../bdd/apply.js";
import { FALSE } from "../bdd/arena.js";
import { addrPrefix, eq } from "../header.js";
import { tablePartition } from "../table.js";
import { where } from "./tunnel.js";
import { type Finding, type LintCtx, packetsOf } from "./types.js";

export function sshReply(c: LintCtx): Finding[] {
  const peer = c.opts.sshPeer;
  if (!peer) return [];
  const m = c.a.m;
  const fam = peer.family;
  const dst = addrPrefix(m, "dst", { addr: peer, len: fam === 4 ? 32 : 128 });
  let reply = and(m, dst, and(m, eq(m, "ipproto", 6), eq(m, "sport", 22)));
  reply = and(m, reply, and(m, eq(m, "uid", 0), and(m, eq(m, "fwmark", 0), eq(m, "tos", 0))));
  const main = tablePartition(m, c.a.s, fam, TABLE.main).find(
    (g) => g.res.kind === "route" && and(m, g.pred, dst) !== FALSE,
  );
  const want = new Set((main?.paths ?? []).map((p) => p.dev));
  const moved = where(c.a, fam, (o) =>
    want.size ? !o.ok || !o.paths.every((p) => want.has(p.dev)) : false,
  );
  const p = packetsOf(c.a, and(m, reply, moved), fam);
  if (!p) return [];
  const devs = [...want].map((i) => linkByIndex(c.a.s, i)?.name ?? `if${i}`).join(", ");
  return [
    {
      id: "ssh-reply-moved",
      severity: "error",
      message:
        `replies to the login from ${formatAddr(peer)} (tcp sport 22) no longer leave by ` +
        `${devs} as the main table would send them`,
      packets: p,
      fix:
        `keep them on the main table: ip${fam === 6 ? " -6" : ""} rule add to ` +
        `${formatAddr(peer)} ipproto tcp sport 22 lookup main pref 100`,
    },
  ];
}
