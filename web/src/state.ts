/**
 * Where the page starts (the URL, `routelab serve`'s files, or an example), and the panels'
 * part of the page's state in the URL (url.ts): the panel shown, diff's second setup (a
 * bundled choice by id, or its files when they are small enough for a link), lint's option,
 * the map's filter and the check's assertion.
 */
import type { AnalysisAsked } from "./analysis";
import { type AgainstSetup, againstChoice } from "./diff";
import { EXAMPLES, exampleById } from "./examples";
import { TABS, type Tab } from "./panels";
import type { SetupFile } from "./protocol";
import { decodeState, type UrlState } from "./url";

/** Files small enough for a link (big dumps are not), as the URL keeps them. */
export const linkable = (fs: SetupFile[]) =>
  fs.every((f) => f.text !== undefined && f.size < 200_000)
    ? fs.map((f) => ({ name: f.name, text: f.text ?? "" }))
    : undefined;

/** The panels' part of the URL: the panel shown, diff's second setup, what was asked. */
export interface PanelState {
  tab: Tab;
  against: AgainstSetup | undefined;
  sshPeer: string;
  asked: AnalysisAsked;
}

export function panelUrl(p: PanelState): UrlState {
  const s: UrlState = {};
  if (p.tab !== "rules") s.panel = p.tab;
  if (p.against?.choice) s.against = p.against.choice;
  else if (p.against) {
    const fs = linkable(p.against.files);
    if (fs) s.againstFiles = fs;
  }
  if (p.sshPeer) s.sshPeer = p.sshPeer;
  if (p.asked.map) s.map = p.asked.map;
  if (p.asked.check) s.check = p.asked.check;
  return s;
}

export function panelFromUrl(s: UrlState): Partial<PanelState> {
  const out: Partial<PanelState> = {};
  if (TABS.some((t) => t.id === s.panel)) out.tab = s.panel as Tab;
  if (s.against) out.against = againstChoice(s.against);
  else if (s.againstFiles?.length)
    out.against = { files: s.againstFiles.map((f) => ({ ...f, size: f.text.length })) };
  if (typeof s.sshPeer === "string") out.sshPeer = s.sshPeer;
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  if (s.map || s.check) out.asked = { map: text(s.map), check: text(s.check) };
  return out;
}

export const exampleFiles = (id: string): SetupFile[] =>
  (exampleById(id)?.files ?? []).map((f) => ({ ...f, size: f.text.length }));

/** A file `routelab serve` hands the page: big ones stay bytes (read in the worker). */
async function served(f: { name: string; url: string }): Promise<SetupFile> {
  const blob = await (await fetch(f.url)).blob();
  return blob.size >= 1 << 20
    ? { name: f.name, blob, size: blob.size }
    : { name: f.name, text: await blob.text(), size: blob.size };
}

interface Served {
  files: { name: string; url: string }[];
  against?: { name: string; url: string }[];
}

/**
 * Where the page starts: the URL's state, else `routelab serve`'s files (and its `--against`
 * files as diff's second setup, the Diff panel shown), else an example.
 */
export async function initialState(): Promise<{
  files: SetupFile[];
  example?: string;
  against?: SetupFile[];
  s: UrlState;
}> {
  const s = (await decodeState(location.hash)) ?? {};
  if (s.example && exampleById(s.example))
    return { files: exampleFiles(s.example), example: s.example, s };
  if (s.files?.length) return { files: s.files.map((f) => ({ ...f, size: f.text.length })), s };
  try {
    // Only `routelab serve` has a setup.json, and it says so in the page.
    const meta = document.querySelector<HTMLMetaElement>('meta[name="routelab-setup"]');
    if (!meta) throw new Error("no setup.json");
    const r = await fetch(meta.content);
    const setup = r.ok ? ((await r.json()) as Served) : undefined;
    if (setup?.files.length) {
      const files = await Promise.all(setup.files.map(served));
      if (!setup.against?.length) return { files, s: { packet: "1.1.1.1", ...s } };
      const against = await Promise.all(setup.against.map(served));
      return { files, against, s: { packet: "1.1.1.1", panel: "diff", ...s } };
    }
  } catch {
    // A static host without `routelab serve`: no setup.json.
  }
  const first = EXAMPLES[0]!;
  return { files: exampleFiles(first.id), example: first.id, s: { packet: first.packet, ...s } };
}
