/**
 * `explain` shows the socket's route lookup; when the loaded netfilter rules send the same
 * packet elsewhere (mangle OUTPUT mark → re-route, as ip_route_me_harder does), it says so
 * and gives the `trace` command, and says nothing when they do not.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { Host } from "../../src/index.js";

const EXAMPLE = resolve(import.meta.dirname, "../../examples/clash-uid-standalone.sh");
const host = Host.load([{ name: "clash.sh", text: readFileSync(EXAMPLE, "utf8") }]);
const nfLines = (h: Host, args: string) =>
  h
    .ip(`explain ${args}`)
    .stdout.split("\n")
    .filter((l) => /netfilter:|see: routelab/.test(l));

describe("explain and netfilter", () => {
  it("a user's send is marked 0x81 in mangle OUTPUT and re-routed to clash0", () => {
    expect(nfLines(host, "1.1.1.1 uid 1000")).toEqual([
      "  netfilter: mangle OUTPUT (chain CLASH) sets mark 0x81 " +
        "(-A CLASH -j MARK --set-xmark 0x81/0xffffffff), so a real send goes out clash0",
      "    see: routelab --load clash.sh trace 1.1.1.1 uid 1000",
    ]);
  });
  it("the proxy's own uid (129) is not marked: nothing to add", () => {
    expect(nfLines(host, "1.1.1.1 uid 129")).toEqual([]);
  });
  it("a private destination returns from CLASH unmarked: nothing to add", () => {
    expect(nfLines(host, "10.0.0.1 uid 1000")).toEqual([]);
  });
  it("no netfilter loaded: nothing to add", () => {
    const text = readFileSync(EXAMPLE, "utf8").replace(/^iptables.*$/gm, "");
    const h = Host.load([{ name: "plain.sh", text }]);
    expect(nfLines(h, "1.1.1.1 uid 1000")).toEqual([]);
  });
});
