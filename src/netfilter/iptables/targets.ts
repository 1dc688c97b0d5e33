/**
 * Target extensions (`-j NAME`): MARK, CONNMARK, LOG, REJECT, DNAT, SNAT, MASQUERADE,
 * REDIRECT, TPROXY — parsing with iptables 1.8.9's wording, canonical save text, kernel
 * restrictions, and their effect on a packet.
 *
 * Kept whole: a registry of target extensions, each a self-contained object (parse, save,
 * effect) like the kernel's xt_*.c; a seam to split later is one file per target as match/
 * does for matches.
 * @module
 */
import type { Addr } from "../../addr/ip.js";
import { parseAddr } from "../../addr/ip.js";
import type { TargetExt } from "./ext.js";
import { EXTRA_TARGETS } from "./extra.js";
import { HL } from "./match/hl.js";
import { x6Check, x6Final } from "./ext.js";
import { parseMarkMask } from "./matches.js";
import { HOOK_BIT } from "./types.js";
import type { ParseCtx } from "./types.js";
import { hex, ntop, paramError, parsePortNum, resolveHost, saveString, strtoul } from "./util.js";

type D = Record<string, unknown>;
const num = (d: D, k: string): number => d[k] as number;

function parseU32(ctx: ParseCtx, ext: string, opt: string, s: string, at: number): number {
  const r = strtoul(s, 0, 0xffffffff);
  if (!r)
    throw paramError(
      ctx.prog,
      `${ext}: bad value for option "--${opt}", or out of range (0-4294967295).`,
      at,
      "iptables.bad-value",
    );
  return r[0] >>> 0;
}

function markEffect(before: number, after: number): string {
  return `${hex(before)} -> ${hex(after)}`;
}

// ---------------------------------------------------------------------------------------------
// MARK

const MARK: TargetExt = {
  kind: "target",
  name: "MARK",
  opts: [
    { name: "set-xmark", id: 0, arg: true },
    { name: "set-mark", id: 1, arg: true },
    { name: "and-mark", id: 2, arg: true },
    { name: "or-mark", id: 3, arg: true },
    { name: "xor-mark", id: 4, arg: true },
  ],
  init: () => ({ mark: 0, mask: 0 }),
  parse(a) {
    x6Check(a, "MARK");
    const d = a.st.data,
      s = a.arg!;
    switch (a.spec.id) {
      case 0: {
        const [v, m] = parseMarkMask(a.ctx, "MARK", a.canon, s, a.valAt);
        d.mark = v;
        d.mask = m;
        break;
      }
      case 1: {
        const [v, m] = parseMarkMask(a.ctx, "MARK", a.canon, s, a.valAt);
        d.mark = v;
        d.mask = (v | m) >>> 0;
        break;
      }
      case 2: {
        const v = parseU32(a.ctx, "MARK", a.canon, s, a.valAt);
        d.mark = 0;
        d.mask = ~v >>> 0;
        break;
      }
      case 3: {
        const v = parseU32(a.ctx, "MARK", a.canon, s, a.valAt);
        d.mark = v;
        d.mask = v;
        break;
      }
      default: {
        const v = parseU32(a.ctx, "MARK", a.canon, s, a.valAt);
        d.mark = v;
        d.mask = 0;
      }
    }
  },
  final(ctx, st) {
    x6Final(
      ctx,
      st,
      "MARK",
      ["set-xmark", "set-mark", "and-mark", "or-mark", "xor-mark"].map((name, id) => ({
        id,
        name,
        excl: 31,
      })),
    );
    if (!st.flags)
      throw paramError(
        ctx.prog,
        "MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required",
        st.argIndex,
        "iptables.missing-option",
      );
  },
  save: (d) => ` --set-xmark ${hex(num(d, "mark"))}/${hex(num(d, "mask"))}`,
  apply(d, pkt) {
    const before = pkt.mark;
    pkt.mark = ((pkt.mark & ~num(d, "mask")) ^ num(d, "mark")) >>> 0;
    const m = num(d, "mask");
    const op =
      m === 0xffffffff ? `set ${hex(num(d, "mark"))}` : `xset ${hex(num(d, "mark"))}/${hex(m)}`;
    return { effect: `MARK ${op} (${markEffect(before, pkt.mark)})` };
  },
};

