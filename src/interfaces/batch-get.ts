/**
 * `ip -batch` with millions of `route get` lines: plain IPv4 questions
 * (`route get DST [from SRC] [mark M] [uid U] [tos T] [ipproto P] [sport S] [dport D]`, text
 * output) are read in place, answered by the compiled decider (src/engine/decide.ts) and
 * printed into a character buffer — no words, no Decision objects, no strings per question.
 * Every other line, and every question the decider leaves to `routeGet`, goes through
 * `runCommand` as before, and the output is byte for byte the same.
 * @module
 */
import {
  FALLBACK,
  Answer4,
  compileDecider,
  ERRNOS,
  type Decider4,
  type Query4,
} from "../engine/decide.js";
import { ERRNO } from "../engine/types.js";
import { eqAt, quadAt, u32At } from "../parse/fast-scan.js";
import type { IpOptions } from "../parse/ipcmd.js";
import { getU32 } from "../addr/num.js";
import { dsfieldN2a, ipprotoA2n, tableN2a } from "../parse/names.js";
import { linkName } from "../print/routes.js";
import type { HostState } from "../model/types.js";

/** Text built from character codes, with strings mixed in; one string at the end. */
export class TextOut {
  private buf = new Uint16Array(1 << 15);
  private n = 0;
  private readonly parts: string[] = [];
  private flush(): void {
    const b = this.buf;
    for (let i = 0; i < this.n; i += 8192)
      this.parts.push(
        String.fromCharCode.apply(
          null,
          b.subarray(i, Math.min(this.n, i + 8192)) as unknown as number[],
        ),
      );
    this.n = 0;
  }
  /** Append a string (copied into the buffer when short). */
  str(s: string): void {
    if (s.length > 256) {
      this.flush();
      this.parts.push(s);
      return;
    }
    if (this.n + s.length > this.buf.length) this.flush();
    const b = this.buf;
    for (let i = 0; i < s.length; i++) b[this.n++] = s.charCodeAt(i);
  }
  /** Append an IPv4 address in dotted decimal. */
  ip4(v: number): void {
    if (this.n + 16 > this.buf.length) this.flush();
    for (let k = 24; k >= 0; k -= 8) {
      this.dec((v >>> k) & 255);
      if (k) this.buf[this.n++] = 46;
    }
  }
  /** Append an unsigned decimal. */
  dec(x: number): void {
    if (this.n + 11 > this.buf.length) this.flush();
    if (x < 10) {
      this.buf[this.n++] = 48 + x;
      return;
    }
    let d = 1;
    while (d * 10 <= x) d *= 10;
    for (; d >= 1; d = Math.floor(d / 10)) {
      const q = Math.floor(x / d);
      this.buf[this.n++] = 48 + q;
      x -= q * d;
    }
  }
  /** Append an unsigned hexadecimal (no prefix). */
  hex(x: number): void {
    if (this.n + 8 > this.buf.length) this.flush();
    let shift = 28;
    while (shift > 0 && ((x >>> shift) & 15) === 0) shift -= 4;
    for (; shift >= 0; shift -= 4) {
      const h = (x >>> shift) & 15;
      this.buf[this.n++] = h < 10 ? 48 + h : 87 + h;
    }
  }
  toString(): string {
    this.flush();
    const s = this.parts.join("");
    this.parts.length = 0;
    return s;
  }
  get empty(): boolean {
    return this.n === 0 && this.parts.length === 0;
  }
}

const SPACE = 32,
  TAB = 9,
  CR = 13;
const MAXTOK = 24;

/** What the fast reader made of a line. */
export const enum Got {
  /** not a plain question: the general path */ Other,
  /** a `route get` line for the general path (reads nothing into the host) */ OtherGet,
  /** answered */ Ok,
  /** answered with an error (RTNETLINK answers) */ Failed,
}

