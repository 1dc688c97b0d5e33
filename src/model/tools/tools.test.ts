import { describe, expect, it } from "vitest";
import { createHostState } from "../host.js";
import { loadText } from "../load.js";
import { linkByName } from "../links.js";
import { TOOLS } from "./index.js";
import { sortAllowedIps } from "./wgquick.js";

const loc = { file: "t", line: 1, col: 1 };
const words = (s: string) => s.split(" ").map((text) => ({ text, loc }));
const wg = (s: ReturnType<typeof createHostState>, cmd: string) =>
  TOOLS.get("wg")!(s, words(cmd), { loc });

describe("wg on the host", () => {
  it("records the fwmark on the link and shows it as wg(8) does", () => {
    const s = createHostState();
    expect(
      loadText(s, "ip link add wg0 type wireguard\nwg set wg0 fwmark 51820\n", "a.sh"),
    ).toEqual([]);
    expect(linkByName(s, "wg0")?.fwmark).toBe(51820);
    expect(wg(s, "show wg0 fwmark").stdout).toBe("0xca6c\n");
    expect(wg(s, "show all fwmark").stdout).toBe("wg0\t0xca6c\n");
    expect(wg(s, "show interfaces").stdout).toBe("wg0\n");
  });
  it("refuses devices that are not wireguard, as the kernel's genetlink does", () => {
    const s = createHostState();
    expect(wg(s, "set lo fwmark 1").issues[0]?.message).toBe(
      "Unable to modify interface: Operation not supported",
    );
    expect(wg(s, "set nope fwmark 1").issues[0]?.message).toBe(
      "Unable to modify interface: No such device",
    );
    expect(wg(s, "genkey").status).toBe(0);
  });
});

describe("wg-quick", () => {
  it("adds routes in `sort -nr -k 2 -t /` order (LC_ALL=C)", () => {
    expect(sortAllowedIps(["0.0.0.0/0", "10.0.0.0/8", "::/0", "fd00::/64"])).toEqual([
      "fd00::/64",
      "10.0.0.0/8",
      "::/0",
      "0.0.0.0/0",
    ]);
  });
  it("loads a pasted `wg-quick up` transcript, inferring the fwmark and the nft table", () => {
    const s = createHostState();
    const t =
      "[#] ip link add wg0 type wireguard\n[#] wg setconf wg0 /dev/fd/63\n" +
      "[#] ip -4 address add 10.64.0.2/32 dev wg0\n[#] ip link set mtu 1420 up dev wg0\n" +
      "[#] ip -4 rule add not fwmark 51820 table 51820\n" +
      "[#] ip -4 rule add table main suppress_prefixlength 0\n" +
      "[#] ip -4 route add 0.0.0.0/0 dev wg0 table 51820\n[#] nft -f /dev/fd/63\n";
    expect(loadText(s, t, "up.txt")).toEqual([]);
    expect(linkByName(s, "wg0")?.fwmark).toBe(51820);
    expect(s.rules4.map((r) => r.pref)).toEqual([0, 32764, 32765, 32766, 32767]);
    const nft = s.netfilter.at(-1)?.stdin?.text ?? "";
    expect(nft).toContain('add rule ip wg-quick-wg0 preraw iifname != "wg0" ip daddr 10.64.0.2');
    expect(nft).toContain("postmangle meta l4proto udp mark 51820 ct mark set mark \n");
  });
});

describe("device kinds", () => {
  it("a first VRF adds the l3mdev rule at 1000 for both families, once", () => {
    const s = createHostState();
    const text = "ip link add red type vrf table 10\nip link add blue type vrf table 20\n";
    expect(loadText(s, text, "v.sh")).toEqual([]);
    expect(s.rules4.filter((r) => r.l3mdev).map((r) => r.pref)).toEqual([1000]);
    expect(s.rules6.filter((r) => r.l3mdev).map((r) => r.pref)).toEqual([1000]);
  });
  it("vlan needs an id and a lower device (vlan_newlink)", () => {
    const s = createHostState();
    const issues = loadText(s, "ip link add v0 type vlan id 5\n", "v.sh");
    expect(issues[0]?.message).toBe("Error: 8021q: link not specified.");
  });
  it("wireguard defaults: mtu 1420, no MAC, fwmark off", () => {
    const s = createHostState();
    loadText(s, "ip link add wg0 type wireguard\n", "w.sh");
    expect(linkByName(s, "wg0")).toMatchObject({ mtu: 1420, mac: null, fwmark: 0 });
  });
});
