/** The page's side of the engine worker: requests as promises, load progress as a callback. */
import type {
  AnalysisCmd,
  Answer,
  IssueView,
  PanelName,
  Printed,
  Reply,
  SetupFile,
} from "./protocol";

type Progress = (file: string, done: number, total: number) => void;

export class Engine {
  private readonly worker = new Worker(new URL("./worker.ts", import.meta.url), {
    type: "module",
  });
  private seq = 0;
  private readonly pending = new Map<number, { ok(r: Reply): void; progress?: Progress }>();

  constructor() {
    this.worker.onmessage = (e: MessageEvent<Reply>) => {
      const r = e.data;
      const p = this.pending.get(r.id);
      if (!p) return;
      if (r.type === "progress") return p.progress?.(r.file, r.done, r.total);
      this.pending.delete(r.id);
      p.ok(r);
    };
  }

  private call(msg: Record<string, unknown>, progress?: Progress): Promise<Reply> {
    const id = ++this.seq;
    return new Promise((ok) => {
      this.pending.set(id, progress ? { ok, progress } : { ok });
      this.worker.postMessage({ ...msg, id });
    });
  }

  /** Load the setup and, when `words` name a packet, answer it in the same message. */
  async load(
    files: SetupFile[],
    words: string[],
    progress?: Progress,
  ): Promise<{ issues: IssueView[]; ms: number; answer?: Answer }> {
    const r = await this.call({ type: "load", files, words }, progress);
    if (r.type === "loaded") return r;
    throw new Error(r.type === "error" ? r.message : "unexpected reply");
  }

  async ask(words: string[]): Promise<Answer> {
    const r = await this.call({ type: "ask", words });
    if (r.type === "answer") return r.answer;
    throw new Error(r.type === "error" ? r.message : "unexpected reply");
  }

  async panel(panel: PanelName): Promise<string> {
    const r = await this.call({ type: "panel", panel });
    if (r.type === "panel") return r.text;
    throw new Error(r.type === "error" ? r.message : "unexpected reply");
  }

  /** `map` (filter words), `check` (one assertion per argument) or `lint` (its options). */
  async analysis(cmd: AnalysisCmd, args: string[]): Promise<{ text: Printed; json: Printed }> {
    const r = await this.call({ type: "analysis", cmd, args });
    if (r.type === "analysis") return r;
    throw new Error(r.type === "error" ? r.message : "unexpected reply");
  }

  /** `diff` from the setup to `files` (loaded as the second setup), or to the last ones. */
  async diff(files?: SetupFile[]): Promise<{ issues: IssueView[]; text: Printed; json: Printed }> {
    const r = await this.call({ type: "diff", ...(files ? { files } : {}) });
    if (r.type === "diff") return r;
    throw new Error(r.type === "error" ? r.message : "unexpected reply");
  }
}