// ---------------------------------------------------------------------------------------------
// CONNMARK

const CONNMARK: TargetExt = {
  kind: "target",
  name: "CONNMARK",
  opts: [
    { name: "set-xmark", id: 0, arg: true },
    { name: "set-mark", id: 1, arg: true },
    { name: "and-mark", id: 2, arg: true },
    { name: "or-mark", id: 3, arg: true },
    { name: "xor-mark", id: 4, arg: true },
    { name: "save-mark", id: 5, arg: false },
    { name: "restore-mark", id: 6, arg: false },
    { name: "ctmask", id: 7, arg: true },
    { name: "nfmask", id: 8, arg: true },
    { name: "mask", id: 9, arg: true },
  ],
  init: () => ({ mode: "", ctmark: 0, ctmask: 0xffffffff, nfmask: 0xffffffff }),
  parse(a) {
    x6Check(a, "CONNMARK");
    const d = a.st.data,
      s = a.arg ?? "";
    switch (a.spec.id) {
      case 0: {
        const [v, m] = parseMarkMask(a.ctx, "CONNMARK", a.canon, s, a.valAt);
        d.mode = "set";
        d.ctmark = v;
        d.ctmask = m;
        break;
      }
      case 1: {
        const [v, m] = parseMarkMask(a.ctx, "CONNMARK", a.canon, s, a.valAt);
        d.mode = "set";
        d.ctmark = v;
        d.ctmask = (v | m) >>> 0;
        break;
      }
      case 2: {
        const v = parseU32(a.ctx, "CONNMARK", a.canon, s, a.valAt);
        d.mode = "set";
        d.ctmark = 0;
        d.ctmask = ~v >>> 0;
        break;
      }
      case 3: {
        const v = parseU32(a.ctx, "CONNMARK", a.canon, s, a.valAt);
        d.mode = "set";
        d.ctmark = v;
        d.ctmask = v;
        break;
      }
      case 4: {
        const v = parseU32(a.ctx, "CONNMARK", a.canon, s, a.valAt);
        d.mode = "set";
        d.ctmark = v;
        d.ctmask = 0;
        break;
      }
      case 5:
        d.mode = "save";
        break;
      case 6:
        d.mode = "restore";
        break;
      case 7:
        d.ctmask = parseU32(a.ctx, "CONNMARK", a.canon, s, a.valAt);
        break;
      case 8:
        d.nfmask = parseU32(a.ctx, "CONNMARK", a.canon, s, a.valAt);
        break;
      default: {
        const v = parseU32(a.ctx, "CONNMARK", a.canon, s, a.valAt);
        d.ctmask = v;
        d.nfmask = v;
      }
    }
  },
  final(ctx, st) {
    if (!(st.flags & 0x7f))
      throw paramError(
        ctx.prog,
        "CONNMARK target: No operation specified",
        st.argIndex,
        "iptables.missing-option",
      );
    x6Final(ctx, st, "CONNMARK", [
      ...[
        "set-xmark",
        "set-mark",
        "and-mark",
        "or-mark",
        "xor-mark",
        "save-mark",
        "restore-mark",
      ].map((name, id) => ({ id, name, excl: 0x7f })),
      { id: 7, name: "ctmask", excl: 1 << 9 },
      { id: 8, name: "nfmask", excl: 1 << 9 },
      { id: 9, name: "mask", excl: (1 << 7) | (1 << 8) },
    ]);
  },
  save(d) {
    if (d.mode === "set") return ` --set-xmark ${hex(num(d, "ctmark"))}/${hex(num(d, "ctmask"))}`;
    const masks = `--nfmask ${hex(num(d, "nfmask"))} --ctmask ${hex(num(d, "ctmask"))}`;
    return ` --${d.mode as string}-mark ${masks}`;
  },
  conntrack: true,
  apply(d, pkt) {
    if (pkt.ctstate === "invalid" || pkt.ctstate === "untracked")
      return { effect: `CONNMARK ${d.mode as string}: no conntrack entry` };
    const ctmask = num(d, "ctmask"),
      nfmask = num(d, "nfmask");
    if (d.mode === "set") {
      const before = pkt.ctmark;
      pkt.ctmark = ((pkt.ctmark & ~ctmask) ^ num(d, "ctmark")) >>> 0;
      return { effect: `CONNMARK set ctmark ${markEffect(before, pkt.ctmark)}` };
    }
    if (d.mode === "save") {
      const before = pkt.ctmark;
      pkt.ctmark = ((pkt.ctmark & ~ctmask) ^ (pkt.mark & nfmask)) >>> 0;
      return { effect: `CONNMARK save ctmark ${markEffect(before, pkt.ctmark)}` };
    }
    const before = pkt.mark;
    pkt.mark = ((pkt.mark & ~nfmask) ^ (pkt.ctmark & ctmask)) >>> 0;
    return { effect: `CONNMARK restore mark ${markEffect(before, pkt.mark)}` };
  },
};

