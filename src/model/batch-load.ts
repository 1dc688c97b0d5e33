/**
 * `ip -batch` files at Internet scale: a full table is a million `route add` lines. Each
 * line of the common shape (`[-4|-6] route add|append|replace|change|prepend|del PREFIX
 * [type] via ADDR dev DEV metric N proto P table T src ADDR scope S onlink`) is read here
 * straight into the command the `ip` grammar would produce — no word objects, no regular
 * expressions — and applied with the same kernel checks (`applyIpCommand`). Every other line,
 * and every line this reader is not sure about (quotes, comments, abbreviations, anything it
 * cannot parse), goes through the general path, which also reports errors with their
 * location. Applying is the same code either way, so the host ends the same.
 * @module
 */
import { parseAddr, parsePrefix, v4, v6, type Addr, type Family, type Prefix } from "../addr/ip.js";
import {
  COLON,
  CR,
  DOT,
  DQUOTE,
  eqAt,
  HASH,
  Interner,
  isDigit,
  LOWER_A,
  LOWER_Z,
  lenAt,
  quadAt,
  SLASH,
  SPACE,
  SQUOTE,
  TAB,
  TILDE,
  u32At,
  UPPER_A,
  UPPER_F,
  v6At,
  wordsToBig,
} from "../parse/fast-scan.js";
import type { IpError } from "../parse/args.js";
import { getU32 } from "../addr/num.js";
import type { IpCommand, NexthopSpec, RouteSpec } from "../parse/ipcmd.js";
import { rttableA2n } from "../parse/names.js";
import { protoA2n, rtntypeA2n, scopeA2n } from "../parse/names.js";
import { applyIpCommand } from "./ops/index.js";
import type { Issue } from "../core/issue.js";
import type { SourceLoc } from "../core/loc.js";
import { batchStop } from "./batch-stop.js";
import type { HostState } from "./types.js";

/**
 * Progress of a long load: `done` of `total` units of `file` (bytes of text). Called every
 * few ten thousand lines; a terminal front end shows it once a load runs over a second.
 */
export type LoadProgress = (file: string, done: number, total: number) => void;

/** How many lines between progress calls. */
const PROGRESS_EVERY = 1 << 15;

const MAX_TOKENS = 48;

const ROUTE_TYPE_WORDS = new Set([
  "unicast",
  "local",
  "broadcast",
  "multicast",
  "throw",
  "unreachable",
  "prohibit",
  "blackhole",
  "anycast",
]);
const OPS = ["add", "del", "delete", "replace", "change", "append", "prepend"];
const OP_NAMES = ["add", "del", "del", "replace", "change", "append", "prepend"] as const;

function hasColon(text: string, a0: number, a1: number): boolean {
  for (let j = a0; j < a1; j++) if (text.charCodeAt(j) === COLON) return true;
  return false;
}

/** The reusable state of one batch run. */
class FastRoutes {
  readonly ts = new Int32Array(MAX_TOKENS);
  readonly te = new Int32Array(MAX_TOKENS);
  n = 0;
  readonly names = new Interner();
  readonly w6 = new Uint32Array(4);
  /** Gateways and sources: the last few spellings and their addresses. */
  private readonly addrText: string[] = [];
  private readonly addrVal: Addr[] = [];
  private readonly spec: RouteSpec = {
    family: 4,
    type: undefined,
    dst: undefined,
    src: undefined,
    tos: undefined,
    table: undefined,
    protocol: undefined,
    scope: undefined,
    metric: undefined,
    prefsrc: undefined,
    nexthops: [],
    multipath: false,
    pref6: undefined,
    metrics: [],
    words: [],
  };
  private readonly nh: NexthopSpec = {
    gateway: undefined,
    dev: undefined,
    weight: 1,
    onlink: false,
  };
  private readonly cmd: Extract<IpCommand, { obj: "route"; route: RouteSpec }> = {
    obj: "route",
    op: "add",
    route: this.spec,
  };
  private readonly ctx: { loc: SourceLoc; words: [] };
  constructor(
    readonly s: HostState,
    readonly file: string,
  ) {
    this.ctx = { loc: { file, line: 0, col: 0 }, words: [] };
  }

