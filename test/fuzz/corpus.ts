/**
 * Seed inputs for the load fuzzer: the kernel scenarios' setup scripts, the nft rule corpus
 * and the iptables command lines of the kernel suites, plus a few dumps, cut into lines.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { COMMON, V4 } from "../kernel/nft-list-corpus.data.js";
import {
  CLASH_UID,
  DOCKER,
  MIHOMO_TPROXY,
  WG_QUICK_RESTORE,
} from "../kernel/iptables-save.data.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const scenarios = path.join(here, "../kernel/scenarios");

/** Setup scripts, each as its lines. */
export const SCRIPTS: string[][] = readdirSync(scenarios)
  .filter((f) => f.endsWith(".sh"))
  .sort()
  .map((f) => readFileSync(path.join(scenarios, f), "utf8").split("\n"));

/** Single command lines from every front-end. */
export const LINES: string[] = [
  ...SCRIPTS.flat().filter((l) => /^\s*(ip|iptables|ip6tables|nft|ipset|sysctl)\b/.test(l)),
  ...COMMON.map(([, r]) => `nft add rule inet t c ${r}`),
  ...V4.map(([, r]) => `nft add rule ip t c ${r}`),
  ...CLASH_UID,
  ...MIHOMO_TPROXY,
  ...DOCKER.filter((x): x is string => typeof x === "string"),
  "ip -batch - <<EOF\nroute add 10.0.0.0/8 dev lo\nrule add fwmark 1 lookup 100\nEOF",
  `iptables-restore <<EOF\n${WG_QUICK_RESTORE}EOF`,
  "nft -f - <<EOF\ntable inet t {\n" +
    " set s { type ipv4_addr; flags interval; elements = { 10.0.0.0/8 } }\n" +
    " chain c { type filter hook output priority mangle; ip daddr @s meta mark set 1 }\n}\nEOF",
  "ipset create s hash:net\nipset add s 10.0.0.0/8",
  "nft add table inet t\nnft add set inet t s { type ipv4_addr\\; }\n" +
    "nft add element inet t s { 10.0.0.1 }",
];

/** Dumps as `ip -j` and `ip … show` print them. */
export const DUMPS: string[] = [
  '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"mtu":65536,"operstate":"UNKNOWN"}]\n',
  '[{"priority":0,"src":"all","table":"local"},{"priority":32766,"src":"all","table":"main"}]\n',
  '[{"dst":"default","gateway":"10.0.0.1","dev":"lo","flags":[]}]\n',
  "0:\tfrom all lookup local\n100:\tfrom all fwmark 0x1 lookup 100\n32766:\tfrom all lookup main\n",
  "default via 10.0.0.1 dev lo proto static metric 100\n10.0.0.0/8 dev lo scope link\n",
  "net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.rp_filter = 2\n",
];

/** Words a mutation puts in place of another: edge values of each grammar. */
export const WORDS = [
  "",
  "0",
  "-1",
  "4294967295",
  "4294967296",
  "0x",
  "0xffffffffffffffff",
  "1e9",
  "999999999999",
  "::",
  "::ffff:1.2.3.4",
  "255.255.255.256",
  "1.2.3.4/33",
  "10.0.0.0/8",
  "fe80::1%lo",
  "default",
  "all",
  "local",
  "main",
  "table",
  "dev",
  "lo",
  "eth0",
  "via",
  "from",
  "to",
  "mark",
  "{",
  "}",
  "{ {",
  "[",
  "]",
  "(",
  ")",
  ";",
  "\\;",
  "|",
  "&&",
  "||",
  "$",
  "$x",
  "${x}",
  "$((1+",
  "'",
  '"',
  "<<EOF",
  "#",
  ".",
  "..",
  "a:b",
  "a/b",
  "x".repeat(40),
  "-j",
  "-A",
  "-t",
  "--",
  "-",
  "accept",
  "drop",
  "jump",
  "goto",
  "@s",
  "define",
  "=",
  ",",
  ":",
  "-batch",
  "-force",
  "\t",
  "é",
  "\u0000",
  "\uFEFF",
];
