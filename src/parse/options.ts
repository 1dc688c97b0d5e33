/**
 * `ip`'s global options (ip/ip.c main): `-4`, `-6`, `-family`, `-json`, `-batch FILE`, …,
 * read before the object word. Options that only change the display are accepted and
 * ignored; those that leave the model (`-netns`, non-IP families) are refused.
 * @module
 */
import { IssueError, type IssueCode } from "../core/issue.js";
import { defined } from "../core/result.js";
import type { Word } from "./shell.js";
import type { IpError } from "./args.js";
import type { IpOptions } from "./ipcmd.js";

export type { IpOptions };

/** Result of reading global `ip` options: the options and the index of the object word. */
export function parseIpOptions(
  words: Word[],
  start: number,
): { opts: IpOptions; next: number; error?: IpError } {
  const opts: IpOptions = {};
  let i = start;
  try {
    for (; i < words.length; i++) {
      const w = words[i]!;
      if (!w.text.startsWith("-") || w.text === "-") break;
      // Options that take a value read the next word: `take` moves past it.
      const take = (): Word | undefined => words[++i];
      ipOption(opts, w, take);
    }
  } catch (e) {
    if (!(e instanceof IssueError)) throw e;
    return { opts, next: i, error: e.issue as IpError };
  }
  return { opts, next: i };
}

/** An IpError at `w` thrown to parseIpOptions. */
function fail(code: IssueCode, message: string, w: Word, exit: number, token?: string): never {
  const e: IpError = { code, message, loc: w.loc, ...defined({ token }), exit };
  throw new IssueError(e);
}

/** ip.c main: one option (`-x` and `--x` alike, prefixes as `matches` allows them). */
function ipOption(opts: IpOptions, w: Word, take: () => Word | undefined): void {
  const o = w.text.replace(/^--?/, "-");
  const eq = (full: string, min = 2) => o.length >= min && full.startsWith(o);
  if (o === "-4") opts.family = 4;
  else if (o === "-6") opts.family = 6;
  else if (o === "-0" || o === "-M" || o === "-B")
    fail("ip.not-modelled", `option "${w.text}" (non-IP family) is not modelled`, w, 1, w.text);
  else if (eq("-family") && o !== "-force") {
    const v = take();
    if (v?.text === "inet") opts.family = 4;
    else if (v?.text === "inet6") opts.family = 6;
    else {
      const message = `Error: argument "${v?.text ?? ""}" is wrong: invalid protocol family`;
      fail("ip.family", message, v ?? w, 255);
    }
  } else if (eq("-json")) opts.json = true;
  else if (eq("-pretty")) opts.pretty = true;
  else if (eq("-details")) opts.details = true;
  else if (eq("-force", 3)) opts.force = true;
  else if (eq("-batch")) {
    const v = take();
    if (!v) fail("ip.incomplete", 'Command line is not complete. Try option "help"', w, 255);
    opts.batch = v.text;
  } else if (eq("-numeric")) opts.numeric = true;
  else if (eq("-statistics") || o === "-s") opts.stats = true;
  else if (eq("-brief", 3)) opts.brief = true;
  else if (eq("-oneline")) opts.oneline = true;
  else if (eq("-color", 3) || eq("-timestamp")) {
    /* no colour off a terminal; timestamps only for `ip monitor` */
  } else if (eq("-netns", 3) || o === "-n") {
    const message =
      `"${w.text}" switches to another namespace; ` +
      "load that namespace's script as its own host";
    fail("ip.not-modelled", message, w, 1, w.text);
  } else {
    const e: IpError = {
      code: "ip.option",
      message: `Option "${w.text}" is unknown, try "ip -help".`,
      loc: w.loc,
      token: w.text,
      expected: "an ip option",
      exit: 255,
    };
    throw new IssueError(e);
  }
}
