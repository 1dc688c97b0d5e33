/**
 * Packets to ask the page and the CLI: the scenario's own probes (the `route get` lines
 * the kernel suite checks) and packets drawn with a fixed seed from what the setup names:
 * its addresses, marks, uids and devices.
 */

/** The words `trace` takes (route get's without fibmatch, connected, vrf…). */
const TRACE_KEYS = new Set(["from", "iif", "oif", "dev", "uid", "gid", "mark", "tos", "sport"]);
for (const k of ["dport", "ipproto", "to", "dsfield"]) TRACE_KEYS.add(k);

/** Probe lines (`route get …`) whose words `trace` also takes. */
export function probePackets(probes: string): string[] {
  const out: string[] = [];
  for (const line of probes.split("\n")) {
    const m = /^route get (.*)$/.exec(line.trim());
    if (!m) continue;
    const w = m[1]!.trim().split(/\s+/);
    let ok = !w[0]!.includes(":") && !TRACE_KEYS.has(w[0]!);
    for (let i = 1; i < w.length; i += 2) if (!TRACE_KEYS.has(w[i]!)) ok = false;
    if (ok) out.push(w.join(" "));
  }
  return out;
}

/** A small seeded generator (mulberry32): the same packets on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const uniq = <T>(xs: T[]) => [...new Set(xs)];

/** Packets drawn from the setup's own values. */
export function generatedPackets(script: string, n: number, seed: number): string[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const addrs = uniq([
    ...(script.match(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g) ?? []),
    "1.1.1.1",
    "8.8.8.8",
    "127.0.0.1",
  ]).filter((a) => a.split(".").every((x) => Number(x) < 256));
  const marks = uniq([
    "0x0",
    ...(script.match(
      /(?<=fwmark |--set-x?mark |mark )0x[0-9a-f]+|(?<=fwmark |--set-x?mark )\d+/gi,
    ) ?? []),
  ]);
  const uids = uniq(["0", "1000", ...(script.match(/(?<=--uid-owner |uidrange )\d+/g) ?? [])]);
  const devs = uniq(script.match(/(?<=\bdev )[a-z][\w.-]*/g) ?? []).filter((d) => d !== "lo");
  const out: string[] = [];
  while (out.length < n) {
    const w = [
      r() < 0.2 ? `${pick([1, 9, 45, 100, 142, 203])}.${Math.floor(r() * 256)}.7.9` : pick(addrs),
    ];
    const local = !devs.length || r() < 0.6;
    if (local) {
      if (r() < 0.6) w.push("uid", pick(uids));
      if (r() < 0.2) w.push("gid", pick(["0", "100"]));
    } else w.push("from", pick(addrs), "iif", pick(devs));
    if (r() < 0.5) w.push("mark", pick(marks).split("/")[0]!);
    const proto = pick(["", "tcp", "udp", "icmp"]);
    if (proto) w.push("ipproto", proto);
    if (proto === "tcp" || proto === "udp") w.push("dport", pick(["53", "80", "443", "7890"]));
    if (r() < 0.1) w.push("reply");
    out.push(w.join(" "));
  }
  return out;
}

/** `route get` takes the packet's words except gid and reply (trace-only). */
export function routeGetWords(words: string): string {
  return words
    .replace(/ gid \S+/g, "")
    .replace(/ reply\b/g, "")
    .trim();
}
