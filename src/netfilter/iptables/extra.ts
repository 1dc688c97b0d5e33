/**
 * Further extensions common in VPN/router scripts, with no or little routing effect:
 * matches icmp, icmp6, limit, pkttype, statistic, rpfilter; targets TCPMSS, NFLOG, NOTRACK,
 * CT, TRACE, NFQUEUE.
 *
 * Evaluation assumptions (the packet model has no rate, counter or ICMP header state):
 * `limit` always matches (under the rate); `statistic --mode random` matches when the
 * probability is >= 0.5, `--mode nth` matches when `--packet` is 0 (the flow's first
 * packet); `icmp`/`icmp6` match only when the packet carries `icmpType`; `pkttype` is
 * derived from the destination (multicast, broadcast, else unicast; `outgoing` on the
 * output path); `rpfilter` routes the source back through `NfHostView.fibLookup` (and
 * passes when the host view has no FIB).
 *
 * Kept whole: many small, self-contained extensions (each an object of a few functions, like
 * the kernel's xt_*.c) with no routing effect, kept together as the set VPN/router scripts
 * use.
 * @module
 */
import type { Family } from "../../addr/ip.js";
import type { MatchExt, TargetExt } from "./ext.js";
import { x6Check, x6Final } from "./ext.js";
import { HOOK_BIT } from "./types.js";
import { paramError, saveString, strtoul } from "./util.js";

type D = Record<string, unknown>;
const num = (d: D, k: string): number => d[k] as number;

// ---------------------------------------------------------------------------------------------
// icmp / icmp6

type IcmpName = [string, number, number, number];
const ICMP4: IcmpName[] = [
  ["any", 0xff, 0, 0xff],
  ["echo-reply", 0, 0, 0xff],
  ["destination-unreachable", 3, 0, 0xff],
  ["network-unreachable", 3, 0, 0],
  ["host-unreachable", 3, 1, 1],
  ["protocol-unreachable", 3, 2, 2],
  ["port-unreachable", 3, 3, 3],
  ["fragmentation-needed", 3, 4, 4],
  ["source-route-failed", 3, 5, 5],
  ["network-unknown", 3, 6, 6],
  ["host-unknown", 3, 7, 7],
  ["network-prohibited", 3, 9, 9],
  ["host-prohibited", 3, 10, 10],
  ["TOS-network-unreachable", 3, 11, 11],
  ["TOS-host-unreachable", 3, 12, 12],
  ["communication-prohibited", 3, 13, 13],
  ["host-precedence-violation", 3, 14, 14],
  ["precedence-cutoff", 3, 15, 15],
  ["source-quench", 4, 0, 0xff],
  ["redirect", 5, 0, 0xff],
  ["network-redirect", 5, 0, 0],
  ["host-redirect", 5, 1, 1],
  ["TOS-network-redirect", 5, 2, 2],
  ["TOS-host-redirect", 5, 3, 3],
  ["echo-request", 8, 0, 0xff],
  ["router-advertisement", 9, 0, 0xff],
  ["router-solicitation", 10, 0, 0xff],
  ["time-exceeded", 11, 0, 0xff],
  ["ttl-zero-during-transit", 11, 0, 0],
  ["ttl-zero-during-reassembly", 11, 1, 1],
  ["parameter-problem", 12, 0, 0xff],
  ["ip-header-bad", 12, 0, 0],
  ["required-option-missing", 12, 1, 1],
  ["timestamp-request", 13, 0, 0xff],
  ["timestamp-reply", 14, 0, 0xff],
  ["address-mask-request", 17, 0, 0xff],
  ["address-mask-reply", 18, 0, 0xff],
];
const ICMP6: IcmpName[] = [
  ["destination-unreachable", 1, 0, 0xff],
  ["no-route", 1, 0, 0],
  ["communication-prohibited", 1, 1, 1],
  ["beyond-scope", 1, 2, 2],
  ["address-unreachable", 1, 3, 3],
  ["port-unreachable", 1, 4, 4],
  ["failed-policy", 1, 5, 5],
  ["reject-route", 1, 6, 6],
  ["packet-too-big", 2, 0, 0xff],
  ["time-exceeded", 3, 0, 0xff],
  ["ttl-exceeded", 3, 0, 0xff],
  ["ttl-zero-during-transit", 3, 0, 0],
  ["ttl-zero-during-reassembly", 3, 1, 1],
  ["parameter-problem", 4, 0, 0xff],
  ["bad-header", 4, 0, 0],
  ["unknown-header-type", 4, 1, 1],
  ["unknown-option", 4, 2, 2],
  ["echo-request", 128, 0, 0xff],
  ["ping", 128, 0, 0xff],
  ["echo-reply", 129, 0, 0xff],
  ["pong", 129, 0, 0xff],
  ["mld-listener-query", 130, 0, 0xff],
  ["mld-listener-report", 131, 0, 0xff],
  ["mld-listener-done", 132, 0, 0xff],
  ["mld-listener-reduction", 132, 0, 0xff],
  ["router-solicitation", 133, 0, 0xff],
  ["router-advertisement", 134, 0, 0xff],
  ["neighbour-solicitation", 135, 0, 0xff],
  ["neighbor-solicitation", 135, 0, 0xff],
  ["neighbour-advertisement", 136, 0, 0xff],
  ["neighbor-advertisement", 136, 0, 0xff],
  ["redirect", 137, 0, 0xff],
];

