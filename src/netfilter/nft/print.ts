/**
 * `nft list ruleset` output (nftables 1.0.6 layout) for the model.
 * @module
 */
import type {
  Expr,
  NftChain,
  NftFamily,
  NftRule,
  NftRuleset,
  NftSet,
  NftTable,
  Stmt,
  DType,
} from "./ast.js";
import { fmtConst } from "./dtype.js";
import { BRIDGE_PRIOS, prioNameValid, STD_PRIOS } from "./prio.js";

/** Priority as nft prints it: a standard name within ±10, else the number. */
export function fmtPrio(family: NftFamily, hook: string, prio: number): string {
  const table = family === "bridge" ? BRIDGE_PRIOS : STD_PRIOS;
  for (const [name, v] of table) {
    if (!prioNameValid(name, family, hook)) continue;
    const off = prio - v;
    if (off > 10 || off < -10) continue;
    return off > 0 ? `${name} + ${off}` : off < 0 ? `${name} - ${-off}` : name;
  }
  return String(prio);
}

const META_UNQ = new Set(["iif", "oif", "iifname", "oifname", "iifgroup", "oifgroup"]);

export function fmtExpr(e: Expr, family: NftFamily, ctxLeft?: Expr): string {
  switch (e.k) {
    case "const":
      return fmtConst(e, ctxLeft?.k === "fib" && e.type === "boolean" ? "fibPresence" : undefined);
    case "prefix":
      return `${fmtConst(e.base)}/${e.len}`;
    case "range":
      return `${fmtConst(e.lo)}-${fmtConst(e.hi)}`;
    case "concat":
      return e.items.map((x) => fmtExpr(x, family, ctxLeft)).join(" . ");
    case "set":
      return `{ ${e.elems.map((x) => fmtExpr(x, family, ctxLeft)).join(", ")} }`;
    case "setref":
      return `@${e.name}`;
    case "mapping":
      return `${fmtExpr(e.key, family)} : ${fmtExpr(e.value, family)}`;
    case "verdict":
      return e.target ? `${e.v} ${e.target}` : e.v;
    case "payload":
      return `${e.proto} ${e.field}`;
    case "meta":
      return META_UNQ.has(e.key) ? e.key : `meta ${e.key}`;
    case "ct":
      return e.dir ? `ct ${e.dir} ${e.key}` : `ct ${e.key}`;
    case "fib":
      return `fib ${e.flags.join(" . ")} ${e.result}`;
    case "socket":
      return `socket ${e.key}`;
    case "binop":
      return `${fmtExpr(e.left, family)} ${e.op} ${fmtExpr(e.right, family)}`;
    case "map":
      return `${fmtExpr(e.key, family)} map ${fmtExpr(e.map, family)}`;
    case "flags": {
      const vals = [...e.v].sort((a, b) => a - b);
      return vals.map((v) => fmtConst({ k: "const", type: e.type, v })).join(",");
    }
  }
}

function fmtStmt(s: Stmt, family: NftFamily): string {
  switch (s.k) {
    case "match": {
      const l = fmtExpr(s.left, family);
      const r = fmtExpr(s.right, family, s.left);
      if (s.op === "implicit") return `${l} ${r}`;
      return `${l} ${s.op} ${r}`;
    }
    case "mangle":
      return `${fmtExpr(s.key, family)} set ${fmtExpr(s.value, family)}`;
    case "verdict":
      return s.target ? `${s.v} ${s.target}` : s.v;
    case "counter":
      return `counter packets ${s.packets} bytes ${s.bytes}`;
    case "log": {
      let out = "log";
      if (s.prefix !== undefined) out += ` prefix "${s.prefix}"`;
      if (s.group !== undefined) out += ` group ${s.group}`;
      if (s.level !== undefined && s.level !== "warn") out += ` level ${s.level}`;
      if (s.flags?.length) out += ` flags ${s.flags.join(",")}`;
      return out;
    }
    case "limit": {
      const unit = s.bytes ? ` ${s.bytes}` : "";
      let out = `limit rate ${s.over ? "over " : ""}${s.rate}${unit}/${s.per}`;
      if (s.burst !== undefined && s.burst !== (s.bytes ? 0 : 5))
        out += ` burst ${s.burst} ${s.bytes ? "bytes" : "packets"}`;
      return out;
    }
    case "nat": {
      let out = s.type;
      if (s.family) out += ` ${s.family}`;
      if (s.addr || s.port) {
        out += " to ";
        if (s.addr) {
          const a = fmtExpr(s.addr, family);
          const v6 =
            (s.addr.k === "const" && s.addr.type === "ipv6_addr") ||
            (s.addr.k === "range" && s.addr.lo.type === "ipv6_addr");
          out += v6 && s.port ? `[${a}]` : a;
        }
        if (s.port) out += `:${fmtExpr(s.port, family)}`;
      }
      if (s.flags?.length) out += ` ${s.flags.join(",")}`;
      return out;
    }
    case "tproxy": {
      let out = "tproxy";
      if (s.family) out += ` ${s.family}`;
      out += " to ";
      if (s.addr) {
        const a = fmtExpr(s.addr, family);
        out += s.addr.type === "ipv6_addr" ? `[${a}]` : a;
      }
      if (s.port !== undefined) out += `:${s.port}`;
      return out;
    }
    case "reject":
      if (!s.type) return "reject";
      if (s.type === "tcp reset") return "reject with tcp reset";
      return `reject with ${s.type} ${s.code}`;
    case "notrack":
      return "notrack";
    case "vmap":
      return `${fmtExpr(s.key, family)} vmap ${fmtExpr(s.map, family)}`;
    case "cthelper":
      return `ct helper set ${fmtExpr(s.value, family)}`;
    case "queue":
      return `queue${s.flags?.length ? ` flags ${s.flags.join(",")}` : ""} to ${s.num}`;
  }
}

