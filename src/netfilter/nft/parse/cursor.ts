/**
 * The parser's token cursor and error handling, shared by every grammar module: what
 * bison's generated parser and nft's `erec` error records do for parser_bison.y. A
 * grammar rule that fails throws an `IssueError` (code `nft.syntax`) carrying bison's
 * wording and the offending token; the command loops (parse/index.ts, parse/tables.ts)
 * record it and resume at the next command, as nft's `error` productions do.
 * @module
 */
import { IssueError, issue, type Issue } from "../../../core/issue.js";
import type { SourceLoc } from "../../../core/loc.js";
import { NFT_FAMILIES, type NftFamily } from "../ast.js";
import { tokName, type Tok } from "../lexer.js";
import type { NftCmd } from "./cmd.js";
import type { NftIncludeOpts } from "./include.js";
import { KEYWORDS } from "./keywords.js";

export interface ParseOpts {
  file: string;
  /** Map a (line, col) of the parsed text to the original location (argv mode). */
  mapLoc?: (line: number, col: number) => SourceLoc;
  /** Whether this is a single command line (argv): block syntax at top level still allowed. */
  single?: boolean;
  /** Files for `include` (the loader's callbacks); without it every include is not found. */
  include?: NftIncludeOpts;
}

/** Parser state: the tokens, the position, the commands and issues so far, the defines. */
export class Parser {
  pos = 0;
  cmds: NftCmd[] = [];
  issues: Issue[] = [];
  defines = new Map<string, Tok[]>();
  /** How many `{ set }` values are open (values.ts bounds it). */
  setDepth = 0;
  /** `include` statements that could not be read, with nft's message (include.ts). */
  failedIncludes = new Map<Tok, string>();

  constructor(
    public toks: Tok[],
    public opts: ParseOpts,
  ) {}

  loc(t: Tok): SourceLoc {
    if (t.file !== undefined) return { file: t.file, line: t.line, col: t.col };
    return this.opts.mapLoc
      ? this.opts.mapLoc(t.line, t.col)
      : { file: this.opts.file, line: t.line, col: t.col };
  }
  peek(o = 0): Tok {
    return this.toks[Math.min(this.pos + o, this.toks.length - 1)]!;
  }
  next(): Tok {
    const t = this.peek();
    if (this.pos < this.toks.length - 1) this.pos++;
    return t;
  }
  isWord(t: Tok, w?: string): boolean {
    return t.kind === "word" && (w === undefined || t.text === w);
  }
  isOp(t: Tok, o: string): boolean {
    return t.kind === "op" && t.text === o;
  }
  atEnd(t: Tok = this.peek()): boolean {
    return t.kind === "nl" || t.kind === "eof" || this.isOp(t, "}");
  }

  /** Throw nft's `Error: MSG` at `t`; `expected` is what follows "expecting " in MSG. */
  throwAt(t: Tok, message: string): never {
    const loc = this.loc(t);
    const expected = message.split("expecting ")[1];
    throw new IssueError(issue("nft.syntax", message, { loc, token: t.text, expected }));
  }
  /** bison's `syntax error, unexpected X[, expecting Y]`. */
  unexpected(t: Tok, expecting?: string): never {
    const also = expecting ? `, expecting ${expecting}` : "";
    this.throwAt(t, `Error: syntax error, unexpected ${tokName(t, KEYWORDS)}${also}`);
  }
  fail(t: Tok, msg: string): never {
    this.throwAt(t, `Error: ${msg}`);
  }
  /** An `include` statement left in the stream failed: report it where it stands. */
  include(t: Tok): never {
    this.next();
    this.fail(t, this.failedIncludes.get(t) ?? `File not found: ${this.peek().text}`);
  }

