/**
 * The Host facade: typed answers for the bundled example (what the kernel answers for it,
 * see test/kernel), malformed questions as issues, and command lines printed as the CLI.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { formatAddr, Host, parseAddr, parseListen, v4 } from "../../src/index.js";

const EXAMPLE = resolve(import.meta.dirname, "../../examples/clash-uid-standalone.sh");
const host = Host.load([{ name: "clash.sh", text: readFileSync(EXAMPLE, "utf8") }]);

describe("Host.load", () => {
  it("loads the example without issues", () => {
    expect(host.issues).toEqual([]);
    expect(host.errors).toEqual([]);
  });

  it("reports bad input as located, typed issues and never throws", () => {
    const h = Host.load([
      { name: "a.sh", text: "ip link set lo up\nip rule add fwmark lookup 1\n" },
      { name: "b.sh" } as never,
      null as never,
    ]);
    expect(h.issues.map((i) => [i.code, i.loc?.file, i.loc?.line])).toEqual([
      ["ip.invarg", "a.sh", 2],
      ["load.read", undefined, undefined],
      ["load.read", undefined, undefined],
    ]);
    expect(Host.load("nope" as never).issues.map((i) => i.code)).toEqual(["load.read"]);
  });

  it("keeps a kernel refusal as a warning and the host as the kernel leaves it", () => {
    const h = Host.load([{ name: "c.sh", text: "ip route add 10.0.0.0/8 dev lo\n" }]);
    // lo is down in a fresh namespace: fib_check_nh refuses the nexthop.
    expect(h.issues.map((i) => [i.code, i.severity])).toEqual([["rtnl.extack", "warning"]]);
    expect(h.errors).toEqual([]);
  });
});

describe("Host.routeGet", () => {
  it("answers the example's marked traffic from table 129 through clash0", () => {
    const r = host.routeGet("1.1.1.1", { mark: 129, uid: 1000 });
    expect(r.ok).toBe(true);
    if (!r.ok || !r.value.ok) return;
    expect(r.value.type).toBe("unicast");
    expect(r.value.table).toBe(129);
    expect(r.value.prefsrc && formatAddr(r.value.prefsrc)).toBe("198.18.0.1");
  });

  it("takes a parsed Addr like a string", () => {
    const p = parseAddr("1.1.1.1");
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(host.routeGet(p.value, { mark: 129 })).toEqual(host.routeGet("1.1.1.1", { mark: 129 }));
    expect(host.routeGet(v4(0x01010101))).toEqual(host.routeGet("1.1.1.1"));
  });

  it("refuses malformed questions with an issue, never an answer", () => {
    const code = (r: ReturnType<Host["routeGet"]>) => (r.ok ? "answered" : r.error.code);
    // The parse result itself instead of its .value: { ok, value } has no `v`.
    expect(code(host.routeGet(parseAddr("1.1.1.1") as never))).toBe("ip.address");
    expect(code(host.routeGet({ family: 4 } as never))).toBe("ip.address");
    expect(code(host.routeGet({ family: 4, v: 2 ** 32 } as never))).toBe("ip.address");
    expect(code(host.routeGet("1.1.1"))).toBe("ip.address");
    expect(code(host.routeGet("1.1.1.1", { from: "fd00::1" }))).toBe("ip.address");
    expect(code(host.routeGet("1.1.1.1", { family: 6 }))).toBe("ip.address");
    expect(code(host.routeGet(v4(1), { family: 6 }))).toBe("ip.family");
    expect(code(host.routeGet("1.1.1.1", { mark: -1 }))).toBe("ip.invarg");
    expect(code(host.routeGet("1.1.1.1", { dport: 65536 }))).toBe("ip.invarg");
    expect(code(host.routeGet("1.1.1.1", { tos: 1.5 }))).toBe("ip.invarg");
    expect(code(host.routeGet("1.1.1.1", { ipproto: "nosuch" }))).toBe("ip.invarg");
    expect(code(host.routeGet("1.1.1.1", { oif: "eth9" }))).toBe("ip.no-device");
    expect(code(host.routeGet("1.1.1.1", null as never))).toBe("ip.invarg");
  });

  it("gives the kernel's refusal as a failed decision with its errno", () => {
    const h = Host.load([{ name: "u.sh", text: "ip link set lo up\nip rule add prohibit\n" }]);
    const r = h.routeGet("1.1.1.1");
    expect(r.ok && !r.value.ok && r.value.errno).toBe("EACCES");
  });
});

describe("Host commands", () => {
  it("ip() takes a line or words and prints what `ip route get` prints", () => {
    const line = host.ip("route get 1.1.1.1 mark 129");
    expect(line).toEqual({
      stdout: "1.1.1.1 dev clash0 table 129 src 198.18.0.1 mark 0x81 uid 0 \n    cache \n",
      stderr: "",
      status: 0,
    });
    expect(host.ip(["route", "get", "1.1.1.1", "mark", "129"])).toEqual(line);
    expect(host.ip('-j rule show # "comment"').stdout).toBe(host.ip(["-j", "rule", "show"]).stdout);
  });

  it("ip() exits as ip does on errors, and flags a line of options only", () => {
    expect(host.ip("route get 1.1.1.1 iif nope")).toEqual({
      stdout: "",
      stderr: 'Cannot find device "nope"\n',
      status: 1,
    });
    expect(host.ip("-batch probes.txt").status).toBe(1);
    expect(host.ip("-j")).toMatchObject({ noCommand: true, status: 0 });
  });

  it("fibmatch without a FIB entry is EHOSTUNREACH (the on-link fallback has none)", () => {
    // oif clash0 finds no route in main (its default is on eth0): the kernel assumes the
    // destination on link, a decision without a FIB entry, which fibmatch cannot print.
    expect(host.ip("route get 203.0.113.1 oif clash0").status).toBe(0);
    expect(host.ip("route get fibmatch 203.0.113.1 oif clash0")).toEqual({
      stdout: "",
      stderr: "RTNETLINK answers: No route to host\n",
      status: 2,
    });
  });

  it("trace: the example's uid 1000 traffic is marked and leaves by clash0", () => {
    const t = host.trace("1.1.1.1 uid 1000 ipproto udp dport 443");
    expect(t.ok).toBe(true);
    if (!t.ok) return;
    expect(t.value.final).toMatchObject({ verdict: "sent", oif: "clash0", mark: 129 });
    const bad = host.trace("1.1.1.1 dport 70000");
    expect(!bad.ok && bad.error.code).toBe("ip.invarg");
  });

  it("explain, batch, report and the netfilter dumps print as the CLI", () => {
    const e = host.explain("1.1.1.1", { mark: 129 });
    expect(e.ok && e.value.lines.some((l) => l.includes("fwmark 0x81 lookup 129"))).toBe(true);
    const b = host.batch("route get 1.1.1.1 mark 129\nroute get 1.1.1.1 iif nope\n", {
      file: "p.txt",
    });
    expect(b.stderr).toBe('Cannot find device "nope"\nCommand failed p.txt:2\n');
    expect(b.status).toBe(1);
    expect(host.report()).toContain("routelab report — clash.sh");
    expect(host.iptablesSave(4, "mangle")).toContain(
      "-A CLASH -j MARK --set-xmark 0x81/0xffffffff",
    );
    expect(host.iptablesSave(4, "mangle")).toContain("on Thu Jan  1 00:00:00 1970");
    expect(host.nftListRuleset()).toBe(host.ip("nft list ruleset").stdout);
  });

  it("parseListen gives a typed socket or an issue", () => {
    const l = parseListen("udp 127.0.0.1 12345 transparent");
    expect(l.ok && l.value).toEqual({
      proto: "udp",
      addr: v4(0x7f000001),
      port: 12345,
      transparent: true,
    });
    const bad = parseListen("sctp 1.2.3.4 1");
    expect(!bad.ok && bad.error.code).toBe("usage");
  });
});
