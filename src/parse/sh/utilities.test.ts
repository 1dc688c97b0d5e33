/**
 * The utilities scripts decide with (`expr`, `grep`, `uname`, `run-parts --list`) and
 * pathname expansion, against the real tools: coreutils' expr, GNU grep and bash on a
 * directory made for the test, through the same `readFile`/`readDir` the loader is given.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runShell } from "./interp.js";
import { runExpr } from "./expr.js";

const DIR = mkdtempSync(join(tmpdir(), "routelab-glob-"));
for (const f of ["b.conf", "a.conf", "rfc3442-classless-routes", "debug", "x.dpkg-old", ".hidden"])
  writeFileSync(join(DIR, f), `# ${f}\n`);
mkdirSync(join(DIR, "sub.d"));
writeFileSync(
  join(DIR, "sub.d", "child.sh"),
  '#!/bin/sh -e\necho "$0" "$#" "$1" "[$a]" "[$b]" "[$c]"; type f >/dev/null 2>&1 || echo nof\n' +
    "b=changed; exit 3\n",
  { mode: 0o755 },
);
writeFileSync(join(DIR, "sub.d", "inner"), "echo inner\n");
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const fsOpts = {
  readFile: (p: string) => {
    try {
      return readFileSync(p, "utf8");
    } catch {
      return undefined;
    }
  },
  readDir: (p: string) => {
    try {
      return readdirSync(p, { withFileTypes: true }).map(
        (d) => d.name + (d.isDirectory() ? "/" : ""),
      );
    } catch {
      return undefined;
    }
  },
};

function bash(script: string, stdin = ""): { stdout: string; status: number } {
  const r = spawnSync("bash", ["-c", script, "t.sh"], { input: stdin, encoding: "utf8" });
  return { stdout: r.stdout, status: r.status ?? -1 };
}

function ours(script: string): { stdout: string; status: number } {
  const r = runShell(script, "t.sh", {
    keepStdout: true,
    ...fsOpts,
    uname: { release: release() },
  });
  return { stdout: r.stdout ?? "", status: r.status };
}

describe("expr as coreutils evaluates it", () => {
  const cases = [
    ["1", "+", "2"],
    ["7", "/", "2"],
    ["-7", "%", "3"],
    ["3", "*", "4", "-", "5"],
    ["0", "+", "0"],
    ["10", "<", "9"],
    ["10", "<", "9a"],
    ["abc", "=", "abc"],
    ["", "|", "0"],
    ["x", "|", "y"],
    ["0", "&", "y"],
    ["a", "&", "b"],
    ["tun0", ":", "tun\\([0-9]*\\)"],
    ["tun0", ":", "tu"],
    ["tun0", ":", "x"],
    ["tun0", ":", "\\(x\\)"],
    ["abcabc", ":", ".*b"],
    ["255.255.0.0", ":", "\\([0-9]*\\)\\."],
    ["match", "foo", "f\\(o*\\)"],
    ["substr", "routelab", "3", "4"],
    ["substr", "routelab", "0", "4"],
    ["index", "routelab", "lt"],
    ["length", "routelab"],
    ["(", "2", "+", "3", ")", "*", "2"],
    ["+", "length"],
    ["1", "/", "0"],
    ["a", "+", "1"],
    ["1", "+"],
    ["1", "2"],
    ["99999999999999999999", "+", "1"],
    ["05"],
    ["05", "+", "0"],
    ["-0"],
  ];
  for (const args of cases)
    it(`expr ${args.join(" ")}`, () => {
      const real = spawnSync("expr", args, { encoding: "utf8" });
      const r = runExpr(args);
      expect({ out: r.stdout, status: r.status }).toEqual({
        out: real.stdout,
        status: real.status,
      });
      expect(r.error ?? "").toBe(real.stderr.trimEnd());
    });
});

describe("grep as GNU grep filters", () => {
  const text = "default via 192.168.1.1 dev eth0\n10.0.0.0/8 dev tun0\nBusyBox v1.35\n\n";
  const cases = [
    "grep '^default'",
    "grep -q BusyBox",
    "grep -v tun0",
    "grep -c dev",
    "grep -E 'tun[0-9]+|eth0'",
    "grep -o '[0-9]\\+\\.[0-9]\\+'",
    "grep -i busybox",
    "grep -w dev",
    "grep -x 'BusyBox v1.35'",
    "grep -F 10.0.0.0/8",
    "grep -n -e eth0 -e tun0",
    "grep nothing",
    "grep '^$'",
    "grep -Eq '^(default|10\\.)'; echo $?",
    "grep -c -- -v; grep -- dev -",
  ];
  for (const c of cases)
    it(c, () => {
      const script = `printf '%s' "$T" | ${c}`;
      const real = spawnSync("bash", ["-c", script], {
        encoding: "utf8",
        env: { ...process.env, T: text },
      });
      const r = runShell(script, "t.sh", { keepStdout: true, env: { T: text } });
      expect({ out: r.stdout, status: r.status }).toEqual({
        out: real.stdout,
        status: real.status,
      });
    });
});

describe("sed, awk, sort and cut in pipelines and substitutions, against bash", () => {
  const routes =
    "default via 192.168.1.1 dev eth0 proto dhcp metric 100 \\n" +
    "default dev tun0 scope link \\ndefault via 10.0.0.1 dev wlan0 metric 50 \\n";
  const cases: Record<string, string> = {
    "vpnc-script's list_non_loopback_routes and fix_ip_get_output": `TUNDEV=tun0
      printf '${routes}' |
        awk '/dev '"$TUNDEV"'/ { next; } { printf "%s %s\\n", (match($0, /metric ([^ ]+)/) ? \\
          substr($0, RSTART+7, RLENGTH-7) : 4294967295), $0; }' |
        sort -n | cut -d' ' -f3- |
        while read LINE; do
          echo "203.0.113.5 $LINE" | sed -e 's/ /\\n/g' |
            sed -ne "1 s|\\$|/32|p;/via/{N;p};/dev/{N;p};/src/{N;p};/metric/{N;p}"
        done`,
    "a command substitution of sed and awk": `ip=10.8.0.2
      echo "$(echo $ip | sed 's/[.]/ /g')" "$(echo eth0: up | awk -F: '{print $1}')"
      n=$(printf 'a\\nb\\n' | awk 'END { print NR }'); echo "n=$n"`,
    "an awk that fails: its status, nothing printed": `echo x | awk '{ print $1'; echo "st=$?"`,
    "awk's system() and CMD | getline run in a child shell": `export V=exported; W=local
      printf 'eth0\\neth1\\n' | awk '{ print "before " $1; s = system("echo up " $1 " $V $W");
        print "status " s }'
      awk 'BEGIN { "echo one; echo two" | getline a; "echo one; echo two" | getline b
        print a "," b; print system("exit 3") }'`,
    "a here-document through sed and sort": `sort -r <<EOF | sed -n '1p;$p'
b
a
c
EOF`,
  };
  for (const [name, script] of Object.entries(cases))
    it(name, () => {
      const real = bash(script);
      expect(real.stdout).not.toBe("");
      expect(ours(script)).toEqual(real);
    });
});

describe("pathname expansion, [ -d ], run-parts --list, uname against bash", () => {
  const cases: Record<string, string> = {
    "a directory's files, sorted, no dot files": `for f in ${DIR}/*; do echo "$f"; done`,
    "a suffix pattern": `echo ${DIR}/*.conf`,
    "a bracket and ? pattern": `echo ${DIR}/[ab].con?`,
    "no match stays as written": `echo ${DIR}/nomatch*; echo "${DIR}"/*.conf`,
    "quoted characters do not glob": `echo "${DIR}/*"; echo '${DIR}'/"*"`,
    "a pattern from a variable": `d=${DIR}; p='*.conf'; echo $d/$p; echo "$d/$p"`,
    "directories only, and inside one": `echo ${DIR}/*/; echo ${DIR}/*.d/*`,
    "set -f turns it off": `set -f; echo ${DIR}/*.conf; set +f; echo ${DIR}/*.conf`,
    "[ -d ] and [ -f ]": `[ -d ${DIR} ] && echo d; [ -f ${DIR} ] || echo nf; [ -f ${DIR}/b.conf ]`,
    "run-parts --list, as dhclient-script runs its hooks": `for s in $(run-parts --list ${DIR})
      do echo "$s"; done`,
    "uname as Linux": "uname; uname -s -o; uname -r; uname -sr",
    "a script run as a program sees exported variables only, and keeps its changes": `a=1
      export b=2; f() { :; }; sh ${DIR}/sub.d/child.sh x "y z"; echo "$?:$a:$b:$c"
      c=3 bash ${DIR}/sub.d/child.sh; sh -c 'echo "$0 $1 [$a] $b"; exit 4' n1 a1; echo $?
      ${DIR}/sub.d/child.sh q; sh ${DIR}/nothing.sh; echo $?; bash ${DIR}/nothing.sh; echo $?
      echo 'echo "piped $0 $#"' | sh`,
    "getopts as miniupnpd's scripts parse -i IF -c CHAIN -f": `g() { OPTIND=1
        while getopts ":c:i:f" opt; do case $opt in c) echo "c=$OPTARG";; i) echo "i=$OPTARG";;
        f) echo f;; \\?) echo "bad -$OPTARG";; :) echo "needs -$OPTARG";; esac; done
        shift $((OPTIND - 1)); echo "rest: $*"; }
      g -i eth0 -fc X1 op; g -x -i; g -- -i; g -iwan0 -f -c`,
  };
  for (const [name, script] of Object.entries(cases))
    it(name, () => {
      expect(ours(script)).toEqual(bash(script));
    });

  it("uname -r without a release states the assumption", () => {
    const r = runShell("uname -r; uname -r", "t.sh", { keepStdout: true });
    expect(r.stdout).toBe("6.1.0\n6.1.0\n");
    expect(r.issues.map((i) => [i.code, i.message])).toEqual([
      ["load.assumed", 'uname: the host\'s release is not known: assumed "6.1.0"'],
    ]);
  });

  it("without readDir nothing globs and only the well-known directories exist", () => {
    const r = runShell(`echo ${DIR}/*; [ -d /etc ] && echo etc`, "t.sh", { keepStdout: true });
    expect(r.stdout).toBe(`${DIR}/*\netc\n`);
  });
});
