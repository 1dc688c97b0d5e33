/**
 * What the streaming route readers (stream-text.ts, stream-json.ts) share: the loader,
 * memoised name lookups, and in-place address and prefix scanners that hand anything
 * unusual to the general readers.
 * @module
 */
import { v4, v6, type Addr, type Family, type Prefix } from "../../addr/ip.js";
import { rtprotA2n, rtscopeA2n, rttableA2n } from "../../parse/names.js";
import {
  COLON,
  DOT,
  eqAt,
  Interner,
  isDigit,
  lenAt,
  quadAt,
  SLASH,
  v6At,
  wordsToBig,
} from "../../parse/fast-scan.js";
import { plainHops } from "../fib-index.js";
import type { HostState, Route } from "../types.js";
import { Loader } from "./loader.js";
import { canLinkdown } from "./routes.js";

/** Remembers the result of a name lookup (iproute2's name tables are scanned linearly). */
export class Memo {
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

/** What both readers share: the loader, caches and scratch. */
export class Common {
  readonly ld: Loader;
  readonly routes: Route[] = [];
  readonly names = new Interner();
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

  /**
   * parseAddr(text[a, b), family) for the plain spellings, cached; undefined to use the general
   * reader.
   */
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
    while (slash < b && text.charCodeAt(slash) !== SLASH) slash++;
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
    return this.tables.get(s, (k) => rttableA2n(k, this.state.tableNames));
  }
  proto(s: string): number | undefined {
    return this.protos.get(s, rtprotA2n);
  }
  scope(s: string): number | undefined {
    return this.scopes.get(s, rtscopeA2n);
  }
}

/**
 * guessRouteFamily's addrFamily on text[a, b) up to a slash: ':' → 6, four dotted digit groups → 4.
 */
export function addrFamilyAt(text: string, a: number, b: number): Family | undefined {
  let dots = 0,
    digits = 0;
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c === COLON) return 6;
    if (c === SLASH) {
      b = i;
      break;
    }
  }
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) digits++;
    else if (c === DOT) {
      if (!digits) return undefined;
      dots++;
      digits = 0;
    } else return undefined;
  }
  return dots === 3 && digits > 0 ? 4 : undefined;
}
