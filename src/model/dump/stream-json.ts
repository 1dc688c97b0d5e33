/**
 * Kept whole: one streaming state machine and its in-place fast reader share the scanner state
 * (position, line, column, item buffer).
 *
 * `ip -j route show` JSON read as a stream: each flat element by the fast reader, else
 * parsed alone and read by routeFromJson with its position in the file.
 * @module
 */
import type { Addr, Family } from "../../addr/ip.js";
import { IssueError, type Issue } from "../../core/issue.js";
import type { RouteType } from "../../core/kinds.js";
import type { JNode } from "../../parse/dump-json.js";
import { JsonSyntaxError, LineIndex, parseJsonValues } from "../../parse/dump-json.js";
import {
  BACKSLASH,
  COLON,
  COMMA,
  CR,
  DIGIT_0,
  DOT,
  DQUOTE,
  eqAt,
  isDigit,
  LBRACE,
  LBRACKET,
  LF,
  LOWER_E,
  RBRACE,
  RBRACKET,
  SPACE,
  TAB,
  u32At,
  UPPER_E,
} from "../../parse/fast-scan.js";
import { newRoute } from "../route-skeleton.js";
import type { HostState, Route } from "../types.js";
import { ROUTE_TYPES } from "./detect.js";
import { rejected, tokenOf } from "./loader.js";
import { commitRoutes } from "./routes.js";
import { routeFromJson } from "./routes-json.js";
import { addrFamilyAt, Common } from "./stream-common.js";

// ---------------------------------------------------------------------------------------
// `ip -j route show` JSON

/** Keys the fast JSON reader takes (anything else: the general reader). */
const K_TYPE = 1,
  K_DST = 2,
  K_GATEWAY = 3,
  K_DEV = 4,
  K_TABLE = 5,
  K_PROTOCOL = 6,
  K_SCOPE = 7,
  K_PREFSRC = 8,
  K_METRIC = 9,
  K_FLAGS = 10,
  K_PREF = 11;
const KEYS: [string, number][] = [
  ["type", K_TYPE],
  ["dst", K_DST],
  ["gateway", K_GATEWAY],
  ["dev", K_DEV],
  ["table", K_TABLE],
  ["protocol", K_PROTOCOL],
  ["scope", K_SCOPE],
  ["prefsrc", K_PREFSRC],
  ["metric", K_METRIC],
  ["flags", K_FLAGS],
  ["pref", K_PREF],
];
const V_STR = 1,
  V_NUM = 2,
  V_EMPTY_ARR = 3;
/** routeFromJson guesses the family from these keys, in this order. */
const FAMILY_KEYS = [K_DST, K_GATEWAY, K_PREFSRC];

const enum Mode {
  Top,
  ArrayOpen,
  AfterItem,
  ItemNext,
}

/** `ip -j route show` JSON, element by element: the fast reader, else routeFromJson. */
export class JsonStream extends Common {
  private mode = Mode.Top;
  /** Pieces of an element that spans chunks, and where it started. */
  private item: string[] = [];
  private inItem = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private itemLine = 1;
  private itemCol = 1;
  private col = 1;
  private broken = false;
  private readonly kind = new Int32Array(16);
  private readonly ka = new Int32Array(16);
  private readonly va = new Int32Array(16);
  private readonly vb = new Int32Array(16);
  private readonly vk = new Int32Array(16);
  private items = 0;
  constructor(
    state: HostState,
    file: string,
    private readonly progress?: () => void,
  ) {
    super(state, file);
  }

