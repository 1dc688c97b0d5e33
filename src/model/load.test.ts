import { describe, expect, it } from "vitest";
import { createHostState } from "./host.js";
import { loadText } from "./load.js";
import { buildNetfilter } from "./netfilter.js";
import { iptablesSave } from "../netfilter/iptables/index.js";

describe("loadScript runs && and || by exit status, as the shell does", () => {
  it("iptables -C … || iptables -A … adds a rule once", () => {
    const s = createHostState();
    const line =
      "iptables -t mangle -C OUTPUT -p udp --dport 53 -j MARK --set-mark 1 2>/dev/null || " +
      "iptables -t mangle -A OUTPUT -p udp --dport 53 -j MARK --set-mark 1\n";
    expect(loadText(s, line + line, "idem.sh")).toEqual([]);
    const save = iptablesSave(buildNetfilter(s).iptables, 4, { comments: false });
    expect(save.match(/--set-xmark 0x1\/0xffffffff/g)).toHaveLength(1);
  });
  it("a failure handled by || is silent; && skips after one; an unhandled refusal warns", () => {
    const s = createHostState();
    const issues = loadText(
      s,
      "ip rule del pref 100 || true\n" +
        "ip rule del pref 101 && ip rule add pref 5 lookup 5\n" +
        "ip rule del pref 102\n",
      "x.sh",
    );
    expect(issues.map((i) => [i.loc?.line, i.severity, i.message])).toEqual([
      [2, "warning", "RTNETLINK answers: No such file or directory"],
      [3, "warning", "RTNETLINK answers: No such file or directory"],
    ]);
    expect(s.rules4.some((r) => r.pref === 5)).toBe(false);
  });
  it("set -e stops at an unhandled failure but not inside an || list", () => {
    const s = createHostState();
    loadText(
      s,
      "set -e\n" +
        "ip rule del pref 100 || true\n" +
        "ip rule add pref 6 lookup 6\n" +
        "ip rule del pref 101\n" +
        "ip rule add pref 7 lookup 7\n",
      "e.sh",
    );
    expect(s.rules4.map((r) => r.pref)).toEqual([0, 6, 32766, 32767]);
  });
});
