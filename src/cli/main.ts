#!/usr/bin/env node
/**
 * `routelab`: iproute2's `ip` against a virtual host built from scripts and dumps.
 *
 *   routelab [--load FILE]... [-4|-6] [-j] [-p] [-d] [-force] [-batch FILE] OBJECT COMMAND...
 *   routelab --load FILE explain <route get arguments>
 *   routelab --load FILE report
 *
 * Options follow iproute2 (single-dash long options, unique prefixes), which is why they
 * are read here rather than by a general CLI library.
 * @module
 */
import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync } from "node:fs";
import {
  diffOutput,
  Host,
  parseListen,
  renderIssue,
  type Issue,
  type HostInput,
  type HostOptions,
  type ListenSpec,
} from "../index.js";
import { captureMain } from "../live/capture.js";
import { serveMain } from "../server/serve.js";

const USAGE = `Usage: routelab [--load FILE]... [ OPTIONS ] OBJECT { COMMAND | help }
       routelab [--load FILE]... [ OPTIONS ] -batch FILE
       routelab [--load FILE]... explain ROUTE-GET-ARGS
       routelab [--load FILE]... report
       routelab [--load FILE]... [--listen "udp|tcp ADDR PORT [transparent]"]... trace PACKET
       routelab [--load FILE]... [-j] map [PACKETS]
       routelab [--load FILE]... [-j] check 'always|never: PACKETS -> OUTCOME'... [--file FILE]
       routelab [--load FILE]... [-j] lint [--ssh-peer ADDR]
       routelab diff [-j] --load FILE... --against FILE...
       routelab capture [-o FILE] [--netns NS]
       routelab serve [--load FILE]... [--against FILE]... [--port N]
where  OBJECT := { link | address | route | rule }
       OPTIONS := { -4 | -6 | -j[son] | -p[retty] | -d[etails] | -force | -batch FILE }
Files given with --load are setup scripts (ip, sysctl, iptables, nft lines) or dumps
(ip -j link/addr/rule/route output, ip rule / ip route show text, sysctl -a,
iptables-save, nft list ruleset text or -j, a routelab capture); --load -6:FILE reads
a dump as IPv6. --rt-tables FILE and --passwd FILE name tables and users.

Commands, with an example each (OBJECT help prints iproute2's usage of that object):
  route get      routelab --load setup.sh route get 1.1.1.1 mark 0x80 uid 1000 dport 443
  rule           routelab --load setup.sh rule show
  route          routelab --load setup.sh route show table all
  link, address  routelab --load setup.sh address show dev eth0
  trace          routelab --load setup.sh trace 8.8.8.8 from 192.168.1.10 iif eth1 dport 53
  explain        routelab --load setup.sh explain 1.1.1.1 mark 0x80
  report         routelab --load setup.sh report
  iptables-save  routelab --load setup.sh iptables-save -t mangle
  ip6tables-save routelab --load setup.sh ip6tables-save
  nft            routelab --load setup.sh nft list ruleset
  capture        routelab capture -o this-host.json  (this machine, to --load elsewhere)
  -batch         routelab --load setup.sh -force -batch questions.txt
Exit status: 0 answered; 1 or 2 the command failed as ip would fail (255 for usage);
2 a --load file could not be read or had errors (nothing answered); 70 an internal error.
`;

/** The version in the package's own package.json (dist/cli/main.js → ../../package.json). */
function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

/** Why each failed read failed, as strerror() words (for `cannot read` messages). */
const readErrors = new Map<string, string>();

/** strerror() of the errno codes a read can fail with (Node gives the code only). */
const STRERROR: Record<string, string> = {
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  EISDIR: "Is a directory",
  ENOTDIR: "Not a directory",
  ELOOP: "Too many levels of symbolic links",
  ENAMETOOLONG: "File name too long",
  EMFILE: "Too many open files",
  ENFILE: "Too many open files in system",
  EIO: "Input/output error",
  ENXIO: "No such device or address",
  EAGAIN: "Resource temporarily unavailable",
  EINVAL: "Invalid argument",
  ENOMEM: "Cannot allocate memory",
  ERR_STRING_TOO_LONG: "File too large",
};

