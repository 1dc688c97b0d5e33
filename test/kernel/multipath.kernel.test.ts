/**
 * Live check of src/engine/multipath.ts against the running kernel.
 *
 * As root: creates the network namespace `mpath_<pid>` (never touches the root namespace),
 * with lo and three veth pairs a1/b1, a2/b2, a3/b3 (both ends inside), 10.N.0.1/24 and
 * fd0N::1/64 on aN, 10.9.0.1/32 on lo. Each scenario sets `net.ipv4.fib_multipath_hash_seed`
 * and the v4/v6 hash policies, adds `10.6S.0.0/16` and `fd6S::/16` with nexthops via
 * 10.N.0.2 / fd0N::2 and the given weights, optionally takes a3 down (admin or carrier),
 * then asks `ip -n NS -j -force -batch -` for fast-check generated probes (fixed seed) and
 * compares the chosen device with selectNexthop(multipathHash(...)). The namespace is
 * deleted in afterAll.
 *
 * Not root: skipped with one line, except with CI=true, where it fails.
 *
 * MPATH_RECORD=1 prints the first probes of every scenario as the vector table used by
 * src/engine/multipath.test.ts.
 */
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAddr, type Addr } from "../../src/addr/ip.js";
import { multipathHash, selectNexthop } from "../../src/engine/multipath.js";
import type { Flow } from "../../src/engine/types.js";

interface Scenario {
  name: string;
  seed: number;
  policy4: number;
  policy6: number;
  /** Weights of the nexthops via a1, a2, a3 (in that order; 2 or 3 of them). */
  weights: number[];
  /** State of a3 after the routes are added. */
  a3: "up" | "admin-down" | "no-carrier" | "no-carrier-ignored";
  /** Expected liveness for the model (dead, or linkdown with ignore_routes_with_linkdown). */
  alive: boolean[];
}

const SCENARIOS: Scenario[] = [
  {
    name: "L3, weights 1:3",
    seed: 12345,
    policy4: 0,
    policy6: 0,
    weights: [1, 3],
    a3: "up",
    alive: [true, true],
  },
  {
    name: "L4, weights 1:3",
    seed: 12345,
    policy4: 1,
    policy6: 1,
    weights: [1, 3],
    a3: "up",
    alive: [true, true],
  },
  {
    name: "max seed, v4 L4 / v6 L3, 2:5:1",
    seed: 4294967295,
    policy4: 1,
    policy6: 0,
    weights: [2, 5, 1],
    a3: "up",
    alive: [true, true, true],
  },
  {
    name: "seed 1, v4 L3 / v6 L4, a3 admin down",
    seed: 1,
    policy4: 0,
    policy6: 1,
    weights: [1, 1, 1],
    a3: "admin-down",
    alive: [true, true, false],
  },
  {
    name: "seed 7, L4, a3 no carrier + ignore_routes_with_linkdown",
    seed: 7,
    policy4: 1,
    policy6: 1,
    weights: [3, 1, 2],
    a3: "no-carrier-ignored",
    alive: [true, true, false],
  },
  {
    name: "seed 99, L3, a3 no carrier (linkdown still used)",
    seed: 99,
    policy4: 0,
    policy6: 0,
    weights: [1, 2, 1],
    a3: "no-carrier",
    alive: [true, true, true],
  },
  {
    name: "seed 2^31, policy 2 (= L3 without encapsulation), 256:1",
    seed: 2147483648,
    policy4: 2,
    policy6: 2,
    weights: [256, 1],
    a3: "up",
    alive: [true, true],
  },
];

interface Probe {
  v6: boolean;
  dst: string;
  from: string | undefined;
  input: boolean;
  proto: number;
  sport: number;
  dport: number;
}

function probeCommand(p: Probe): string {
  let s = `route get ${p.dst}`;
  if (p.from) s += ` from ${p.from}`;
  if (p.input) s += " iif b1";
  if (p.proto) s += ` ipproto ${p.proto}`;
  if (p.sport) s += ` sport ${p.sport}`;
  if (p.dport) s += ` dport ${p.dport}`;
  return s;
}

const PROBES_PER_SCENARIO = 60;
const hex = (n: number) => n.toString(16);

