/**
 * The corpus of real setup scripts and rulesets (issue 8 item 7): scripts and rulesets that
 * Debian packages install (nftables' examples, ufw's rule files, vpnc-scripts,
 * dhclient-script, …), read from their installed paths and never copied here. Each
 * `corpus/<name>.sh` is the test-bed preamble (links, addresses, the variables the script
 * expects) and the line that runs the installed file unchanged (`nft -f PATH`,
 * `iptables-restore < PATH`, `. PATH`). The same text runs in bash in a throwaway namespace
 * `corpus_<pid>_<n>` and loads into routelab (which reads PATH through `readFile`); rules,
 * routes of every table, iptables-save and `nft list ruleset` must agree byte for byte, and
 * the `ip route get` lines of `<name>.probes` must print the same. corpus/MANIFEST.json names
 * each item's package, version, path and licence, and the known differences with why.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { release } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Host } from "../../src/index.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const DIR = join(HERE, "corpus");

interface Item {
  case: string;
  package: string;
  version: string;
  path: string;
  licence: string;
  /** Why routelab does not agree yet; the case then must still disagree (no stale entries). */
  known?: string;
}
const MANIFEST: Item[] = JSON.parse(readFileSync(join(DIR, "MANIFEST.json"), "utf8")).items;

function canRun(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  for (const [cmd, arg] of [
    ["nft", "--version"],
    ["iptables-save", "--version"],
  ] as const)
    if (spawnSync(cmd, [arg]).status !== 0) return `${cmd} not installed`;
  const missing = MANIFEST.filter((m) => !existsSync(m.path)).map((m) => m.path);
  if (missing.length) return `missing ${missing.join(", ")} (.ci/run installs the packages)`;
  return undefined;
}
const why = canRun();
if (why && process.env.CI === "true")
  throw new Error(`corpus kernel test cannot run under CI: ${why}`);
if (why) console.log(`corpus kernel test skipped: ${why}`);

/** What both sides are asked after the script ran, as `ip`/`nft`/`*-save` arguments. */
const ROUTING = [
  ["-4", "rule"],
  ["-6", "rule"],
  ["-4", "route", "show", "table", "all"],
  ["-6", "route", "show", "table", "all"],
];
/**
 * The netfilter listing of the tool the case uses. iptables-nft's `iptables-save` also
 * prints the standard chains of a native nft table named `filter`/`nat`/… ("incompatible
 * base-chains"), which routelab does not model; so an nft case is asked `nft list ruleset`
 * only, and an iptables case the two `*-save` listings.
 */
function questions(text: string): string[][] {
  const q = [...ROUTING];
  if (/\bnft\b/.test(text)) q.push(["nft", "list", "ruleset"]);
  if (/iptables/.test(text)) q.push(["iptables-save"], ["ip6tables-save"]);
  return q;
}

/** iptables-save's `# Generated …`/`# Completed …` lines carry a date and a version. */
const norm = (s: string) =>
  s
    .split("\n")
    .filter((l) => !l.startsWith("# "))
    .join("\n");

/**
 * /run (and /var/run) is an empty tmpfs on both sides, so no case writes the test machine's
 * (vpnc-script keeps state in /var/run/vpnc): the kernel side mounts one in the private mount
 * namespace `ip netns exec` gives it, routelab's side sees an empty directory. Writes to
 * /etc/resolv.conf go to a file in it (routelab skips them).
 */
const RUN = /^\/(var\/)?run(\/|$)/;
const KERNEL_SHELL = [
  "sh",
  "-c",
  // /etc/resolv.conf too (udhcpc's script writes it): a file in that tmpfs bound over it.
  "mount -t tmpfs corpus-run /run && : > /run/resolv.conf && " +
    "mount --bind /run/resolv.conf /etc/resolv.conf && exec bash",
];

