/**
 * Kept whole: one reader per libnftables-json object kind, all sharing the expression reader
 * and its error locations.
 *
 * Loader for `nft -j list ruleset` output (libnftables-json(5) schema) into the model.
 * @module
 */
import { IssueError, issue, type Issue } from "../../core/issue.js";
import type {
  Const,
  DType,
  Expr,
  MatchOp,
  NftChain,
  NftFamily,
  NftRuleset,
  NftSet,
  NftTable,
  Stmt,
  VerdictKind,
} from "./ast.js";
import { NFT_FAMILIES } from "./ast.js";
import { parseConst } from "./dtype.js";
import { canonRule } from "./canon.js";
import { normalizeElems } from "./segtree.js";
import { leftType } from "./typing.js";

/** A libnftables JSON schema error; loadJsonInto prefixes the command index. */
function jerr(message: string): never {
  throw new IssueError(issue("nft.json", message));
}

type J = unknown;
type JObj = Record<string, J>;

function obj(x: J, what: string): JObj {
  if (x && typeof x === "object" && !Array.isArray(x)) return x as JObj;
  jerr(`expected an object for ${what}, got ${JSON.stringify(x)}`);
}
function str(x: J, what: string): string {
  if (typeof x === "string") return x;
  jerr(`expected a string for ${what}, got ${JSON.stringify(x)}`);
}
function num(x: J, what: string): number {
  if (typeof x === "number") return x;
  jerr(`expected a number for ${what}, got ${JSON.stringify(x)}`);
}
function one(o: JObj, what: string): [string, J] {
  const ks = Object.keys(o);
  if (ks.length !== 1) jerr(`expected exactly one key in ${what}: ${JSON.stringify(o)}`);
  return [ks[0]!, o[ks[0]!]];
}

/** Parse the JSON text and add its tables/chains/sets/rules to `rs`. */
export function loadJsonInto(rs: NftRuleset, text: string, file: string): Issue[] {
  let doc: J;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return [
      {
        code: "nft.json",
        message: `Error: Parsing command array at index 0 failed: ${(e as Error).message}`,
        loc: { file, line: 1, col: 1 },
      },
    ];
  }
  try {
    const arr = obj(doc, "document").nftables;
    if (!Array.isArray(arr)) jerr('missing "nftables" array');
    arr.forEach((item, idx) => {
      try {
        loadItem(rs, obj(item, "item"));
      } catch (e) {
        if (e instanceof IssueError)
          jerr(`Parsing command array at index ${idx} failed: ${e.issue.message}`);
        throw e;
      }
    });
  } catch (e) {
    if (e instanceof IssueError)
      return [issue("nft.json", `Error: ${e.issue.message}`, { loc: { file, line: 1, col: 1 } })];
    throw e;
  }
  return [];
}

function fam(x: J): NftFamily {
  const f = str(x, "family");
  if (!(NFT_FAMILIES as readonly string[]).includes(f)) jerr(`unknown family ${f}`);
  return f as NftFamily;
}

function table(rs: NftRuleset, o: JObj): NftTable {
  const f = fam(o.family);
  const name = str(o.table, "table");
  const t = rs.tables.find((x) => x.family === f && x.name === name);
  if (!t) jerr(`table ${f} ${name} does not exist`);
  return t;
}

function loadItem(rs: NftRuleset, item: JObj): void {
  const [k, v] = one(item, "command");
  const o = obj(v, k);
  switch (k) {
    case "metainfo":
      return;
    case "table":
      return loadTable(rs, o);
    case "chain":
      return loadChain(rs, o);
    case "set":
    case "map":
      return loadSet(rs, o, k === "map");
    case "ct helper": {
      const t = table(rs, o);
      const h = {
        name: str(o.name, "name"),
        handle: typeof o.handle === "number" ? o.handle : ++t.nextHandle,
        helper: str(o.type, "type"),
        l4proto: str(o.protocol, "protocol") as "tcp",
        l3proto: typeof o.l3proto === "string" ? (o.l3proto as NftFamily) : t.family,
      };
      (t.objs ??= []).push(h);
      t.nextHandle = Math.max(t.nextHandle, h.handle);
      return;
    }
    case "rule":
      return loadRule(rs, o);
    case "element":
      return loadElement(rs, o);
    default:
      jerr(`unsupported object "${k}"`);
  }
}