// ---------------------------------------------------------------------------------------------
// LOG

const LOG_LEVELS: Record<string, number> = {
  alert: 1,
  crit: 2,
  debug: 7,
  emerg: 0,
  error: 3,
  info: 6,
  notice: 5,
  panic: 0,
  warning: 4,
};
const LOG_FLAGS = [
  "log-tcp-sequence",
  "log-tcp-options",
  "log-ip-options",
  "log-uid",
  "log-macdecode",
];

const LOG: TargetExt = {
  kind: "target",
  name: "LOG",
  opts: [
    { name: "log-level", id: 0, arg: true },
    { name: "log-prefix", id: 1, arg: true },
    ...LOG_FLAGS.map((name, i) => ({ name, id: 2 + i, arg: false })),
  ],
  init: () => ({ level: 4, prefix: "", flags: 0 }),
  parse(a) {
    x6Check(a, "LOG");
    const d = a.st.data,
      s = a.arg ?? "";
    if (a.spec.id === 0) {
      const n = strtoul(s, 0, 7);
      if (n) d.level = n[0];
      else if (LOG_LEVELS[s] !== undefined) d.level = LOG_LEVELS[s];
      else throw paramError(a.ctx.prog, `log level "${s}" unknown`, a.valAt, "iptables.bad-value");
    } else if (a.spec.id === 1) {
      if (s.length < 1)
        throw paramError(
          a.ctx.prog,
          "Argument must have a minimum length of 1 characters",
          a.valAt,
          "iptables.bad-value",
        );
      if (s.includes("\n"))
        throw paramError(
          a.ctx.prog,
          "Newlines not allowed in --log-prefix",
          a.valAt,
          "iptables.bad-value",
        );
      d.prefix = s.slice(0, 29);
    } else d.flags = num(d, "flags") | (1 << (a.spec.id - 2));
  },
  final() {
    /* none */
  },
  save(d) {
    let s = "";
    if (d.prefix) s += ` --log-prefix ${saveString(d.prefix as string)}`;
    if (num(d, "level") !== 4) s += ` --log-level ${num(d, "level")}`;
    LOG_FLAGS.forEach((f, i) => {
      if (num(d, "flags") & (1 << i)) s += ` --${f}`;
    });
    return s;
  },
  apply(d) {
    return { effect: `LOG${d.prefix ? ` prefix ${JSON.stringify(d.prefix)}` : ""}` };
  },
};

// ---------------------------------------------------------------------------------------------
// REJECT

const REJECT4: Array<[string, string]> = [
  ["icmp-net-unreachable", "net-unreach"],
  ["icmp-host-unreachable", "host-unreach"],
  ["icmp-proto-unreachable", "proto-unreach"],
  ["icmp-port-unreachable", "port-unreach"],
  ["icmp-net-prohibited", "net-prohib"],
  ["icmp-host-prohibited", "host-prohib"],
  ["tcp-reset", "tcp-rst"],
  ["icmp-admin-prohibited", "admin-prohib"],
];
const REJECT6: Array<[string, string]> = [
  ["icmp6-no-route", "no-route"],
  ["icmp6-adm-prohibited", "adm-prohibited"],
  ["icmp6-addr-unreachable", "addr-unreach"],
  ["icmp6-port-unreachable", "port-unreach"],
  ["tcp-reset", "tcp-reset"],
  ["icmp6-policy-fail", "policy-fail"],
  ["icmp6-reject-route", "reject-route"],
];

