/**
 * `nft list tables|table|chain` print as nftables 1.0.6 does (expected texts recorded from
 * `nft` 1.0.6 in a namespace after the same commands).
 */
import { describe, expect, it } from "vitest";
import { Host } from "../../index.js";

const SETUP = `nft add table ip t
nft add chain ip t c '{ type filter hook output priority 0; }'
nft add rule ip t c ip daddr 1.2.3.4 accept
nft add chain ip t d
nft add table inet u
nft add set ip t s '{ type ipv4_addr; }'
`;
const host = Host.load([{ name: "nft.sh", text: SETUP }]);
const nft = (cmd: string) => host.ip(["nft", ...cmd.split(" ")]);

describe("nft list", () => {
  it("tables, all families or one", () => {
    expect(nft("list tables").stdout).toBe("table ip t\ntable inet u\n");
    expect(nft("list tables ip").stdout).toBe("table ip t\n");
  });
  it("one table (family ip by default), with handles", () => {
    const t =
      "table ip t {\n\tset s {\n\t\ttype ipv4_addr\n\t}\n\n" +
      "\tchain c {\n\t\ttype filter hook output priority filter; policy accept;\n" +
      "\t\tip daddr 1.2.3.4 accept\n\t}\n\n\tchain d {\n\t}\n}\n";
    expect(nft("list table ip t").stdout).toBe(t);
    expect(nft("list table t").stdout).toBe(t);
    expect(nft("-a list table ip t").stdout).toBe(
      "table ip t { # handle 1\n\tset s { # handle 4\n\t\ttype ipv4_addr\n\t}\n\n" +
        "\tchain c { # handle 1\n\t\ttype filter hook output priority filter; policy accept;\n" +
        "\t\tip daddr 1.2.3.4 accept # handle 2\n\t}\n\n\tchain d { # handle 3\n\t}\n}\n",
    );
  });
  it("one chain inside its table", () => {
    expect(nft("list chain ip t c").stdout).toBe(
      "table ip t {\n\tchain c {\n\t\ttype filter hook output priority filter; policy accept;\n" +
        "\t\tip daddr 1.2.3.4 accept\n\t}\n}\n",
    );
  });
  it("a missing table or chain fails as nft does: status 1, carets under the name", () => {
    const r = nft("list table ip nosuch");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "Error: No such file or directory\nlist table ip nosuch\n              ^^^^^^\n",
    );
    expect(nft("list table nosuch").stderr).toBe(
      "Error: No such file or directory\nlist table nosuch\n           ^^^^^^\n",
    );
    expect(nft("list chain ip t nochain").stderr).toBe(
      "Error: No such file or directory\nlist chain ip t nochain\n                ^^^^^^^\n",
    );
    expect(nft("list chain ip nosuch c").stderr).toBe(
      "Error: No such file or directory\nlist chain ip nosuch c\n              ^^^^^^\n",
    );
    expect(nft("list table inet t").stderr).toBe(
      "Error: No such file or directory\nlist table inet t\n                ^\n",
    );
  });
});
