/**
 * Word expansion as bash does it: parameters (with the `${x:-w}`, `${#x}`, `${x%%p}`,
 * `${x/p/r}`, `${x:o:l}`, `${x^^}` operators), command substitution, arithmetic, then field
 * splitting on IFS; `"$@"` keeps one field per parameter; then pathname expansion through the
 * host (glob.ts: the caller's view of a file system; a pattern that matches nothing stays as
 * written, as in bash). Patterns (`case`, `${x#p}`) become regular expressions.
 * @module
 */
import type { SourceLoc } from "../../core/loc.js";
import type { Part, Word } from "./ast.js";

/** What expansion needs from the running shell. */
export interface ExpandHost {
  param(name: string, loc: SourceLoc, quiet: boolean): string | undefined;
  /** The elements of an indexed array (a set scalar is element 0; unset: none). */
  array(name: string): string[];
  positional(): string[];
  assign(name: string, value: string, loc: SourceLoc): void;
  cmdsub(part: Extract<Part, { k: "cmdsub" }>): string;
  /** `<(…)`: the file name the command's output is readable at. */
  procsub(part: Extract<Part, { k: "procsub" }>): string;
  /** `${a[i]}`: element i (i < 0 counts back from the highest index + 1); unset: undefined. */
  element(name: string, i: number): string | undefined;
  arith(text: string, loc: SourceLoc): string;
  error(message: string, loc: SourceLoc, token?: string): never;
  /**
   * Pathname expansion of one field: `pattern` is the field with its quoted characters
   * escaped by `\`; the sorted matches, or undefined to keep the field as it is.
   */
  glob?(pattern: string): string[] | undefined;
}

/** A field after expansion, at its word's location. */
export interface Field {
  text: string;
  loc: SourceLoc;
}

interface Building {
  text: string;
  real: boolean;
  /** The field as a pathname pattern: quoted characters escaped. */
  pat: string;
}

/** Quoted text in a pattern: its glob characters are literal. */
function quoteGlob(text: string): string {
  return text.replace(/[\\*?[\]]/g, "\\$&");
}

/** Split a value on IFS (whitespace runs collapse; other IFS characters delimit). */
export function splitIfs(
  v: string,
  ifs: string,
): { fields: string[]; lead: boolean; trail: boolean } {
  if (ifs === "") return { fields: v === "" ? [] : [v], lead: false, trail: false };
  const ws = [...ifs].filter((c) => " \t\n".includes(c)).join("");
  const isWs = (c: string) => ws.includes(c);
  const isSep = (c: string) => ifs.includes(c);
  const fields: string[] = [];
  let i = 0;
  const lead = v.length > 0 && isSep(v[0]!);
  while (i < v.length && isWs(v[i]!)) i++;
  let cur = "";
  let open = false;
  for (; i < v.length; i++) {
    const c = v[i]!;
    if (!isSep(c)) {
      cur += c;
      open = true;
      continue;
    }
    let j = i;
    while (j < v.length && isWs(v[j]!)) j++;
    if (j < v.length && isSep(v[j]!) && !isWs(v[j]!)) j++;
    while (j < v.length && isWs(v[j]!)) j++;
    fields.push(cur);
    cur = "";
    open = false;
    i = j - 1;
  }
  if (open) fields.push(cur);
  const trail = v.length > 0 && isSep(v[v.length - 1]!) && !open;
  return { fields, lead, trail };
}

/** The fields of words (split, `"$@"` kept apart; empty unquoted results dropped). */
export function expandFields(words: readonly Word[], h: ExpandHost, ifs: string): Field[] {
  const out: Field[] = [];
  for (const w of words) {
    const fields: Building[] = [{ text: "", real: false, pat: "" }];
    const cur = () => fields[fields.length - 1]!;
    const add = (t: string, quoted: boolean) => {
      cur().text += t;
      cur().pat += quoted ? quoteGlob(t) : t;
    };
    const open = (real: boolean) => fields.push({ text: "", real, pat: "" });
    for (const p of w.parts) {
      if (p.k === "lit") {
        add(tilde(p, w, fields.length === 1 && cur().text === ""), p.quoted);
        if (p.quoted || p.text) cur().real = true;
        continue;
      }
      const all = p.k === "param" && (p.name === "@" || p.name === "*" || allIndex(p));
      if (p.k === "param" && all && !p.op && p.quoted) {
        const args = p.index ? h.array(p.name) : h.positional();
        const star = p.index ? allIndex(p) === "*" : p.name === "*";
        if (star) {
          add(args.join(ifs[0] ?? ""), true);
          cur().real = true;
          continue;
        }
        args.forEach((a, k) => {
          if (k > 0) open(true);
          add(a, true);
          cur().real = true;
        });
        continue;
      }
      const v = partValue(p, h);
      if (p.quoted) {
        add(v, true);
        cur().real = true;
        continue;
      }
      const s = splitIfs(v, ifs);
      if (s.lead && (cur().text || cur().real)) open(false);
      s.fields.forEach((f, k) => {
        if (k > 0) open(false);
        add(f, false);
        cur().real = true;
      });
      if (s.trail && s.fields.length) open(false);
    }
    for (const f of fields) {
      if (!f.real && !f.text) continue;
      const paths = f.pat !== quoteGlob(f.text) ? h.glob?.(f.pat) : undefined;
      if (paths) for (const text of paths) out.push({ text, loc: w.loc });
      else out.push({ text: f.text, loc: w.loc });
    }
  }
  return out;
}

