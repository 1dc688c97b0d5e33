/**
 * Match extensions (`-m NAME`): parsing with iptables 1.8.9's wording, the canonical
 * iptables-save text, kernel restrictions and evaluation on an NfPacket.
 * @module
 */
import type { Addr, Family } from "../../addr/ip.js";
import type { NfPacket } from "../types.js";
import type { ExtState, MatchExt, ParseArgs } from "./ext.js";
import { x6Check, x6Final } from "./ext.js";
import { HOOK_BIT } from "./types.js";
import type { ParseCtx } from "./types.js";
import {
  addrCmp,
  hex,
  ntop,
  paramError,
  parsePortNum,
  resolveHost,
  saveString,
  strtoul,
} from "./util.js";
import { parseAddr } from "../../addr/ip.js";
import { EXTRA_MATCHES } from "./extra.js";
import { DEFAULT_GROUPS, DEFAULT_USERS } from "../data/accounts.js";

type D = Record<string, unknown>;
const num = (d: D, k: string): number => d[k] as number;
const bool = (d: D, k: string): boolean => d[k] === true;

// ---------------------------------------------------------------------------------------------
// tcp / udp

type Range = [number, number];

function parsePortRange(ctx: ParseCtx, s: string, at: number, proto: string): Range {
  const bad = (p: string) =>
    paramError(
      ctx.prog,
      `invalid port/service \`${p}' specified`,
      at,
      "iptables.bad-port",
      "a port number or service name",
    );
  const colon = s.indexOf(":");
  if (colon < 0) {
    const p = parsePortNum(s, ctx.env, proto);
    if (p === undefined) throw bad(s);
    return [p, p];
  }
  const a = s.slice(0, colon),
    b = s.slice(colon + 1);
  let lo = 0,
    hi = 65535;
  if (a !== "") {
    const p = parsePortNum(a, ctx.env, proto);
    if (p === undefined) throw bad(a);
    lo = p;
  }
  if (b !== "") {
    const p = parsePortNum(b, ctx.env, proto);
    if (p === undefined) throw bad(b);
    hi = p;
  }
  if (lo > hi)
    throw paramError(ctx.prog, "invalid portrange (min > max)", at, "iptables.bad-port-range");
  return [lo, hi];
}

/**
 * xtopt_parse_mport (udp is an x6 extension): `a[:b]`, each part a decimal number (taken
 * modulo 65536, as getaddrinfo's port is) or a service of any protocol; empty parts
 * default to 0 / 65535; a reversed range is kept (it never matches).
 */
function parseMport(ctx: ParseCtx, s: string, at: number, opt: string): Range {
  const parts = s.split(":");
  if (parts.length > 2)
    throw paramError(
      ctx.prog,
      `udp: Too many components for option "--${opt}" (max: 2)`,
      at,
      "iptables.bad-port",
    );
  const r: Range = [0, 0xffff];
  parts.forEach((part, i) => {
    if (part === "") return;
    let v: number | undefined;
    if (/^[0-9]+$/.test(part)) v = Number(part) % 65536;
    else v = parsePortNum(/^0[xX]/.test(part) ? "-" : part, ctx.env);
    if (v === undefined)
      throw paramError(
        ctx.prog,
        `Port "${part}" does not resolve to anything.`,
        at,
        "iptables.bad-port",
        "a port number or service name",
      );
    r[i] = v;
  });
  if (parts.length === 1) r[1] = r[0];
  return r;
}

const TCP_FLAGS: Array<[string, number]> = [
  ["FIN", 0x01],
  ["SYN", 0x02],
  ["RST", 0x04],
  ["PSH", 0x08],
  ["ACK", 0x10],
  ["URG", 0x20],
  ["ALL", 0x3f],
  ["NONE", 0],
];

function parseTcpFlags(ctx: ParseCtx, s: string, at: number): number {
  let v = 0;
  for (const f of s.split(",")) {
    const e = TCP_FLAGS.find(([n]) => n.toLowerCase() === f.toLowerCase());
    if (!e) throw paramError(ctx.prog, `Unknown TCP flag \`${f}'`, at, "iptables.bad-tcp-flag");
    v |= e[1];
  }
  return v;
}

function printTcpFlags(flags: number): string {
  const out: string[] = [];
  while (flags) {
    let i = 0;
    while ((flags & TCP_FLAGS[i]![1]) === 0) i++;
    out.push(TCP_FLAGS[i]![0]);
    flags &= ~TCP_FLAGS[i]![1];
  }
  return out.length ? out.join(",") : "NONE";
}

function savePorts(name: string, r: Range, inv: boolean): string {
  if (r[0] === 0 && r[1] === 0xffff) return "";
  return `${inv ? " !" : ""} --${name} ${r[0] === r[1] ? String(r[0]) : `${r[0]}:${r[1]}`}`;
}

