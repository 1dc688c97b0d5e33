import { describe, expect, it } from "vitest";
import { createHostState } from "../host.js";
import type { HostState } from "../types.js";
import { loadDump } from "./index.js";
import { routeDumpStream } from "./stream.js";

/** Routes of the plain shapes the fast readers take, some without `metric`. */
const TEXT = [
  "default via 192.0.2.1 dev eth0 proto static metric 100",
  "192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.10",
  "198.51.100.0/24 via 192.0.2.1 dev eth0",
  "blackhole 203.0.113.0/24",
  "2001:db8::/64 dev eth0 proto kernel metric 256 pref medium",
  "2001:db8:1::/48 via 2001:db8::1 dev eth0 pref medium",
  "unreachable 2001:db8:2::/48 dev lo pref medium",
  "local 192.0.2.10 dev eth0 table local proto kernel scope host src 192.0.2.10",
  "",
].join("\n");

const JSON_DUMP = JSON.stringify([
  { dst: "default", gateway: "192.0.2.1", dev: "eth0", protocol: "static", flags: [] },
  { dst: "192.0.2.0/24", dev: "eth0", protocol: "kernel", scope: "link", prefsrc: "192.0.2.10" },
  { dst: "2001:db8:1::/48", gateway: "2001:db8::1", dev: "eth0", flags: [], pref: "medium" },
  { type: "blackhole", dst: "2001:db8:3::/48", dev: "lo", flags: [], pref: "medium" },
]);

function streamed(text: string, kind: "text" | "json"): HostState {
  const s = createHostState();
  const st = routeDumpStream(s, kind, "routes");
  // Split the text in the middle of a line: the readers must carry the pieces over.
  const cut = Math.floor(text.length / 3);
  st.push(text.slice(0, cut));
  st.push(text.slice(cut));
  expect(st.end()).toEqual([]);
  return s;
}

function general(text: string): HostState {
  const s = createHostState();
  expect(loadDump(s, text, "routes")).toEqual([]);
  return s;
}

describe("fast and general route readers", () => {
  it("build identical routes from the same text dump", () => {
    const fast = streamed(TEXT, "text");
    const slow = general(TEXT);
    expect(fast.routes).toEqual(slow.routes);
    expect(fast.links).toEqual(slow.links);
  });

  it("build identical routes from the same JSON dump", () => {
    const fast = streamed(JSON_DUMP, "json");
    const slow = general(JSON_DUMP);
    expect(fast.routes).toEqual(slow.routes);
    expect(fast.links).toEqual(slow.links);
  });

  it("give an IPv6 route printed without a metric the kernel's IP6_RT_PRIO_USER (1024)", () => {
    for (const s of [streamed(TEXT, "text"), general(TEXT)]) {
      const r = s.routes.find((x) => x.family === 6 && x.dst.len === 48 && x.type === "unicast");
      expect(r?.metric).toBe(1024);
      const v4 = s.routes.find((x) => x.family === 4 && x.dst.len === 24 && x.type === "unicast");
      // IPv4 routes have no default priority: 0.
      expect(v4?.metric).toBe(0);
    }
  });

  it("keep the metric a dump prints (256 for the kernel's IPv6 prefix route)", () => {
    const s = streamed(TEXT, "text");
    const r = s.routes.find((x) => x.family === 6 && x.dst.len === 64);
    expect(r?.metric).toBe(256);
    expect(r?.protocol).toBe(2);
  });
});
