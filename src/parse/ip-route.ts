/**
 * `ip route` (ip/iproute.c): add/del/replace/change/append/prepend, show/flush, and get.
 * @module
 */
import { parseAddr, parsePrefix, type Addr, type Family } from "../addr/ip.js";
import { getU16, getU32 } from "../addr/num.js";
import type { RouteType } from "../core/kinds.js";
import { defined } from "../core/result.js";
import { matches, type ArgCursor } from "./args.js";
import { addrArg, parseTos, prefixArg } from "./ip-args.js";
import type { IpCommand, IpOptions, NexthopSpec, RouteGetQuery, RouteSpec } from "./ipcmd.js";
import { inetProtoA2n, protoA2n, rtntypeA2n, rttableA2n, scopeA2n } from "./names.js";
import type { Word } from "./shell.js";

export function parseRoute(
  c: ArgCursor,
  opts: IpOptions,
  names: ReadonlyMap<number, string>,
): IpCommand {
  const cmdW = c.next();
  const cmd = cmdW?.text ?? "show";
  if (
    !cmdW ||
    matches(cmd, "show") ||
    matches(cmd, "list") ||
    matches(cmd, "lst") ||
    matches(cmd, "flush")
  ) {
    const op = cmdW && matches(cmd, "flush") ? "flush" : "show";
    let table: number | "all" | undefined,
      dev: Word | undefined,
      proto: number | undefined,
      type: RouteType | undefined;
    while (!c.done) {
      const w = c.next()!;
      if (w.text === "table") {
        const v = c.nextArg();
        if (v.text === "all" || v.text === "cache") table = "all";
        else {
          const n = rttableA2n(v.text, names);
          if (n === undefined) return c.invarg("table id value is invalid\n", v);
          table = n;
        }
      } else if (w.text === "dev" || w.text === "oif") {
        dev = c.nextArg();
      } else if (w.text === "proto" || w.text === "protocol") {
        const v = c.nextArg();
        proto = protoA2n(v.text);
      } else if (w.text === "type") {
        const v = c.nextArg();
        type = rtntypeA2n(v.text);
      } else
        return c.fail(
          "ip.not-modelled",
          `route ${op} selector "${w.text}" is not modelled by routelab`,
          w,
          1,
          "table, dev, proto or type",
        );
    }
    return {
      obj: "route",
      op,
      ...defined({ family: opts.family, table, dev: dev?.text, devWord: dev, proto, type }),
    };
  }
  if (matches(cmd, "get")) return parseRouteGet(c, opts);
  const op = (["add", "delete", "replace", "change", "append", "prepend"] as const).find((o) =>
    matches(cmd, o),
  );
  if (!op)
    return c.fail(
      "ip.unknown-command",
      `Command "${cmd}" is unknown, try "ip route help".`,
      cmdW,
      255,
    );
  const spec: RouteSpec = {
    family: opts.family ?? 4,
    nexthops: [],
    multipath: false,
    metrics: [],
    words: c.words,
  };
  let familyKnown = opts.family !== undefined;
  const setFamily = (f: Family) => {
    if (!familyKnown) {
      spec.family = f;
      familyKnown = true;
    }
  };
  let nh: NexthopSpec = { weight: 1, onlink: false };
  let sawNexthop = false;
  // Family may only be known from a later address (e.g. `ip route add default via fd00::1`).
  const rest: Word[] = c.words.slice(c.i);
  if (!familyKnown)
    for (const w of rest) {
      if (w.text.includes(":") && parseAddr(w.text.split("/")[0]!, 6).ok) {
        spec.family = 6;
        break;
      }
      if (/^\d+\.\d+/.test(w.text)) {
        spec.family = 4;
        break;
      }
    }
  while (!c.done) {
    const w = c.next()!;
    const t = w.text;
    if (t === "src") {
      const v = c.nextArg();
      const a = addrArg(c, v, spec.family);
      spec.prefsrc = a;
      setFamily(a.family);
    } else if (t === "as") {
      return c.fail("ip.not-modelled", "NAT routes are not modelled", w, 1);
    } else if (t === "via") {
      if (sawNexthop || nh.gateway)
        return c.invarg("use nexthop syntax to specify multiple via\n", w);
      let v = c.nextArg();
      if (v.text === "inet" || v.text === "inet6") {
        v = c.nextArg();
      }
      const a = addrArg(c, v, undefined);
      nh.gateway = a;
      setFamily(a.family);
    } else if (t === "from") {
      const v = c.nextArg();
      const p = prefixArg(c, v, spec.family);
      spec.src = p;
    } else if (t === "tos" || matches(t, "dsfield")) {
      const v = c.nextArg();
      const n = parseTos(c, v, '"tos" value is invalid\n');
      spec.tos = n;
    } else if (t === "expires") {
      return c.fail("ip.not-modelled", "route expiry is not modelled", w, 1);
    } else if (matches(t, "metric") || matches(t, "priority") || t === "preference") {
      const v = c.nextArg();
      const n = getU32(v.text);
      if (n === undefined) return c.invarg('"metric" value is invalid\n', v);
      spec.metric = n;
    } else if (t === "scope") {
      const v = c.nextArg();
      const s = scopeA2n(v.text);
      if (s === undefined) return c.invarg('invalid "scope" value\n', v);
      spec.scope = s;
    } else if (
      t === "mtu" ||
      t === "advmss" ||
      t === "hoplimit" ||
      t === "window" ||
      t === "rtt" ||
      t === "rttvar" ||
      t === "reordering" ||
      t === "cwnd" ||
      t === "initcwnd" ||
      t === "initrwnd" ||
      t === "ssthresh" ||
      t === "realm" ||
      t === "realms" ||
      t === "features" ||
      t === "quickack" ||
      t === "fastopen_no_cookie" ||
      t === "rto_min" ||
      t === "congctl"
    ) {
      let v = c.nextArg();
      let lock = false;
      if (v.text === "lock") {
        lock = true;
        v = c.nextArg();
      }
      const n = getU32(v.text);
      if (n === undefined) return c.invarg(`"${t}" value is invalid\n`, v);
      spec.metrics.push({ name: t, value: n, ...defined({ lock: lock || undefined }) });
    } else if (t === "pref") {
      const v = c.nextArg();
      const m: Record<string, number> = { low: 3, medium: 0, high: 1 };
      const n = m[v.text];
      if (n === undefined) return c.invarg('"pref" value is invalid\n', v);
      spec.pref6 = n;
    } else if (t === "nexthop") {
      if (!sawNexthop && (nh.gateway || nh.dev))
        return c.fail(
          "ip.garbage",
          `Error: either "to" is duplicate, or "nexthop" is a garbage.`,
          w,
          255,
        );
      sawNexthop = true;
      spec.multipath = true;
      const hop: NexthopSpec = { weight: 1, onlink: false };
      while (!c.done && c.peek()!.text !== "nexthop") {
        const hw = c.peek()!;
        if (hw.text === "via") {
          c.next();
          let v = c.nextArg();
          if (v.text === "inet" || v.text === "inet6") {
            v = c.nextArg();
          }
          const a = addrArg(c, v, undefined);
          hop.gateway = a;
          setFamily(a.family);
        } else if (hw.text === "dev") {
          c.next();
          const v = c.nextArg();
          hop.dev = v.text;
          hop.devWord = v;
        } else if (hw.text === "weight") {
          c.next();
          const v = c.nextArg();
          const n = getU32(v.text);
          if (n === undefined || n < 1 || n > 256) return c.invarg('"weight" is invalid\n', v);
          hop.weight = n;
        } else if (hw.text === "onlink") {
          c.next();
          hop.onlink = true;
        } else break;
      }
      spec.nexthops.push(hop);
    } else if (t === "table") {
      const v = c.nextArg();
      const n = rttableA2n(v.text, names);
      if (n === undefined) return c.invarg('"table" value is invalid\n', v);
      spec.table = n;
    } else if (t === "vrf") {
      return c.fail("ip.not-modelled", "VRF devices are not available; use a table", w, 1);
    } else if (t === "dev" || t === "oif") {
      if (sawNexthop)
        return c.fail(
          "ip.garbage",
          `Error: either "to" is duplicate, or "${t}" is a garbage.`,
          w,
          255,
        );
      const v = c.nextArg();
      nh.dev = v.text;
      nh.devWord = v;
    } else if (t === "onlink") nh.onlink = true;
    else if (t === "protocol" || t === "proto") {
      const v = c.nextArg();
      const n = protoA2n(v.text);
      if (n === undefined) return c.invarg('"protocol" value is invalid\n', v);
      spec.protocol = n;
    } else if (t === "nhid" || t === "encap" || t === "ttl-propagate")
      return c.fail("ip.not-modelled", `"${t}" is not modelled by routelab`, w, 1);
    else {
      let tw = w;
      if (t === "to") {
        tw = c.nextArg();
      }
      const ty = rtntypeA2n(tw.text);
      if (ty && !spec.type && tw.text !== "to") {
        spec.type = ty;
        const v = c.nextArg();
        tw = v;
        if (tw.text === "to") {
          const v2 = c.nextArg();
          tw = v2;
        }
      }
      if (spec.dst)
        return c.fail(
          "ip.garbage",
          `Error: either "to" is duplicate, or "${tw.text}" is a garbage.`,
          tw,
          255,
        );
      const p = prefixArg(c, tw, familyKnown ? spec.family : undefined);
      spec.dst = p;
      setFamily(p.addr.family);
    }
  }
  if (!sawNexthop && (nh.gateway || nh.dev || nh.onlink)) spec.nexthops.push(nh);
  if (!spec.dst && op !== "delete")
    return c.fail(
      "ip.incomplete",
      "need at least a destination address",
      undefined,
      255,
      "a destination prefix",
    );
  const opName = op === "delete" ? "del" : op;
  return { obj: "route", op: opName, route: spec };
}