const REJECT: TargetExt = {
  kind: "target",
  name: "REJECT",
  opts: [{ name: "reject-with", id: 0, arg: true }],
  init: (ctx) => ({ with: ctx.family === 4 ? "icmp-port-unreachable" : "icmp6-port-unreachable" }),
  parse(a) {
    x6Check(a, "REJECT");
    const s = a.arg!,
      l = s.length,
      low = s.toLowerCase();
    const table = a.ctx.family === 4 ? REJECT4 : REJECT6;
    for (const [name, alias] of table) {
      if (name.slice(0, l) === low || alias.slice(0, l) === low) {
        a.st.data.with = name;
        return;
      }
    }
    throw paramError(
      a.ctx.prog,
      `unknown reject type "${s}"`,
      a.valAt,
      "iptables.bad-value",
      table.map((t) => t[0]).join(", "),
    );
  },
  final() {
    /* none */
  },
  save: (d) => ` --reject-with ${d.with as string}`,
  kernel: {
    table: "filter",
    hooks: HOOK_BIT.input | HOOK_BIT.forward | HOOK_BIT.output,
    reason: "--reject-with tcp-reset needs -p tcp",
    check(d, rule) {
      if (d.with === "tcp-reset" && (rule.proto !== 6 || rule.protoInv)) return "EINVAL";
      return undefined;
    },
  },
  apply(d) {
    return {
      verdict: { kind: "reject", with: d.with as string },
      effect: `reject with ${d.with as string}`,
    };
  },
};

// ---------------------------------------------------------------------------------------------
// NAT targets

const PORT_PROTOS = new Set([6, 17, 132, 33]);

/**
 * libxt_NAT & co: ports need -p tcp/udp/sctp/dccp/icmp (IPPROTO_ICMP in both families; the
 * inversion is not looked at).
 */
function portsOk(ctx: ParseCtx): boolean {
  return PORT_PROTOS.has(ctx.rule.proto) || ctx.rule.proto === 1;
}

function parsePorts(ctx: ParseCtx, s: string, at: number): [number, number] {
  const dash = s.indexOf("-");
  const one = (x: string) => {
    const v = parsePortNum(x, ctx.env);
    if (v === undefined)
      throw paramError(
        ctx.prog,
        `Port \`${x}' not valid`,
        at,
        "iptables.bad-port",
        "a port number",
      );
    return v;
  };
  if (dash < 0) {
    const v = one(s);
    return [v, v];
  }
  const lo = one(s.slice(0, dash)),
    hi = one(s.slice(dash + 1));
  if (lo > hi)
    throw paramError(
      ctx.prog,
      `Port range \`${s.slice(dash + 1)}' funky`,
      at,
      "iptables.bad-port-range",
    );
  return [lo, hi];
}

interface NatRange {
  ip?: [Addr, Addr];
  port?: [number, number];
}

function parseNatRange(ctx: ParseCtx, s: string, at: number, ext: string): NatRange {
  const out: NatRange = {};
  let ipPart = s,
    portPart: string | undefined;
  const needPort = () => {
    if (!portsOk(ctx))
      throw paramError(
        ctx.prog,
        "Need TCP, UDP, SCTP or DCCP with port specification",
        at,
        "iptables.proto-required",
      );
  };
  if (ctx.family === 6) {
    if (s.startsWith("[")) {
      const close = s.indexOf("]");
      if (close < 0)
        throw paramError(ctx.prog, `Invalid address format`, at, "iptables.bad-address");
      ipPart = s.slice(1, close);
      const rest = s.slice(close + 1);
      const colon = rest.indexOf(":");
      if (colon >= 0) portPart = rest.slice(colon + 1);
    } else {
      // "Lets assume one colon is port information. Otherwise its an IPV6 address"
      const colon = s.indexOf(":");
      if (colon >= 0 && s.indexOf(":", colon + 1) < 0) {
        ipPart = s.slice(0, colon);
        portPart = s.slice(colon + 1);
      }
    }
  } else {
    if (s.startsWith("["))
      throw paramError(
        ctx.prog,
        "Invalid address format",
        at,
        "iptables.bad-address",
        "ADDR[-ADDR][:PORT[-PORT]]",
      );
    // one colon separates the port; more mean an (IPv6) address, rejected below
    const colon = s.indexOf(":");
    if (colon >= 0 && s.indexOf(":", colon + 1) < 0) {
      ipPart = s.slice(0, colon);
      portPart = s.slice(colon + 1);
    }
  }
  if (portPart !== undefined) {
    needPort();
    out.port = parsePorts(ctx, portPart, at);
  }
  if (ipPart !== "") {
    const dash = ipPart.indexOf("-");
    const parts = dash >= 0 ? [ipPart.slice(0, dash), ipPart.slice(dash + 1)] : [ipPart, ipPart];
    const addrs = parts.map((p) => {
      const r =
        ctx.family === 4
          ? resolveHost(p, 4)?.[0]
          : parseAddr(p, 6).ok
            ? resolveHost(p, 6)?.[0]
            : undefined;
      if (!r) throw paramError(ctx.prog, `Bad IP address "${p}"`, at, "iptables.bad-address");
      return r;
    });
    out.ip = [addrs[0]!, addrs[1]!];
  }
  return out;
}

