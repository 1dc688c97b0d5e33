/**
 * Route questions given as typed values by library callers (src/host.ts). TypeScript types
 * vanish at run time, so every value is checked here: a malformed address, a parse result
 * passed instead of its `.value`, a number out of range or an unknown device is an `Issue`,
 * never an answer for some other question (`{ v: undefined }` would ask for 0.0.0.0 and get
 * `local`). The limits are the `ip route get` grammar's (iproute2 ip/iproute.c iproute_get).
 * @module
 */
import { MASK128, parseAddr, type Addr, type Family } from "../addr/ip.js";
import { issue, type Issue } from "../core/issue.js";
import { defined, err, ok, type Result } from "../core/result.js";
import type { RouteQuery } from "../engine/route.js";
import { linkByName } from "../model/links.js";
import type { HostState } from "../model/types.js";
import { ipprotoA2n } from "../parse/names.js";

/** The arguments of `ip route get` after the destination, as typed values. */
export interface RouteGetOptions {
  /** 4 or 6; default: the destination's family. */
  family?: Family;
  /** `from ADDRESS`: the source (bound address, or the packet's source with `iif`). */
  from?: string | Addr;
  /** `iif DEV`: an input lookup, as for a packet arriving on DEV. */
  iif?: string;
  /** `oif DEV`: the socket is bound to DEV. */
  oif?: string;
  /** `mark N` (uint32): the socket's SO_MARK / the packet's fwmark. */
  mark?: number;
  /** `uid N` (uint32). */
  uid?: number;
  /** `tos N` (0..255). */
  tos?: number;
  /** `ipproto P`: a number 0..255 or a name (`udp`, `tcp`, `icmp`…); `ip route get` says UDP. */
  ipproto?: number | string;
  /** `sport N` (0..65535). */
  sport?: number;
  /** `dport N` (0..65535). */
  dport?: number;
}

const ADDR_SHAPE =
  "an address string or an Addr ({ family: 4, v: uint32 } or { family: 6, v: bigint })";

function isAddr(a: unknown): a is Addr {
  if (typeof a !== "object" || a === null) return false;
  const { family, v } = a as { family?: unknown; v?: unknown };
  if (family === 4)
    return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
  return family === 6 && typeof v === "bigint" && v >= 0n && v <= MASK128;
}

/**
 * An address argument: a string in iproute2's grammar or an `Addr`, in `family` when given.
 * @example checkAddr("to", "1.1.1.1") // { ok: true, value: { family: 4, v: 16843009 } }
 */
export function checkAddr(what: string, a: unknown, family?: Family): Result<Addr> {
  if (typeof a === "string") {
    const p = parseAddr(a, family);
    if (p.ok) return ok(p.value);
    return err(
      issue(
        "ip.address",
        `${what}: "${a}" is not ${p.expected}`,
        defined({ token: a, expected: p.expected }),
      ),
    );
  }
  if (isAddr(a)) {
    if (family === undefined || a.family === family) return ok(a);
    return err(
      issue("ip.family", `${what}: an IPv${a.family} address where IPv${family} is asked`, {
        expected: `an IPv${family} address`,
      }),
    );
  }
  // parseAddr's result passed whole: the commonest slip, so the message names it.
  const hint =
    typeof a === "object" && a !== null && "ok" in a ? " (a parse result: pass its .value)" : "";
  return err(
    issue("ip.address", `${what}: expected ${ADDR_SHAPE}${hint}`, { expected: ADDR_SHAPE }),
  );
}

/** A number argument: an integer in [0, max] (get_u32 / get_u8 / get_be16 limits). */
function checkNum(what: string, v: unknown, max: number): Result<number | undefined> {
  if (v === undefined) return ok(undefined);
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max) return ok(v);
  const expected = `an integer 0..${max}`;
  return err(issue("ip.invarg", `${what}: expected ${expected}, got ${String(v)}`, { expected }));
}

/** `ipproto`: a number 0..255 or a protocol name (inet_proto_a2n). */
function checkProto(v: unknown): Result<number | undefined> {
  if (typeof v !== "string") return checkNum("ipproto", v, 255);
  const n = ipprotoA2n(v);
  if (n !== undefined) return ok(n);
  return err(
    issue("ip.invarg", `ipproto: "${v}" is not a protocol`, {
      token: v,
      expected: "a protocol name or number",
    }),
  );
}

/** A device argument: a link of the host (ll_name_to_index: `Cannot find device`). */
function checkDev(s: HostState, v: unknown): Result<string | undefined> {
  if (v === undefined) return ok(undefined);
  if (typeof v === "string" && linkByName(s, v)) return ok(v);
  return err(
    issue("ip.no-device", `Cannot find device "${String(v)}"`, {
      token: String(v),
      expected: "a device of the host",
    }),
  );
}

/** The numeric options: name, largest value. */
const NUMS = [
  ["mark", 0xffffffff],
  ["uid", 0xffffffff],
  ["tos", 255],
  ["sport", 65535],
  ["dport", 65535],
] as const;

/**
 * The engine question for `dst` and `opts`, every value checked; the first problem found
 * is the error. (Written out field by field: it runs once per library question, and the
 * bench's general path asks 20 000 of them.)
 * @example routeQuery(state, "1.1.1.1", { mark: 129, uid: 1000 })
 */
export function routeQuery(
  s: HostState,
  dst: unknown,
  opts: RouteGetOptions = {},
): Result<RouteQuery, Issue> {
  if (typeof opts !== "object" || opts === null)
    return err(
      issue("ip.invarg", "route get options: expected an object", { expected: "an object" }),
    );
  const fam = opts.family;
  if (fam !== undefined && fam !== 4 && fam !== 6)
    return err(
      issue("ip.family", `family: expected 4 or 6, got ${String(fam)}`, { expected: "4 or 6" }),
    );
  const d = checkAddr("to", dst, fam);
  if (!d.ok) return d;
  const q: RouteQuery = { family: d.value.family, dst: d.value };
  if (opts.from !== undefined) {
    const f = checkAddr("from", opts.from, q.family);
    if (!f.ok) return f;
    q.from = f.value;
  }
  for (const dev of ["iif", "oif"] as const) {
    if (opts[dev] === undefined) continue;
    const v = checkDev(s, opts[dev]);
    if (!v.ok) return v;
    q[dev] = v.value;
  }
  for (const [name, max] of NUMS) {
    const v = opts[name];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) {
      const n = checkNum(name, v, max);
      if (!n.ok) return n;
    }
    q[name] = v;
  }
  if (opts.ipproto !== undefined) {
    const p = checkProto(opts.ipproto);
    if (!p.ok) return p;
    q.ipproto = p.value;
  }
  return ok(q);
}