function probeArb(index: number): fc.Arbitrary<Probe> {
  const port = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 65535 }));
  const v4 = fc
    .record({
      a: fc.integer({ min: 0, max: 255 }),
      b: fc.integer({ min: 0, max: 255 }),
      input: fc.boolean(),
      local: fc.constantFrom(undefined, "10.1.0.1", "10.2.0.1", "10.3.0.1", "10.9.0.1"),
      remote: fc.tuple(
        fc.integer({ min: 16, max: 31 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 1, max: 254 }),
      ),
      proto: fc.constantFrom(0, 1, 6, 17),
      sport: port,
      dport: port,
    })
    .map(
      ({ a, b, input, local, remote, proto, sport, dport }): Probe => ({
        v6: false,
        dst: `10.6${index}.${a}.${b}`,
        input,
        // Output lookups need a local source (or none); input lookups take any unicast one.
        from: input ? `172.${remote[0]}.${remote[1]}.${remote[2]}` : local,
        proto,
        sport,
        dport,
      }),
    );
  const v6 = fc
    .record({
      hi: fc.integer({ min: 0, max: 0xffff }),
      lo: fc.integer({ min: 0, max: 0xffffffff }),
      input: fc.boolean(),
      from: fc.oneof(
        fc.constant(undefined),
        fc.constantFrom("fd01::1", "fd02::1"),
        fc
          .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }))
          .map(([x, y]) => `fd99::${hex(x)}:${hex(y)}`),
      ),
      proto: fc.constantFrom(0, 6, 17, 58),
      sport: port,
      dport: port,
    })
    .map(
      ({ hi, lo, input, from, proto, sport, dport }): Probe => ({
        v6: true,
        dst: `fd6${index}::${hex(hi)}:${hex(lo >>> 16)}:${hex(lo & 0xffff)}`,
        input,
        from,
        proto,
        sport,
        dport,
      }),
    );
  return fc.oneof(v4, v6);
}

function probeFlow(p: Probe): Flow {
  const fam = p.v6 ? 6 : 4;
  const addr = (s: string): Addr => {
    const r = parseAddr(s, fam);
    if (!r.ok) throw new Error(`bad address ${s}`);
    return r.value;
  };
  return {
    family: fam,
    daddr: addr(p.dst),
    saddr: p.from ? addr(p.from) : addr(p.v6 ? "::" : "0.0.0.0"),
    iif: p.input ? 2 : 0,
    oif: 0,
    mark: 0,
    uid: 0,
    tos: 0,
    ipproto: p.proto,
    sport: p.sport,
    dport: p.dport,
    hasSaddr: p.from !== undefined,
  };
}

