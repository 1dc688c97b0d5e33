/**
 * Rule corpus for nft-list.kernel.test.ts (and src/netfilter/nft/nft.test.ts): the tables of
 * nft-list-corpus.data.ts per family, and the ruleset text that holds them.
 */
import { COMMON, IP_ONLY, IP6_ONLY, INET_ONLY, V4, V6 } from "./nft-list-corpus.data.js";
import type { Fam, Kind } from "./nft-list-corpus.data.js";

export const RULE_CORPUS: { family: Fam; kind: Kind; rule: string }[] = [
  ...(["ip", "ip6", "inet"] as Fam[]).flatMap((family) =>
    COMMON.map(([kind, rule]) => ({ family, kind, rule })),
  ),
  ...(["ip", "inet"] as Fam[]).flatMap((family) =>
    V4.map(([kind, rule]) => ({
      family,
      kind,
      rule: family === "ip" ? rule.replace(/ (dnat|snat|tproxy) ip to/, " $1 to") : rule,
    })),
  ),
  ...(["ip6", "inet"] as Fam[]).flatMap((family) =>
    V6.map(([kind, rule]) => ({
      family,
      kind,
      rule: family === "ip6" ? rule.replace(/ tproxy ip6 to/, " tproxy to") : rule,
    })),
  ),
  ...INET_ONLY.map(([kind, rule]) => ({ family: "inet" as Fam, kind, rule })),
  ...IP_ONLY.map(([kind, rule]) => ({ family: "ip" as Fam, kind, rule })),
  ...IP6_ONLY.map(([kind, rule]) => ({ family: "ip6" as Fam, kind, rule })),
];

/** One table per family with the five chain kinds; rules in corpus order. */
export function corpusText(): string {
  let out = "";
  for (const family of ["ip", "ip6", "inet"] as Fam[]) {
    const rules = RULE_CORPUS.filter((r) => r.family === family);
    const chain = (k: Kind) =>
      rules
        .filter((r) => r.kind === k)
        .map((r) => `\t\t${r.rule}\n`)
        .join("");
    out += `table ${family} corpus {\n`;
    const base = (k: Kind, type: string) =>
      `\tchain ${k} {\n\t\ttype ${type}; policy accept;\n${chain(k)}\t}\n`;
    out += `\tchain r {\n${chain("r")}\t}\n`;
    out += base("f", "filter hook prerouting priority mangle");
    out += base("o", "route hook output priority mangle");
    out += base("n", "nat hook prerouting priority dstnat");
    out += base("p", "nat hook postrouting priority srcnat");
    out += "}\n";
  }
  return out;
}
