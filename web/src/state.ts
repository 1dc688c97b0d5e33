/**
 * The panels' part of the page's state in the URL (url.ts): the panel shown, diff's second
 * setup (a bundled choice by id, or its files when they are small enough for a link) and
 * lint's option.
 */
import { type AgainstSetup, againstChoice } from "./diff";
import { TABS, type Tab } from "./panels";
import type { SetupFile } from "./protocol";
import type { UrlState } from "./url";

/** Files small enough for a link (big dumps are not), as the URL keeps them. */
export const linkable = (fs: SetupFile[]) =>
  fs.every((f) => f.text !== undefined && f.size < 200_000)
    ? fs.map((f) => ({ name: f.name, text: f.text ?? "" }))
    : undefined;

/** The panels' part of the URL: the panel shown, diff's second setup, lint's option. */
export interface PanelState {
  tab: Tab;
  against: AgainstSetup | undefined;
  sshPeer: string;
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
  return s;
}

export function panelFromUrl(s: UrlState): Partial<PanelState> {
  const out: Partial<PanelState> = {};
  if (TABS.some((t) => t.id === s.panel)) out.tab = s.panel as Tab;
  if (s.against) out.against = againstChoice(s.against);
  else if (s.againstFiles?.length)
    out.against = { files: s.againstFiles.map((f) => ({ ...f, size: f.text.length })) };
  if (typeof s.sshPeer === "string") out.sshPeer = s.sshPeer;
  return out;
}