function loadTable(rs: NftRuleset, o: JObj): void {
  const t: NftTable = {
    family: fam(o.family),
    name: str(o.name, "name"),
    handle: typeof o.handle === "number" ? o.handle : ++rs.tableHandle,
    chains: [],
    sets: [],
    flags: Array.isArray(o.flags)
      ? o.flags.map(String)
      : typeof o.flags === "string"
        ? [o.flags]
        : [],
    nextHandle: 0,
  };
  if (typeof o.comment === "string") t.comment = o.comment;
  rs.tableHandle = Math.max(rs.tableHandle, t.handle);
  rs.tables.push(t);
}

function loadChain(rs: NftRuleset, o: JObj): void {
  const t = table(rs, o);
  const c: NftChain = {
    name: str(o.name, "name"),
    handle: typeof o.handle === "number" ? o.handle : ++t.nextHandle,
    rules: [],
  };
  if (typeof o.type === "string") {
    c.base = {
      type: o.type as "filter",
      hook: str(o.hook, "hook"),
      prio: num(o.prio, "prio"),
      policy: (o.policy as "accept") ?? "accept",
    };
    if (typeof o.dev === "string") c.base.device = o.dev;
  }
  if (typeof o.comment === "string") c.comment = o.comment;
  t.nextHandle = Math.max(t.nextHandle, c.handle);
  t.chains.push(c);
}

function loadSet(rs: NftRuleset, o: JObj, isMap: boolean): void {
  const t = table(rs, o);
  const types = (Array.isArray(o.type) ? o.type : [o.type]).map((x) => str(x, "type") as DType);
  const s: NftSet = {
    name: str(o.name, "name"),
    handle: typeof o.handle === "number" ? o.handle : ++t.nextHandle,
    map: isMap,
    keyType: types,
    flags: Array.isArray(o.flags)
      ? o.flags.map(String)
      : typeof o.flags === "string"
        ? [o.flags]
        : [],
    autoMerge: o["auto-merge"] === true,
    elems: [],
  };
  if (isMap) s.dataType = str(o.map, "map") as DType;
  if (typeof o.size === "number") s.size = o.size;
  if (typeof o.comment === "string") s.comment = o.comment;
  if (typeof o.policy === "string") s.policy = o.policy;
  if (o.timeout !== undefined) s.timeout = fmtTimeout(o.timeout);
  if (Array.isArray(o.elem)) {
    const elems: Expr[] = o.elem.map((e) => {
      if (isMap) {
        if (!Array.isArray(e) || e.length !== 2)
          jerr(`map element must be [key, value]: ${JSON.stringify(e)}`);
        return {
          k: "mapping",
          key: value(e[0], types),
          value: s.dataType === "verdict" ? verdictExpr(e[1]) : value(e[1], [s.dataType!]),
        } as Expr;
      }
      return value(e, types);
    });
    const r = normalizeElems(
      elems,
      s.flags.includes("interval") && types.length === 1,
      s.autoMerge,
    );
    s.elems = r.ok ? r.elems : elems;
  }
  t.nextHandle = Math.max(t.nextHandle, s.handle);
  t.sets.push(s);
}

function loadRule(rs: NftRuleset, o: JObj): void {
  const t = table(rs, o);
  const cn = str(o.chain, "chain");
  const c = t.chains.find((x) => x.name === cn);
  if (!c) jerr(`chain ${cn} does not exist`);
  if (!Array.isArray(o.expr)) jerr("rule without expr array");
  const stmts = o.expr.map((x) => stmt(obj(x, "statement"), t.family));
  const cr = canonRule(stmts, t.family);
  if (!cr.ok) jerr(cr.msg);
  const handle = typeof o.handle === "number" ? o.handle : ++t.nextHandle;
  t.nextHandle = Math.max(t.nextHandle, handle);
  const r: NftChain["rules"][number] = { handle, stmts: cr.stmts };
  if (typeof o.comment === "string") r.comment = o.comment;
  c.rules.push(r);
}

