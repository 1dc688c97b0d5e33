/**
 * Bundled examples: the repository's examples/ and classic setups from the kernel
 * differential suite (test/kernel/scenarios/: each agrees with the real kernel).
 */
import clashUid from "../../examples/clash-uid-standalone.sh?raw";
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
];

export const exampleById = (id: string) => EXAMPLES.find((e) => e.id === id);
