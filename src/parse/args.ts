/**
 * A cursor over command words with their locations, and iproute2's error shapes.
 * iproute2 prints `Error: argument "X" is wrong: WHAT` (invarg, exit 255),
 * `Error: WHAT` from the kernel's extack (exit 2), `RTNETLINK answers: STRERROR` (exit 2),
 * and a few fixed lines (`Cannot find device "X"`, exit 1).
 * @module
 */
import { getU32 } from "../addr/num.js";
import type { Issue, IssueCode } from "../core/issue.js";
import type { SourceLoc } from "../core/loc.js";
import type { Word } from "./shell.js";

/** An iproute2-style failure: the text `ip` prints and its exit status. */
export interface IpError extends Issue {
  exit: number;
}

/** `Error: argument "X" is wrong: WHY` (lib/utils.c invarg → exit(-1)). */
export function invarg(why: string, w: Word | undefined, fallback: SourceLoc): IpError {
  const tok = w?.text ?? "";
  return {
    code: "ip.invarg",
    message: `Error: argument "${tok}" is wrong: ${why}`,
    loc: w?.loc ?? fallback,
    token: tok,
    expected: why,
    exit: 255,
  };
}

/** A fixed message with an exit code (e.g. `Cannot find device "x"`, 1). */
export function ipFail(
  code: IssueCode,
  message: string,
  w: Word | undefined,
  fallback: SourceLoc,
  exit: number,
  expected?: string,
): IpError {
  return {
    code,
    message,
    loc: w?.loc ?? fallback,
    ...(w ? { token: w.text } : {}),
    ...(expected ? { expected } : {}),
    exit,
  };
}

export class ArgCursor {
  i = 0;
  constructor(
    readonly words: Word[],
    readonly end: SourceLoc,
  ) {}
  get done(): boolean {
    return this.i >= this.words.length;
  }
  peek(): Word | undefined {
    return this.words[this.i];
  }
  next(): Word | undefined {
    return this.words[this.i++];
  }
  /** NEXT_ARG(): the value after a keyword, or `Command line is not complete`. */
  value(): Word | IpError {
    const w = this.words[this.i++];
    if (!w)
      return {
        code: "ip.incomplete",
        message: 'Command line is not complete. Try option "help"',
        loc: this.lastLoc(),
        exit: 255,
        expected: "a value",
      };
    return w;
  }
  lastLoc(): SourceLoc {
    const w = this.words[this.words.length - 1];
    return w ? { ...w.loc, col: w.loc.col + w.text.length } : this.end;
  }
}

export function isErr(x: unknown): x is IpError {
  return typeof x === "object" && x !== null && "exit" in x && "code" in x;
}

/** iproute2 `matches(arg, word)`: arg is a non-empty prefix of word. */
export function matches(arg: string, word: string): boolean {
  return arg.length > 0 && word.startsWith(arg);
}

/**
 * get_u32 base 0 (lib/utils.c). Kept for src/model/batch-load.ts; new code imports
 * `getU32` from addr/num.ts.
 * @deprecated use getU32
 */
export const parseU32 = (s: string): number | undefined => getU32(s);
