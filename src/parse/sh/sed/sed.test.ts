/**
 * sed against GNU sed 4.9: each case runs the real `sed` (the oracle) and routelab's on the
 * same input; output and status must agree. The vpnc-script idioms also have fixed
 * expectations, so they hold where no sed is installed.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runSed } from "./run.js";

function ours(args: string[], stdin: string) {
  let out = "";
  const errs: string[] = [];
  const status = runSed(args, {
    stdin,
    readFile: () => undefined,
    out: (t) => (out += t),
    warn: (m) => errs.push(m),
  });
  return { out, status, errs };
}

const ROUTE = "203.0.113.5 via 192.168.1.1 dev eth0 src 192.168.1.10 uid 0 \n    cache \n";
const LINES = "one\ntwo\nthree\nfour\nfive\n";
const HAS_SED = spawnSync("sed", ["--version"]).status === 0;

const CASES: [string[], string][] = [
  [["-ne", "s/^.*dev \\([a-z0-9]*\\).*$/\\1/p"], ROUTE],
  [["-ne", "s/^.*mtu \\([[:digit:]]\\+\\).*$/\\1/p"], "2: eth0: <UP> mtu 1500 qdisc\n"],
  [["-e", "s/ /\\n/g"], "a b  c\n"],
  [["-ne", "1 s|$|/32|p;/via/{N;p};/dev/{N;p};/src/{N;p};/onlink/{p}"], "1.2.3.4\nvia\n9\n"],
  [["s/[.]/ /g"], "10.8.0.2\n"],
  [["s/a*/x/g"], "baaac\n"],
  [["s/b/X/2"], "abcabc\nb\n"],
  [["s/B/X/Ig"], "abcABC\n"],
  [["-n", "2,4p"], LINES],
  [["-n", "/two/,/four/p"], LINES],
  [["-n", "/two/,+1p"], LINES],
  [["0,/o/d"], LINES],
  [["2,$d"], LINES],
  [["$!N;s/\\n/-/"], LINES],
  [["N;s/\\n/-/"], LINES],
  [["n;d"], LINES],
  [["N;P;D"], LINES],
  [["3q"], LINES],
  [["3q7"], LINES],
  [["2Q"], LINES],
  [["-n", "$="], LINES],
  [["=", "-s"], "a\nb\n"],
  [["/o/!d"], LINES],
  [["1!G;h;$!d"], LINES],
  [["y/abc/xyz/"], "aabbcc\n"],
  [["-E", "s/(o+)|(e)/[\\1\\2]/g"], LINES],
  [["-r", "s/^([a-z])([a-z]*)$/\\2\\1/"], LINES],
  [[":a;s/^.\\{1,3\\}$/ &/;ta"], "ab\nabcdef\n"],
  [["2i\\\nbefore", "-e", "2a after"], LINES],
  [["/three/c\\\nchanged"], LINES],
  [["s|/|_|g"], "a/b/c\n"],
  [["s/[/]/X/"], "a/b\n"],
  [["s/x/&&/;s//[&]/"], "axb\n"],
  [["p"], "no newline"],
  [["-n", "/re/{p;p}"], "re\nno\n"],
  [["s/a/b/;#comment\np"], "a\n"],
  [["-e", "s/a/b/", "-e", "s/b/c/"], "a\n"],
  [["s/\\(a\\)\\(b\\)/\\2\\1/"], "ab\n"],
  [["s/a/\\n/"], "xay\n"],
  [["s/e/E/;T;s/$/!/"], LINES],
  [["s/o/O/;N;T;s/$/!/"], LINES],
  [["s/o/O/;n;t;s/$/?/"], LINES],
  [["a\\"], LINES],
  [["0~2d"], LINES],
  [["-n", "2~0p;1~3="], LINES],
  [["-n", "/two/{n;p}"], LINES],
  [["H;$!d;x;s/\\n/,/g"], LINES],
  [["-n", "h;n;G;p"], LINES],
  [["-e", "/one/{", "-e", "s/o/O/", "-e", "}"], LINES],
  [["\\,o,d"], LINES],
  [["/O/Id"], LINES],
  [["-E", "s/([0-9]{1,3}\\.){3}/X./"], "10.1.2.3\n"],
  [["s/[0-9]\\{2,\\}/N/g"], "1 22 333\n"],
  [["$a\\\nEND"], LINES],
  [["-n", "/a/,/nomatch/p"], "x\na\nb\n"],
  [["-n", "2,1p"], LINES],
  [["-n", "/two/,1p"], LINES],
  [["s/a/b/", "nonexistent"], ""],
  // errors: GNU's words and status 1
  [["s/a/b"], "a\n"],
  [["k"], "a\n"],
  [["s/a/\\1/"], "a\n"],
  [["p;}"], "a\n"],
  [["{p"], "a\n"],
];

describe.skipIf(!HAS_SED)("sed as GNU sed runs it", () => {
  for (const [args, input] of CASES)
    it(`sed ${args.map((a) => JSON.stringify(a)).join(" ")}`, () => {
      const real = spawnSync("sed", args, { input, encoding: "utf8" });
      const r = ours(args, input);
      expect({ out: r.out, status: r.status }).toEqual({ out: real.stdout, status: real.status });
      expect(r.errs.join("\n")).toBe(real.stderr.trimEnd());
    });
});

describe("sed: the vpnc-script idioms", () => {
  it("the device of an `ip route get` line (do_ifconfig)", () => {
    expect(ours(["-ne", "s/^.*dev \\([a-z0-9]*\\).*$/\\1/p"], ROUTE).out).toBe("eth0\n");
  });

  it("fix_ip_get_output: one word a line, then the route arguments", () => {
    const words = ours(["-e", "s/ /\\n/g"], "203.0.113.5 via 192.168.1.1 dev eth0\n").out;
    const script = "1 s|$|/32|p;/via/{N;p};/dev/{N;p};/src/{N;p};/onlink/{p}";
    expect(ours(["-ne", script], words).out).toBe("203.0.113.5/32\nvia\n192.168.1.1\ndev\neth0\n");
  });

  for (const args of [
    ["s/x/y/w /dev/stdout"],
    ["-n", "l"],
    ["-z", "s/a/b/"],
    ["s/a/b/e"],
    ["s/a/\\U&/"],
  ])
    it(`refuses ${args.join(" ")}: not modelled, status 1, nothing printed`, () => {
      const r = ours(args, "a\n");
      expect([r.out, r.status]).toEqual(["", 1]);
      expect(r.errs).toHaveLength(1);
      expect(r.errs[0]).toMatch(/^sed: .*not modelled$/);
    });

  it("a script that loops on itself stops with an error, status 4", () => {
    expect(ours([":a;ba"], "x\n")).toEqual({
      out: "",
      status: 4,
      errs: ["sed: ran over 2000000 commands (an endless loop?)"],
    });
  });

  it("an option it does not model is refused, not ignored", () => {
    expect(ours(["-i", "s/a/b/", "f"], "")).toEqual({
      out: "",
      status: 1,
      errs: ["sed: option -i is not modelled"],
    });
  });
});
