/**
 * Route dumps at Internet scale, read as a stream of text chunks: `ip route show table all`
 * text and `ip -j route show table all` JSON with a million routes load without holding the
 * whole text (nor a JSON tree of it) in memory.
 *
 * Each line (text) or array element (JSON) is read by a fast reader when it has the shape
 * iproute2 prints for ordinary routes, and by the general dump reader (`routeFromText`,
 * `routeFromJson`) otherwise, with the same validation and `file:line:column` issues as
 * `loadDump` on the whole text. The routes are committed at the end exactly as `loadDump`
 * commits them. A JSON stream that turns out not to be valid JSON cannot be loaded
 * element by element (`loadDump` reports one syntax error and loads nothing); the caller is
 * then told to load the whole text the ordinary way.
 * @module
 */
import { parseAddr, parsePrefix, v4, v6, type Addr, type Family, type Prefix } from "../addr/ip.js";
import type { HostState, Issue, Link, Nexthop, Route, RouteType } from "./types.js";
import { plainHops } from "./fib-index.js";
import type { JNode } from "../parse/dump-json.js";
import { JsonSyntaxError, LineIndex, parseJsonValues } from "../parse/dump-json.js";
import {
  canLinkdown,
  commitRoutes,
  Cursor,
  Loader,
  Rejected,
  routeFromJson,
  routeFromText,
  ROUTE_TYPES,
  tokenize,
  tokenOf,
} from "./dump.js";
import { eqAt, lenAt, quadAt, u32At, v6At, wordsToBig } from "../parse/fast-scan.js";
import { parseNum, rtprotA2n, rtscopeA2n, tableA2n } from "../parse/names.js";

/** Progress callback: bytes (UTF-16 units) of `file` read so far, of `total` when known (0 otherwise). */
export type StreamProgress = (file: string, done: number, total: number) => void;

/** A route dump being read chunk by chunk. */
export interface RouteDumpStream {
  /** Feed the next piece of text (any split, even inside a line or a JSON string). */
  push(chunk: string): void;
  /**
   * Commit the routes; the issues found. `"whole-text"`: the input is not a JSON text this
   * reader can take element by element; nothing was changed, load the whole text instead.
   */
  end(): Issue[] | "whole-text";
}

const NO_HOPS: Nexthop[] = [];
const DST4: Prefix = { addr: v4(0), len: 0 },
  DST6: Prefix = { addr: v6(0n), len: 0 };
/** newRoute's object, with placeholders the fast readers always replace (no garbage per route). */
function route(family: Family): Route {
  return {
    family,
    table: 254,
    type: "unicast",
    dst: family === 4 ? DST4 : DST6,
    tos: 0,
    metric: family === 6 ? 1024 : 0,
    protocol: 3,
    scope: 0,
    nexthops: NO_HOPS,
    multipath: false,
    pref6: 0,
    seq: 0,
  };
}
const SPACE = 32,
  TAB = 9,
  CR = 13,
  LF = 10;

/** Remembers the result of a name lookup (iproute2's name tables are scanned linearly). */
class Memo {
  private readonly m = new Map<string, number | undefined>();
  get(k: string, f: (k: string) => number | undefined): number | undefined {
    let v = this.m.get(k);
    if (v === undefined && !this.m.has(k)) {
      v = f(k);
      if (this.m.size < 256) this.m.set(k, v);
    }
    return v;
  }
}

/** Short strings seen on every line (device names, gateways, protocols) are sliced once. */
class Names {
  private readonly keys: string[] = [];
  get(text: string, a: number, b: number): string {
    const ks = this.keys;
    for (let i = 0; i < ks.length; i++) if (eqAt(text, a, b, ks[i]!)) return ks[i]!;
    const k = text.slice(a, b);
    if (ks.length < 16) ks.push(k);
    return k;
  }
}

/** What both readers share: the loader, caches and scratch. */
class Common {
  readonly ld: Loader;
  readonly routes: Route[] = [];
  readonly names = new Names();
  readonly tables = new Memo();
  readonly protos = new Memo();
  readonly scopes = new Memo();
  readonly w6 = new Uint32Array(4);
  private readonly addrText: string[] = [];
  private readonly addrVal: Addr[] = [];
  /** Line of the element being read by the general reader, for positions. */
  line = 1;
  constructor(
    readonly state: HostState,
    readonly file: string,
  ) {
    this.ld = new Loader(state, "", file);
    this.ld.routeRefs = true;
  }

