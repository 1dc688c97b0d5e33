/**
 * A wg-quick configuration (`[Interface]`/`[Peer]`) loaded as exactly the commands
 * `wg-quick up` runs for it (wireguard-tools src/wg-quick/linux.bash cmd_up, reimplemented
 * here): add_if, PreUp, set_config, add_addr, set_mtu_up, set_dns, add_route per allowed IP
 * (sorted as `sort -nr -k 2 -t /` does) with add_default's fwmark table, rules,
 * src_valid_mark and firewall, then PostUp. Each step that depends on the host (the MTU,
 * the first free table from 51820, whether a route exists, the addresses the firewall
 * names) reads the host as it is at that step, as the script's `ip … show` calls do.
 *
 * The firewall: linux.bash uses nft when `type -p nft` finds it, else iptables-restore.
 * routelab takes the nft branch (hosts that run wg-quick today have nft); the transcript
 * loader takes whichever the transcript shows.
 * @module
 */
import type { Issue } from "../../core/issue.js";
import type { SourceLoc } from "../../core/loc.js";
import { confLines, parseWgConf, type ConfLine } from "../../parse/wg.js";
import { linkByName } from "../links.js";
import type { HostState } from "../types.js";
import { sysctlInt } from "../sysctl.js";
import { applyWgConf } from "./wg.js";

/** Runs shell text on the host (the loader's script runner): its issues and exit status. */
export type ScriptRunner = (text: string, loc: SourceLoc) => { issues: Issue[]; ok: boolean };

/** The [Interface] keys wg-quick handles itself (parse_options). */
interface QuickConf {
  addresses: string[];
  mtu?: string;
  dns: string[];
  table?: string;
  preUp: ConfLine[];
  postUp: ConfLine[];
}

