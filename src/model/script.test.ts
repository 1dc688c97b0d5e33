/**
 * Setup scripts as people write them, run on the virtual host: what the kernel refuses is a
 * warning with the tool's message and exit status and the script goes on; commands outside
 * routelab's world are skipped once with a warning; /proc/sys writes and `sysctl -p` set
 * sysctls; here-documents piped through `cat` keep their positions.
 */
import { describe, expect, it } from "vitest";
import { createHostState } from "./host.js";
import { loadText } from "./load.js";
import { buildNetfilter } from "./netfilter.js";

const run = (text: string, files: Record<string, string> = {}) => {
  const s = createHostState();
  const issues = loadText(s, text, "s.sh", { readFile: (p) => files[p] });
  const brief = issues.map((i) => `${i.severity} ${i.loc?.line}:${i.loc?.col} ${i.message}`);
  return { s, issues, brief };
};

describe("setup scripts on the virtual host", () => {
  it("echo V > /proc/sys/… and sysctl -p FILE set sysctls", () => {
    const { s, brief } = run(
      "echo 1 > /proc/sys/net/ipv4/ip_forward\nsysctl -p /etc/sysctl.d/99-x.conf\n",
      { "/etc/sysctl.d/99-x.conf": "# x\nnet.ipv4.conf.all.rp_filter = 2\n; y\n" },
    );
    expect(brief).toEqual([]);
    expect(s.sysctl.get("net.ipv4.ip_forward")).toBe("1");
    expect(s.sysctl.get("net.ipv4.conf.all.forwarding")).toBe("1");
    expect(s.sysctl.get("net.ipv4.conf.all.rp_filter")).toBe("2");
  });
  it("a command outside routelab is skipped once per name, with where it was first", () => {
    const { brief, s } = run(
      "curl -fsSL x | jq\ncurl y\nsystemctl restart clash && ip rule add pref 9 lookup 9\n",
    );
    // (`curl … | sh` would run curl's output, empty here, as a script: jq is not modelled.)
    expect(brief).toEqual([
      "warning 1:1 skipped: curl (not modelled), first at s.sh:1:1",
      "warning 1:16 skipped: jq (not modelled), first at s.sh:1:16",
      "warning 3:1 skipped: systemctl (not modelled), first at s.sh:3:1",
    ]);
    expect(s.rules4.some((r) => r.pref === 9)).toBe(true);
  });
  it("kernel refusals warn and the script goes on; 2>/dev/null keeps them as info", () => {
    const { brief, s } = run(
      [
        "nft delete table inet clash",
        "nft delete table inet clash 2>/dev/null",
        "nft delete table inet clash 2>/dev/null || true",
        "ip route flush cache",
        "ip rule add pref 7 lookup 7",
      ].join("\n") + "\n",
    );
    expect(brief).toEqual([
      "warning 1:23 Error: Could not process rule: No such file or directory",
      "info 2:23 Error: Could not process rule: No such file or directory",
    ]);
    expect(s.rules4.some((r) => r.pref === 7)).toBe(true);
  });
  it("nft list table|chain of a missing object answers ENOENT with status 1, as nft does", () => {
    const { brief, s } = run(
      [
        "nft list table inet nope >/dev/null || ip rule add pref 8 lookup 8",
        "nft add table inet t",
        "nft list table inet t >/dev/null && ip rule add pref 9 lookup 9",
        "nft list chain inet t c",
      ].join("\n") + "\n",
    );
    // Without the host's printers (Host.load passes them) a listing prints nothing, and says so.
    expect(brief).toEqual([
      "warning 3:1 the output of `nft list table inet t` is not modelled in scripts: " +
        "it is empty here",
      "warning 4:23 Error: No such file or directory",
    ]);
    expect(s.rules4.filter((r) => r.pref === 8 || r.pref === 9)).toHaveLength(2);
  });
  it("only an nft `list` command says its output is not modelled (not a table named list)", () => {
    const { brief } = run("nft add table ip list\nnft add chain ip list c\nnft list chains\n");
    expect(brief).toEqual([
      "warning 3:1 the output of `nft list chains` is not modelled in scripts: it is empty here",
    ]);
  });
  it("table names written to /etc/iproute2/rt_tables are known to later ip commands", () => {
    const { brief, s } = run(
      'echo "200 vpn" >> /etc/iproute2/rt_tables\nip rule add fwmark 0x200 lookup vpn pref 10\n',
    );
    expect(brief).toEqual([]);
    expect(s.rules4.find((r) => r.pref === 10)).toMatchObject({ table: 200 });
  });
  it("exit statuses drive if, && and set -e", () => {
    const { s } = run(
      [
        "set -e",
        "if ip link show wg0 >/dev/null 2>&1; then ip rule add pref 1 lookup 1; fi",
        "ip link show lo >/dev/null && ip rule add pref 2 lookup 2",
        "nft list tables >/dev/null || ip rule add pref 3 lookup 3",
        "ip rule del pref 4 2>/dev/null || true",
        "ip rule add pref 5 lookup 5",
        "ip rule del pref 4",
        "ip rule add pref 6 lookup 6",
      ].join("\n") + "\n",
    );
    expect(s.rules4.map((r) => r.pref)).toEqual([0, 2, 5, 32766, 32767]);
  });
  it("cat <<EOF | nft -f - (wg-quick) loads, with errors at the here-document's lines", () => {
    const ok = run(
      "cat <<EOF | nft -f -\ntable inet wg {\n  chain c {\n" +
        "    type filter hook output priority 0;\n  }\n}\nEOF\n",
    );
    expect(ok.brief).toEqual([]);
    expect(buildNetfilter(ok.s).nft.tables.length).toBe(1);
    const bad = run("T=x\ncat <<EOF | nft -f -\ntable inet $T {\n  bogus\n}\nEOF\n");
    expect(bad.issues[0]).toMatchObject({ severity: "error", loc: { line: 4, col: 3 } });
  });
  it("functions, case, positional parameters and $(…) reach the host", () => {
    const { s, brief } = run(
      [
        'add_rule() { local pref=$1; shift; ip rule add pref "$pref" "$@"; }',
        "mode=${MODE:-tproxy}",
        'case "$mode" in tproxy) mark=$((0x1 << 8)) ;; *) mark=2 ;; esac',
        'add_rule 100 fwmark "$mark" lookup "$(echo 100)"',
      ].join("\n") + "\n",
    );
    expect(brief).toEqual([]);
    expect(s.rules4.find((r) => r.pref === 100)).toMatchObject({ fwmark: 256, table: 100 });
  });
});

