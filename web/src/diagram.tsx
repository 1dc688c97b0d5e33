/**
 * The packet's path drawn on the kernel's hook skeleton: PREROUTING → routing decision →
 * INPUT or FORWARD → POSTROUTING, and local process → route lookup → OUTPUT → re-route →
 * POSTROUTING (laid out by hand, the same for every packet), then the steps in order: the
 * chains and rules visited with their verdicts and mark changes, and the RPDB rules tried.
 */
import type { JourneyView, StepView } from "./protocol";

interface Node {
  id: string;
  label: string;
  x: number;
  y: number;
  kind: "hook" | "route" | "end";
}

const NODES: Node[] = [
  { id: "wire-in", label: "in (iif)", x: 50, y: 50, kind: "end" },
  { id: "prerouting", label: "PREROUTING", x: 180, y: 50, kind: "hook" },
  { id: "route-input", label: "routing decision", x: 320, y: 50, kind: "route" },
  { id: "forward", label: "FORWARD", x: 460, y: 50, kind: "hook" },
  { id: "postrouting", label: "POSTROUTING", x: 600, y: 50, kind: "hook" },
  { id: "wire-out", label: "out (oif)", x: 725, y: 50, kind: "end" },
  { id: "input", label: "INPUT", x: 320, y: 140, kind: "hook" },
  { id: "reroute", label: "re-route", x: 600, y: 140, kind: "route" },
  { id: "local", label: "local process", x: 320, y: 230, kind: "end" },
  { id: "route-socket", label: "route lookup", x: 460, y: 230, kind: "route" },
  { id: "output", label: "OUTPUT", x: 600, y: 230, kind: "hook" },
];

const EDGES = [
  "wire-in>prerouting",
  "prerouting>route-input",
  "route-input>forward",
  "forward>postrouting",
  "postrouting>wire-out",
  "route-input>input",
  "input>local",
  "local>route-socket",
  "route-socket>output",
  "output>reroute",
  "reroute>postrouting",
  "output>postrouting",
];

const byId = new Map(NODES.map((n) => [n.id, n]));
const W = 124;
const H = 34;

/** The node a step stands on. */
function nodeOf(s: StepView): string | undefined {
  if (s.kind === "hook") return s.hook;
  if (s.kind !== "route") return undefined;
  if (s.stage === "reroute") return "reroute";
  return s.stage === "input" ? "route-input" : "route-socket";
}

/** The nodes visited, in order (consecutive repeats folded: `connect` after `socket`). */
export function pathOf(j: JourneyView): string[] {
  const seq: string[] = [];
  const first = j.steps.find((s) => nodeOf(s));
  if (first && nodeOf(first) === "prerouting") seq.push("wire-in");
  else if (first) seq.push("local");
  for (const s of j.steps) {
    const n = nodeOf(s);
    if (n && seq.at(-1) !== n) seq.push(n);
  }
  if (j.final.verdict === "sent") seq.push("wire-out");
  if (j.final.verdict === "delivered" && seq.at(-1) === "input") seq.push("local");
  return seq;
}

/** An edge's line: straight on the skeleton, a dashed arc for anything else (lo loop). */
function edgePath(a: Node, b: Node): { d: string; dashed: boolean } {
  const skeleton = EDGES.includes(`${a.id}>${b.id}`);
  if (!skeleton) {
    const top = Math.min(a.y, b.y) - H / 2;
    return {
      d: `M${a.x},${top} C${a.x},${top - 40} ${b.x},${top - 40} ${b.x},${top}`,
      dashed: true,
    };
  }
  const dx = Math.sign(b.x - a.x);
  const dy = Math.sign(b.y - a.y);
  const x1 = a.x + (dx * W) / 2;
  const y1 = a.y + (dy * H) / 2;
  const x2 = b.x - (dx * W) / 2;
  const y2 = b.y - (dy * H) / 2;
  return { d: `M${x1},${y1} L${x2},${y2}`, dashed: false };
}

