/**
 * Pathname expansion (bash's glob_filename): an unquoted `*`, `?` or `[…]` in a word matches
 * the names the caller's `readDir` lists, one path component at a time; a leading `.` is
 * matched only by a pattern that starts with one; the matches are sorted (the C.UTF-8
 * collation, code point order). A pattern that matches nothing stays as written, as bash
 * leaves it without `nullglob`. The virtual host reads no file system itself: the caller's
 * `readDir`/`readFile` are the only view of one.
 * @module
 */
import { globToRe } from "./expand.js";

/** What pathname expansion reads. */
export interface GlobFs {
  readDir(path: string): readonly string[] | undefined;
  exists(path: string): boolean;
}

/** True when the pattern has an unescaped `*`, `?` or a bracket expression. */
export function hasGlob(pat: string): boolean {
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i]!;
    if (c === "\\") i++;
    else if (c === "*" || c === "?") return true;
    else if (c === "[" && pat.indexOf("]", i + 2) > 0) return true;
  }
  return false;
}

function unquote(pat: string): string {
  return pat.replace(/\\(.)/gs, "$1");
}

function join(dir: string, name: string): string {
  return dir === "" ? name : dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/** The paths one component matches under each of `dirs`. */
function step(dirs: string[], comp: string, fs: GlobFs): string[] {
  if (!hasGlob(comp)) return dirs.map((d) => join(d, unquote(comp)));
  const re = new RegExp(`^(?:${globToRe(comp)})$`, "s");
  const out: string[] = [];
  for (const d of dirs)
    for (const entry of fs.readDir(d === "" ? "." : d) ?? []) {
      // A subdirectory's name ends in `/` (the loader's readDir).
      const n = entry.replace(/\/$/, "");
      if (n.startsWith(".") && !comp.startsWith(".") && !comp.startsWith("\\.")) continue;
      if (re.test(n)) out.push(join(d, n));
    }
  return out;
}

/**
 * The paths a pattern matches, sorted; undefined when it matches none (the word stays).
 * @example expandPath("/etc/*.d", fs) // ["/etc/init.d", "/etc/rc.d"]
 */
export function expandPath(pat: string, fs: GlobFs): string[] | undefined {
  const abs = pat.startsWith("/");
  const comps = pat.split("/").slice(abs ? 1 : 0);
  let paths = [abs ? "/" : ""];
  for (let k = 0; k < comps.length && paths.length; k++) {
    const comp = comps[k]!;
    if (comp === "") {
      // `dir/*/`: only directories, written with the slash; `a//b` is `a/b`.
      if (k === comps.length - 1)
        paths = paths.filter((p) => fs.readDir(p) !== undefined).map((p) => p + "/");
      continue;
    }
    paths = step(paths, comp, fs);
  }
  const found = paths.filter((p) => fs.exists(p.replace(/(.)\/$/, "$1")));
  if (found.length === 0) return undefined;
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
