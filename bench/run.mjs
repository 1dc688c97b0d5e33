// `npm run bench`: routelab at Internet scale, each figure next to an anchor measured in
// the same run on the same machine.
//
//   node --expose-gc bench/run.mjs [--quick] [--no-kernel] [--keep]
//
// - LPM lookups/s on 1M IPv4 / 200k IPv6 BGP-like prefixes (bench/lpm.mjs) vs a naive
//   object binary trie on the same prefixes (the reference's B.2 (i)).
// - Full `route get` decisions/s through a 20-rule RPDB with four tables over that full
//   table (the compiled decider), vs the kernel answering the same questions through
//   netlink (`ip -n NS -force -batch`) in a namespace this script creates when run as root
//   (bench_<pid>; the root namespace is never touched; the namespace is deleted at the end,
//   also on failure or Ctrl-C). The kernel's answers are compared with routelab's.
// - Load time and peak RSS of the CLI for each input format (`ip -batch` route lines,
//   `ip route show table all` text, `ip -j route show table all` JSON), measured in child
//   processes (bench/hwm.cjs reads VmHWM at exit), vs the kernel loading the same routes.
// - One incremental route change (add and del, BGP-like lengths), vs the kernel.
// - Whole-space analysis (bench/analysis.mjs): map, check and an incremental re-check after
//   one rule or route change on a large realistic host (bench/analysis-host.mjs).
// The last line printed is one JSON object with the headline figures (load_s and
// peak_rss_mib are the text dump's; the table shows every format).
import { spawnSync } from "node:child_process";
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir, cpus } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { benchLpm4, benchLpm6, genPrefixes4, genPrefixes6 } from "./lpm.mjs";
import { Host, v4 } from "routelab";
import { benchAnalysis, CHECKS } from "./analysis.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const args = new Set(process.argv.slice(2));
const QUICK = args.has("--quick");
const N4 = QUICK ? 100_000 : 1_000_000,
  N6 = QUICK ? 20_000 : 200_000;
const PROBES = QUICK ? 50_000 : 200_000;
const CHANGES = QUICK ? 5_000 : 20_000;
const NS = `bench_${process.pid}`;
const log = (...a) => process.stderr.write(a.join(" ") + "\n");
const gc = () => {
  if (typeof globalThis.gc === "function") {
    globalThis.gc();
    globalThis.gc();
  }
};

// ---------------------------------------------------------------------------------------
// small helpers

function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}
const mask4 = (l) => (l === 0 ? 0 : (0xffffffff << (32 - l)) >>> 0);
const f4 = (a) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
function f6(w, i) {
  const g = [];
  for (let k = 0; k < 4; k++) g.push((w[4 * i + k] >>> 16) & 0xffff, w[4 * i + k] & 0xffff);
  // RFC 5952: longest run of zero groups (>= 2) as ::
  let best = -1,
    bl = 0;
  for (let s = 0; s < 8; ) {
    if (g[s] !== 0) {
      s++;
      continue;
    }
    let e = s;
    while (e < 8 && g[e] === 0) e++;
    if (e - s > bl && e - s >= 2) {
      best = s;
      bl = e - s;
    }
    s = e;
  }
  const h = (x) => x.toString(16);
  if (best < 0) return g.map(h).join(":");
  return `${g.slice(0, best).map(h).join(":")}::${g
    .slice(best + bl)
    .map(h)
    .join(":")}`;
}
/** Write a big text file from a line generator without building it in memory. */
function writeLines(path, count, line) {
  const fd = openSync(path, "w");
  let buf = [];
  for (let i = 0; i < count; i++) {
    buf.push(line(i));
    if (buf.length === 20000) {
      writeSync(fd, buf.join("\n") + "\n");
      buf = [];
    }
  }
  if (buf.length) writeSync(fd, buf.join("\n") + "\n");
  closeSync(fd);
}
function* fileChunks(path) {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 16),
      dec = new TextDecoder("utf-8", { ignoreBOM: true });
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      yield dec.decode(buf.subarray(0, n), { stream: true });
    }
    const t = dec.decode();
    if (t) yield t;
  } finally {
    closeSync(fd);
  }
}
const fmtRate = (x) =>
  x == null
    ? "n/a"
    : x >= 1e6
      ? `${(x / 1e6).toFixed(1)} M/s`
      : x >= 1e3
        ? `${(x / 1e3).toFixed(0)} k/s`
        : `${x.toFixed(0)} /s`;