/** A rule as `nft list` prints it (without indentation). */
export function fmtRule(r: NftRule, family: NftFamily): string {
  const parts = r.stmts.map((s) => fmtStmt(s, family));
  if (r.comment !== undefined) parts.push(`comment "${r.comment}"`);
  return parts.join(" ");
}

export interface ListOpts {
  /** `nft -a`: print `# handle N` comments. */ handles?: boolean;
}

/** chain_print(); `rules` false: chain_print_declaration() alone (`list chains`). */
function chainText(c: NftChain, family: NftFamily, o: ListOpts, rules = true): string {
  let out = `\tchain ${c.name} {${o.handles ? ` # handle ${c.handle}` : ""}\n`;
  if (c.comment !== undefined) out += `\t\tcomment "${c.comment}"\n`;
  if (c.base) {
    const dev = c.base.device !== undefined ? `device "${c.base.device}" ` : "";
    const prio = fmtPrio(family, c.base.hook, c.base.prio);
    out += `\t\ttype ${c.base.type} hook ${c.base.hook} ${dev}priority ${prio};`;
    out += ` policy ${c.base.policy};\n`;
  }
  if (rules)
    for (const r of c.rules)
      out += `\t\t${fmtRule(r, family)}${o.handles ? ` # handle ${r.handle}` : ""}\n`;
  return out + "\t}\n";
}

/** calculate_delim(): elements per line by datatype. */
function perLine(t: DType | undefined, concat: boolean): number {
  if (concat || !t) return 1;
  switch (t) {
    case "nf_proto":
    case "inet_proto":
    case "inet_service":
    case "mark":
    case "iface_index":
    case "uid":
    case "gid":
    case "ct_dir":
    case "tcp_flag":
      return 16;
    case "ipv4_addr":
    case "ct_state":
    case "ct_status":
    case "pkttype":
      return 2;
    default:
      return 1;
  }
}

function setText(s: NftSet, family: NftFamily, o: ListOpts): string {
  let out = `\t${s.map ? "map" : "set"} ${s.name} {${o.handles ? ` # handle ${s.handle}` : ""}\n`;
  if (s.typeofText) out += `\t\ttypeof ${s.typeofText}\n`;
  else out += `\t\ttype ${s.keyType.join(" . ")}${s.map ? ` : ${s.dataType}` : ""}\n`;
  if (s.policy) out += `\t\tpolicy ${s.policy}\n`;
  if (s.size !== undefined) out += `\t\tsize ${s.size}\n`;
  if (s.flags.length) out += `\t\tflags ${s.flags.join(",")}\n`;
  if (s.timeout) out += `\t\ttimeout ${s.timeout}\n`;
  if (s.autoMerge) out += `\t\tauto-merge\n`;
  if (s.counter) out += `\t\tcounter\n`;
  if (s.comment !== undefined) out += `\t\tcomment "${s.comment}"\n`;
  if (s.elems.length) {
    const n = perLine(s.keyType[0], s.keyType.length > 1);
    let line = "\t\telements = { ";
    s.elems.forEach((e, i) => {
      if (i > 0) line += i % n === 0 ? ",\n\t\t\t     " : ", ";
      line += fmtExpr(e, family);
    });
    out += line + " }\n";
  }
  return out + "\t}\n";
}

export function tableText(t: NftTable, o: ListOpts = {}): string {
  if (t.verbatim !== undefined) return t.verbatim;
  let out = `table ${t.family} ${t.name} {${o.handles ? ` # handle ${t.handle}` : ""}\n`;
  if (t.flags.length) out += `\tflags ${t.flags.join(",")}\n`;
  if (t.comment !== undefined) out += `\tcomment "${t.comment}"\n`;
  let delim = "";
  // table_print(): objects, then sets, then chains.
  for (const h of t.objs ?? []) {
    out += `${delim}\tct helper ${h.name} {${o.handles ? ` # handle ${h.handle}` : ""}\n`;
    out += `\t\ttype "${h.helper}" protocol ${h.l4proto}\n\t\tl3proto ${h.l3proto}\n\t}\n`;
    delim = "\n";
  }
  for (const s of t.sets) {
    out += delim + setText(s, t.family, o);
    delim = "\n";
  }
  for (const c of t.chains) {
    out += delim + chainText(c, t.family, o);
    delim = "\n";
  }
  return out + "}\n";
}

