/**
 * The small shell subset people write setup scripts in: comments, `\` continuations,
 * `;` `&&` `||` and newlines, quotes, `VAR=value` and `$VAR`/`${VAR}`, simple
 * `for x in a b c; do ...; done` loops, redirections (ignored) and here-documents.
 * It only expands: nothing runs. The result is the list of simple commands in execution
 * order, each word with its file:line:column.
 *
 * The file is over 500 lines because lexer, parser and expander are one small language
 * that shares its token and statement types; arithmetic lives in arith.ts.
 *
 * @example
 * ```ts
 * const r = expandScript("for t in 100 200; do ip rule add lookup $t; done", "x.sh");
 * r.commands.map(c => c.words.map(w => w.text).join(" "));
 * // ["ip rule add lookup 100", "ip rule add lookup 200"]
 * ```
 * @module
 */
import type { Issue, IssueCode } from "../core/issue.js";
import type { SourceLoc } from "../core/loc.js";
import { defined } from "../core/result.js";
import { evalArith } from "./arith.js";

export { evalArith };

/** A word after expansion. */
export interface Word {
  text: string;
  loc: SourceLoc;
}
/** A simple command after expansion, with its here-document body if any. */
export interface SimpleCommand {
  words: Word[];
  heredoc?: { text: string; loc: SourceLoc };
  loc: SourceLoc;
  /** Joined to the previous command by `&&` (run if it succeeded) or `||` (run if it failed). */
  cond?: "and" | "or";
}

interface Seg {
  kind: "lit" | "var" | "arith";
  text: string;
  quoted: boolean;
  loc?: SourceLoc;
}
interface RawWord {
  segs: Seg[];
  loc: SourceLoc;
  hasQuotes: boolean;
}
type Tok =
  | { t: "word"; w: RawWord }
  | { t: "op"; op: ";" | "&&" | "||" | "|" | "&" | "\n"; loc: SourceLoc }
  | { t: "heredoc"; delim: string; quoted: boolean; strip: boolean; loc: SourceLoc }
  | { t: "redir"; loc: SourceLoc };

class Lexer {
  i = 0;
  line = 1;
  col = 1;
  toks: Tok[] = [];
  issues: Issue[] = [];
  pendingHeredocs: { tok: Extract<Tok, { t: "heredoc" }>; body?: string; bodyLoc?: SourceLoc }[] =
    [];
  heredocBodies = new Map<Tok, { text: string; loc: SourceLoc }>();
  constructor(
    readonly s: string,
    readonly file: string,
  ) {}
  loc(): SourceLoc {
    return { file: this.file, line: this.line, col: this.col };
  }
  peek(o = 0): string {
    return this.s[this.i + o] ?? "";
  }
  adv(): string {
    const c = this.s[this.i++] ?? "";
    if (c === "\n") {
      this.line++;
      this.col = 1;
    } else this.col++;
    return c;
  }
  err(code: IssueCode, message: string, loc: SourceLoc, token?: string, expected?: string) {
    this.issues.push({
      code,
      message,
      loc,
      ...defined({ token, expected: expected || undefined }),
    });
  }

  run(): void {
    while (this.i < this.s.length) {
      const c = this.peek();
      if (c === " " || c === "\t" || c === "\r") {
        this.adv();
        continue;
      }
      if (c === "\\" && this.peek(1) === "\n") {
        this.adv();
        this.adv();
        continue;
      }
      if (c === "#") {
        while (this.i < this.s.length && this.peek() !== "\n") this.adv();
        continue;
      }
      if (c === "\n") {
        const l = this.loc();
        this.adv();
        this.toks.push({ t: "op", op: "\n", loc: l });
        this.readHeredocBodies();
        continue;
      }
      const l = this.loc();
      if (c === ";") {
        this.adv();
        if (this.peek() === ";") {
          this.err("shell.unsupported", "case statements are not supported", l, ";;");
          this.adv();
        }
        this.toks.push({ t: "op", op: ";", loc: l });
        continue;
      }
      if (c === "&") {
        this.adv();
        if (this.peek() === "&") {
          this.adv();
          this.toks.push({ t: "op", op: "&&", loc: l });
        } else this.toks.push({ t: "op", op: "&", loc: l });
        continue;
      }
      if (c === "|") {
        this.adv();
        if (this.peek() === "|") {
          this.adv();
          this.toks.push({ t: "op", op: "||", loc: l });
        } else this.toks.push({ t: "op", op: "|", loc: l });
        continue;
      }
      if (c === "<" && this.peek(1) === "<" && this.peek(2) !== "<") {
        this.lexHeredoc();
        continue;
      }
      if (
        c === ">" ||
        c === "<" ||
        (/[0-9]/.test(c) && (this.peek(1) === ">" || this.peek(1) === "<"))
      ) {
        this.lexRedir();
        continue;
      }
      if (c === "$" && this.peek(1) === "(" && this.peek(2) === "(") {
        this.lexWord();
        continue;
      }
      if (c === "(" || c === ")" || c === "`" || (c === "$" && this.peek(1) === "(")) {
        this.err(
          "shell.unsupported",
          `unsupported shell syntax "${c === "$" ? "$(" : c}"`,
          l,
          c === "$" ? "$(" : c,
          "a simple command",
        );
        // Skip the rest of the line to avoid cascades.
        while (this.i < this.s.length && this.peek() !== "\n") this.adv();
        continue;
      }
      this.lexWord();
    }
    if (this.pendingHeredocs.length) this.readHeredocBodies();
  }

