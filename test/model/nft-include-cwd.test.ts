/**
 * A script's `cd` moves the working directory tools read relative names from: `nft -f FILE`
 * and nft's `include "./x.nft"` (opened relative to the working directory, as nft 1.0.6 does;
 * nftables' all-in-one.nft example relies on it).
 */
import { describe, expect, it } from "vitest";
import { Host } from "../../src/index.js";

const FILES: Record<string, string> = {
  "/ex/all.nft": 'include "./a.nft"\ninclude "../other/b.nft"\n',
  "/ex/a.nft": "table ip a {}\n",
  "/other/b.nft": "table ip b {}\n",
};

function load(script: string) {
  const asked: string[] = [];
  const host = Host.load([{ name: "s.sh", text: script }], {
    readFile: (p) => {
      asked.push(p);
      return FILES[p];
    },
  });
  return { host, asked };
}

describe("cd and relative file names", () => {
  it("nft -f and its ./ and ../ includes are read from the directory cd moved to", () => {
    const { host, asked } = load("cd /ex\nnft -f all.nft\n");
    expect(host.issues).toEqual([]);
    expect(asked).toContain("/ex/all.nft");
    expect(host.ip(["nft", "list", "ruleset"]).stdout).toBe("table ip a {\n}\ntable ip b {\n}\n");
  });

  it("cd .. and cd - move as bash's logical path does", () => {
    const { host } = load("cd /other/x\ncd ..\ncd /ex\ncd -\nnft -f b.nft\n");
    expect(host.issues).toEqual([]);
    expect(host.ip(["nft", "list", "ruleset"]).stdout).toBe("table ip b {\n}\n");
  });

  it("without cd a relative name is passed on as written (the caller's directory)", () => {
    const { asked } = load("nft -f all.nft\n");
    expect(asked).toEqual(["all.nft"]);
  });
});