const fmtRatio = (a, b) =>
  a == null || b == null || !b ? "" : `${(a / b).toFixed(a / b >= 10 ? 0 : 1)}x`;

// ---------------------------------------------------------------------------------------
// the kernel side (root only), in its own namespace

let nsCreated = false;
function ip(argv, opts = {}) {
  const r = spawnSync("ip", argv, { encoding: "utf8", maxBuffer: 1 << 30, ...opts });
  if (r.status !== 0 && !opts.allowFail)
    throw new Error(`ip ${argv.join(" ")}: ${(r.stderr || "").trim()}`);
  return r;
}
function toFile(path, fn) {
  const fd = openSync(path, "w");
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}
function nsDelete() {
  if (nsCreated) {
    spawnSync("ip", ["netns", "del", NS]);
    nsCreated = false;
  }
}
for (const sig of ["SIGINT", "SIGTERM"])
  process.on(sig, () => {
    nsDelete();
    process.exit(130);
  });
process.on("exit", nsDelete);
function kernelAvailable() {
  if (args.has("--no-kernel") || typeof process.getuid !== "function" || process.getuid() !== 0)
    return false;
  return spawnSync("ip", ["-V"]).status === 0;
}

// ---------------------------------------------------------------------------------------
// the host: a full table in main, a bypass list, a VPN table, a DNS table, 20 rules

const SETUP_LINKS = [
  "link set lo up",
  "link add eth0 type veth peer name eth0p",
  "link add eth1 type veth peer name eth1p",
  "link add eth2 type veth peer name eth2p",
  "link add wg0 type veth peer name wg0p",
  ...["eth0", "eth0p", "eth1", "eth1p", "eth2", "eth2p", "wg0", "wg0p"].map(
    (d) => `link set ${d} up`,
  ),
  "addr add 10.0.0.2/24 dev eth0",
  "addr add 10.1.0.2/24 dev eth1",
  "addr add 10.2.0.2/24 dev eth2",
  "addr add 172.31.0.2/24 dev wg0",
  "-6 addr add fd00::2/64 dev eth0 nodad",
];
const RULES = [
  "rule add pref 100 iif lo ipproto udp dport 53 lookup 300",
  "rule add pref 110 fwmark 0x1 lookup 200",
  "rule add pref 120 fwmark 0x2/0xff lookup 100",
  "rule add pref 130 uidrange 1000-1999 lookup 200",
  "rule add pref 140 to 10.0.0.0/8 lookup main",
  "rule add pref 150 to 172.16.0.0/12 lookup main",
  "rule add pref 160 to 192.168.0.0/16 lookup main",
  "rule add pref 170 from 10.1.0.2 lookup 100",
  "rule add pref 180 not fwmark 0x100 lookup 100 suppress_prefixlength 0",
  "rule add pref 190 fwmark 0x200/0x200 goto 32000",
  "rule add pref 200 ipproto tcp dport 22 lookup 300",
  "rule add pref 210 tos 0x10 lookup 300",
  "rule add pref 220 sport 1024-2048 lookup 100",
  "rule add pref 230 uidrange 65534-65534 unreachable",
  "rule add pref 240 oif wg0 lookup 200",
  "rule add pref 250 fwmark 0x3 prohibit",
  "rule add pref 32000 lookup 200",
];
// 17 rules added + local, main, default = 20.

