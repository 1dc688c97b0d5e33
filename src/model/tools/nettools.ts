/**
 * net-tools `route` and `ifconfig` as the kernel takes their ioctls:
 * - `route add|del` → SIOCADDRT/SIOCDELRT → fib_convert_rtentry: table main, protocol boot,
 *   scope universe with a gateway else link, `reject` an unreachable route of scope host,
 *   metric as given (net-tools sends metric+1, the kernel subtracts 1); no NLM_F_EXCL, so
 *   an add puts the route first among its siblings, as `ip route prepend` does.
 * - `ifconfig DEV ADDR [netmask M] [broadcast B] [mtu N] [up|down]` → SIOCSIFADDR on the
 *   primary address labelled DEV (replaced), the classful prefix and broadcast
 *   (inet_abc_len), then SIOCSIFNETMASK's broadcast recalculation (devinet_ioctl).
 * - `route -n` prints /proc/net/route as net-tools does (main table, no broadcast routes).
 * @module
 */
import type { Issue } from "../../core/issue.js";
import type { SourceLoc } from "../../core/loc.js";
import type { IpError } from "../../parse/args.js";
import { parseIpArgv } from "../../parse/ipcmd.js";
import type { Word } from "../../parse/shell.js";
import { linkByName } from "../links.js";
import { applyIpCommand } from "../ops/index.js";
import type { HostState, Route } from "../types.js";
import type { ToolContext, ToolResult } from "./types.js";

/** Run one `ip` command (words as text) on the host. */
function ip(s: HostState, argv: string[], loc: SourceLoc): IpError | undefined {
  const words = argv.map((text) => ({ text, loc }));
  let i = 0;
  const opts: { family?: 4 | 6 } = {};
  if (argv[0] === "-4" || argv[0] === "-6") {
    opts.family = argv[0] === "-6" ? 6 : 4;
    i = 1;
  }
  const p = parseIpArgv(words.slice(i), opts, s.tableNames, loc);
  if (!p.ok) return p.error;
  return applyIpCommand(s, p.cmd, { loc, words });
}

/** The strerror a kernel refusal has (SIOCADDRT reports errno, not extack text). */
function strerror(e: IpError): string {
  const m = /^RTNETLINK answers: (.*)$/.exec(e.message);
  if (m) return m[1]!;
  if (/not up|Network is down/i.test(e.message)) return "Network is down";
  if (/gateway|unreachable/i.test(e.message)) return "Network is unreachable";
  if (/Cannot find device/.test(e.message)) return "No such device";
  return "Invalid argument";
}

function warn(code: string, message: string, loc: SourceLoc, status: number): ToolResult {
  const issue: Issue = { code: code as Issue["code"], message, loc, severity: "warning" };
  return { status, stdout: "", issues: [issue] };
}

function bad(code: string, message: string, w: Word | undefined, ctx: ToolContext): ToolResult {
  const issue: Issue = {
    code: code as Issue["code"],
    message,
    loc: w?.loc ?? ctx.loc,
    severity: "error",
    ...(w ? { token: w.text } : {}),
  };
  return { status: 1, stdout: "", issues: [issue] };
}

const maskLen = (m: string): number | undefined => {
  const p = m.split(".").map(Number);
  if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) return undefined;
  const n = ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
  const len = 32 - Math.log2((~n >>> 0) + 1);
  return Number.isInteger(len) ? len : undefined;
};

