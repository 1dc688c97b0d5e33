/**
 * `routelab lint` on fixtures and on every kernel-suite scenario. A case is a file under
 * cases/: `X.sh` (a deliberately broken variant of a classic setup) and `X.expected` (the
 * finding ids, one a line, `# why` comments; `# args: …` gives lint's arguments). Every
 * kernel scenario (test/kernel/scenarios/*.sh, the correct classic setups) must lint to
 * exactly the ids of scenarios/NAME.expected (none when the file is absent), each listed
 * finding justified there. Every representative goes through the concrete engine (`route
 * get`) and must leave by the device the finding's outcome names.
 */
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Finding, Host } from "../../../src/index.js";

const HERE = join(import.meta.dirname);
const KERNEL = join(HERE, "../../kernel/scenarios");

function expected(path: string): { ids: string[]; args: string } {
  if (!existsSync(path)) return { ids: [], args: "" };
  const lines = readFileSync(path, "utf8").split("\n");
  const args =
    lines
      .find((l) => l.startsWith("# args:"))
      ?.slice(7)
      .trim() ?? "";
  const ids = lines.map((l) => l.replace(/#.*$/, "").trim()).filter((l) => l);
  return { ids: ids.sort(), args };
}

function lintFile(path: string, args: string): { host: Host; fs: Finding[] } {
  const host = Host.load([{ name: path, text: readFileSync(path, "utf8") }]);
  expect(host.errors).toEqual([]);
  const r = host.lint(args);
  if (!r.ok) throw new Error(r.error.message);
  return { host, fs: r.value };
}

/**
 * The representative through the concrete engine leaves by the outcome's device: `route
 * get`, or its `trace` when OUTPUT rewrote its mark (the outcome then says `mark …`).
 */
function crossCheck(host: Host, fs: readonly Finding[]): void {
  for (const f of fs) {
    if (!f.packets) continue;
    const dev = /dev (\S+)/.exec(f.packets.outcome ?? "")?.[1];
    if (/ mark /.test(f.packets.outcome ?? "")) {
      const t = host.trace(f.packets.representative);
      if (!t.ok) throw new Error(t.error.message);
      if (dev) expect(t.value.final.oif, f.id).toBe(dev);
      continue;
    }
    const out = host.ip(["route", "get", ...f.packets.representative]);
    if (/^(refused|dropped)/.test(f.packets.outcome ?? "")) expect(out.status).not.toBe(0);
    else if (dev) expect(out.stdout, f.id).toMatch(new RegExp(` dev ${dev} `));
  }
}

describe("lint finds each pitfall in its broken variant", () => {
  const dir = join(HERE, "cases");
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".sh"))) {
    it(f, () => {
      const e = expected(join(dir, f.replace(/\.sh$/, ".expected")));
      const { host, fs } = lintFile(join(dir, f), e.args);
      expect(fs.map((x) => x.id).sort()).toEqual(e.ids);
      crossCheck(host, fs);
    });
  }
});

describe("lint stays silent on the classic setups but for justified findings", () => {
  for (const f of readdirSync(KERNEL).filter((x) => x.endsWith(".sh"))) {
    it(f, () => {
      const e = expected(join(HERE, "scenarios", f.replace(/\.sh$/, ".expected")));
      const { host, fs } = lintFile(join(KERNEL, f), e.args);
      expect(fs.map((x) => x.id).sort()).toEqual(e.ids);
      crossCheck(host, fs);
    });
  }
});

describe("lint arguments", () => {
  it("refuses a bad --ssh-peer", () => {
    const r = Host.load([]).lint("--ssh-peer nope");
    expect(r.ok).toBe(false);
  });
  it("CLI exit status: 0 nothing, 1 findings, 2 bad input", () => {
    const clean = Host.load([{ name: "lo.sh", text: "ip link set lo up\n" }]);
    expect(clean.ip("lint").status).toBe(0);
    expect(clean.ip(["lint", "--ssh-peer", "x"]).status).toBe(2);
    const { host } = lintFile(join(HERE, "cases/wg-mark-loop.sh"), "");
    expect(host.ip("lint").status).toBe(1);
    expect(JSON.parse(host.ip("-j lint").stdout)[0].id).toBe("loop-tunnel-mark");
  });
});
