/**
 * The fast loaders against the general ones, on random inputs mixing the common shapes with
 * everything else (abbreviations, errors, other families, flags, multipath, comments):
 * - `ip -batch` route lines: the fast reader vs `runIpLine` on every line (the old path);
 * - route dumps streamed in random chunks vs `loadDump` on the whole text.
 * Same host (routes, links, order-relevant fields) and the same issues, locations included.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createHostState } from "../../src/model/host.js";
import { batchWords, loadText, runIpLine, type LoadIssue } from "../../src/model/load.js";
import { loadChunked } from "../../src/model/load-stream.js";
import { loadDump } from "../../src/model/dump/index.js";
import { routeDumpStream } from "../../src/model/dump/stream.js";
import { printRoutes } from "../../src/print/routes.js";
import type { HostState } from "../../src/model/types.js";
import { exitsIp } from "../../src/parse/args.js";

const SETUP = `ip link set lo up
ip link add eth0 type veth peer name eth1
ip link set eth1 up
ip link set eth0 up
ip link add eth2 type veth peer name eth3
ip link set eth2 up
ip addr add 10.0.0.2/24 dev eth0
ip -6 addr add fd00::2/64 dev eth0 nodad
`;

const pfx4 = fc
  .tuple(fc.nat(255), fc.nat(255), fc.constantFrom(8, 16, 23, 24, 25, 32, 0, 33))
  .map(([a, b, l]) => `${a}.${b}.${l >= 24 ? 7 : 0}.0/${l}`);
const pfx6 = fc
  .tuple(
    fc.constantFrom("2001:db8", "2a00:1450", "fd00", "fe80"),
    fc.nat(0xffff),
    fc.constantFrom(32, 48, 64, 128, 129),
  )
  .map(([h, x, l]) => `${h}:${x.toString(16)}::/${l}`);
const word = fc.constantFrom(
  "via 10.0.0.1",
  "via 10.0.0.9",
  "via fe80::1",
  "via fd00::1",
  "via 1.2.3.4",
  "dev eth0",
  "dev eth2",
  "dev nope",
  "metric 20",
  "metric 0x10",
  "metric 010",
  "proto bgp",
  "proto 186",
  "proto zz",
  "table 100",
  "table main",
  "table local",
  "table bogus",
  "scope link",
  "scope 200",
  "src 10.0.0.2",
  "src fd00::2",
  "onlink",
  "tos 0x10",
  "from fd00::/64",
  "mtu 1400",
  "weight 2",
  "metr 5",
  "to",
  "nexthop via 10.0.0.1",
  "pref high",
  "expires 5",
);
const routeLine = fc
  .record({
    pre: fc.constantFrom("", "", "", "-6 ", "-4 ", "  "),
    op: fc.constantFrom(
      "add",
      "add",
      "add",
      "append",
      "replace",
      "prepend",
      "del",
      "delete",
      "change",
      "a",
    ),
    type: fc.constantFrom("", "", "", "blackhole ", "unreachable ", "local ", "throw ", "brd "),
    dst: fc.oneof(
      pfx4,
      pfx6,
      fc.constantFrom("default", "10/8", "1.2.3.4", "bogus", "::ffff:1.2.3.4/128"),
    ),
    words: fc.array(word, { maxLength: 4 }),
    tail: fc.constantFrom("", "", " ", "\r", " # c"),
  })
  .map((o) =>
    `${o.pre}route ${o.op} ${o.type}${o.dst} ${o.words.join(" ")}${o.tail}`.replace(
      / +$/,
      (m) => m,
    ),
  );
const otherLine = fc.constantFrom(
  "",
  "# comment",
  "link set eth2 down",
  "rule add fwmark 1 table 100",
  "route flush table 100",
  "addr add 10.1.0.2/24 dev eth2",
  '"route" add 9.9.9.0/24 dev eth0',
  "route get 1.1.1.1",
);
const batch = fc.array(
  fc.oneof({ arbitrary: routeLine, weight: 10 }, { arbitrary: otherLine, weight: 1 }),
  { minLength: 1, maxLength: 80 },
);

/** Everything that matters about the host's routes, in a comparable form. */
function snapshot(s: HostState): string {
  // key order ignored (shared nexthop lists keep the shape of whoever made them first)
  const canon = (v: unknown): unknown =>
    typeof v === "bigint"
      ? v.toString(16)
      : v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
        : v;
  const rs = [...s.routes]
    .sort((a, b) => a.seq - b.seq)
    .map((r) => JSON.stringify(r, (_k, v) => canon(v)));
  return [
    printRoutes(s, { table: "all" }),
    ...rs,
    JSON.stringify(s.links),
    String(s.seq),
    String(s.v4CustomLocalRoutes),
  ].join("\n");
}