function buildInputs(dir) {
  const p4 = genPrefixes4(N4, 1),
    p6 = genPrefixes6(N6, 2);
  const r = rng(77);
  // table 100: a bypass list (5,000 prefixes), 200: a VPN, 300: DNS servers and friends
  const bypass = [],
    seen = new Set();
  while (bypass.length < 5000) {
    const l = 12 + (r() % 13),
      a = (r() & mask4(l)) >>> 0;
    if (seen.has(a * 64 + l)) continue;
    seen.add(a * 64 + l);
    bypass.push([a, l]);
  }
  const tables = [
    "route add default via 10.0.0.1 dev eth0 metric 100",
    ...bypass.map(([a, l]) => `route add ${f4(a)}/${l} via 10.1.0.1 dev eth1 table 100`),
    "route add default dev wg0 table 200",
    "route add 172.31.0.0/16 dev wg0 table 200",
    ...Array.from(
      { length: 50 },
      (_, i) => `route add 9.9.${i}.0/24 via 10.2.0.1 dev eth2 table 300`,
    ),
    "route add 8.8.8.8/32 via 10.2.0.1 dev eth2 table 300",
    "route add 1.1.1.1/32 via 10.2.0.1 dev eth2 table 300",
  ];
  const batch = join(dir, "routes.batch");
  writeLines(batch, N4 + N6 + tables.length, (i) => {
    if (i < tables.length) return tables[i];
    i -= tables.length;
    if (i < N4)
      return `route add ${f4(p4.addr[i])}/${p4.len[i]} via 10.0.0.1 dev eth0 proto bgp metric 20`;
    i -= N4;
    return `route add ${f6(p6.words, i)}/${p6.len[i]} via fe80::1 dev eth0 proto bgp metric 1024`;
  });
  const setup = join(dir, "setup.sh");
  writeLines(setup, SETUP_LINKS.length + 1 + RULES.length, (i) =>
    i < SETUP_LINKS.length
      ? `ip ${SETUP_LINKS[i]}`
      : i === SETUP_LINKS.length
        ? `ip -batch ${batch}`
        : `ip ${RULES[i - SETUP_LINKS.length - 1]}`,
  );
  // questions: full-table hits, bypass hits and uniform destinations; marks, uids, protocols
  const q = {
    dst: new Uint32Array(PROBES),
    src: new Uint32Array(PROBES),
    mark: new Uint32Array(PROBES),
    uid: new Uint32Array(PROBES),
    tos: new Uint8Array(PROBES),
    proto: new Uint8Array(PROBES),
    sport: new Uint16Array(PROBES),
    dport: new Uint16Array(PROBES),
  };
  const lines = [];
  for (let i = 0; i < PROBES; i++) {
    const k = r() % 100;
    let d;
    if (k < 50) {
      const j = r() % N4;
      d = (p4.addr[j] | (r() & ~mask4(p4.len[j]))) >>> 0;
    } else if (k < 70) {
      const [a, l] = bypass[r() % bypass.length];
      d = (a | (r() & ~mask4(l))) >>> 0;
    } else d = r();
    const o = d >>> 24;
    // 45/8: no special addresses
    if (o === 0 || o === 127 || o >= 224) d = ((d & 0x00ffffff) | 0x2d000000) >>> 0;
    const m = r() % 10,
      u = r() % 10,
      p = r() % 20;
    const mark = m < 7 ? 0 : [0x1, 0x2, 0x100][m - 7];
    const uid = u < 6 ? 0 : [1000, 1500, 0, 42][u - 6];
    let proto = 17,
      sport = 0,
      dport = 0,
      tos = 0;
    if (p < 3) {
      proto = 6;
      dport = 443;
    } else if (p === 3) {
      proto = 17;
      dport = 53;
    } else if (p === 4) {
      proto = 6;
      dport = 22;
    } else if (p === 5) sport = 1500;
    else if (p === 6) tos = 0x10;
    q.dst[i] = d;
    q.mark[i] = mark;
    q.uid[i] = uid;
    q.proto[i] = proto;
    q.sport[i] = sport;
    q.dport[i] = dport;
    q.tos[i] = tos;
    let line = `route get ${f4(d)}`;
    if (mark) line += ` mark 0x${mark.toString(16)}`;
    if (uid) line += ` uid ${uid}`;
    if (proto !== 17) line += " ipproto tcp";
    if (dport) line += ` dport ${dport}`;
    if (sport) line += ` sport ${sport}`;
    if (tos) line += " tos 0x10";
    lines.push(line);
  }
  const probes = join(dir, "probes.txt");
  writeLines(probes, lines.length, (i) => lines[i]);
  // route changes: BGP-like prefixes not in the table, added then deleted
  const c4 = genPrefixes4(N4 + CHANGES, 1),
    c6 = genPrefixes6(N6, 9);
  const adds = [],
    dels = [];
  for (let i = N4; i < N4 + CHANGES; i++) {
    adds.push(`route add ${f4(c4.addr[i])}/${c4.len[i]} via 10.0.0.1 dev eth0`);
    dels.push(`route del ${f4(c4.addr[i])}/${c4.len[i]} via 10.0.0.1 dev eth0`);
  }
  // (genPrefixes6 of another size is another set: keep the ones the table does not have)
  const have6 = new Set();
  for (let i = 0; i < N6; i++) have6.add(`${f6(p6.words, i)}/${p6.len[i]}`);
  for (let i = 0, k = 0; i < c6.len.length && k < Math.floor(CHANGES / 5); i++) {
    const pfx = `${f6(c6.words, i)}/${c6.len[i]}`;
    if (have6.has(pfx)) continue;
    have6.add(pfx);
    k++;
    adds.push(`route add ${pfx} via fe80::1 dev eth0`);
    dels.push(`route del ${pfx} via fe80::1 dev eth0`);
  }
  const addFile = join(dir, "adds.batch"),
    delFile = join(dir, "dels.batch");
  writeLines(addFile, adds.length, (i) => adds[i]);
  writeLines(delFile, dels.length, (i) => dels[i]);
  // dumps as iproute2 prints them (replaced by the kernel's own dumps when it runs)
  const text = join(dir, "routes.txt"),
    json = join(dir, "routes.json");
  writeLines(text, N4 + N6, (i) =>
    i < N4
      ? `${f4(p4.addr[i])}/${p4.len[i]} via 10.0.0.1 dev eth0 proto bgp metric 20 `
      : `${f6(p6.words, i - N4)}/${p6.len[i - N4]} via fe80::1 dev eth0 proto bgp metric 1024` +
        " pref medium",
  );
  {
    const fd = openSync(json, "w");
    writeSync(fd, "[");
    let buf = [];
    for (let i = 0; i < N4 + N6; i++) {
      buf.push(
        i < N4
          ? `{"dst":"${f4(p4.addr[i])}/${p4.len[i]}","gateway":"10.0.0.1","dev":"eth0",` +
              '"protocol":"bgp","metric":20,"flags":[]}'
          : `{"dst":"${f6(p6.words, i - N4)}/${p6.len[i - N4]}","gateway":"fe80::1",` +
              '"dev":"eth0","protocol":"bgp","metric":1024,"flags":[],"pref":"medium"}',
      );
      if (buf.length === 20000) {
        writeSync(fd, (i >= 20000 ? "," : "") + buf.join(","));
        buf = [];
      }
    }
    if (buf.length) writeSync(fd, (N4 + N6 > buf.length ? "," : "") + buf.join(","));
    writeSync(fd, "]\n");
    closeSync(fd);
  }
  return {
    setup,
    batch,
    probes,
    text,
    json,
    q,
    changes: adds.length,
    addFile,
    delFile,
    routes: N4 + N6 + tables.length,
  };
}

