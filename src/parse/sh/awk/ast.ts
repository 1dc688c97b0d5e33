/**
 * An awk program as the parser reads it: patterns with their actions, functions, statements
 * and expressions (POSIX awk "Grammar").
 * @module
 */

export type LValue =
  | { k: "var"; name: string }
  | { k: "index"; name: string; subs: Expr[] }
  | { k: "field"; e: Expr };

export type Expr =
  | LValue
  | { k: "num"; v: number }
  | { k: "str"; v: string }
  /** A regular expression alone: `$0 ~ /re/`. */
  | { k: "re"; src: string }
  | { k: "assign"; op: string; target: LValue; e: Expr }
  | { k: "cond"; c: Expr; t: Expr; f: Expr }
  | { k: "and" | "or"; a: Expr; b: Expr }
  | { k: "in"; subs: Expr[]; name: string }
  | { k: "match"; neg: boolean; a: Expr; re: Expr }
  | { k: "cmp"; op: string; a: Expr; b: Expr }
  | { k: "concat"; a: Expr; b: Expr }
  | { k: "bin"; op: string; a: Expr; b: Expr }
  | { k: "not" | "neg" | "plus"; e: Expr }
  | { k: "incdec"; op: "++" | "--"; prefix: boolean; target: LValue }
  | { k: "call"; name: string; args: Expr[] }
  | { k: "ucall"; name: string; args: Expr[]; line: number }
  /**
   * `getline [LVALUE] [< FILE]`, `CMD | getline [LVALUE]`: 1 read, 0 at the end, -1 when FILE
   * cannot be read.
   */
  | { k: "getline"; target?: LValue; file?: Expr; cmd?: Expr }
  | { k: "group"; e: Expr };

/** Where `print`/`printf` write: standard output, or `> FILE` (only the /dev/std* files). */
export interface Dest {
  mode: ">" | ">>";
  e: Expr;
}

export type Stmt =
  | { k: "expr"; e: Expr }
  | { k: "print" | "printf"; args: Expr[]; dest?: Dest }
  | { k: "if"; c: Expr; t: Stmt; f?: Stmt }
  | { k: "while"; c: Expr; body: Stmt }
  | { k: "do"; body: Stmt; c: Expr }
  | { k: "for"; init?: Stmt; c?: Expr; step?: Stmt; body: Stmt }
  | { k: "forin"; v: LValue; name: string; body: Stmt }
  | { k: "block"; body: Stmt[] }
  | { k: "next" | "break" | "continue" }
  | { k: "exit" | "return"; e?: Expr }
  | { k: "delete"; name: string; subs?: Expr[] };

export type Pattern =
  | { k: "begin" | "end" | "all" }
  | { k: "expr"; e: Expr }
  | { k: "range"; a: Expr; b: Expr };

export interface Item {
  pattern: Pattern;
  /** No action: print the record. */
  action?: Stmt[];
}

export interface Func {
  params: string[];
  body: Stmt[];
}

export interface Program {
  items: Item[];
  funcs: Map<string, Func>;
}