/** nft translation of one port selector: the normalized [range, inv], or "any" (vanished). */
function normPorts(r: Range, inv: boolean): { r: Range; inv: boolean } | "any" | "any-inv" {
  if (r[0] === 0 && r[1] === 0xffff) return inv ? "any-inv" : "any";
  if (inv && r[0] === 0 && r[0] !== r[1]) return { r: [r[1] + 1, 0xffff], inv: false };
  return { r, inv };
}

/** tcp_parse / udp_parse (libxt_tcp.c, libxt_udp.c): ports, --syn, --tcp-flags. */
function tcpParse(name: "tcp" | "udp", a: ParseArgs): void {
  const d = a.st.data,
    p = a.ctx.prog;
  const id = a.spec.id;
  if (id === 0 || id === 1) {
    const bit = id === 0 ? 1 : 2;
    if (a.st.flags & bit) {
      const opt = id === 0 ? "source-port" : "destination-port";
      if (name === "udp")
        throw paramError(
          p,
          `udp: option "--${opt}" can only be used once.`,
          a.at,
          "iptables.duplicate-option",
        );
      throw paramError(p, `Only one \`--${opt}' allowed`, a.at, "iptables.duplicate-option");
    }
    const r =
      name === "tcp"
        ? parsePortRange(a.ctx, a.arg!, a.valAt, name)
        : parseMport(a.ctx, a.arg!, a.valAt, id === 0 ? "source-port" : "destination-port");
    if (id === 0) {
      d.sp = r;
      d.spInv = a.invert;
    } else {
      d.dp = r;
      d.dpInv = a.invert;
    }
    a.st.flags |= bit;
  } else if (id === 2 || id === 3) {
    if (a.st.flags & 4)
      throw paramError(
        p,
        "Only one of `--syn' or `--tcp-flags'  allowed",
        a.valAt,
        "iptables.duplicate-option",
      );
    if (id === 2) {
      d.flgMask = 0x17;
      d.flgCmp = 0x02;
      d.flgInv = a.invert;
    } else {
      const next = a.peek();
      if (next === undefined || next.startsWith("-") || next.startsWith("!"))
        throw paramError(p, "--tcp-flags requires two args.", a.valAt, "iptables.missing-argument");
      d.flgMask = parseTcpFlags(a.ctx, a.arg!, a.valAt);
      d.flgCmp = parseTcpFlags(a.ctx, a.take(), a.valAt + 1);
      d.flgInv = a.invert;
    }
    a.st.flags |= 4;
  } else {
    throw paramError(
      p,
      `routelab: tcp option "--tcp-option" is not modelled`,
      a.valAt,
      "iptables.unsupported",
    );
  }
}

/** The nft translation of a tcp/udp match: vanishes when it selects every port. */
function tcpBuild(name: "tcp" | "udp", protoNum: number, ctx: ParseCtx, st: ExtState): boolean {
  const d = st.data;
  let content = false,
    anyInv = false;
  for (const [k, ki] of [
    ["sp", "spInv"],
    ["dp", "dpInv"],
  ] as const) {
    const n = normPorts(d[k] as Range, d[ki] as boolean);
    if (n === "any" || n === "any-inv") {
      d[k] = [0, 0xffff];
      d[ki] = false;
      if (n === "any-inv") anyInv = true;
    } else {
      d[k] = n.r;
      d[ki] = n.inv;
      content = true;
    }
  }
  if (num(d, "flgMask") || bool(d, "flgInv")) content = true;
  if (content) {
    if (ctx.rule.proto !== protoNum) {
      throw paramError(
        ctx.prog,
        `${name.toUpperCase()} match requires '-p ${name}'`,
        st.argIndex,
        "iptables.proto-required",
      );
    }
    d.native = true;
    return true;
  }
  if (anyInv) return false; // translated to nothing: only `-p` remains
  d.native = false;
  return true;
}

