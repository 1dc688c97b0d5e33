/**
 * Analysis vs kernel: on every scenario, a sample of each family's class representatives
 * (`routelab map`) goes to the kernel as `ip route get` in the scenario's namespace; the
 * kernel's device, gateway, type, table or errno must be the class's outcome. Received
 * packets too: the biggest classes of `routelab map iif DEV -4` and `-6` for each device but
 * lo go to the kernel as `ip route get DST from SRC iif DEV [mark M]` (delivered, forwarded,
 * dropped by rp_filter or as martians; IPv6 with `uid 0`, a received packet's), M being the
 * mark the representative has after PREROUTING (a tproxy gateway's TPROXY and MARK rules,
 * tproxy-gateway.sh), and those of `map from 0.0.0.0/0` and `from ::/0` (sockets bound to a
 * source) as `ip route get DST from SRC`. (The engine agrees with every representative in
 * test/analysis/crosscheck.test.ts and input-crosscheck.test.ts.) The lint cases
 * (test/analysis/lint/cases/*.sh, deliberately broken classic setups) run the same way, with
 * the lines this kernel cannot set up replaced or dropped for a stated reason (`KERNEL_EDITS`)
 * in the setup both the kernel and routelab load.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERRNO, Host, type MapEntry } from "../../src/index.js";
import * as h from "./harness.js";

const cfg = h.suiteConfig();

/** Classes per scenario sent to the kernel (the biggest of each family first). */
const SAMPLE = 16;

/** The lint cases: broken variants of classic setups (their lints: test/analysis/lint). */
const LINT_CASES = path.join(h.REPO_ROOT, "test", "analysis", "lint", "cases");

/** Can this kernel make a wireguard device? (Not every test kernel has the module.) */
function kernelHasWireguard(ns: string): boolean {
  const r = spawnSync("ip", ["-n", ns, "link", "add", "rgkwgprobe", "type", "wireguard"]);
  if (r.status === 0) spawnSync("ip", ["-n", ns, "link", "del", "rgkwgprobe"]);
  return r.status === 0;
}

/**
 * Lines of a setup this kernel cannot run, each with why the edit keeps `ip route get`'s
 * answers: [pattern, the lines instead ([]: dropped), reason].
 */
const KERNEL_EDITS: [RegExp, (l: string) => string[], string][] = [
  [
    /^ip link add (\S+) type wireguard$/,
    (l) => {
      const dev = l.split(" ")[3]!;
      return [`ip link add ${dev} type veth peer name ${dev}-peer`, `ip link set ${dev}-peer up`];
    },
    "no wireguard module (nor dummy): a veth with its peer up stands in; `ip route get` " +
      "through a device route without a gateway answers the same on both",
  ],
  [
    /^wg set \S+ fwmark /,
    () => [],
    "the wg socket's fwmark marks only the tunnel's own encrypted packets, which " +
      "`ip route get` does not send (the fwmark rules are what the analysis reads)",
  ],
];

/** The case's setup as this kernel can run it, and the edits made (with their reasons). */
function kernelSetup(text: string, wireguard: boolean): { text: string; edits: string[] } {
  const edits: string[] = [];
  const lines = text.split("\n").flatMap((l) => {
    const e = wireguard ? undefined : KERNEL_EDITS.find(([re]) => re.test(l.trim()));
    if (!e) return [l];
    const instead = e[1](l.trim());
    edits.push(`${l.trim()} -> ${instead.join("; ") || "(dropped)"}: ${e[2]}`);
    return instead;
  });
  return { text: lines.join("\n"), edits };
}

/**
 * Kinds whose mark PREROUTING changed (or TPROXY took) go first, per device and across
 * devices: what the hook decides is what the sample tests.
 */
function marked(c: MapEntry): boolean {
  const nf = c.detail.nf;
  if (!nf) return false;
  const at = c.representative.indexOf("mark");
  const arriving = at >= 0 ? Number(c.representative[at + 1]) : 0;
  return !!nf.tproxy || Number(nf.representativeMark) !== arriving;
}

/** Received-packet classes per device and per scenario sent to the kernel. */
const SAMPLE_IN = 4;
const SAMPLE_IN_MAX = 16;

/**
 * routelab's own IPv6 link-local addresses. They come from a deterministic MAC, not the
 * random one the kernel picks (README, Not modelled yet), so the namespace has others:
 * packets to them are left out of the IPv6 sample.
 */
function ownLinkLocal(host: Host): string[] {
  type Addrs = { addr_info?: { family: string; local: string; scope: string }[] }[];
  const links = JSON.parse(host.ip(["-j", "-6", "addr", "show"]).stdout) as Addrs;
  return links.flatMap((l) =>
    (l.addr_info ?? []).filter((x) => x.scope === "link").map((x) => x.local),
  );
}