/**
 * The old batch path: every line through batchWords + runIpLine, stopping as ip's batch()
 * does: at an argument error (ip exits) or, with a `Command failed` line, at a failure.
 */
function slowBatch(s: HostState, text: string, file: string): LoadIssue[] {
  const out: LoadIssue[] = [];
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    const loc = { file, line: n + 1, col: 1 };
    const ws = batchWords(line, loc);
    const got = ws.length ? runIpLine(s, ws, loc, undefined, {}) : [];
    for (const i of got) out.push(i);
    if (got.some(exitsIp)) break;
    const bad = got.find((e) => e.severity === "error" || e.code.startsWith("rtnl"));
    if (bad) {
      const at = { file, line: n + 1, col: line.length + 1 };
      const message = `Command failed ${file}:${n + 1}`;
      out.push({ code: "load.batch-failed", message, loc: at, severity: bad.severity });
      break;
    }
  }
  return out;
}

describe("ip -batch route lines", () => {
  it("the fast reader leaves the host and the issues exactly as the general path", () => {
    fc.assert(
      fc.property(batch, fc.integer({ min: 1, max: 200 }), (lines, chunk) => {
        const text = lines.join("\n") + "\n";
        const a = createHostState(),
          b = createHostState(),
          c = createHostState();
        loadText(a, SETUP, "setup.sh");
        loadText(b, SETUP, "setup.sh");
        loadText(c, SETUP, "setup.sh");
        const ia = loadText(a, "ip -batch routes.txt\n", "main.sh", { readFile: () => text });
        const ib = slowBatch(b, text, "routes.txt");
        // chunked reading gives the same too
        const pieces: string[] = [];
        for (let i = 0; i < text.length; i += chunk) pieces.push(text.slice(i, i + chunk));
        const ic = loadText(c, "ip -batch routes.txt\n", "main.sh", {
          readChunks: () => ({ chunks: pieces, size: text.length }),
        });
        expect(ia).toEqual(ib);
        expect(ic).toEqual(ib);
        expect(snapshot(a)).toBe(snapshot(b));
        expect(snapshot(c)).toBe(snapshot(b));
      }),
      { numRuns: 300, seed: 0xba7c4 },
    );
  });
});

const textAttr = fc.constantFrom(
  "via 10.0.0.1",
  "via fe80::1",
  "via inet6 fe80::1",
  "dev eth0",
  "dev eth9",
  "proto bgp",
  "proto kernel",
  "proto 99",
  "proto zz",
  "metric 20",
  "metric 0x14",
  "table 100",
  "table local",
  "table nope",
  "scope link",
  "scope host",
  "src 10.0.0.2",
  "src fd00::2",
  "pref medium",
  "pref high",
  "pref 5",
  "linkdown",
  "onlink",
  "dead",
  "mtu 1400",
  "mtu lock 1400",
  "expires 100sec",
  "error -113",
  "from fd00::/64",
  "tos 0x10",
  "bogus 1",
);
const textLine = fc
  .record({
    type: fc.constantFrom(
      "",
      "",
      "",
      "blackhole ",
      "local ",
      "unreachable ",
      "broadcast ",
      "multicast ",
      "Deleted ",
    ),
    dst: fc.oneof(pfx4, pfx6, fc.constantFrom("default", "fe80::/64", "10/8", "bad")),
    attrs: fc.array(textAttr, { maxLength: 5 }),
    trail: fc.constantFrom(" ", "", " \r"),
  })
  .map((o) => `${o.type}${o.dst} ${o.attrs.join(" ")}${o.trail}`);
const textOther = fc.constantFrom(
  "",
  "# comment",
  "; c",
  "\tnexthop via 10.0.0.1 dev eth0 weight 1 ",
  "\tnexthop via 10.0.0.9 dev eth2 weight 2 dead ",
  "10.60.0.0/16 ",
  "   ",
);
const textDump = fc.array(
  fc.oneof({ arbitrary: textLine, weight: 8 }, { arbitrary: textOther, weight: 2 }),
  { minLength: 1, maxLength: 60 },
);

