/**
 * Link dumps: objects of `ip -j link show` into links, added or updated by name.
 * @module
 */
import type { LinkKind } from "../../core/kinds.js";
import type { JNode } from "../../parse/dump-json.js";
import { groupA2n } from "../../parse/names.js";
import { defined } from "../../core/result.js";
import type { HostState, Link } from "../types.js";
import { type Loader, num, rejected, str, tokenOf } from "./loader.js";

/** `linkinfo.info_kind` of `ip -d -j link` (the driver: veth, bridge, wireguard, …). */
function infoKindOf(info: JNode | undefined): string | undefined {
  if (info?.t !== "obj") return undefined;
  const k = info.entries.find((e) => e.key === "info_kind")?.value;
  return k?.t === "str" ? k.v : undefined;
}

/**
 * One object of `ip -j link show` (or of `ip -j addr show`, which has the same link keys);
 * the kind from `linkinfo` with `-d`, else guessed from what is printed.
 */
export function linkFromJson(
  ld: Loader,
  o: Extract<JNode, { t: "obj" }>,
  masters: Set<string>,
): Link {
  const get = (k: string) => o.entries.find((e) => e.key === k)?.value;
  const nameN = get("ifname");
  if (!nameN) throw rejected(o.pos, "{", "an object with ifname");
  const name = str(nameN, "an interface name");
  const idxN = get("ifindex");
  const ifindex = idxN ? num(idxN, "an ifindex", 0x7fffffff) : 0;
  const flagsN = get("flags");
  const flags = new Set<string>();
  if (flagsN) {
    if (flagsN.t !== "arr") throw rejected(flagsN.pos, tokenOf(flagsN), "an array of flags");
    for (const f of flagsN.items) flags.add(str(f, "a flag"));
  }
  const linkType = get("link_type");
  const lt = linkType ? str(linkType, "a link type") : "ether";
  const infoKind = infoKindOf(get("linkinfo"));
  const peerN = get("link");
  const linkIndex = get("link_index");
  let kind: LinkKind;
  if (lt === "loopback") kind = "loopback";
  else if (infoKind === "tun") kind = lt === "none" ? "tun" : "tap";
  else if (lt === "none" && infoKind !== "wireguard") kind = "tun";
  else if (infoKind === "veth" || infoKind === "bridge" || infoKind === "wireguard")
    kind = infoKind;
  else if (infoKind) kind = "other";
  else if (peerN?.t === "str" || linkIndex) kind = "veth";
  else if (masters.has(name)) kind = "bridge";
  else if (guessTap(lt, get("qdisc"), get("operstate"), flags)) kind = "tap";
  // A port-less bridge: noqueue, carrier, operstate UNKNOWN (a veth would have a peer).
  else if (
    lt === "ether" &&
    str2(get("qdisc")) === "noqueue" &&
    str2(get("operstate")) === "UNKNOWN"
  )
    kind = "bridge";
  else kind = "other";
  const up = flags.has("UP");
  const carrier = flags.has("LOWER_UP") || (!up && kind === "loopback");
  const l: Link = {
    ifindex,
    name,
    kind,
    mac:
      kind === "tun"
        ? null
        : get("address")?.t === "str"
          ? (get("address") as { v: string }).v
          : null,
    mtu: get("mtu") ? num(get("mtu")!, "an MTU") : 1500,
    up,
    carrier,
    group: 0,
    txqlen: get("txqlen") ? num(get("txqlen")!, "a queue length") : 0,
  };
  const g = get("group");
  if (g) {
    const s = str(g, "a group");
    const n = groupA2n(s);
    if (n === undefined) throw rejected(g.pos, s, "a group");
    l.group = n;
  }
  if (peerN?.t === "str") l.peer = peerN.v;
  if (linkIndex) {
    l.peer = `if${num(linkIndex, "an ifindex")}`;
    l.peerExternal = true;
  }
  const m = get("master");
  if (m) l.master = str(m, "a master name");
  if ((kind === "tun" || kind === "tap") && !carrier) l.tunNoReader = true;
  l.dumped = { flags: [...flags], up, carrier, ...dumpedState(get) };
  return l;
}

/** What the printers show as dumped: the qdisc and operstate. */
function dumpedState(get: (k: string) => JNode | undefined): {
  qdisc?: string;
  operstate?: string;
} {
  return defined({ qdisc: str2(get("qdisc")), operstate: str2(get("operstate")) });
}

/** A JSON string value, or undefined for anything else. */
function str2(n: JNode | undefined): string | undefined {
  return n?.t === "str" ? n.v : undefined;
}

/**
 * Without `-d` a tap looks like any ethernet device; it is the one with a real qdisc that is
 * UNKNOWN when it has a reader and NO-CARRIER/DOWN without one.
 */
function guessTap(
  lt: string,
  qdisc: JNode | undefined,
  oper: JNode | undefined,
  flags: Set<string>,
): boolean {
  if (lt !== "ether" || qdisc?.t !== "str" || ["noqueue", "noop"].includes(qdisc.v)) return false;
  const os = oper?.t === "str" ? oper.v : "";
  return os === "UNKNOWN" || (os === "DOWN" && flags.has("NO-CARRIER"));
}

/** Move a link and everything referring to it from ifindex `from` to `to`. */
function reindex(state: HostState, from: number, to: number): void {
  for (const a of state.addrs) if (a.ifindex === from) a.ifindex = to;
  for (const r of state.routes)
    for (const nh of r.nexthops) if (nh.ifindex === from) nh.ifindex = to;
  const l = state.links.find((x) => x.ifindex === from);
  if (l) l.ifindex = to;
}

/**
 * Add or update a link by name, keeping the dump's ifindex (links synthesized earlier move
 * out of its way).
 */
export function upsertLink(ld: Loader, l: Link): void {
  const st = ld.state;
  const existing = st.links.find((x) => x.name === l.name);
  if (l.ifindex) {
    const occupant = st.links.find((x) => x.ifindex === l.ifindex && x !== existing);
    if (occupant)
      reindex(
        st,
        occupant.ifindex,
        Math.max(st.nextIfindex, ...st.links.map((x) => x.ifindex + 1)),
      );
    if (existing && existing.ifindex !== l.ifindex) reindex(st, existing.ifindex, l.ifindex);
  } else {
    l.ifindex = existing?.ifindex ?? ld.freeIndex();
  }
  if (existing) Object.assign(existing, l);
  else st.links.push(l);
  st.links.sort((a, b) => a.ifindex - b.ifindex);
  st.nextIfindex = Math.max(st.nextIfindex, ...st.links.map((x) => x.ifindex + 1));
}
