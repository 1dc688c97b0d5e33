import { describe, expect, it } from "vitest";
import { formatPrefix } from "../addr/ip.js";
import { parseIpArgv, type IpCommand } from "./ipcmd.js";
import type { Word } from "./shell.js";

const END = { file: "t", line: 1, col: 1 };
const TABLES = new Map([
  [255, "local"],
  [254, "main"],
]);

function words(line: string): Word[] {
  const out: Word[] = [];
  for (const m of line.matchAll(/\S+/g))
    out.push({ text: m[0], loc: { file: "t", line: 1, col: (m.index ?? 0) + 1 } });
  return out;
}
function cmd(line: string): IpCommand {
  const r = parseIpArgv(words(line), {}, TABLES, END);
  if (!r.ok) throw new Error(r.error.message);
  return r.cmd;
}
function error(line: string): string {
  const r = parseIpArgv(words(line), {}, TABLES, END);
  return r.ok ? "ok" : `${r.error.message.trim()} [${r.error.exit}]`;
}

// Each row: what `ip` 6.1 printed for the same command in a namespace.
describe("ip grammar errors as iproute2 6.1 prints them", () => {
  const table: [string, string][] = [
    ["route add 24.0.0.0/8 dev lo metric -1", 'argument "-1" is wrong: "metric" value is invalid'],
    ["route add 26.0.0.0/8 dev lo metric 0x", 'argument "0x" is wrong: "metric" value is invalid'],
    [
      "route add 53.0.0.0/8 dev lo proto 256",
      'argument "256" is wrong: "protocol" value is invalid',
    ],
    ["route add 55.0.0.0/8 dev lo scope 256", 'argument "256" is wrong: invalid "scope" value'],
    ["route add 72.0.0.0/8 dev lo scope universe", 'argument "universe" is wrong: invalid "scope"'],
    ["route add 61.0.0.0/8 dev lo tos 0x100", 'argument "0x100" is wrong: "tos" value is invalid'],
    ["route add 18.0.0.08 dev lo", 'any valid prefix is expected rather than "18.0.0.08".'],
    ["rule add pref 30 dsfield 0x100 lookup 10", 'argument "0x100" is wrong: TOS value is invalid'],
    ["rule add fwmark 0xzz/0xff lookup 5", 'argument "0xzz" is wrong: fwmark value is invalid'],
    ["rule add fwmark 0x10/0xzz lookup 5", 'argument "0xzz" is wrong: fwmask value is invalid'],
    ["rule add fwmark 1/2/3 lookup 5", 'argument "2/3" is wrong: fwmask value is invalid'],
    ["rule add ipproto 0x11 lookup 10", 'argument "0x11" is wrong: Invalid "ipproto" value'],
    ["rule add ipproto ipproto-6 lookup 10", 'argument "ipproto-6" is wrong: Invalid "ipproto"'],
    [
      "rule add suppress_prefixlength -1 lookup 10",
      'argument "-1" is wrong: suppress_prefixlength value is invalid',
    ],
  ];
  for (const [line, want] of table) it(line, () => expect(error(line)).toContain(want));
  it("invarg exits 255, a bad prefix 1", () => {
    expect(error("route add 1.0.0.0/8 dev lo metric x")).toMatch(/\[255\]$/);
    expect(error("route add 1.2.3.4.5 dev lo")).toMatch(/\[1\]$/);
  });
  it("NEXT_ARG at the end: Command line is not complete", () => {
    expect(error("route add 1.0.0.0/8 dev")).toBe(
      'Command line is not complete. Try option "help" [255]',
    );
  });
});

describe("ip grammar values as iproute2 6.1 stores them", () => {
  it("route add with octal/hex spellings", () => {
    const c = cmd("route add 010.1.0.0/16 via 0x0a.1.0.4 table 0x64 proto 010 metric 010 tos 10");
    if (c.obj !== "route" || c.op !== "add") throw new Error(c.obj);
    const r = c.route;
    expect(r.dst && formatPrefix(r.dst)).toBe("8.1.0.0/16");
    expect(r.nexthops[0]?.gateway).toEqual({ family: 4, v: 0x0a010004 });
    expect([r.table, r.protocol, r.metric, r.tos]).toEqual([100, 8, 8, 0x10]);
  });
  it("rule add with octal/hex spellings", () => {
    const c = cmd("rule add pref 010 fwmark 0x10/0xff realms 1/010 lookup 010 ipproto 010");
    if (c.obj !== "rule" || c.op !== "add") throw new Error(c.obj);
    const r = c.rule;
    expect([r.pref, r.fwmark, r.fwmask, r.realms, r.table]).toEqual([8, 16, 255, 0x10008, 8]);
    expect(r.ipproto).toBe(10); // inet_proto_a2n is decimal: printed "ipproto-10"
  });
  it("route get reads marks, uids and ports base 0", () => {
    const c = cmd("route get 0x46.1.2.3 mark 020 uid 010 ipproto udp sport 010 dport 0x10");
    if (c.obj !== "route" || c.op !== "get") throw new Error(c.obj);
    const q = c.query;
    expect([q.dst.v, q.mark, q.uid, q.sport, q.dport]).toEqual([0x46010203, 16, 8, 8, 16]);
  });
});