function icmpMatch(v6: boolean): MatchExt {
  const name = v6 ? "icmp6" : "icmp",
    opt = v6 ? "icmpv6-type" : "icmp-type",
    proto = v6 ? 58 : 1;
  const names = v6 ? ICMP6 : ICMP4;
  return {
    kind: "match",
    name,
    families: [v6 ? 6 : 4] as Family[],
    opts: [{ name: opt, id: 0, arg: true, inv: true }],
    init: () => ({ type: 0, lo: 0, hi: 0xff, inv: false }),
    parse(a) {
      x6Check(a, name);
      const s = a.arg!,
        d = a.st.data;
      const e =
        names.find(([n]) => n === s) ??
        names.filter(([n]) => n.startsWith(s)).find((_, __, all) => all.length === 1);
      if (e) {
        d.type = e[1];
        d.lo = e[2];
        d.hi = e[3];
      } else {
        const m = /^([0-9]+)(?:\/([0-9]+))?$/.exec(s);
        const t = m ? strtoul(m[1]!, 0, 255) : undefined;
        const c = m?.[2] !== undefined ? strtoul(m[2], 0, 255) : undefined;
        if (!m || !t || (m[2] !== undefined && !c)) {
          if (m && !t)
            throw paramError(
              a.ctx.prog,
              `Invalid ${v6 ? "ICMPv6" : "ICMP"} type \`${s}'\n`,
              a.valAt,
              "iptables.bad-value",
            );
          throw paramError(
            a.ctx.prog,
            `Unknown ${v6 ? "ICMPv6" : "ICMP"} type \`${s}'`,
            a.valAt,
            "iptables.bad-value",
            "an ICMP type name or number[/code]",
          );
        }
        d.type = t[0];
        d.lo = c ? c[0] : 0;
        d.hi = c ? c[0] : 0xff;
      }
      d.inv = a.invert;
    },
    final() {
      /* none */
    },
    save(d) {
      const t = num(d, "type"),
        lo = num(d, "lo"),
        hi = num(d, "hi");
      let v: string;
      if (!v6 && t === 0xff && lo === 0 && hi === 0xff) v = "any";
      else v = String(t) + (lo === 0 && hi === 0xff ? "" : lo === hi ? `/${lo}` : `/${lo}-${hi}`);
      return `${d.inv ? " !" : ""} --${opt} ${v}`;
    },
    kernel: { proto },
    match(d, pkt) {
      if (pkt.ipproto !== proto || pkt.icmpType === undefined) return false;
      const t = num(d, "type"),
        code = pkt.icmpCode ?? 0;
      const hit =
        (t === 0xff && !v6) || (pkt.icmpType === t && code >= num(d, "lo") && code <= num(d, "hi"));
      return hit !== (d.inv === true);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// limit

const SCALE = 10000;
const RATES: Array<[string, number]> = [
  ["day", SCALE * 86400],
  ["hour", SCALE * 3600],
  ["min", SCALE * 60],
  ["sec", SCALE],
];

const limit: MatchExt = {
  kind: "match",
  name: "limit",
  opts: [
    { name: "limit", id: 0, arg: true },
    { name: "limit-burst", id: 1, arg: true },
  ],
  init: () => ({ avg: (SCALE * 3600) / 3, burst: 5 }),
  parse(a) {
    x6Check(a, "limit");
    const s = a.arg!;
    if (a.spec.id === 0) {
      const slash = s.indexOf("/");
      let mult = 1;
      if (slash >= 0) {
        const u = s.slice(slash + 1).toLowerCase();
        if (u === "")
          throw paramError(a.ctx.prog, `bad rate "${s}"'`, a.valAt, "iptables.bad-value");
        if ("second".startsWith(u)) mult = 1;
        else if ("minute".startsWith(u)) mult = 60;
        else if ("hour".startsWith(u)) mult = 3600;
        else if ("day".startsWith(u)) mult = 86400;
        else throw paramError(a.ctx.prog, `bad rate "${s}"'`, a.valAt, "iptables.bad-value");
      }
      const r = parseInt(slash >= 0 ? s.slice(0, slash) : s, 10);
      if (!r) throw paramError(a.ctx.prog, `bad rate "${s}"'`, a.valAt, "iptables.bad-value");
      const avg = Math.floor((SCALE * mult) / r);
      if (avg === 0)
        throw paramError(a.ctx.prog, `Rate too fast "${s}"`, a.valAt, "iptables.bad-value");
      a.st.data.avg = avg;
    } else {
      const b = strtoul(s, 0, 10000);
      if (!b)
        throw paramError(
          a.ctx.prog,
          `limit: bad value for option "--limit-burst", or out of range (0-10000).`,
          a.valAt,
          "iptables.bad-value",
        );
      a.st.data.burst = b[0];
    }
  },
  final() {
    /* none */
  },
  save(d) {
    const period = num(d, "avg");
    let i = 1;
    for (; i < RATES.length; i++)
      if (period > RATES[i]![1] || Math.floor(RATES[i]![1] / period) < RATES[i]![1] % period) break;
    const [unit, mult] = RATES[i - 1]!;
    return (
      ` --limit ${Math.floor(mult / period)}/${unit}` +
      (num(d, "burst") !== 5 ? ` --limit-burst ${num(d, "burst")}` : "")
    );
  },
  match() {
    return true;
  },
};

// ---------------------------------------------------------------------------------------------
// pkttype

const PKTTYPES: Array<[string, number]> = [
  ["unicast", 0],
  ["broadcast", 1],
  ["multicast", 2],
  ["host", 0],
  ["otherhost", 3],
  ["outgoing", 4],
  ["loopback", 5],
  ["fastroute", 6],
];

const pkttype: MatchExt = {
  kind: "match",
  name: "pkttype",
  opts: [{ name: "pkt-type", id: 0, arg: true, inv: true }],
  init: () => ({}),
  parse(a) {
    x6Check(a, "pkttype");
    const e = PKTTYPES.find(([n]) => n.toLowerCase() === a.arg!.toLowerCase());
    if (!e)
      throw paramError(
        a.ctx.prog,
        `Bad packet type '${a.arg!}'`,
        a.valAt,
        "iptables.bad-value",
        "unicast, broadcast or multicast",
      );
    a.st.data.type = e[1];
    a.st.data.inv = a.invert;
  },
  final(ctx, st) {
    x6Final(ctx, st, "pkttype", [{ id: 0, name: "pkt-type", mand: true }]);
  },
  save(d) {
    return `${d.inv ? " !" : ""} --pkt-type ${PKTTYPES.find(([, v]) => v === d.type)![0]}`;
  },
  match(d, pkt, ectx) {
    let t = 0;
    if (pkt.iifname === "") t = 4;
    else {
      const da = pkt.daddr;
      if (da.family === 4 ? da.v >>> 28 === 0xe : da.v >> 120n === 0xffn) t = 2;
      else if (
        (da.family === 4 && da.v === 0xffffffff) ||
        ectx.host.addrType(da).toLowerCase() === "broadcast"
      )
        t = 1;
    }
    return (t === d.type) !== (d.inv === true);
  },
};

// ---------------------------------------------------------------------------------------------
// statistic

const statistic: MatchExt = {
  kind: "match",
  name: "statistic",
  opts: [
    { name: "mode", id: 0, arg: true },
    { name: "probability", id: 1, arg: true, inv: true },
    { name: "every", id: 2, arg: true, inv: true },
    { name: "packet", id: 3, arg: true },
  ],
  init: () => ({ mode: "", prob: 0, every: 0, packet: 0, inv: false }),
  parse(a) {
    x6Check(a, "statistic");
    const d = a.st.data,
      s = a.arg!;
    if (a.spec.id === 0) {
      if (s !== "random" && s !== "nth")
        throw paramError(
          a.ctx.prog,
          `Bad mode "${s}"`,
          a.valAt,
          "iptables.bad-value",
          "random or nth",
        );
      d.mode = s;
    } else if (a.spec.id === 1) {
      const p = Number(s);
      if (!/^[0-9.eE+-]+$/.test(s) || !(p >= 0 && p <= 1))
        throw paramError(
          a.ctx.prog,
          `statistic: bad value for option "--probability", or out of range (0-1).`,
          a.valAt,
          "iptables.bad-value",
        );
      d.prob = Math.round(0x80000000 * p);
      if (a.invert) d.inv = true;
    } else if (a.spec.id === 2) {
      const n = strtoul(s, 0, 0xffffffff);
      if (!n)
        throw paramError(
          a.ctx.prog,
          `statistic: bad value for option "--every", or out of range (0-4294967295).`,
          a.valAt,
          "iptables.bad-value",
        );
      if (n[0] === 0)
        throw paramError(a.ctx.prog, "--every cannot be 0", a.valAt, "iptables.bad-value");
      d.every = n[0] - 1;
      if (a.invert) d.inv = true;
    } else {
      const n = strtoul(s, 0, 0xffffffff);
      if (!n)
        throw paramError(
          a.ctx.prog,
          `statistic: bad value for option "--packet", or out of range (0-4294967295).`,
          a.valAt,
          "iptables.bad-value",
        );
      d.packet = n[0];
    }
  },
  final(ctx, st) {
    const d = st.data;
    if (d.mode === "random" && !(st.flags & 2))
      throw paramError(
        ctx.prog,
        "--probability must be specified when using random mode",
        st.argIndex,
        "iptables.missing-option",
      );
    if (d.mode === "nth" && !(st.flags & 4))
      throw paramError(
        ctx.prog,
        "--every must be specified when using nth mode",
        st.argIndex,
        "iptables.missing-option",
      );
    x6Final(ctx, st, "statistic", [
      { id: 0, name: "mode", mand: true },
      { id: 1, name: "probability" },
      { id: 2, name: "every", also: 8 },
      { id: 3, name: "packet", also: 4 },
    ]);
  },
  save(d) {
    if (d.mode === "random") {
      const prob = (num(d, "prob") / 0x80000000).toFixed(11);
      return ` --mode random${d.inv ? " !" : ""} --probability ${prob}`;
    }
    const every = num(d, "every") + 1;
    return ` --mode nth${d.inv ? " !" : ""} --every ${every} --packet ${num(d, "packet")}`;
  },
  match(d) {
    const hit = d.mode === "random" ? num(d, "prob") >= 0x40000000 : num(d, "packet") === 0;
    return hit !== (d.inv === true);
  },
};

// ---------------------------------------------------------------------------------------------
// rpfilter (PREROUTING only): reverse lookup of the source through NfHostView.fibLookup

const rpfilter: MatchExt = {
  kind: "match",
  name: "rpfilter",
  opts: [
    { name: "loose", id: 0, arg: false },
    { name: "validmark", id: 1, arg: false },
    { name: "accept-local", id: 2, arg: false },
    { name: "invert", id: 3, arg: false },
  ],
  init: () => ({}),
  parse(a) {
    x6Check(a, "rpfilter");
    a.st.data[["loose", "validmark", "acceptLocal", "invert"][a.spec.id]!] = true;
  },
  final() {
    /* none */
  },
  save(d) {
    return (
      (d.loose ? " --loose" : "") +
      (d.validmark ? " --validmark" : "") +
      (d.acceptLocal ? " --accept-local" : "") +
      (d.invert ? " --invert" : "")
    );
  },
  kernel: { hooks: HOOK_BIT.prerouting },
  match(d, pkt, ectx) {
    // xt_rpfilter: route the source back (iif lo, mark only with --validmark); it must leave
    // through the packet's input device (any device with --loose; lo with --accept-local).
    const look = ectx.host.fibLookup;
    let ok = true;
    if (look) {
      const dev = look({
        family: pkt.family,
        daddr: pkt.saddr,
        saddr: pkt.daddr,
        mark: d.validmark ? pkt.mark : 0,
        iif: "lo",
      });
      ok =
        dev !== undefined &&
        (d.loose === true || dev === pkt.iifname || (d.acceptLocal === true && dev === "lo"));
    }
    return ok !== (d.invert === true);
  },
};

// ---------------------------------------------------------------------------------------------
// targets

const TCPMSS: TargetExt = {
  kind: "target",
  name: "TCPMSS",
  opts: [
    { name: "set-mss", id: 0, arg: true },
    { name: "clamp-mss-to-pmtu", id: 1, arg: false },
  ],
  init: () => ({}),
  parse(a) {
    x6Check(a, "TCPMSS");
    if (a.st.flags === 3)
      throw paramError(
        a.ctx.prog,
        "TCPMSS target: Only one option may be specified",
        a.valAt,
        "iptables.conflicting-options",
      );
    if (a.spec.id === 0) {
      const max = a.ctx.family === 4 ? 65535 - 20 : 65535 - 40;
      const n = strtoul(a.arg!, 0, max);
      if (!n)
        throw paramError(
          a.ctx.prog,
          `TCPMSS: bad value for option "--set-mss", or out of range (0-${max}).`,
          a.valAt,
          "iptables.bad-value",
        );
      a.st.data.mss = n[0];
    } else a.st.data.clamp = true;
  },
  final(ctx, st) {
    if (!st.flags)
      throw paramError(
        ctx.prog,
        "TCPMSS target: At least one parameter is required",
        st.argIndex,
        "iptables.missing-option",
      );
  },
  save(d) {
    return d.clamp ? " --clamp-mss-to-pmtu" : ` --set-mss ${num(d, "mss")}`;
  },
  kernel: {
    proto: 6,
    reason: "--clamp-mss-to-pmtu only in FORWARD, OUTPUT and POSTROUTING",
    check(d, _r, hookMask) {
      return d.clamp && hookMask & ~(HOOK_BIT.forward | HOOK_BIT.output | HOOK_BIT.postrouting)
        ? "EINVAL"
        : undefined;
    },
  },
  apply(d) {
    return { effect: d.clamp ? "TCPMSS clamp to PMTU" : `TCPMSS set ${num(d, "mss")}` };
  },
};

const NFLOG: TargetExt = {
  kind: "target",
  name: "NFLOG",
  opts: [
    { name: "nflog-group", id: 0, arg: true },
    { name: "nflog-prefix", id: 1, arg: true },
    { name: "nflog-range", id: 2, arg: true },
    { name: "nflog-size", id: 3, arg: true },
    { name: "nflog-threshold", id: 4, arg: true },
  ],
  init: () => ({ group: 0, prefix: "" }),
  parse(a) {
    x6Check(a, "NFLOG");
    if (a.spec.id === 0) {
      const n = strtoul(a.arg!, 0, 65535);
      if (!n)
        throw paramError(
          a.ctx.prog,
          `NFLOG: bad value for option "--nflog-group", or out of range (0-65535).`,
          a.valAt,
          "iptables.bad-value",
        );
      a.st.data.group = n[0];
    } else if (a.spec.id === 1) {
      if (a.arg!.length > 63)
        throw paramError(
          a.ctx.prog,
          "Argument must have a maximum length of 63 characters",
          a.valAt,
          "iptables.bad-value",
        );
      a.st.data.prefix = a.arg!;
    } else
      throw paramError(
        a.ctx.prog,
        `routelab: NFLOG option "--${a.spec.name}" is not modelled`,
        a.at,
        "iptables.unsupported",
      );
  },
  final() {
    /* none */
  },
  save(d) {
    return (
      (d.prefix ? ` --nflog-prefix ${saveString(d.prefix as string)}` : "") +
      (num(d, "group") ? ` --nflog-group ${num(d, "group")}` : "")
    );
  },
  apply(d) {
    return { effect: `NFLOG group ${num(d, "group")}` };
  },
};

const NOTRACK: TargetExt = {
  kind: "target",
  name: "NOTRACK",
  opts: [],
  init: () => ({}),
  parse() {
    /* no options */
  },
  final() {
    /* none */
  },
  save() {
    return "";
  },
  kernel: { table: "raw" },
  apply(_d, pkt) {
    pkt.ctstate = "untracked";
    return { effect: "notrack (ctstate untracked)" };
  },
};

const CT: TargetExt = {
  kind: "target",
  name: "CT",
  opts: [
    { name: "notrack", id: 0, arg: false },
    { name: "zone", id: 1, arg: true },
    ...["helper", "ctevents", "expevents", "zone-orig", "zone-reply", "timeout"].map((name, i) => ({
      name,
      id: 2 + i,
      arg: true,
      unsupported: true,
    })),
  ],
  init: () => ({}),
  parse(a) {
    x6Check(a, "CT");
    if (a.spec.id === 0) a.st.data.notrack = true;
    else {
      const n = strtoul(a.arg!, 0, 65535);
      if (!n)
        throw paramError(
          a.ctx.prog,
          `CT: bad value for option "--zone", or out of range (0-65535).`,
          a.valAt,
          "iptables.bad-value",
        );
      a.st.data.zone = n[0];
    }
  },
  final() {
    /* none */
  },
  save(d) {
    return (d.notrack ? " --notrack" : "") + (d.zone ? ` --zone ${num(d, "zone")}` : "");
  },
  kernel: { table: "raw" },
  apply(d, pkt) {
    if (d.notrack) {
      pkt.ctstate = "untracked";
      return { effect: "notrack (ctstate untracked)" };
    }
    return { effect: `CT zone ${num(d, "zone")}` };
  },
};

const TRACE: TargetExt = {
  kind: "target",
  name: "TRACE",
  opts: [],
  init: () => ({}),
  parse() {
    /* no options */
  },
  final() {
    /* none */
  },
  save() {
    return "";
  },
  apply() {
    return { effect: "TRACE (nftrace set)" };
  },
};

const NFQUEUE: TargetExt = {
  kind: "target",
  name: "NFQUEUE",
  opts: [
    { name: "queue-num", id: 0, arg: true },
    { name: "queue-balance", id: 1, arg: true },
    { name: "queue-bypass", id: 2, arg: false },
    { name: "queue-cpu-fanout", id: 3, arg: false },
  ],
  init: () => ({ num: 0, total: 1, flags: 0 }),
  parse(a) {
    x6Check(a, "NFQUEUE");
    const d = a.st.data;
    if (a.spec.id === 0) {
      const n = strtoul(a.arg!, 0, 65535);
      if (!n)
        throw paramError(
          a.ctx.prog,
          `NFQUEUE: bad value for option "--queue-num", or out of range (0-65535).`,
          a.valAt,
          "iptables.bad-value",
        );
      d.num = n[0];
    } else if (a.spec.id === 1) {
      const m = /^([0-9]+):([0-9]+)$/.exec(a.arg!);
      if (!m || Number(m[1]) > 65535 || Number(m[2]) > 65535)
        throw paramError(
          a.ctx.prog,
          `NFQUEUE: bad value for option "--queue-balance", or out of range (0-65535).`,
          a.valAt,
          "iptables.bad-value",
        );
      const lo = Number(m[1]),
        hi = Number(m[2]);
      if (lo >= hi)
        throw paramError(
          a.ctx.prog,
          `${lo} should be less than ${hi}`,
          a.valAt,
          "iptables.bad-value",
        );
      d.num = lo;
      d.total = hi - lo + 1;
    } else d.flags = num(d, "flags") | (1 << (a.spec.id - 2));
  },
  final(ctx, st) {
    x6Final(ctx, st, "NFQUEUE", [
      { id: 0, name: "queue-num", excl: 2 },
      { id: 1, name: "queue-balance", excl: 1 },
      { id: 2, name: "queue-bypass" },
      { id: 3, name: "queue-cpu-fanout", also: 2 },
    ]);
  },
  save(d) {
    let s =
      num(d, "total") > 1
        ? ` --queue-balance ${num(d, "num")}:${num(d, "num") + num(d, "total") - 1}`
        : ` --queue-num ${num(d, "num")}`;
    if (num(d, "flags") & 1) s += " --queue-bypass";
    if (num(d, "flags") & 2) s += " --queue-cpu-fanout";
    return s;
  },
  apply(d) {
    return { verdict: { kind: "queue", num: num(d, "num") }, effect: `queue ${num(d, "num")}` };
  },
};

export const EXTRA_MATCHES: Record<string, MatchExt> = {
  icmp: icmpMatch(false),
  icmp6: icmpMatch(true),
  limit,
  pkttype,
  statistic,
  rpfilter,
};
export const EXTRA_TARGETS: Record<string, TargetExt> = {
  TCPMSS,
  NFLOG,
  NOTRACK,
  CT,
  TRACE,
  NFQUEUE,
};
