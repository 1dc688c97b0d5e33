/**
 * The setup editor: CodeMirror 6 with load issues as lint diagnostics at their line and
 * column. Loaded lazily (its own chunk) so the first answer does not wait for it.
 */
import { type Diagnostic, lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { basicSetup } from "codemirror";
import type { IssueView } from "./protocol";

export interface EditorHandle {
  setText(text: string): void;
  showIssues(issues: readonly IssueView[]): void;
  reveal(line: number, col: number): void;
  destroy(): void;
}

/** A diagnostic from an issue: from its column to the end of its token (or the line). */
function diagnostic(view: EditorView, i: IssueView): Diagnostic | undefined {
  const doc = view.state.doc;
  if (!i.line || i.line > doc.lines) return undefined;
  const line = doc.line(i.line);
  const from = Math.min(line.to, line.from + Math.max(0, (i.col ?? 1) - 1));
  const len = i.token ? i.token.length : line.to - from;
  const to = Math.min(line.to, from + Math.max(len, 0));
  return { from, to, severity: i.severity, message: i.text, source: i.code };
}

export function createEditor(
  parent: HTMLElement,
  text: string,
  onChange: (text: string) => void,
): EditorHandle {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        basicSetup,
        lintGutter(),
        // Tab moves focus on (keyboard users leave the editor with Tab, as in a form).
        keymap.of([]),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ "aria-label": "setup file" }),
      ],
    }),
  });
  return {
    setText(t) {
      if (t === view.state.doc.toString()) return;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t } });
    },
    showIssues(issues) {
      const ds = issues.map((i) => diagnostic(view, i)).filter((d): d is Diagnostic => !!d);
      view.dispatch(setDiagnostics(view.state, ds));
    },
    reveal(line, col) {
      const doc = view.state.doc;
      if (line < 1 || line > doc.lines) return;
      const l = doc.line(line);
      const pos = Math.min(l.to, l.from + col - 1);
      view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
      view.focus();
    },
    destroy: () => view.destroy(),
  };
}