/** `route add|del [-net|-host] TARGET [netmask M] [gw G] [dev D] [metric N] [reject]`. */
export function runRoute(s: HostState, words: Word[], ctx: ToolContext): ToolResult {
  const args = words.filter((w) => w.text !== "-A" && w.text !== "inet");
  const a0 = args[0]?.text;
  if (a0 === "-n" && args.length === 1) return { status: 0, stdout: routeN(s), issues: [] };
  if (a0 !== "add" && a0 !== "del")
    return bad("route.not-modelled", "route: only add, del and -n are modelled", args[0], ctx);
  let target: string | undefined;
  let host = false;
  let mask: number | undefined;
  const o: { gw?: string; dev?: string; metric?: number; reject?: boolean } = {};
  for (let i = 1; i < args.length; i++) {
    const t = args[i]!.text;
    const v = args[i + 1];
    if (t === "-net") continue;
    if (t === "-host") host = true;
    else if (t === "netmask" && v) {
      mask = maskLen(v.text);
      if (mask === undefined) return bad("route.netmask", `route: bogus netmask ${v.text}`, v, ctx);
      i++;
    } else if ((t === "gw" || t === "gateway") && v) (o.gw = v.text), i++;
    else if (t === "dev" && v) (o.dev = v.text), i++;
    else if (t === "metric" && v) (o.metric = Number(v.text)), i++;
    else if (t === "reject") o.reject = true;
    else if (target === undefined) target = t;
    else if (o.dev === undefined && i === args.length - 1) o.dev = t;
    else return bad("route.not-modelled", `route: option "${t}" is not modelled`, args[i], ctx);
  }
  if (target === undefined) return bad("route.usage", "route: missing target", undefined, ctx);
  let dst = target === "default" ? "0.0.0.0/0" : target;
  if (!dst.includes("/")) dst += `/${mask ?? (host || !target.includes("/") ? 32 : 32)}`;
  if (mask !== undefined && target !== "default") dst = `${dst.split("/")[0]}/${mask}`;
  const argv = a0 === "add" ? ["route", "prepend"] : ["route", "del"];
  if (o.reject) argv.push("unreachable");
  argv.push(dst);
  if (o.gw) argv.push("via", o.gw);
  if (o.dev) argv.push("dev", o.dev);
  if (o.metric) argv.push("metric", String(o.metric));
  if (a0 === "add") {
    argv.push("proto", "boot");
    argv.push("scope", o.reject ? "host" : o.gw ? "global" : "link");
  }
  const e = ip(s, argv, ctx.loc);
  if (!e) return { status: 0, stdout: "", issues: [] };
  const io = a0 === "add" ? "SIOCADDRT" : "SIOCDELRT";
  const why =
    a0 === "del" && /No such|not found/i.test(e.message) ? "No such process" : strerror(e);
  return warn("route.ioctl", `${io}: ${why}`, ctx.loc, 7);
}

const dotted = (n: number) => [24, 16, 8, 0].map((b) => (n >>> b) & 255).join(".");

/** net-tools rprint_fib: one /proc/net/route line. */
function routeLine(s: HostState, r: Route): string {
  const len = r.dst.len;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  const reject = r.type === "unreachable" || r.type === "prohibit";
  const nh = r.nexthops[0];
  const gw = nh?.gateway ? dotted(Number(nh.gateway.v)) : reject ? "-" : "0.0.0.0";
  let flags = reject ? "!" : "U";
  if (!reject && nh?.gateway) flags += "G";
  if (!reject && len === 32) flags += "H";
  const dev = reject ? "-" : (s.links.find((l) => l.ifindex === nh?.ifindex)?.name ?? "*");
  const col = (x: string) => x.padEnd(15);
  const head = `${col(dotted(Number(r.dst.addr.v)))} ${col(gw)} ${col(dotted(mask))} `;
  const ref = (reject ? "-" : "0").padEnd(2);
  const tail = `${ref} ${"0".padStart(7)} ${dev}\n`;
  return `${head}${flags.padEnd(5)} ${String(r.metric).padEnd(6)} ${tail}`;
}

/** `route -n`: the main table's IPv4 routes in trie (address, then length) order. */
function routeN(s: HostState): string {
  const rs = s.routes
    .filter((r) => r.family === 4 && r.table === 254 && r.type !== "broadcast")
    .filter((r) => r.type !== "multicast" && r.type !== "local")
    .sort(
      (a, b) =>
        Number(a.dst.addr.v) - Number(b.dst.addr.v) ||
        a.dst.len - b.dst.len ||
        a.metric - b.metric ||
        a.seq - b.seq,
    );
  const head =
    "Kernel IP routing table\n" +
    "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n";
  return head + rs.map((r) => routeLine(s, r)).join("");
}

/** inet_abc_len: the classful prefix of an address (-1 for class D/E). */
function abcLen(a: number): number {
  if (a === 0 || a === 0xffffffff) return 0;
  if (a >>> 31 === 0) return 8;
  if (a >>> 30 === 2) return 16;
  if (a >>> 29 === 6) return 24;
  return -1;
}

const parse4 = (t: string): number | undefined => {
  const p = t.split(".").map(Number);
  if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) return undefined;
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
};

