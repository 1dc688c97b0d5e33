/**
 * Messages between the page and the engine's Web Worker (worker.ts). The worker holds the
 * one `Host`; the page never blocks on it.
 */

/** A setup file: its text (small files, edited in place) or its bytes (big dumps). */
export interface SetupFile {
  name: string;
  text?: string;
  blob?: Blob;
  size: number;
}

/** A load issue, located: what the editor shows as a diagnostic. */
export interface IssueView {
  file?: string;
  line?: number;
  col?: number;
  token?: string;
  severity: "error" | "warning";
  code: string;
  /** As the CLI prints it (`file:line:col: error: …`). */
  text: string;
}

/** What a command printed, as the CLI prints it. */
export interface Printed {
  stdout: string;
  stderr: string;
  status: number;
}

/** A trace step as drawn: route steps carry their explanation lines. */
export type StepView =
  | {
      kind: "hook";
      hook: string;
      iif?: string;
      oif?: string;
      mark: number;
      saddr: string;
      daddr: string;
    }
  | {
      kind: "rule";
      hook: string;
      family: string;
      table: string;
      chain: string;
      rule: number;
      text: string;
      matched: boolean;
      verdict: string;
      markBefore?: number;
      markAfter?: number;
    }
  | { kind: "route"; stage: string; ok: boolean; lines: string[]; rule: string | null }
  | { kind: "nat"; what: string; saddr: string; daddr: string; sport: number; dport: number }
  | { kind: "conntrack"; text: string }
  | { kind: "note"; text: string };

export interface JourneyView {
  steps: StepView[];
  final: { verdict: string; oif: string | null; mark: number; reason?: string; error?: string };
  original?: JourneyView;
}

/** Everything the page shows for one packet. */
export interface Answer {
  words: string[];
  ms: number;
  trace: Printed;
  traceJson: Printed;
  routeGet: Printed;
  routeGetJson: Printed;
  explain: Printed;
  journey: JourneyView | null;
  /** `ip rule show` of the packet's family, for the rule table. */
  rules: string;
}

export type PanelName = "rules" | "routes" | "links" | "netfilter";

/** The whole-space analysis commands the page runs (text and `-j`, as the CLI prints them). */
export type AnalysisCmd = "map" | "check" | "lint";

export type Request =
  | { id: number; type: "load"; files: SetupFile[]; words?: string[] }
  | { id: number; type: "ask"; words: string[] }
  | { id: number; type: "panel"; panel: PanelName }
  | { id: number; type: "analysis"; cmd: AnalysisCmd; args: string[] }
  /** `routelab diff --load (the setup) --against FILES`; without files, the last ones. */
  | { id: number; type: "diff"; files?: SetupFile[] };

export type Reply =
  | { id: number; type: "progress"; file: string; done: number; total: number }
  | { id: number; type: "loaded"; issues: IssueView[]; ms: number; answer?: Answer }
  | { id: number; type: "answer"; answer: Answer }
  | { id: number; type: "panel"; text: string }
  | { id: number; type: "analysis"; text: Printed; json: Printed }
  | { id: number; type: "diff"; issues: IssueView[]; text: Printed; json: Printed }
  | { id: number; type: "error"; message: string };
