/**
 * The page: setup on the left, the packet question and its drawn answer on the right, the
 * host's panels below. State (setup + packet + view) lives in the URL fragment.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { Engine } from "./client";
import { Diagram, Steps } from "./diagram";
import { exampleById } from "./examples";
import { emptyPacket, KEYS, type PacketFields, packetWords, parsePacket } from "./packet";
import { type AgainstSetup, againstChoice } from "./diff";
import { Panels, type Tab } from "./panels";
import type { Answer, IssueView, SetupFile } from "./protocol";
import { SetupPane } from "./setup";
import {
  exampleFiles,
  initialState,
  linkable,
  type PanelState,
  panelFromUrl,
  panelUrl,
} from "./state";
import { encodeState, type UrlState } from "./url";

const VIEWS = [
  ["path", "Path"],
  ["trace", "trace"],
  ["route-get", "route get"],
  ["explain", "explain"],
  ["trace-json", "-j trace"],
  ["route-get-json", "-j route get"],
] as const;
type View = (typeof VIEWS)[number][0];

const HINTS: Record<string, string> = {
  from: "source address",
  iif: "arrives on (forwarded)",
  oif: "bound device",
  uid: "socket uid",
  gid: "socket gid",
  mark: "mark",
  ipproto: "tcp, udp, icmp…",
  sport: "port",
  dport: "port",
  tos: "0-255",
};

declare global {
  interface Window {
    /** For the browser tests: the engine the form uses, and when the first answer came. */
    __routelab?: {
      ask(words: string): Promise<Answer>;
      firstAnswerMs?: number;
      /** From handing the files to the worker to the loaded host (page clock). */
      lastLoadMs?: number;
      loads: number;
    };
  }
}

let shared: Engine | undefined;
/** The one engine worker; main.tsx starts it before the first render (it is the long pole). */
export const engineOf = (): Engine => {
  shared ??= new Engine();
  return shared;
};

type Progress = { file: string; done: number; total: number };

/** Load progress goes to the progress bar alone (not a re-render of the whole page). */
const progressBus = {
  last: { file: "", done: 0, total: 0 } as Progress,
  listeners: new Set<(p: Progress) => void>(),
  set(p: Progress) {
    this.last = p;
    for (const l of this.listeners) l(p);
  },
};

function LoadProgress() {
  const [p, setP] = useState(progressBus.last);
  useEffect(() => {
    progressBus.listeners.add(setP);
    return () => void progressBus.listeners.delete(setP);
  }, []);
  return (
    <div class="progress" role="status" data-testid="progress">
      loading {p.file} <progress max={p.total || 1} value={p.total ? p.done : undefined} />{" "}
      {(p.done / 1048576).toFixed(1)} MiB
    </div>
  );
}

function PacketForm(props: {
  value: PacketFields;
  onChange(p: PacketFields): void;
  onAsk(): void;
}) {
  const p = props.value;
  const set = (k: keyof PacketFields, v: string | boolean) => props.onChange({ ...p, [k]: v });
  return (
    <form
      class="packet"
      aria-label="packet"
      onSubmit={(e) => {
        e.preventDefault();
        props.onAsk();
      }}
    >
      <label class="dst">
        dst
        <input
          id="dst"
          data-testid="f-dst"
          value={p.dst}
          required
          placeholder="1.1.1.1"
          onInput={(e) => set("dst", (e.target as HTMLInputElement).value)}
        />
      </label>
      {KEYS.map((k) => (
        <label key={k}>
          {k}
          <input
            data-testid={`f-${k}`}
            value={p[k]}
            placeholder={HINTS[k]}
            onInput={(e) => set(k, (e.target as HTMLInputElement).value)}
          />
        </label>
      ))}
      <label class="check">
        <input
          type="checkbox"
          data-testid="f-reply"
          checked={p.reply}
          onChange={(e) => set("reply", (e.target as HTMLInputElement).checked)}
        />
        reply
      </label>
      <button type="submit" data-testid="ask">
        Ask
      </button>
    </form>
  );
}

function Output(props: { answer: Answer | null; view: View; onView(v: View): void }) {
  const a = props.answer;
  const [all, setAll] = useState(false);
  const text = (r: { stdout: string; stderr: string } | undefined) =>
    r ? r.stdout + r.stderr : "";
  const body: Record<Exclude<View, "path">, string> = {
    trace: text(a?.trace),
    "route-get": text(a?.routeGet),
    explain: text(a?.explain),
    "trace-json": text(a?.traceJson),
    "route-get-json": text(a?.routeGetJson),
  };
  return (
    <section class="answer" aria-label="answer">
      <div class="tabs" role="tablist" aria-label="answer views">
        {VIEWS.map(([id, title]) => (
          <button
            type="button"
            role="tab"
            key={id}
            aria-selected={props.view === id}
            data-testid={`view-${id}`}
            onClick={() => props.onView(id)}
          >
            {title}
          </button>
        ))}
      </div>
      {props.view === "path" && (
        <div class="path">
          <Diagram journey={a?.journey ?? null} />
          <label class="check">
            <input type="checkbox" checked={all} onChange={() => setAll(!all)} /> show rules that
            did not match
          </label>
          {a?.journey ? <Steps journey={a.journey} all={all} /> : <pre>{text(a?.trace)}</pre>}
        </div>
      )}
      {props.view !== "path" && (
        <pre class="out" data-testid={`out-${props.view}`}>
          {body[props.view]}
        </pre>
      )}
    </section>
  );
}

