/**
 * `routelab lint` on the page: each finding with its severity, what it means, the class of
 * packets it is about (as the map describes classes), the outcome and fix — and its
 * representative packet one click from the form (the click fills the form and asks it, so
 * the drawn path is the counterexample's).
 */
import { useEffect, useState } from "preact/hooks";
import type { Engine } from "./client";
import { type FindingView, findingsOf } from "./json";
import type { Printed } from "./protocol";

function Finding({ f, onPacket }: { f: FindingView; onPacket(w: string): void }) {
  const p = f.packets;
  return (
    <li class={`finding ${f.severity}`} data-testid="finding" data-id={f.id}>
      <p>
        <span class="sev">{f.severity}</span> <code>{f.id}</code>: {f.message}
      </p>
      {p && (
        <p class="packets">
          packets: ipv{p.family}, <span data-testid="finding-class">{p.description || "all"}</span>
          <br />
          e.g.{" "}
          <button
            type="button"
            class="link"
            data-testid="finding-packet"
            title="fill the packet form with it and ask"
            onClick={() => onPacket(p.representative.join(" "))}
          >
            {p.representative.join(" ")}
          </button>
          {p.outcome && <> → {p.outcome}</>}
        </p>
      )}
      {f.fix && <p class="fix">fix: {f.fix}</p>}
    </li>
  );
}

export function LintPanel(props: {
  engine: Engine;
  version: number;
  sshPeer: string;
  onSshPeer(v: string): void;
  onPacket(w: string): void;
}) {
  const [peer, setPeer] = useState(props.sshPeer);
  const [out, setOut] = useState<{ text: Printed; json: Printed }>();
  const run = (v = props.sshPeer) => {
    const args = v.trim() ? ["--ssh-peer", v.trim()] : [];
    void props.engine.analysis("lint", args).then(setOut);
  };
  useEffect(() => {
    if (props.version) run();
  }, [props.version, props.sshPeer]);
  const found = findingsOf(out?.json);
  const usage = out && out.text.status === 2;
  return (
    <div class="analysis" data-testid="lint" data-done={out ? "1" : "0"}>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          props.onSshPeer(peer.trim());
          run(peer);
        }}
      >
        <label>
          ssh peer{" "}
          <input
            data-testid="lint-ssh-peer"
            value={peer}
            placeholder="optional: a login's remote address, e.g. 203.0.113.5"
            onInput={(e) => setPeer((e.target as HTMLInputElement).value)}
          />
        </label>{" "}
        <button type="submit">Lint</button>
      </form>
      {usage && <pre class="warn">{out.text.stderr}</pre>}
      {out && !usage && (
        <p class="hint" data-testid="lint-summary">
          {found.length
            ? `${found.length} finding${found.length > 1 ? "s" : ""}`
            : "no findings: none of the known pitfalls"}
        </p>
      )}
      <ul class="findings" data-testid="findings">
        {found.map((f, k) => (
          <Finding key={k} f={f} onPacket={props.onPacket} />
        ))}
      </ul>
      {out && !usage && (
        <details>
          <summary>as the CLI prints it</summary>
          <pre class="out" data-testid="lint-text">
            {out.text.stdout}
          </pre>
        </details>
      )}
    </div>
  );
}