/** `ifconfig DEV [ADDR[/LEN]] [netmask M] [broadcast B] [mtu N] [up|down]`. */
export function runIfconfig(s: HostState, words: Word[], ctx: ToolContext): ToolResult {
  const devW = words[0];
  if (!devW || words.length === 1 || devW.text.startsWith("-"))
    return warn("ifconfig.display", "ifconfig: listing devices is not modelled", ctx.loc, 0);
  const dev = linkByName(s, devW.text);
  if (!dev)
    return warn(
      "ifconfig.no-device",
      `${devW.text}: ERROR while getting interface flags: No such device`,
      devW.loc,
      1,
    );
  let addr: number | undefined;
  let len: number | undefined;
  let brd: number | undefined;
  const after: string[][] = [];
  for (let i = 1; i < words.length; i++) {
    const t = words[i]!.text;
    const v = words[i + 1];
    if (t === "up" || t === "down") after.push(["link", "set", dev.name, t]);
    else if (t === "mtu" && v) after.push(["link", "set", dev.name, "mtu", v.text]), i++;
    else if (t === "netmask" && v) {
      len = maskLen(v.text);
      if (len === undefined)
        return bad("ifconfig.netmask", `SIOCSIFNETMASK: Invalid argument`, v, ctx);
      i++;
    } else if (t === "broadcast" && v) (brd = parse4(v.text)), i++;
    else if (t === "inet") continue;
    else if (addr === undefined && /^[0-9.]+(\/\d+)?$/.test(t)) {
      const [a, l] = t.split("/");
      addr = parse4(a!);
      if (addr === undefined || abcLen(addr) < 0)
        return bad("ifconfig.address", `SIOCSIFADDR: Invalid argument`, words[i], ctx);
      if (l !== undefined) len = Number(l);
    } else
      return bad("ifconfig.not-modelled", `ifconfig: option "${t}" is not modelled`, words[i], ctx);
  }
  const issues: Issue[] = [];
  if (addr !== undefined) {
    const e = setAddr(s, dev.name, addr, len, brd, ctx.loc, dev.kind);
    if (e) return warn("ifconfig.ioctl", `SIOCSIFADDR: ${strerror(e)}`, ctx.loc, 1);
  }
  for (const a of after) {
    const e = ip(s, a, ctx.loc);
    if (e) return warn("ifconfig.ioctl", `SIOCSIFFLAGS: ${strerror(e)}`, ctx.loc, 1);
  }
  return { status: 0, stdout: "", issues };
}

/** devinet_ioctl SIOCSIFADDR then SIOCSIFNETMASK / SIOCSIFBRDADDR on the primary address. */
function setAddr(
  s: HostState,
  dev: string,
  addr: number,
  len: number | undefined,
  brdGiven: number | undefined,
  loc: SourceLoc,
  kind: string,
): IpError | undefined {
  const l = linkByName(s, dev)!;
  const old = s.addrs.find(
    (a) => a.family === 4 && a.ifindex === l.ifindex && (a.label ?? dev) === dev && !a.secondary,
  );
  const p2p = kind === "tun" || kind === "wireguard";
  const bcast = !p2p && kind !== "loopback";
  const abc = p2p ? 32 : abcLen(addr);
  const mask = (n: number) => (n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0);
  const add = (n: number, b: number | undefined) => {
    const argv = ["-4", "addr", "add", `${dotted(addr)}/${n}`];
    if (b !== undefined) argv.push("broadcast", dotted(b));
    return ip(s, [...argv, "dev", dev], loc);
  };
  const del = (n: number) => ip(s, ["-4", "addr", "del", `${dotted(addr)}/${n}`, "dev", dev], loc);
  // SIOCSIFADDR with the address the device has changes nothing (devinet_ioctl breaks out);
  // SIOCSIFNETMASK and SIOCSIFBRDADDR then change only what differs.
  const same = old !== undefined && Number(old.local.v) === addr;
  let cur = same ? old.prefixlen : abc;
  let brd = same
    ? (old.broadcast?.v as number | undefined)
    : bcast && abc < 31
      ? (addr | ~mask(abc)) >>> 0
      : undefined;
  if (!same) {
    if (old) {
      const e = ip(
        s,
        ["-4", "addr", "del", `${dotted(Number(old.local.v))}/${old.prefixlen}`, "dev", dev],
        loc,
      );
      if (e) return e;
    }
    const e = add(abc, brd);
    if (e) return e;
  }
  const fin = len ?? cur;
  if (fin !== cur) {
    // SIOCSIFNETMASK: inet_del_ifa then inet_insert_ifa (the last address going flushes
    // the device's routes, fib_disable_ip); the broadcast follows the mask if it was the
    // default one.
    if (bcast && fin < 31 && brd === (addr | ~mask(cur)) >>> 0) brd = (addr | ~mask(fin)) >>> 0;
    const e = del(cur) ?? add(fin, brdGiven ?? brd);
    if (e) return e;
    cur = fin;
    if (brdGiven !== undefined) brd = brdGiven;
  }
  if (brdGiven !== undefined && brdGiven !== brd) return del(fin) ?? add(fin, brdGiven);
  return undefined;
}