function saveNatRange(r: NatRange, family: 4 | 6): string {
  let ip = "";
  if (r.ip) ip = ntop(r.ip[0]) + (r.ip[0].v !== r.ip[1].v ? `-${ntop(r.ip[1])}` : "");
  if (!r.port) return ip;
  const ports = r.port[0] === r.port[1] ? String(r.port[0]) : `${r.port[0]}-${r.port[1]}`;
  if (family === 6 && ip) return `[${ip}]:${ports}`;
  return `${ip}:${ports}`;
}

const UNCHANGED = "(unchanged)";

function natTarget(name: "DNAT" | "SNAT"): TargetExt {
  const opt = name === "DNAT" ? "to-destination" : "to-source";
  return {
    kind: "target",
    name,
    opts: [
      { name: opt, id: 0, arg: true },
      { name: "random", id: 1, arg: false },
      { name: "random-fully", id: 2, arg: false },
      { name: "persistent", id: 3, arg: false },
    ],
    init: () => ({}),
    parse(a) {
      x6Check(a, name);
      const d = a.st.data;
      if (a.spec.id === 0) {
        const r = parseNatRange(a.ctx, a.arg!, a.valAt, name);
        if (r.ip) d.ip = r.ip;
        if (r.port) d.port = r.port;
      } else d[["", "random", "fully", "persistent"][a.spec.id]!] = true;
    },
    final(ctx, st) {
      x6Final(ctx, st, name, [{ id: 0, name: opt, mand: true }]);
    },
    save(d, family) {
      let s = ` --${opt} ${saveNatRange(d as NatRange, family)}`;
      if (d.random) s += " --random";
      if (d.fully) s += " --random-fully";
      if (d.persistent) s += " --persistent";
      return s;
    },
    kernel: {
      table: "nat",
      hooks:
        name === "DNAT"
          ? HOOK_BIT.prerouting | HOOK_BIT.output
          : HOOK_BIT.postrouting | HOOK_BIT.input,
    },
    conntrack: true,
    apply(d) {
      const r = d as NatRange;
      const v: { kind: "dnat" | "snat"; addr?: Addr; port?: number } = {
        kind: name === "DNAT" ? "dnat" : "snat",
      };
      if (r.ip) v.addr = r.ip[0];
      if (r.port) v.port = r.port[0];
      return {
        verdict: v,
        effect: `${name.toLowerCase()} to ${saveNatRange(r, r.ip?.[0].family ?? 4) || UNCHANGED}`,
      };
    },
  };
}

