/**
 * `include "FILE"` (parser_bison.y `common_block`, scanner.l scanner_include_file /
 * include_glob / include_file, nftables 1.0.6). The scanner pushes the included file's
 * buffer in place of the statement, so its tokens are spliced into the stream before
 * `define`s are substituted; an include may stand wherever a statement may (top level, a
 * table or chain block). Files are reached only through the caller's callbacks: the parse
 * layer never touches a file system.
 *
 * nft's rules, checked against nft 1.0.6: a name starting `/`, `./` or `../` is opened as
 * given (relative to the working directory, not to the including file); any other name is
 * looked up as `DIR/NAME` in each include directory in turn: nft's default `/etc` first, then
 * each `-I DIR`. Without wildcards the first hit wins and none is "File not found: NAME";
 * with wildcards (`*`, `?`, `[`) every directory is globbed, no match is not an error, a
 * glob's matches are read in byte order, and the matches of later directories are read
 * first (each is pushed on the scanner's stack). Directories are skipped (GLOB_MARK). A
 * file included from 16 levels deep is "Include nested too deeply, max 16 levels".
 * @module
 */
import type { Tok } from "../lexer.js";
import { lex } from "../lexer.js";

/** The loader's file callbacks and nft's `-I` list. */
export interface NftIncludeOpts {
  /** A file's text; undefined when it cannot be opened. */
  readFile: (path: string) => string | undefined;
  /** A directory's entry names (subdirectories end in `/`); undefined when not a directory. */
  readDir?: (path: string) => readonly string[] | undefined;
  /** `-I DIR` / `--includepath DIR`, searched after DEFAULT_INCLUDE_PATH. */
  paths?: readonly string[];
}

/** nftables' DEFAULT_INCLUDE_PATH (configure's sysconfdir on Debian). */
export const NFT_DEFAULT_INCLUDE_PATH = "/etc";
/** scanner.l MAX_INCLUDE_DEPTH: buffers on the stack, the top file included. */
const MAX_INCLUDE_DEPTH = 16;

/** What the expansion found: the tokens and, per failed `include` token, nft's message. */
export interface Expanded {
  toks: Tok[];
  failed: Map<Tok, string>;
}

/**
 * Splice every `include` statement's files into `toks` (which end with eof). A failed
 * include stays in the stream for the parser to report at its place.
 */
export function expandIncludes(toks: Tok[], opts: NftIncludeOpts | undefined): Expanded {
  const failed = new Map<Tok, string>();
  // glob() opens a file to see it exists; read each file once.
  const seen = new Map<string, string | undefined>();
  const cached = opts && {
    ...opts,
    readFile: (path: string) => {
      if (!seen.has(path)) seen.set(path, opts.readFile(path));
      return seen.get(path);
    },
  };
  return { toks: expand(toks, cached, failed, 1), failed };
}

function expand(
  toks: Tok[],
  opts: NftIncludeOpts | undefined,
  failed: Map<Tok, string>,
  depth: number,
): Tok[] {
  if (!toks.some((t) => t.kind === "word" && t.text === "include")) return toks;
  const out: Tok[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const name = toks[i + 1];
    const sep = toks[i + 2];
    if (!(isInclude(toks, i) && name?.kind === "string" && sep && sep.kind !== "op")) {
      out.push(t);
      continue;
    }
    const r = resolve(name.text, opts, depth);
    if (typeof r === "string") {
      // The statement's extent up to its separator, as nft's caret shows it.
      const at = t.line === sep.line ? { ...t, len: sep.col + 1 - t.col } : t;
      failed.set(at, r);
      out.push(at);
      continue;
    }
    for (const f of r) {
      const inner = lex(f.text).map((x) => ({ ...x, file: f.path }));
      inner.pop(); // the included buffer's end pops back to this one: no token
      for (const x of expand(inner, opts, failed, depth + 1)) out.push(x);
    }
    i += sep.kind === "eof" ? 1 : 2;
  }
  return out;
}

/** `include` where a statement starts: the stream's start, after a separator or `{`. */
function isInclude(toks: Tok[], i: number): boolean {
  const t = toks[i]!;
  if (t.kind !== "word" || t.text !== "include") return false;
  const prev = toks[i - 1];
  return !prev || prev.kind === "nl" || (prev.kind === "op" && prev.text === "{");
}

/** The files an include reads, in order, or nft's error message (scanner_include_file). */
function resolve(
  name: string,
  opts: NftIncludeOpts | undefined,
  depth: number,
): { path: string; text: string }[] | string {
  if (depth >= MAX_INCLUDE_DEPTH)
    return `Include nested too deeply, max ${MAX_INCLUDE_DEPTH} levels`;
  const wildcard = /[*?[]/.test(name);
  const direct = name.startsWith("/") || name.startsWith("./") || name.startsWith("../");
  const dirs = direct ? [""] : [NFT_DEFAULT_INCLUDE_PATH, ...(opts?.paths ?? [])];
  const found: string[][] = [];
  for (const d of dirs) {
    const pattern = direct ? name : `${d}/${name}`;
    const hits = opts ? glob(pattern, opts) : [];
    if (!wildcard && hits.length) {
      found.push(hits);
      break;
    }
    if (wildcard) found.push(hits);
  }
  if (!wildcard && !found.length) return `File not found: ${name}`;
  const files: { path: string; text: string }[] = [];
  for (const hits of found.reverse())
    for (const path of hits) {
      const text = path.endsWith("/") ? undefined : opts!.readFile(path);
      if (text !== undefined) files.push({ path, text });
    }
  return files;
}

/**
 * glob(3) with GLOB_NOESCAPE | GLOB_MARK: the paths `pattern` names, sorted, directories
 * with a trailing `/`. A component without wildcards is taken as written; a leading `.` is
 * matched only by a pattern that starts with one.
 */
export function glob(pattern: string, opts: NftIncludeOpts): string[] {
  const parts = pattern.split("/");
  let paths = [parts[0] === "" ? "" : parts[0]!];
  if (/[*?[]/.test(parts[0]!)) paths = matchIn(".", parts[0]!, opts).map((e) => e);
  for (const part of parts.slice(1)) {
    if (!part) continue;
    const next: string[] = [];
    for (const p of paths) {
      const dir = p.replace(/\/$/, "");
      if (!/[*?[]/.test(part)) next.push(`${dir}/${part}`);
      else for (const e of matchIn(dir || "/", part, opts)) next.push(`${dir}/${e}`);
    }
    paths = next;
  }
  const out: string[] = [];
  for (const p of paths) {
    const clean = p.replace(/\/$/, "");
    if (opts.readDir?.(clean) !== undefined) out.push(`${clean}/`);
    else if (opts.readFile(clean) !== undefined) out.push(clean);
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Entries of `dir` that match one pattern component (fnmatch with FNM_PERIOD). */
function matchIn(dir: string, part: string, opts: NftIncludeOpts): string[] {
  const entries = opts.readDir?.(dir) ?? [];
  const re = fnmatchRe(part);
  return entries
    .map((e) => e.replace(/\/$/, ""))
    .filter((e) => re.test(e) && (!e.startsWith(".") || part.startsWith(".")));
}

/** A glob component as a regular expression: `*`, `?`, `[...]` / `[!...]`, the rest literal. */
export function fnmatchRe(part: string): RegExp {
  let re = "";
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[" && part.indexOf("]", i + 2) > 0) {
      const end = part.indexOf("]", i + 2);
      let body = part.slice(i + 1, end);
      const neg = body.startsWith("!") || body.startsWith("^");
      if (neg) body = body.slice(1);
      re += `[${neg ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