  /**
   * Name lookups (linear in iproute2's tables) remembered per spelling; the table names do not
   * change inside a batch of route lines.
   */
  private readonly protos = new Map<string, number | undefined>();
  private readonly tables = new Map<string, number | undefined>();
  private readonly scopes = new Map<string, number | undefined>();
  private tableNamesSize = -1;
  private memo(
    m: Map<string, number | undefined>,
    k: string,
    f: (k: string) => number | undefined,
  ): number | undefined {
    if (m === this.tables && this.s.tableNames.size !== this.tableNamesSize) {
      m.clear();
      this.tableNamesSize = this.s.tableNames.size;
    }
    let v = m.get(k);
    if (v === undefined && !m.has(k)) {
      v = f(k);
      if (m.size < 256) m.set(k, v);
    }
    return v;
  }

  /**
   * Split text[start, end) on blanks; false for quotes, comments, other blanks, non-ASCII or too
   * many words.
   */
  private split(text: string, start: number, end: number): boolean {
    let n = 0,
      i = start;
    while (i < end) {
      let c = text.charCodeAt(i);
      while (c === SPACE || c === TAB || c === CR) {
        if (++i >= end) {
          this.n = n;
          return true;
        }
        c = text.charCodeAt(i);
      }
      if (n >= MAX_TOKENS) return false;
      this.ts[n] = i;
      while (i < end) {
        c = text.charCodeAt(i);
        if (c === SPACE || c === TAB || c === CR) break;
        if (c === DQUOTE || c === SQUOTE || c === HASH || c <= SPACE || c > TILDE) return false;
        i++;
      }
      this.te[n++] = i;
    }
    this.n = n;
    return true;
  }

  private tok(text: string, k: number, lit: string): boolean {
    return eqAt(text, this.ts[k]!, this.te[k]!, lit);
  }

  /** An address token: cached spelling, dotted quad, or the general parser. */
  private addr(text: string, k: number, family: Family | undefined): Addr | undefined {
    const a0 = this.ts[k]!,
      a1 = this.te[k]!;
    const at = this.addrText;
    let a: Addr | undefined;
    for (let i = 0; i < at.length; i++)
      if (eqAt(text, a0, a1, at[i]!)) {
        a = this.addrVal[i]!;
        break;
      }
    if (!a) {
      const q = quadAt(text, a0, a1);
      if (q >= 0) a = v4(q);
      else {
        const r = parseAddr(text.slice(a0, a1), undefined);
        if (!r.ok) return undefined;
        a = r.value;
      }
      if (at.length < 8) {
        at.push(text.slice(a0, a1));
        this.addrVal.push(a);
      }
    }
    // parseAddr(s, family) refuses the other family: let the general path say so.
    return family === undefined || a.family === family ? a : undefined;
  }

  /** A destination prefix token. */
  private prefix(text: string, k: number, family: Family | undefined): Prefix | undefined {
    const a0 = this.ts[k]!,
      a1 = this.te[k]!;
    let slash = a0;
    while (slash < a1 && text.charCodeAt(slash) !== SLASH) slash++;
    if (family !== 6) {
      const q = quadAt(text, a0, slash);
      if (q >= 0) {
        const len = slash < a1 ? lenAt(text, slash + 1, a1, 32) : 32;
        return len < 0 ? undefined : { addr: v4(q), len };
      }
    }
    if (family !== 4 && v6At(text, a0, slash, this.w6)) {
      const len = slash < a1 ? lenAt(text, slash + 1, a1, 128) : 128;
      return len < 0 ? undefined : { addr: v6(wordsToBig(this.w6)), len };
    }
    const r = parsePrefix(text.slice(a0, a1), family);
    return r.ok ? r.value : undefined;
  }

  /** A number for keywords read with get_u32: plain decimal here, other spellings by getU32. */
  private u32(text: string, k: number): number | undefined {
    const n = u32At(text, this.ts[k]!, this.te[k]!);
    return n >= 0 ? n : getU32(text.slice(this.ts[k]!, this.te[k]!));
  }