function loadElement(rs: NftRuleset, o: JObj): void {
  const t = table(rs, o);
  const s = t.sets.find((x) => x.name === str(o.name, "name"));
  if (!s) jerr(`set ${String(o.name)} does not exist`);
  const elems = (Array.isArray(o.elem) ? o.elem : []).map((e) => value(e, s.keyType));
  const r = normalizeElems([...s.elems, ...elems], s.flags.includes("interval"), true);
  if (r.ok) s.elems = r.elems;
}

function fmtTimeout(x: J): string {
  if (typeof x === "string") return x;
  const n = num(x, "timeout");
  const parts: string[] = [];
  let s = n;
  for (const [u, d] of [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
  ] as const) {
    if (s >= d) {
      parts.push(`${Math.floor(s / d)}${u}`);
      s %= d;
    }
  }
  if (s || !parts.length) parts.push(`${s}s`);
  return parts.join("");
}

function verdictExpr(x: J): Expr {
  const [k, v] = one(obj(x, "verdict"), "verdict");
  if (!["accept", "drop", "continue", "return", "jump", "goto"].includes(k))
    jerr(`unknown verdict ${k}`);
  if (k === "jump" || k === "goto")
    return { k: "verdict", v: k, target: str(obj(v, k).target, "target") };
  return { k: "verdict", v: k as VerdictKind };
}

function constOf(x: J, type: DType): Const {
  if (typeof x === "number") {
    if (type === "ipv6_addr") return { k: "const", type, v: BigInt(x) };
    return { k: "const", type, v: x };
  }
  const s = str(x, "value");
  const r = parseConst(type, s, type === "ifname" || type === "iface_index");
  if (!r.ok) jerr(`${r.msg}: ${s}`);
  return r.c;
}

/** A typed right-hand value. */
function value(x: J, types: DType[], left?: Expr): Expr {
  const type = types[0]!;
  if (typeof x === "string" && x.startsWith("@")) return { k: "setref", name: x.slice(1) };
  if (left?.k === "fib" && (x === "exists" || x === "missing" || typeof x === "boolean"))
    return { k: "const", type: "boolean", v: x === "exists" || x === true ? 1 : 0 };
  if (typeof x === "boolean") return { k: "const", type, v: x ? 1 : 0 };
  if (typeof x === "string" || typeof x === "number") return constOf(x, type);
  if (Array.isArray(x)) {
    if (type === "ct_state")
      return { k: "flags", type, v: x.map((e) => Number(constOf(e, type).v)) };
    jerr(`unexpected list ${JSON.stringify(x)}`);
  }
  const [k, v] = one(obj(x, "value"), "value");
  switch (k) {
    case "prefix": {
      const p = obj(v, "prefix");
      return { k: "prefix", base: constOf(p.addr, type), len: num(p.len, "len") };
    }
    case "range": {
      if (!Array.isArray(v) || v.length !== 2) jerr("bad range");
      return { k: "range", lo: constOf(v[0], type), hi: constOf(v[1], type) };
    }
    case "concat": {
      if (!Array.isArray(v)) jerr("bad concat");
      return { k: "concat", items: v.map((e, i) => value(e, [types[i] ?? type])) };
    }
    case "set": {
      if (!Array.isArray(v)) return { k: "set", elems: [value(v, types, left)] };
      return { k: "set", elems: v.map((e) => value(e, types, left)) };
    }
    case "elem": {
      const e = obj(v, "elem");
      return value(e.val, types, left);
    }
    default:
      jerr(`unsupported value ${k}`);
  }
}

