/**
 * glibc getopt_long as iptables 1.8.9 calls it from do_parse: the base option table
 * (xtables.c's original_opts), extension options merged in as matches and targets load
 * (xtables_merge_options), unique-prefix abbreviations of long options, short-option
 * clusters, and `optind` / `optarg` as an argument cursor.
 * @module
 */
import type { ExtState, OptSpec } from "./ext.js";
import type { Ext } from "./ext.js";
import { paramError } from "./util.js";
import type { Prog } from "./util.js";

/** An extension loaded into the command (`-m NAME`, `-j NAME`) with its parse state. */
export interface ExtUse {
  ext: Ext;
  st: ExtState;
}

/** What an option entry stands for: a base option letter or an extension's option. */
export type Code = string | { use: ExtUse; spec: OptSpec };

/** struct option: name, has_arg (0 no, 1 required, 2 optional), val. */
export interface OptEntry {
  name: string;
  hasArg: 0 | 1 | 2;
  code: Code;
}

/** xshared.c's original_opts, in order (the order decides abbreviations). */
const BASE_LONG: Array<[string, 0 | 1 | 2, string]> = [
  ["append", 1, "A"],
  ["delete", 1, "D"],
  ["check", 1, "C"],
  ["insert", 1, "I"],
  ["replace", 1, "R"],
  ["list", 2, "L"],
  ["list-rules", 2, "S"],
  ["flush", 2, "F"],
  ["zero", 2, "Z"],
  ["new-chain", 1, "N"],
  ["delete-chain", 2, "X"],
  ["rename-chain", 1, "E"],
  ["policy", 1, "P"],
  ["source", 1, "s"],
  ["destination", 1, "d"],
  ["src", 1, "s"],
  ["dst", 1, "d"],
  ["protocol", 1, "p"],
  ["in-interface", 1, "i"],
  ["jump", 1, "j"],
  ["table", 1, "t"],
  ["match", 1, "m"],
  ["numeric", 0, "n"],
  ["out-interface", 1, "o"],
  ["verbose", 0, "v"],
  ["wait", 2, "w"],
  ["wait-interval", 2, "W"],
  ["exact", 0, "x"],
  ["fragments", 0, "f"],
  ["version", 0, "V"],
  ["help", 2, "h"],
  ["line-numbers", 0, "0"],
  ["modprobe", 1, "M"],
  ["set-counters", 1, "c"],
  ["goto", 1, "g"],
  ["ipv4", 0, "4"],
  ["ipv6", 0, "6"],
];

/** iptables' optstring (IPT_OPTSTRING): `:` a required argument, `::` an optional one. */
const SHORTS = "A:C:D:R:I:L::S::M:F::Z::N:X::E:P:Vh::o:p:s:d:j:i:fbvw::W::nt:m:xc:g:46";
const SHORT_ARG = new Map<string, 0 | 1 | 2>();
for (let i = 0; i < SHORTS.length; i++) {
  const c = SHORTS[i]!;
  let n: 0 | 1 | 2 = 0;
  if (SHORTS[i + 1] === ":") {
    n = 1;
    i++;
    if (SHORTS[i + 1] === ":") {
      n = 2;
      i++;
    }
  }
  SHORT_ARG.set(c, n);
}

/**
 * getopt's `optind` and its position inside a short-option cluster (`-vn`), plus the
 * words do_parse takes itself after an option (xs_has_arg, `argv[optind++]`).
 */
export class ArgCursor {
  /** optind: the next argv word. */
  i = 1;
  /** Position within the short-option cluster at argv[i] (0: not inside one). */
  sub = 0;
  constructor(readonly argv: readonly string[]) {}
  /** xs_has_arg: the next word exists and is neither an option nor `!`. */
  hasArg(): boolean {
    const w = this.argv[this.i];
    return w !== undefined && !w.startsWith("-") && !w.startsWith("!");
  }
  peek(): string | undefined {
    return this.argv[this.i];
  }
  /** `argv[optind++]`: the caller checked that a word is there. */
  take(): string {
    return this.argv[this.i++]!;
  }
  /** argv index of the word taken last (optarg's index after getopt). */
  get prev(): number {
    return this.i - 1;
  }
  done(): boolean {
    return this.i >= this.argv.length;
  }
  /** Restart getopt at `at` (command_default re-scans an option after loading a match). */
  rewind(at: number): void {
    this.i = at;
    this.sub = 0;
  }
  /** Stop parsing (iptables-restore skips a line for the other family). */
  end(): void {
    this.i = this.argv.length;
  }
}

