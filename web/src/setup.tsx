/**
 * The setup pane: bundled examples, files opened or dropped, the editor (lazy CodeMirror)
 * and the load issues (click one to go to its line).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { EditorHandle } from "./editor";
import { EXAMPLES } from "./examples";
import type { IssueView, SetupFile } from "./protocol";

/** Files from this size on stay bytes (read in the worker), not editor text. */
export const BIG_FILE = 1 << 20;

export async function readDropped(list: FileList | File[]): Promise<SetupFile[]> {
  const out: SetupFile[] = [];
  for (const f of Array.from(list)) {
    if (f.size >= BIG_FILE) out.push({ name: f.name, blob: f, size: f.size });
    else out.push({ name: f.name, text: await f.text(), size: f.size });
  }
  return out;
}

function Editor(props: {
  file: SetupFile;
  issues: IssueView[];
  onText(t: string): void;
  jump?: { line: number; col: number; n: number } | undefined;
  /** Load CodeMirror only once the first answer is shown (it is not needed for it). */
  lazy: boolean;
}) {
  const host = useRef<HTMLDivElement>(null);
  const ed = useRef<EditorHandle | null>(null);
  const onText = useRef(props.onText);
  onText.current = props.onText;
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (!props.lazy) return;
    let dead = false;
    import("./editor").then((m) => {
      if (dead || !host.current) return;
      ed.current = m.createEditor(host.current, props.file.text ?? "", (t) => onText.current(t));
      setReady(true);
    });
    return () => {
      dead = true;
      ed.current?.destroy();
      ed.current = null;
      // A new file gets a new editor: its text and issues are shown once it exists.
      setReady(false);
    };
  }, [props.file.name, props.lazy]);
  useEffect(() => ed.current?.setText(props.file.text ?? ""), [props.file.text, ready]);
  useEffect(() => {
    ed.current?.showIssues(props.issues.filter((i) => i.file === props.file.name));
  }, [props.issues, ready, props.file.name]);
  useEffect(() => {
    if (props.jump) ed.current?.reveal(props.jump.line, props.jump.col);
  }, [props.jump?.n]);
  return (
    <div class="editor" data-testid="editor" data-ready={ready ? "1" : "0"}>
      <div ref={host} />
      {!ready && <pre class="plain">{props.file.text}</pre>}
    </div>
  );
}

function SetupBar(props: {
  example: string | undefined;
  onExample(id: string): void;
  onOpen(list: FileList | null): Promise<void>;
}) {
  return (
    <div class="bar">
      <label>
        Example{" "}
        <select
          data-testid="example"
          value={props.example ?? ""}
          onChange={(e) => props.onExample((e.target as HTMLSelectElement).value)}
        >
          {!props.example && <option value="">(your files)</option>}
          {EXAMPLES.map((x) => (
            <option key={x.id} value={x.id}>
              {x.title}
            </option>
          ))}
        </select>
      </label>
      <label class="button">
        Open files…
        <input
          type="file"
          multiple
          data-testid="open"
          onChange={(e) => void props.onOpen((e.target as HTMLInputElement).files)}
        />
      </label>
    </div>
  );
}

function IssueList(props: { issues: IssueView[]; onGoto(i: IssueView): void }) {
  return (
    <ul class="issues" data-testid="issues">
      {props.issues.map((i, n) => (
        <li key={n} class={i.severity}>
          <button type="button" class="link" onClick={() => props.onGoto(i)}>
            {i.text}
          </button>
        </li>
      ))}
    </ul>
  );
}

export function SetupPane(props: {
  files: SetupFile[];
  example: string | undefined;
  issues: IssueView[];
  onExample(id: string): void;
  onFiles(files: SetupFile[]): void;
  onEdit(index: number, text: string): void;
  editorReady: boolean;
}) {
  const [active, setActive] = useState(0);
  const [jump, setJump] = useState<{ line: number; col: number; n: number }>();
  const [over, setOver] = useState(false);
  const k = Math.min(active, Math.max(0, props.files.length - 1));
  const file = props.files[k];
  const open = async (list: FileList | null) => {
    if (list?.length) {
      props.onFiles(await readDropped(list));
      setActive(0);
    }
  };
  const goto = (i: IssueView) => {
    const f = props.files.findIndex((x) => x.name === i.file);
    if (f >= 0) setActive(f);
    if (i.line) setJump({ line: i.line, col: i.col ?? 1, n: (jump?.n ?? 0) + 1 });
  };
  return (
    <section
      class={`setup${over ? " dropping" : ""}`}
      aria-label="setup"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        void open(e.dataTransfer?.files ?? null);
      }}
    >
      <SetupBar example={props.example} onExample={props.onExample} onOpen={open} />
      <div class="tabs" role="tablist" aria-label="setup files">
        {props.files.map((f, i) => (
          <button
            type="button"
            role="tab"
            key={f.name + i}
            aria-selected={i === k}
            onClick={() => setActive(i)}
          >
            {f.name}
          </button>
        ))}
      </div>
      {file && file.text === undefined && (
        <p class="big" data-testid="big-file">
          {file.name}: {(file.size / 1048576).toFixed(1)} MiB, read in the worker (too big to edit
          here).
        </p>
      )}
      {file && file.text !== undefined && (
        <Editor
          file={file}
          issues={props.issues}
          onText={(t) => props.onEdit(k, t)}
          jump={jump}
          lazy={props.editorReady}
        />
      )}
      <p class="hint">Drop scripts or dumps here (ip, sysctl, iptables, nft; ip -j dumps).</p>
      <IssueList issues={props.issues} onGoto={goto} />
    </section>
  );
}