/** `~` and `~/…` at the start of an unquoted word: root's home (setup scripts run as root). */
function tilde(p: Extract<Part, { k: "lit" }>, w: Word, first: boolean): string {
  if (p.quoted || !first || p !== w.parts[0]) return p.text;
  return p.text === "~" || p.text.startsWith("~/") ? "/root" + p.text.slice(1) : p.text;
}

/** One word as a single string (assignments, redirection targets, `case` words). */
export function expandString(w: Word, h: ExpandHost): string {
  let t = "";
  for (const p of w.parts) t += p.k === "lit" ? p.text : partValue(p, h);
  return t;
}

/** One expansion's value. */
export function partValue(p: Exclude<Part, { k: "lit" }>, h: ExpandHost): string {
  if (p.k === "cmdsub") return h.cmdsub(p);
  if (p.k === "procsub") return h.procsub(p);
  if (p.k === "arith") return h.arith(expandString(p.expr, h), p.loc);
  return paramValue(p, h);
}

/** `@` or `*` when the parameter is `${a[@]}` / `${a[*]}`. */
function allIndex(p: Extract<Part, { k: "param" }>): string | undefined {
  const i = p.index?.parts[0];
  return p.index?.parts.length === 1 && i?.k === "lit" && /^[@*]$/.test(i.text)
    ? i.text
    : undefined;
}

/** `${a[@]}` (elements joined), `${#a[@]}` (their count), `${a[i]}` (one element; i < 0 from
 * the end, as bash 4.3+), each then taking the operator as a scalar would. */
function indexed(p: Extract<Part, { k: "param" }>, h: ExpandHost): string | undefined {
  const els = h.array(p.name);
  if (allIndex(p)) return p.op === "length" ? String(els.length) : els.join(" ");
  return h.element(p.name, Number(h.arith(expandString(p.index!, h), p.loc)));
}

function paramValue(p: Extract<Part, { k: "param" }>, h: ExpandHost): string {
  if (p.index && allIndex(p) && p.op === "length") return indexed(p, h)!;
  const op = p.op;
  // `${a[@]/p/r}`, `${a[@]%.*}`: the operator applies to each element.
  if (p.index && allIndex(p) && op && !/^:?[-=+?]$/.test(op))
    return h
      .array(p.name)
      .map((e) => operate(op, e, p, h))
      .join(" ");
  const quiet = op !== undefined && op !== "length" && /^:?[-=+?]$/.test(op);
  const v = p.index ? indexed(p, h) : h.param(p.name, p.loc, quiet);
  if (!op) return v ?? "";
  if (op === "length") return String([...(v ?? "")].length);
  const arg = () => (p.arg ? expandString(p.arg, h) : "");
  const colon = op.startsWith(":") && op.length === 2;
  const unset = v === undefined || (colon && v === "");
  switch (colon ? op.slice(1) : op) {
    case "-":
      return unset ? arg() : v!;
    case "=":
      if (!unset) return v!;
      h.assign(p.name, arg(), p.loc);
      return arg();
    case "+":
      return unset ? "" : arg();
    case "?":
      if (unset) h.error(`${p.name}: ${arg() || "parameter null or not set"}`, p.loc, p.name);
      return v!;
  }
  return operate(op, v ?? "", p, h);
}

/** The operators that transform a value: trimming, replacing, substrings, case. */
function operate(op: string, v: string, p: Extract<Part, { k: "param" }>, h: ExpandHost): string {
  if (op === ":") return substring(v, p.arg ? expandString(p.arg, h) : "", p.loc, h);
  if (op === "^^" || op === "^")
    return op === "^^" ? v.toUpperCase() : v.charAt(0).toUpperCase() + v.slice(1);
  if (op === ",," || op === ",")
    return op === ",," ? v.toLowerCase() : v.charAt(0).toLowerCase() + v.slice(1);
  if (op.startsWith("/")) return replace(op, v, p.arg, h);
  const pat = p.arg ? patternSource(p.arg, h) : "";
  const longest = op === "##" || op === "%%";
  if (op.startsWith("#")) {
    for (let n = longest ? v.length : 0; longest ? n >= 0 : n <= v.length; n += longest ? -1 : 1)
      if (new RegExp(`^(?:${pat})$`, "s").test(v.slice(0, n))) return v.slice(n);
    return v;
  }
  for (let n = longest ? 0 : v.length; longest ? n <= v.length : n >= 0; n += longest ? 1 : -1)
    if (new RegExp(`^(?:${pat})$`, "s").test(v.slice(n))) return v.slice(0, n);
  return v;
}

