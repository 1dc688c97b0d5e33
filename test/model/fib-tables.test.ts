import { describe, expect, it } from "vitest";
import { createHostState } from "../../src/model/host.js";
import { loadText } from "../../src/model/load.js";

/** The messages `ip route del` gives, once the host state has been copied. */
function delAfterCopy(copy: (s: ReturnType<typeof createHostState>) => typeof s): string[] {
  const s = createHostState();
  const setup =
    "ip link set lo up\n" +
    "ip route add 10.9.0.0/16 dev lo table 100\n" +
    "ip -6 route add 2001:db8::/32 dev lo table 100\n" +
    "ip route flush table 100\n" +
    "ip -6 route flush table 100\n";
  expect(loadText(s, setup, "setup.sh")).toEqual([]);
  const c = copy(s);
  const dels =
    "ip route del 10.9.0.0/16 table 100\n" +
    "ip -6 route del 2001:db8::/32 table 100\n" +
    "ip route del 10.9.0.0/16 table 200\n";
  return loadText(c, dels, "del.sh").map((i) => i.message);
}

describe("tables the kernel created survive a flush, also in a copy of the host state", () => {
  // inet_rtm_delroute / inet6_rtm_delroute: fib_get_table finds an emptied table (ESRCH,
  // "No such process"); one never created is the extack "FIB table does not exist.".
  const want = [
    "RTNETLINK answers: No such process",
    "RTNETLINK answers: No such process",
    "Error: FIB table does not exist.",
  ];
  it("in the same state", () => expect(delAfterCopy((s) => s)).toEqual(want));
  it("in a structured clone", () => expect(delAfterCopy((s) => structuredClone(s))).toEqual(want));
  it("in a spread copy", () => expect(delAfterCopy((s) => ({ ...s }))).toEqual(want));
});