/** The model's answer: index of the nexthop (0 = via a1, ...). */
function modelChoice(s: Scenario, p: Probe): number {
  const h = multipathHash(probeFlow(p), { policy: p.v6 ? s.policy6 : s.policy4, seed: s.seed });
  if (h === undefined) throw new Error("seeded hash must be predictable");
  // fib_select_multipath() prefers the nexthop whose source is the requested one (IPv4 output
  // only).
  const saddrMatch =
    !p.v6 && !p.input && p.from !== undefined
      ? s.weights.map((_, i) => p.from === `10.${i + 1}.0.1`)
      : undefined;
  return selectNexthop(s.weights, s.alive, h, saddrMatch);
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const NS = `mpath_${process.pid}`;

function ip(args: string[], input?: string): string {
  return execFileSync("ip", args, { input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
}
function nsExec(cmd: string[]): string {
  return execFileSync("ip", ["netns", "exec", NS, ...cmd], {
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
  });
}
function batch(lines: string[]): void {
  ip(["-n", NS, "-batch", "-"], lines.join("\n") + "\n");
}
function sysctl(settings: Record<string, string | number>): void {
  nsExec(["sysctl", "-q", "-w", ...Object.entries(settings).map(([k, v]) => `${k}=${v}`)]);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if (check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function setUpScenario(s: Scenario, index: number): Promise<void> {
  // Reset a3: up, carrier, its IPv6 address (removed by admin down), linkdown handling off.
  batch(["link set a3 up", "link set b3 up", "addr replace fd03::1/64 dev a3 nodad"]);
  sysctl({
    "net.ipv4.conf.a3.ignore_routes_with_linkdown": 0,
    "net.ipv6.conf.a3.ignore_routes_with_linkdown": 0,
  });
  await waitFor(
    () =>
      ip(["-n", NS, "route", "show", "10.3.0.0/24"]).includes("a3") &&
      !ip(["-n", NS, "link", "show", "a3"]).includes("NO-CARRIER"),
    "a3 to come back",
  );
  sysctl({
    "net.ipv4.fib_multipath_hash_seed": s.seed,
    "net.ipv4.fib_multipath_hash_policy": s.policy4,
    "net.ipv6.fib_multipath_hash_policy": s.policy6,
  });
  const nh4 = s.weights.map((w, i) => `nexthop via 10.${i + 1}.0.2 weight ${w}`).join(" ");
  const nh6 = s.weights.map((w, i) => `nexthop via fd0${i + 1}::2 weight ${w}`).join(" ");
  // Within -batch the family comes from the prefix (a "-6" option is not accepted per line).
  batch([`route add 10.6${index}.0.0/16 ${nh4}`, `route add fd6${index}::/16 ${nh6}`]);
  const show = () =>
    ip(["-n", NS, "route", "show", `10.6${index}.0.0/16`]) +
    ip(["-n", NS, "-6", "route", "show", `fd6${index}::/16`]);
  if (s.a3 === "admin-down") {
    batch(["link set a3 down"]);
    await waitFor(
      () => (show().match(/a3 weight \d+ dead/g) ?? []).length === 2,
      "a3 nexthops dead",
    );
  } else if (s.a3 === "no-carrier" || s.a3 === "no-carrier-ignored") {
    if (s.a3 === "no-carrier-ignored") {
      sysctl({
        "net.ipv4.conf.a3.ignore_routes_with_linkdown": 1,
        "net.ipv6.conf.a3.ignore_routes_with_linkdown": 1,
      });
    }
    batch(["link set b3 down"]);
    await waitFor(
      () => (show().match(/a3 weight \d+ (dead )?linkdown/g) ?? []).length === 2,
      "a3 nexthops linkdown",
    );
  }
}

interface Recorded {
  scenario: number;
  probe: Probe;
  choice: number;
}
const recorded: Recorded[] = [];

if (!isRoot) {
  if (process.env.CI === "true") {
    it("kernel multipath check needs root (CI=true: not skipping)", () => {
      throw new Error(
        "test/kernel/multipath.kernel.test.ts must run as root in CI to compare with the kernel",
      );
    });
  } else {
    const why =
      "kernel multipath check skipped: not root (run as root to compare with the real kernel)";
    console.warn(why);
    it.skip(why, () => {});
  }
} else {
  describe(`multipath choice vs the kernel (netns ${NS})`, () => {
    beforeAll(() => {
      ip(["netns", "add", NS]);
      const setup = ["link set lo up", "addr add 10.9.0.1/32 dev lo"];
      for (const n of [1, 2, 3]) {
        setup.push(
          `link add a${n} type veth peer name b${n}`,
          `link set a${n} up`,
          `link set b${n} up`,
          `addr add 10.${n}.0.1/24 dev a${n}`,
          `addr add fd0${n}::1/64 dev a${n} nodad`,
        );
      }
      batch(setup);
      // Input lookups (iif b1) of foreign destinations need forwarding; rp_filter stays 0.
      // IPv4 conf/all is inherited from the root namespace: pin what matters here.
      sysctl({
        "net.ipv4.ip_forward": 1,
        "net.ipv4.conf.all.rp_filter": 0,
        "net.ipv4.conf.b1.rp_filter": 0,
        "net.ipv4.conf.all.ignore_routes_with_linkdown": 0,
        "net.ipv6.conf.all.ignore_routes_with_linkdown": 0,
        "net.ipv4.fib_multipath_use_neigh": 0,
      });
    });

    afterAll(() => {
      try {
        ip(["netns", "del", NS]);
      } catch {
        /* already gone */
      }
      if (process.env.MPATH_RECORD) printRecorded();
    });

    SCENARIOS.forEach((s, index) => {
      it(`${s.name}: ${PROBES_PER_SCENARIO} probes agree`, async () => {
        await setUpScenario(s, index);
        const probes = fc.sample(probeArb(index), {
          seed: 0x5eed + index,
          numRuns: PROBES_PER_SCENARIO,
        });
        const lines = probes.map(probeCommand);
        const out = execFileSync("ip", ["-n", NS, "-j", "-force", "-batch", "-"], {
          input: lines.join("\n") + "\n",
          encoding: "utf8",
          stdio: ["pipe", "pipe", "pipe"],
        })
          .trim()
          .split("\n");
        expect(out.length, "one JSON answer per probe").toBe(probes.length);
        const mismatches: string[] = [];
        probes.forEach((p, i) => {
          const answer = (JSON.parse(out[i]!) as { dev?: string; gateway?: string }[])[0];
          const kernel = answer?.dev ? Number(answer.dev.slice(1)) - 1 : -1;
          const model = modelChoice(s, p);
          const gw = p.v6 ? `fd0${model + 1}::2` : `10.${model + 1}.0.2`;
          if (kernel !== model || answer?.gateway !== gw)
            mismatches.push(
              `${lines[i]} -> kernel ${answer?.dev} via ${answer?.gateway}, model nexthop ${model}`,
            );
          if (recorded.filter((r) => r.scenario === index).length < 16)
            recorded.push({ scenario: index, probe: p, choice: kernel });
        });
        expect(mismatches).toEqual([]);
      });
    });
  });
}

function printRecorded(): void {
  const rows = recorded.map(({ scenario, probe: p, choice }) => {
    const fields = [
      scenario,
      JSON.stringify(p.dst),
      JSON.stringify(p.from ?? ""),
      p.input ? 1 : 0,
      p.proto,
      p.sport,
      p.dport,
      choice,
    ];
    return `  [${fields.join(", ")}],`;
  });
  const kernel = execFileSync("uname", ["-r"], { encoding: "utf8" }).trim();
  console.log(`// recorded on ${kernel}\n${rows.join("\n")}`);
}