  lexRedir(): void {
    const l = this.loc();
    while (/[0-9]/.test(this.peek())) this.adv();
    this.adv();
    if (this.peek() === ">" || this.peek() === "&") this.adv();
    if (this.peek() === "&") this.adv();
    while (this.peek() === " " || this.peek() === "\t") this.adv();
    // Target word (e.g. /dev/null, &1 handled above).
    if (this.peek() !== "\n" && this.peek() !== "" && this.peek() !== ";") {
      const before = this.toks.length;
      this.lexWord();
      this.toks.length = before;
    }
    this.toks.push({ t: "redir", loc: l });
  }

  lexHeredoc(): void {
    const l = this.loc();
    this.adv();
    this.adv();
    let strip = false;
    if (this.peek() === "-") {
      strip = true;
      this.adv();
    }
    while (this.peek() === " ") this.adv();
    let quoted = false,
      delim = "";
    const q = this.peek();
    if (q === "'" || q === '"') {
      quoted = true;
      this.adv();
      while (this.i < this.s.length && this.peek() !== q) delim += this.adv();
      this.adv();
    } else while (/[A-Za-z0-9_\-]/.test(this.peek())) delim += this.adv();
    if (!delim) {
      this.err("shell.syntax", "here-document needs a delimiter", l, "<<", "a delimiter word");
      return;
    }
    const tok = { t: "heredoc" as const, delim, quoted, strip, loc: l };
    this.toks.push(tok);
    this.pendingHeredocs.push({ tok });
  }

  readHeredocBodies(): void {
    for (const h of this.pendingHeredocs) {
      const bodyLoc = this.loc();
      const lines: string[] = [];
      let closed = false;
      while (this.i < this.s.length) {
        let ln = "";
        while (this.i < this.s.length && this.peek() !== "\n") ln += this.adv();
        if (this.peek() === "\n") this.adv();
        const cmp = h.tok.strip ? ln.replace(/^\t+/, "") : ln;
        if (cmp === h.tok.delim) {
          closed = true;
          break;
        }
        lines.push(h.tok.strip ? ln.replace(/^\t+/, "") : ln);
      }
      if (!closed)
        this.err(
          "shell.syntax",
          `here-document delimited by end-of-file (wanted \`${h.tok.delim}')`,
          h.tok.loc,
          "<<" + h.tok.delim,
          h.tok.delim,
        );
      this.heredocBodies.set(h.tok, {
        text: lines.join("\n") + (lines.length ? "\n" : ""),
        loc: { ...bodyLoc, line: bodyLoc.line },
      });
    }
    this.pendingHeredocs = [];
  }

  /** $(( expr )): arithmetic expansion, evaluated when the word is expanded. */
  readArith(segs: Seg[], quoted: boolean): boolean {
    const l = this.loc();
    this.adv();
    this.adv();
    this.adv();
    let depth = 0,
      expr = "";
    while (this.i < this.s.length) {
      const d = this.peek();
      if (d === ")" && depth === 0 && this.peek(1) === ")") {
        this.adv();
        this.adv();
        segs.push({ kind: "arith", text: expr, quoted, loc: l });
        return true;
      }
      if (d === "(") depth++;
      if (d === ")") depth--;
      if (d === "\n") break;
      expr += this.adv();
    }
    this.err("shell.syntax", "unterminated arithmetic expansion", l, "$((", "))");
    return false;
  }

