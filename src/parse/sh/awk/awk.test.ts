/**
 * awk against the machine's POSIX awk (Debian's /usr/bin/awk, mawk): each case runs the real
 * `awk` (the oracle) and routelab's on the same input; output and status must agree. The
 * vpnc-script program and the error paths also have fixed expectations.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runAwk } from "./run.js";

function ours(args: string[], stdin: string) {
  let out = "";
  const errs: string[] = [];
  const status = runAwk(args, {
    stdin,
    readFile: () => undefined,
    out: (t) => (out += t),
    warn: (m) => errs.push(m),
    env: { HOME: "/root" },
  });
  return { out, status, errs };
}

const HAS_AWK = spawnSync("awk", ["BEGIN{}"]).status === 0;
const ROUTES =
  "default via 192.168.1.1 dev eth0 proto dhcp metric 100 \n" +
  "default via 10.0.0.1 dev wlan0 metric 600 \n" +
  "default dev tun0 scope link \n" +
  "default via 192.168.2.1 dev eth1 \n";
const VPNC =
  '/dev tun0/ { next; } { printf "%s %s\\n", (match($0, /metric ([^ ]+)/) ? ' +
  "substr($0, RSTART+7, RLENGTH-7) : 4294967295), $0; }";
const TABLE = "a 1 x\nb 22 y\nc 3 z\n\nd 4.5 w\n";

const CASES: [string[], string][] = [
  // Every route with a metric: mawk prints 4294967295 as 4.29497e+09 (see below).
  [[VPNC], ROUTES.replace("eth1 \n", "eth1 metric 5 \n")],
  [['{ print substr($0, 2), substr($0, 2, 100), substr($0, 5, 1) substr($0, 6) "|" }'], "hello\n"],
  [['BEGIN { printf "%.0f %.0f %.1f %.2e %.3g\\n", 2.5, 3.5, 0.25, 1.125, 2.0625 }'], ""],
  [["-F:", "{print $1}"], "eth0: up\nlo: x\n"],
  [["{ print $2, $1 }"], TABLE],
  [["{ print NR, NF, $NF }"], TABLE],
  [["NR==2"], TABLE],
  [['/b/,/d/ { print NR ": " $0 }'], TABLE],
  [["$2 > 3"], TABLE],
  [['$2 > "3"'], TABLE],
  [["{ s += $2 } END { print s, s / NR, NR }"], TABLE],
  [['BEGIN { OFS = "-" } { $1 = $1; print }'], TABLE],
  [['BEGIN { OFS = ":" } { $5 = "e"; print; print NF }'], "a b c\n"],
  [["{ NF = 2; print }"], "a b c d\n"],
  [["{ print length($0), length(), length }"], TABLE],
  [['{ print index($0, "ll"), index($0, "z") }'], "hello\n"],
  [['{ n = split($0, a, "."); print n, a[1], a[n] }'], "10.8.0.2\n"],
  [['{ n = split($0, a); for (i = n; i >= 1; i--) printf "%s,", a[i]; print "" }'], TABLE],
  [["{ n = split($0, a, /[.:]/); print n, a[2] }"], "1.2:3\n"],
  [['{ gsub(/o/, "0"); print; print sub(/l+/, "[&]"), $0 }'], "hello world\n"],
  [['{ gsub(/x*/, "-"); print }'], "abc\n"],
  [['{ print toupper($0), tolower("MiX") }'], "abc\n"],
  [
    ['{ if (match($0, /[0-9]+/)) print RSTART, RLENGTH; else print "no", RSTART, RLENGTH }'],
    "ab123c\nxyz\n",
  ],
  [
    [
      'BEGIN { printf "%5s|%-5s|%05d|%x|%o|%c|%c|%.2f|%e|%g|%g|%%\\n", "ab",' +
        ' "cd", 42, 255, 8, 65, "hi", 3.14159, 12345.678, 0.0001, 1e10 }',
    ],
    "",
  ],
  [['BEGIN { printf "%+d % d %5.1f %-8.3e| %G %i\\n", 5, 7, -2.345, 1234.5, 1e-10, 7.9 }'], ""],
  [
    ["BEGIN { x = 0.1 + 0.2; print x; print 1/3; print 10000 * 10000; print 2^10, -2^2, 2^3^2 }"],
    "",
  ],
  [['BEGIN { print 1e6, 1e16, 2147483647, 0.000001, 3.0, "3.0" + 0, -0 }'], ""],
  [['BEGIN { CONVFMT = "%.2g"; a = 3.14159; b = a ""; print b; OFMT = "%.1f"; print a }'], ""],
  [
    ['{ a[$1] = $2 } END { n = 0; for (k in a) n += a[k]; print n, ("b" in a), ("q" in a) }'],
    TABLE,
  ],
  [
    [
      "BEGIN { a[1,2] = 3; for (k in a) { split(k, p, SUBSEP);" +
        ' print p[1], p[2] }; if ((1,2) in a) print "yes" }',
    ],
    "",
  ],
  [['BEGIN { a["x"]; delete a["x"]; print length(a); a[1]; a[2]; delete a; print length(a) }'], ""],
  [
    ["{ while (i < 3) { i++; if (i == 2) continue; print i } do { j++ } while (j < 5); print j }"],
    "x\n",
  ],
  [
    ['{ for (i = 1; i <= NF; i++) { if ($i == "c") break; printf "%s;", $i }; print "" }'],
    "a b c d\n",
  ],
  [['NR == 1 { next } { print } END { print "end", NR }'], TABLE],
  [['{ print; exit 3 } END { print "in end" }'], TABLE],
  [['BEGIN { exit } END { print "end runs" }'], ""],
  [['BEGIN { x = "10"; y = 9; print (x < y), ("10" < "9"), ($1 < $2) }'], "10 9\n"],
  [["{ print ($1 < $2), ($1 == $2) }"], "10 9\n1e1 10\nabc abd\n 2 2.0\n"],
  [['{ print !$1, !x, !"", !"a", -$1, +$2 }'], "0 3\n"],
  [["function f(a, b) { b = a * 2; return b } { print f($1), b }"], "21\n"],
  [
    [
      "function fill(arr, n) { for (i = 1; i <= n; i++) arr[i]" +
        " = i * i } BEGIN { fill(sq, 3); print sq[2], sq[3] }",
    ],
    "",
  ],
  [["function fact(n) { return n <= 1 ? 1 : n * fact(n - 1) } BEGIN { print fact(10) }"], ""],
  [["-v", "x=5", "-v", "s=a\\tb", "BEGIN { print x + 1, s }"], ""],
  [["{ print v, $1 }", "v=1", "-", "v=2"], "r\n"],
  [['BEGIN { FS = "," } { print $2 } '], "a,b,c\n"],
  [["-F", "[:,]", "{ print $3, NF }"], "a:b,c\n"],
  [["-F\\t", "{ print $2 }"], "a b\tc\n"],
  [['{ $3 = ""; print; print NF }'], "a b c\n"],
  [["{ print $(NF-1), $(1+1) }"], "a b c\n"],
  [["{ x = $1; x++; print x, $1 }"], "5\n"],
  [['{ print $1 $2, $1 " " $2 }'], "a b\n"],
  [['{ print 1 - 1, 1 " " -1, "a" (1 > 0) }'], "x\n"],
  [['BEGIN { print length("abc") length("de") }'], ""],
  [
    [
      'BEGIN { s = sprintf("%03d-%s", 7, "x"); print s; print' +
        ' int(-3.7), int("4x"), sqrt(16), exp(0), log(1) }',
    ],
    "",
  ],
  [["/^d/ || $2 == 22"], TABLE],
  [["!/a/ && NF"], TABLE],
  [['$0 ~ "^[bc]" { print "m", $0 } $1 !~ /[a-c]/ { print "n", $0 }'], TABLE],
  [['{ print > "/dev/stdout" }'], "x\n"],
  [["END { print $0, NF }"], TABLE],
  [['{ print NR ":" $0 }'], "no newline"],
  [['BEGIN { RS = "" } { print NR ": " $1 "/" NF }'], "a b\nc\n\n\nd e\n"],
  [['BEGIN { RS = ";" } { print $0 }'], "a;b;c"],
  [['BEGIN { if (1) print "a"; else print "b" }'], ""],
  [['BEGIN { if (0)\n print "a"\n else\n print "b"\n}'], ""],
  [["BEGIN {\n x = 1 +\\\n 2; print x # comment\n}"], ""],
  [['BEGIN { print ENVIRON["NOPE"] "|" }'], ""],
  [['BEGIN { a = "x"; a = a a a; print a }'], ""],
  [['BEGIN { n = split("", arr); print n, length(arr) }'], ""],
  [["BEGIN { x[1] = 1; print (2 in x) } END { }"], ""],
  [['BEGIN { printf "%s" }'], ""],
  [['BEGIN { printf "%s %s %s\\n", "a", "b" }'], ""],
  [['BEGIN { printf "100%\\n" }'], ""],
  [['BEGIN { printf "50% off\\n" }'], ""],
  [['BEGIN { printf "a%zb\\n", 1 }'], ""],
  [["{ print $1 / 2 }"], "7\n"],
  [["BEGIN { print -3 % 2, 7 % -3, 2 ^ 0.5 }"], ""],
  [['BEGIN { print index("abc", ""), substr("abc", 2, -1) "|" }'], ""],
  // idioms of setup scripts
  [["{ print $NF }"], TABLE],
  [["NR > 1 { print $1 }"], TABLE],
  [
    ['/inet / { split($2, a, "/"); print a[1] }'],
    "    inet 10.8.0.2/24 brd x\n    inet6 ::1/128\n",
  ],
  [["-v", "dev=eth0", "$0 ~ dev { print $1 }"], "1: eth0: up\n2: wlan0: up\n"],
  [
    ['$1 == "default" { print $3; exit }'],
    "10.0.0.0/8 via 1.1.1.1\ndefault via 9.9.9.9 dev x\ndefault via 8.8.8.8\n",
  ],
  [['BEGIN { FS = "=" } /^ID=/ { gsub(/"/, "", $2); print $2 }'], 'NAME="Debian"\nID="debian"\n'],
  [['{ printf("%s|\\n", $1) }'], TABLE],
  [['{ print ($2 > 5) ? "big" : "small" }'], TABLE],
  [["length($0) > 5"], TABLE],
  [['{ $1 = ""; print substr($0, 2) }'], TABLE],
  [["{ a[NR] = $0 } END { for (i = NR; i > 0; i--) print a[i] }"], TABLE],
  [["-F[ /]", "{ print $2 }"], "a b/c\n"],
  [['BEGIN { while (i++ < 3) print i; print x + 0, x "|" }'], ""],
  [['{ sub(/#.*/, ""); if (NF) print }'], "a # c\n# only\nb\n"],
  [['BEGIN { printf "%d %-6s|%5.2f|%i\\n", "3abc", "ab", 2.345, -7.9 }'], ""],
  [['{ print ($1 == "10.0"), ($1 == 10.0), $1 == $2 }'], "10 10.0\n"],
  [['{ print $1, $2 > "/dev/stderr"; print "out" }'], "a b\n"],
  [["/^[0-9]+$/"], "12\na1\n007\n"],
  [['BEGIN { dev = "eth" } $0 ~ "^" dev'], "eth0\nxeth\n"],
  [['{ n = gsub(/[aeiou]/, "<&>"); print n, $0 }'], "routelab\n"],
  [['{ print; print "again" > "/dev/stdout" }'], "x\n"],
  [['BEGIN { x["a"] = 1; for (k in x) delete x[k]; print length(x) }'], ""],
  [['{ print NF ? $1 : "empty" }'], "a\n\n  \n"],
  // getline: the main input, or a file (the test's own input file, /dev/stdin)
  [["/^Host/ { getline; print $2 }"], "Host a\n  Name x\nHost b\n  Name y\n"],
  [["{ while ((getline line) > 0) n++; print NR, n, line, $0 }"], "a\nb\nc\n"],
  [['BEGIN { getline; print "first:" $0 } { print NR ": " $0 }'], "l1\nl2\n"],
  [['BEGIN { while ((getline l < "/dev/stdin") > 0) n++; print n, NR }'], "a\nb\n"],
  [['BEGIN { print (getline l < "/nonexistent"), close("/nonexistent") }'], ""],
  [["END { print getline, $0 }"], "a\nb\n"],
  // errors: status 2
  [["{ print $1"], "x\n"],
  [["BEGIN { print 1 +* 2 }"], ""],
];

