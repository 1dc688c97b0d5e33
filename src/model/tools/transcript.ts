/**
 * A `wg-quick up` transcript as people paste it: the `[#] COMMAND` lines wg-quick prints
 * before running each command (linux.bash cmd()) are the script. What the transcript does
 * not show is rebuilt from the same logic wg-quick used: the text fed to
 * `nft -f /dev/fd/63` or `iptables-restore -n` is add_default's firewall for the family
 * and table of the `not fwmark T table T` rule before it; a device whose fwmark came from
 * its configuration (no `wg set … fwmark` line) has the fwmark that rule names.
 * @module
 */
import type { Issue } from "../../core/issue.js";
import type { SourceLoc } from "../../core/loc.js";
import { linkByName } from "../links.js";
import type { HostState } from "../types.js";
import { wgQuickNft, type ScriptRunner } from "./wgquick.js";

/** A transcript: a `[#] ip link add … type wireguard` line. */
export function isWgQuickTranscript(text: string): boolean {
  return /^\[#\] ip link add (dev )?\S+ type wireguard\s*$/m.test(text);
}

/** add_default's iptables-restore text for one family. */
function restoreText(s: HostState, dev: string, fam: 4 | 6, table: number): string {
  const marker = `-m comment --comment "wg-quick(8) rule for ${dev}"`;
  const l = linkByName(s, dev);
  let out = "*raw\n";
  for (const a of s.addrs) {
    if (!l || a.ifindex !== l.ifindex || a.family !== fam || a.peer) continue;
    const nft = wgQuickNft({ ...s, addrs: [a] }, dev, fam, table);
    const addr = /daddr (\S+) fib/.exec(nft)?.[1];
    out += `-I PREROUTING ! -i ${dev} -d ${addr} -m addrtype ! --src-type LOCAL -j DROP `;
    out += `${marker}\n`;
  }
  out += "COMMIT\n*mangle\n";
  out += `-I POSTROUTING -m mark --mark ${table} -p udp -j CONNMARK --save-mark ${marker}\n`;
  out += `-I PREROUTING -p udp -j CONNMARK --restore-mark ${marker}\nCOMMIT\n`;
  return out;
}

/**
 * Run the transcript's commands on the host.
 * @example loadWgQuickTranscript(s, "[#] ip link add wg0 type wireguard\n", "up.txt", run)
 */
export function loadWgQuickTranscript(
  s: HostState,
  text: string,
  file: string,
  run: ScriptRunner,
): Issue[] {
  const issues: Issue[] = [];
  let dev = "";
  let fam: 4 | 6 = 4;
  let table = 0;
  text.split("\n").forEach((line, n) => {
    const m = /^\[#\] (.*)$/.exec(line.trimEnd());
    if (!m) return;
    const cmd = m[1]!;
    const loc: SourceLoc = { file, line: n + 1, col: 5 };
    const add = /^ip link add (?:dev )?(\S+) type wireguard$/.exec(cmd);
    if (add) dev = add[1]!;
    const rule = /^ip -([46]) rule add not fwmark (\d+) table (\d+)$/.exec(cmd);
    if (rule) {
      fam = rule[1] === "6" ? 6 : 4;
      table = Number(rule[3]);
      const l = linkByName(s, dev);
      if (l && !l.fwmark) l.fwmark = Number(rule[2]);
    }
    let script = cmd;
    if (/^wg (setconf|addconf|syncconf) \S+ \/dev\/fd\/\d+$/.test(cmd)) return;
    if (/^resolvconf /.test(cmd)) {
      const message = `${cmd}: DNS has no routing effect; skipped`;
      issues.push({ code: "load.skipped", message, loc, severity: "warning" });
      return;
    }
    if (/^nft -f \/dev\/fd\/\d+$/.test(cmd))
      script = `nft -f - <<'WGQUICK'\n${wgQuickNft(s, dev, fam, table)}WGQUICK`;
    else if (/^ip6?tables-restore -n$/.test(cmd))
      script = `${cmd} <<'WGQUICK'\n${restoreText(s, dev, fam, table)}WGQUICK`;
    const r = run(script, loc);
    issues.push(...r.issues);
  });
  return issues;
}
