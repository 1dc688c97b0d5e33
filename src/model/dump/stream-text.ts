/**
 * `ip route show` text read as a stream: each line by the fast reader when it has the
 * plain shape iproute2 prints, else by routeFromText.
 * @module
 */
import type { Addr, Family } from "../../addr/ip.js";
import { IssueError, type Issue } from "../../core/issue.js";
import type { RouteType } from "../../core/kinds.js";
import {
  CR,
  eqAt,
  HASH,
  LOWER_A,
  LOWER_Z,
  SEMICOLON,
  SPACE,
  TAB,
  TILDE,
  u32At,
} from "../../parse/fast-scan.js";
import { newRoute } from "../route-skeleton.js";
import type { HostState, Route } from "../types.js";
import { ROUTE_TYPES } from "./detect.js";
import { commitRoutes } from "./routes.js";
import { routeFromText } from "./routes-text.js";
import { addrFamilyAt, Common } from "./stream-common.js";
import { Cursor, tokenize } from "./tokens.js";

// ---------------------------------------------------------------------------------------
const MAX_TOKENS = 40;

/** `ip route show` text, line by line: the fast reader, else routeFromText. */
export class TextStream extends Common {
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
      if (!(e instanceof IssueError)) throw e;
      this.ld.reject(e);
      if (!/^\s/.test(line)) this.prev = undefined;
    }
  }

  /**
   * A route line of the common shape, read in place: the route; null for a blank or
   * comment line; undefined when the general reader must read it.
   *
   * Kept whole: the per-line hot path of a million-line load; one flat loop over the token
   * offsets keeps V8 from calling out per token (bench/run.mjs measures it), and every shape
   * it does not know falls back to the general reader.
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
        if (c <= SPACE || c > TILDE) return undefined;
        i++;
      }
      te[n++] = i;
    }
    if (n === 0) return null;
    const c0 = text.charCodeAt(ts[0]!);
    if (c0 === HASH || c0 === SEMICOLON) return null; // # ;
    if (ts[0] !== start) return undefined; // continuation lines (nexthop ...)
    let k = 0;
    let type: RouteType = "unicast";
    if (
      c0 >= LOWER_A &&
      c0 <= LOWER_Z &&
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
    const r = newRoute(family);
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
    // a multipath route: nexthop lines follow
    if (type === "unicast" && dev === undefined && !gw) return undefined;
    this.hops(r, dev, gw);
    return r;
  }
}