/** The test machine's files as the script sees them (directories are not files). */
function readFile(p: string): string | undefined {
  if (RUN.test(p)) return undefined;
  try {
    return statSync(p).isFile() ? readFileSync(p, "utf8") : undefined;
  } catch {
    return undefined;
  }
}
/** A directory's entries, `/` after subdirectories (as the CLI lists them). */
function readDir(p: string): string[] | undefined {
  if (RUN.test(p)) return /^\/(var\/)?run\/?$/.test(p) ? [] : undefined;
  try {
    return readdirSync(p, { withFileTypes: true }).map(
      (d) => d.name + (d.isDirectory() ? "/" : ""),
    );
  } catch {
    return undefined;
  }
}

function kernelAsk(ns: string, q: string[]): string {
  const argv = q[0] === "nft" || q[0]!.endsWith("-save") ? q : ["ip", ...q];
  return spawnSync("ip", ["netns", "exec", ns, ...argv], { encoding: "utf8" }).stdout;
}

/** Every disagreement of one case, as lines; empty when it agrees. */
function compare(file: string, ns: string): string[] {
  const text = readFileSync(join(DIR, file), "utf8");
  // No `-e`: the packaged scripts are written for a plain shell (tests that fail are normal).
  const k = spawnSync("ip", ["netns", "exec", ns, ...KERNEL_SHELL], {
    input: text,
    encoding: "utf8",
  });
  if (k.status !== 0) return [`kernel side failed (${k.status}): ${k.stderr}`];
  // The running kernel's release is the loader's to give (`uname -r`).
  const host = Host.load([{ name: file, text }], {
    readFile,
    readDir,
    uname: { release: release() },
  });
  const out: string[] = [];
  const errors = host.issues.filter((i) => i.severity !== "warning" && i.severity !== "info");
  for (const i of errors) out.push(`routelab: ${i.loc?.line}:${i.loc?.col}: ${i.message}`);
  for (const q of questions(text)) {
    const real = norm(kernelAsk(ns, q));
    const ours = norm(host.ip(q).stdout);
    if (real !== ours) out.push(`${q.join(" ")}:\n${firstDiff(real, ours)}`);
  }
  const probes = join(DIR, file.replace(/\.sh$/, ".probes"));
  if (existsSync(probes))
    for (const line of readFileSync(probes, "utf8").split("\n")) {
      const t = line.trim();
      if (!t || t.startsWith("#")) continue;
      const words = t.split(/\s+/);
      const r = spawnSync("ip", ["-n", ns, ...words], { encoding: "utf8" });
      const real = r.stdout + r.stderr;
      const h = host.ip(words);
      if (real !== h.stdout + h.stderr)
        out.push(`${t}:\n  real: ${real}  ours: ${h.stdout}${h.stderr}`);
    }
  return out;
}

function firstDiff(a: string, b: string): string {
  const x = a.split("\n");
  const y = b.split("\n");
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if (x[i] !== y[i])
      return `  line ${i + 1}\n  real: ${JSON.stringify(x[i])}\n  ours: ${JSON.stringify(y[i])}`;
  return "";
}

const namespaces: string[] = [];
afterAll(() => {
  for (const ns of namespaces) spawnSync("ip", ["netns", "del", ns]);
});

describe.skipIf(!!why)("corpus of real scripts: routelab vs the kernel", () => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith(".sh"))
    .sort();

  it("every case is in the manifest and every manifest item has a case", () => {
    expect([...new Set(MANIFEST.map((m) => `${m.case}.sh`))].sort()).toEqual(files);
  });

  files.forEach((file, n) => {
    const item =
      MANIFEST.find((m) => `${m.case}.sh` === file && m.known) ??
      MANIFEST.find((m) => `${m.case}.sh` === file);
    it(`${file}${item?.known ? " (known difference)" : ""}`, () => {
      const ns = `corpus_${process.pid}_${n}`;
      namespaces.push(ns);
      expect(spawnSync("ip", ["netns", "add", ns]).status).toBe(0);
      const diffs = compare(file, ns);
      spawnSync("ip", ["netns", "del", ns]);
      if (process.env.ROUTELAB_KERNEL_VERBOSE) console.log(`${file}:\n${diffs.join("\n")}`);
      if (item?.known) expect(diffs.length, `${file} now agrees: drop "known"`).toBeGreaterThan(0);
      else expect(diffs.join("\n")).toBe("");
    });
  });
});