  /** parseAddr(text[a, b), family) for the plain spellings, cached; undefined to use the general reader. */
  addr(text: string, a: number, b: number, family: Family): Addr | undefined {
    const at = this.addrText;
    for (let i = 0; i < at.length; i++)
      if (eqAt(text, a, b, at[i]!)) {
        const x = this.addrVal[i]!;
        return x.family === family ? x : undefined;
      }
    let x: Addr | undefined;
    const q = quadAt(text, a, b);
    if (q >= 0) x = v4(q);
    else if (v6At(text, a, b, this.w6)) x = v6(wordsToBig(this.w6));
    if (x && at.length < 8) {
      at.push(text.slice(a, b));
      this.addrVal.push(x);
    }
    return x && x.family === family ? x : undefined;
  }

  /** parsePrefix(text[a, b), family); undefined to use the general reader. */
  prefix(text: string, a: number, b: number, family: Family): Prefix | undefined {
    let slash = a;
    while (slash < b && text.charCodeAt(slash) !== 47) slash++;
    if (family === 4) {
      const q = quadAt(text, a, slash);
      if (q < 0) {
        if (eqAt(text, a, b, "default")) return { addr: v4(0), len: 0 };
        return undefined;
      }
      const len = slash < b ? lenAt(text, slash + 1, b, 32) : 32;
      return len < 0 ? undefined : { addr: v4(q), len };
    }
    if (!v6At(text, a, slash, this.w6)) {
      if (eqAt(text, a, b, "default")) return { addr: v6(0n), len: 0 };
      return undefined;
    }
    const len = slash < b ? lenAt(text, slash + 1, b, 128) : 128;
    return len < 0 ? undefined : { addr: v6(wordsToBig(this.w6)), len };
  }

  /**
   * finishNexthops for one plain nexthop without flags, straight to the shared list (commitRoutes
   * would share it too): the same link references, no per-route nexthop objects.
   */
  hops(r: Route, dev: string | undefined, gw: Addr | undefined): void {
    const ifindex = dev !== undefined ? this.ld.link(dev, canLinkdown(r) ? false : null, false) : 0;
    r.nexthops = plainHops(this.state, ifindex, gw);
    r.multipath = false;
  }

  table(s: string): number | undefined {
    return this.tables.get(s, (k) => tableA2n(this.state.tableNames, k));
  }
  proto(s: string): number | undefined {
    return this.protos.get(s, rtprotA2n);
  }
  scope(s: string): number | undefined {
    return this.scopes.get(s, rtscopeA2n);
  }
}

/** guessRouteFamily's addrFamily on text[a, b) up to a slash: ':' → 6, four dotted digit groups → 4. */
function addrFamilyAt(text: string, a: number, b: number): Family | undefined {
  let dots = 0,
    digits = 0;
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c === 58) return 6;
    if (c === 47) {
      b = i;
      break;
    }
  }
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46) {
      if (!digits) return undefined;
      dots++;
      digits = 0;
    } else return undefined;
  }
  return dots === 3 && digits > 0 ? 4 : undefined;
}

// ---------------------------------------------------------------------------------------
// `ip route show` text

const MAX_TOKENS = 40;

class TextStream extends Common {
  private carry = "";
  private prev: Route | undefined;
  /** Routes waiting for their `nexthop` lines: where they started. */
  private readonly pending = new Map<Route, { line: number; token: string }>();
  private readonly ts = new Int32Array(MAX_TOKENS);
  private readonly te = new Int32Array(MAX_TOKENS);
  private readonly mapper = {
    line: 1,
    at(pos: number) {
      return { line: this.line, col: pos + 1 };
    },
  };
  constructor(
    state: HostState,
    file: string,
    private readonly progress?: () => void,
  ) {
    super(state, file);
    this.ld.idx = this.mapper;
  }

  push(chunk: string): void {
    let text = chunk,
      start = 0;
    if (this.carry) {
      const nl = chunk.indexOf("\n");
      if (nl < 0) {
        this.carry += chunk;
        return;
      }
      this.lineAt(this.carry + chunk.slice(0, nl), 0, this.carry.length + nl);
      this.carry = "";
      start = nl + 1;
    }
    for (;;) {
      const nl = text.indexOf("\n", start);
      if (nl < 0) {
        this.carry = text.slice(start);
        return;
      }
      this.lineAt(text, start, nl);
      start = nl + 1;
    }
  }