/** The batch state: the decider (recompiled when the host changes) and caches of printed pieces. */
export class FastGets {
  private decider: Decider4 | undefined;
  private readonly q: Query4 = {
    dst: 0,
    src: 0,
    mark: 0,
    uid: 0,
    tos: 0,
    proto: 17,
    sport: 0,
    dport: 0,
  };
  private readonly a = new Answer4();
  private readonly ts = new Int32Array(MAXTOK);
  private readonly te = new Int32Array(MAXTOK);
  private readonly devText = new Map<number, string>();
  private readonly tableText = new Map<number, string>();
  private readonly viaText = new Map<number, string>();
  private readonly protos = new Map<string, number | undefined>();
  constructor(
    private readonly s: HostState,
    private readonly opts: IpOptions,
  ) {}

  /** The host changed (a general line ran): recompile before the next question. */
  invalidate(): void {
    this.decider = undefined;
    this.devText.clear();
    this.tableText.clear();
  }

  private tok(text: string, k: number, lit: string): boolean {
    return eqAt(text, this.ts[k]!, this.te[k]!, lit);
  }

  /**
   * Answer text[start, end) when it is a plain IPv4 question: the answer is appended to `out`
   * (stdout) or `err` (stderr).
   *
   * Kept whole: the per-line hot path of a `route get` batch of questions; one flat loop over
   * the token offsets keeps V8 from calling out per token (bench/run.mjs measures it), and
   * every shape it does not know falls back to the general reader.
   */
  line(text: string, start: number, end: number, out: TextOut, err: TextOut): Got {
    if (this.opts.json || this.opts.family === 6) return Got.Other;
    // words
    let n = 0;
    for (let i = start; i < end; ) {
      let c = text.charCodeAt(i);
      if (c === SPACE || c === TAB || c === CR) {
        i++;
        continue;
      }
      if (n >= MAXTOK) return Got.Other;
      this.ts[n] = i;
      while (i < end) {
        c = text.charCodeAt(i);
        if (c === SPACE || c === TAB || c === CR) break;
        if (c === 34 || c === 39 || c === 35 || c < 33 || c > 126) return Got.Other;
        i++;
      }
      this.te[n++] = i;
    }
    if (n < 3 || !this.tok(text, 0, "route") || !this.tok(text, 1, "get")) return Got.Other;
    const q = this.q;
    q.src = 0;
    q.mark = 0;
    q.uid = 0;
    q.tos = 0;
    q.proto = 17;
    q.sport = 0;
    q.dport = 0;
    let dst = -1,
      fromGiven = false,
      markGiven = -1,
      uidGiven = -1;
    for (let k = 2; k < n; k++) {
      const a0 = this.ts[k]!,
        a1 = this.te[k]!;
      const c0 = text.charCodeAt(a0);
      if (c0 >= 48 && c0 <= 57) {
        if (dst >= 0) return Got.OtherGet;
        dst = quadAt(text, a0, a1);
        if (dst < 0) return Got.OtherGet;
        continue;
      }
      if (k + 1 >= n) return Got.OtherGet;
      const v0 = this.ts[k + 1]!,
        v1 = this.te[k + 1]!;
      k++;
      if (eqAt(text, a0, a1, "from")) {
        const v = quadAt(text, v0, v1);
        if (v < 0) return Got.OtherGet;
        q.src = v;
        fromGiven = true;
      } else if (eqAt(text, a0, a1, "mark")) {
        const v = this.u32(text, v0, v1);
        if (v < 0) return Got.OtherGet;
        q.mark = v;
        markGiven = v;
      } else if (eqAt(text, a0, a1, "uid")) {
        const v = this.u32(text, v0, v1);
        if (v < 0) return Got.OtherGet;
        q.uid = v;
        uidGiven = v;
      } else if (eqAt(text, a0, a1, "tos")) {
        const v = this.tosAt(text, v0, v1);
        if (v < 0) return Got.OtherGet;
        q.tos = v;
      } else if (eqAt(text, a0, a1, "sport") || eqAt(text, a0, a1, "dport")) {
        const v = u32At(text, v0, v1);
        if (v < 0 || v > 65535) return Got.OtherGet;
        if (text.charCodeAt(a0) === 115) q.sport = v;
        else q.dport = v;
      } else if (eqAt(text, a0, a1, "ipproto")) {
        const name = text.slice(v0, v1);
        let v = this.protos.get(name);
        if (v === undefined && !this.protos.has(name)) {
          v = ipprotoA2n(name);
          this.protos.set(name, v);
        }
        if (v === undefined) return Got.OtherGet;
        q.proto = v;
      } else return Got.OtherGet;
    }
    if (dst < 0) return Got.OtherGet;
    q.dst = dst;
    let d = this.decider;
    if (!d || !d.current()) {
      d = this.decider = compileDecider(this.s);
      this.devText.clear();
      this.tableText.clear();
      this.viaText.clear();
    }
    const a = this.a;
    if (!d.decide(q, a) || a.status === FALLBACK) return Got.OtherGet;
    if (a.status > 0) {
      err.str("RTNETLINK answers: ");
      err.str(ERRNO[ERRNOS[a.status]!]);
      err.str("\n");
      return Got.Failed;
    }
    // printCloned, IPv4 text
    if (a.local) out.str("local ");
    out.ip4(dst);
    out.str(" ");
    if (fromGiven && q.src !== 0) {
      out.str("from ");
      out.ip4(q.src);
      out.str(" ");
    }
    const r = d.route(a)!;
    if (r.tos) {
      out.str("tos ");
      out.str(dsfieldN2a(r.tos));
      out.str(" ");
    }
    if (a.hasGateway) {
      let via = this.viaText.get(a.gateway);
      if (via === undefined) {
        const t = new TextOut();
        t.str("via ");
        t.ip4(a.gateway);
        t.str(" ");
        via = t.toString();
        this.viaText.set(a.gateway, via);
      }
      out.str(via);
    }
    if (a.oif) {
      let dev = this.devText.get(a.oif);
      if (dev === undefined) {
        dev = `dev ${linkName(this.s, a.oif)} `;
        this.devText.set(a.oif, dev);
      }
      out.str(dev);
    }
    if (a.table && a.table !== 254) {
      let tb = this.tableText.get(a.table);
      if (tb === undefined) {
        tb = `table ${tableN2a(this.s.tableNames, a.table)} `;
        this.tableText.set(a.table, tb);
      }
      out.str(tb);
    }
    if (a.prefsrc && !(fromGiven && q.src !== 0)) {
      out.str("src ");
      out.ip4(a.prefsrc);
      out.str(" ");
    }
    const mark = markGiven >= 0 ? markGiven : 0;
    if (mark) {
      if (mark >= 16) {
        out.str("mark 0x");
        out.hex(mark);
      } else {
        out.str("mark ");
        out.dec(mark);
      }
      out.str(" ");
    }
    const uid = uidGiven >= 0 ? uidGiven : 0;
    if (uid !== 0xffffffff) {
      out.str("uid ");
      out.dec(uid);
      out.str(" ");
    }
    out.str("\n    cache ");
    if (a.localFlag) out.str("<local> ");
    out.str("\n");
    return Got.Ok;
  }

  /** get_u32 (getU32): plain decimal in place, other spellings by getU32; -1 when invalid. */
  private u32(text: string, a: number, b: number): number {
    const v = u32At(text, a, b);
    if (v >= 0) return v;
    const p = getU32(text.slice(a, b));
    return p === undefined ? -1 : p;
  }

  /** parseTos: hexadecimal with or without 0x, <= 255; -1 otherwise. */
  private tosAt(text: string, a: number, b: number): number {
    if (b - a >= 2 && text.charCodeAt(a) === 48 && (text.charCodeAt(a + 1) | 32) === 120) a += 2;
    if (a >= b) return -1;
    let v = 0;
    for (let i = a; i < b; i++) {
      const c = text.charCodeAt(i) | 0;
      const d =
        c >= 48 && c <= 57 ? c - 48 : (c | 32) >= 97 && (c | 32) <= 102 ? (c | 32) - 87 : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
      if (v > 255) return -1;
    }
    return v;
  }
}
