/**
 * awk's grammar by recursive descent (POSIX awk "Grammar", precedence from lowest:
 * assignment, `?:`, `||`, `&&`, `in`, `~ !~`, relational, concatenation, `+ -`, `* / %`,
 * unary `! - +`, `^`, `++ --`, `$`, grouping). In `print`'s arguments a `>` is the output
 * redirection, not a comparison; `CMD | getline` binds a concatenation on its left. What awk
 * has but routelab does not model (output to a pipe or a file, `rand`) is refused here,
 * before anything runs.
 * Kept whole: one grammar and one precedence ladder; split, the parser's state (the token,
 * the `print` context) would be passed between files.
 * @module
 */
import type { Dest, Expr, Func, Item, LValue, Pattern, Program, Stmt } from "./ast.js";
import { AwkSyntaxError, Lexer, type Tok } from "./lexer.js";

/** Built-in functions routelab does not model: refused when the program is read. */
const REFUSED = new Set(["rand", "srand"]);
const ASSIGN = new Set(["=", "+=", "-=", "*=", "/=", "%=", "^=", "**="]);
const REL = new Set(["<", "<=", "!=", "==", ">", ">="]);
/** Tokens that start an operand: a concatenation continues when one comes next. */
const STARTS = new Set(["num", "str", "name", "func", "builtin"]);

class Parser {
  tok: Tok;
  funcs = new Map<string, Func>();
  /** Inside `print`'s arguments outside parentheses: `>` redirects. */
  noGt = false;
  constructor(readonly lx: Lexer) {
    this.tok = lx.next();
  }

  fail(message?: string): never {
    const at = this.tok.k === "nl" ? "end of line" : this.tok.v;
    throw new AwkSyntaxError(message ?? `syntax error at or near ${at}`, this.tok.line);
  }
  refuse(what: string): never {
    this.fail(`${what} is not modelled`);
  }
  advance(): Tok {
    const t = this.tok;
    this.tok = this.lx.next();
    return t;
  }
  is(v: string, k: Tok["k"] = "op"): boolean {
    return this.tok.k === k && this.tok.v === v;
  }
  eat(v: string, k: Tok["k"] = "op"): Tok {
    if (!this.is(v, k)) this.fail();
    return this.advance();
  }
  nls(): void {
    while (this.tok.k === "nl") this.advance();
  }
  /** Skip newlines and `;` (between items and statements). */
  seps(): void {
    while (this.tok.k === "nl" || this.is(";")) this.advance();
  }
  save(): [number, number, Tok] {
    return [this.lx.pos, this.lx.line, this.tok];
  }
  restore(s: [number, number, Tok]): void {
    [this.lx.pos, this.lx.line, this.tok] = s;
  }

  program(): Program {
    const items: Item[] = [];
    this.seps();
    while (this.tok.k !== "eof") {
      if (this.is("function", "kw")) this.func();
      else items.push(this.item());
      this.seps();
    }
    return { items, funcs: this.funcs };
  }

  func(): void {
    this.advance();
    const name = this.tok;
    if (name.k !== "func" && name.k !== "name") this.fail();
    this.advance();
    this.eat("(");
    const params: string[] = [];
    while (!this.is(")")) {
      if (this.tok.k !== "name") this.fail();
      params.push(this.advance().v);
      if (this.is(",")) this.advance(), this.nls();
      else if (!this.is(")")) this.fail();
    }
    this.advance();
    this.nls();
    this.funcs.set(name.v, { params, body: this.block() });
  }

  item(): Item {
    let pattern: Pattern;
    if (this.is("BEGIN", "kw") || this.is("END", "kw")) {
      pattern = { k: this.advance().v === "BEGIN" ? "begin" : "end" };
      if (!this.is("{")) this.fail();
    } else if (this.is("{")) pattern = { k: "all" };
    else {
      const a = this.expr();
      if (this.is(",")) {
        this.advance();
        this.nls();
        pattern = { k: "range", a, b: this.expr() };
      } else pattern = { k: "expr", e: a };
    }
    if (!this.is("{")) return { pattern };
    return { pattern, action: this.block() };
  }

  block(): Stmt[] {
    this.eat("{");
    const body: Stmt[] = [];
    this.seps();
    while (!this.is("}")) {
      if (this.tok.k === "eof") this.fail();
      body.push(this.stmt());
      this.seps();
    }
    this.advance();
    return body;
  }

