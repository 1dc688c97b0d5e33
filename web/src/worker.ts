/**
 * The engine's Web Worker: loads the setup into a `Host` (big dumps read in chunks, with
 * progress) and answers packets, so the page stays responsive whatever the input's size.
 * It uses only the package's public entry.
 */
import {
  diffOutput,
  Host,
  type HostInput,
  type Issue,
  type JourneyResult,
  renderIssue,
} from "routelab";
import type {
  Answer,
  IssueView,
  JourneyView,
  PanelName,
  Printed,
  Reply,
  Request,
  SetupFile,
  StepView,
} from "./protocol";

declare const self: DedicatedWorkerGlobalScope;

let host: Host | undefined;
/** The second setup `diff` compares against, and its load issues. */
let against: { host: Host; issues: IssueView[] } | undefined;
const post = (r: Reply) => self.postMessage(r);

/** A blob's text in 1 MiB pieces (FileReaderSync: workers may read synchronously). */
function* blobChunks(blob: Blob): Generator<string> {
  const reader = new FileReaderSync();
  const dec = new TextDecoder("utf-8", { ignoreBOM: true });
  const step = 1 << 20;
  for (let at = 0; at < blob.size; at += step) {
    const buf = reader.readAsArrayBuffer(blob.slice(at, at + step));
    yield dec.decode(new Uint8Array(buf), { stream: true });
  }
  const tail = dec.decode();
  if (tail) yield tail;
}

function inputOf(f: SetupFile): HostInput {
  const blob = f.blob;
  if (blob) return { name: f.name, open: () => blobChunks(blob), size: blob.size };
  return { name: f.name, text: f.text ?? "" };
}

function issueView(i: Issue): IssueView {
  const severity = i.severity === "warning" ? "warning" : "error";
  return {
    severity,
    code: i.code,
    text: renderIssue(i, severity),
    ...(i.loc ? { file: i.loc.file, line: i.loc.line, col: i.loc.col } : {}),
    ...(i.token !== undefined ? { token: i.token } : {}),
  };
}

/** A file the setup names (`ip -batch FILE`, `nft -f FILE`), by one of the setup's names. */
const readerOf = (files: SetupFile[]) => (path: string) =>
  files.find((f) => f.name === path || path.endsWith(`/${f.name}`))?.text;

/** `routelab diff --load (the setup) --against FILES`: text and `-j`, as the CLI prints. */
function diff(id: number, h: Host, files: SetupFile[] | undefined): void {
  if (files) {
    const b = Host.load(files.map(inputOf), { readFile: readerOf(files) });
    against = { host: b, issues: b.issues.map(issueView) };
  }
  const none: Printed = { stdout: "", stderr: "", status: 0 };
  if (!against) return post({ id, type: "diff", issues: [], text: none, json: none });
  const changes = h.diff(against.host);
  const [text, json] = [diffOutput(changes, false), diffOutput(changes, true)];
  post({ id, type: "diff", issues: against.issues, text: printed(text), json: printed(json) });
}

/** Load, then answer the packet in the same task (one message for the first answer). */
function load(id: number, files: SetupFile[], words: string[] | undefined): void {
  const t0 = performance.now();
  let last = 0;
  host = Host.load(files.map(inputOf), {
    progress(file, done, total) {
      const now = performance.now();
      if (now - last < 50) return;
      last = now;
      post({ id, type: "progress", file, done, total });
    },
    readFile: readerOf(files),
  });
  const ms = performance.now() - t0;
  const issues = host.issues.map(issueView);
  post({ id, type: "loaded", issues, ms, ...(words?.length ? { answer: ask(host, words) } : {}) });
}

const printed = (r: { stdout: string; stderr: string; status: number }): Printed => ({
  stdout: r.stdout,
  stderr: r.stderr,
  status: r.status,
});

/** `route get` takes the packet's words except the ones only `trace` knows. */
function routeGetWords(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === "reply") continue;
    if (words[i] === "gid") {
      i++;
      continue;
    }
    out.push(words[i]!);
  }
  return out;
}

/** The deciding rule's line among the explanation's ✓ lines (by its pref). */
function decidingLine(lines: readonly string[], pref: unknown): string | null {
  if (typeof pref !== "number") return null;
  const hits = lines.filter((l) => l.startsWith("  ✓ ") && l.slice(4).startsWith(`${pref}:`));
  return hits.at(-1)?.slice(4) ?? null;
}

