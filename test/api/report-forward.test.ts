/**
 * `report` on a router: a LAN host's packet to the internet, forwarded (input route lookup,
 * FORWARD, POSTROUTING). isp-split-source sends 192.168.1.128/25 out the second ISP
 * (`from 192.168.1.128/25 lookup 3`); the rest of the LAN uses main.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { Host } from "../../src/index.js";

const scenario = (name: string) =>
  Host.load([
    {
      name: `${name}.sh`,
      text: readFileSync(resolve(import.meta.dirname, `../kernel/scenarios/${name}.sh`), "utf8"),
    },
  ]);
const section = (h: Host) =>
  h
    .report()
    .split("\n")
    .filter((l) => l.startsWith("  udp ") && l.includes(" iif "));

describe("report: forwarded LAN traffic", () => {
  it("a router with split sources: each LAN part goes out its ISP", () => {
    expect(section(scenario("isp-split-source"))).toEqual([
      "  udp 192.168.1.2 iif br-lan → 1.1.1.1:443: forwarded out wan1 via 100.64.10.1" +
        " as 192.168.1.2  by 32766: from all lookup main",
      "  udp 192.168.1.129 iif br-lan → 1.1.1.1:443: forwarded out wan2 via 203.0.113.33" +
        " as 192.168.1.129  by 200: from 192.168.1.128/25 lookup 3",
    ]);
  });
  it("an uplink that is down (mwan3's lte) is no LAN", () => {
    expect(section(scenario("mwan3-multiwan")).map((l) => l.split(":")[0])).toEqual([
      "  udp 192.168.1.2 iif br-lan → 1.1.1.1",
    ]);
  });
  it("no forwarding: no such section", () => {
    const h = Host.load([
      {
        name: "h.sh",
        text: "ip link add a type dummy\nip link set a up\nip addr add 192.168.5.1/24 dev a\n",
      },
    ]);
    expect(h.report()).not.toContain("Forwarded LAN traffic");
  });
});
