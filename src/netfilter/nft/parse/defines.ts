/**
 * The `define` pre-pass: nft substitutes `$NAME` from its symbol table while scanning, so
 * a variable may stand for several tokens (`{ 1, 2 }`) or complete a word (`addr:$port`).
 * @module
 */
import type { Tok } from "../lexer.js";

/**
 * Record `define NAME = value` and replace later `$NAME` tokens (merging `addr:` +
 * `$port` into one word). The define lines stay for the parser, which validates them.
 */
export function substituteDefines(toks: Tok[]): Tok[] {
  const defs = new Map<string, Tok[]>();
  const out: Tok[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const prev = out[out.length - 1];
    if (
      t.kind === "word" &&
      (t.text === "define" || t.text === "redefine") &&
      (!prev || prev.kind === "nl" || (prev.kind === "op" && prev.text === "{"))
    ) {
      const name = toks[i + 1];
      if (name && name.kind === "word" && toks[i + 2]?.kind === "op" && toks[i + 2]!.text === "=") {
        const val: Tok[] = [];
        let depth = 0,
          j = i + 3;
        for (; j < toks.length; j++) {
          const x = toks[j]!;
          if (x.kind === "eof" || (x.kind === "nl" && depth === 0)) break;
          if (x.kind === "op" && x.text === "{") depth++;
          if (x.kind === "op" && x.text === "}") depth--;
          if (x.kind === "word" && x.text.startsWith("$") && defs.has(x.text.slice(1)))
            for (const d of defs.get(x.text.slice(1))!) val.push(d);
          else val.push(x);
        }
        defs.set(name.text, val);
        // keep the define tokens for the parser (it records/validates them too)
        for (let k = i; k < j; k++) out.push(toks[k]!);
        i = j - 1;
        continue;
      }
    }
    if (t.kind === "word" && t.text.startsWith("$") && defs.has(t.text.slice(1))) {
      const repl = defs
        .get(t.text.slice(1))!
        .map((x) => ({ ...x, line: t.line, col: t.col, len: t.len, file: t.file }));
      const adj =
        prev &&
        prev.kind === "word" &&
        prev.line === t.line &&
        prev.col + prev.len === t.col &&
        prev.text.endsWith(":");
      if (adj && repl.length === 1 && repl[0]!.kind === "word") {
        out[out.length - 1] = { ...prev, text: prev.text + repl[0]!.text, len: prev.len + t.len };
        continue;
      }
      for (const r of repl) out.push(r);
      continue;
    }
    out.push(t);
  }
  return out;
}
