/**
 * `routelab diff` on the page: a second setup (a bundled example or its "after" side, files
 * opened from disk, or a copy of this setup edited here) and the classes of packets whose
 * routing outcome changes from this setup to it, before → after, each with a representative
 * one click from the form (asked in this setup, the "before").
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { Engine } from "./client";
import { AGAINST, againstById } from "./examples";
import { type ChangeView, changesOf } from "./json";
import type { IssueView, Printed, SetupFile } from "./protocol";
import { readDropped } from "./setup";

/** The second setup: a bundled choice by id, or files of the user's. */
export interface AgainstSetup {
  choice?: string;
  files: SetupFile[];
}

export const againstChoice = (id: string): AgainstSetup | undefined => {
  const c = againstById(id);
  return c && { choice: c.id, files: c.files.map((f) => ({ ...f, size: f.text.length })) };
};

function AgainstBar(props: {
  against: AgainstSetup | undefined;
  files: SetupFile[];
  onAgainst(a: AgainstSetup): void;
  onSwap(): void;
}) {
  const a = props.against;
  return (
    <div class="bar">
      <label>
        against{" "}
        <select
          data-testid="against"
          value={a?.choice ?? ""}
          onChange={(e) => {
            const c = againstChoice((e.target as HTMLSelectElement).value);
            if (c) props.onAgainst(c);
          }}
        >
          <option value="">{a ? "(your files)" : "(choose a second setup)"}</option>
          {AGAINST.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title}
            </option>
          ))}
        </select>
      </label>
      <label class="button">
        Open files…
        <input
          type="file"
          multiple
          data-testid="against-open"
          onChange={async (e) => {
            const list = (e.target as HTMLInputElement).files;
            if (list?.length) props.onAgainst({ files: await readDropped(list) });
          }}
        />
      </label>
      <button
        type="button"
        data-testid="against-copy"
        title="compare with a copy of this setup, edited below"
        onClick={() => props.onAgainst({ files: props.files.map((f) => ({ ...f })) })}
      >
        Copy this setup
      </button>
      {a && (
        <button
          type="button"
          data-testid="against-swap"
          title="make the second setup this one (ask its packets) and this one the second"
          onClick={props.onSwap}
        >
          Swap
        </button>
      )}
    </div>
  );
}

/** The second setup's files: small ones edited in place (a plain text area). */
function AgainstFiles(props: { against: AgainstSetup; onAgainst(a: AgainstSetup): void }) {
  const [active, setActive] = useState(0);
  const fs = props.against.files;
  const k = Math.min(active, Math.max(0, fs.length - 1));
  const f = fs[k];
  const edit = (text: string) =>
    props.onAgainst({
      files: fs.map((x, i) => (i === k ? { ...x, text, size: text.length } : x)),
    });
  return (
    <>
      <div class="tabs" role="tablist" aria-label="second setup's files">
        {fs.map((x, i) => (
          <button
            type="button"
            role="tab"
            key={x.name + i}
            aria-selected={i === k}
            onClick={() => setActive(i)}
          >
            {x.name}
          </button>
        ))}
      </div>
      {f?.text !== undefined ? (
        <textarea
          class="against-text"
          data-testid="against-text"
          aria-label={`${f.name} (second setup)`}
          spellcheck={false}
          rows={10}
          value={f.text}
          onInput={(e) => edit((e.target as HTMLTextAreaElement).value)}
        />
      ) : (
        f && (
          <p class="big">
            {f.name}: {(f.size / 1048576).toFixed(1)} MiB, read in the worker.
          </p>
        )
      )}
    </>
  );
}

function ChangeTable(props: { changes: ChangeView[]; onPacket(w: string): void }) {
  return (
    <table class="map diff" data-testid="diff-table">
      <tbody>
        {props.changes.map((c, k) => (
          <tr key={k} data-testid="change">
            <td class="pref">{k + 1}</td>
            <td>
              ipv{c.family}, {c.packets || "all"}
            </td>
            <td>
              <span class="before">before: {c.before}</span>
              <br />
              <span class="after">after: {c.after}</span>
            </td>
            <td>
              {c.representative && (
                <button
                  type="button"
                  class="link"
                  title="fill the packet form with it and ask (in this setup)"
                  onClick={() => props.onPacket(c.representative!.join(" "))}
                >
                  ask {c.representative.join(" ")}
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type DiffOut = { issues: IssueView[]; text: Printed; json: Printed };

/** The worker loads the second setup when its files change and re-diffs on every reload. */
function useDiff(engine: Engine, version: number, a: AgainstSetup | undefined) {
  const [out, setOut] = useState<DiffOut>();
  const sent = useRef<SetupFile[] | undefined>(undefined);
  useEffect(() => {
    if (!version || !a) return;
    const fresh = sent.current !== a.files;
    // Typing in the second setup re-diffs after a pause, like the editor reloads.
    const t = setTimeout(
      () => {
        sent.current = a.files;
        void engine.diff(fresh ? a.files : undefined).then(setOut);
      },
      fresh && sent.current ? 300 : 0,
    );
    return () => clearTimeout(t);
  }, [version, a?.files]);
  return a ? out : undefined;
}

export function DiffPanel(props: {
  engine: Engine;
  version: number;
  files: SetupFile[];
  example: string | undefined;
  against: AgainstSetup | undefined;
  onAgainst(a: AgainstSetup): void;
  onSwap(): void;
  onPacket(w: string): void;
}) {
  const a = props.against;
  // A bundled example with an "after" side is compared with it unless told otherwise.
  useEffect(() => {
    const c = !a && props.example ? againstChoice(`${props.example}:after`) : undefined;
    if (c) props.onAgainst(c);
  }, [props.example, a]);
  const out = useDiff(props.engine, props.version, a);
  const changes = changesOf(out?.json);
  const errors = out?.issues.filter((i) => i.severity === "error").length ?? 0;
  const names = (fs: SetupFile[]) => fs.map((f) => ` --load ${f.name}`).join("");
  return (
    <div class="analysis" data-testid="diff" data-done={out ? "1" : "0"}>
      <AgainstBar
        against={a}
        files={props.files}
        onAgainst={props.onAgainst}
        onSwap={props.onSwap}
      />
      {a && <AgainstFiles against={a} onAgainst={props.onAgainst} />}
      {!a && <p class="hint">Choose, open or copy a second setup to see what changes.</p>}
      {out && out.issues.length > 0 && (
        <ul class="issues" data-testid="against-issues">
          {out.issues.map((i, n) => (
            <li key={n} class={i.severity}>
              {i.text}
            </li>
          ))}
        </ul>
      )}
      {errors > 0 && (
        <p class="warn">
          The second setup has load errors: the CLI answers nothing until they are fixed; the
          changes below are for what did load.
        </p>
      )}
      {a && (
        <p class="cmd">
          <code>
            routelab diff{names(props.files)}
            {names(a.files).replaceAll("--load", "--against")}
          </code>
        </p>
      )}
      {out && (
        <p class="hint" data-testid="diff-summary">
          {changes.length
            ? `${changes.length} class${changes.length > 1 ? "es" : ""} of packets change`
            : "no changes: every packet goes where it went"}
        </p>
      )}
      {out && <ChangeTable changes={changes} onPacket={props.onPacket} />}
      {out && (
        <details>
          <summary>as the CLI prints it</summary>
          <pre class="out" data-testid="diff-text">
            {out.text.stdout}
          </pre>
        </details>
      )}
    </div>
  );
}
