/**
 * `routelab serve [--load FILE]… [--against FILE]… [--port N]`: the web page (dist-web/,
 * built by `npm run build:web`) on 127.0.0.1 only, with the loaded files handed to it (the
 * `--against` ones are the second setup its Diff panel compares with, as `routelab diff`
 * does). The engine runs in the page; this server only serves files: the static site,
 * `/setup.json` (the names and sizes of the files) and `/files/N` (their bytes).
 * @module
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { basename, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const SERVE_USAGE =
  "Usage: routelab serve [--load FILE]... [--against FILE]... [--port N]\n";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

/** Tells the page that `/setup.json` holds the `--load` files. */
export const SETUP_META = '<meta name="routelab-setup" content="setup.json" />';

/** What `serve` was asked: the files to hand to the page and the port (0: any free one). */
export interface ServeArgs {
  loads: string[];
  /** The second setup (`--against`), for the page's diff. */
  against?: string[];
  port: number;
}

/** Parse `serve`'s arguments; a string is the usage error to print. */
export function parseServeArgs(argv: readonly string[]): ServeArgs | string {
  const out: ServeArgs = { loads: [], port: 8080 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    if ((a === "--load" || a === "-l") && v !== undefined) {
      out.loads.push(v);
      i++;
    } else if (a.startsWith("--load=")) out.loads.push(a.slice(7));
    else if (a === "--against" && v !== undefined) {
      out.against = [...(out.against ?? []), v];
      i++;
    } else if (a === "--port" && v !== undefined && /^\d+$/.test(v) && Number(v) < 65536) {
      out.port = Number(v);
      i++;
    } else return `routelab serve: unexpected "${a}"\n${SERVE_USAGE}`;
  }
  return out;
}

/** dist-web/ next to dist/ (this file is dist/server/serve.js once built). */
export function siteDir(): string {
  return fileURLToPath(new URL("../../dist-web/", import.meta.url));
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    "content-type": type,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(body);
}

/** A file under the site directory, or undefined (no `..` escapes, no directories). */
function siteFile(root: string, urlPath: string): string | undefined {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (rel.endsWith("/")) rel += "index.html";
  const p = normalize(join(root, rel));
  if (!p.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  return existsSync(p) && statSync(p).isFile() ? p : undefined;
}

/** `/setup.json`: the `--load` files, then the `--against` ones (numbered after them). */
function setupJson(loads: readonly string[], against: readonly string[]): string {
  const entry = (f: string, k: number) => ({
    name: basename(f),
    url: `files/${k}`,
    size: statSync(f).size,
  });
  const files = loads.map(entry);
  if (!against.length) return JSON.stringify({ files });
  return JSON.stringify({ files, against: against.map((f, k) => entry(f, loads.length + k)) });
}

/** The request handler: the site, `/setup.json` and `/files/N`. */
export function handler(root: string, loads: readonly string[], against: readonly string[] = []) {
  const all = [...loads, ...against];
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, TYPES[".txt"]!, "");
    if (path === "/setup.json") return send(res, 200, TYPES[".json"]!, setupJson(loads, against));
    const m = /^\/files\/(\d+)$/.exec(path);
    if (m) {
      const f = all[Number(m[1])];
      if (f === undefined) return send(res, 404, TYPES[".txt"]!, "no such file\n");
      return send(res, 200, TYPES[".txt"]!, readFileSync(f));
    }
    const p = siteFile(root, path);
    if (!p) return send(res, 404, TYPES[".txt"]!, "not found\n");
    // The page fetches /setup.json only when told there is one (a static host has none).
    if (p.endsWith(`${sep}index.html`) && all.length) {
      const html = readFileSync(p, "utf8").replace("</head>", `${SETUP_META}</head>`);
      return send(res, 200, TYPES[".html"]!, html);
    }
    send(res, 200, TYPES[extname(p)] ?? "application/octet-stream", readFileSync(p));
  };
}

/**
 * Start the server; resolves with its URL once it listens. Files are read when asked, so
 * edits on disk show after a reload.
 */
export function serve(args: ServeArgs, root = siteDir()): Promise<{ url: string; close(): void }> {
  const dir = resolve(root);
  const abs = (fs: readonly string[] | undefined) => (fs ?? []).map((f) => resolve(f));
  const server = createServer(handler(dir, abs(args.loads), abs(args.against)));
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(args.port, "127.0.0.1", () => {
      const a = server.address();
      const port = typeof a === "object" && a ? a.port : args.port;
      ok({ url: `http://127.0.0.1:${port}/`, close: () => server.close() });
    });
  });
}

/** The CLI's `serve` command: check the inputs, start, print the URL; the exit status. */
export async function serveMain(argv: readonly string[]): Promise<number> {
  const args = parseServeArgs(argv);
  if (typeof args === "string") {
    process.stderr.write(args);
    return 2;
  }
  for (const f of [...args.loads, ...(args.against ?? [])])
    if (!existsSync(f) || !statSync(f).isFile()) {
      process.stderr.write(`routelab: cannot read "${f}": No such file or directory\n`);
      return 2;
    }
  if (!existsSync(join(siteDir(), "index.html"))) {
    process.stderr.write(`routelab: the web page is not built (${siteDir()}): npm run build:web\n`);
    return 2;
  }
  try {
    const { url } = await serve(args);
    process.stdout.write(`routelab: serving ${url} (Ctrl-C stops)\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`routelab: cannot listen on 127.0.0.1:${args.port}: ${String(e)}\n`);
    return 1;
  }
}