  /** After a simple statement: `;`, a newline, `}` or the end. */
  end(): void {
    if (this.is(";") || this.tok.k === "nl") return void this.advance();
    if (this.is("}") || this.tok.k === "eof") return;
    this.fail();
  }

  stmt(): Stmt {
    if (this.is("{")) return { k: "block", body: this.block() };
    if (this.is(";")) return (this.advance(), { k: "block", body: [] });
    if (this.tok.k === "kw") {
      const s = this.keyword();
      if (s) return s;
    }
    const s = this.simple();
    this.end();
    return s;
  }

  keyword(): Stmt | undefined {
    switch (this.tok.v) {
      case "if":
        return this.ifStmt();
      case "while": {
        this.advance();
        const c = this.paren();
        this.nls();
        if (this.is(";"))
          return (this.advance(), { k: "while", c, body: { k: "block", body: [] } });
        return { k: "while", c, body: this.stmt() };
      }
      case "do": {
        this.advance();
        this.nls();
        const body = this.stmt();
        this.seps();
        this.eat("while", "kw");
        const c = this.paren();
        this.end();
        return { k: "do", body, c };
      }
      case "for":
        return this.forStmt();
    }
    return undefined;
  }

  paren(): Expr {
    this.eat("(");
    const e = this.expr();
    this.eat(")");
    return e;
  }

  ifStmt(): Stmt {
    this.advance();
    const c = this.paren();
    this.nls();
    const t = this.stmt();
    const at = this.save();
    this.seps();
    if (this.is("else", "kw")) {
      this.advance();
      this.nls();
      return { k: "if", c, t, f: this.stmt() };
    }
    this.restore(at);
    return { k: "if", c, t };
  }

  forStmt(): Stmt {
    this.advance();
    this.eat("(");
    const at = this.save();
    if (this.tok.k === "name") {
      const v = this.advance().v;
      if (this.is("in", "kw")) {
        this.advance();
        if (this.tok.k !== "name") this.fail();
        const name = this.advance().v;
        if (this.is(")")) {
          this.advance();
          this.nls();
          return { k: "forin", v: { k: "var", name: v }, name, body: this.stmt() };
        }
      }
      this.restore(at);
    }
    const init = this.is(";") ? undefined : this.simple();
    this.eat(";");
    this.nls();
    const c = this.is(";") ? undefined : this.expr();
    this.eat(";");
    this.nls();
    const step = this.is(")") ? undefined : this.simple();
    this.eat(")");
    this.nls();
    if (this.is(";"))
      return (this.advance(), { k: "for", init, c, step, body: { k: "block", body: [] } });
    return { k: "for", init, c, step, body: this.stmt() };
  }

  simple(): Stmt {
    const t = this.tok;
    if (t.k === "kw") {
      switch (t.v) {
        case "print":
        case "printf":
          return this.print(t.v);
        case "next":
        case "break":
        case "continue":
          this.advance();
          return { k: t.v };
        case "exit":
        case "return": {
          this.advance();
          const ends = this.is(";") || this.is("}") || this.tok.k === "nl" || this.tok.k === "eof";
          return { k: t.v, e: ends ? undefined : this.expr() };
        }
        case "delete":
          return this.delete();
        case "nextfile":
          this.refuse("nextfile");
      }
    }
    return { k: "expr", e: this.expr() };
  }

  delete(): Stmt {
    this.advance();
    if (this.tok.k !== "name") this.fail();
    const name = this.advance().v;
    if (!this.is("[")) return { k: "delete", name };
    this.advance();
    const subs = this.exprList("]");
    return { k: "delete", name, subs };
  }

  print(kind: "print" | "printf"): Stmt {
    this.advance();
    let args: Expr[] | undefined;
    if (this.is("(")) {
      // `print (a, b) > "f"`: the list is the arguments; `print (a) b` is an expression.
      const at = this.save();
      this.advance();
      const list = this.exprList(")");
      if (this.endsPrint()) args = list;
      else this.restore(at);
    }
    if (!args) args = this.endsPrint() ? [] : this.printArgs();
    if (kind === "printf" && args.length === 0) this.fail();
    return { k: kind, args, dest: this.dest() };
  }

