/**
 * A cursor over command words with their locations, and iproute2's error shapes.
 * iproute2 prints `Error: argument "X" is wrong: WHAT` (invarg, exit 255),
 * `Error: WHAT` from the kernel's extack (exit 2), `RTNETLINK answers: STRERROR` (exit 2),
 * and a few fixed lines (`Cannot find device "X"`, exit 1).
 * @module
 */
import { IssueError, type Issue, type IssueCode } from "../core/issue.js";
import type { SourceLoc } from "../core/loc.js";
import { defined } from "../core/result.js";
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
    ...defined({ token: w?.text, expected: expected || undefined }),
    exit,
  };
}

/**
 * A cursor over command words with iproute2's argument idioms (ip/*.c, lib/utils.c):
 * `nextArg` is NEXT_ARG, and `invarg`, `duparg`, `duparg2`, `missarg` and `fail` end the
 * command the way `exit()` ends `ip`: they throw an `IssueError` carrying the `IpError`,
 * which the grammar's entry point (`parseIpArgv`) catches and returns as a value.
 */
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
  /** NEXT_ARG(): the value after a keyword, else incomplete_command(). */
  nextArg(): Word {
    const w = this.words[this.i++];
    if (!w) {
      const e: IpError = {
        code: "ip.incomplete",
        message: 'Command line is not complete. Try option "help"',
        loc: this.lastLoc(),
        exit: 255,
        expected: "a value",
      };
      throw new IssueError(e);
    }
    return w;
  }
  /** invarg(): `Error: argument "X" is wrong: WHY`, exit 255. */
  invarg(why: string, w: Word | undefined): never {
    throw new IssueError(invarg(why, w, this.end));
  }
  /** duparg(): `Error: duplicate "KEY": "X" is the second value.`, exit 255. */
  duparg(key: string, w: Word): never {
    const message = `Error: duplicate "${key}": "${w.text}" is the second value.`;
    return this.fail("ip.garbage", message, w, 255);
  }
  /** duparg2(): `Error: either "KEY" is duplicate, or "X" is a garbage.`, exit 255. */
  duparg2(key: string, w: Word): never {
    const message = `Error: either "${key}" is duplicate, or "${w.text}" is a garbage.`;
    return this.fail("ip.garbage", message, w, 255);
  }
  /** missarg(): `Error: argument "KEY" is required`, exit 255. */
  missarg(key: string): never {
    return this.fail("ip.incomplete", `Error: argument "${key}" is required`, undefined, 255);
  }
  /** Any other fixed message with its exit status (ipFail thrown). */
  fail(
    code: IssueCode,
    message: string,
    w: Word | undefined,
    exit: number,
    expected?: string,
  ): never {
    throw new IssueError(ipFail(code, message, w, this.end, exit, expected));
  }
  lastLoc(): SourceLoc {
    const w = this.words[this.words.length - 1];
    return w ? { ...w.loc, col: w.loc.col + w.text.length } : this.end;
  }
}

/** Run a grammar function: a thrown IssueError becomes the returned IpError. */
export function catchIpError<T>(f: () => T): T | IpError {
  try {
    return f();
  } catch (e) {
    if (e instanceof IssueError) return e.issue as IpError;
    throw e;
  }
}

export function isErr(x: unknown): x is IpError {
  return typeof x === "object" && x !== null && "exit" in x && "code" in x;
}

/** iproute2 `matches(arg, word)`: arg is a non-empty prefix of word. */
export function matches(arg: string, word: string): boolean {
  return arg.length > 0 && word.startsWith(arg);
}

/** Codes of errors iproute2 finds while reading the arguments (it then calls exit()). */
const EXIT_CODES = new Set([
  "usage",
  "ip.invarg",
  "ip.incomplete",
  "ip.option",
  "ip.prefix",
  "ip.address",
  "ip.garbage",
  "ip.family",
  "ip.unknown-command",
  "ip.unknown-object",
  "ip.usage",
]);

/**
 * Whether ip exit()s on this error (invarg, get_prefix, incomplete_command …) instead of
 * returning a failure: inside `-batch` it ends the run at once, even with `-force`, and
 * prints no `Command failed` line.
 */
export function exitsIp(e: { code: string }): boolean {
  return EXIT_CODES.has(e.code);
}