function substring(v: string, spec: string, loc: SourceLoc, h: ExpandHost): string {
  const k = spec.indexOf(":");
  const off = Number(h.arith(k < 0 ? spec : spec.slice(0, k), loc));
  const start = off < 0 ? Math.max(0, v.length + off) : Math.min(off, v.length);
  if (k < 0) return v.slice(start);
  const len = Number(h.arith(spec.slice(k + 1), loc));
  return len < 0 ? v.slice(start, Math.max(start, v.length + len)) : v.slice(start, start + len);
}

/** `${x/p/r}`, `${x//p/r}`, `${x/#p/r}`, `${x/%p/r}`: the first unquoted `/` splits p and r. */
function replace(op: string, v: string, arg: Word | undefined, h: ExpandHost): string {
  const parts = arg?.parts ?? [];
  let k = parts.findIndex((q) => q.k === "lit" && !q.quoted && q.text.includes("/"));
  let pat: Word = { parts, loc: arg?.loc ?? { file: "", line: 0, col: 0 } };
  let rep = "";
  if (k >= 0) {
    const q = parts[k] as Extract<Part, { k: "lit" }>;
    const cut = q.text.indexOf("/");
    const before = [...parts.slice(0, k), { ...q, text: q.text.slice(0, cut) }];
    const after = [{ ...q, text: q.text.slice(cut + 1) }, ...parts.slice(k + 1)];
    pat = { parts: before, loc: pat.loc };
    rep = expandString({ parts: after, loc: pat.loc }, h);
  } else k = -1;
  const src = patternSource(pat, h);
  if (src === "") return v;
  const anchor = op === "/#" ? "^" : "";
  const end = op === "/%" ? "$" : "";
  const re = new RegExp(anchor + `(?:${src})` + end, op === "//" ? "gs" : "s");
  // Shell patterns match the longest string at the first position, as the greedy regex does.
  return v.replace(re, () => rep);
}

/** A pattern word as a regular expression source: unquoted glob characters are active. */
export function patternSource(w: Word, h: ExpandHost): string {
  let src = "";
  for (const p of w.parts) {
    if (p.k === "lit") src += p.quoted ? escapeRe(p.text) : globToRe(p.text);
    else src += p.quoted ? escapeRe(partValue(p, h)) : globToRe(partValue(p, h));
  }
  return src;
}

function escapeRe(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

/** `*`, `?` and `[…]` (with `!`/`^` negation) to regular expression syntax. */
export function globToRe(g: string): string {
  let r = "";
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === "*") r += "[\\s\\S]*";
    else if (c === "?") r += "[\\s\\S]";
    else if (c === "\\" && i + 1 < g.length) r += escapeRe(g[++i]!);
    else if (c === "[") {
      const end = classEnd(g, i);
      if (end < 0) {
        r += "\\[";
        continue;
      }
      let body = g.slice(i + 1, end);
      const neg = body.startsWith("!") || body.startsWith("^");
      if (neg) body = body.slice(1);
      body = body.replace(/\\/g, "\\\\");
      body = body.replace(
        /\[:(alpha|digit|alnum|space|upper|lower|xdigit|punct):\]/g,
        (_m, n: string) => CLASSES[n] ?? "",
      );
      r += `[${neg ? "^" : ""}${body}]`;
      i = end;
    } else r += escapeRe(c);
  }
  return r;
}

/** The `]` closing the bracket expression at `i` (a leading `]` and `[:class:]` inside). */
function classEnd(g: string, i: number): number {
  let j = i + 1;
  if (g[j] === "!" || g[j] === "^") j++;
  if (g[j] === "]") j++;
  while (j < g.length && g[j] !== "]") {
    const k = g.startsWith("[:", j) ? g.indexOf(":]", j + 2) : -1;
    j = k < 0 ? j + 1 : k + 2;
  }
  return j < g.length ? j : -1;
}

const CLASSES: Record<string, string> = {
  alpha: "a-zA-Z",
  digit: "0-9",
  alnum: "a-zA-Z0-9",
  space: " \\t\\n\\r\\f\\v",
  upper: "A-Z",
  lower: "a-z",
  xdigit: "0-9a-fA-F",
  punct: "!-\\/:-@\\[-`{-~",
};
