/**
 * What every dump reader shares: the Loader (issues, link references, table names) and
 * `rejected()`, the IssueError a reader throws at a text position. Readers throw deep in
 * an entry; the entry points (dump/index.ts, dump/stream.ts) catch it and `Loader.reject`
 * turns the position into `file:line:col`.
 * @module
 */
import { parseAddr, type Family, type Prefix } from "../../addr/ip.js";
import { type IssueCode, type Issue, IssueError, issue } from "../../core/issue.js";
import { defined } from "../../core/result.js";
import type { JNode } from "../../parse/dump-json.js";
import { LineIndex } from "../../parse/dump-json.js";
import { rttableA2n } from "../../parse/names.js";
import type { HostState } from "../types.js";

/** Text positions of the issues thrown by `rejected` (an IssueError carries no offset). */
const POS = new WeakMap<IssueError, number>();

/**
 * The error a reader throws for a rejected entry at text position `pos`.
 * @example throw rejected(t.pos, t.s, "a prefix")
 */
export function rejected(
  pos: number,
  token: string,
  expected: string,
  message?: string,
  code: IssueCode = "dump.rejected",
): IssueError {
  const e = new IssueError(issue(code, message ?? `expected ${expected}`, { token, expected }));
  POS.set(e, pos);
  return e;
}

/** Where loaded things are collected before being committed to the state. */
export class Loader {
  readonly issues: Issue[] = [];
  /** Text positions to line/column (the streaming loaders swap in their own mapping). */
  idx: { at(pos: number): { line: number; col: number } };
  /** Links synthesized by this load: name -> whether every reference said linkdown. */
  private synth = new Map<string, boolean>();
  /** Set while loading routes (references imply an up device). */
  routeRefs = false;
  constructor(
    readonly state: HostState,
    readonly text: string,
    readonly file: string,
  ) {
    this.idx = new LineIndex(text);
  }

  /** Record a rejected entry, its text position mapped to `file:line:col`. */
  reject(e: IssueError): void {
    const { line, col } = this.idx.at(POS.get(e) ?? 0);
    const { code, message, token, expected } = e.issue;
    const loc = { file: this.file, line, col };
    this.issues.push({ code, message, loc, ...defined({ token, expected }) });
  }

  /**
   * ifindex of a link by name, synthesizing a veth-like link when absent.
   * `linkdown`: whether the reference carried the flag, or null when the kernel never flags
   * such a reference (host-scope IPv4, IPv6 local/anycast/reject, rules).
   */
  link(name: string, linkdown: boolean | null = null, dead = false): number {
    const l = this.state.links.find((x) => x.name === name);
    if (l) {
      if (this.synth.has(name) && linkdown !== null) {
        const allDown = this.synth.get(name)! && linkdown;
        this.synth.set(name, allDown);
        l.carrier = !allDown;
      } else if (!l.up && !dead && linkdown !== null && this.routeRefs) {
        // Routes through an admin-down device do not exist: the device is up (e.g. lo of a fresh
        // state).
        l.up = true;
        l.carrier = !linkdown;
      }
      return l.ifindex;
    }
    const ifindex = this.freeIndex();
    this.state.links.push({
      ifindex,
      name,
      kind: "veth",
      mac: synthMac(ifindex),
      mtu: 1500,
      up: true,
      carrier: linkdown !== true,
      group: 0,
      txqlen: 1000,
    });
    this.synth.set(name, linkdown !== false);
    return ifindex;
  }

  freeIndex(): number {
    let i = Math.max(this.state.nextIfindex, 2);
    while (this.state.links.some((l) => l.ifindex === i)) i++;
    this.state.nextIfindex = i + 1;
    return i;
  }

  table(s: string, pos: number): number {
    const t = rttableA2n(s, this.state.tableNames);
    if (t === undefined)
      throw rejected(
        pos,
        s,
        "a table id or a name known to the host (fill state.tableNames from rt_tables first)",
        `unknown table "${s}"`,
      );
    return t;
  }
}

/** 02:00:00:00:HH:LL from the ifindex: stable, locally administered. */
function synthMac(ifindex: number): string {
  const hex = (n: number) => (n & 255).toString(16).padStart(2, "0");
  return `02:00:00:00:${hex(ifindex >> 8)}:${hex(ifindex)}`;
}

/** An address with its length (the full length when not given). */
export function prefixOf(
  s: string,
  len: number | undefined,
  family: Family | undefined,
  pos: number,
): Prefix {
  const a = parseAddr(s, family);
  if (!a.ok) throw rejected(pos, s, a.expected);
  return { addr: a.value, len: len ?? (a.value.family === 4 ? 32 : 128) };
}

/** The family an address is written in: `:` is IPv6, a dotted quad IPv4. */
export function addrFamily(s: string): Family | undefined {
  return s.includes(":") ? 6 : /^\d+\.\d+\.\d+\.\d+$/.test(s) ? 4 : undefined;
}

/** A JSON string value, else rejected. */
export function str(n: JNode, what: string): string {
  if (n.t !== "str") throw rejected(n.pos, tokenOf(n), what);
  return n.v;
}
/**
 * A JSON string read by `read` (an iproute2 `*_a2n`-like converter); rejected as not
 * `expected` when `read` gives undefined. The JSON twin of the text Cursor's `value`.
 */
export function named<T>(
  n: JNode,
  what: string,
  read: (s: string) => T | undefined,
  expected = what,
): T {
  const s = str(n, what);
  const v = read(s);
  if (v === undefined) throw rejected(n.pos, s, expected);
  return v;
}
/** A JSON integer 0..max, else rejected. */
export function num(n: JNode, what: string, max = 0xffffffff): number {
  if (n.t !== "num" || !Number.isInteger(n.v) || n.v < 0 || n.v > max)
    throw rejected(n.pos, tokenOf(n), what);
  return n.v;
}
/** How a JSON value starts, as an issue's token. */
export function tokenOf(n: JNode): string {
  switch (n.t) {
    case "str":
      return JSON.stringify(n.v);
    case "num":
      return n.raw;
    case "bool":
      return String(n.v);
    case "null":
      return "null";
    case "obj":
      return "{";
    case "arr":
      return "[";
  }
}