export function Diagram({ journey }: { journey: JourneyView | null }) {
  const path = journey ? pathOf(journey) : [];
  const visits = new Map<string, number[]>();
  path.forEach((n, k) => visits.set(n, [...(visits.get(n) ?? []), k + 1]));
  const dropped =
    journey && journey.final.verdict !== "sent" && journey.final.verdict !== "delivered";
  const stop = dropped ? path.at(-1) : undefined;
  const hops = path.slice(1).map((b, k) => [path[k]!, b] as const);
  return (
    <svg
      class="diagram"
      viewBox="0 -20 780 280"
      role="img"
      aria-label={`packet path: ${path.join(" → ") || "none"}`}
      data-testid="diagram"
      data-path={path.join(" ")}
    >
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="6"
          markerHeight="6"
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" fill="currentColor" />
        </marker>
      </defs>
      {EDGES.filter((e) => e !== "output>postrouting").map((e) => {
        const [a, b] = e.split(">") as [string, string];
        return (
          <path
            key={e}
            class="edge"
            d={edgePath(byId.get(a)!, byId.get(b)!).d}
            marker-end="url(#arrow)"
          />
        );
      })}
      {hops.map(([a, b], k) => {
        const p = edgePath(byId.get(a)!, byId.get(b)!);
        return (
          <path
            key={`h${k}`}
            class={`hop${p.dashed ? " loop" : ""}`}
            d={p.d}
            marker-end="url(#arrow)"
            data-hop={`${a}>${b}`}
          />
        );
      })}
      {NODES.map((n) => {
        const v = visits.get(n.id);
        const cls = `node ${n.kind}${v ? " visited" : ""}${stop === n.id ? " stop" : ""}`;
        const w = n.kind === "end" ? 90 : W;
        return (
          <g key={n.id} class={cls} data-node={n.id} data-order={v?.join(" ") ?? ""}>
            <rect
              x={n.x - w / 2}
              y={n.y - H / 2}
              width={w}
              height={H}
              rx={n.kind === "route" ? 17 : 4}
            />
            <text x={n.x} y={n.y + 5} text-anchor="middle">
              {n.label}
            </text>
            {v && (
              <text class="badge" x={n.x + w / 2 - 2} y={n.y - H / 2 - 3} text-anchor="end">
                {v.join(",")}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

function RuleStep({ s }: { s: Extract<StepView, { kind: "rule" }> }) {
  const changed =
    s.markBefore !== undefined && s.markAfter !== undefined && s.markBefore !== s.markAfter;
  return (
    <li
      class={`rule${s.matched ? " matched" : ""}`}
      data-kind="rule"
      data-chain={s.chain}
      data-rule={s.rule}
      data-matched={s.matched ? "1" : "0"}
    >
      <span class="where">
        {s.family} {s.table} {s.chain}
        {s.rule ? ` #${s.rule}` : ""}
      </span>{" "}
      <code>{s.text}</code> <span class="verdict">→ {s.verdict}</span>
      {changed && (
        <span class="mark">
          {" "}
          mark {hex(s.markBefore!)} → {hex(s.markAfter!)}
        </span>
      )}
    </li>
  );
}

function RouteStep({ s }: { s: Extract<StepView, { kind: "route" }> }) {
  const label: Record<string, string> = {
    socket: "route lookup (socket)",
    connect: "route lookup again (connect, source chosen)",
    reroute: "re-route (netfilter changed the packet)",
    input: "input route lookup",
  };
  return (
    <li class={`route${s.ok ? "" : " failed"}`} data-kind="route" data-stage={s.stage}>
      <div class="title">{label[s.stage] ?? s.stage}</div>
      <ul class="rpdb">
        {s.lines.map((l, k) => (
          <li
            key={k}
            class={
              l.startsWith("  ✓")
                ? "tried hit"
                : l.startsWith("  ·")
                  ? "tried"
                  : l.startsWith("  ⇒")
                    ? "chosen"
                    : "detail"
            }
          >
            {l.trim()}
          </li>
        ))}
      </ul>
    </li>
  );
}

function Step({ s }: { s: StepView }) {
  switch (s.kind) {
    case "hook":
      return (
        <li class="hook" data-kind="hook" data-hook={s.hook}>
          <b>{s.hook.toUpperCase()}</b>
          {s.iif ? ` iif ${s.iif}` : ""}
          {s.oif ? ` oif ${s.oif}` : ""} {s.saddr} → {s.daddr} mark {hex(s.mark)}
        </li>
      );
    case "rule":
      return <RuleStep s={s} />;
    case "route":
      return <RouteStep s={s} />;
    case "nat":
      return (
        <li class="nat" data-kind="nat">
          {s.what}: now {s.saddr}:{s.sport} → {s.daddr}:{s.dport}
        </li>
      );
    default:
      return (
        <li class="note" data-kind={s.kind}>
          {s.text}
        </li>
      );
  }
}

/** Hooks and route lookups head a group; the rules, NAT and notes after one belong to it. */
function groups(steps: StepView[]): { head: StepView | null; items: StepView[] }[] {
  const out: { head: StepView | null; items: StepView[] }[] = [];
  for (const s of steps) {
    if (s.kind === "hook" || s.kind === "route") out.push({ head: s, items: [] });
    else if (out.length) out.at(-1)!.items.push(s);
    else out.push({ head: null, items: [s] });
  }
  return out;
}

/** The steps in order; rules that did not match are listed dimmed (the CLI omits them). */
export function Steps({ journey, all }: { journey: JourneyView; all: boolean }) {
  const steps = journey.steps.filter((s) => all || s.kind !== "rule" || s.matched || s.rule === 0);
  const f = journey.final;
  return (
    <div class="steps">
      {journey.original && (
        <details>
          <summary>the original packet</summary>
          <Steps journey={journey.original} all={all} />
        </details>
      )}
      <ol data-testid="steps">
        {groups(steps).map((g, k) => (
          <li key={k} class="group">
            {g.head && (
              <ul class="head">
                <Step s={g.head} />
              </ul>
            )}
            {g.items.length > 0 && (
              <ul class="items">
                {g.items.map((s, n) => (
                  <Step key={n} s={s} />
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
      <p class={`final ${f.verdict}`} data-testid="final" data-verdict={f.verdict}>
        ⇒ {f.verdict}
        {f.oif ? ` (oif ${f.oif})` : ""}, mark {hex(f.mark)}
        {f.reason ? ` — ${f.reason}` : ""}
        {f.error ? ` — ${f.error}` : ""}
      </p>
    </div>
  );
}