  /**
   * Apply the line text[start, end) if it has the common shape: the error (or undefined) it
   * gave, or `false` when the general path must read it.
   *
   * Kept whole: the per-line hot path of a million-line load; one flat loop over the token
   * offsets keeps V8 from calling out per token (bench/run.mjs measures it), and every shape
   * it does not know falls back to the general reader.
   */
  line(text: string, start: number, end: number, lineNo: number): IpError | undefined | false {
    if (!this.split(text, start, end) || this.n < 3) return false;
    const n = this.n,
      ts = this.ts,
      te = this.te;
    let i = 0;
    let family: Family | undefined;
    if (this.tok(text, 0, "-4")) {
      family = 4;
      i = 1;
    } else if (this.tok(text, 0, "-6")) {
      family = 6;
      i = 1;
    }
    if (!this.tok(text, i, "route")) return false;
    let op = -1;
    for (let k = 0; k < OPS.length; k++)
      if (this.tok(text, i + 1, OPS[k]!)) {
        op = k;
        break;
      }
    if (op < 0) return false;
    i += 2;
    // One command object reused for every line (ops keeps none of it but the prefix, which is
    // fresh).
    const spec = this.spec;
    spec.family = family ?? 4;
    spec.type = undefined;
    spec.dst = undefined;
    spec.tos = undefined;
    spec.table = undefined;
    spec.protocol = undefined;
    spec.scope = undefined;
    spec.metric = undefined;
    spec.prefsrc = undefined;
    spec.nexthops.length = 0;
    let known = family !== undefined;
    if (!known) {
      // parseRoute: the family of the first address-looking word, until one is parsed.
      for (let k = i; k < n; k++) {
        const a0 = ts[k]!,
          a1 = te[k]!;
        let colon = false,
          slash = a1;
        for (let j = a0; j < a1; j++) {
          const c = text.charCodeAt(j);
          if (c === COLON) colon = true;
          else if (c === SLASH && slash === a1) slash = j;
        }
        if (colon) {
          const ok = v6At(text, a0, slash, this.w6) || parseAddr(text.slice(a0, slash), 6).ok;
          if (ok) {
            spec.family = 6;
            break;
          }
        }
        const c0 = text.charCodeAt(a0);
        if (isDigit(c0)) {
          let j = a0 + 1;
          while (j < a1 && isDigit(text.charCodeAt(j))) j++;
          if (j < a1 - 1 && text.charCodeAt(j) === DOT && isDigit(text.charCodeAt(j + 1))) {
            spec.family = 4;
            break;
          }
        }
      }
    }
    const nh = this.nh;
    nh.gateway = undefined;
    nh.dev = undefined;
    nh.onlink = false;
    let devTok = -1;
    for (; i < n; i++) {
      const a0 = ts[i]!,
        a1 = te[i]!;
      const c0 = text.charCodeAt(a0);
      if (c0 >= LOWER_A && c0 <= LOWER_Z) {
        if (eqAt(text, a0, a1, "via")) {
          if (++i >= n || nh.gateway || this.tok(text, i, "inet") || this.tok(text, i, "inet6"))
            return false;
          const a = this.addr(text, i, undefined);
          if (!a) return false;
          nh.gateway = a;
          if (!known) {
            spec.family = a.family;
            known = true;
          }
          continue;
        }
        if (eqAt(text, a0, a1, "dev") || eqAt(text, a0, a1, "oif")) {
          if (++i >= n) return false;
          nh.dev = this.names.get(text, ts[i]!, te[i]!);
          devTok = i;
          continue;
        }
        if (
          eqAt(text, a0, a1, "metric") ||
          eqAt(text, a0, a1, "priority") ||
          eqAt(text, a0, a1, "preference")
        ) {
          if (++i >= n) return false;
          const v = this.u32(text, i);
          if (v === undefined) return false;
          spec.metric = v;
          continue;
        }
        if (eqAt(text, a0, a1, "proto") || eqAt(text, a0, a1, "protocol")) {
          if (++i >= n) return false;
          const v = this.memo(this.protos, this.names.get(text, ts[i]!, te[i]!), protoA2n);
          if (v === undefined) return false;
          spec.protocol = v;
          continue;
        }
        if (eqAt(text, a0, a1, "table")) {
          if (++i >= n) return false;
          const v = this.memo(this.tables, this.names.get(text, ts[i]!, te[i]!), (x) =>
            rttableA2n(x, this.s.tableNames),
          );
          if (v === undefined) return false;
          spec.table = v;
          continue;
        }
        if (eqAt(text, a0, a1, "scope")) {
          if (++i >= n) return false;
          const v = this.memo(this.scopes, this.names.get(text, ts[i]!, te[i]!), scopeA2n);
          if (v === undefined) return false;
          spec.scope = v;
          continue;
        }
        if (eqAt(text, a0, a1, "src")) {
          if (++i >= n) return false;
          const a = this.addr(text, i, spec.family);
          if (!a) return false;
          spec.prefsrc = a;
          if (!known) {
            spec.family = a.family;
            known = true;
          }
          continue;
        }
        if (eqAt(text, a0, a1, "onlink")) {
          nh.onlink = true;
          continue;
        }
        // A route type word, then the destination.
        if (eqAt(text, a0, a1, "default") || hasColon(text, a0, a1)) {
          /* a destination (no keyword has a colon) */
        } else {
          const word = text.slice(a0, a1);
          if (!ROUTE_TYPE_WORDS.has(word) || spec.type) return false;
          spec.type = rtntypeA2n(word);
          if (++i >= n || this.tok(text, i, "to")) return false;
        }
      } else if (!(isDigit(c0) || c0 === COLON || (c0 >= UPPER_A && c0 <= UPPER_F))) return false;
      if (spec.dst) return false;
      const p = this.prefix(text, i, known ? spec.family : undefined);
      if (!p) return false;
      spec.dst = p;
      if (!known) {
        spec.family = p.addr.family;
        known = true;
      }
    }
    if (nh.gateway || nh.dev || nh.onlink) spec.nexthops.push(nh);
    if (!spec.dst) return false;
    const ctx = this.ctx;
    ctx.loc.line = lineNo;
    ctx.loc.col = ts[0]! - start + 1;
    this.cmd.op = OP_NAMES[op]!;
    const e = applyIpCommand(this.s, this.cmd, ctx);
    if (!e) return undefined;
    if (e.loc === ctx.loc) e.loc = { ...ctx.loc };
    // The device's word locates `Cannot find device` (the general path passes it as devWord).
    if (e.code === "ip.no-device" && devTok >= 0 && e.token === nh.dev)
      e.loc = { file: this.file, line: lineNo, col: ts[devTok]! - start + 1 };
    return e;
  }
}