  /** `$NAME` or `${NAME}` (other parameter expansions are refused). */
  readVar(segs: Seg[], quoted: boolean): void {
    const l = this.loc();
    this.adv(); // $
    if (this.peek() === "{") {
      this.adv();
      let name = "";
      while (this.i < this.s.length && this.peek() !== "}") name += this.adv();
      if (this.peek() !== "}") {
        this.err("shell.syntax", "bad substitution", l, "${" + name, "}");
        return;
      }
      this.adv();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        this.err(
          "shell.unsupported",
          `unsupported parameter expansion "\${${name}}"`,
          l,
          "${" + name + "}",
          "${NAME}",
        );
        return;
      }
      segs.push({ kind: "var", text: name, quoted });
      return;
    }
    let name = "";
    while (/[A-Za-z0-9_]/.test(this.peek())) name += this.adv();
    if (!name) {
      lit(segs, "$", quoted);
      return;
    }
    segs.push({ kind: "var", text: name, quoted });
  }

  /** '...': literal up to the next quote; false at EOF (reported). */
  readSingle(segs: Seg[]): boolean {
    const l = this.loc();
    this.adv();
    let t = "";
    while (this.i < this.s.length && this.peek() !== "'") t += this.adv();
    if (this.peek() !== "'") {
      this.err("shell.syntax", "unexpected EOF while looking for matching `''", l, "'", "'");
      return false;
    }
    this.adv();
    lit(segs, t, true);
    return true;
  }

  /** "...": `\` escapes, `$VAR` and `$((…))` inside; false at EOF (reported). */
  readDouble(segs: Seg[]): boolean {
    const l = this.loc();
    this.adv();
    while (this.i < this.s.length) {
      const d = this.peek();
      if (d === '"') {
        this.adv();
        if (segs.length === 0) lit(segs, "", true);
        return true;
      }
      if (d === "\\" && '"\\$`\n'.includes(this.peek(1))) {
        this.adv();
        const e = this.adv();
        if (e !== "\n") lit(segs, e, true);
      } else if (d === "$" && this.peek(1) === "(" && this.peek(2) === "(") {
        if (!this.readArith(segs, true)) return false;
      } else if (d === "$" && this.peek(1) === "(") {
        this.err(
          "shell.unsupported",
          'unsupported shell syntax "$("',
          this.loc(),
          "$(",
          "a simple command",
        );
        this.adv();
      } else if (d === "$") this.readVar(segs, true);
      else lit(segs, this.adv(), true);
    }
    this.err("shell.syntax", "unexpected EOF while looking for matching `\"'", l, '"', '"');
    return false;
  }

  lexWord(): void {
    const loc = this.loc();
    const segs: Seg[] = [];
    let hasQuotes = false;
    while (this.i < this.s.length) {
      const c = this.peek();
      if (" \t\r\n;&|<>()`".includes(c)) break;
      if (c === "\\") {
        this.adv();
        if (this.peek() === "\n") {
          this.adv();
          continue;
        }
        lit(segs, this.adv(), true);
        hasQuotes = true;
      } else if (c === "'") {
        hasQuotes = true;
        if (!this.readSingle(segs)) return;
      } else if (c === '"') {
        hasQuotes = true;
        if (!this.readDouble(segs)) return;
      } else if (c === "$" && this.peek(1) === "(" && this.peek(2) === "(") {
        if (!this.readArith(segs, false)) return;
      } else if (c === "$" && this.peek(1) !== "(") this.readVar(segs, false);
      else if (c === "$") break;
      else lit(segs, this.adv(), false);
    }
    if (segs.length) this.toks.push({ t: "word", w: { segs, loc, hasQuotes } });
  }
}

/** Append literal text, merging with the previous literal of the same quoting. */
function lit(segs: Seg[], text: string, quoted: boolean): void {
  const last = segs[segs.length - 1];
  if (last && last.kind === "lit" && last.quoted === quoted) last.text += text;
  else segs.push({ kind: "lit", text, quoted });
}

// ---- Parsing into statements ----
type Stmt =
  | { k: "cmd"; words: RawWord[]; heredoc?: Tok; loc: SourceLoc; cond?: "and" | "or" }
  | { k: "for"; name: string; items: RawWord[]; body: Stmt[]; loc: SourceLoc };

function isWord(t: Tok | undefined, text?: string): boolean {
  if (!t || t.t !== "word") return false;
  if (text === undefined) return true;
  const w = t.w;
  return (
    !w.hasQuotes && w.segs.length === 1 && w.segs[0]!.kind === "lit" && w.segs[0]!.text === text
  );
}

class Parser {
  p = 0;
  constructor(
    readonly toks: Tok[],
    readonly issues: Issue[],
    readonly eofLoc: SourceLoc,
  ) {}
  skipSeps(): void {
    while (
      this.toks[this.p]?.t === "op" &&
      ["\n", ";"].includes((this.toks[this.p] as { op: string }).op)
    )
      this.p++;
  }