/** The option table getopt_long scans: base options, then merged extension options. */
export class OptTable {
  private readonly entries: OptEntry[] = BASE_LONG.map(([name, hasArg, code]) => ({
    name,
    hasArg,
    code,
  }));
  private readonly baseCount = this.entries.length;

  /** xtables_merge_options: base options first, then the newest extension's, then older. */
  merge(use: ExtUse): void {
    const added: OptEntry[] = use.ext.opts.map((spec) => ({
      name: spec.name,
      hasArg: spec.arg ? 1 : 0,
      code: { use, spec },
    }));
    this.entries.splice(this.baseCount, 0, ...added);
  }

  /** getopt_long's lookup: an exact name, else a prefix unique up to equivalent entries. */
  findLong(name: string): OptEntry | "ambiguous" | undefined {
    const exact = this.entries.find((e) => e.name === name);
    if (exact) return exact;
    const pre = this.entries.filter((e) => e.name.startsWith(name));
    const first = pre[0];
    if (first === undefined) return undefined;
    for (const e of pre.slice(1)) if (!sameOption(e, first)) return "ambiguous";
    return first;
  }
}

/** getopt_long treats two prefix matches as one when has_arg and val agree. */
function sameOption(e: OptEntry, first: OptEntry): boolean {
  if (e.hasArg === first.hasArg && e.code === first.code) return true;
  return (
    typeof e.code !== "string" &&
    typeof first.code !== "string" &&
    e.code.use === first.code.use &&
    e.code.spec.id === first.code.spec.id
  );
}

/** One getopt_long result. */
export interface Opt {
  /** The option's code; 1 a non-option word; `?` unknown option; `:` missing argument. */
  c: Code | "?" | ":" | 1;
  optarg: string | undefined;
  /** argv index of the option word. */
  at: number;
  /** The option word as written. */
  tok: string;
  /** How an unknown option is named in "unknown option" (`-X` inside a cluster). */
  unknownName: string;
}

/**
 * One getopt_long step over `cur`; undefined at the end of argv or after `--` (which must
 * end the command line: iptables takes no operands).
 */
export function getoptLong(cur: ArgCursor, table: OptTable, p: Prog): Opt | undefined {
  if (cur.done()) return undefined;
  const tok = cur.argv[cur.i]!;
  const at = cur.i;
  if (cur.sub === 0 && (tok === "-" || !tok.startsWith("-"))) {
    cur.i++;
    return { c: 1, optarg: tok, at, tok, unknownName: tok };
  }
  if (cur.sub === 0 && tok === "--") {
    cur.i++;
    if (!cur.done())
      throw paramError(
        p,
        "unknown arguments found on commandline",
        cur.i,
        "iptables.unexpected-argument",
      );
    return undefined;
  }
  if (cur.sub === 0 && tok.startsWith("--")) return longOption(cur, table, tok, at);
  return shortOption(cur, tok, at);
}

/** `--name`, `--name=value`, `--name value`. */
function longOption(cur: ArgCursor, table: OptTable, tok: string, at: number): Opt {
  const eq = tok.indexOf("=");
  const e = table.findLong(eq >= 0 ? tok.slice(2, eq) : tok.slice(2));
  cur.i++;
  const opt: Opt = { c: "?", optarg: undefined, at, tok, unknownName: tok };
  if (!e || e === "ambiguous") return opt;
  opt.c = e.code;
  if (e.hasArg === 1) {
    if (eq >= 0) opt.optarg = tok.slice(eq + 1);
    else if (!cur.done()) opt.optarg = cur.take();
    else opt.c = ":";
  } else if (e.hasArg === 2) {
    if (eq >= 0) opt.optarg = tok.slice(eq + 1);
  } else if (eq >= 0) opt.c = "?";
  return opt;
}

/** The next letter of a short-option cluster; its argument is the rest or the next word. */
function shortOption(cur: ArgCursor, tok: string, at: number): Opt {
  const ch = tok[1 + cur.sub]!;
  const has = SHORT_ARG.get(ch);
  cur.sub++;
  const last = 1 + cur.sub >= tok.length;
  const c = has === undefined ? "?" : ch;
  const opt: Opt = { c, optarg: undefined, at, tok, unknownName: `-${ch}` };
  if (has === undefined || has === 0) {
    if (last) cur.rewind(cur.i + 1);
    return opt;
  }
  const rest = tok.slice(1 + cur.sub);
  cur.rewind(cur.i + 1);
  if (rest !== "") opt.optarg = rest;
  else if (has === 1) {
    if (!cur.done()) opt.optarg = cur.take();
    else opt.c = ":";
  }
  return opt;
}