  printArgs(): Expr[] {
    this.noGt = true;
    try {
      const args = [this.expr()];
      while (this.is(",")) {
        this.advance();
        this.nls();
        args.push(this.expr());
      }
      return args;
    } finally {
      this.noGt = false;
    }
  }

  endsPrint(): boolean {
    const t = this.tok;
    return (
      t.k === "nl" || t.k === "eof" || (t.k === "op" && [";", "}", ">", ">>", "|"].includes(t.v))
    );
  }

  dest(): Dest | undefined {
    if (this.is("|")) this.refuse("output to a pipe");
    if (!this.is(">") && !this.is(">>")) return undefined;
    const mode = this.advance().v as ">" | ">>";
    const e = this.concat();
    if (e.k === "str" && !/^\/dev\/(stdout|stderr|null)$/.test(e.v))
      this.refuse(`output to a file (${e.v})`);
    return { mode, e };
  }

  exprList(close: string): Expr[] {
    const list: Expr[] = [];
    this.nls();
    const keep = this.noGt;
    this.noGt = false;
    while (!this.is(close)) {
      list.push(this.expr());
      this.nls();
      if (this.is(",")) this.advance(), this.nls();
      else if (!this.is(close)) this.fail();
    }
    this.noGt = keep;
    this.advance();
    return list;
  }

  expr(): Expr {
    const left = this.ternary();
    if (this.tok.k === "op" && ASSIGN.has(this.tok.v) && isLValue(left)) {
      const op = this.advance().v;
      this.nls();
      return { k: "assign", op: op === "**=" ? "^=" : op, target: left, e: this.expr() };
    }
    return left;
  }

  ternary(): Expr {
    const c = this.or();
    if (!this.is("?")) return c;
    // No newline after `?` or `:` (POSIX grammar; mawk refuses one, gawk takes it).
    this.advance();
    const t = this.ternary();
    this.eat(":");
    return { k: "cond", c, t, f: this.ternary() };
  }

  or(): Expr {
    let a = this.and();
    while (this.is("||")) {
      this.advance();
      this.nls();
      a = { k: "or", a, b: this.and() };
    }
    return a;
  }

  and(): Expr {
    let a = this.inExpr();
    while (this.is("&&")) {
      this.advance();
      this.nls();
      a = { k: "and", a, b: this.inExpr() };
    }
    return a;
  }

  inExpr(): Expr {
    let a = this.matchExpr();
    while (this.is("in", "kw")) {
      this.advance();
      if (this.tok.k !== "name") this.fail();
      const subs = a.k === "group" ? [a.e] : [a];
      a = { k: "in", subs, name: this.advance().v };
    }
    return a;
  }

  matchExpr(): Expr {
    let a = this.rel();
    while (this.is("~") || this.is("!~")) {
      const neg = this.advance().v === "!~";
      a = { k: "match", neg, a, re: this.rel() };
    }
    return a;
  }

  rel(): Expr {
    const a = this.concat();
    const t = this.tok;
    if (t.k !== "op" || !REL.has(t.v) || (t.v === ">" && this.noGt)) return a;
    this.advance();
    return { k: "cmp", op: t.v, a, b: this.concat() };
  }

  concat(): Expr {
    let a = this.additive();
    for (;;) {
      if (this.startsOperand()) a = { k: "concat", a, b: this.additive() };
      else if (this.pipeGetline()) {
        this.advance();
        const g = this.getline();
        if (g.k !== "getline" || g.file) this.fail();
        a = { ...g, cmd: a };
      } else return a;
    }
  }

  /** A `|` followed by `getline` (elsewhere `|` is print's output pipe). */
  pipeGetline(): boolean {
    if (!this.is("|")) return false;
    const at = this.save();
    this.advance();
    const yes = this.is("getline", "kw");
    this.restore(at);
    return yes;
  }

  startsOperand(): boolean {
    const t = this.tok;
    if (STARTS.has(t.k)) return true;
    return t.k === "op" && ["$", "(", "!", "++", "--"].includes(t.v);
  }

  additive(): Expr {
    let a = this.mul();
    while (this.is("+") || this.is("-")) {
      const op = this.advance().v;
      a = { k: "bin", op, a, b: this.mul() };
    }
    return a;
  }