  /**
   * Feed the next chunk of the JSON array: complete items are read (fast path first), a
   * partial one waits for the next chunk.
   *
   * Kept whole: the array-level state machine (top, open, next item, after item) reads best
   * as one switch over the modes; the items themselves are read by fastItem and scanItem.
   */
  push(chunk: string): void {
    if (this.broken) return;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.inItem) {
        i = this.scanItem(chunk, i);
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (c === SPACE || c === TAB || c === CR) {
        i++;
        this.col++;
        continue;
      }
      if (c === LF) {
        i++;
        this.line++;
        this.col = 1;
        continue;
      }
      switch (this.mode) {
        case Mode.Top:
          if (c !== LBRACKET) {
            this.broken = true;
            return;
          } // only arrays at the top (else: the whole-text loader)
          this.mode = Mode.ArrayOpen;
          i++;
          this.col++;
          break;
        case Mode.ArrayOpen:
        case Mode.ItemNext:
          if (c === RBRACKET && this.mode === Mode.ArrayOpen) {
            this.endArray();
            i++;
            this.col++;
            break;
          }
          if (c === RBRACKET || c === COMMA) {
            this.broken = true;
            return;
          }
          // An element starts: the fast reader when it is a flat object inside this chunk.
          if (c === LBRACE) {
            const e = this.fastItem(chunk, i);
            if (e > 0) {
              this.col += e - i;
              i = e;
              this.mode = Mode.AfterItem;
              break;
            }
          }
          this.inItem = true;
          this.item = [];
          this.depth = 0;
          this.inString = false;
          this.escaped = false;
          this.scalar = false;
          this.itemLine = this.line;
          this.itemCol = this.col;
          i = this.scanItem(chunk, i);
          break;
        case Mode.AfterItem:
          if (c === COMMA) {
            this.mode = Mode.ItemNext;
            i++;
            this.col++;
            break;
          }
          if (c === RBRACKET) {
            this.endArray();
            i++;
            this.col++;
            break;
          }
          this.broken = true;
          return;
      }
    }
  }

  /**
   * Scan an element with the general rules (nesting, strings, scalars); returns where scanning
   * stopped.
   */
  private scanItem(chunk: string, i: number): number {
    const n = chunk.length,
      from = i;
    let end = false;
    for (; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (
        this.scalar &&
        !this.inString &&
        (c === COMMA || c === RBRACKET || c === SPACE || c === TAB || c === CR || c === LF)
      ) {
        end = true;
        break;
      }
      if (c === LF) {
        this.line++;
        this.col = 1;
      } else this.col++;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === DQUOTE) {
          this.inString = false;
          if (this.depth === 0) {
            i++;
            end = true;
            break;
          }
        }
        continue;
      }
      if (this.scalar) continue;
      if (c === DQUOTE) this.inString = true;
      else if (c === LBRACE || c === LBRACKET) this.depth++;
      else if (c === RBRACE || c === RBRACKET) {
        if (--this.depth === 0) {
          i++;
          end = true;
          break;
        }
      } else if (this.depth === 0) this.scalar = true;
    }
    this.item.push(chunk.slice(from, i));
    if (end) {
      this.inItem = false;
      this.mode = Mode.AfterItem;
      this.general(this.item.join(""));
      this.item = [];
    }
    return i;
  }

  /**
   * The general reader on one element: parse it, then routeFromJson, with its position in the file.
   */
  private general(text: string): void {
    let nodes: JNode[];
    try {
      nodes = parseJsonValues(text);
    } catch (e) {
      if (e instanceof JsonSyntaxError) {
        this.broken = true;
        return;
      }
      throw e;
    }
    if (nodes.length !== 1) {
      this.broken = true;
      return;
    }
    const o = nodes[0]!;
    const li = new LineIndex(text),
      line0 = this.itemLine,
      col0 = this.itemCol;
    this.ld.idx = {
      at(pos: number) {
        const p = li.at(pos);
        return { line: line0 + p.line - 1, col: p.line === 1 ? col0 + p.col - 1 : p.col };
      },
    };
    this.count();
    if (o.t !== "obj") {
      this.ld.reject(rejected(o.pos, tokenOf(o), "an object"));
      return;
    }
    try {
      this.routes.push(routeFromJson(this.ld, o));
    } catch (e) {
      if (!(e instanceof IssueError)) throw e;
      // loadJson rejects an array's non-objects before reading its routes: route issues wait for
      // the array's end.
      const n = this.ld.issues.length;
      this.ld.reject(e);
      for (const i of this.ld.issues.splice(n)) this.routeIssues.push(i);
    }
  }

  private readonly routeIssues: Issue[] = [];
  private endArray(): void {
    this.mode = Mode.Top;
    for (const i of this.routeIssues) this.ld.issues.push(i);
    this.routeIssues.length = 0;
  }

  private count(): void {
    if (this.progress && (++this.items & 0x7fff) === 0) this.progress();
  }

  /**
   * A flat object `{"dst":"...","gateway":"...","dev":"...","metric":N,"flags":[],...}` of the
   * keys above, read in place: where it ends (after `}`), or 0 when the general reader must
   * read it (nothing changed).
   *
   * Kept whole: the per-object hot path of a million-line load; one flat loop over the token
   * offsets keeps V8 from calling out per character (bench/run.mjs measures it), and every shape
   * it does not know falls back to the general reader.
   */
  private fastItem(t: string, i: number): number {
    const n = t.length;
    let k = 0,
      lines = 0;
    i++;
    for (;;) {
      let c = t.charCodeAt(i);
      while (c === SPACE || c === TAB || c === CR || c === LF) {
        if (c === LF) lines++;
        c = t.charCodeAt(++i);
      }
      if (i >= n) return 0;
      if (c === RBRACE && k === 0) {
        i++;
        break;
      }
      if (c !== DQUOTE || k >= 16) return 0;
      const ks = ++i;
      while (i < n && (c = t.charCodeAt(i)) !== DQUOTE) {
        if (c === BACKSLASH || c < SPACE) return 0;
        i++;
      }
      if (i >= n) return 0;
      let key = 0;
      for (const [name, id] of KEYS)
        if (eqAt(t, ks, i, name)) {
          key = id;
          break;
        }
      if (!key) return 0;
      this.kind[k] = key;
      this.ka[k] = ks - 1;
      i++;
      c = t.charCodeAt(i);
      while (c === SPACE || c === TAB || c === CR || c === LF) {
        if (c === LF) lines++;
        c = t.charCodeAt(++i);
      }
      if (c !== COLON) return 0;
      c = t.charCodeAt(++i);
      while (c === SPACE || c === TAB || c === CR || c === LF) {
        if (c === LF) lines++;
        c = t.charCodeAt(++i);
      }
      if (c === DQUOTE) {
        const vs = ++i;
        while (i < n && (c = t.charCodeAt(i)) !== DQUOTE) {
          if (c === BACKSLASH || c < SPACE) return 0;
          i++;
        }
        if (i >= n) return 0;
        this.vk[k] = V_STR;
        this.va[k] = vs;
        this.vb[k] = i;
        i++;
      } else if (isDigit(c)) {
        const vs = i;
        while (i < n && isDigit((c = t.charCodeAt(i)))) i++;
        if (c === DOT || c === LOWER_E || c === UPPER_E) return 0;
        if (t.charCodeAt(vs) === DIGIT_0 && i - vs > 1) return 0;
        this.vk[k] = V_NUM;
        this.va[k] = vs;
        this.vb[k] = i;
      } else if (c === LBRACKET) {
        c = t.charCodeAt(++i);
        while (c === SPACE || c === TAB || c === CR || c === LF) {
          if (c === LF) lines++;
          c = t.charCodeAt(++i);
        }
        if (c !== RBRACKET) return 0;
        i++;
        this.vk[k] = V_EMPTY_ARR;
        this.va[k] = i;
        this.vb[k] = i;
      } else return 0;
      k++;
      c = t.charCodeAt(i);
      while (c === SPACE || c === TAB || c === CR || c === LF) {
        if (c === LF) lines++;
        c = t.charCodeAt(++i);
      }
      if (c === COMMA) {
        i++;
        continue;
      }
      if (c === RBRACE) {
        i++;
        break;
      }
      return 0;
    }
    if (lines) return 0; // pretty-printed: the general reader keeps the line count exact
    const r = this.build(t, k);
    if (!r) return 0;
    this.routes.push(r);
    this.count();
    return i;
  }

  /**
   * routeFromJson for the k entries read by fastItem; undefined when any value needs the general
   * reader.
   *
   * Kept whole: the per-route hot path of a million-line load; one flat loop over the key
   * offsets keeps V8 from calling out per token (bench/run.mjs measures it), and every shape
   * it does not know falls back to the general reader.
   */
  private build(t: string, k: number): Route | undefined {
    const kind = this.kind,
      vk = this.vk,
      va = this.va,
      vb = this.vb;
    // guessRouteFamily over dst, gateway, prefsrc (string values, not "default"), unless `pref`
    // says IPv6.
    let family: Family | undefined;
    for (let j = 0; j < k; j++) if (kind[j] === K_PREF) family = 6;
    for (const want of FAMILY_KEYS) {
      if (family) break;
      for (let j = 0; j < k; j++) {
        if (kind[j] !== want || vk[j] !== V_STR) continue;
        if (!eqAt(t, va[j]!, vb[j]!, "default")) {
          const f = addrFamilyAt(t, va[j]!, vb[j]!);
          if (f) family = f;
        }
        break;
      }
    }
    family ??= 4;
    const r = newRoute(family);
    let gw: Addr | undefined,
      dev: string | undefined,
      hasDst = false;
    for (let j = 0; j < k; j++) {
      const a = va[j]!,
        b = vb[j]!,
        v = vk[j];
      switch (kind[j]) {
        case K_TYPE: {
          if (v !== V_STR) return undefined;
          const s = this.names.get(t, a, b);
          if (!ROUTE_TYPES.has(s)) return undefined;
          r.type = s as RouteType;
          break;
        }
        case K_DST: {
          if (v !== V_STR) return undefined;
          const p = this.prefix(t, a, b, family);
          if (!p) return undefined;
          r.dst = p;
          hasDst = true;
          break;
        }
        case K_GATEWAY: {
          if (v !== V_STR) return undefined;
          gw = this.addr(t, a, b, family);
          if (!gw) return undefined;
          break;
        }
        case K_DEV:
          if (v !== V_STR) return undefined;
          dev = this.names.get(t, a, b);
          break;
        case K_TABLE: {
          if (v !== V_STR) return undefined;
          const x = this.table(this.names.get(t, a, b));
          if (x === undefined) return undefined;
          r.table = x;
          break;
        }
        case K_PROTOCOL: {
          if (v !== V_STR) return undefined;
          const x = this.proto(this.names.get(t, a, b));
          if (x === undefined) return undefined;
          r.protocol = x;
          break;
        }
        case K_SCOPE: {
          if (v !== V_STR) return undefined;
          const x = this.scope(this.names.get(t, a, b));
          if (x === undefined) return undefined;
          r.scope = x;
          break;
        }
        case K_PREFSRC: {
          if (v !== V_STR) return undefined;
          const x = this.addr(t, a, b, family);
          if (!x) return undefined;
          r.prefsrc = x;
          break;
        }
        case K_METRIC: {
          if (v !== V_NUM) return undefined;
          const x = u32At(t, a, b);
          if (x < 0) return undefined;
          r.metric = x;
          break;
        }
        case K_FLAGS:
          if (v !== V_EMPTY_ARR) return undefined;
          break;
        case K_PREF: {
          if (v === V_STR && eqAt(t, a, b, "medium")) r.pref6 = 0;
          else if (v === V_STR && eqAt(t, a, b, "high")) r.pref6 = 1;
          else if (v === V_STR && eqAt(t, a, b, "low")) r.pref6 = 3;
          else return undefined;
          break;
        }
        default:
          return undefined;
      }
    }
    if (!hasDst) return undefined;
    this.hops(r, dev, gw);
    return r;
  }

  finish(): Issue[] | "whole-text" {
    if (this.broken || this.inItem || this.mode !== Mode.Top) return "whole-text";
    commitRoutes(this.ld, this.routes);
    return this.ld.issues;
  }
}