function journeyView(h: Host, r: JourneyResult, json: Record<string, unknown>[]): JourneyView {
  const routes = json.filter((s) => s.kind === "route");
  let k = 0;
  const steps = r.trace.map((t): StepView => {
    if (t.kind !== "route") return t as StepView;
    const lines = h.explainDecision(t.decision);
    return {
      kind: "route",
      stage: t.stage,
      ok: t.decision.ok,
      lines,
      rule: decidingLine(lines, routes[k++]?.rule),
    };
  });
  const f = r.final;
  return {
    steps,
    final: {
      verdict: f.verdict,
      oif: f.oif,
      mark: f.mark,
      ...(f.reason ? { reason: f.reason } : {}),
      ...(f.error ? { error: f.error } : {}),
    },
    ...(r.original ? { original: journeyView(h, r.original, []) } : {}),
  };
}

function ask(h: Host, words: string[]): Answer {
  const t0 = performance.now();
  const rg = routeGetWords(words);
  const traceJson = printed(h.ip(["-j", "trace", ...words]));
  const j = h.trace(words);
  let json: Record<string, unknown>[] = [];
  try {
    json = JSON.parse(traceJson.stdout).trace ?? [];
  } catch {
    json = [];
  }
  const v6 = words.some((w) => /^[0-9a-f]*:[0-9a-f:.]*$/i.test(w) && w.includes(":"));
  return {
    words,
    trace: printed(h.ip(["trace", ...words])),
    traceJson,
    routeGet: printed(h.ip(["route", "get", ...rg])),
    routeGetJson: printed(h.ip(["-j", "route", "get", ...rg])),
    explain: printed(h.ip(["explain", ...rg])),
    journey: j.ok ? journeyView(h, j.value, json) : null,
    rules: h.ip([v6 ? "-6" : "-4", "rule", "show"]).stdout,
    ms: performance.now() - t0,
  };
}

/** Panels show at most this many lines (a 200k-route table is for the CLI). */
const PANEL_LINES = 3000;

function cap(text: string): string {
  const lines = text.split("\n");
  if (lines.length <= PANEL_LINES) return text;
  return `${lines.slice(0, PANEL_LINES).join("\n")}\n… ${lines.length - PANEL_LINES} more lines\n`;
}

function panel(h: Host, p: PanelName): string {
  const sec = (title: string, body: string) => (body.trim() ? `# ${title}\n${body}\n` : "");
  switch (p) {
    case "rules":
      return (
        sec("ip rule show", h.ip(["rule", "show"]).stdout) +
        sec("ip -6 rule show", h.ip(["-6", "rule", "show"]).stdout)
      );
    case "routes":
      return cap(
        sec("ip route show table all", h.ip(["route", "show", "table", "all"]).stdout) +
          sec("ip -6 route show table all", h.ip(["-6", "route", "show", "table", "all"]).stdout),
      );
    case "links":
      return cap(h.ip(["address", "show"]).stdout);
    case "netfilter":
      return (
        sec("iptables-save", h.iptablesSave(4)) +
          sec("ip6tables-save", h.iptablesSave(6)) +
          sec("nft list ruleset", h.nftListRuleset()) || "(no netfilter rules)\n"
      );
  }
}

self.onmessage = (e: MessageEvent<Request>) => {
  const m = e.data;
  try {
    if (m.type === "load") return load(m.id, m.files, m.words);
    if (!host) host = Host.load([]);
    if (m.type === "ask") return post({ id: m.id, type: "answer", answer: ask(host, m.words) });
    if (m.type === "diff") return diff(m.id, host, m.files);
    if (m.type === "analysis") {
      // `routelab map` / `check` / `lint`, text and JSON exactly as the CLI prints them.
      const text = printed(host.ip([m.cmd, ...m.args]));
      const json = printed(host.ip(["-j", m.cmd, ...m.args]));
      return post({ id: m.id, type: "analysis", text, json });
    }
    post({ id: m.id, type: "panel", text: panel(host, m.panel) });
  } catch (x) {
    post({
      id: m.id,
      type: "error",
      message: `internal error: ${(x as Error).message ?? String(x)}`,
    });
  }
};