/**
 * For each family and each device but lo (`map iif DEV -4|-6`), the biggest class of each
 * kind of outcome (forwarded, delivered, dropped by rp_filter, martian…), kinds in order of
 * size, those PREROUTING marked first. Classes PREROUTING ends (dropped, not modelled)
 * never reach the lookup: `ip route get` runs no netfilter, so they are confirmed by their
 * journey (input-crosscheck.test.ts), not here.
 */
function inputSample(host: Host): MapEntry[] {
  const links = JSON.parse(host.ip(["-j", "link", "show"]).stdout) as { ifname: string }[];
  const lls = ownLinkLocal(host);
  const out: MapEntry[] = [];
  for (const fam of ["-4", "-6"]) {
    const one: MapEntry[] = [];
    const not = fam === "-6" && lls.length ? ["not", "to", lls.join(",")] : [];
    for (const { ifname } of links) {
      if (ifname === "lo") continue;
      const m = host.map(["iif", ifname, fam, ...not]);
      if (!m.ok) throw new Error(m.error.message);
      const kinds = new Map<string, MapEntry>();
      for (const c of m.value.classes) {
        if (c.detail.nf && c.detail.nf.verdict !== "accept") continue;
        // TPROXY'd classes are kinds of their own (delivered through the proxy's table).
        const tproxy = c.detail.nf?.tproxy ? " tproxy" : "";
        const k = c.outcome.split(" ").slice(0, 2).join(" ") + tproxy;
        if (!kinds.has(k)) kinds.set(k, c);
      }
      const all = [...kinds.values()];
      one.push(...[...all.filter(marked), ...all.filter((c) => !marked(c))].slice(0, SAMPLE_IN));
    }
    out.push(...[...one.filter(marked), ...one.filter((c) => !marked(c))].slice(0, SAMPLE_IN_MAX));
  }
  return out;
}

/**
 * For each family, the biggest class of each kind of outcome of the packets from sockets
 * bound to a source (`map from 0.0.0.0/0 -4`, `from ::/0 -6`: bound.ts); not modelled ones
 * are not sent.
 */
function boundSample(host: Host): MapEntry[] {
  const lls = ownLinkLocal(host);
  const out: MapEntry[] = [];
  for (const [fam, all] of [
    ["-4", "0.0.0.0/0"],
    ["-6", "::/0"],
  ]) {
    const not = fam === "-6" && lls.length ? ["not", "to", lls.join(",")] : [];
    const m = host.map(["from", all!, fam!, ...not]);
    if (!m.ok) throw new Error(m.error.message);
    const kinds = new Map<string, MapEntry>();
    for (const c of m.value.classes) {
      const k = c.outcome.split(" ").slice(0, 2).join(" ");
      if (!c.detail.nf && !kinds.has(k)) kinds.set(k, c);
    }
    out.push(...[...kinds.values()].slice(0, SAMPLE_IN_MAX / 2));
  }
  return out;
}

/**
 * The `ip route get` words of a class's representative: a received packet PREROUTING marked
 * is asked with the mark the input lookup sees (`ip route get` runs no netfilter).
 */
function routeGetWords(c: MapEntry): string[] {
  const nf = c.detail.nf;
  const w = [...c.representative];
  if (!nf || !w.includes("iif")) return w;
  const at = w.indexOf("mark");
  if (at >= 0) w.splice(at, 2);
  if (nf.representativeMark !== "0x0") w.push("mark", nf.representativeMark);
  return w;
}

/**
 * A TPROXY'd packet the lookup does not deliver is dropped by the journey after a lookup
 * that routes it: the kernel must route it, and not for local delivery.
 */
function compareTproxyDrop(a: h.Answer | undefined): string[] {
  if (a?.kind !== "ok") return [`kernel ${a?.kind ?? "no answer"}, analysis: routed, not local`];
  const r = (a.json as Record<string, unknown>[])[0] ?? {};
  const type = r.type === undefined ? "unicast" : String(r.type);
  return type === "unicast" ? [] : [`kernel type ${type}, analysis: routed, not local`];
}

/** Differences between the kernel's answer and the class's outcome ([] when they agree). */
function compare(c: MapEntry, a: h.Answer | undefined): string[] {
  const d = c.detail;
  if (d.nf?.tproxy && c.outcome.startsWith("dropped by TPROXY")) return compareTproxyDrop(a);
  if (!a) return ["no kernel answer"];
  if (a.kind === "error") {
    const want = d.errno ? ERRNO[d.errno as keyof typeof ERRNO] : undefined;
    if (d.ok) return [`kernel refuses (${a.messages.join(" ")}), analysis: ${c.outcome}`];
    return a.messages.some((m) => want && m.includes(want))
      ? []
      : [`kernel ${a.messages.join(" ")}, analysis ${d.errno}`];
  }
  if (a.kind !== "ok") return [`kernel answer ${a.kind}`];
  if (!d.ok) return [`kernel routes (${a.raw}), analysis refuses ${d.errno}`];
  const r = (a.json as Record<string, unknown>[])[0] ?? {};
  const out: string[] = [];
  if (!d.devs.includes(String(r.dev))) out.push(`dev ${r.dev} not in ${d.devs.join("|")}`);
  const gw = r.gateway === undefined ? undefined : String(r.gateway);
  if (gw !== undefined ? !d.gateways.includes(gw) : d.gateways.length === d.devs.length && gw)
    out.push(`gateway ${gw}, analysis ${d.gateways.join("|") || "-"}`);
  const type = r.type === undefined ? "unicast" : String(r.type);
  if (type !== d.type) out.push(`type ${type}, analysis ${d.type}`);
  const table = r.table === undefined ? "main" : String(r.table);
  if (d.tableName !== undefined && table !== d.tableName)
    out.push(`table ${table}, analysis ${d.tableName}`);
  return out;
}