/** True when the text is a wg-quick / wg configuration (an `[Interface]` section). */
export function isWgQuickConf(text: string): boolean {
  return /^\s*\[Interface\]\s*(#.*)?$/im.test(text);
}

/** The interface name wg-quick takes from the file name (`wg0.conf` → `wg0`). */
export function wgQuickInterface(file: string): string | undefined {
  return /(?:^|\/)([a-zA-Z0-9_=+.-]{1,15})\.conf$/.exec(file)?.[1];
}

function quickConf(lines: ConfLine[]): QuickConf {
  const q: QuickConf = { addresses: [], dns: [], preUp: [], postUp: [] };
  for (const l of lines) {
    if (l.section !== "[interface]" || l.key === "") continue;
    const words = l.value.split(/[\s,]+/).filter((x) => x !== "");
    if (l.key === "address") q.addresses.push(...words);
    else if (l.key === "mtu") q.mtu = l.value;
    else if (l.key === "dns") q.dns.push(...words);
    else if (l.key === "table") q.table = l.value;
    else if (l.key === "preup") q.preUp.push(l);
    else if (l.key === "postup") q.postUp.push(l);
  }
  return q;
}

/** cmd_up's `sort -nr -k 2 -t /` (LC_ALL=C): prefix length descending, then the line. */
export function sortAllowedIps(ips: string[]): string[] {
  const len = (x: string) => Number.parseInt(x.slice(x.indexOf("/") + 1), 10) || 0;
  return [...ips].sort((a, b) => len(b) - len(a) || (a < b ? 1 : a > b ? -1 : 0));
}

/**
 * add_default's nft table for one family (the text it feeds `nft -f`), with the device's
 * addresses of that family as `ip -o addr show dev IF` lists them.
 */
export function wgQuickNft(s: HostState, dev: string, fam: 4 | 6, table: number): string {
  const pf = fam === 4 ? "ip" : "ip6";
  const t = `wg-quick-${dev}`;
  let out = `add table ${pf} ${t}\n`;
  out += `add chain ${pf} ${t} preraw { type filter hook prerouting priority -300; }\n`;
  out += `add chain ${pf} ${t} premangle { type filter hook prerouting priority -150; }\n`;
  out += `add chain ${pf} ${t} postmangle { type filter hook postrouting priority -150; }\n`;
  const l = linkByName(s, dev);
  for (const a of s.addrs) {
    if (!l || a.ifindex !== l.ifindex || a.family !== fam || a.peer) continue;
    const addr = formatLocal(a.local);
    out += `add rule ${pf} ${t} preraw iifname != "${dev}" ${pf} daddr ${addr} `;
    out += "fib saddr type != local drop\n";
  }
  out += `add rule ${pf} ${t} postmangle meta l4proto udp mark ${table} ct mark set mark \n`;
  out += `add rule ${pf} ${t} premangle meta l4proto udp meta mark set ct mark \n`;
  return out;
}

function formatLocal(a: { family: 4 | 6; v: number | bigint }): string {
  if (a.family === 4) {
    const n = Number(a.v);
    return [24, 16, 8, 0].map((b) => (n >>> b) & 255).join(".");
  }
  // Compressed IPv6 text as iproute2 prints it (inet_ntop).
  const h: number[] = [];
  for (let i = 7; i >= 0; i--) h.push(Number(((a.v as bigint) >> BigInt(i * 16)) & 0xffffn));
  let best = -1,
    bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (h[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && h[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = h.map((x) => x.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

/** Does `ip -F route show table T` print anything (any route of the family in table T)? */
function tableUsed(s: HostState, fam: 4 | 6, table: number): boolean {
  return s.routes.some((r) => r.family === fam && r.table === table);
}

/** add_route's `ip route show dev IF match X` (main table): a route on IF covering X. */
function routeCovers(s: HostState, dev: string, cidr: string, fam: 4 | 6): boolean {
  const l = linkByName(s, dev);
  if (!l) return false;
  const [a, lenS] = cidr.split("/");
  const len = Number(lenS);
  const x = parseAddrBits(a!, fam);
  if (x === undefined) return false;
  const bits = fam === 4 ? 32 : 128;
  return s.routes.some((r) => {
    if (r.family !== fam || r.table !== 254 || r.dst.len > len) return false;
    if (!r.nexthops.some((n) => n.ifindex === l.ifindex)) return false;
    const shift = BigInt(bits - r.dst.len);
    return BigInt(r.dst.addr.v) >> shift === x >> shift;
  });
}

function parseAddrBits(a: string, fam: 4 | 6): bigint | undefined {
  if (fam === 4) {
    const p = a.split(".").map(Number);
    if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) return undefined;
    return BigInt(((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!);
  }
  const [head, tail] = a.includes("::") ? a.split("::") : [a, undefined];
  const hs = head ? head.split(":") : [];
  const ts = tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : Array(8 - hs.length - ts.length).fill("0");
  const all = [...hs, ...fill, ...ts];
  if (all.length !== 8) return undefined;
  return all.reduce((v, g) => (v << 16n) | BigInt(Number.parseInt(g || "0", 16)), 0n);
}

/** set_mtu_up without MTU: the default route's device MTU (or 1500) minus 80. */
function autoMtu(s: HostState): number {
  const d = s.routes
    .filter((r) => r.family === 4 && r.table === 254 && r.dst.len === 0)
    .sort((a, b) => a.metric - b.metric || a.seq - b.seq)[0];
  const mtuMetric = d?.metrics?.find((m) => m.name === "mtu")?.value;
  const dev = d?.nexthops[0]
    ? s.links.find((l) => l.ifindex === d.nexthops[0]!.ifindex)
    : undefined;
  const mtu = mtuMetric ?? dev?.mtu ?? 1500;
  return (mtu > 0 && mtu < 2147483647 ? mtu : 1500) - 80;
}

/**
 * `wg-quick up FILE` on the host. Issues carry the config line's location.
 * @example loadWgQuick(s, text, "wg0.conf", run)
 */
export function loadWgQuick(s: HostState, text: string, file: string, run: ScriptRunner): Issue[] {
  const at: SourceLoc = { file, line: 1, col: 1 };
  const dev = wgQuickInterface(file);
  if (!dev)
    return [
      {
        code: "wg-quick.name",
        message: "The config file must be a valid interface name, followed by .conf",
        loc: at,
        token: file,
        expected: "NAME.conf (NAME: 1-15 of [a-zA-Z0-9_=+.-])",
        severity: "error",
      },
    ];
  const lines = confLines(text, file);
  const q = quickConf(lines);
  const issues: Issue[] = [];
  const step = (cmd: string, loc: SourceLoc = at): boolean => {
    const r = run(cmd, loc);
    issues.push(...r.issues);
    return r.ok;
  };
  if (linkByName(s, dev))
    return [
      {
        code: "wg-quick.exists",
        message: `\`${dev}' already exists`,
        loc: at,
        severity: "warning",
      },
    ];
  if (!step(`ip link add dev ${dev} type wireguard`)) return issues;
  for (const h of q.preUp) step(h.raw.replaceAll("%i", dev), h.loc);
  // set_config: `wg addconf IF <(config without wg-quick's keys)`.
  applyWgConf(linkByName(s, dev)!, parseWgConf(text, file), false);
  for (const a of q.addresses) step(`ip -${a.includes(":") ? 6 : 4} address add ${a} dev ${dev}`);
  const mtu = q.mtu !== undefined ? q.mtu : String(autoMtu(s));
  step(`ip link set mtu ${mtu} up dev ${dev}`);
  if (q.dns.length)
    issues.push({
      code: "load.skipped",
      message:
        `resolvconf -a ${dev} -m 0 -x: DNS (${q.dns.join(", ")}) has no routing effect; ` +
        "skipped",
      loc: lines.find((l) => l.key === "dns")!.loc,
      severity: "warning",
    });
  const link = linkByName(s, dev)!;
  const ips = (link.wg?.peers ?? [])
    .flatMap((p) => p.allowedIps)
    .filter((x) => /^[0-9a-z:.]+\/[0-9]+$/.test(x));
  for (const ip of sortAllowedIps(ips)) addRoute(s, dev, ip, q.table, step);
  for (const h of q.postUp) step(h.raw.replaceAll("%i", dev), h.loc);
  return issues;
}

/** add_route / add_default for one allowed IP. */
function addRoute(
  s: HostState,
  dev: string,
  ip: string,
  table: string | undefined,
  step: (cmd: string) => boolean,
): void {
  const fam = ip.includes(":") ? 6 : 4;
  if (table === "off") return;
  if (table !== undefined && table !== "auto") {
    step(`ip -${fam} route add ${ip} dev ${dev} table ${table}`);
    return;
  }
  if (!ip.endsWith("/0")) {
    if (!routeCovers(s, dev, ip, fam)) step(`ip -${fam} route add ${ip} dev ${dev}`);
    return;
  }
  const link = linkByName(s, dev)!;
  let t = link.fwmark ?? 0;
  if (!t) {
    t = 51820;
    while (tableUsed(s, 4, t) || tableUsed(s, 6, t)) t++;
    link.fwmark = t;
  }
  step(`ip -${fam} rule add not fwmark ${t} table ${t}`);
  step(`ip -${fam} rule add table main suppress_prefixlength 0`);
  step(`ip -${fam} route add ${ip} dev ${dev} table ${t}`);
  if (fam === 4 && sysctlInt(s, "net.ipv4.conf.all.src_valid_mark") !== 1)
    step("sysctl -q net.ipv4.conf.all.src_valid_mark=1");
  step(`nft -f - <<'WGQUICK'\n${wgQuickNft(s, dev, fam, t)}WGQUICK`);
}