/**
 * Run the lines of an `ip -batch` text, given in pieces (a file read chunk by chunk; `total` is
 * its size when known), against a host: common route lines through the fast reader, every
 * other line through `general` (which gets the line and its location). `onError` turns an
 * error of a fast line into the issue the general path would report. Without `force` the
 * first failed line ends the run with a `Command failed FILE:N` issue (batch-stop.ts).
 */
export function runBatchChunks<I extends Issue>(
  s: HostState,
  chunks: Iterable<string>,
  file: string,
  firstLine: number,
  general: (line: string, loc: SourceLoc) => I[],
  onError: (e: IpError) => I,
  progress?: LoadProgress,
  total = 0,
  force = false,
): I[] {
  const out: I[] = [];
  const fast = new FastRoutes(s, file);
  let lineNo = firstLine,
    count = 0,
    done = 0,
    carry = "",
    failed = false;
  const run = (text: string, start: number, end: number) => {
    if (failed) return;
    const mark = out.length;
    const r = fast.line(text, start, end, lineNo);
    if (r === false) {
      for (const e of general(text.slice(start, end), { file, line: lineNo, col: 1 })) out.push(e);
    } else if (r) out.push(onError(r));
    const endLoc = { file, line: lineNo, col: end - start + 1 };
    const stop = batchStop(out.slice(mark), force, endLoc, onError);
    if (stop !== false) failed = true;
    if (typeof stop === "object") out.push(stop);
    lineNo++;
    if (progress && ++count % PROGRESS_EVERY === 0) progress(file, done, total);
  };
  for (const chunk of chunks) {
    if (failed) break;
    let start = 0;
    done += chunk.length;
    if (carry) {
      const nl = chunk.indexOf("\n");
      if (nl < 0) {
        carry += chunk;
        continue;
      }
      const line = carry + chunk.slice(0, nl);
      carry = "";
      run(line, 0, line.length);
      start = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf("\n", start);
      if (nl < 0) {
        carry = chunk.slice(start);
        break;
      }
      run(chunk, start, nl);
      start = nl + 1;
    }
  }
  // The last line (without a newline); an empty one, like split("\n")'s last element, is nothing.
  run(carry, 0, carry.length);
  if (progress && count >= PROGRESS_EVERY) progress(file, done, total || done);
  return out;
}
