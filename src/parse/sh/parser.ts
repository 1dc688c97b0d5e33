/**
 * The command level of the shell parser: lists, `&&`/`||`, pipelines, `if`/`while`/`until`/
 * `for`/`case`, `{ …; }`, `( … )`, functions, `((…))`, `[[ … ]]`, redirections and
 * here-documents. Recursive descent with a depth limit (words.ts): a crafted script nested
 * thousands deep is a located syntax error, never a stack overflow.
 *
 * Kept whole: the shell's command grammar is one recursive descent whose productions call
 * each other (lists inside `if`, `case`, `$(…)`); the word level is in words.ts.
 * @module
 */
import { IssueError, type Issue } from "../../core/issue.js";
import type { AndOr, Assign, CaseArm, Command, List, Part, Pipeline, Redir, Word } from "./ast.js";
import { type Origin, WordReader, plainText } from "./words.js";

type Compound = Exclude<Command, { k: "func" }>;

const RESERVED_END = new Set(["then", "elif", "else", "fi", "do", "done", "esac", "}"]);
const REDIR_OPS = ["&>>", "<<<", "<<-", "&>", ">>", "<<", "<&", ">&", "<>", ">|", ">", "<"];

interface PendingDoc {
  redir: Redir;
  delim: string;
  strip: boolean;
  quoted: boolean;
}

export class ShellParser extends WordReader {
  pending: PendingDoc[] = [];

  constructor(src: string, origin: Origin, depth = 0) {
    super(src, origin);
    this.depth = depth;
  }

  subList(close: string): List {
    const body = this.list();
    this.blanks(true);
    if (this.peek() !== close)
      this.fail(`syntax error: expecting \`${close}'`, this.i, this.peek() || "EOF", close);
    this.i++;
    return body;
  }

  subParse(text: string, at: number, mode: "script" | "heredoc"): List | Word {
    const l = this.loc(at);
    const p = new ShellParser(text, { file: l.file, line: l.line, col: l.col }, this.depth);
    if (mode === "heredoc") return p.heredocWord();
    const body = p.list();
    p.blanks(true);
    if (p.i < text.length)
      p.fail(`syntax error near unexpected token \`${p.peek()}'`, p.i, p.peek());
    return body;
  }

  /** An unquoted here-document body (or arithmetic text): expansions, no quote removal. */
  heredocWord(): Word {
    const parts: Part[] = [];
    while (this.i < this.src.length) this.dqChar(parts, true);
    return { parts, loc: this.loc(0) };
  }

  /** Skip blanks, `\`-newline and comments; with `nl`, newlines too (reading here-documents). */
  blanks(nl = false): void {
    for (;;) {
      const c = this.peek();
      if (c === " " || c === "\t" || c === "\r") this.i++;
      else if (c === "\\" && this.peek(1) === "\n") this.i += 2;
      else if (c === "#") while (this.i < this.src.length && this.peek() !== "\n") this.i++;
      else if (c === "\n" && nl) this.newline();
      else return;
    }
  }

  newline(): void {
    this.i++;
    for (const d of this.pending.splice(0)) this.readHeredoc(d);
  }