function strerror(e: unknown): string {
  const code = (e as { code?: string }).code ?? "";
  return STRERROR[code] ?? (code || (e as Error).message || String(e));
}

function readText(path: string): string | undefined {
  try {
    return path === "-" ? readFileSync(0, "utf8") : readFileSync(path, "utf8");
  } catch (e) {
    readErrors.set(path, strerror(e));
    return undefined;
  }
}

/** A directory's entries for nft `include` globs, subdirectories with a trailing `/`. */
function readDir(path: string): string[] | undefined {
  try {
    return readdirSync(path, { withFileTypes: true }).map((d) =>
      d.isDirectory() ? `${d.name}/` : d.name,
    );
  } catch {
    return undefined;
  }
}

/** Files from this size on are read in chunks (never whole) and route dumps in them streamed. */
const BIG_FILE = 1 << 20;

function fileSize(path: string): number {
  if (path === "-") return -1;
  try {
    const st = statSync(path);
    // A directory or device is read (and refused) the ordinary way, with its errno.
    return st.isFile() ? st.size : -1;
  } catch {
    return -1;
  }
}

/**
 * A file's text in 64 KiB pieces (young-generation strings: no large garbage), UTF-8 with
 * the BOM kept as readFileSync keeps it.
 */
function* fileChunks(path: string): Generator<string> {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 16);
    const dec = new TextDecoder("utf-8", { ignoreBOM: true });
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      yield dec.decode(buf.subarray(0, n), { stream: true });
    }
    const tail = dec.decode();
    if (tail) yield tail;
  } finally {
    closeSync(fd);
  }
}

/**
 * A progress line for long loads: only on a terminal, only once a load has run for a
 * second, at most ten updates a second; `done()` clears it.
 */
function progressLine(): { progress?: HostOptions["progress"]; done(): void } {
  if (!process.stderr.isTTY) return { done() {} };
  const t0 = Date.now();
  let last = 0,
    shown = false;
  return {
    progress(file, done, total) {
      const now = Date.now();
      if (now - t0 < 1000 || now - last < 100) return;
      last = now;
      shown = true;
      const pct = total > 0 ? ` ${Math.min(100, Math.floor((done * 100) / total))}%` : "";
      process.stderr.write(
        `\rroutelab: loading ${file}${pct} (${(done / 1048576).toFixed(0)} MiB, ` +
          `${((now - t0) / 1000).toFixed(1)} s)\x1b[K`,
      );
    },
    done() {
      if (shown) process.stderr.write("\r\x1b[K");
    },
  };
}

/** `--load -6:FILE`: the family a dump is to be read as. */
function askedFamily(f: string): { path: string; family?: 4 | 6 } {
  const m = /^-([46]):(.+)$/.exec(f);
  return m ? { path: m[2]!, family: Number(m[1]) as 4 | 6 } : { path: f };
}

/** `--rt-tables FILE` / `--passwd FILE`: name files read before the inputs. */
const NAME_FILES: Record<string, "rtTables" | "passwd"> = {
  "--rt-tables": "rtTables",
  "--passwd": "passwd",
};

/** The `--load` files (big ones in chunks); undefined when one cannot be read. */
function readInputs(loads: readonly string[]): HostInput[] | undefined {
  const inputs: HostInput[] = [];
  for (const spec of loads) {
    const { path: f, family } = askedFamily(spec);
    const asked = family ? { family } : {};
    const size = fileSize(f);
    if (size >= BIG_FILE) {
      inputs.push({ name: f, open: () => fileChunks(f), size, ...asked });
      continue;
    }
    const text = readText(f);
    if (text === undefined) {
      const why = readErrors.get(f) ?? "No such file or directory";
      process.stderr.write(`routelab: cannot read "${f}": ${why}\n`);
      return undefined;
    }
    inputs.push({ name: f, text, ...asked });
  }
  return inputs;
}