  word(expecting = "string"): Tok {
    const t = this.next();
    if (t.kind === "word" || t.kind === "string") return t;
    this.unexpected(t, expecting === "string" ? undefined : expecting);
  }
  expectWord(w: string): Tok {
    const t = this.next();
    if (!this.isWord(t, w)) this.unexpected(t, w);
    return t;
  }
  expectOp(o: string, expecting?: string): Tok {
    const t = this.next();
    if (!this.isOp(t, o)) this.unexpected(t, expecting ?? `'${o}'`);
    return t;
  }
  skipNl(): void {
    while (this.peek().kind === "nl") this.next();
  }
  endStmt(): void {
    const t = this.peek();
    if (t.kind === "nl") {
      this.next();
      return;
    }
    if (t.kind === "eof") return;
    this.unexpected(t, "newline or semicolon");
  }
  /** Skip to the next top-level separator after an error. */
  recover(): void {
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof") return;
      if (this.isOp(t, "{")) depth++;
      if (this.isOp(t, "}")) {
        if (depth === 0) {
          this.next();
          return;
        }
        depth--;
      }
      if (t.kind === "nl" && depth === 0) {
        this.next();
        return;
      }
      this.next();
    }
  }
  /** Keep a syntax error and go on parsing; anything else is a bug and propagates. */
  record(e: unknown): void {
    if (e instanceof IssueError) this.issues.push(e.issue);
    else throw e;
  }
  /** Run one command; on a syntax error record it and skip to the next command. */
  guarded(run: () => void): void {
    const before = this.pos;
    try {
      run();
    } catch (e) {
      this.setDepth = 0;
      this.record(e);
      if (this.pos === before) this.next();
      this.recover();
    }
  }

  ident(expecting?: string): Tok {
    const t = this.next();
    if (t.kind === "word" || t.kind === "string") {
      if (t.kind === "word" && t.text.startsWith("$")) return this.expandIdent(t);
      return t;
    }
    this.unexpected(t, expecting);
  }
  expandIdent(t: Tok): Tok {
    const d = this.defines.get(t.text.slice(1));
    if (!d) this.unknownIdent(t);
    const first = d[0];
    return first ? { ...first, line: t.line, col: t.col, file: t.file } : t;
  }
  /** nft points past the `$` of an undefined variable. */
  unknownIdent(t: Tok): never {
    const name = { ...t, col: t.col + 1, len: t.len - 1 };
    this.fail(name, `unknown identifier '${t.text.slice(1)}'`);
  }

  /** Replace `$name` tokens from the current position up to the end of the statement. */
  expandDefines(): void {
    for (let i = this.pos; i < this.toks.length; i++) {
      const t = this.toks[i]!;
      if (t.kind === "nl" || t.kind === "eof") break;
      if (t.kind === "word" && t.text.startsWith("$")) {
        const d = this.defines.get(t.text.slice(1));
        if (!d) this.unknownIdent(t);
        const repl = d.map((x) => ({ ...x, line: t.line, col: t.col, file: t.file }));
        // Not splice(i, 1, ...repl): a 100k-element define would overflow the call stack.
        this.toks = this.toks.slice(0, i).concat(repl, this.toks.slice(i + 1));
        i += repl.length - 1;
      }
    }
  }

  str(): string {
    const t = this.next();
    if (t.kind === "string" || t.kind === "word") return t.text;
    this.unexpected(t);
  }
  commaWords(): string[] {
    const out = [this.word().text];
    while (this.isOp(this.peek(), ",")) {
      this.next();
      out.push(this.word().text);
    }
    return out;
  }

  /** parser_bison.y `family_spec`: optional, `ip` when absent. */
  family(): NftFamily {
    const t = this.peek();
    if (t.kind === "word" && (NFT_FAMILIES as readonly string[]).includes(t.text)) {
      // `ip` is a family only when followed by a table name (not `ip saddr`).
      this.next();
      return t.text as NftFamily;
    }
    return "ip";
  }
  /** parser_bison.y `table_spec`: `[family] name`. */
  tableRef(): { family: NftFamily; table: Tok } {
    const family = this.family();
    const table = this.ident();
    return { family, table };
  }
}