describe("crafted scripts end in a located error, never a stack overflow", () => {
  it("2,500 nested for loops", () => {
    const text = "for a in 1; do ".repeat(2500) + ":" + "; done".repeat(2500) + "\n";
    const { issues } = run(text);
    expect(issues[0]).toMatchObject({ code: "shell.syntax", severity: "error", loc: { line: 1 } });
    expect(issues[0]!.message).toMatch(/nesting too deep/);
  });
  it("5,000 nested $((", () => {
    const text = "x=" + "$((".repeat(5000) + "1" + "))".repeat(5000) + "\n";
    const { issues } = run(text);
    expect(issues[0]!.message).toMatch(/nesting too deep/);
  });
  it("5,000 nested $( and 5,000 nested parentheses in arithmetic", () => {
    expect(run("x=" + "$(".repeat(5000) + ")".repeat(5000) + "\n").issues[0]!.message).toMatch(
      /nesting too deep/,
    );
    const deep = run("echo $((" + "(".repeat(5000) + "1" + ")".repeat(5000) + "))\n");
    expect(deep.issues[0]!.message).toMatch(/nested too deeply/);
  });
  it("a self-including `. file` and endless recursion", () => {
    const self = run(". /x.sh\n", { "/x.sh": ". /x.sh\n" });
    expect(self.issues[0]).toMatchObject({ code: "shell.runtime", severity: "error" });
    const rec = run("f() { f; }\nf\n");
    expect(rec.issues[0]!.message).toMatch(/maximum function nesting level exceeded/);
  });
  it("a self-including ip -batch file is an unknown object, as in ip", () => {
    const { issues } = run("ip -batch /b\n", { "/b": "-batch /b\n" });
    expect(issues[0]!.message).toBe('Object "-batch" is unknown, try "ip help".');
  });
  it("an endless loop ends", () => {
    const { issues } = run("while true; do :; done\n");
    expect(issues[0]!.message).toMatch(/endless loop/);
  }, 30_000);
  it("a UTF-8 byte order mark is not part of the first command", () => {
    const { s, issues } = run("\ufeffip rule add pref 3 lookup 3\n");
    expect(issues).toEqual([]);
    expect(s.rules4.some((r) => r.pref === 3)).toBe(true);
  });
});