/**
 * Load `script` (its text `text`) into routelab and into namespace `ns`, send a sample of the
 * map's representatives (local and received packets) to both, and return the
 * representatives where the kernel and the analysis differ.
 */
function representativesVsKernel(ns: string, script: string, text: string): string[] {
  const dir = path.dirname(script);
  const readFile = (p: string) => {
    try {
      return fs.readFileSync(path.resolve(dir, p), "utf8");
    } catch {
      return undefined;
    }
  };
  const host = Host.load([{ name: script, text }], { readFile });
  const map = host.map();
  if (!map.ok) throw new Error(map.error.message);
  // `ip route get` runs no netfilter: classes OUTPUT decided or re-routed are confirmed
  // by their journey in test/analysis/crosscheck.test.ts, not here.
  const plain = map.value.classes.filter(
    (c) => !c.detail.nf || (c.detail.nf.verdict === "accept" && c.detail.nf.mark === "unchanged"),
  );
  const sample = [4, 6].flatMap((f) => plain.filter((c) => c.family === f).slice(0, SAMPLE / 2));
  sample.push(...inputSample(host), ...boundSample(host));
  const lines = sample.map((c) => `route get ${routeGetWords(c).join(" ")}`);
  const setup = h.runScenarioScript(ns, script);
  expect(setup.ok, setup.stderr).toBe(true);
  const k = h.kernelBatch(ns, lines);
  const r = h.routelabBatch(h.suiteConfig().cli, script, lines);
  const bad: string[] = [];
  sample.forEach((c, i) => {
    const diffs = compare(c, k.answers[i]);
    if (!diffs.length) return;
    // The engine answering unlike the kernel too is a gap of the engine the sampling
    // found (test/analysis/crosscheck.test.ts holds analysis = engine): it fails alike.
    const engine = h.compareAnswers(k.answers[i], r.answers[i]).length ? "engine too: " : "";
    bad.push(`${engine}${lines[i]}: ${diffs.join("; ")} [${c.outcome}]`);
  });
  return bad;
}

if (!h.isRoot()) {
  // Under CI every suite must run: no root there is a failure, not a skip.
  if (process.env.CI === "true")
    throw new Error("CI=true but not root: the analysis kernel suite needs network namespaces");
  it.skip("analysis vs kernel: needs root for network namespaces", () => {});
} else {
  const scenarios = h.loadScenarios(h.SCENARIO_DIR, cfg.filter);
  // A filter may select only lint cases (ROUTELAB_KERNEL_FILTER=^lint-).
  describe.skipIf(!scenarios.length)("analysis representatives: kernel vs routelab map", () => {
    beforeAll(() => h.installExitHook());
    afterAll(() => h.deleteAllCreated());
    for (const sc of scenarios)
      it(sc.name, () => {
        const text = fs.readFileSync(sc.script, "utf8");
        const ns = h.nsName(`an${sc.name}`);
        h.createNetns(ns);
        try {
          expect(representativesVsKernel(ns, sc.script, text)).toEqual([]);
        } finally {
          h.deleteNetns(ns);
        }
      });
  });
  describe("lint cases (broken classic setups): kernel vs routelab map", () => {
    afterAll(() => h.deleteAllCreated());
    const cases = fs
      .readdirSync(LINT_CASES)
      .filter((f) => f.endsWith(".sh") && (!cfg.filter || cfg.filter.test(`lint-${f}`)))
      .sort();
    for (const f of cases)
      it(f, () => {
        const ns = h.nsName(`anl${f}`);
        h.createNetns(ns);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rgk-lint-"));
        try {
          const setup = kernelSetup(
            fs.readFileSync(path.join(LINT_CASES, f), "utf8"),
            kernelHasWireguard(ns),
          );
          if (setup.edits.length)
            console.info(
              `[analysis.kernel] ${f}: edited for this kernel:\n  ${setup.edits.join("\n  ")}`,
            );
          const script = path.join(dir, f);
          fs.writeFileSync(script, setup.text);
          expect(representativesVsKernel(ns, script, setup.text)).toEqual([]);
        } finally {
          h.deleteNetns(ns);
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });
  });
}
