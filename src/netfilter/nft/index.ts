/**
 * nftables front-end: parse `nft` command lines, `nft -f` files and `nft -j list ruleset`
 * JSON into a ruleset model, print it as `nft list ruleset` does (nftables 1.0.6), and
 * evaluate its base chains for the journey engine.
 *
 * Modelled: families ip, ip6, inet, arp, bridge, netdev (base chains on the IP hooks are
 * evaluated); tables, base and regular chains, rules, named sets and maps, anonymous sets
 * and verdict maps; `ct helper` objects (objects.ts); `define`; the statements verdict,
 * counter, log, limit, reject, queue, notrack, `meta|ct|payload ... set`, `ct helper set`,
 * dnat, snat (also with map lookups), masquerade, redirect, tproxy; the expressions payload
 * (ip, ip6, tcp, udp, udplite, sctp, th, icmp, icmpv6), meta, ct, fib, socket, map
 * lookups, bitwise operators and concatenations.
 * `include` reads files through the loader's callbacks only (parse/include.ts).
 * Refused with an error, as nft would refuse something it cannot do: the other
 * stateful objects (counter, quota, flowtable, ct timeout/expectation, limit, secmark,
 * synproxy), the
 * expressions numgen, jhash, symhash, osf, rt, exthdr, ipsec, tcp options, ether / vlan
 * / arp matches, and the statements dup, fwd, xt, synproxy.
 *
 * Inner layers; a module imports only from its own layer or a lower one (layers.test.ts):
 * 1. lexer.ts (tokens), ast.ts (the ruleset model), dtype.ts (datatypes: nft's
 *    datatype.c), prio.ts (chain priority names).
 * 2. typing.ts (symbols to typed values: evaluate.c), segtree.ts (set intervals:
 *    segtree.c), canon.ts (the form a kernel round trip lists: evaluate.c and
 *    netlink_delinearize.c). Pure functions of the AST; no grammar, no ruleset state.
 * 3. parse/: the grammar (parser_bison.y). It types values and canonicalises each rule as
 *    it reads it, as nft evaluates a command before the next, so an error points at its
 *    token and the command is skipped.
 * 4. ruleset.ts (commands applied with the kernel's checks; validate.ts: loops and
 *    per-hook limits; objects.ts: ct helpers), json.ts (`nft -j` loader),
 *    print.ts (`nft list ruleset`).
 * 5. eval.ts: a packet through the base chains (nft_do_chain); eval-expr.ts: the
 *    packet's value for an expression and the comparisons on it; symbolic.ts: the
 *    chains as plain data for the whole-space analysis (../symbolic.ts).
 * 6. index.ts: the entry points below.
 * Errors inside the slice are thrown as `IssueError` (code `nft.*`): parse/ catches them
 * per command to resume, and these entry points return them as `Issue` values.
 *
 * @example
 * ```ts
 * const rs = createNftRuleset();
 * const chain = "chain c { type filter hook output priority mangle; meta mark set 1; }";
 * loadNftText(rs, `table inet t { ${chain} }`, "x.nft");
 * nftListRuleset(rs);
 * // "table inet t {\n\tchain c {\n\t\ttype filter hook output priority mangle; ..."
 * ```
 * @module
 */
import { IssueError, type Issue } from "../../core/issue.js";
import type { SourceLoc } from "../../core/loc.js";
import type { NftRuleset } from "./ast.js";
import { createNftRuleset } from "./ast.js";
import { defined } from "../../core/result.js";
import { parseNft, type NftIncludeOpts, type ParseOpts } from "./parse/index.js";
import { execCmds, type TokLoc } from "./ruleset.js";
import type { NftCmd } from "./parse/index.js";
import { loadJsonInto } from "./json.js";

export { createNftRuleset } from "./ast.js";
export type {
  NftRuleset,
  NftTable,
  NftChain,
  NftRule,
  NftSet,
  Stmt as NftStmt,
  Expr as NftExpr,
} from "./ast.js";
export { nftList, nftListRuleset, fmtRule as nftFormatRule } from "./print.js";
export { nftBaseChains } from "./eval.js";
export type { NftIncludeOpts } from "./parse/index.js";

function cloneRs(rs: NftRuleset): NftRuleset {
  return structuredClone(rs);
}
function commit(dst: NftRuleset, src: NftRuleset): void {
  dst.tables = src.tables;
  dst.tableHandle = src.tableHandle;
}

/**
 * Load `nft -f` text (block or command syntax). Atomic like `nft -f`: on any error
 * nothing changes and the issues say why (first one as nft would print it).
 */
export function loadNftText(
  ruleset: NftRuleset,
  text: string,
  file: string,
  include?: NftIncludeOpts,
): Issue[] {
  return loadWith(ruleset, text, defined({ file, include }));
}

function loadWith(ruleset: NftRuleset, text: string, opts: ParseOpts): Issue[] {
  const p = parseNft(text, opts);
  if (p.issues.length) return p.issues;
  const tokLoc = (t: { line: number; col: number; file?: string }) =>
    t.file !== undefined
      ? { file: t.file, line: t.line, col: t.col }
      : opts.mapLoc
        ? opts.mapLoc(t.line, t.col)
        : { file: opts.file, line: t.line, col: t.col };
  if (p.cmds.every((c) => "obj" in c && c.obj === "element"))
    return elementsOnly(ruleset, p.cmds, tokLoc);
  const work = cloneRs(ruleset);
  try {
    execCmds(work, p.cmds, tokLoc);
  } catch (e) {
    if (e instanceof IssueError) return [e.issue];
    throw e;
  }
  commit(ruleset, work);
  return [];
}

