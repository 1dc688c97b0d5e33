/**
 * `ssh-reply-moved` (`--ssh-peer ADDR`): the replies of a remote login — TCP from sport 22 to
 * ADDR sent by sshd's accepted socket (uid 0, mark 0), bound to the address the login came
 * in on (reply.ts: `from` rules apply) — leave by another device than the main table alone
 * would choose. The login then breaks when the rules are applied (replies go into a tunnel
 * or out the wrong uplink). The login is taken to have come in on an address of the device
 * main reaches ADDR by.
 * @module
 */
import { formatAddr } from "../../addr/ip.js";
import { TABLE } from "../../core/kinds.js";
import { linkByIndex } from "../../model/links.js";
import type { Selector } from "../assert.js";
import { and, or } from "../bdd/apply.js";
import { type Bdd, FALSE } from "../bdd/arena.js";
import { describeOutcome, describeSet, representative } from "../describe.js";
import { addrPrefix } from "../header.js";
import type { Outcome } from "../outcome.js";
import { replyBase, replyOutcomes, replySets, replyWords } from "../reply.js";
import { tablePartition } from "../table.js";
import type { Finding, LintCtx, LintPackets } from "./types.js";

export function sshReply(c: LintCtx): Finding[] {
  const peer = c.opts.sshPeer;
  if (!peer) return [];
  const a = c.a;
  const m = a.m;
  const fam = peer.family;
  const host = (x: typeof peer) => ({ addr: x, len: fam === 4 ? 32 : 128 });
  const dst = addrPrefix(m, "dst", host(peer));
  const main = tablePartition(m, a.s, fam, TABLE.main).find(
    (g) => g.res.kind === "route" && and(m, g.pred, dst) !== FALSE,
  );
  const want = new Set((main?.paths ?? []).map((p) => p.dev));
  if (!want.size) return [];
  let src = FALSE;
  for (const x of a.s.addrs)
    if (x.family === fam && want.has(x.ifindex))
      src = or(m, src, addrPrefix(m, "src", host(x.local)));
  const num = (field: "ipproto" | "dport" | "uid", v: number): Selector => ({
    kind: "num",
    field,
    items: [{ lo: v, hi: v }],
    not: false,
  });
  const sel = [num("ipproto", 6), num("dport", 22), num("uid", 0)];
  const from = [{ prefixes: [host(peer)], not: false }];
  const rs = replySets(a, [{ kind: "family", family: fam }, ...sel], { from });
  if (!rs.ok)
    return [
      {
        id: "ssh-reply-unchecked",
        severity: "info",
        message: `the replies to ${formatAddr(peer)} could not be checked: ${rs.error.message}`,
        fix: "",
      },
    ];
  let moved = FALSE;
  const outs: { pred: Bdd; outcome: Outcome }[] = [];
  for (const set of rs.value.sets)
    for (const o of replyOutcomes(a, fam, and(m, set.pred, src)))
      if (!o.outcome.ok || !o.outcome.paths.every((p) => want.has(p.dev))) {
        moved = or(m, moved, o.pred);
        outs.push(o);
      }
  const rep = representative(m, moved);
  if (!rep) return [];
  const universe = and(m, replyBase(m, fam), src);
  const packets: LintPackets = {
    family: fam,
    description: describeSet(m, moved, universe, fam),
    representative: replyWords(rep),
    outcome: describeOutcome(a.s, outs.find((o) => and(m, o.pred, moved) !== FALSE)!.outcome),
    packet: rep,
  };
  const devs = [...want].map((i) => linkByIndex(a.s, i)?.name ?? `if${i}`).join(", ");
  return [
    {
      id: "ssh-reply-moved",
      severity: "error",
      message:
        `replies to the login from ${formatAddr(peer)} (tcp sport 22) no longer leave by ` +
        `${devs} as the main table would send them`,
      packets,
      fix:
        `keep them on the main table: ip${fam === 6 ? " -6" : ""} rule add from ` +
        `${formatAddr(rep.src)} lookup main pref 100 (or: to ${formatAddr(peer)} ipproto tcp ` +
        "sport 22 lookup main)",
    },
  ];
}
