import type { ExtState, MatchExt, ParseArgs } from "../ext.js";
import { x6Check, x6Final } from "../ext.js";
import type { ParseCtx } from "../types.js";
import { paramError, parsePortNum } from "../util.js";
import { bool, num, type Range } from "./common.js";

// ---------------------------------------------------------------------------------------------
// tcp / udp

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

export function tcpudp(name: "tcp" | "udp"): MatchExt {
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

export const multiport: MatchExt = {
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