// ---------------------------------------------------------------------------------------
// anchors

/** @typedef {{ c0: TrieNode | null, c1: TrieNode | null, v: number }} TrieNode */

/** The reference's B.2 (i): a naive binary trie of {c0, c1, v} objects. */
function naiveTrie4(addr, len) {
  /** @type {TrieNode} */
  const root = { c0: null, c1: null, v: -1 };
  for (let i = 0; i < addr.length; i++) {
    let n = root;
    for (let b = 0; b < len[i]; b++) {
      const bit = (addr[i] >>> (31 - b)) & 1;
      if (bit) n = n.c1 ?? (n.c1 = { c0: null, c1: null, v: -1 });
      else n = n.c0 ?? (n.c0 = { c0: null, c1: null, v: -1 });
    }
    n.v = i;
  }
  return (a) => {
    /** @type {TrieNode | null} */
    let n = root,
      best = root.v;
    for (let b = 0; b < 32 && n; b++) {
      n = (a >>> (31 - b)) & 1 ? n.c1 : n.c0;
      if (n && n.v >= 0) best = n.v;
    }
    return best;
  };
}
function naiveTrie6(words, len) {
  /** @type {TrieNode} */
  const root = { c0: null, c1: null, v: -1 };
  for (let i = 0; i < len.length; i++) {
    let n = root;
    for (let b = 0; b < len[i]; b++) {
      const bit = (words[4 * i + (b >> 5)] >>> (31 - (b & 31))) & 1;
      if (bit) n = n.c1 ?? (n.c1 = { c0: null, c1: null, v: -1 });
      else n = n.c0 ?? (n.c0 = { c0: null, c1: null, v: -1 });
    }
    n.v = i;
  }
  return (w, o) => {
    /** @type {TrieNode | null} */
    let n = root,
      best = root.v;
    for (let b = 0; b < 128 && n; b++) {
      n = (w[o + (b >> 5)] >>> (31 - (b & 31))) & 1 ? n.c1 : n.c0;
      if (n && n.v >= 0) best = n.v;
    }
    return best;
  };
}
function timeIt(fn, reps = 3) {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best / 1000;
}

// ---------------------------------------------------------------------------------------