function parseRouteGet(c: ArgCursor, opts: IpOptions): IpCommand {
  let dst: Addr | undefined;
  const q: Omit<RouteGetQuery, "dst" | "family"> & { family?: Family } = {
    fibmatch: false,
    connected: false,
    words: c.words,
  };
  let family = opts.family;
  while (!c.done) {
    const w = c.next()!;
    const t = w.text;
    if (t === "tos" || matches(t, "dsfield")) {
      const v = c.nextArg();
      const n = parseTos(c, v);
      q.tos = n;
    } else if (matches(t, "from")) {
      const v = c.nextArg();
      const r = parsePrefix(v.text, family);
      if (!r.ok)
        return c.fail(
          "ip.prefix",
          `Error: any valid prefix is expected rather than "${v.text}".`,
          v,
          1,
        );
      q.from = r.value.addr;
      family ??= r.value.addr.family;
    } else if (t === "iif") {
      q.iif = c.nextArg().text;
    } else if (matches(t, "mark")) {
      const v = c.nextArg();
      const n = getU32(v.text);
      if (n === undefined) return c.invarg("invalid mark value", v);
      q.mark = n;
    } else if (matches(t, "oif") || t === "dev") {
      q.oif = c.nextArg().text;
    } else if (matches(t, "notify")) {
      /* no effect */
    } else if (matches(t, "connected")) q.connected = true;
    else if (t === "vrf") return c.fail("ip.not-modelled", "VRF devices are not available", w, 1);
    else if (t === "uid") {
      const v = c.nextArg();
      const n = getU32(v.text);
      if (n === undefined) return c.invarg("invalid UID\n", v);
      q.uid = n;
    } else if (matches(t, "fibmatch")) q.fibmatch = true;
    else if (t === "as") return c.fail("ip.not-modelled", "`as` (NAT) is not modelled", w, 1);
    else if (t === "sport") {
      const v = c.nextArg();
      const n = getU16(v.text); // iproute.c: get_be16 base 0
      if (n === undefined) return c.invarg("invalid sport\n", v);
      q.sport = n;
    } else if (t === "dport") {
      const v = c.nextArg();
      const n = getU16(v.text); // iproute.c: get_be16 base 0
      if (n === undefined) return c.invarg("invalid dport\n", v);
      q.dport = n;
    } else if (t === "ipproto") {
      const v = c.nextArg();
      const n = inetProtoA2n(v.text);
      if (n === undefined) return c.invarg('Invalid "ipproto" value\n', v);
      q.ipproto = n;
    } else {
      let tw = w;
      if (t === "to") {
        tw = c.nextArg();
      }
      if (dst)
        return c.fail(
          "ip.garbage",
          `Error: either "to" is duplicate, or "${tw.text}" is a garbage.`,
          tw,
          255,
        );
      const r = parsePrefix(tw.text, family);
      if (!r.ok)
        return c.fail(
          "ip.prefix",
          dst === undefined && q.tos === undefined && !q.from
            ? `Error: any valid prefix is expected rather than "${tw.text}".`
            : `Error: inet prefix is expected rather than "${tw.text}".`,
          tw,
          1,
        );
      dst = r.value.addr;
      family ??= dst.family;
    }
  }
  if (!dst)
    return c.fail(
      "ip.incomplete",
      "need at least a destination address",
      undefined,
      1,
      "a destination address",
    );
  return { obj: "route", op: "get", query: { ...q, family: dst.family, dst } };
}
