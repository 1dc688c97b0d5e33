/**
 * A capture's `wg show all fwmark` section (show.c ugly_print: `DEV\tVALUE`) gives each
 * wireguard device the fwmark its encrypted packets carry.
 */
import { describe, expect, it } from "vitest";
import { createHostState } from "./host.js";
import { loadText } from "./load.js";

const section = (name: string, argv: string[], stdout: string) => ({
  name,
  argv,
  status: 0,
  stdout,
  stderr: "",
});
/** `ip -d -j link show` of a host with lo, wg0 (fwmark 51820) and wg1 (no fwmark). */
const LINKS =
  '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,' +
  '"qdisc":"noqueue","operstate":"UNKNOWN","group":"default","txqlen":1000,' +
  '"link_type":"loopback","address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00"},' +
  '{"ifindex":4,"ifname":"wg0","flags":["POINTOPOINT","NOARP","UP","LOWER_UP"],"mtu":1420,' +
  '"qdisc":"noqueue","operstate":"UNKNOWN","group":"default","txqlen":1000,' +
  '"link_type":"none","linkinfo":{"info_kind":"wireguard"}},' +
  '{"ifindex":5,"ifname":"wg1","flags":["POINTOPOINT","NOARP"],"mtu":1420,' +
  '"qdisc":"noop","operstate":"DOWN","group":"default","txqlen":1000,' +
  '"link_type":"none","linkinfo":{"info_kind":"wireguard"}}]\n';
const capture = (fwmarks: string) =>
  JSON.stringify({
    format: "routelab-capture",
    version: 1,
    owners: [],
    sections: [
      section("link", ["ip", "-d", "-j", "link", "show"], LINKS),
      section("wg-fwmark", ["wg", "show", "all", "fwmark"], fwmarks),
    ],
  });

describe("capture: wg show all fwmark", () => {
  it("sets Link.fwmark of each wireguard device (off = 0)", () => {
    const s = createHostState();
    const issues = loadText(s, capture("wg0\t0xca6c\nwg1\toff\n"), "c.json");
    expect(issues).toEqual([]);
    const mark = (n: string) => s.links.find((l) => l.name === n)?.fwmark;
    expect([mark("wg0"), mark("wg1")]).toEqual([51820, 0]);
  });
  it("warns, located, about a line for a device that is not a wireguard link", () => {
    const s = createHostState();
    const issues = loadText(s, capture("wg0\t0xca6c\nlo\t0x1\n"), "c.json");
    expect(issues.map((i) => [i.severity, i.loc?.file, i.loc?.line, i.message])).toEqual([
      ["warning", "c.json#wg-fwmark", 2, "no wireguard lo"],
    ]);
    expect(s.links.find((l) => l.name === "wg0")?.fwmark).toBe(51820);
  });
});