  list(until?: string): Stmt[] {
    const out: Stmt[] = [];
    let cond: "and" | "or" | undefined;
    for (;;) {
      this.skipSeps();
      const t = this.toks[this.p];
      if (!t) {
        if (until)
          this.issues.push({
            code: "shell.syntax",
            message: `syntax error: unexpected end of file (expecting "${until}")`,
            loc: this.eofLoc,
            expected: until,
          });
        return out;
      }
      if (until && isWord(t, until)) {
        this.p++;
        return out;
      }
      if (isWord(t, "for")) {
        out.push(this.forLoop());
        continue;
      }
      if (
        isWord(t, "if") ||
        isWord(t, "while") ||
        isWord(t, "case") ||
        isWord(t, "function") ||
        isWord(t, "until")
      ) {
        const w = (t as { w: RawWord }).w;
        this.issues.push({
          code: "shell.unsupported",
          message: `unsupported shell construct "${w.segs[0]!.text}"`,
          loc: w.loc,
          token: w.segs[0]!.text,
          expected: "a simple command or a for loop",
        });
        // Skip to the end of the script: control flow we do not model would silently lose state.
        this.p = this.toks.length;
        return out;
      }
      const cmd = this.simple();
      if (cond) cmd.cond = cond;
      cond = undefined;
      out.push(cmd);
      const sep = this.toks[this.p];
      if (sep?.t === "op") {
        // The loader runs the right side by the left side's exit status, as the shell does.
        if (sep.op === "||") cond = "or";
        if (sep.op === "&&") cond = "and";
        if (sep.op === "|")
          this.issues.push({
            code: "shell.unsupported",
            message: "pipelines are not supported",
            loc: sep.loc,
            token: "|",
            expected: "; or a newline",
          });
        this.p++;
      }
    }
  }

  forLoop(): Stmt {
    const loc = (this.toks[this.p] as { w: RawWord }).w.loc;
    this.p++;
    const nameTok = this.toks[this.p];
    if (!nameTok || nameTok.t !== "word") {
      this.issues.push({
        code: "shell.syntax",
        message: "syntax error: bad for loop variable",
        loc,
        expected: "a variable name",
      });
      return { k: "for", name: "_", items: [], body: [], loc };
    }
    const name = nameTok.w.segs.map((s) => s.text).join("");
    this.p++;
    const items: RawWord[] = [];
    if (isWord(this.toks[this.p], "in")) {
      this.p++;
      while (this.toks[this.p]?.t === "word" && !isWord(this.toks[this.p], "do")) {
        items.push((this.toks[this.p] as { w: RawWord }).w);
        this.p++;
      }
    } else {
      this.issues.push({
        code: "shell.unsupported",
        message: "for loops need an explicit `in` word list",
        loc,
        expected: "in",
      });
    }
    this.skipSeps();
    if (!isWord(this.toks[this.p], "do")) {
      this.issues.push({
        code: "shell.syntax",
        message: 'syntax error: expecting "do"',
        loc: this.locOf(this.p) ?? loc,
        expected: "do",
      });
      return { k: "for", name, items, body: [], loc };
    }
    this.p++;
    const body = this.list("done");
    return { k: "for", name, items, body, loc };
  }

  locOf(p: number): SourceLoc | undefined {
    const t = this.toks[p];
    return t ? (t.t === "word" ? t.w.loc : t.loc) : undefined;
  }

  simple(): Extract<Stmt, { k: "cmd" }> {
    const words: RawWord[] = [];
    let heredoc: Tok | undefined;
    const loc = this.locOf(this.p)!;
    while (this.p < this.toks.length) {
      const t = this.toks[this.p]!;
      if (t.t === "op") break;
      if (t.t === "word") words.push(t.w);
      else if (t.t === "heredoc") heredoc = t;
      this.p++;
    }
    return { k: "cmd", words, ...defined({ heredoc }), loc };
  }
}

/** Options for expanding a script. */
export interface ExpandOptions {
  env?: Record<string, string>;
}

/**
 * Expand a script into simple commands in order (loops unrolled, variables substituted,
 * `VAR=value` assignments applied). Problems come back as issues with locations.
 * @example
 * expandScript("A=1\nip rule add pref $A lookup main", "s.sh").commands[0].words[4].text
 * // "1"
 */
export function expandScript(
  text: string,
  file: string,
  opts: ExpandOptions = {},
): { commands: SimpleCommand[]; issues: Issue[] } {
  const lx = new Lexer(text, file);
  lx.run();
  const ps = new Parser(lx.toks, lx.issues, lx.loc());
  const stmts = ps.list();
  const ex = new Expander(lx.issues, lx.heredocBodies, opts.env ?? {});
  ex.run(stmts);
  return { commands: ex.commands, issues: lx.issues };
}