function loadChild(file) {
  const out = join(dirname(file), `hwm-${Math.random().toString(36).slice(2)}.json`);
  const t = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      "-r",
      join(here, "hwm.cjs"),
      join(root, "dist/cli/main.js"),
      "--load",
      file,
      "route",
      "get",
      "1.1.1.1",
    ],
    { env: { ...process.env, ROUTELAB_BENCH_OUT: out }, encoding: "utf8", maxBuffer: 1 << 26 },
  );
  const wall = (performance.now() - t) / 1000;
  if (r.status !== 0 && r.status !== 2)
    throw new Error(`routelab --load ${file}: ${r.stderr.slice(0, 500)}`);
  const m = JSON.parse(readFileSync(out, "utf8"));
  rmSync(out, { force: true });
  return { s: m.ms / 1000, wall, rssMiB: m.hwmKiB / 1024, answer: r.stdout.split("\n")[0] };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "routelab-bench-"));
  const res = {};
  try {
    log(
      `routelab bench: ${N4} IPv4 + ${N6} IPv6 prefixes, ${PROBES} questions` +
        `${QUICK ? " (quick)" : ""}; files in ${dir}`,
    );
    // 1. LPM
    log("LPM lookups ...");
    res.lpm4 = await benchLpm4({ prefixes: N4, lookups: QUICK ? 2_000_000 : 10_000_000 });
    res.lpm6 = await benchLpm6({ prefixes: N6, lookups: QUICK ? 1_000_000 : 2_000_000 });
    gc();
    {
      const { addr, len } = genPrefixes4(N4, 1);
      const look = naiveTrie4(addr, len),
        r = rng(101),
        n = 500_000,
        qs = new Uint32Array(n);
      for (let i = 0; i < n; i += 2) {
        const j = r() % N4;
        qs[i] = (addr[j] | (r() & ~mask4(len[j]))) >>> 0;
        qs[i + 1] = r();
      }
      let sink = 0;
      res.naive4 =
        n /
        timeIt(() => {
          for (let i = 0; i < n; i++) sink += look(qs[i]);
        });
      if (sink === 0.5) log("");
    }
    gc();
    {
      const { words, len } = genPrefixes6(N6, 2);
      const look = naiveTrie6(words, len),
        r = rng(102),
        n = 200_000,
        qs = new Uint32Array(4 * n);
      for (let i = 0; i < n; i++) {
        const j = r() % N6;
        for (let k = 0; k < 4; k++) {
          const b = Math.min(32, Math.max(0, len[j] - 32 * k));
          qs[4 * i + k] = (words[4 * j + k] | (r() & ~mask4(b))) >>> 0;
        }
      }
      let sink = 0;
      res.naive6 =
        n /
        timeIt(() => {
          for (let i = 0; i < n; i++) sink += look(qs, 4 * i);
        });
      if (sink === 0.5) log("");
    }
    gc();
    // 2. inputs
    log("generating inputs ...");
    const inp = buildInputs(dir);
    const probesText = readFileSync(inp.probes, "utf8");
    // 3. the kernel
    const kernel = kernelAvailable();
    if (kernel) {
      log(`kernel: namespace ${NS} ...`);
      ip(["netns", "add", NS]);
      nsCreated = true;
      for (const l of SETUP_LINKS) ip(["-n", NS, ...l.split(" ")]);
      let t = performance.now();
      ip(["-n", NS, "-batch", inp.batch]);
      res.kLoad = (performance.now() - t) / 1000;
      for (const l of RULES) ip(["-n", NS, ...l.split(" ")]);
      // the kernel's own dumps replace the generated ones
      toFile(inp.text, (fd) =>
        ip(["-n", NS, "route", "show", "table", "all"], { stdio: ["ignore", fd, "pipe"] }),
      );
      toFile(inp.json, (fd) =>
        ip(["-n", NS, "-j", "route", "show", "table", "all"], { stdio: ["ignore", fd, "pipe"] }),
      );
      log("kernel: questions ...");
      const kout = join(dir, "kernel.out");
      t = performance.now();
      toFile(kout, (fd) =>
        ip(["-n", NS, "-force", "-batch", inp.probes], {
          stdio: ["ignore", fd, "pipe"],
          allowFail: true,
        }),
      );
      res.kTime = (performance.now() - t) / 1000;
      res.kernelPerS = PROBES / res.kTime;
      res.kOut = readFileSync(kout, "utf8");
      t = performance.now();
      ip(["-n", NS, "-batch", inp.addFile]);
      const ta = performance.now();
      ip(["-n", NS, "-batch", inp.delFile]);
      res.kChangeUs = ((performance.now() - t) * 1000) / (2 * inp.changes);
      res.kAddUs = ((ta - t) * 1000) / inp.changes;
      nsDelete();
    }
    // 4. routelab decisions, in this process
    log("routelab: loading the host ...");
    const lo = {
      readFile: (p) => readFileSync(p, "utf8"),
      readChunks: (p) => ({ chunks: fileChunks(p), size: statSync(p).size }),
    };
    let t = performance.now();
    const host = Host.load([{ name: inp.setup, text: readFileSync(inp.setup, "utf8") }], lo);
    res.inProcessLoad = (performance.now() - t) / 1000;
    if (host.issues.length)
      throw new Error(`load issues: ${JSON.stringify(host.issues.slice(0, 3))}`);
    log("routelab: decisions ...");
    const out = {
      status: new Int8Array(PROBES),
      pos: new Int32Array(PROBES),
      oif: new Int32Array(PROBES),
      gateway: new Uint32Array(PROBES),
      prefsrc: new Uint32Array(PROBES),
    };
    // The first call builds the FIB index and compiles the decider (timed apart).
    t = performance.now();
    host.decideBatch(1, inp.q, out);
    res.compileS = (performance.now() - t) / 1000;
    let fallbacks = host.decideBatch(PROBES, inp.q, out);
    const reps = QUICK ? 3 : 10;
    const secs = timeIt(() => {
      fallbacks = host.decideBatch(PROBES, inp.q, out);
    }, reps);
    res.decisionsPerS = PROBES / secs;
    res.fallbacks = fallbacks;
    // the general path (routeGet, allocating a Decision with a trace) on the same questions
    const nGen = Math.min(PROBES, 20_000);
    res.generalPerS =
      nGen /
      timeIt(() => {
        for (let i = 0; i < nGen; i++)
          host.routeGet(v4(inp.q.dst[i]), {
            mark: inp.q.mark[i],
            uid: inp.q.uid[i],
            tos: inp.q.tos[i],
            ipproto: inp.q.proto[i],
            sport: inp.q.sport[i],
            dport: inp.q.dport[i],
          });
      }, 1);
    // -batch, text in and text out, like the kernel run
    /** @type {import("routelab").IpResult | undefined} */
    let batchOut;
    const bsecs = timeIt(() => {
      batchOut = host.batch(probesText, { force: true, file: "probes.txt" });
    }, 3);
    res.batchPerS = PROBES / bsecs;
    if (res.kOut !== undefined) {
      // answers compared as multisets of (two-line) answers
      const blocks = (txt) => {
        const l = txt.split("\n");
        const m = new Map();
        for (let i = 0; i + 1 < l.length; i += 2) {
          const k = l[i] + "\n" + l[i + 1];
          m.set(k, (m.get(k) ?? 0) + 1);
        }
        return m;
      };
      const a = blocks(batchOut?.stdout ?? ""),
        b = blocks(res.kOut);
      let same = 0,
        total = 0;
      for (const [k, n] of b) {
        total += n;
        same += Math.min(n, a.get(k) ?? 0);
      }
      res.agree = same;
      res.agreeOf = total;
      if (same < total) {
        for (const [k] of b)
          if (!a.has(k)) {
            res.firstDiff = k;
            break;
          }
      }
    }
    // 5. one route change on the full host (ip -batch lines, through the fast reader and the ops
    // checks)
    log("routelab: route changes ...");
    const adds = readFileSync(inp.addFile, "utf8"),
      dels = readFileSync(inp.delFile, "utf8");
    t = performance.now();
    const ia = host.applyBatch(adds, "adds");
    const ta = performance.now();
    const id = host.applyBatch(dels, "dels");
    res.changeUs = ((performance.now() - t) * 1000) / (2 * inp.changes);
    res.addUs = ((ta - t) * 1000) / inp.changes;
    if (ia.length || id.length)
      throw new Error(`route change issues: ${JSON.stringify([...ia, ...id].slice(0, 3))}`);
    // every prefix length /1../32 alike (a /1 covers half of the address space): add + del,
    // averaged over lengths
    {
      const r = rng(555);
      const perLen = (rounds) => {
        const us = new Float64Array(33);
        for (let round = 0; round < rounds; round++)
          for (let l = 1; l <= 32; l++) {
            const a = (r() & mask4(l)) >>> 0,
              pfx = `${f4(a)}/${l}`;
            const t0 = performance.now();
            const e = [
              ...host.applyBatch(`route add ${pfx} via 10.0.0.1 dev eth0 metric 7\n`, "len"),
              ...host.applyBatch(`route del ${pfx} via 10.0.0.1 dev eth0 metric 7\n`, "len"),
            ];
            us[l] += ((performance.now() - t0) * 1000) / 2 / rounds;
            if (e.length) throw new Error(`route change issues: ${JSON.stringify(e)}`);
          }
        return us;
      };
      perLen(3); // warm-up
      const us = perLen(5);
      let sum = 0,
        worst = 1;
      for (let l = 1; l <= 32; l++) {
        sum += us[l];
        if (us[l] > us[worst]) worst = l;
      }
      res.changeAllLenUs = sum / 32;
      res.changeWorstLen = worst;
      res.changeWorstUs = us[worst];
    }
    // 6. load time and peak RSS per input format, in child processes running the CLI
    log("routelab: loads in child processes ...");
    res.load = {};
    for (const [k, f] of [
      ["batch", inp.setup],
      ["text", inp.text],
      ["json", inp.json],
    ])
      res.load[k] = loadChild(f);
    // 6. whole-space analysis (issue 10) of a large realistic host, in a child process
    log("routelab: analysis (map, check, incremental re-check) ...");
    res.analysis = benchAnalysis(QUICK ? 1000 : 3000);
  } finally {
    nsDelete();
    if (!args.has("--keep")) rmSync(dir, { recursive: true, force: true });
  }
  // ---------------------------------------------------------------------------------------
  const rows = [];
  const row = (metric, mine, anchor, ratio, published) =>
    rows.push([metric, mine, anchor, ratio, published]);
  row(
    `IPv4 LPM lookups (${N4 / 1e3}k prefixes)`,
    fmtRate(res.lpm4.perSec),
    `${fmtRate(res.naive4)} naive object trie`,
    fmtRatio(res.lpm4.perSec, res.naive4),
    "DIR-24-8 in V8 61-87 M/s; fib_trie ~20 M/s (50 ns)",
  );
  row(
    `IPv6 LPM lookups (${N6 / 1e3}k prefixes)`,
    fmtRate(res.lpm6.perSec),
    `${fmtRate(res.naive6)} naive object trie`,
    fmtRatio(res.lpm6.perSec, res.naive6),
    "fib6 ~2.2 M/s (450 ns, 40k routes)",
  );
  row(
    "route get decisions (20 rules, 4 tables)",
    fmtRate(res.decisionsPerS),
    res.kernelPerS ? `${fmtRate(res.kernelPerS)} kernel ip -batch` : "kernel: not root",
    fmtRatio(res.decisionsPerS, res.kernelPerS),
    "kernel netlink 172-244 k/s",
  );
  row(
    "  same questions, routelab -batch text",
    fmtRate(res.batchPerS),
    res.kernelPerS ? `${fmtRate(res.kernelPerS)} kernel ip -batch` : "",
    fmtRatio(res.batchPerS, res.kernelPerS),
    "",
  );
  row(
    "  same questions, general routeGet",
    fmtRate(res.generalPerS),
    `decider ${fmtRate(res.decisionsPerS)}`,
    fmtRatio(res.decisionsPerS, res.generalPerS),
    "",
  );
  if (res.agreeOf !== undefined)
    row("  answers equal to the kernel's", `${res.agree}/${res.agreeOf}`, "", "", "");
  for (const [k, name] of [
    ["batch", "ip -batch route lines"],
    ["text", "ip route show text"],
    ["json", "ip -j route JSON"],
  ]) {
    const L = res.load[k];
    row(
      `load ${name}`,
      `${L.s.toFixed(2)} s, ${L.rssMiB.toFixed(0)} MiB`,
      res.kLoad ? `kernel ip -batch load ${res.kLoad.toFixed(1)} s` : "",
      res.kLoad ? fmtRatio(res.kLoad, L.s) : "",
      "kernel 47-70 k routes/s",
    );
  }
  row(
    "route change (add + del, BGP mix)",
    `${res.changeUs.toFixed(1)} us`,
    res.kChangeUs ? `kernel ${res.kChangeUs.toFixed(1)} us` : "",
    res.kChangeUs ? fmtRatio(res.kChangeUs, res.changeUs) : "",
    "kernel ~14-21 us per add",
  );
  row(
    "route change, each length /1-/32",
    `${res.changeAllLenUs.toFixed(1)} us`,
    `worst /${res.changeWorstLen}: ${res.changeWorstUs.toFixed(0)} us`,
    "",
    "DIR-24-8: a /8 rewrites 65,536 entries",
  );
  const A = res.analysis;
  row(
    `analysis map (${A.n} bypass prefixes, ${A.classes} classes)`,
    `${A.map_s.toFixed(2)} s (cpu ${A.map_cpu_s.toFixed(2)} s)`,
    "",
    "",
    "target ≤ 1 s; Batfish BDD engine: minutes/network",
  );
  row(
    `analysis check (${CHECKS.length} assertions)`,
    `${A.check_s.toFixed(2)} s (cpu ${A.check_cpu_s.toFixed(2)} s)`,
    "",
    "",
    "≤ 1 s",
  );
  const [rAdd, rDel, lAdd, lDel] = A.update_kinds_us.map((x) => x.toFixed(0));
  row(
    "analysis re-check after one change (median)",
    `${A.update_us.toFixed(0)} us (cpu ${A.update_cpu_us.toFixed(0)} us)`,
    "",
    "",
    "APKeep < 1 ms/update, Delta-net ~40 us",
  );
  row("  by kind: route add/del, rule add/del", `${rAdd}/${rDel}/${lAdd}/${lDel} us`, "", "", "");
  const cold = A.update_cold_kinds_us.map((x) => x.toFixed(0)).join("/");
  row(
    "  first 200 changes after load",
    `${A.update_cold_us.toFixed(0)} us (${cold})`,
    "",
    "",
    "before V8 compiles the patch paths",
  );
  row(
    "analysis peak RSS (load + analysis)",
    `${A.analysis_rss_mib.toFixed(0)} MiB`,
    "",
    "",
    "≤ 500 MiB",
  );
  const widths = [0, 1, 2, 3, 4].map((c) =>
    Math.max(
      ...rows.map((r) => r[c].length),
      ["metric", "routelab", "anchor (this run)", "ratio", "published anchor"][c].length,
    ),
  );
  const line = (r) =>
    r
      .map((x, i) => x.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  console.log(
    `routelab bench — node ${process.version}, ${cpus().length} CPUs, ${cpus()[0]?.model ?? "?"}`,
  );
  console.log(line(["metric", "routelab", "anchor (this run)", "ratio", "published anchor"]));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of rows) console.log(line(r));
  const kAdd = res.kAddUs ? ` (kernel ${res.kAddUs.toFixed(1)} us)` : "";
  const diff = res.firstDiff
    ? `; first differing kernel answer: ${JSON.stringify(res.firstDiff)}`
    : "";
  console.log(
    `notes: decider fallbacks ${res.fallbacks}/${PROBES};` +
      ` routelab in-process load ${res.inProcessLoad.toFixed(2)} s` +
      ` + FIB index and decider ${res.compileS.toFixed(2)} s;` +
      ` LPM build ${res.lpm4.buildMs.toFixed(0)} ms (v4), ${res.lpm6.buildMs.toFixed(0)} ms (v6);` +
      ` route add alone ${res.addUs.toFixed(1)} us${kAdd}${diff}`,
  );
  // load_s and peak_rss_mib: the `ip route show table all` text load (the table has every format)
  const peak = res.load.text.rssMiB;
  console.log(
    JSON.stringify({
      lpm4_per_s: Math.round(res.lpm4.perSec),
      lpm6_per_s: Math.round(res.lpm6.perSec),
      decisions_per_s: Math.round(res.decisionsPerS),
      kernel_per_s: res.kernelPerS ? Math.round(res.kernelPerS) : null,
      load_s: Number(res.load.text.s.toFixed(3)),
      peak_rss_mib: Math.round(peak),
      change_us: Number(res.changeUs.toFixed(2)),
      map_s: Number(A.map_s.toFixed(3)),
      check_s: Number(A.check_s.toFixed(3)),
      update_us: Number(A.update_us.toFixed(1)),
      update_cold_us: Number(A.update_cold_us.toFixed(1)),
      analysis_rss_mib: Math.round(A.analysis_rss_mib),
    }),
  );
}

main().catch((e) => {
  nsDelete();
  process.stderr.write(`bench failed: ${e.stack ?? e}\n`);
  process.exit(1);
});
