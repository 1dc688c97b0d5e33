/**
 * wireguard-tools: `wg` command lines (src/set.c, setconf.c, show.c) and the
 * configuration format of `wg setconf` and wg-quick (src/config.c, wg-quick/linux.bash
 * parse_options). Only what routing needs is kept: the fwmark, the listen port and each
 * peer's allowed IPs and endpoint; keys are accepted and ignored otherwise.
 * @module
 */
import type { SourceLoc } from "../core/loc.js";
import type { Word } from "./shell.js";

/** A peer of a wireguard device as the tools configure it. */
export interface WgPeerConf {
  publicKey: string;
  allowedIps: string[];
  endpoint?: string;
  remove?: boolean;
}

/** What `wg set` / `wg setconf` give a device (undefined: not given). */
export interface WgConf {
  fwmark?: number;
  listenPort?: number;
  peers: WgPeerConf[];
}

/** A parsed `wg` command line. */
export type WgCommand =
  | { op: "set"; dev: Word; conf: WgConf }
  | { op: "setconf" | "addconf" | "syncconf"; dev: Word; file: Word }
  | { op: "show"; dev?: Word; what?: string; showconf?: boolean }
  | { op: "other"; sub: string };

/**
 * config.c parse_fwmark: `off` is 0; otherwise an unsigned number, hexadecimal with `0x`.
 * @example parseFwmark("0xca6c") // 51820
 */
export function parseFwmark(v: string): number | undefined {
  if (v.toLowerCase() === "off") return 0;
  const m = /^(0x[0-9a-f]+|[0-9]+)$/i.exec(v);
  if (!m) return undefined;
  const n = Number(v);
  return n <= 0xffffffff ? n : undefined;
}

/** `a, b ,c` lists of config.c (AllowedIPs), whitespace removed as config.c does. */
function list(v: string): string[] {
  return v
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");
}

/** `wg set DEV [listen-port P] [fwmark F] [private-key F] [peer KEY [...]]...` (set.c). */
function parseSet(dev: Word, args: Word[]): WgCommand | string {
  const conf: WgConf = { peers: [] };
  let peer: WgPeerConf | undefined;
  for (let i = 0; i < args.length; i++) {
    const k = args[i]!.text;
    const v = args[i + 1]?.text;
    if (k === "remove" && peer) {
      peer.remove = true;
      continue;
    }
    if (v === undefined) return `Invalid argument: "${k}"`;
    i++;
    if (k === "peer") {
      peer = { publicKey: v, allowedIps: [] };
      conf.peers.push(peer);
    } else if (k === "fwmark" && !peer) {
      const n = parseFwmark(v);
      if (n === undefined) return `Fwmark is neither a number nor 'off': \`${v}'`;
      conf.fwmark = n;
    } else if (k === "listen-port" && !peer) conf.listenPort = Number(v);
    else if (k === "allowed-ips" && peer) peer.allowedIps = list(v);
    else if (k === "endpoint" && peer) peer.endpoint = v;
    // private-key, preshared-key, persistent-keepalive: no routing effect.
  }
  return { op: "set", dev, conf };
}

/**
 * The argv after `wg`; a string is the usage error wg prints.
 * @example parseWgArgv(words("set wg0 fwmark 51820"))
 */
export function parseWgArgv(args: Word[]): WgCommand | string {
  const sub = args[0]?.text ?? "show";
  if (sub === "show" || sub === "showconf") {
    const dev = args[1];
    const what = args[2]?.text;
    return {
      op: "show",
      ...(dev ? { dev } : {}),
      ...(what ? { what } : {}),
      showconf: sub === "showconf",
    };
  }
  if (sub === "set") {
    const dev = args[1];
    if (!dev) return "Usage: wg set <interface> [listen-port <port>] [fwmark <mark>] ...";
    return parseSet(dev, args.slice(2));
  }
  if (sub === "setconf" || sub === "addconf" || sub === "syncconf") {
    const [dev, file] = [args[1], args[2]];
    if (!dev || !file) return `Usage: wg ${sub} <interface> <configuration filename>`;
    return { op: sub, dev, file };
  }
  return { op: "other", sub };
}

/** One `key = value` line of a wg / wg-quick configuration with its section. */
export interface ConfLine {
  section: string;
  key: string;
  value: string;
  /** The value with `#` comments kept (wg-quick's hooks use it). */
  raw: string;
  loc: SourceLoc;
}
/* A section header comes as its own ConfLine with an empty key. */

/**
 * wg-quick parse_options: `#` starts a comment, the key is before the first `=`, section
 * headers are `[Name]`; keys compare case-insensitively (shopt -s nocasematch).
 */
export function confLines(text: string, file: string): ConfLine[] {
  const out: ConfLine[] = [];
  let section = "";
  text.split("\n").forEach((line, n) => {
    const stripped = line.replace(/#.*$/, "");
    const eq = stripped.indexOf("=");
    const key = (eq < 0 ? stripped : stripped.slice(0, eq)).trim();
    if (key.startsWith("[")) {
      section = key.toLowerCase();
      out.push({ section, key: "", value: "", raw: "", loc: { file, line: n + 1, col: 1 } });
      return;
    }
    if (eq < 0 || key === "") return;
    const value = stripped.slice(eq + 1).trim();
    const raw = line.slice(line.indexOf("=") + 1).trim();
    out.push({ section, key: key.toLowerCase(), value, raw, loc: { file, line: n + 1, col: 1 } });
  });
  return out;
}

/** The routing part of a `wg setconf` configuration (config.c). */
export function parseWgConf(text: string, file: string): WgConf {
  const conf: WgConf = { peers: [] };
  let peer: WgPeerConf | undefined;
  for (const l of confLines(text, file)) {
    if (l.key === "") {
      peer = l.section === "[peer]" ? { publicKey: "", allowedIps: [] } : undefined;
      if (peer) conf.peers.push(peer);
      continue;
    }
    if (l.section === "[interface]") {
      if (l.key === "fwmark") {
        const n = parseFwmark(l.value);
        if (n !== undefined) conf.fwmark = n;
      } else if (l.key === "listenport") conf.listenPort = Number(l.value);
    } else if (l.section === "[peer]" && peer) {
      if (l.key === "publickey") peer.publicKey = l.value.replace(/\s/g, "");
      else if (l.key === "allowedips") peer.allowedIps.push(...list(l.value.replace(/\s/g, "")));
      else if (l.key === "endpoint") peer.endpoint = l.value;
    }
  }
  return conf;
}
