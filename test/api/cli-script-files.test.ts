/**
 * `routelab --load setup.sh …` where the script reads files beside it (`iptables-restore <
 * rules.v4`, `ip6tables-restore <`, `nft -f`, `ip -batch`): paths are resolved as a shell run
 * from the current directory resolves them. Needs `dist/` (`npm run build`).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";

const MAIN = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const filter = (rule: string) =>
  "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" +
  `${rule}\nCOMMIT\n`;

it("a script's redirected and named files are read from the current directory", () => {
  const dir = mkdtempSync(join(tmpdir(), "routelab-cli-"));
  writeFileSync(join(dir, "rules.v4"), filter("-A INPUT -s 10.0.0.0/8 -j DROP"));
  writeFileSync(join(dir, "rules.v6"), filter("-A INPUT -s fd00::/8 -j DROP"));
  writeFileSync(join(dir, "t.nft"), "table inet t {\n}\n");
  writeFileSync(join(dir, "b.ip"), "rule add pref 5 lookup 5\n");
  writeFileSync(
    join(dir, "setup.sh"),
    "iptables-restore < rules.v4\nip6tables-restore < rules.v6\nnft -f t.nft\nip -batch b.ip\n",
  );
  const run = (...a: string[]) =>
    execFileSync("node", [MAIN, "--load", "setup.sh", ...a], { cwd: dir, encoding: "utf8" });
  expect(run("iptables-save")).toContain("\n-A INPUT -s 10.0.0.0/8 -j DROP\n");
  expect(run("ip6tables-save")).toContain("\n-A INPUT -s fd00::/8 -j DROP\n");
  expect(run("nft", "list", "ruleset")).toBe("table inet t {\n}\n");
  expect(run("rule")).toContain("5:\tfrom all lookup 5\n");
});
