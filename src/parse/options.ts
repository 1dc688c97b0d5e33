/**
 * `ip`'s global options (ip/ip.c main): `-4`, `-6`, `-family`, `-json`, `-batch FILE`, …,
 * read before the object word. Options that only change the display are accepted and
 * ignored; those that leave the model (`-netns`, non-IP families) are refused.
 * @module
 */
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
  const eq = (w: string, full: string, min = 2) => w.length >= min && full.startsWith(w);
  while (i < words.length) {
    const w = words[i]!.text;
    if (!w.startsWith("-") || w === "-") break;
    const o = w.replace(/^--?/, "-");
    if (o === "-4") opts.family = 4;
    else if (o === "-6") opts.family = 6;
    else if (o === "-0" || o === "-M" || o === "-B")
      return {
        opts,
        next: i,
        error: {
          code: "ip.not-modelled",
          message: `option "${w}" (non-IP family) is not modelled`,
          loc: words[i]!.loc,
          token: w,
          exit: 1,
        },
      };
    else if (eq(o, "-family", 2) && o !== "-force") {
      const v = words[++i]?.text;
      if (v === "inet") opts.family = 4;
      else if (v === "inet6") opts.family = 6;
      else
        return {
          opts,
          next: i,
          error: {
            code: "ip.family",
            message: `Error: argument "${v ?? ""}" is wrong: invalid protocol family`,
            loc: (words[i] ?? words[i - 1]!).loc,
            exit: 255,
          },
        };
    } else if (eq(o, "-json", 2)) opts.json = true;
    else if (eq(o, "-pretty", 2)) opts.pretty = true;
    else if (eq(o, "-details", 2)) opts.details = true;
    else if (eq(o, "-force", 3)) opts.force = true;
    else if (eq(o, "-batch", 2)) {
      const v = words[++i];
      if (!v)
        return {
          opts,
          next: i,
          error: {
            code: "ip.incomplete",
            message: 'Command line is not complete. Try option "help"',
            loc: words[i - 1]!.loc,
            exit: 255,
          },
        };
      opts.batch = v.text;
    } else if (eq(o, "-numeric", 2)) opts.numeric = true;
    else if (eq(o, "-statistics", 2) || o === "-s") opts.stats = true;
    else if (
      eq(o, "-oneline", 2) ||
      eq(o, "-color", 3) ||
      eq(o, "-brief", 3) ||
      eq(o, "-timestamp", 2)
    ) {
      /* display only */
    } else if (eq(o, "-netns", 3) || o === "-n")
      return {
        opts,
        next: i,
        error: {
          code: "ip.not-modelled",
          message: `"${w}" switches to another namespace; load that namespace's script as its own host`,
          loc: words[i]!.loc,
          token: w,
          exit: 1,
        },
      };
    else
      return {
        opts,
        next: i,
        error: {
          code: "ip.option",
          message: `Option "${w}" is unknown, try "ip -help".`,
          loc: words[i]!.loc,
          token: w,
          expected: "an ip option",
          exit: 255,
        },
      };
    i++;
  }
  return { opts, next: i };
}