/**
 * Element commands change only sets' element arrays, which they replace (never edit): the
 * old arrays are the undo log. A copy of the whole ruleset per one-line `nft add element`
 * made loading such scripts quadratic.
 */
function elementsOnly(ruleset: NftRuleset, cmds: NftCmd[], tokLoc: TokLoc): Issue[] {
  const saved = ruleset.tables.flatMap((t) => t.sets.map((s) => [s, s.elems] as const));
  try {
    execCmds(ruleset, cmds, tokLoc);
  } catch (e) {
    for (const [s, elems] of saved) s.elems = elems;
    if (e instanceof IssueError) return [e.issue];
    throw e;
  }
  return [];
}

/** Options of an `nft` invocation we understand. */
const NOARG_OPTS = new Set([
  "-c",
  "--check",
  "-a",
  "--handle",
  "-n",
  "--numeric",
  "-s",
  "--stateless",
  "-e",
  "--echo",
  "-y",
  "--numeric-priority",
  "-p",
  "--numeric-protocol",
  "-T",
  "--numeric-time",
  "-t",
  "--terse",
  "-N",
  "--reversedns",
  "-S",
  "--service",
  "-u",
  "--guid",
  "-d",
  "-o",
  "--optimize",
]);

/** The options of main.c's getopt loop we understand; `i` is the first command word. */
function nftOptions(
  argv: string[],
  locs: SourceLoc[],
):
  | { i: number; check: boolean; json: boolean; file: string | undefined; paths: string[] }
  | Issue[] {
  let i = 0;
  if (argv[0] !== undefined && /(^|\/)nft$/.test(argv[0])) i = 1;
  let check = false,
    json = false;
  let file: string | undefined;
  const paths: string[] = [];
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-c" || a === "--check") {
      check = true;
      continue;
    }
    if (a === "-j" || a === "--json") {
      json = true;
      continue;
    }
    if (a === "-f" || a === "--file") {
      file = argv[++i] ?? "";
      continue;
    }
    if (a.startsWith("-f") && a.length > 2) {
      file = a.slice(2);
      continue;
    }
    if (a === "-I" || a === "--includepath") {
      paths.push(argv[++i] ?? "");
      continue;
    }
    if (a.startsWith("--includepath=")) {
      paths.push(a.slice(14));
      continue;
    }
    if (a === "-D" || a === "--define") {
      i++;
      continue;
    }
    if (NOARG_OPTS.has(a) || /^-[acnsyepTtNSuj]+$/.test(a)) {
      if (a.includes("c")) check = true;
      if (a.includes("j")) json = true;
      continue;
    }
    if (a.startsWith("-") && a !== "-")
      return [
        { code: "nft.option", message: `Error: unknown option '${a}'`, loc: locs[i], token: a },
      ];
    break;
  }
  return { i, check, json, file, paths };
}

/**
 * Apply one `nft ...` invocation given as argv (argv[0] may be `nft`). `locs[i]` is where
 * argv[i] came from. `readFile` supplies the contents for `nft -f FILE` (and `-f -` when the
 * caller passes a here-document under the name "-"); without it `-f` is reported unsupported.
 */
export function applyNftCommand(
  ruleset: NftRuleset,
  argv: string[],
  locs: SourceLoc[],
  readFile?: (path: string) => string | undefined,
  readDir?: (path: string) => readonly string[] | undefined,
): Issue[] {
  const o = nftOptions(argv, locs);
  if (Array.isArray(o)) return o;
  const { i, check, json, file, paths } = o;
  const target = check ? cloneRs(ruleset) : ruleset;
  const include = readFile && defined({ readFile, readDir, paths });
  if (file !== undefined) {
    const fi = argv.indexOf(file);
    const text = readFile?.(file);
    if (text === undefined) {
      return [
        {
          code: "nft.file",
          // nft_run_cmd_from_filename -> include_file(): fopen() failed.
          message: `Error: Could not open file "${file}": No such file or directory`,
          loc: locs[fi >= 0 ? fi : 0],
          token: file,
        },
      ];
    }
    return json ? loadNftJson(target, text, file) : loadNftText(target, text, file, include);
  }
  const words = argv.slice(i);
  if (!words.length) return [];
  const { line, mapLoc } = joinArgv(words, locs, i);
  if (json) return loadNftJson(target, line, locs[i]?.file ?? "<argv>");
  return loadWith(target, line, defined({ file: locs[i]?.file ?? "<argv>", mapLoc, include }));
}

/** nft joins argv with spaces and parses the result as one line; map columns back. */
function joinArgv(
  words: string[],
  locs: SourceLoc[],
  i: number,
): { line: string; mapLoc: (l: number, col: number) => SourceLoc } {
  const starts: number[] = [];
  let line = "";
  for (const w of words) {
    if (line) line += " ";
    starts.push(line.length + 1);
    line += w;
  }
  const mapLoc = (_l: number, col: number): SourceLoc => {
    let k = 0;
    for (let j = 0; j < starts.length; j++) if (starts[j]! <= col) k = j;
    const base = locs[i + k] ?? locs[locs.length - 1] ?? { file: "<argv>", line: 1, col: 1 };
    return { file: base.file, line: base.line, col: base.col + (col - starts[k]!) };
  };
  return { line, mapLoc };
}

/** Load `nft -j list ruleset` output (or any libnftables JSON with add/list objects). Atomic. */
export function loadNftJson(ruleset: NftRuleset, text: string, file: string): Issue[] {
  const work = cloneRs(ruleset);
  const issues = loadJsonInto(work, text, file);
  if (issues.length) return issues;
  commit(ruleset, work);
  return [];
}

export const _internal = { createNftRuleset };