const jsonVal = fc.constantFrom(
  '"gateway":"10.0.0.1"',
  '"gateway":"fe80::1"',
  '"dev":"eth0"',
  '"dev":"eth9"',
  '"protocol":"bgp"',
  '"protocol":"zz"',
  '"protocol":186',
  '"metric":20',
  '"metric":-1',
  '"metric":1.5',
  '"metric":"20"',
  '"table":"100"',
  '"table":"local"',
  '"table":"nope"',
  '"scope":"link"',
  '"prefsrc":"10.0.0.2"',
  '"flags":[]',
  '"flags":["linkdown"]',
  '"flags":["onlink"]',
  '"pref":"medium"',
  '"pref":"high"',
  '"type":"blackhole"',
  '"type":"local"',
  '"type":"weird"',
  '"expires":5',
  '"weird":1',
  '"metrics":[{"mtu":1400}]',
  '"via":{"family":"inet6","host":"fe80::1"}',
  '"nexthops":[{"gateway":"10.0.0.1","dev":"eth0","weight":1,"flags":[]},{"gateway":"10.0.0.' +
    '9","dev":"eth2","weight":2,"flags":[]}]',
  '"dev":"e\\u0074h0"',
  '"gateway" : "10.0.0.1"',
);
const jsonItem = fc
  .record({
    dst: fc.oneof(pfx4, pfx6, fc.constantFrom("default", "bad")),
    vals: fc.array(jsonVal, { maxLength: 5 }),
    nl: fc.constantFrom("", "", "", "\n"),
    kind: fc.constantFrom("obj", "obj", "obj", "obj", "obj", "obj", "num", "arr"),
  })
  .map((o) =>
    o.kind === "num"
      ? "5"
      : o.kind === "arr"
        ? "[1]"
        : `{"dst":"${o.dst}"${o.vals.map((v) => "," + o.nl + v).join("")}}`,
  );
const jsonDump = fc
  .tuple(
    fc.array(fc.array(jsonItem, { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 2 }),
    fc.constantFrom("", "\n", " ", "BROKEN", ","),
  )
  .map(([arrs, junk]) => arrs.map((a) => "[" + a.join(",") + "]").join("\n") + junk + "\n");

function stream(
  s: HostState,
  text: string,
  file: string,
  chunk: number,
  kind: "text" | "json",
): ReturnType<ReturnType<typeof routeDumpStream>["end"]> {
  const st = routeDumpStream(s, kind, file);
  for (let i = 0; i < text.length; i += chunk) st.push(text.slice(i, i + chunk));
  return st.end();
}

describe("streamed route dumps", () => {
  it("text: the same host and issues as loadDump on the whole text, whatever the chunks", () => {
    fc.assert(
      fc.property(textDump, fc.integer({ min: 1, max: 300 }), (lines, chunk) => {
        const text = lines.join("\n") + "\n";
        const a = createHostState(),
          b = createHostState();
        loadText(a, SETUP, "setup.sh");
        loadText(b, SETUP, "setup.sh");
        const ia = loadDump(a, text, "rt.txt", { format: "ip-route-text" });
        const ib = stream(b, text, "rt.txt", chunk, "text");
        expect(ib).toEqual(ia);
        expect(snapshot(b)).toBe(snapshot(a));
      }),
      { numRuns: 300, seed: 0x7e47 },
    );
  });

  it("JSON: the host and issues of loadDump, or `whole-text` (nothing changed) if not JSON", () => {
    fc.assert(
      fc.property(jsonDump, fc.integer({ min: 1, max: 400 }), (text, chunk) => {
        const a = createHostState(),
          b = createHostState();
        loadText(a, SETUP, "setup.sh");
        loadText(b, SETUP, "setup.sh");
        const before = snapshot(b);
        const ia = loadDump(a, text, "rt.json", { format: "ip-json-route" });
        const ib = stream(b, text, "rt.json", chunk, "json");
        if (ib === "whole-text") {
          expect(ia.some((i) => i.code === "dump.json-syntax")).toBe(true);
          expect(snapshot(b)).toBe(before);
        } else {
          expect(ib).toEqual(ia);
          expect(snapshot(b)).toBe(snapshot(a));
        }
      }),
      { numRuns: 300, seed: 0x15a },
    );
  });

  it("loadChunked gives what loadText gives, for dumps and scripts alike", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          textDump.map((l) => l.join("\n") + "\n"),
          jsonDump,
          batch.map((l) => l.map((x) => "ip " + x).join("\n") + "\n"),
        ),
        fc.integer({ min: 1, max: 500 }),
        (text, chunk) => {
          const a = createHostState(),
            b = createHostState();
          loadText(a, SETUP, "setup.sh");
          loadText(b, SETUP, "setup.sh");
          const ia = loadText(a, text, "in.txt");
          const pieces: string[] = [];
          for (let i = 0; i < text.length; i += chunk) pieces.push(text.slice(i, i + chunk));
          const ib = loadChunked(b, { open: () => pieces }, "in.txt");
          expect(ib).toEqual(ia);
          expect(snapshot(b)).toBe(snapshot(a));
        },
      ),
      { numRuns: 200, seed: 0xc4 },
    );
  });
});
