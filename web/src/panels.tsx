/**
 * The host's panels: the rule table (the rules the last packet tried, the one that decided
 * highlighted), the routing tables, links and addresses, netfilter chains; and the
 * whole-space analysis: map and check, lint, diff against a second setup.
 */
import { useEffect, useState } from "preact/hooks";
import { type AnalysisAsked, AnalysisPanel } from "./analysis";
import type { Engine } from "./client";
import { type AgainstSetup, DiffPanel } from "./diff";
import { LintPanel } from "./lint";
import type { Answer, PanelName, SetupFile } from "./protocol";

export type Tab = PanelName | "analysis" | "lint" | "diff";

export const TABS: { id: Tab; title: string }[] = [
  { id: "rules", title: "Rules" },
  { id: "routes", title: "Tables" },
  { id: "links", title: "Links & addresses" },
  { id: "netfilter", title: "Netfilter" },
  { id: "analysis", title: "Map · Check" },
  { id: "lint", title: "Lint" },
  { id: "diff", title: "Diff" },
];

const isText = (t: Tab): t is Exclude<PanelName, "rules"> =>
  t === "routes" || t === "links" || t === "netfilter";

/** What the analysis panels share with the page (and its URL). */
export interface AnalysisState {
  files: SetupFile[];
  example: string | undefined;
  against: AgainstSetup | undefined;
  onAgainst(a: AgainstSetup): void;
  /** The second setup becomes the setup, and the setup the second. */
  onSwap(): void;
  sshPeer: string;
  onSshPeer(v: string): void;
  asked: AnalysisAsked;
  onAsked(a: AnalysisAsked): void;
}

/** The last route step's explanation: which rule lines were tried, which one decided. */
function hits(a: Answer | null): { tried: Set<string>; hit: string | null } {
  const routes = a?.journey?.steps.filter((s) => s.kind === "route") ?? [];
  const last = routes.at(-1);
  const tried = new Set<string>();
  if (last?.kind !== "route") return { tried, hit: null };
  for (const l of last.lines)
    if (l.startsWith("  ✓ ") || l.startsWith("  · ")) tried.add(l.slice(4).split("    — ")[0]!);
  return { tried, hit: last.rule };
}

function RuleTable({ answer, text }: { answer: Answer | null; text: string }) {
  const { tried, hit } = hits(answer);
  const lines = (answer?.rules ?? text).split("\n").filter((l) => l && !l.startsWith("# "));
  return (
    <table class="rules" data-testid="rule-table">
      <tbody>
        {lines.map((l, k) => {
          const [pref, rest] = l.split(":\t");
          const cls = l === hit ? "hit" : tried.has(l) ? "tried" : "";
          return (
            <tr key={k} class={cls} data-hit={l === hit ? "1" : undefined}>
              <td class="pref">{pref}</td>
              <td>{rest ?? ""}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function Panels(props: {
  engine: Engine;
  version: number;
  answer: Answer | null;
  tab: Tab;
  onTab(t: Tab): void;
  state: AnalysisState;
  onPacket(words: string): void;
}) {
  const { tab, onTab: setTab, state: st } = props;
  const [text, setText] = useState<Record<string, string>>({});
  useEffect(() => setText({}), [props.version]);
  useEffect(() => {
    if ((tab !== "rules" && !isText(tab)) || text[tab] !== undefined) return;
    void props.engine.panel(tab).then((t) => setText((o) => ({ ...o, [tab]: t })));
  }, [tab, text, props.version]);
  return (
    <section class="panels" aria-label="the host">
      <div class="tabs" role="tablist" aria-label="host panels">
        {TABS.map((t) => (
          <button
            type="button"
            role="tab"
            key={t.id}
            aria-selected={tab === t.id}
            data-testid={`panel-${t.id}`}
            onClick={() => setTab(t.id)}
          >
            {t.title}
          </button>
        ))}
      </div>
      {tab === "rules" && <RuleTable answer={props.answer} text={text.rules ?? ""} />}
      {isText(tab) && (
        <pre class="panel" data-testid={`panel-text-${tab}`}>
          {text[tab] ?? "…"}
        </pre>
      )}
      {tab === "analysis" && (
        <AnalysisPanel
          engine={props.engine}
          version={props.version}
          asked={st.asked}
          onAsked={st.onAsked}
          onPacket={props.onPacket}
        />
      )}
      {tab === "lint" && (
        <LintPanel
          engine={props.engine}
          version={props.version}
          sshPeer={st.sshPeer}
          onSshPeer={st.onSshPeer}
          onPacket={props.onPacket}
        />
      )}
      {tab === "diff" && (
        <DiffPanel
          engine={props.engine}
          version={props.version}
          files={st.files}
          example={st.example}
          against={st.against}
          onAgainst={st.onAgainst}
          onSwap={st.onSwap}
          onPacket={props.onPacket}
        />
      )}
    </section>
  );
}