/** Exactly what `nft list ruleset` prints (nftables 1.0.6) for this state. */
export function nftListRuleset(rs: NftRuleset, opts: ListOpts = {}): string {
  return rs.tables.map((t) => tableText(t, opts)).join("");
}

const FAMILIES = ["ip", "ip6", "inet", "arp", "bridge", "netdev"];

/**
 * `list sets|maps|chains [FAMILY]` (do_list_sets, do_list_chains in nftables 1.0.6): every
 * table of the family as a bare `table F NAME {` line (no flags, comment or handle) holding
 * its sets (or maps, with their elements) or its chains' declarations without rules, with no
 * blank line between them; a table with none prints empty.
 */
function declarations(t: NftTable, what: "sets" | "maps" | "chains", o: ListOpts): string {
  let out = `table ${t.family} ${t.name} {\n`;
  if (what === "chains") for (const c of t.chains) out += chainText(c, t.family, o, false);
  else for (const s of t.sets) if (!!s.map === (what === "maps")) out += setText(s, t.family, o);
  return `${out}}\n`;
}

/** An nft listing's answer: the text, or nft's error (status 1). */
export type NftListing = { ok: true; text: string } | { ok: false; error: string };

/**
 * `nft list ruleset [FAMILY]`, `list tables [FAMILY]`, `list table [FAMILY] NAME`,
 * `list chain [FAMILY] TABLE CHAIN`, `list sets|maps|chains [FAMILY]` and `list set|map
 * [FAMILY] TABLE NAME` (do_command_list in nftables 1.0.6; the family defaults to ip);
 * undefined for the other `list` forms, which routelab does not print.
 */
export function nftList(
  rs: NftRuleset,
  words: readonly string[],
  opts: ListOpts = {},
): NftListing | undefined {
  const [what, ...rest] = words;
  const fam = rest[0] !== undefined && FAMILIES.includes(rest[0]) ? rest.shift() : undefined;
  const inFamily = (t: NftTable) => fam === undefined || t.family === fam;
  if (what === "ruleset" && rest.length === 0)
    return {
      ok: true,
      text: rs.tables
        .filter(inFamily)
        .map((t) => tableText(t, opts))
        .join(""),
    };
  if (what === "tables" && rest.length === 0)
    return {
      ok: true,
      text: rs.tables
        .filter(inFamily)
        .map((t) => `table ${t.family} ${t.name}\n`)
        .join(""),
    };
  if ((what === "sets" || what === "maps" || what === "chains") && rest.length === 0) {
    const tables = rs.tables.filter(inFamily);
    // A table kept as written (verbatim) has no parts to pick from.
    if (tables.some((t) => t.verbatim !== undefined)) return undefined;
    return { ok: true, text: tables.map((t) => declarations(t, what, opts)).join("") };
  }
  const family = fam ?? "ip";
  const t = rs.tables.find((x) => x.family === family && x.name === rest[0]);
  // nft's error: the command and carets under the object it did not find.
  const missing = (k: number): NftListing => {
    const at = (fam ? 2 : 1) + k;
    const cmd = ["list", ...words].join(" ");
    const col = 5 + words.slice(0, at).reduce((n, w) => n + w.length + 1, 0);
    const carets = `${" ".repeat(col)}${"^".repeat(rest[k]!.length)}`;
    return { ok: false, error: `Error: No such file or directory\n${cmd}\n${carets}` };
  };
  if (what === "table" && rest.length === 1)
    return t ? { ok: true, text: tableText(t, opts) } : missing(0);
  if (what === "chain" && rest.length === 2) {
    const c = t?.chains.find((x) => x.name === rest[1]);
    if (!t || t.verbatim !== undefined) return missing(0);
    if (!c) return missing(1);
    const only: NftTable = { ...t, chains: [c], sets: [], objs: [], flags: [] };
    delete only.comment;
    return { ok: true, text: tableText(only, opts) };
  }
  if ((what === "set" || what === "map") && rest.length === 2) {
    // A set is not found as a map, nor a map as a set.
    const set = t?.sets.find((x) => x.name === rest[1] && !!x.map === (what === "map"));
    if (!t || t.verbatim !== undefined) return missing(0);
    if (!set) return missing(1);
    return { ok: true, text: `table ${t.family} ${t.name} {\n${setText(set, t.family, opts)}}\n` };
  }
  return undefined;
}