  mul(): Expr {
    let a = this.unary();
    while (this.is("*") || this.is("/") || this.is("%")) {
      const op = this.advance().v;
      a = { k: "bin", op, a, b: this.unary() };
    }
    return a;
  }

  unary(): Expr {
    if (this.is("!")) return (this.advance(), { k: "not", e: this.unary() });
    if (this.is("-")) return (this.advance(), { k: "neg", e: this.unary() });
    if (this.is("+")) return (this.advance(), { k: "plus", e: this.unary() });
    return this.pow();
  }

  pow(): Expr {
    const a = this.postfix();
    if (!this.is("^") && !this.is("**")) return a;
    this.advance();
    const neg = this.is("-") ? (this.advance(), true) : false;
    const b = this.pow();
    return { k: "bin", op: "^", a, b: neg ? { k: "neg", e: b } : b };
  }

  postfix(): Expr {
    const e = this.primary();
    if (isLValue(e) && (this.is("++") || this.is("--")))
      return { k: "incdec", op: this.advance().v as "++" | "--", prefix: false, target: e };
    return e;
  }

  primary(): Expr {
    const t = this.tok;
    if (t.k === "op" && (t.v === "/" || t.v === "/=")) {
      this.tok = this.lx.regexAt(t.pos, t.line);
      return this.primary();
    }
    switch (t.k) {
      case "num":
        return (this.advance(), { k: "num", v: Number(t.v) });
      case "str":
        return (this.advance(), { k: "str", v: t.v });
      case "ere":
        return (this.advance(), { k: "re", src: t.v });
      case "builtin":
        return this.builtin();
      case "func": {
        this.advance();
        this.eat("(");
        return { k: "ucall", name: t.v, args: this.exprList(")"), line: t.line };
      }
      case "name":
        return this.variable();
      case "kw":
        if (t.v === "getline") return this.getline();
        this.fail();
    }
    return this.operator(t);
  }

  operator(t: Tok): Expr {
    if (t.v === "$") {
      this.advance();
      const e = this.is("++") || this.is("--") || this.is("-") ? this.unary() : this.primary();
      return { k: "field", e };
    }
    if (t.v === "++" || t.v === "--") {
      this.advance();
      const target = this.primary();
      if (!isLValue(target)) this.fail();
      return { k: "incdec", op: t.v, prefix: true, target };
    }
    if (t.v === "(") {
      this.advance();
      const list = this.exprList(")");
      if (list.length === 1) return { k: "group", e: list[0]! };
      if (!this.is("in", "kw") || list.length === 0) this.fail();
      this.advance();
      if (this.tok.k !== "name") this.fail();
      return { k: "in", subs: list, name: this.advance().v };
    }
    if (t.v === "-" || t.v === "!" || t.v === "+") return this.unary();
    return this.fail();
  }

  /** `getline [LVALUE] [< FILE]`; FILE is a primary (`getline < "a" b` reads file "a"). */
  getline(): Expr {
    this.advance();
    let target: LValue | undefined;
    if (this.tok.k === "name" || this.is("$")) {
      const e = this.primary();
      if (!isLValue(e)) this.fail();
      target = e;
    }
    if (!this.is("<")) return { k: "getline", target };
    this.advance();
    return { k: "getline", target, file: this.primary() };
  }

  variable(): Expr {
    const name = this.advance().v;
    if (!this.is("[")) return { k: "var", name };
    this.advance();
    const subs = this.exprList("]");
    if (subs.length === 0) this.fail();
    return { k: "index", name, subs };
  }

  builtin(): Expr {
    const name = this.advance().v;
    if (REFUSED.has(name)) this.refuse(`${name}()`);
    if (name === "length" && !this.is("(")) return { k: "call", name, args: [] };
    this.eat("(");
    const args = this.exprList(")");
    if (name === "fflush") return { k: "num", v: 0 };
    return { k: "call", name, args };
  }
}

export function isLValue(e: Expr): e is LValue {
  return e.k === "var" || e.k === "index" || e.k === "field";
}

/**
 * The program, or the syntax error awk reports (its line, status 2).
 * @example parseAwk("/dev eth0/ { next } { print $1 }")
 */
export function parseAwk(text: string): Program | AwkSyntaxError {
  try {
    return new Parser(new Lexer(text)).program();
  } catch (e) {
    if (e instanceof AwkSyntaxError) return e;
    throw e;
  }
}
