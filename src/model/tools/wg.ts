/**
 * `wg` on the host: `set`/`setconf`/`addconf`/`syncconf` record a wireguard device's
 * fwmark (the tunnel's own UDP packets carry it: wg_socket_send_skb sets skb->mark), its
 * listen port and peers; `show` answers from them as wg(8) prints them (show.c
 * ugly_print). Keys, handshakes and `genkey`/`pubkey` have no routing effect: accepted,
 * ignored, no output.
 * @module
 */
import type { Issue } from "../../core/issue.js";
import { parseWgArgv, parseWgConf, type WgConf } from "../../parse/wg.js";
import type { Word } from "../../parse/shell.js";
import { linkByName } from "../links.js";
import type { HostState, Link } from "../types.js";
import type { ToolContext, ToolResult } from "./types.js";

const done = (stdout = ""): ToolResult => ({ status: 0, stdout, issues: [] });

function fail(
  message: string,
  w: Word | undefined,
  ctx: ToolContext,
  code = "wg.error",
): ToolResult {
  const issue: Issue = {
    code: code as Issue["code"],
    message,
    loc: w?.loc ?? ctx.loc,
    severity: "warning",
    ...(w ? { token: w.text } : {}),
  };
  return { status: 1, stdout: "", issues: [issue] };
}

/**
 * Apply a configuration to a device (WG_CMD_SET_DEVICE): fwmark and port when given;
 * `replace` (setconf/syncconf) drops peers not named again.
 */
export function applyWgConf(l: Link, conf: WgConf, replace: boolean): void {
  if (conf.fwmark !== undefined) l.fwmark = conf.fwmark;
  const wg = l.wg ?? { peers: [] };
  if (conf.listenPort !== undefined) wg.listenPort = conf.listenPort;
  if (replace) wg.peers = [];
  for (const p of conf.peers) {
    const at = wg.peers.findIndex((x) => x.publicKey === p.publicKey);
    if (p.remove) {
      if (at >= 0) wg.peers.splice(at, 1);
      continue;
    }
    const cur = at >= 0 ? wg.peers[at]! : { publicKey: p.publicKey, allowedIps: [] };
    cur.allowedIps = [...cur.allowedIps, ...p.allowedIps];
    if (p.endpoint !== undefined) cur.endpoint = p.endpoint;
    if (at < 0) wg.peers.push(cur);
  }
  l.wg = wg;
}

/** A device `wg` can configure: ENODEV when absent, EOPNOTSUPP when not wireguard. */
function wgLink(s: HostState, dev: Word, ctx: ToolContext, verb: string): Link | ToolResult {
  const l = linkByName(s, dev.text);
  if (!l) return fail(`Unable to ${verb} interface: No such device`, dev, ctx);
  if (l.kind !== "wireguard")
    return fail(`Unable to ${verb} interface: Operation not supported`, dev, ctx);
  return l;
}

/** show.c ugly_print: one field of one device, prefixed by its name for `all`. */
function showField(l: Link, what: string, prefix: string): string | undefined {
  const wg = l.wg ?? { peers: [] };
  const pre = prefix ? `${l.name}\t` : "";
  if (what === "fwmark") return `${pre}${l.fwmark ? `0x${l.fwmark.toString(16)}` : "off"}\n`;
  if (what === "listen-port") return `${pre}${wg.listenPort ?? 0}\n`;
  if (what === "peers") return wg.peers.map((p) => `${pre}${p.publicKey}\n`).join("");
  if (what === "allowed-ips")
    return wg.peers
      .map((p) => `${pre}${p.publicKey}\t${p.allowedIps.join(" ") || "(none)"}\n`)
      .join("");
  if (what === "endpoints")
    return wg.peers.map((p) => `${pre}${p.publicKey}\t${p.endpoint ?? "(none)"}\n`).join("");
  return undefined;
}

function runShow(
  s: HostState,
  cmd: Extract<ReturnType<typeof parseWgArgv>, { op: "show" }>,
  ctx: ToolContext,
): ToolResult {
  const wgs = s.links.filter((l) => l.kind === "wireguard");
  const dev = cmd.dev?.text;
  if (dev === "interfaces") return done(wgs.length ? wgs.map((l) => l.name).join(" ") + "\n" : "");
  const what = cmd.what;
  if (cmd.showconf || what === undefined)
    return fail(
      "wg show: only the fields fwmark, listen-port, peers, allowed-ips and endpoints are " +
        "modelled (keys and handshakes are not)",
      cmd.dev,
      ctx,
      "wg.not-modelled",
    );
  const targets = dev === "all" ? wgs : [];
  if (dev !== "all") {
    const l = wgLink(s, cmd.dev!, ctx, "access");
    if ("status" in l) return l;
    targets.push(l);
  }
  let out = "";
  for (const l of targets) {
    const f = showField(l, what, dev === "all" ? l.name : "");
    if (f === undefined) return fail(`Invalid argument: "${what}"`, undefined, ctx, "wg.usage");
    out += f;
  }
  return done(out);
}

/**
 * `wg ARGS…` against the host.
 * @example runWg(s, words("set wg0 fwmark 51820"), { loc }).status // 0
 */
export function runWg(s: HostState, words: Word[], ctx: ToolContext): ToolResult {
  const cmd = parseWgArgv(words);
  if (typeof cmd === "string") return fail(cmd, words[0], ctx, "wg.usage");
  if (cmd.op === "other") return done();
  if (cmd.op === "show") return runShow(s, cmd, ctx);
  const l = wgLink(s, cmd.dev, ctx, "modify");
  if ("status" in l) return l;
  if (cmd.op === "set") {
    applyWgConf(l, cmd.conf, false);
    return done();
  }
  const text = ctx.readFile?.(cmd.file.text);
  if (text === undefined)
    return {
      status: 0,
      stdout: "",
      issues: [
        {
          code: "wg.unread",
          message:
            `wg ${cmd.op}: cannot read "${cmd.file.text}" here; ${l.name}'s fwmark and peers ` +
            "stay as they were (give them with `wg set` to model them)",
          loc: cmd.file.loc,
          token: cmd.file.text,
          severity: "warning",
        },
      ],
    };
  applyWgConf(l, parseWgConf(text, cmd.file.text), cmd.op !== "addconf");
  return done();
}
