/**
 * Bundled examples: the repository's examples/ and classic setups from the kernel
 * differential suite (test/kernel/scenarios/: each agrees with the real kernel).
 */
import clashUid from "../../examples/clash-uid-standalone.sh?raw";
import wgFixed from "../examples/wg-mark-fixed.sh?raw";
import wgLoop from "../examples/wg-mark-loop.sh?raw";
import clashTun from "../../test/kernel/scenarios/clash-premium-tun.sh?raw";
import ispSplit from "../../test/kernel/scenarios/isp-split-source.sh?raw";
import tproxy from "../../test/kernel/scenarios/mihomo-tproxy.sh?raw";
import tailscale from "../../test/kernel/scenarios/tailscale-marks.sh?raw";
import wgQuick from "../../test/kernel/scenarios/wg-quick-v4.sh?raw";

export interface Example {
  id: string;
  title: string;
  files: { name: string; text: string }[];
  /** The packet asked first (`trace` words). */
  packet: string;
  /** A second setup the example is meant to be compared with (`diff --against`). */
  after?: { title: string; files: { name: string; text: string }[] };
}

export const EXAMPLES: Example[] = [
  {
    id: "clash-uid-standalone",
    title: "Clash, uid-based standalone proxy",
    files: [{ name: "clash-uid-standalone.sh", text: clashUid }],
    packet: "1.1.1.1 uid 1000 ipproto tcp dport 443",
  },
  {
    id: "isp-split-source",
    title: "Two ISPs, split access",
    files: [{ name: "isp-split-source.sh", text: ispSplit }],
    packet: "8.8.8.8 mark 3",
  },
  {
    id: "wg-quick-v4",
    title: "wg-quick full tunnel",
    files: [{ name: "wg-quick-v4.sh", text: wgQuick }],
    packet: "1.1.1.1 uid 1000 ipproto tcp dport 443",
  },
  {
    id: "clash-premium-tun",
    title: "Clash Premium TUN (auto-route)",
    files: [{ name: "clash-premium-tun.sh", text: clashTun }],
    packet: "1.1.1.1 uid 1000 ipproto tcp dport 443",
  },
  {
    id: "mihomo-tproxy",
    title: "TPROXY gateway (mihomo)",
    files: [{ name: "mihomo-tproxy.sh", text: tproxy }],
    packet: "1.1.1.1 mark 0x2d0",
  },
  {
    id: "tailscale-marks",
    title: "Tailscale-like (masked marks, table 52)",
    files: [{ name: "tailscale-marks.sh", text: tailscale }],
    packet: "100.64.0.5 uid 1000",
  },
  {
    id: "wg-mark-loop",
    title: "WireGuard by hand: a loop (lint, diff)",
    files: [{ name: "wg-mark-loop.sh", text: wgLoop }],
    packet: "1.1.1.1 mark 0xca6c",
    after: {
      title: "the fix: not fwmark 51820",
      files: [{ name: "wg-mark-fixed.sh", text: wgFixed }],
    },
  },
];

/** What `diff` can compare the setup with: every example, and the examples' "after" sides. */
export interface AgainstChoice {
  id: string;
  title: string;
  files: { name: string; text: string }[];
}

export const AGAINST: AgainstChoice[] = EXAMPLES.flatMap((e) => [
  ...(e.after
    ? [{ id: `${e.id}:after`, title: `${e.title}: ${e.after.title}`, files: e.after.files }]
    : []),
  { id: e.id, title: e.title, files: e.files },
]);

export const exampleById = (id: string) => EXAMPLES.find((e) => e.id === id);

export const againstById = (id: string) => AGAINST.find((e) => e.id === id);
