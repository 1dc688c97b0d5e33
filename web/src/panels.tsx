/**
 * The host's panels: the rule table (the rules the last packet tried, the one that decided
 * highlighted), the routing tables, links and addresses, netfilter chains.
 */
import { useEffect, useState } from "preact/hooks";
import { AnalysisPanel } from "./analysis";
import type { Engine } from "./client";
import type { Answer, PanelName } from "./protocol";

const TABS: { id: PanelName | "analysis"; title: string }[] = [
  { id: "rules", title: "Rules" },
  { id: "routes", title: "Tables" },
  { id: "links", title: "Links & addresses" },
  { id: "netfilter", title: "Netfilter" },
  { id: "analysis", title: "Map · Check" },
];

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
  onPacket(words: string): void;
}) {
  const [tab, setTab] = useState<PanelName | "analysis">("rules");
  const [text, setText] = useState<Record<string, string>>({});
  useEffect(() => setText({}), [props.version]);
  useEffect(() => {
    if (tab === "analysis" || text[tab] !== undefined) return;
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
      {tab !== "rules" && tab !== "analysis" && (
        <pre class="panel" data-testid={`panel-text-${tab}`}>
          {text[tab] ?? "…"}
        </pre>
      )}
      {tab === "analysis" && (
        <AnalysisPanel engine={props.engine} version={props.version} onPacket={props.onPacket} />
      )}
    </section>
  );
}
