/**
 * nft `include` as nft 1.0.6 reads it (scanner.l scanner_include_file / include_glob), each
 * behaviour checked against the real `nft -f` first: names starting `/`, `./`, `../` are
 * opened as given; others are searched in /etc, then each `-I DIR`; globs; errors.
 */
import { describe, expect, it } from "vitest";
import { applyNftCommand, createNftRuleset, loadNftText, nftListRuleset } from "./index.js";
import { fnmatchRe } from "./parse/include.js";

/** A little file system: paths ending in `/` are directories. */
function fs(files: Record<string, string>) {
  const reads: string[] = [];
  return {
    reads,
    readFile: (p: string) => {
      reads.push(p);
      return files[p];
    },
    readDir: (p: string) => {
      const dir = p.replace(/\/$/, "") + "/";
      if (!Object.keys(files).some((f) => f.startsWith(dir))) return undefined;
      const names = Object.keys(files)
        .filter((f) => f.startsWith(dir))
        .map((f) => f.slice(dir.length).replace(/\/.*$/, "/"));
      return [...new Set(names)];
    },
  };
}

function tables(text: string, files: Record<string, string>, argv: string[] = []) {
  const rs = createNftRuleset();
  const f = fs({ ...files, "main.nft": text });
  const issues = applyNftCommand(rs, ["nft", ...argv, "-f", "main.nft"], [], f.readFile, f.readDir);
  const names = rs.tables.map((t) => `${t.family} ${t.name}`);
  return { issues, names, reads: f.reads, list: nftListRuleset(rs) };
}

describe("nft include", () => {
  it("splices the included file in place, ./ relative to the working directory", () => {
    const r = tables('table ip a {}\ninclude "./sub/b.nft"\ntable ip c {}\n', {
      "./sub/b.nft": "table ip b {}\n",
    });
    expect(r.issues).toEqual([]);
    expect(r.names).toEqual(["ip a", "ip b", "ip c"]);
  });

  it("a missing file is nft's `File not found: NAME` at the include statement", () => {
    const r = tables('\ninclude "nope.nft"\n', {});
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]!.message).toBe("Error: File not found: nope.nft");
    expect(r.issues[0]!.loc).toEqual({ file: "main.nft", line: 2, col: 1 });
    expect(r.names).toEqual([]);
  });

  it("a bare name is looked up in /etc first, then in each -I directory", () => {
    const files = { "/etc/x.nft": "table ip etc {}\n", "p1/x.nft": "table ip p1 {}\n" };
    expect(tables('include "x.nft"\n', files, ["-I", "p1"]).names).toEqual(["ip etc"]);
    const only = { "p1/y.nft": "table ip p1 {}\n", "p2/y.nft": "table ip p2 {}\n" };
    expect(tables('include "y.nft"\n', only, ["-I", "p1", "-I", "p2"]).names).toEqual(["ip p1"]);
    expect(tables('include "y.nft"\n', only).issues[0]?.message).toBe(
      "Error: File not found: y.nft",
    );
  });

  it("a glob reads its matches in order; later -I directories' matches come first", () => {
    const files = {
      "p1/b.nft": "table ip p1b {}\n",
      "p1/a.nft": "table ip p1a {}\n",
      "p1/.hidden.nft": "table ip hidden {}\n",
      "p2/a.nft": "table ip p2a {}\n",
    };
    const r = tables('include "*.nft"\n', files, ["-I", "p1", "-I", "p2"]);
    expect(r.issues).toEqual([]);
    expect(r.names).toEqual(["ip p2a", "ip p1a", "ip p1b"]);
  });

  it("a glob without matches and a directory are not errors", () => {
    const r = tables('include "/none/*.nft"\ninclude "./d"\n', { "./d/x": "junk\n" });
    expect(r.issues).toEqual([]);
  });

  it("an error in an included file is located in that file; nothing is applied", () => {
    const r = tables('table ip a {}\ninclude "./bad.nft"\n', { "./bad.nft": "\ntable ip {\n" });
    expect(r.issues[0]!.loc?.file).toBe("./bad.nft");
    expect(r.issues[0]!.loc?.line).toBe(2);
    expect(r.names).toEqual([]);
  });

  it("the included buffer's end is no separator (nft: `unexpected table`)", () => {
    const r = tables('include "./x.nft"\ntable ip y {}\n', { "./x.nft": "table ip x {}" });
    expect(r.issues[0]!.message).toMatch(/^Error: syntax error, unexpected table, expecting /);
  });

  it("defines cross files, and an include may stand in a table block", () => {
    const r = tables('define T = 7\ninclude "./d.nft"\ntable ip t {\ninclude "./c.nft"\n}\n', {
      "./d.nft": "define P = 22\n",
      "./c.nft": "chain c { tcp dport $P meta mark set $T; }\n",
    });
    expect(r.issues).toEqual([]);
    expect(r.list).toContain("\t\ttcp dport 22 meta mark set 0x00000007\n");
  });

  it("16 levels deep is nft's `Include nested too deeply, max 16 levels`", () => {
    const r = tables('include "./self.nft"\n', { "./self.nft": 'include "./self.nft"\n' });
    expect(r.issues[0]!.message).toBe("Error: Include nested too deeply, max 16 levels");
    expect(r.issues[0]!.loc?.file).toBe("./self.nft");
  });

  it("without the loader's reader every include is not found", () => {
    const rs = createNftRuleset();
    const issues = loadNftText(rs, 'include "/etc/x.nft"\n', "x.nft");
    expect(issues[0]!.message).toBe("Error: File not found: /etc/x.nft");
  });

  it("glob components match as fnmatch does", () => {
    expect(fnmatchRe("*.nft").test("a.nft")).toBe(true);
    expect(fnmatchRe("*.nft").test("a.nftx")).toBe(false);
    expect(fnmatchRe("[0-9]?.conf").test("1a.conf")).toBe(true);
    expect(fnmatchRe("[!0-9]*").test("1a")).toBe(false);
    expect(fnmatchRe("a.b").test("axb")).toBe(false);
  });

  it("nft -f of a missing file is nft's `Could not open file`", () => {
    const rs = createNftRuleset();
    const issues = applyNftCommand(rs, ["nft", "-f", "/x.nft"], [], () => undefined);
    expect(issues[0]!.message).toBe(
      'Error: Could not open file "/x.nft": No such file or directory',
    );
  });
});