function portsTarget(name: "MASQUERADE" | "REDIRECT"): TargetExt {
  const flags = name === "MASQUERADE" ? ["random", "random-fully"] : ["random"];
  return {
    kind: "target",
    name,
    opts: [
      { name: "to-ports", id: 0, arg: true },
      ...flags.map((n, i) => ({ name: n, id: 1 + i, arg: false })),
    ],
    init: () => ({}),
    parse(a) {
      x6Check(a, name);
      if (a.spec.id === 0) {
        if (!portsOk(a.ctx))
          throw paramError(
            a.ctx.prog,
            "Need TCP, UDP, SCTP or DCCP with port specification",
            a.valAt,
            "iptables.proto-required",
          );
        a.st.data.port = parsePorts(a.ctx, a.arg!, a.valAt);
      } else a.st.data[a.spec.id === 1 ? "random" : "fully"] = true;
    },
    final() {
      /* none */
    },
    save(d) {
      let s = "";
      const p = d.port as [number, number] | undefined;
      if (p) s += ` --to-ports ${p[0] === p[1] ? p[0] : `${p[0]}-${p[1]}`}`;
      if (d.random) s += " --random";
      if (d.fully) s += " --random-fully";
      return s;
    },
    kernel: {
      table: "nat",
      hooks: name === "MASQUERADE" ? HOOK_BIT.postrouting : HOOK_BIT.prerouting | HOOK_BIT.output,
    },
    conntrack: true,
    apply(d) {
      const p = d.port as [number, number] | undefined;
      const v =
        name === "MASQUERADE"
          ? { kind: "masquerade" as const, ...(p ? { port: p[0] } : {}) }
          : { kind: "redirect" as const, ...(p ? { port: p[0] } : {}) };
      return { verdict: v, effect: `${name.toLowerCase()}${p ? ` to port ${p[0]}` : ""}` };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// TPROXY

const TPROXY: TargetExt = {
  kind: "target",
  name: "TPROXY",
  opts: [
    { name: "on-port", id: 0, arg: true },
    { name: "on-ip", id: 1, arg: true },
    { name: "tproxy-mark", id: 2, arg: true },
  ],
  init: () => ({ port: 0, mark: 0, mask: 0 }),
  parse(a) {
    x6Check(a, "TPROXY");
    const d = a.st.data;
    if (a.spec.id === 0) {
      const v = parsePortNum(a.arg!, a.ctx.env);
      if (v === undefined)
        throw paramError(
          a.ctx.prog,
          `Port "${a.arg!}" does not resolve to anything.`,
          a.valAt,
          "iptables.bad-port",
        );
      d.port = v;
    } else if (a.spec.id === 1) {
      const r = resolveHost(a.arg!, a.ctx.family, a.ctx.env);
      const otherFamily = a.ctx.family === 6 ? /^[0-9.]+$/.test(a.arg!) : a.arg!.includes(":");
      if (!r)
        throw paramError(
          a.ctx.prog,
          "getaddrinfo: " +
            (otherFamily
              ? "Address family for hostname not supported"
              : "Name or service not known"),
          a.valAt,
          "iptables.bad-address",
        );
      d.ip = r[0];
    } else {
      const [v, m] = parseMarkMask(a.ctx, "TPROXY", "tproxy-mark", a.arg!, a.valAt);
      d.mark = v;
      d.mask = m;
    }
  },
  final(ctx, st) {
    x6Final(ctx, st, "TPROXY", [{ id: 0, name: "on-port", mand: true }]);
  },
  save(d, family) {
    const ip = d.ip ? ntop(d.ip as Addr) : family === 4 ? "0.0.0.0" : "::";
    const mark = `${hex(num(d, "mark"))}/${hex(num(d, "mask"))}`;
    return ` --on-port ${num(d, "port")} --on-ip ${ip} --tproxy-mark ${mark}`;
  },
  kernel: {
    table: "mangle",
    hooks: HOOK_BIT.prerouting,
    reason: "TPROXY needs -p tcp or -p udp",
    check(_d, rule) {
      return (rule.proto === 6 || rule.proto === 17) && !rule.protoInv ? undefined : "EINVAL";
    },
  },
  apply(d, pkt) {
    const before = pkt.mark;
    pkt.mark = ((pkt.mark & ~num(d, "mask")) ^ num(d, "mark")) >>> 0;
    const port = num(d, "port") || pkt.dport;
    const ip = d.ip as Addr | undefined;
    const isZero = !ip || (ip.family === 4 ? ip.v === 0 : ip.v === 0n);
    const v: { kind: "tproxy"; addr?: Addr; port: number } = { kind: "tproxy", port };
    if (!isZero) v.addr = ip;
    return {
      verdict: v,
      effect:
        `tproxy to ${isZero ? "(primary address)" : ntop(ip)}:${port} ` +
        `mark ${markEffect(before, pkt.mark)}`,
    };
  },
};

export const TARGETS: Record<string, TargetExt> = {
  MARK,
  CONNMARK,
  LOG,
  REJECT,
  DNAT: natTarget("DNAT"),
  SNAT: natTarget("SNAT"),
  MASQUERADE: portsTarget("MASQUERADE"),
  REDIRECT: portsTarget("REDIRECT"),
  TPROXY,
  HL,
  ...EXTRA_TARGETS,
};