/** The URL follows the state (replaceState: the back button is not a history of edits). */
function useUrlSync(
  st: { files: SetupFile[]; example?: string; packet: PacketFields },
  view: View,
  version: number,
  answer: Answer | null,
  panel: PanelState,
) {
  useEffect(() => {
    if (!version) return;
    const s: UrlState = { packet: packetWords(st.packet).join(" "), view, ...panelUrl(panel) };
    const small = linkable(st.files);
    if (st.example) s.example = st.example;
    else if (small) s.files = small;
    const t = setTimeout(() => {
      void encodeState(s).then((h) => history.replaceState(null, "", `#${h}`));
    }, 300);
    return () => clearTimeout(t);
  }, [st.files, st.example, answer, view, version, ...Object.values(panel)]);
}

/** "/" jumps to the packet form from anywhere but a text field. */
function useSlashFocus() {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key !== "/" || t.closest("input, textarea, select, .cm-editor")) return;
      e.preventDefault();
      document.getElementById("dst")?.focus();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);
}

/** Tabs as WAI-ARIA's tabs pattern: ←/→ (Home/End) move to the next tab and show it. */
function useTabKeys() {
  useEffect(() => {
    const step: Record<string, (k: number, n: number) => number> = {
      ArrowRight: (k, n) => (k + 1) % n,
      ArrowLeft: (k, n) => (k + n - 1) % n,
      Home: () => 0,
      End: (_k, n) => n - 1,
    };
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      const list = t.getAttribute("role") === "tab" ? t.closest('[role="tablist"]') : null;
      const go = step[e.key];
      if (!list || !go || e.altKey || e.ctrlKey || e.metaKey) return;
      const tabs = [...list.querySelectorAll<HTMLElement>('[role="tab"]')];
      const next = tabs[go(tabs.indexOf(t), tabs.length)];
      e.preventDefault();
      next?.focus();
      next?.click();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);
}

function Header() {
  return (
    <header>
      <h1>routelab</h1>
      <p>
        Where does the packet go? Linux policy routing and netfilter, answered as the kernel would —
        in your browser.
      </p>
      <button
        type="button"
        class="share"
        onClick={() => void navigator.clipboard?.writeText(location.href)}
        title="copy a link to this setup and question"
      >
        Copy link
      </button>
    </header>
  );
}

/** The CLI command the question stands for, and the load's errors (the CLI refuses then). */
function Command(props: {
  files: SetupFile[];
  packet: PacketFields;
  loadMs?: number;
  errors: number;
}) {
  const { errors } = props;
  return (
    <>
      <p class="cmd" data-testid="cmd">
        <code>
          routelab {props.files.map((f) => `--load ${f.name} `).join("")}trace{" "}
          {packetWords(props.packet).join(" ")}
        </code>
        {props.loadMs !== undefined && (
          <span class="load-ms"> loaded in {props.loadMs.toFixed(0)} ms</span>
        )}
      </p>
      {errors > 0 && (
        <p class="warn" data-testid="load-errors">
          {errors} error{errors > 1 ? "s" : ""} while loading: the CLI answers nothing until they
          are fixed; the answers below are for what did load.
        </p>
      )}
    </>
  );
}

/** The setup in the worker: files, their issues, and a reload that answers the packet too. */
function useHost(engine: Engine, packetRef: { current: PacketFields }, show: (a: Answer) => void) {
  const [files, setFiles] = useState<SetupFile[]>([]);
  const [example, setExample] = useState<string>();
  const [issues, setIssues] = useState<IssueView[]>([]);
  const [version, setVersion] = useState(0);
  const [loading, setLoading] = useState(false);
  const [loadMs, setLoadMs] = useState<number>();
  const load = async (fs: SetupFile[], ex: string | undefined) => {
    setFiles(fs);
    setExample(ex);
    setLoading(true);
    progressBus.set({ file: fs[0]?.name ?? "", done: 0, total: 0 });
    const t0 = performance.now();
    const words = packetRef.current.dst.trim() ? packetWords(packetRef.current) : [];
    const r = await engine.load(fs, words, (file, done, total) =>
      progressBus.set({ file, done, total }),
    );
    setLoading(false);
    setIssues(r.issues);
    setLoadMs(r.ms);
    setVersion((v) => v + 1);
    const hook = window.__routelab;
    if (hook) {
      hook.loads++;
      hook.lastLoadMs = performance.now() - t0;
    }
    if (r.answer) show(r.answer);
  };
  // Edits reload the host after a pause in typing.
  const editTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const onEdit = (k: number, text: string) => {
    const next = files.map((f, i) => (i === k ? { ...f, text, size: text.length } : f));
    setFiles(next);
    setExample(undefined);
    clearTimeout(editTimer.current);
    editTimer.current = setTimeout(() => void load(next, undefined), 350);
  };
  return { files, example, issues, version, loading, loadMs, load, onEdit };
}

/** The page. Kept whole: its state and the wiring between the panes in one place. */
export function App() {
  const engine = useMemo(engineOf, []);
  const [packet, setPacket] = useState<PacketFields>(emptyPacket());
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [view, setView] = useState<View>("path");
  const [asked, setAsked] = useState(0);
  const [tab, setTab] = useState<Tab>("rules");
  const [against, setAgainst] = useState<AgainstSetup>();
  const [sshPeer, setSshPeer] = useState("");
  const [analysisAsked, setAnalysisAsked] = useState({ map: "", check: "" });
  const started = useRef(false);
  const packetRef = useRef(packet);
  packetRef.current = packet;
  const show = (a: Answer) => {
    setAnswer(a);
    setAsked((n) => n + 1);
    const hook = window.__routelab;
    if (hook && hook.firstAnswerMs === undefined) hook.firstAnswerMs = performance.now();
  };
  const setup = useHost(engine, packetRef, show);
  const ask = async (p = packetRef.current) => {
    if (p.dst.trim()) show(await engine.ask(packetWords(p)));
  };
  const use = (p: PacketFields) => {
    setPacket(p);
    packetRef.current = p;
  };
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    window.__routelab = { ask: (w) => engine.ask(w.split(/\s+/).filter(Boolean)), loads: 0 };
    void initialState().then(({ files: fs, example: ex, against: ag, s }) => {
      use(parsePacket(s.packet ?? exampleById(ex ?? "")?.packet ?? ""));
      if (s.view && VIEWS.some(([id]) => id === s.view)) setView(s.view as View);
      const p = panelFromUrl(s);
      if (p.tab) setTab(p.tab);
      if (p.against) setAgainst(p.against);
      else if (ag) setAgainst({ files: ag });
      if (p.sshPeer !== undefined) setSshPeer(p.sshPeer);
      if (p.asked) setAnalysisAsked(p.asked);
      void setup.load(fs, ex);
    });
  }, []);
  const panel = { tab, against, sshPeer, asked: analysisAsked };
  const urlSetup = { files: setup.files, example: setup.example, packet };
  useUrlSync(urlSetup, view, setup.version, answer, panel);
  useSlashFocus();
  useTabKeys();
  return (
    <div
      class="app"
      data-testid="app"
      data-version={setup.version}
      data-asked={asked}
      data-loading={setup.loading ? "1" : "0"}
    >
      <Header />
      {setup.loading && <LoadProgress />}
      <main>
        <SetupPane
          files={setup.files}
          example={setup.example}
          issues={setup.issues}
          onExample={(id) => {
            use(parsePacket(exampleById(id)?.packet ?? ""));
            // Another example's "after" side is not this one's: diff picks this one's anew.
            setAgainst((a) => (a?.choice?.endsWith(":after") ? undefined : a));
            void setup.load(exampleFiles(id), id);
          }}
          onFiles={(fs) => void setup.load(fs, undefined)}
          onEdit={setup.onEdit}
          editorReady={answer !== null || (setup.version > 0 && !packet.dst)}
        />
        <div class="question">
          <PacketForm value={packet} onChange={setPacket} onAsk={() => void ask()} />
          <Command
            files={setup.files}
            packet={packet}
            loadMs={setup.loadMs}
            errors={setup.issues.filter((i) => i.severity === "error").length}
          />
          <Output answer={answer} view={view} onView={setView} />
        </div>
      </main>
      <Panels
        engine={engine}
        version={setup.version}
        answer={answer}
        tab={tab}
        onTab={setTab}
        state={{
          files: setup.files,
          example: setup.example,
          against,
          onAgainst: setAgainst,
          onSwap: () => {
            if (!against) return;
            const ex = against.choice && exampleById(against.choice) ? against.choice : undefined;
            const mine = setup.example ? againstChoice(setup.example) : undefined;
            setAgainst(mine ?? { files: setup.files });
            void setup.load(against.files, ex);
          },
          sshPeer,
          onSshPeer: setSshPeer,
          asked: analysisAsked,
          onAsked: setAnalysisAsked,
        }}
        onPacket={(w) => {
          // A class's representative or a counterexample: into the form, asked, in view.
          const p = parsePacket(w);
          use(p);
          void ask(p);
          document.getElementById("dst")?.scrollIntoView({ block: "center" });
        }}
      />
    </div>
  );
}
