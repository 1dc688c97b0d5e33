/**
 * `-m policy` as iptables 1.8.9 saves and refuses it; the expected texts are what iptables
 * 1.8.9 (nf_tables) printed for the same commands in a namespace on Linux 6.1.
 */
import { expect, it } from "vitest";
import { createIptablesRuleset, iptablesSave, runIptables } from "../index.js";

function run(cmd: string, rs = createIptablesRuleset()) {
  const argv = cmd.split(" ");
  const locs = argv.map((_, k) => ({ file: "t.sh", line: 1, col: k + 1 }));
  return { rs, r: runIptables(rs, argv, locs, 4) };
}

it("saves the options and elements in libxt_policy's order", () => {
  const rs = createIptablesRuleset();
  run("iptables -A INPUT -m policy --dir in --pol ipsec -j ACCEPT", rs);
  run("iptables -A INPUT -m policy --dir in --pol none --reqid 1 -j ACCEPT", rs);
  run(
    "iptables -A INPUT -m policy --dir in --pol ipsec --strict --reqid 1 --next " +
      "--spi 0x10 ! --mode tunnel --proto 50 -j ACCEPT",
    rs,
  );
  const rules = iptablesSave(rs, 4, {})
    .split("\n")
    .filter((l) => l.startsWith("-A"));
  expect(rules).toEqual([
    "-A INPUT -m policy --dir in --pol ipsec -j ACCEPT",
    "-A INPUT -m policy --dir in --pol none -j ACCEPT",
    "-A INPUT -m policy --dir in --pol ipsec --strict --reqid 1 --next --spi 0x10 --proto esp" +
      " ! --mode tunnel -j ACCEPT",
  ]);
});

it("refuses what iptables and the kernel refuse, with their words", () => {
  const msg = (cmd: string) => run(cmd).r.issues.map((i) => i.message.replace(/^.*?\): /, ""));
  expect(msg("iptables -A INPUT -m policy --pol ipsec")).toEqual([
    "policy match: neither --dir in nor --dir out specified",
  ]);
  expect(msg("iptables -A INPUT -m policy --dir up")).toEqual(['policy_match: invalid dir "up"']);
  expect(msg("iptables -A INPUT -m policy --dir in --proto tcp")).toEqual([
    "policy match: protocol must be ah/esp/ipcomp",
  ]);
  expect(msg("iptables -A INPUT -m policy --dir in --reqid 1 --reqid 2")).toEqual([
    "policy match: double --reqid option",
  ]);
  expect(run("iptables -A OUTPUT -m policy --dir in --pol none").r.issues[0]?.message).toContain(
    "RULE_APPEND failed (Invalid argument): rule in chain OUTPUT",
  );
});