/** Runs the statements with the variables they set: for loops, assignments, commands. */
class Expander {
  readonly env: Map<string, string>;
  readonly commands: SimpleCommand[] = [];
  constructor(
    readonly issues: Issue[],
    readonly heredocs: Lexer["heredocBodies"],
    env: Readonly<Record<string, string>>,
  ) {
    this.env = new Map(Object.entries(env));
  }

  /** One word's fields: unquoted variable values are split on whitespace (IFS default). */
  expandWord(w: RawWord, split: boolean): Word[] {
    const fields: string[] = [""];
    let any = w.hasQuotes;
    const append = (t: string) => {
      fields[fields.length - 1] += t;
    };
    for (const s of w.segs) {
      if (s.kind === "lit") {
        append(s.text);
        any = true;
      } else if (s.kind === "arith") {
        const r = evalArith(s.text, this.env);
        if (typeof r === "string")
          this.issues.push({
            code: "shell.arith",
            message: `arithmetic expansion: ${r}`,
            loc: s.loc ?? w.loc,
            token: `$((${s.text}))`,
            expected: "integers, variables and + - * / % << >> & | ^ ( )",
          });
        else append(String(r));
        any = true;
      } else {
        const v = this.variable(s.text, w.loc);
        if (v === undefined) continue;
        if (s.quoted || !split) {
          append(v);
          any = true;
          continue;
        }
        v.split(/[ \t\n]+/).forEach((p, i) => {
          if (i > 0) fields.push("");
          append(p);
        });
        if (v.trim() !== "") any = true;
      }
    }
    const out = fields.filter(
      (f, i) => f !== "" || (any && fields.length === 1 && i === 0 && w.hasQuotes),
    );
    return out.map((text) => ({ text, loc: w.loc }));
  }

  /** `$NAME`: its value, or an issue when the script never set it. */
  variable(name: string, loc: SourceLoc): string | undefined {
    const v = this.env.get(name);
    if (v === undefined)
      this.issues.push({
        code: "shell.unset-variable",
        message: `variable "${name}" is not set`,
        loc,
        token: "$" + name,
        expected: "a variable assigned earlier in the script",
      });
    return v;
  }

  run(list: Stmt[]): void {
    for (const s of list) {
      if (s.k === "for") {
        for (const it of s.items.flatMap((w) => this.expandWord(w, true))) {
          this.env.set(s.name, it.text);
          this.run(s.body);
        }
      } else this.command(s);
    }
  }

  /** Leading `NAME=value` words: the assignments and the index of the first other word. */
  assignments(words: RawWord[]): { assigns: [string, string][]; i: number } {
    let i = 0;
    const assigns: [string, string][] = [];
    for (; i < words.length; i++) {
      const w = words[i]!;
      const first = w.segs[0];
      const m =
        first && first.kind === "lit" && !first.quoted
          ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.text)
          : null;
      if (!m) break;
      const valueWord: RawWord = {
        ...w,
        segs: [{ ...first!, text: first!.text.slice(m[0].length) }, ...w.segs.slice(1)],
      };
      const value = this.expandWord(valueWord, false).map((x) => x.text);
      assigns.push([m[1]!, value.join(" ")]);
    }
    return { assigns, i };
  }

  command(s: Extract<Stmt, { k: "cmd" }>): void {
    const { assigns, i } = this.assignments(s.words);
    const rest = s.words.slice(i).flatMap((w) => this.expandWord(w, true));
    if (rest.length === 0) {
      for (const [k, v] of assigns) this.env.set(k, v);
      if (s.cond)
        this.commands.push({ words: [{ text: ":", loc: s.loc }], loc: s.loc, cond: s.cond });
      return;
    }
    if (["export", "local", "readonly"].includes(rest[0]!.text)) {
      for (const w of rest.slice(1)) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w.text);
        if (m) this.env.set(m[1]!, m[2]!);
      }
      return;
    }
    const hd = s.heredoc ? this.heredocs.get(s.heredoc) : undefined;
    let hdText = hd?.text;
    if (hd && s.heredoc && s.heredoc.t === "heredoc" && !s.heredoc.quoted) {
      hdText = hd.text.replace(
        /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
        (_m, a: string | undefined, b: string | undefined) => this.env.get((a ?? b)!) ?? "",
      );
    }
    this.commands.push({
      words: rest,
      loc: s.loc,
      ...(hd ? { heredoc: { text: hdText!, loc: hd.loc } } : {}),
      ...defined({ cond: s.cond }),
    });
  }
}
