import { describe, expect, it } from "vitest";
import type { Issue } from "../core/issue.js";
import type { CommandCall } from "./sh/interp.js";
import { runShell, type Word } from "./shell.js";

/** Run a script with ip, sysctl and nft recorded (status 0): the commands and the issues. */
function expandScript(text: string, file: string) {
  const commands: { words: Word[]; heredoc?: { text: string; loc: Word["loc"] } }[] = [];
  const record = (c: CommandCall) => {
    const hd =
      c.io.stdin !== undefined ? { heredoc: { text: c.io.stdin, loc: c.io.stdinLoc! } } : {};
    commands.push({ words: c.argv, ...hd });
    return { status: 0 };
  };
  const r = runShell(text, file, { commands: { ip: record, sysctl: record, nft: record } });
  return { commands, issues: r.issues as Issue[] };
}

const lines = (s: string) =>
  expandScript(s, "t.sh").commands.map((c) => c.words.map((w) => w.text).join(" "));

describe("expandScript", () => {
  it("splits on newlines, ; and &&, and drops comments", () => {
    expect(
      lines(
        "ip link set lo up # bring lo up\n" +
          "ip rule add pref 5 lookup 100; ip rule add pref 6 lookup 101 && sysctl -w a=1",
      ),
    ).toEqual([
      "ip link set lo up",
      "ip rule add pref 5 lookup 100",
      "ip rule add pref 6 lookup 101",
      "sysctl -w a=1",
    ]);
  });
  it("joins backslash continuations and keeps the first word's location", () => {
    const r = expandScript("ip route add default \\\n   dev wg0 table 51820\n", "t.sh");
    expect(r.commands[0]!.words.map((w) => w.text)).toEqual([
      "ip",
      "route",
      "add",
      "default",
      "dev",
      "wg0",
      "table",
      "51820",
    ]);
    expect(r.commands[0]!.words[5]!.loc).toEqual({ file: "t.sh", line: 2, col: 8 });
  });
  it("expands variables, quoted and unquoted, and unrolls for loops", () => {
    expect(
      lines(
        'T=51820\nDEV="wg0"\nfor p in 10.0.0.0/8 "192.168.0.0/16"; do\n' +
          "  ip route add $p dev $DEV table ${T}\ndone",
      ),
    ).toEqual([
      "ip route add 10.0.0.0/8 dev wg0 table 51820",
      "ip route add 192.168.0.0/16 dev wg0 table 51820",
    ]);
  });
  it("word-splits unquoted list variables in for loops", () => {
    expect(
      lines(
        'NETS="10.0.0.0/8 172.16.0.0/12"\nfor n in $NETS; do ip rule add to $n lookup main; done',
      ),
    ).toEqual([
      "ip rule add to 10.0.0.0/8 lookup main",
      "ip rule add to 172.16.0.0/12 lookup main",
    ]);
  });
  it("runs && / || by exit status and discards redirected output", () => {
    expect(
      lines(
        "ip rule del pref 9000 2>/dev/null || true\n" +
          "ip link set lo up >/dev/null 2>&1 && ip rule add pref 5 lookup 5\nfalse && ip x",
      ),
    ).toEqual(["ip rule del pref 9000", "ip link set lo up", "ip rule add pref 5 lookup 5"]);
  });
  it("attaches here-documents to their command", () => {
    const r = expandScript(
      "X=wg0\nnft -f - <<EOF\ntable ip t { }\n# $X\nEOF\nip link set lo up\n",
      "t.sh",
    );
    expect(r.commands).toHaveLength(2);
    expect(r.commands[0]!.heredoc!.text).toBe("table ip t { }\n# wg0\n");
    expect(r.commands[0]!.heredoc!.loc.line).toBe(3);
    expect(r.commands[1]!.words[0]!.text).toBe("ip");
  });
  it("reports unset variables and commands it does not model, once, with a location", () => {
    // `| sh` runs what curl printed (nothing): jq stands for a command routelab does not model.
    const r = expandScript("ip rule add lookup $NOPE\ncurl -s x | jq\ncurl y\n", "t.sh");
    expect(r.issues.map((i) => [i.code, i.loc?.line, i.loc?.col, i.token, i.severity])).toEqual([
      ["shell.unset-variable", 1, 20, "$NOPE", "warning"],
      ["shell.skipped", 2, 1, "curl", "warning"],
      ["shell.skipped", 2, 13, "jq", "warning"],
    ]);
    expect(r.issues[1]!.message).toBe("skipped: curl (not modelled), first at t.sh:2:1");
  });
  it("evaluates arithmetic expansion with variables", () => {
    expect(
      lines(
        "for t in 210 220; do ip route add default via 10.1.0.$((t - 200)) table $t; done\n" +
          "id=3\nip rule add pref $((1000+id)) fwmark $((id*256))/0x3f00 lookup $id",
      ),
    ).toEqual([
      "ip route add default via 10.1.0.10 table 210",
      "ip route add default via 10.1.0.20 table 220",
      "ip rule add pref 1003 fwmark 768/0x3f00 lookup 3",
    ]);
    expect(expandScript("x=$((1 / 0))", "t.sh").issues[0]).toMatchObject({
      code: "shell.arith",
      message: "1 / 0: division by 0",
      loc: { line: 1, col: 3 },
    });
  });
  it("reports an unterminated quote", () => {
    const r = expandScript("ip rule add 'oops\n", "t.sh");
    expect(r.issues[0]).toMatchObject({ code: "shell.syntax", loc: { line: 1, col: 13 } });
  });
});