  /** The reserved word at the cursor (unquoted, ending at a delimiter), without consuming it. */
  reserved(): string | undefined {
    const m = /^(?:[a-z]+|\{|\}|!|\[\[)(?=[\s;&|<>()]|$)/.exec(this.src.slice(this.i, this.i + 12));
    return m?.[0];
  }

  /** A list up to a terminator (a closing reserved word, `)`, `;;` or end of input). */
  list(out: List = []): List {
    for (;;) {
      this.blanks(true);
      const c = this.peek();
      if (!c || c === ")" || this.startsWith(";;") || this.startsWith(";&")) return out;
      const r = this.reserved();
      if (r && RESERVED_END.has(r)) return out;
      if (c === ";" || c === "&" || c === "|")
        this.fail(`syntax error near unexpected token \`${c}'`, this.i, c);
      const ao = this.andOr();
      out.push(ao);
      this.blanks();
      if (this.peek() === "&" && this.peek(1) !== "&") {
        ao.background = true;
        this.i++;
      } else if (this.peek() === ";" && this.peek(1) !== ";" && this.peek(1) !== "&") this.i++;
      else if (this.peek() === "\n") this.newline();
    }
  }

  andOr(): AndOr {
    const first = this.pipeline();
    const rest: AndOr["rest"] = [];
    for (;;) {
      this.blanks();
      const op = this.startsWith("&&") ? "&&" : this.startsWith("||") ? "||" : undefined;
      if (!op) return { first, rest, background: false };
      this.i += 2;
      this.blanks(true);
      rest.push({ op, p: this.pipeline() });
    }
  }

  pipeline(): Pipeline {
    const loc = this.loc();
    let bang = false;
    if (this.reserved() === "!") {
      bang = true;
      this.i++;
      this.blanks();
    }
    const cmds = [this.command()];
    for (;;) {
      this.blanks();
      if (this.peek() !== "|" || this.peek(1) === "|") break;
      this.i += this.peek(1) === "&" ? 2 : 1;
      this.blanks(true);
      cmds.push(this.command());
    }
    return { cmds, bang, loc };
  }

  command(): Command {
    const at = this.i;
    const r = this.reserved();
    const c = this.peek();
    if (!c) this.fail("syntax error: unexpected end of file", at, "EOF", "a command");
    if (r && RESERVED_END.has(r)) this.fail(`syntax error near unexpected token \`${r}'`, at, r);
    if (r === "if" || r === "while" || r === "until" || r === "for" || r === "case" || r === "{") {
      this.enter(at);
      const cmd = this.compound(r);
      this.leave();
      cmd.redirs.push(...this.redirs());
      return cmd;
    }
    if (c === "(") {
      this.enter(at);
      const cmd = this.startsWith("((") ? this.arithCommand() : this.subshell();
      this.leave();
      cmd.redirs.push(...this.redirs());
      return cmd;
    }
    if (r === "[[") return this.condCommand();
    if (r === "function") return this.functionDef(true);
    return this.simple();
  }

  compound(r: string): Compound {
    const loc = this.loc();
    this.i += r.length;
    if (r === "{") {
      const body = this.list();
      this.expect("}");
      return { k: "group", body, subshell: false, redirs: [], loc };
    }
    if (r === "if") return this.ifRest(loc);
    if (r === "for") return this.forRest(loc);
    if (r === "case") return this.caseRest(loc);
    const cond = this.list();
    this.expect("do");
    const body = this.list();
    this.expect("done");
    return { k: "while", until: r === "until", cond, body, redirs: [], loc };
  }

  expect(word: string): void {
    this.blanks(true);
    if (this.reserved() !== word) {
      const got = this.reserved() ?? (this.peek() || "EOF");
      if (!this.peek())
        this.fail(
          `syntax error: unexpected end of file (expecting "${word}")`,
          this.i,
          "EOF",
          word,
        );
      this.fail(`syntax error near unexpected token \`${got}'`, this.i, got, word);
    }
    this.i += word.length;
  }

  ifRest(loc: Command["loc"]): Compound {
    const clauses: { cond: List; body: List }[] = [];
    let otherwise: List | undefined;
    for (;;) {
      const cond = this.list();
      this.expect("then");
      clauses.push({ cond, body: this.list() });
      this.blanks(true);
      const r = this.reserved();
      if (r === "elif") {
        this.i += 4;
        continue;
      }
      if (r === "else") {
        this.i += 4;
        otherwise = this.list();
      }
      this.expect("fi");
      return { k: "if", clauses, ...(otherwise ? { otherwise } : {}), redirs: [], loc };
    }
  }

  forRest(loc: Command["loc"]): Compound {
    this.blanks();
    if (this.startsWith("((")) return this.arithFor(loc);
    const nameAt = this.i;
    const name = plainText(this.readWord());
    if (!name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      this.fail(
        `\`${name ?? this.peek()}': not a valid identifier`,
        nameAt,
        name,
        "a variable name",
      );
    this.blanks();
    let items: Word[] | undefined;
    if (this.peek() === "\n" || this.peek() === ";") this.newlineOrSemi();
    this.blanks(true);
    if (this.reserved() === "in") {
      this.i += 2;
      items = [];
      for (;;) {
        this.blanks();
        const w = this.readWord();
        if (!w) break;
        items.push(w);
      }
      this.newlineOrSemi();
    }
    this.expect("do");
    const body = this.list();
    this.expect("done");
    return { k: "for", name, ...(items ? { items } : {}), body, redirs: [], loc };
  }

  newlineOrSemi(): void {
    this.blanks();
    if (this.peek() === ";") this.i++;
    else if (this.peek() === "\n") this.newline();
  }

  caseRest(loc: Command["loc"]): Compound {
    this.blanks();
    const word = this.readWord();
    if (!word) this.fail("syntax error: expecting a word after `case'", this.i, this.peek());
    this.expect("in");
    const arms: CaseArm[] = [];
    for (;;) {
      this.blanks(true);
      if (this.reserved() === "esac") break;
      if (this.peek() === "(") this.i++;
      const patterns: Word[] = [];
      for (;;) {
        this.blanks();
        const p = this.readWord();
        if (!p)
          this.fail(
            `syntax error near unexpected token \`${this.peek() || "EOF"}'`,
            this.i,
            this.peek(),
          );
        patterns.push(p);
        this.blanks();
        if (this.peek() !== "|") break;
        this.i++;
      }
      if (this.peek() !== ")")
        this.fail(
          `syntax error near unexpected token \`${this.peek() || "EOF"}'`,
          this.i,
          this.peek(),
          ")",
        );
      this.i++;
      arms.push({ patterns, body: this.list() });
      this.blanks(true);
      const term = [";;&", ";;", ";&"].find((t) => this.startsWith(t));
      if (term) this.i += term.length;
      else if (this.reserved() !== "esac")
        this.fail(
          `syntax error near unexpected token \`${this.peek() || "EOF"}'`,
          this.i,
          this.peek(),
          ";;",
        );
    }
    this.expect("esac");
    return { k: "case", word, arms, redirs: [], loc };
  }

  subshell(): Compound {
    const loc = this.loc();
    this.i++;
    const body = this.subList(")");
    return { k: "group", body, subshell: true, redirs: [], loc };
  }

  /** `for ((INIT; COND; STEP)) [;] do … done` (bash's arithmetic for). */
  arithFor(loc: Command["loc"]): Compound {
    const at = this.i;
    const arith =
      this.readArith(at - 1) ?? this.fail("syntax error: `((' without `))'", at, "((", "))");
    this.blanks();
    if (this.peek() === "\n" || this.peek() === ";") this.newlineOrSemi();
    this.blanks(true);
    this.expect("do");
    const body = this.list();
    this.expect("done");
    return { k: "for", name: "", arith, body, redirs: [], loc };
  }

  /** `(( expr ))` as a command: status 0 when the value is not zero. */
  arithCommand(): Compound {
    const at = this.i;
    const loc = this.loc();
    const expr = this.readArith(at - 1);
    if (!expr) return this.subshell();
    return { k: "arith", expr, redirs: [], loc };
  }

  /** `[[ … ]]`: its words, with && || ( ) ! < > as plain words, evaluated like test. */
  condCommand(): Command {
    const loc = this.loc();
    this.i += 2;
    const words: Word[] = [];
    for (;;) {
      this.blanks(true);
      if (this.startsWith("]]")) break;
      if (!this.peek()) this.fail("unexpected EOF while looking for `]]'", this.i, "EOF", "]]");
      const op = ["&&", "||", "(", ")", "<", ">"].find((o) => this.startsWith(o));
      if (op) {
        words.push({ parts: [{ k: "lit", text: op, quoted: false }], loc: this.loc() });
        this.i += op.length;
      } else
        words.push(
          this.readWord() ??
            this.fail(`syntax error in conditional expression`, this.i, this.peek()),
        );
    }
    this.i += 2;
    return { k: "cond", words, redirs: this.redirs(), loc };
  }

  functionDef(keyword: boolean): Command {
    const loc = this.loc();
    if (keyword) {
      this.i += "function".length;
      this.blanks();
    }
    const name = plainText(this.readWord()) ?? "";
    this.blanks();
    if (this.startsWith("(")) {
      this.i++;
      this.blanks();
      if (this.peek() !== ")")
        this.fail(`syntax error near unexpected token \`${this.peek()}'`, this.i, this.peek(), ")");
      this.i++;
    }
    this.blanks(true);
    const body = this.command();
    if (body.k === "simple" || body.k === "func")
      this.fail(
        "syntax error: a function body must be a compound command",
        loc.col ? this.i : 0,
        undefined,
        "{ …; }",
      );
    return { k: "func", name, body, loc };
  }

  /** Redirections after a compound command. */
  redirs(): Redir[] {
    const out: Redir[] = [];
    for (;;) {
      this.blanks();
      const r = this.redir();
      if (!r) return out;
      out.push(r);
    }
  }

  /** `[n]op word` at the cursor, or undefined. */
  redir(): Redir | undefined {
    const m = /^(\d*)/.exec(this.src.slice(this.i, this.i + 4))!;
    const at = this.i;
    const rest = this.src.slice(this.i + m[1]!.length, this.i + m[1]!.length + 3);
    const op = REDIR_OPS.find((o) => rest.startsWith(o));
    if (!op) return undefined;
    // `<(…)`/`>(…)` is a word (process substitution), not a redirection.
    if ((op === "<" || op === ">") && !m[1] && rest[1] === "(") return undefined;
    this.i += m[1]!.length + op.length;
    this.blanks();
    const target = this.readWord();
    if (!target)
      this.fail(
        `syntax error near unexpected token \`${this.peek() || "newline"}'`,
        this.i,
        this.peek() || "newline",
        "a file name",
      );
    const dflt = op.startsWith("<") ? 0 : 1;
    const fd = m[1] ? Number(m[1]) : dflt;
    const kind = (op === "<<-" ? "<<" : op) as Redir["op"];
    const r: Redir = { fd, op: kind, target, loc: this.loc(at) };
    if (op === "<<" || op === "<<-") {
      const quoted = target.parts.some((p) => p.k === "lit" && p.quoted);
      const delim = target.parts
        .map((p) => (p.k === "lit" ? p.text : "$" + (p as { name?: string }).name))
        .join("");
      this.pending.push({ redir: r, delim, strip: op === "<<-", quoted });
    }
    return r;
  }

  readHeredoc(d: PendingDoc): void {
    const start = this.i;
    const lines: string[] = [];
    let closed = false;
    while (this.i < this.src.length) {
      let end = this.src.indexOf("\n", this.i);
      if (end < 0) end = this.src.length;
      let ln = this.src.slice(this.i, end);
      this.i = Math.min(end + 1, this.src.length);
      if (d.strip) ln = ln.replace(/^\t+/, "");
      if (ln === d.delim || ln.replace(/\r$/, "") === d.delim) {
        closed = true;
        break;
      }
      lines.push(ln);
    }
    if (!closed)
      this.fail(
        `here-document delimited by end-of-file (wanted \`${d.delim}')`,
        start,
        "<<" + d.delim,
        d.delim,
      );
    const text = lines.map((l) => l + "\n").join("");
    d.redir.body = d.quoted
      ? { parts: [{ k: "lit", text, quoted: true }], loc: this.loc(start) }
      : (this.subParse(text, start, "heredoc") as Word);
  }

  /** Assignments, words and redirections; `name() …` makes a function. */
  simple(): Command {
    const at = this.i;
    const loc = this.loc();
    const assigns: Assign[] = [];
    const words: Word[] = [];
    const redirs: Redir[] = [];
    let declArrays: Assign[] | undefined;
    for (;;) {
      this.blanks();
      const r = this.redir();
      if (r) {
        redirs.push(r);
        continue;
      }
      const wAt = this.i;
      const w = this.readWord();
      if (!w) break;
      const decl = DECLARE.test(plainText(words[0]) ?? "");
      const a = words.length === 0 || decl ? assignment(w) : undefined;
      if (a && !a.value.parts.length && this.peek() === "(") {
        a.array = this.arrayWords();
        if (words.length === 0) assigns.push(a);
        else (declArrays ??= []).push(a), words.push(nameWord(a));
      } else if (a && words.length === 0) assigns.push(a);
      else words.push(w);
      if (words.length === 1 && assigns.length === 0 && redirs.length === 0) {
        this.blanks();
        if (this.startsWith("(") && /^\(\s*\)/.test(this.src.slice(this.i, this.i + 8))) {
          this.i = wAt;
          return this.functionDef(false);
        }
      }
    }
    if (this.peek() === "(") this.fail("syntax error near unexpected token `('", this.i, "(");
    if (!assigns.length && !words.length && !redirs.length)
      this.fail(
        `syntax error near unexpected token \`${this.peek() || "EOF"}'`,
        at,
        this.peek() || "EOF",
      );
    return { k: "simple", assigns, words, redirs, ...(declArrays ? { declArrays } : {}), loc };
  }

  /** The words of `NAME=( … )`, newlines allowed, up to `)`. */
  arrayWords(): Word[] {
    const at = this.i++;
    const out: Word[] = [];
    for (;;) {
      this.blanks(true);
      if (this.peek() === ")") return (this.i++, out);
      const w = this.readWord();
      if (!w) this.fail("syntax error near unexpected token `('", at, "(", ")");
      out.push(w);
    }
  }
}

/** Builtins whose `NAME=(…)` arguments are array assignments (bash's declaration commands). */
const DECLARE = /^(declare|local|typeset|readonly|export)$/;

/** The bare `NAME` word a declaration builtin gets for its `NAME=(…)` argument. */
function nameWord(a: Assign): Word {
  return { parts: [{ k: "lit", text: a.name, quoted: false }], loc: a.loc };
}

/** `NAME=value` / `NAME+=value` when the word starts with an unquoted name and `=`. */
function assignment(w: Word): Assign | undefined {
  const p = w.parts[0];
  if (!p || p.k !== "lit" || p.quoted) return undefined;
  if (/^[A-Za-z_][A-Za-z0-9_]*\[/.test(p.text)) return elementAssignment(w);
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/.exec(p.text);
  if (!m) return undefined;
  const first: Part = { k: "lit", text: p.text.slice(m[0].length), quoted: false };
  const parts =
    first.k === "lit" && first.text === "" ? w.parts.slice(1) : [first, ...w.parts.slice(1)];
  return { name: m[1]!, value: { parts, loc: w.loc }, append: m[2] === "+", loc: w.loc };
}

/**
 * `NAME[SUBSCRIPT]=value` / `…+=value`: the subscript runs to the first unquoted `]` followed
 * by `=` or `+=` (bash's assignment(): the subscript may hold expansions and quotes).
 */
function elementAssignment(w: Word): Assign | undefined {
  const first = w.parts[0] as Extract<Part, { k: "lit" }>;
  const open = first.text.indexOf("[");
  const name = first.text.slice(0, open);
  const index: Part[] = [];
  let text = first.text.slice(open + 1);
  for (let k = 0; k < w.parts.length; ) {
    const end = /\](\+?)=/.exec(text);
    if (end) {
      if (end.index) index.push({ k: "lit", text: text.slice(0, end.index), quoted: false });
      const rest = text.slice(end.index + end[0].length);
      const parts: Part[] = rest ? [{ k: "lit", text: rest, quoted: false }] : [];
      parts.push(...w.parts.slice(k + 1));
      const value = { parts, loc: w.loc };
      return { name, index: { parts: index, loc: w.loc }, value, append: !!end[1], loc: w.loc };
    }
    if (text) index.push({ k: "lit", text, quoted: false });
    text = "";
    const q = w.parts[++k];
    if (!q) return undefined;
    if (q.k === "lit" && !q.quoted) text = q.text;
    else index.push(q);
  }
  return undefined;
}

/**
 * Parse a script. Like bash, commands before a syntax error still run: the result is the
 * complete top-level commands parsed and the error, if any.
 * @example parseShell("ip rule add pref 5 lookup 5\n", "s.sh").list.length // 1
 */
export function parseShell(text: string, file: string): { list: List; error?: Issue } {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const p = new ShellParser(src, { file, line: 1, col: 1 });
  const list: List = [];
  try {
    for (;;) {
      p.list(list);
      p.blanks(true);
      if (p.i >= src.length) break;
      const tok = p.reserved() ?? p.peek();
      p.fail(`syntax error near unexpected token \`${tok}'`, p.i, tok);
    }
    if (p.pending.length) p.newline();
  } catch (e) {
    if (e instanceof IssueError) return { list, error: e.issue };
    if (e instanceof RangeError)
      return {
        list,
        error: { code: "shell.syntax", message: "script nested too deeply", loc: p.loc() },
      };
    throw e;
  }
  return { list };
}