function expr(x: J): Expr {
  const o = obj(x, "expression");
  const [k, v] = one(o, "expression");
  switch (k) {
    case "payload": {
      const p = obj(v, k);
      return { k: "payload", proto: str(p.protocol, "protocol"), field: str(p.field, "field") };
    }
    case "meta":
      return { k: "meta", key: str(obj(v, k).key, "key") };
    case "ct": {
      const c = obj(v, k);
      const e: Expr = { k: "ct", key: str(c.key, "key") };
      if (typeof c.dir === "string") e.dir = c.dir as "original";
      return e;
    }
    case "fib": {
      const f = obj(v, k);
      return {
        k: "fib",
        flags: Array.isArray(f.flags) ? f.flags.map(String) : [str(f.flags, "flags")],
        result: str(f.result, "result") as "oif",
      };
    }
    case "socket":
      return { k: "socket", key: str(obj(v, k).key, "key") as "transparent" };
    case "&":
    case "|":
    case "^":
    case "<<":
    case ">>": {
      if (!Array.isArray(v) || v.length !== 2) jerr(`bad binop ${k}`);
      const left = expr(v[0]);
      return { k: "binop", op: k, left, right: value(v[1], [leftType(left)]) };
    }
    case "concat": {
      if (!Array.isArray(v)) jerr("bad concat");
      return { k: "concat", items: v.map(expr) };
    }
    default:
      jerr(`unsupported expression ${k}`);
  }
}

function rhsTypes(left: Expr): DType[] {
  return left.k === "concat" ? left.items.map(leftType) : [leftType(left)];
}

function natAddr(x: J, family: "ip" | "ip6"): Expr {
  const t: DType = family === "ip6" ? "ipv6_addr" : "ipv4_addr";
  return value(x, [t]);
}

function stmt(o: JObj, family: NftFamily): Stmt {
  const [k, v] = one(o, "statement");
  switch (k) {
    case "match":
      return jsonMatch(v, k);
    case "mangle":
      return jsonMangle(v, k);
    case "accept":
    case "drop":
    case "continue":
    case "return":
      return { k: "verdict", v: k };
    case "jump":
    case "goto":
      return { k: "verdict", v: k, target: str(obj(v, k).target, "target") };
    case "counter": {
      const c = v === null ? {} : obj(v, k);
      return { k: "counter", packets: Number(c.packets ?? 0), bytes: Number(c.bytes ?? 0) };
    }
    case "log":
      return jsonLog(v, k);
    case "limit":
      return jsonLimit(v, k);
    case "dnat":
    case "snat":
    case "masquerade":
    case "redirect":
      return jsonNat(v, k, family);
    case "tproxy":
      return jsonTproxy(v, k, family);
    case "reject":
      return jsonReject(v, k);
    case "notrack":
      return { k: "notrack" };
    case "vmap":
      return jsonVmap(v, k);
    case "ct helper":
      return {
        k: "cthelper",
        value: isMap(v) ? jsonMap(v, "string") : { k: "const", type: "string", v: str(v, k) },
      };
    case "queue": {
      const q = obj(v, k);
      return {
        k: "queue",
        num: Number(q.num ?? 0),
        flags: Array.isArray(q.flags) ? q.flags.map(String) : q.flags ? [String(q.flags)] : [],
      };
    }
    default:
      jerr(`unsupported statement "${k}"`);
  }
}

function jsonMatch(v: J, k: string): Stmt {
  const m = obj(v, k);
  const left = expr(m.left);
  const opJ = str(m.op, "op");
  const op: MatchOp = opJ === "in" ? "implicit" : (opJ as MatchOp);
  return { k: "match", left, op, right: value(m.right, rhsTypes(left), left) };
}

function jsonMangle(v: J, k: string): Stmt {
  const m = obj(v, k);
  const key = expr(m.key);
  if (key.k !== "meta" && key.k !== "ct" && key.k !== "payload")
    jerr("only meta/ct/payload mangling is supported");
  const val =
    typeof m.value === "object" && m.value !== null && !Array.isArray(m.value)
      ? expr(m.value)
      : value(m.value, [leftType(key)]);
  return { k: "mangle", key, value: val };
}

function jsonLog(v: J, k: string): Stmt {
  const l = v === null ? {} : obj(v, k);
  const s: Extract<Stmt, { k: "log" }> = { k: "log" };
  if (typeof l.prefix === "string") s.prefix = l.prefix;
  if (typeof l.level === "string") s.level = l.level;
  if (typeof l.group === "number") s.group = l.group;
  if (l.flags !== undefined)
    s.flags = Array.isArray(l.flags) ? l.flags.map(String) : [String(l.flags)];
  return s;
}

