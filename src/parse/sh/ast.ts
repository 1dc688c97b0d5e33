/**
 * The shell's syntax tree (POSIX sh plus the bash forms setup scripts use), every node with
 * its file:line:col. Built by parser.ts, run by interp.ts.
 * @module
 */
import type { SourceLoc } from "../../core/loc.js";

/**
 * One piece of a word. `quoted`: inside '…', "…" or after `\` (no splitting, no quote
 * removal).
 */
export type Part =
  | { k: "lit"; text: string; quoted: boolean }
  | {
      k: "param";
      name: string;
      op?: string;
      arg?: Word;
      /** `${a[@]}`, `${a[*]}` (a literal `@`/`*`) or `${a[i]}` (arithmetic text). */
      index?: Word;
      quoted: boolean;
      loc: SourceLoc;
    }
  | { k: "cmdsub"; body: List; quoted: boolean; loc: SourceLoc }
  /** `<(…)` / `>(…)`: a file name (`/dev/fd/N`) standing for the command's output / input. */
  | { k: "procsub"; dir: "<" | ">"; body: List; quoted: boolean; loc: SourceLoc }
  | { k: "arith"; expr: Word; quoted: boolean; loc: SourceLoc };

/** A word as written: its parts and where it starts. */
export interface Word {
  parts: Part[];
  loc: SourceLoc;
}

/** `[fd]op target`, or a here-document / here-string with its body. */
export interface Redir {
  fd: number;
  op: ">" | ">>" | "<" | ">&" | "<&" | "&>" | "&>>" | "<<" | "<<<" | "<>" | ">|";
  target: Word;
  /** Here-document body (parts expanded unless the delimiter was quoted). */
  body?: Word;
  loc: SourceLoc;
}

/** `NAME=value` before a command (or alone). */
export interface Assign {
  name: string;
  /** `NAME[SUBSCRIPT]=value`: one element of an indexed array (arithmetic text). */
  index?: Word;
  value: Word;
  /** `NAME=(W…)` / `NAME+=(W…)`: a bash indexed array. */
  array?: Word[];
  append: boolean;
  loc: SourceLoc;
}

export type Command =
  | {
      k: "simple";
      assigns: Assign[];
      words: Word[];
      redirs: Redir[];
      /** `declare -a|local -a NAME=(…)`: arrays set after the builtin ran. */
      declArrays?: Assign[];
      loc: SourceLoc;
    }
  | {
      k: "if";
      clauses: { cond: List; body: List }[];
      otherwise?: List;
      redirs: Redir[];
      loc: SourceLoc;
    }
  | { k: "while"; until: boolean; cond: List; body: List; redirs: Redir[]; loc: SourceLoc }
  | {
      k: "for";
      name: string;
      items?: Word[];
      /** `for ((INIT; COND; STEP))`: the text between the parentheses, expanded each time. */
      arith?: Word;
      body: List;
      redirs: Redir[];
      loc: SourceLoc;
    }
  | { k: "case"; word: Word; arms: CaseArm[]; redirs: Redir[]; loc: SourceLoc }
  | { k: "group"; body: List; subshell: boolean; redirs: Redir[]; loc: SourceLoc }
  | { k: "func"; name: string; body: Command; loc: SourceLoc }
  | { k: "arith"; expr: Word; redirs: Redir[]; loc: SourceLoc }
  | { k: "cond"; words: Word[]; redirs: Redir[]; loc: SourceLoc };

export interface CaseArm {
  patterns: Word[];
  body: List;
}

/** `a | b | c`, optionally negated with `!`. */
export interface Pipeline {
  cmds: Command[];
  bang: boolean;
  loc: SourceLoc;
}

/** `p1 && p2 || p3`. */
export interface AndOr {
  first: Pipeline;
  rest: { op: "&&" | "||"; p: Pipeline }[];
  background: boolean;
}

export type List = AndOr[];