function tcpudp(name: "tcp" | "udp"): MatchExt {
  const protoNum = name === "tcp" ? 6 : 17;
  const opts = [
    { name: "source-port", id: 0, arg: true, inv: true, noX6: true },
    { name: "sport", id: 0, arg: true, inv: true, noX6: true },
    { name: "destination-port", id: 1, arg: true, inv: true, noX6: true },
    { name: "dport", id: 1, arg: true, inv: true, noX6: true },
  ];
  if (name === "tcp") {
    opts.push({ name: "syn", id: 2, arg: false, inv: true, noX6: true });
    opts.push({ name: "tcp-flags", id: 3, arg: true, inv: true, noX6: true });
    opts.push({ name: "tcp-option", id: 4, arg: true, inv: true, noX6: true });
  }
  return {
    kind: "match",
    name,
    opts,
    init: () => ({
      sp: [0, 0xffff],
      spInv: false,
      dp: [0, 0xffff],
      dpInv: false,
      flgMask: 0,
      flgCmp: 0,
      flgInv: false,
      set: 0,
      vanishedInv: false,
    }),
    parse: (a: ParseArgs) => tcpParse(name, a),
    final() {
      /* no final check */
    },
    build: (ctx: ParseCtx, st: ExtState) => tcpBuild(name, protoNum, ctx, st),
    save(d) {
      let s =
        savePorts("sport", d.sp as Range, bool(d, "spInv")) +
        savePorts("dport", d.dp as Range, bool(d, "dpInv"));
      if (num(d, "flgMask") || bool(d, "flgInv")) {
        const flags = `${printTcpFlags(num(d, "flgMask"))} ${printTcpFlags(num(d, "flgCmp"))}`;
        s += `${bool(d, "flgInv") ? " !" : ""} --tcp-flags ${flags}`;
      }
      return s;
    },
    kernel: { proto: protoNum },
    match(d, pkt) {
      if (pkt.ipproto !== protoNum) return false;
      const sp = d.sp as Range,
        dp = d.dp as Range;
      if ((pkt.sport >= sp[0] && pkt.sport <= sp[1]) !== !bool(d, "spInv")) return false;
      if ((pkt.dport >= dp[0] && pkt.dport <= dp[1]) !== !bool(d, "dpInv")) return false;
      if (num(d, "flgMask") || bool(d, "flgInv")) {
        const flags = pkt.tcpFlags ?? (pkt.ctstate === "new" ? 0x02 : 0x10);
        if (((flags & num(d, "flgMask")) === num(d, "flgCmp")) !== !bool(d, "flgInv")) return false;
      }
      return true;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// multiport

const MP_PROTOS: Record<number, string> = {
  6: "tcp",
  17: "udp",
  136: "udplite",
  132: "sctp",
  33: "dccp",
};

const multiport: MatchExt = {
  kind: "match",
  name: "multiport",
  opts: [
    { name: "source-ports", id: 0, arg: true, inv: true },
    { name: "sports", id: 0, arg: true, inv: true },
    { name: "destination-ports", id: 1, arg: true, inv: true },
    { name: "dports", id: 1, arg: true, inv: true },
    { name: "ports", id: 2, arg: true, inv: true },
  ],
  init: () => ({ dir: "", ports: [], inv: false }),
  parse(a) {
    x6Check(a, "multiport");
    const p = a.ctx.prog,
      rule = a.ctx.rule;
    if (rule.protoInv)
      throw paramError(
        p,
        "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP",
        a.valAt,
        "iptables.proto-required",
      );
    if (!MP_PROTOS[rule.proto]) {
      if (rule.proto === 0)
        throw paramError(
          p,
          "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'",
          a.valAt,
          "iptables.proto-required",
        );
      throw paramError(
        p,
        "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP",
        a.valAt,
        "iptables.proto-required",
      );
    }
    const ports: Range[] = [];
    let count = 0;
    for (const item of a.arg!.split(",")) {
      const colon = item.indexOf(":");
      const one = (s: string): number => {
        const v = parsePortNum(s, a.ctx.env, MP_PROTOS[rule.proto]);
        if (v === undefined)
          throw paramError(
            p,
            `invalid port/service \`${s}' specified`,
            a.valAt,
            "iptables.bad-port",
          );
        return v;
      };
      if (colon >= 0) {
        const lo = one(item.slice(0, colon)),
          hi = one(item.slice(colon + 1));
        if (lo >= hi)
          throw paramError(p, "invalid portrange specified", a.valAt, "iptables.bad-port-range");
        ports.push([lo, hi]);
        count += 2;
      } else {
        const v = one(item);
        ports.push([v, v]);
        count += 1;
      }
      if (count > 15)
        throw paramError(p, "too many ports specified", a.valAt, "iptables.too-many-ports");
    }
    a.st.data.ports = ports;
    a.st.data.dir = a.spec.id === 0 ? "src" : a.spec.id === 1 ? "dst" : "any";
    a.st.data.inv = a.invert;
  },
  final(ctx, st) {
    if (!st.flags)
      throw paramError(
        ctx.prog,
        "multiport expection an option",
        st.argIndex,
        "iptables.missing-option",
      );
    x6Final(ctx, st, "multiport", [
      { id: 0, name: "source-ports", excl: 7 },
      { id: 1, name: "destination-ports", excl: 7 },
      { id: 2, name: "ports", excl: 7 },
    ]);
  },
  save(d) {
    const dir = d.dir === "src" ? "sports" : d.dir === "dst" ? "dports" : "ports";
    const list = (d.ports as Range[])
      .map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}:${hi}`))
      .join(",");
    return `${bool(d, "inv") ? " !" : ""} --${dir} ${list}`;
  },
  match(d, pkt) {
    const inr = (p: number) => (d.ports as Range[]).some(([lo, hi]) => p >= lo && p <= hi);
    const hit =
      d.dir === "src"
        ? inr(pkt.sport)
        : d.dir === "dst"
          ? inr(pkt.dport)
          : inr(pkt.sport) || inr(pkt.dport);
    return hit !== bool(d, "inv");
  },
};

// ---------------------------------------------------------------------------------------------
// iprange

function parseIpRange(ctx: ParseCtx, s: string, at: number, opt: string): [Addr, Addr] {
  const dash = s.indexOf("-");
  const parts = dash >= 0 ? [s.slice(0, dash), s.slice(dash + 1)] : [s, s];
  const out: Addr[] = [];
  for (const part of parts) {
    // numeric only (xtables_numeric_to_ipaddr / ip6addr): `1.2.3` is 1.2.3.0, no host names
    const a =
      /[a-zA-Z]/.test(part) && ctx.family === 4
        ? undefined
        : ctx.family === 4
          ? resolveHost(part, 4, {})?.[0]
          : parseAddr(part, 6).ok
            ? (parseAddr(part, 6) as { ok: true; value: Addr }).value
            : undefined;
    if (!a || (ctx.family === 4 && part === "localhost"))
      throw paramError(
        ctx.prog,
        `iprange: Bad value for "--${opt}" option: "${part}"`,
        at,
        "iptables.bad-address",
        ctx.family === 4 ? "A.B.C.D[-A.B.C.D]" : "an IPv6 address range",
      );
    out.push(a);
  }
  if (addrCmp(out[0]!, out[1]!) > 0)
    ctx.warnings.push(
      `xt_iprange: range ${ntop(out[0]!)}-${ntop(out[1]!)} is reversed and will never match`,
    );
  return [out[0]!, out[1]!];
}

const iprange: MatchExt = {
  kind: "match",
  name: "iprange",
  opts: [
    { name: "src-range", id: 0, arg: true, inv: true },
    { name: "dst-range", id: 1, arg: true, inv: true },
  ],
  init: () => ({}),
  parse(a) {
    x6Check(a, "iprange");
    const r = parseIpRange(a.ctx, a.arg!, a.valAt, a.spec.name);
    if (a.spec.id === 0) {
      a.st.data.src = r;
      a.st.data.srcInv = a.invert;
    } else {
      a.st.data.dst = r;
      a.st.data.dstInv = a.invert;
    }
  },
  final(ctx, st) {
    if (!st.flags)
      throw paramError(
        ctx.prog,
        "iprange match: You must specify `--src-range' or `--dst-range'",
        st.argIndex,
        "iptables.missing-option",
      );
  },
  save(d) {
    let s = "";
    const src = d.src as [Addr, Addr] | undefined,
      dst = d.dst as [Addr, Addr] | undefined;
    if (src) s += `${bool(d, "srcInv") ? " !" : ""} --src-range ${ntop(src[0])}-${ntop(src[1])}`;
    if (dst) s += `${bool(d, "dstInv") ? " !" : ""} --dst-range ${ntop(dst[0])}-${ntop(dst[1])}`;
    return s;
  },
  match(d, pkt) {
    const inr = (a: Addr, r: [Addr, Addr]) =>
      a.family === r[0].family && addrCmp(a, r[0]) >= 0 && addrCmp(a, r[1]) <= 0;
    const src = d.src as [Addr, Addr] | undefined,
      dst = d.dst as [Addr, Addr] | undefined;
    if (src && inr(pkt.saddr, src) === bool(d, "srcInv")) return false;
    if (dst && inr(pkt.daddr, dst) === bool(d, "dstInv")) return false;
    return true;
  },
};

// ---------------------------------------------------------------------------------------------
// owner

function parseIdRange(
  ctx: ParseCtx,
  s: string,
  opt: string,
  at: number,
  names: Record<string, number>,
): Range {
  const byName = names[s];
  if (byName !== undefined) return [byName, byName];
  const bad = () =>
    paramError(
      ctx.prog,
      `owner: Bad value for "--${opt}" option: "${s}"`,
      at,
      "iptables.bad-value",
    );
  const a = strtoul(s, 0, 0xfffffffe, true);
  if (!a) throw bad();
  let to = a[0],
    rest = a[1];
  if (rest.startsWith("-") || rest.startsWith(":")) {
    const b = strtoul(rest.slice(1), 0, 0xfffffffe, true);
    if (!b) throw bad();
    to = b[0];
    rest = b[1];
  }
  if (rest !== "") throw bad();
  return [a[0], to];
}

const owner: MatchExt = {
  kind: "match",
  name: "owner",
  opts: [
    { name: "uid-owner", id: 0, arg: true, inv: true },
    { name: "gid-owner", id: 1, arg: true, inv: true },
    { name: "socket-exists", id: 2, arg: false, inv: true },
    { name: "suppl-groups", id: 3, arg: false },
  ],
  init: () => ({}),
  parse(a) {
    x6Check(a, "owner");
    const d = a.st.data;
    const users = { ...DEFAULT_USERS, ...(a.ctx.env?.users ?? {}) },
      groups = { ...DEFAULT_GROUPS, ...(a.ctx.env?.groups ?? {}) };
    if (a.spec.id === 0) {
      d.uid = parseIdRange(a.ctx, a.arg!, "uid-owner", a.valAt, users);
      d.uidInv = a.invert;
    } else if (a.spec.id === 1) {
      d.gid = parseIdRange(a.ctx, a.arg!, "gid-owner", a.valAt, groups);
      d.gidInv = a.invert;
    } else if (a.spec.id === 2) {
      d.sock = true;
      d.sockInv = a.invert;
    } else d.suppl = true;
  },
  final(ctx, st) {
    if (!(st.flags & 7))
      throw paramError(
        ctx.prog,
        "owner: At least one of --uid-owner, --gid-owner or --socket-exists is required",
        st.argIndex,
        "iptables.missing-option",
      );
    if (st.flags & 8 && !(st.flags & 2))
      throw paramError(
        ctx.prog,
        "owner: --suppl-groups requires --gid-owner",
        st.argIndex,
        "iptables.missing-option",
      );
  },
  save(d) {
    let s = "";
    if (d.sock) s += `${bool(d, "sockInv") ? " !" : ""} --socket-exists`;
    const r = (x: Range) => (x[0] === x[1] ? String(x[0]) : `${x[0]}-${x[1]}`);
    if (d.uid) s += `${bool(d, "uidInv") ? " !" : ""} --uid-owner ${r(d.uid as Range)}`;
    if (d.gid) s += `${bool(d, "gidInv") ? " !" : ""} --gid-owner ${r(d.gid as Range)}`;
    if (d.suppl) s += " --suppl-groups";
    return s;
  },
  kernel: {
    hooks: HOOK_BIT.output | HOOK_BIT.postrouting,
    reason: "the uid/gid range must not be reversed",
    check(d) {
      const u = d.uid as Range | undefined,
        g = d.gid as Range | undefined;
      if ((u && u[0] > u[1]) || (g && g[0] > g[1])) return "EINVAL";
      return undefined;
    },
  },
  match(d, pkt) {
    // xt_owner: match = flags given, invert = flags inverted; no socket => (match ^ invert) == 0.
    let matchBits = 0,
      invBits = 0;
    if (d.uid) {
      matchBits |= 1;
      if (d.uidInv) invBits |= 1;
    }
    if (d.gid) {
      matchBits |= 2;
      if (d.gidInv) invBits |= 2;
    }
    if (d.sock) {
      matchBits |= 4;
      if (d.sockInv) invBits |= 4;
    }
    if (pkt.skuid === undefined) return (matchBits ^ invBits) === 0;
    if (d.uid) {
      const [lo, hi] = d.uid as Range;
      if ((pkt.skuid >= lo && pkt.skuid <= hi) === bool(d, "uidInv")) return false;
    }
    if (d.gid) {
      const [lo, hi] = d.gid as Range;
      const g = pkt.skgid ?? -1;
      if ((g >= lo && g <= hi) === bool(d, "gidInv")) return false;
    }
    return true;
  },
};

// ---------------------------------------------------------------------------------------------
// mark / connmark

export function parseMarkMask(
  ctx: ParseCtx,
  ext: string,
  opt: string,
  s: string,
  at: number,
): [number, number] {
  const bad = () =>
    paramError(
      ctx.prog,
      `${ext}: bad integer value for option "--${opt}", or out of range.`,
      at,
      "iptables.bad-value",
      "a 32-bit value[/mask]",
    );
  const a = strtoul(s, 0, 0xffffffff, true);
  if (!a) throw bad();
  let mask = 0xffffffff,
    rest = a[1];
  if (rest.startsWith("/")) {
    const b = strtoul(rest.slice(1), 0, 0xffffffff, true);
    if (!b) throw bad();
    mask = b[0];
    rest = b[1];
  }
  if (rest !== "")
    throw paramError(
      ctx.prog,
      `${ext}: trailing garbage after value for option "--${opt}".`,
      at,
      "iptables.bad-value",
    );
  return [a[0] >>> 0, mask >>> 0];
}

function markLike(name: "mark" | "connmark"): MatchExt {
  return {
    kind: "match",
    name,
    opts: [{ name: "mark", id: 0, arg: true, inv: true }],
    init: () => ({ mark: 0, mask: 0xffffffff, inv: false }),
    parse(a) {
      x6Check(a, name);
      const [m, k] = parseMarkMask(a.ctx, name, "mark", a.arg!, a.valAt);
      a.st.data.mark = m;
      a.st.data.mask = k;
      a.st.data.inv = a.invert;
    },
    final(ctx, st) {
      x6Final(ctx, st, name, [{ id: 0, name: "mark", mand: true }]);
    },
    save(d) {
      const m = num(d, "mark"),
        k = num(d, "mask");
      const mask = k === 0xffffffff ? "" : "/" + hex(k);
      return `${bool(d, "inv") ? " !" : ""} --mark ${hex(m)}${mask}`;
    },
    conntrack: name === "connmark",
    match(d, pkt) {
      if (name === "connmark" && (pkt.ctstate === "invalid" || pkt.ctstate === "untracked"))
        return false;
      const v = name === "mark" ? pkt.mark : pkt.ctmark;
      return ((v & num(d, "mask")) >>> 0 === num(d, "mark")) !== bool(d, "inv");
    },
  };
}

// ---------------------------------------------------------------------------------------------
// conntrack / state

const CT_STATES = [
  "INVALID",
  "NEW",
  "RELATED",
  "ESTABLISHED",
  "UNTRACKED",
  "SNAT",
  "DNAT",
] as const;

function parseStates(
  ctx: ParseCtx,
  s: string,
  at: number,
  allowed: readonly string[],
  what: string,
): number {
  let v = 0;
  for (const part of s.split(",")) {
    const i = allowed.findIndex((x) => x.toLowerCase() === part.toLowerCase());
    if (i < 0)
      throw paramError(
        ctx.prog,
        `Bad ${what} "${part}"`,
        at,
        "iptables.bad-value",
        allowed.join(","),
      );
    v |= 1 << CT_STATES.indexOf(allowed[i] as (typeof CT_STATES)[number]);
  }
  return v;
}

function printStates(v: number): string {
  return CT_STATES.filter((_, i) => v & (1 << i)).join(",");
}

function pktStateBit(pkt: NfPacket): number {
  return 1 << CT_STATES.indexOf(pkt.ctstate.toUpperCase() as (typeof CT_STATES)[number]);
}

const CONNTRACK_UNSUPPORTED = [
  "ctproto",
  "ctorigsrc",
  "ctorigdst",
  "ctreplsrc",
  "ctrepldst",
  "ctorigsrcport",
  "ctorigdstport",
  "ctreplsrcport",
  "ctrepldstport",
  "ctstatus",
  "ctexpire",
];

const conntrack: MatchExt = {
  kind: "match",
  name: "conntrack",
  opts: [
    { name: "ctstate", id: 0, arg: true, inv: true },
    { name: "ctdir", id: 1, arg: true },
    ...CONNTRACK_UNSUPPORTED.map((n, i) => ({
      name: n,
      id: 2 + i,
      arg: true,
      inv: true,
      unsupported: true,
    })),
  ],
  init: () => ({}),
  parse(a) {
    x6Check(a, "conntrack");
    if (a.spec.id === 0) {
      a.st.data.state = parseStates(a.ctx, a.arg!, a.valAt, CT_STATES, "ctstate");
      a.st.data.stateInv = a.invert;
    } else if (a.spec.id === 1) {
      const v = a.arg!.toUpperCase();
      if (v !== "ORIGINAL" && v !== "REPLY")
        throw paramError(
          a.ctx.prog,
          `conntrack: Bad value for "--ctdir" option: "${a.arg!}"`,
          a.valAt,
          "iptables.bad-value",
          "ORIGINAL or REPLY",
        );
      a.st.data.dir = v;
    }
  },
  final(ctx, st) {
    if (!st.flags)
      throw paramError(
        ctx.prog,
        "conntrack: At least one option is required",
        st.argIndex,
        "iptables.missing-option",
      );
  },
  save(d) {
    let s = "";
    if (d.state !== undefined)
      s += `${bool(d, "stateInv") ? " !" : ""} --ctstate ${printStates(num(d, "state"))}`;
    if (d.dir) s += ` --ctdir ${d.dir as string}`;
    return s;
  },
  conntrack: true,
  match(d, pkt) {
    const noCt = pkt.ctstate === "invalid" || pkt.ctstate === "untracked";
    if (d.state !== undefined) {
      let bits = pktStateBit(pkt);
      if (!noCt && pkt.ctSnat) bits |= 1 << 5;
      if (!noCt && pkt.ctDnat) bits |= 1 << 6;
      const hit = (num(d, "state") & bits) !== 0;
      if (hit === bool(d, "stateInv")) return false;
    }
    if (noCt) return d.state !== undefined;
    if (d.dir) {
      const orig = pkt.ctdir === "original";
      if (orig !== (d.dir === "ORIGINAL")) return false;
    }
    return true;
  },
};

const STATE_NAMES = ["INVALID", "ESTABLISHED", "NEW", "RELATED", "UNTRACKED"] as const;

const state: MatchExt = {
  kind: "match",
  name: "state",
  opts: [{ name: "state", id: 0, arg: true, inv: true }],
  init: () => ({}),
  parse(a) {
    x6Check(a, "state");
    a.st.data.state = parseStates(a.ctx, a.arg!, a.valAt, STATE_NAMES, "state");
    a.st.data.inv = a.invert;
  },
  final(ctx, st) {
    x6Final(ctx, st, "state", [{ id: 0, name: "state", mand: true }]);
  },
  save(d) {
    return `${bool(d, "inv") ? " !" : ""} --state ${printStates(num(d, "state"))}`;
  },
  conntrack: true,
  match(d, pkt) {
    return ((num(d, "state") & pktStateBit(pkt)) !== 0) !== bool(d, "inv");
  },
};

// ---------------------------------------------------------------------------------------------
// addrtype

export const ADDRTYPES = [
  "UNSPEC",
  "UNICAST",
  "LOCAL",
  "BROADCAST",
  "ANYCAST",
  "MULTICAST",
  "BLACKHOLE",
  "UNREACHABLE",
  "PROHIBIT",
  "THROW",
  "NAT",
  "XRESOLVE",
] as const;

function parseTypes(ctx: ParseCtx, s: string, at: number): number {
  let v = 0;
  for (const part of s.split(",")) {
    const i = ADDRTYPES.findIndex((x) => x.toLowerCase() === part.toLowerCase());
    if (i < 0)
      throw paramError(
        ctx.prog,
        `addrtype: bad type "${part}"`,
        at,
        "iptables.bad-value",
        ADDRTYPES.join(","),
      );
    v |= 1 << i;
  }
  return v;
}

const addrtype: MatchExt = {
  kind: "match",
  name: "addrtype",
  opts: [
    { name: "src-type", id: 0, arg: true, inv: true },
    { name: "dst-type", id: 1, arg: true, inv: true },
    { name: "limit-iface-in", id: 2, arg: false },
    { name: "limit-iface-out", id: 3, arg: false },
  ],
  init: () => ({ src: 0, dst: 0 }),
  parse(a) {
    x6Check(a, "addrtype");
    const d = a.st.data;
    if (a.spec.id === 0) {
      d.src = parseTypes(a.ctx, a.arg!, a.valAt);
      d.srcInv = a.invert;
    } else if (a.spec.id === 1) {
      d.dst = parseTypes(a.ctx, a.arg!, a.valAt);
      d.dstInv = a.invert;
    } else if (a.spec.id === 2) d.limitIn = true;
    else d.limitOut = true;
  },
  final(ctx, st) {
    x6Final(ctx, st, "addrtype", [
      { id: 0, name: "src-type" },
      { id: 1, name: "dst-type" },
      { id: 2, name: "limit-iface-in", excl: 8 },
      { id: 3, name: "limit-iface-out", excl: 4 },
    ]);
    if (!(st.flags & 3))
      throw paramError(
        ctx.prog,
        "addrtype: you must specify --src-type or --dst-type",
        st.argIndex,
        "iptables.missing-option",
      );
  },
  save(d) {
    const t = (v: number) => ADDRTYPES.filter((_, i) => v & (1 << i)).join(",");
    let s = "";
    if (num(d, "src")) s += `${bool(d, "srcInv") ? " !" : ""} --src-type ${t(num(d, "src"))}`;
    if (num(d, "dst")) s += `${bool(d, "dstInv") ? " !" : ""} --dst-type ${t(num(d, "dst"))}`;
    if (d.limitIn) s += " --limit-iface-in";
    if (d.limitOut) s += " --limit-iface-out";
    return s;
  },
  kernel: {
    reason:
      "--limit-iface-in only in PREROUTING/INPUT/FORWARD, " +
      "--limit-iface-out only in OUTPUT/POSTROUTING/FORWARD; " +
      "IPv6 has no BROADCAST, BLACKHOLE or PROHIBIT..XRESOLVE types",
    check(d, _rule, hookMask, family) {
      if (d.limitIn && d.limitOut) return "EINVAL";
      if (hookMask & (HOOK_BIT.prerouting | HOOK_BIT.input) && d.limitOut) return "EINVAL";
      if (hookMask & (HOOK_BIT.output | HOOK_BIT.postrouting) && d.limitIn) return "EINVAL";
      if (family === 6) {
        const all = num(d, "src") | num(d, "dst");
        if (all & (1 << 6)) return "EINVAL"; // BLACKHOLE
        if (all >= 1 << 8) return "EINVAL"; // PROHIBIT and above
        if (all & (1 << 3)) return "EINVAL"; // BROADCAST
      }
      return undefined;
    },
  },
  match(d, pkt, ectx) {
    const dev = d.limitIn ? pkt.iifname : d.limitOut ? pkt.oifname : undefined;
    const typeBit = (a: Addr) => {
      const t = ectx.host.addrType(a, dev || undefined).toUpperCase();
      const i = ADDRTYPES.indexOf(t as (typeof ADDRTYPES)[number]);
      return i < 0 ? 0 : 1 << i;
    };
    if (num(d, "src") && ((typeBit(pkt.saddr) & num(d, "src")) !== 0) === bool(d, "srcInv"))
      return false;
    if (num(d, "dst") && ((typeBit(pkt.daddr) & num(d, "dst")) !== 0) === bool(d, "dstInv"))
      return false;
    return true;
  },
};

// ---------------------------------------------------------------------------------------------
// set

const set: MatchExt = {
  kind: "match",
  name: "set",
  opts: [
    { name: "match-set", id: 0, arg: true, inv: true, noX6: true },
    { name: "set", id: 0, arg: true, inv: true, noX6: true },
    { name: "return-nomatch", id: 1, arg: false, noX6: true, unsupported: true },
    { name: "update-counters", id: 2, arg: false, noX6: true, unsupported: true },
    { name: "update-subcounters", id: 3, arg: false, noX6: true, unsupported: true },
    { name: "packets-eq", id: 4, arg: true, noX6: true, unsupported: true },
    { name: "bytes-eq", id: 5, arg: true, noX6: true, unsupported: true },
  ],
  init: () => ({}),
  parse(a) {
    const p = a.ctx.prog;
    if (a.st.flags & 1)
      throw paramError(
        p,
        "--match-set can be specified only once",
        a.valAt,
        "iptables.duplicate-option",
      );
    const next = a.peek();
    if (next === undefined || next.startsWith("-") || next.startsWith("!"))
      throw paramError(p, "--match-set requires two args.", a.valAt, "iptables.missing-argument");
    const name = a.arg!;
    if (name.length > 31)
      throw paramError(
        p,
        `Setname \`${name}' is longer than 31 characters.`,
        a.valAt,
        "iptables.bad-value",
      );
    const flagsWord = a.take();
    const flags = flagsWord.split(",");
    if (flags.length > 6)
      throw paramError(
        p,
        `Can't be more src/dst options than 6.`,
        a.valAt + 1,
        "iptables.bad-value",
      );
    for (const f of flags)
      if (f !== "src" && f !== "dst")
        throw paramError(
          p,
          "You must spefify `src' or `dst'",
          a.valAt + 1,
          "iptables.bad-value",
          "src or dst",
        );
    const s = a.ctx.ruleset.ipsets.get(name);
    if (!s) throw paramError(p, `Set ${name} doesn't exist.`, a.valAt, "iptables.no-set");
    if (s.family !== a.ctx.family)
      throw paramError(
        p,
        `The protocol family of set ${name} is ${s.family === 4 ? "IPv4" : "IPv6"}, ` +
          "which is not applicable.",
        a.valAt,
        "iptables.set-family",
      );
    a.st.data.set = name;
    a.st.data.flags = flags;
    a.st.data.inv = a.invert;
    a.st.flags |= 1;
  },
  final(ctx, st) {
    if (!(st.flags & 1))
      throw paramError(
        ctx.prog,
        "You must specify `--match-set' with proper arguments",
        st.argIndex,
        "iptables.missing-option",
      );
  },
  save(d) {
    const flags = (d.flags as string[]).join(",");
    return `${bool(d, "inv") ? " !" : ""} --match-set ${d.set as string} ${flags}`;
  },
  match(d, pkt, ectx) {
    const s = ectx.ruleset.ipsets.get(d.set as string);
    let hit = false;
    if (s && s.family === pkt.family) {
      const a = (d.flags as string[])[0] === "src" ? pkt.saddr : pkt.daddr;
      hit = s.entries.some(
        (e) => e.addr.family === a.family && (BigInt(a.v) & BigInt(e.mask.v)) === BigInt(e.addr.v),
      );
    }
    return hit !== bool(d, "inv");
  },
};

// ---------------------------------------------------------------------------------------------
// socket, comment

const socket: MatchExt = {
  kind: "match",
  name: "socket",
  opts: [
    { name: "transparent", id: 0, arg: false },
    { name: "nowildcard", id: 1, arg: false },
    { name: "restore-skmark", id: 2, arg: false },
  ],
  init: () => ({}),
  parse(a) {
    x6Check(a, "socket");
    a.st.data[["transparent", "nowildcard", "restoreSkmark"][a.spec.id]!] = true;
  },
  final() {
    /* none */
  },
  save(d) {
    let s = "";
    if (d.transparent) s += " --transparent";
    if (d.nowildcard) s += " --nowildcard";
    if (d.restoreSkmark) s += " --restore-skmark";
    return s;
  },
  kernel: { hooks: HOOK_BIT.prerouting | HOOK_BIT.input },
  match(d, pkt) {
    if (!pkt.socketExists) return false;
    if (d.transparent && pkt.socketTransparent === false) return false;
    if (d.restoreSkmark && pkt.socketMark !== undefined) pkt.mark = pkt.socketMark >>> 0;
    return true;
  },
};

const comment: MatchExt = {
  kind: "match",
  name: "comment",
  opts: [{ name: "comment", id: 0, arg: true }],
  init: () => ({ comment: "" }),
  parse(a) {
    x6Check(a, "comment");
    if (a.arg!.length > 255)
      throw paramError(
        a.ctx.prog,
        "Argument must have a maximum length of 255 characters",
        a.valAt,
        "iptables.bad-value",
      );
    a.st.data.comment = a.arg!;
  },
  final(ctx, st) {
    x6Final(ctx, st, "comment", [{ id: 0, name: "comment", mand: true }]);
  },
  save(d) {
    return ` --comment ${saveString(d.comment as string)}`;
  },
  match() {
    return true;
  },
};

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
  ...EXTRA_MATCHES,
};

export function familyOk(ext: { families?: Family[] }, f: Family): boolean {
  return !ext.families || ext.families.includes(f);
}