function jsonLimit(v: J, k: string): Stmt {
  const l = obj(v, k);
  const s: Extract<Stmt, { k: "limit" }> = {
    k: "limit",
    rate: num(l.rate, "rate"),
    per: str(l.per, "per"),
    over: l.inv === true,
  };
  if (typeof l.burst === "number") s.burst = l.burst;
  if (typeof l.rate_unit === "string" && l.rate_unit !== "packets") s.bytes = l.rate_unit;
  return s;
}

function jsonNat(v: J, k: "dnat" | "snat" | "masquerade" | "redirect", family: NftFamily): Stmt {
  const n = v === null ? {} : obj(v, k);
  const s: Extract<Stmt, { k: "nat" }> = { k: "nat", type: k };
  const f =
    typeof n.family === "string" ? (n.family as "ip" | "ip6") : family === "ip6" ? "ip6" : "ip";
  if (typeof n.family === "string" && family === "inet") s.family = n.family as "ip";
  const at: DType = f === "ip6" ? "ipv6_addr" : "ipv4_addr";
  if (n.addr !== undefined) s.addr = isMap(n.addr) ? jsonMap(n.addr, at) : natAddr(n.addr, f);
  if (n.port !== undefined)
    s.port = isMap(n.port) ? jsonMap(n.port, "inet_service") : value(n.port, ["inet_service"]);
  if (n.flags !== undefined)
    s.flags = Array.isArray(n.flags) ? n.flags.map(String) : [String(n.flags)];
  return s;
}

const isMap = (x: J): boolean =>
  typeof x === "object" && x !== null && !Array.isArray(x) && "map" in x;

/** `{"map": {"key": EXPR, "data": {"set": [[k, v], …]} | "@name"}}`: a map lookup. */
function jsonMap(x: J, dataType: DType): Expr {
  const m = obj(obj(x, "map").map, "map");
  const key = expr(m.key);
  if (typeof m.data === "string" && m.data.startsWith("@"))
    return { k: "map", key, map: { k: "setref", name: m.data.slice(1) } };
  const arr = obj(m.data, "map data").set;
  if (!Array.isArray(arr)) jerr("map data must be a set");
  const types = rhsTypes(key);
  const elems = arr.map((e): Expr => {
    if (!Array.isArray(e)) jerr("map element must be [key, value]");
    return { k: "mapping", key: value(e[0], types), value: value(e[1], [dataType]) };
  });
  return { k: "map", key, map: { k: "set", elems } };
}

function jsonTproxy(v: J, k: string, family: NftFamily): Stmt {
  const n = obj(v, k);
  const s: Extract<Stmt, { k: "tproxy" }> = { k: "tproxy" };
  const f =
    typeof n.family === "string" ? (n.family as "ip" | "ip6") : family === "ip6" ? "ip6" : "ip";
  if (typeof n.family === "string" && family === "inet") s.family = n.family as "ip";
  if (n.addr !== undefined) {
    const a = natAddr(n.addr, f);
    if (a.k === "const") s.addr = a;
  }
  if (typeof n.port === "number") s.port = n.port;
  return s;
}

function jsonReject(v: J, k: string): Stmt {
  if (v === null) return { k: "reject" };
  const r = obj(v, k);
  const type = str(r.type, "type");
  if (type === "tcp reset") return { k: "reject", type: "tcp reset" };
  const s: Extract<Stmt, { k: "reject" }> = {
    k: "reject",
    type: type as "icmp",
    code: typeof r.expr === "string" ? r.expr : "port-unreachable",
  };
  return s;
}

function jsonVmap(v: J, k: string): Stmt {
  const m = obj(v, k);
  const key = expr(m.key);
  const types = rhsTypes(key);
  let map: Extract<Stmt, { k: "vmap" }>["map"];
  if (typeof m.data === "string" && m.data.startsWith("@"))
    map = { k: "setref", name: m.data.slice(1) };
  else {
    const d = obj(m.data, "vmap data");
    const arr = d.set;
    if (!Array.isArray(arr)) jerr("vmap data must be a set");
    map = {
      k: "set",
      elems: arr.map((e) => {
        if (!Array.isArray(e)) jerr("vmap element must be [key, verdict]");
        return { k: "mapping", key: value(e[0], types), value: verdictExpr(e[1]) } as Expr;
      }),
    };
  }
  return { k: "vmap", key, map };
}