/** Read the file of `--rt-tables FILE` / `--passwd FILE` into `into`; false when it cannot. */
function readNameFile(opt: string, f: string | undefined, into: { name: string; text: string }[]) {
  const text = f === undefined ? undefined : readText(f);
  if (f === undefined || text === undefined) {
    process.stderr.write(`routelab: ${opt} needs a readable file\n`);
    return false;
  }
  into.push({ name: f, text });
  return true;
}

/**
 * `routelab diff [-j] --load A… --against B…`: the packets whose routing outcome changes
 * from host A to host B. Exit 0 nothing changes, 1 something does, 2 bad input.
 */
function diffMain(argv: readonly string[]): number {
  const files: Record<"load" | "against", string[]> = { load: [], against: [] };
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "diff") continue;
    if (a === "-j" || a === "-json") json = true;
    else if ((a === "--load" || a === "-l" || a === "--against") && argv[i + 1])
      files[a === "--against" ? "against" : "load"].push(argv[++i]!);
    else {
      process.stderr.write(`routelab diff: unexpected "${a}"\n${USAGE}`);
      return 2;
    }
  }
  const hosts: Host[] = [];
  for (const list of [files.load, files.against]) {
    const inputs = readInputs(list);
    if (!inputs) return 2;
    const h = Host.load(inputs, { readFile: readText, readDir });
    for (const e of h.errors) process.stderr.write(renderIssue(e, "error") + "\n");
    if (h.errors.length) return 2;
    hosts.push(h);
  }
  const r = diffOutput(hosts[0]!.diff(hosts[1]!), json);
  process.stdout.write(r.stdout);
  return r.status;
}

function main(argv: string[]): number {
  if (argv[0] === "capture") return captureMain(argv.slice(1));
  if (argv.includes("diff") && argv.includes("--against")) return diffMain(argv);
  // The web page's server runs until stopped; its status comes when it listens (or fails).
  if (argv[0] === "serve") {
    void serveMain(argv.slice(1)).then((status) => {
      process.exitCode = status;
    });
    return 0;
  }
  const g = globalOptions(argv);
  if (typeof g === "number") return g;
  const host = loadHost(g);
  if (typeof host === "number") return host;
  return answer(host, argv.slice(g.next), g.loads.length > 0);
}

/** routelab's own options before the `ip` words. */
interface GlobalOptions {
  loads: string[];
  names: { rtTables: { name: string; text: string }[]; passwd: { name: string; text: string }[] };
  listens: ListenSpec[] | undefined;
  /** Where the `ip` words start. */
  next: number;
}

/** Read routelab's options (`--load`, `--listen`, name files); an exit status when done. */
function globalOptions(argv: string[]): GlobalOptions | number {
  const g: GlobalOptions = {
    loads: [],
    names: { rtTables: [], passwd: [] },
    listens: undefined,
    next: 0,
  };
  while (g.next < argv.length) {
    const step = globalOption(argv, g.next, g);
    if (step === "stop") break;
    if (typeof step === "object") return step.status;
    g.next += step;
  }
  return g;
}

/** One option at argv[i]: how many words it took, "stop" at the `ip` words, or a status. */
function globalOption(
  argv: string[],
  i: number,
  g: GlobalOptions,
): number | "stop" | { status: number } {
  const a = argv[i]!;
  const nameFile = NAME_FILES[a];
  if (nameFile) return readNameFile(a, argv[i + 1], g.names[nameFile]) ? 2 : { status: 2 };
  if (a === "--load" || a === "-l" || a === "--file") {
    const f = argv[i + 1];
    if (!f) {
      process.stderr.write("routelab: --load needs a file\n");
      return { status: 2 };
    }
    g.loads.push(f);
    return 2;
  }
  if (a.startsWith("--load=")) {
    g.loads.push(a.slice(7));
    return 1;
  }
  if (a === "--listen") {
    const l = parseListen(argv[i + 1] ?? "");
    if (!l.ok) {
      process.stderr.write(`routelab: ${l.error.message}\n`);
      return { status: 2 };
    }
    (g.listens ??= []).push(l.value);
    return 2;
  }
  if (a === "-h" || a === "--help" || a === "help") {
    process.stdout.write(USAGE);
    return { status: 0 };
  }
  if (a === "-V" || a === "--version") {
    process.stdout.write(`routelab ${version()} (speaks iproute2-6.1.0)\n`);
    return { status: 0 };
  }
  return "stop";
}