  finish(): Issue[] {
    if (this.carry) {
      const c = this.carry;
      this.carry = "";
      this.lineAt(c, 0, c.length);
    }
    for (const [r, st] of this.pending) {
      if (r.nexthops.length === 0) {
        this.ld.issues.push({
          code: "dump.rejected",
          message: "a route without dev or via must be followed by its `nexthop` lines",
          loc: { file: this.file, line: st.line, col: 1 },
          token: st.token,
          expected: "`\\tnexthop via ADDR dev DEV weight N` lines",
        });
      }
      if (r.nexthops.length === 1) r.multipath = false;
    }
    commitRoutes(
      this.ld,
      this.routes.filter((r) => r.nexthops.length > 0),
    );
    return this.ld.issues;
  }

  private lineAt(text: string, start: number, end: number): void {
    const lineNo = this.line++;
    if (this.progress && (lineNo & 0x7fff) === 0) this.progress();
    if (end > start && text.charCodeAt(end - 1) === CR) end--;
    const r = this.fast(text, start, end);
    if (r) {
      this.routes.push(r);
      this.prev = r;
      return;
    }
    if (r === null) return; // blank or comment
    // The general reader, exactly as loadLines runs it.
    const line = text.slice(start, end);
    this.mapper.line = lineNo;
    try {
      const c = new Cursor(tokenize(line, 0), line.length);
      const rr = routeFromText(this.ld, c, this.prev);
      if (rr !== "continued") {
        this.routes.push(rr);
        this.prev = rr;
        if (rr.multipath && rr.nexthops.length === 0)
          this.pending.set(rr, { line: lineNo, token: c.toks[0]?.s ?? "" });
      }
    } catch (e) {
      if (!(e instanceof Rejected)) throw e;
      this.ld.reject(e);
      if (!/^\s/.test(line)) this.prev = undefined;
    }
  }

  /**
   * A route line of the common shape, read in place: the route; null for a blank or
   * comment line; undefined when the general reader must read it.
   */
  private fast(text: string, start: number, end: number): Route | null | undefined {
    const ts = this.ts,
      te = this.te;
    let n = 0;
    for (let i = start; i < end; ) {
      let c = text.charCodeAt(i);
      if (c === SPACE || c === TAB) {
        i++;
        continue;
      }
      if (n >= MAX_TOKENS) return undefined;
      ts[n] = i;
      while (i < end) {
        c = text.charCodeAt(i);
        if (c === SPACE || c === TAB) break;
        if (c < 33 || c > 126) return undefined;
        i++;
      }
      te[n++] = i;
    }
    if (n === 0) return null;
    const c0 = text.charCodeAt(ts[0]!);
    if (c0 === 35 || c0 === 59) return null; // # ;
    if (ts[0] !== start) return undefined; // continuation lines (nexthop ...)
    let k = 0;
    let type: RouteType = "unicast";
    if (
      c0 >= 97 &&
      c0 <= 122 &&
      !eqAt(text, ts[0]!, te[0]!, "default") &&
      text.slice(ts[0]!, te[0]!).indexOf(":") < 0
    ) {
      const w = text.slice(ts[0]!, te[0]!);
      if (!ROUTE_TYPES.has(w)) return undefined;
      type = w as RouteType;
      k = 1;
      if (n < 2) return undefined;
    }
    const dk = k;
    // guessRouteFamily: `pref` anywhere means IPv6; else the destination, then from/via/src values.
    let family: Family | undefined;
    for (let i = 0; i < n; i++)
      if (eqAt(text, ts[i]!, te[i]!, "pref")) {
        family = 6;
        break;
      }
    if (!family) {
      if (!eqAt(text, ts[dk]!, te[dk]!, "default")) family = addrFamilyAt(text, ts[dk]!, te[dk]!);
      for (let i = 1; !family && i < n; i++) {
        const p0 = ts[i - 1]!,
          p1 = te[i - 1]!;
        if (
          (eqAt(text, p0, p1, "via") || eqAt(text, p0, p1, "src") || eqAt(text, p0, p1, "from")) &&
          !eqAt(text, ts[i]!, te[i]!, "default")
        )
          family = addrFamilyAt(text, ts[i]!, te[i]!);
      }
      family ??= 4;
    }
    const r = route(family);
    r.type = type;
    const dst = this.prefix(text, ts[dk]!, te[dk]!, family);
    if (!dst) return undefined;
    r.dst = dst;
    let gw: Addr | undefined, dev: string | undefined;
    for (let i = dk + 1; i < n; i++) {
      const a = ts[i]!,
        b = te[i]!;
      if (i + 1 >= n) return undefined; // every attribute here takes a value
      const va = ts[i + 1]!,
        vb = te[i + 1]!;
      i++;
      if (eqAt(text, a, b, "via")) {
        gw = this.addr(text, va, vb, family);
        if (!gw) return undefined;
      } else if (eqAt(text, a, b, "dev")) dev = this.names.get(text, va, vb);
      else if (eqAt(text, a, b, "proto")) {
        const v = this.proto(this.names.get(text, va, vb));
        if (v === undefined) return undefined;
        r.protocol = v;
      } else if (eqAt(text, a, b, "metric")) {
        const v = u32At(text, va, vb);
        if (v < 0) return undefined;
        r.metric = v;
      } else if (eqAt(text, a, b, "table")) {
        const v = this.table(this.names.get(text, va, vb));
        if (v === undefined) return undefined;
        r.table = v;
      } else if (eqAt(text, a, b, "scope")) {
        const v = this.scope(this.names.get(text, va, vb));
        if (v === undefined) return undefined;
        r.scope = v;
      } else if (eqAt(text, a, b, "src")) {
        const x = this.addr(text, va, vb, family);
        if (!x) return undefined;
        r.prefsrc = x;
      } else if (eqAt(text, a, b, "pref")) {
        if (eqAt(text, va, vb, "medium")) r.pref6 = 0;
        else if (eqAt(text, va, vb, "high")) r.pref6 = 1;
        else if (eqAt(text, va, vb, "low")) r.pref6 = 3;
        else return undefined;
      } else return undefined;
    }
    if (type === "unicast" && dev === undefined && !gw) return undefined; // a multipath route: nexthop lines follow
    this.hops(r, dev, gw);
    return r;
  }
}

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

