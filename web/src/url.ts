/**
 * The page's state in the URL fragment, deflated (CompressionStream) and base64url-coded,
 * so a setup and a question are one link. Nothing leaves the browser: the fragment is
 * never sent to a server.
 */

export interface UrlState {
  /** An unchanged bundled example, by id. */
  example?: string;
  /** Or the files themselves (small ones; big dumps do not fit in a link). */
  files?: { name: string; text: string }[];
  /** The packet's `trace` words. */
  packet?: string;
  /** The output view shown. */
  view?: string;
  /** The host panel shown (rules, lint, diff…). */
  panel?: string;
  /** diff's second setup: a bundled choice by id, or small files. */
  against?: string;
  againstFiles?: { name: string; text: string }[];
  /** lint's `--ssh-peer ADDR`. */
  sshPeer?: string;
  /** The map's filter and the check's assertion. */
  map?: string;
  check?: string;
}

const b64url = (bytes: Uint8Array) => {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const unb64url = (s: string) => {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
};

async function pipe(bytes: Uint8Array, t: CompressionStream | DecompressionStream) {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(t);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function encodeState(s: UrlState): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(s));
  return `s=${b64url(await pipe(json, new CompressionStream("deflate-raw")))}`;
}

export async function decodeState(hash: string): Promise<UrlState | undefined> {
  const m = /(?:^#?|&)s=([A-Za-z0-9_-]+)/.exec(hash);
  if (!m) return undefined;
  try {
    const bytes = await pipe(unb64url(m[1]!), new DecompressionStream("deflate-raw"));
    const v = JSON.parse(new TextDecoder().decode(bytes));
    return v && typeof v === "object" ? (v as UrlState) : undefined;
  } catch {
    return undefined;
  }
}