/** Load the host from the `--load` files; exit status 2 (after the issues) when it fails. */
function loadHost({ loads, names, listens }: GlobalOptions): Host | number {
  const inputs = readInputs(loads);
  if (!inputs) return 2;
  const pl = progressLine();
  const opts: HostOptions = {
    readFile: readText,
    readDir,
    readError: (p) => readErrors.get(p),
    readChunks: (p) => {
      const size = fileSize(p);
      return size >= BIG_FILE ? { chunks: fileChunks(p), size } : undefined;
    },
    now: ctime,
  };
  if (pl.progress) opts.progress = pl.progress;
  if (names.rtTables.length) opts.rtTables = names.rtTables;
  if (names.passwd.length) opts.passwd = names.passwd;
  if (listens) opts.listens = listens;
  const host = Host.load(inputs, opts);
  pl.done();
  const errors = host.errors;
  printBounded(
    host.issues.filter((x) => x.severity === "warning"),
    "warning",
  );
  if (errors.length) {
    printBounded(errors, "error");
    process.stderr.write(
      `routelab: ${errors.length} error${errors.length > 1 ? "s" : ""} while loading; ` +
        "nothing was answered\n",
    );
    return 2;
  }
  return host;
}

/** Run the `ip` words on the host and print as ip does; the exit status. */
function answer(host: Host, words: string[], loaded: boolean): number {
  const r = host.ip(words);
  if (r.noCommand) {
    process.stdout.write(USAGE);
    return loaded ? 0 : 1;
  }
  // In ip's order, so a shared stream (2>&1) reads as ip's does.
  const order = r.order ?? [
    [1, r.stdout],
    [2, r.stderr],
  ];
  for (const [fd, t] of order) (fd === 1 ? process.stdout : process.stderr).write(t);
  // A bare "Network is unreachable" from a host nobody loaded helps no one: say why.
  if (!loaded && r.status !== 0 && r.status !== 255)
    process.stderr.write(
      "routelab: warning: nothing was loaded (no --load FILE): the host has only its " +
        "loopback device, down, and no routes; see routelab --help\n",
    );
  return r.status;
}

/** Issues printed in full before the rest are only counted (a generated file may have 100k). */
const SHOW_ISSUES = 50;

/** The first {@link SHOW_ISSUES} issues, then `… and K more`. */
function printBounded(list: readonly Issue[], kind: "error" | "warning"): void {
  let text = "";
  for (const x of list.slice(0, SHOW_ISSUES)) text += renderIssue(x, kind) + "\n";
  const more = list.length - SHOW_ISSUES;
  if (more > 0) text += `routelab: … and ${more} more ${kind}${more > 1 ? "s" : ""}\n`;
  process.stderr.write(text);
}

/** iptables-save prints ctime() of now: "Thu Nov 26 07:33:16 2026". */
function ctime(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  const day = d.toDateString();
  const time = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  const date = String(d.getDate()).padStart(2, " ");
  return `${day.slice(0, 3)} ${day.slice(4, 7)} ${date} ${time} ${d.getFullYear()}`;
}

// `routelab … | head`: a closed pipe ends the output quietly, as it does for ip.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  // A bug in routelab, not in the input: say so in one line, never a stack trace.
  process.stderr.write(
    `routelab: internal error: ${(e as Error).message ?? String(e)} ` +
      "(please report this with the input that caused it)\n",
  );
  process.exitCode = 70;
}