describe.skipIf(!HAS_AWK)("awk as POSIX awk (mawk) runs it", () => {
  for (const [args, input] of CASES)
    it(`awk ${args.map((a) => JSON.stringify(a)).join(" ")}`, () => {
      const real = spawnSync("awk", args, { input, encoding: "utf8" });
      const r = ours(args, input);
      expect({ out: r.out, status: r.status }).toEqual({ out: real.stdout, status: real.status });
      expect(r.errs.length > 0).toBe(real.stderr !== "");
    });
});

describe("awk: the vpnc-script program and refusals", () => {
  it("puts the metric in front, 4294967295 when none, and drops the tunnel's route", () => {
    expect(ours([VPNC], ROUTES).out).toBe(
      "100 default via 192.168.1.1 dev eth0 proto dhcp metric 100 \n" +
        "600 default via 10.0.0.1 dev wlan0 metric 600 \n" +
        "4294967295 default via 192.168.2.1 dev eth1 \n",
    );
  });

  // mawk prints an integer beyond 2^31-1 with OFMT/CONVFMT (4.29497e+09); POSIX, gawk and
  // busybox print it as an integer (%d), as here.
  it("an integer prints as one (POSIX), however large", () => {
    expect(ours(['BEGIN { print 4294967295, 123456789012 "" }'], "").out).toBe(
      "4294967295 123456789012\n",
    );
  });

  // mawk counts from the start for substr(s, 0, n); POSIX takes the characters at positions
  // m .. m+n-1 that exist (gawk, busybox).
  it("substr before the start keeps the positions that exist (POSIX)", () => {
    const prog = '{ print substr($0, 0, 2) "|" substr($0, -1, 3) "|" substr($0, 5, 9) }';
    expect(ours([prog], "hello\n").out).toBe("h|h|o\n");
  });

  // mawk prints inf; gawk stops with an error and status 2, as here.
  it("division by zero is an error, status 2", () => {
    expect(ours(["BEGIN { x = 1 / 0 }"], "")).toEqual({
      out: "",
      status: 2,
      errs: ["awk: run time error: division by zero"],
    });
  });

  it("a syntax error is awk's message with its line, status 2", () => {
    expect(ours(["BEGIN {\n print (1 }"], "")).toEqual({
      out: "",
      status: 2,
      errs: ["awk: line 2: syntax error at or near }"],
    });
  });

  for (const [prog, what] of <[string, string][]>[
    ['{ print | "sort" }', "output to a pipe"],
    ['{ print > "/tmp/x" }', "output to a file (/tmp/x)"],
    ["BEGIN { print rand() }", "rand()"],
  ])
    it(`refuses ${what}: not modelled, status 2, nothing run`, () => {
      const r = ours([prog], "x\n");
      expect(r.status).toBe(2);
      expect(r.out).toBe("");
      expect(r.errs).toEqual([`awk: line 1: ${what} is not modelled`]);
    });

  // `CMD | getline [VAR]` counts NR (POSIX, gawk); mawk leaves NR alone.
  it("system() and CMD | getline run through the caller's shell, in order with print", () => {
    let out = "";
    const ran: string[] = [];
    const prog =
      'BEGIN { "uname -r" | getline r; print "r=" r, NR; print system("ip link set eth0 up");' +
      ' while (("ip -o link" | getline l) > 0) n++; close("ip -o link"); "ip -o link" | getline;' +
      " print n, $2, NR }";
    const status = runAwk([prog], {
      stdin: "",
      readFile: () => undefined,
      out: (t) => (out += t),
      warn: () => {},
      run: (cmd) => {
        ran.push(cmd);
        if (cmd === "uname -r") return { stdout: "6.1.0\n", status: 0 };
        if (cmd === "ip -o link") return { stdout: "1: lo\n2: eth0\n", status: 0 };
        return { stdout: "set\n", status: 3 };
      },
    });
    expect({ out, status }).toEqual({ out: "r=6.1.0 1\nset\n3\n2 lo 4\n", status: 0 });
    expect(ran).toEqual(["uname -r", "ip link set eth0 up", "ip -o link", "ip -o link"]);
  });

  it("without a shell to run them, system() and CMD | getline stop with an error", () => {
    expect(ours(['BEGIN { system("ls") }'], "")).toEqual({
      out: "",
      status: 2,
      errs: ['awk: run time error: system() is not modelled here (no shell to run "ls")'],
    });
    expect(ours(['{ "date" | getline d }'], "x\n").status).toBe(2);
  });

  it("getline < FILE reads a file through the caller; close() starts it again", () => {
    let out = "";
    const files: Record<string, string> = { "/etc/iproute2/rt_tables": "255\tlocal\n200\tvpn\n" };
    const prog =
      'BEGIN { f = "/etc/iproute2/rt_tables"; while ((getline l < f) > 0) { split(l, p, "\\t");' +
      ' if (p[2] == "vpn") print p[1] }; close(f); getline l < f; print l; print NR }';
    const status = runAwk([prog], {
      stdin: "",
      readFile: (p) => files[p],
      out: (t) => (out += t),
      warn: () => {},
    });
    expect({ out, status }).toEqual({ out: "200\n255\tlocal\n0\n", status: 0 });
  });

  it("a loop that never ends stops with an error, status 2", () => {
    const r = ours(["BEGIN { while (1) n++ }"], "");
    expect(r.status).toBe(2);
    expect(r.errs).toEqual([
      "awk: run time error: ran over 2000000 loop iterations and calls (an endless loop?)",
    ]);
  });

  it("a file it cannot read: status 2", () => {
    expect(ours(["{ print }", "/nonexistent"], "").status).toBe(2);
  });
});
