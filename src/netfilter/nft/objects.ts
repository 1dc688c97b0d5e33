/**
 * `ct helper` objects with the kernel's checks (nf_tables_newobj / nf_tables_delobj,
 * nft_ct_helper_obj_init): the helper must exist for the protocol, a name is added once
 * (`add` of an existing one changes nothing, `create` is EEXIST), an object a rule uses
 * cannot be deleted (EBUSY), and `ct helper set` must name an object of the table (ENOENT).
 * @module
 */
import { IssueError, issue, type IssueCode } from "../../core/issue.js";
import type { SourceLoc } from "../../core/loc.js";
import type { Expr, NftTable, Stmt } from "./ast.js";
import type { Tok } from "./lexer.js";
import type { NftCmd } from "./parse/index.js";

type HelperCmd = Extract<NftCmd, { obj: "ct helper" }>;

/**
 * The conntrack helpers Debian's kernel has (nf_conntrack_*.ko: each registers its name for
 * its protocols); a helper object naming another one is ENOENT.
 */
const HELPERS: Record<string, readonly ("tcp" | "udp")[]> = {
  ftp: ["tcp"],
  tftp: ["udp"],
  sip: ["tcp", "udp"],
  irc: ["tcp"],
  amanda: ["udp"],
  pptp: ["tcp"],
  sane: ["tcp"],
  "netbios-ns": ["udp"],
  snmp: ["udp"],
  snmp_trap: ["udp"],
  RAS: ["udp"],
  "Q.931": ["tcp"],
};

const ENOENT = "Error: Could not process rule: No such file or directory";

function refuse(loc: SourceLoc, message: string, token: string, code: IssueCode): never {
  throw new IssueError(issue(code, message, { loc, token }));
}

/** NFT_MSG_NEWOBJ / NFT_MSG_DELOBJ for a ct helper, in table `t` (already looked up). */
export function execCtHelper(t: NftTable, c: HelperCmd, tokLoc: (t: Tok) => SourceLoc): void {
  const objs = (t.objs ??= []);
  const at = objs.findIndex((o) => o.name === c.name);
  if (c.op === "delete") {
    if (at < 0) refuse(tokLoc(c.tok), ENOENT, c.name, "nft.ENOENT");
    if (helpersUsed(t).has(c.name))
      refuse(
        tokLoc(c.tok),
        "Error: Could not process rule: Device or resource busy",
        c.name,
        "nft.EBUSY",
      );
    objs.splice(at, 1);
    return;
  }
  if (at >= 0) {
    if (c.op === "create")
      refuse(tokLoc(c.tok), "Error: Could not process rule: File exists", c.name, "nft.EEXIST");
    return;
  }
  const l4 = c.l4proto ?? "tcp";
  if (!c.helper || !HELPERS[c.helper]?.includes(l4)) refuse(c.loc, ENOENT, c.name, "nft.ENOENT");
  const l3proto = c.l3proto ?? t.family;
  objs.push({ name: c.name, handle: ++t.nextHandle, helper: c.helper, l4proto: l4, l3proto });
}

/** The helper names a statement assigns (`ct helper set "x"`, or a map's values). */
export function helperNames(s: Stmt): string[] {
  if (s.k !== "cthelper") return [];
  const v = s.value;
  if (v.k === "const") return [String(v.v)];
  if (v.k === "map" && v.map.k === "set")
    return v.map.elems.flatMap((m: Expr) =>
      m.k === "mapping" && m.value.k === "const" ? [String(m.value.v)] : [],
    );
  return [];
}

/** Every helper object the table's rules use. */
function helpersUsed(t: NftTable): Set<string> {
  const out = new Set<string>();
  for (const ch of t.chains)
    for (const r of ch.rules) for (const s of r.stmts) for (const n of helperNames(s)) out.add(n);
  return out;
}