class JsonStream extends Common {
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
          if (c !== 91) {
            this.broken = true;
            return;
          } // only arrays at the top (else: the whole-text loader)
          this.mode = Mode.ArrayOpen;
          i++;
          this.col++;
          break;
        case Mode.ArrayOpen:
        case Mode.ItemNext:
          if (c === 93 && this.mode === Mode.ArrayOpen) {
            this.endArray();
            i++;
            this.col++;
            break;
          }
          if (c === 93 || c === 44) {
            this.broken = true;
            return;
          }
          // An element starts: the fast reader when it is a flat object inside this chunk.
          if (c === 123) {
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
          if (c === 44) {
            this.mode = Mode.ItemNext;
            i++;
            this.col++;
            break;
          }
          if (c === 93) {
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

  /** Scan an element with the general rules (nesting, strings, scalars); returns where scanning stopped. */
  private scanItem(chunk: string, i: number): number {
    const n = chunk.length,
      from = i;
    let end = false;
    for (; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (
        this.scalar &&
        !this.inString &&
        (c === 44 || c === 93 || c === SPACE || c === TAB || c === CR || c === LF)
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
        else if (c === 92) this.escaped = true;
        else if (c === 34) {
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
      if (c === 34) this.inString = true;
      else if (c === 123 || c === 91) this.depth++;
      else if (c === 125 || c === 93) {
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

  /** The general reader on one element: parse it, then routeFromJson, with its position in the file. */
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
      this.ld.reject(new Rejected(o.pos, tokenOf(o), "an object"));
      return;
    }
    try {
      this.routes.push(routeFromJson(this.ld, o));
    } catch (e) {
      if (!(e instanceof Rejected)) throw e;
      // loadJson rejects an array's non-objects before reading its routes: route issues wait for the array's end.
      const n = this.ld.issues.length;
      this.ld.reject(e);
      this.routeIssues.push(...this.ld.issues.splice(n));
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
      if (c === 125 && k === 0) {
        i++;
        break;
      }
      if (c !== 34 || k >= 16) return 0;
      const ks = ++i;
      while (i < n && (c = t.charCodeAt(i)) !== 34) {
        if (c === 92 || c < 32) return 0;
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
      if (c !== 58) return 0;
      c = t.charCodeAt(++i);
      while (c === SPACE || c === TAB || c === CR || c === LF) {
        if (c === LF) lines++;
        c = t.charCodeAt(++i);
      }
      if (c === 34) {
        const vs = ++i;
        while (i < n && (c = t.charCodeAt(i)) !== 34) {
          if (c === 92 || c < 32) return 0;
          i++;
        }
        if (i >= n) return 0;
        this.vk[k] = V_STR;
        this.va[k] = vs;
        this.vb[k] = i;
        i++;
      } else if (c >= 48 && c <= 57) {
        const vs = i;
        while (i < n && (c = t.charCodeAt(i)) >= 48 && c <= 57) i++;
        if (c === 46 || c === 101 || c === 69) return 0;
        if (t.charCodeAt(vs) === 48 && i - vs > 1) return 0;
        this.vk[k] = V_NUM;
        this.va[k] = vs;
        this.vb[k] = i;
      } else if (c === 91) {
        c = t.charCodeAt(++i);
        while (c === SPACE || c === TAB || c === CR || c === LF) {
          if (c === LF) lines++;
          c = t.charCodeAt(++i);
        }
        if (c !== 93) return 0;
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
      if (c === 44) {
        i++;
        continue;
      }
      if (c === 125) {
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

  /** routeFromJson for the k entries read by fastItem; undefined when any value needs the general reader. */
  private build(t: string, k: number): Route | undefined {
    const kind = this.kind,
      vk = this.vk,
      va = this.va,
      vb = this.vb;
    // guessRouteFamily over dst, gateway, prefsrc (string values, not "default"), unless `pref` says IPv6.
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
    const r = route(family);
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

/** Which route dump a text starts with, from its first line (text) or first element (JSON). */
export function routeDumpKind(head: string): "text" | "json" | "other" | "more" {
  let i = 0;
  // first non-blank, non-comment line
  for (;;) {
    const nl = head.indexOf("\n", i);
    const line = head.slice(i, nl < 0 ? head.length : nl);
    const t = line.trim();
    if (t !== "" && !t.startsWith("#")) {
      if (t.startsWith("[")) {
        // the first element of the first array
        const at = head.indexOf("[", i) + 1;
        let j = at;
        while (j < head.length && /\s/.test(head[j]!)) j++;
        if (j >= head.length) return "more";
        if (head[j] !== "{") return "other";
        let depth = 0,
          str = false,
          esc = false,
          k = j;
        for (; k < head.length; k++) {
          const c = head[k]!;
          if (str) {
            if (esc) esc = false;
            else if (c === "\\") esc = true;
            else if (c === '"') str = false;
            continue;
          }
          if (c === '"') str = true;
          else if (c === "{" || c === "[") depth++;
          else if (c === "}" || c === "]") {
            if (--depth === 0) break;
          }
        }
        if (k >= head.length) return "more";
        try {
          const nodes = parseJsonValues(head.slice(j, k + 1));
          const o = nodes[0];
          return o?.t === "obj" &&
            o.entries.some((e) => e.key === "dst") &&
            !o.entries.some(
              (e) => e.key === "priority" || e.key === "addr_info" || e.key === "ifname",
            )
            ? "json"
            : "other";
        } catch {
          return "other";
        }
      }
      if (nl < 0) return "more";
      return detectRouteText(t) ? "text" : "other";
    }
    if (nl < 0) return "more";
    i = nl + 1;
  }
}

function detectRouteText(t: string): boolean {
  if (/^\d+:\s+(not\s+)?from\s/.test(t)) return false;
  if (/^[A-Za-z0-9_][\w.\-/]*\s*=/.test(t) && t.includes(".")) return false;
  const w = t.split(/\s+/);
  let i = 0;
  if (w[i] === "Deleted") i++;
  if (w[i] !== undefined && ROUTE_TYPES.has(w[i]!)) i++;
  const d = w[i];
  return d === "default" || (d !== undefined && parsePrefix(d).ok);
}

/**
 * A streaming reader for a route dump whose kind `routeDumpKind` gave. Links the dump
 * references are created as elements are read; `end()` returning "whole-text" puts them back.
 */
export function routeDumpStream(
  state: HostState,
  kind: "text" | "json",
  file: string,
  progress?: StreamProgress,
  total = 0,
): RouteDumpStream {
  let done = 0;
  const tick = progress ? () => progress(file, done, total) : undefined;
  const saved =
    kind === "json"
      ? { links: state.links.map((l): Link => ({ ...l })), next: state.nextIfindex }
      : undefined;
  const s = kind === "text" ? new TextStream(state, file, tick) : new JsonStream(state, file, tick);
  return {
    push(chunk: string) {
      done += chunk.length;
      s.push(chunk);
    },
    end() {
      const r = s.finish();
      if (r === "whole-text" && saved) {
        state.links = saved.links;
        state.nextIfindex = saved.next;
      }
      if (progress) progress(file, done, total || done);
      return r;
    },
  };
}

export { parseAddr, parseNum };
