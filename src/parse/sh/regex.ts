/**
 * POSIX regular expressions as GNU regex reads them (`expr`, `grep`, `grep -E`), turned into
 * JavaScript ones. Basic: `\(…\)`, `\{m,n\}`, GNU's `\|`, `\+`, `\?`; `*` at the start of an
 * expression is literal; `^`/`$` anchor only at the ends. Extended: `(…)`, `{m,n}`, `|`, `+`,
 * `?`. Both: bracket expressions with `[:class:]` (a backslash in them is literal), `\<`,
 * `\>`, `\b`, `\w`, `\s`, back references. JavaScript matches leftmost-first where POSIX
 * matches leftmost-longest: the same for the patterns scripts use (no alternation whose
 * shorter branch comes first).
 * @module
 */

const CLASSES: Record<string, string> = {
  alpha: "a-zA-Z",
  digit: "0-9",
  alnum: "a-zA-Z0-9",
  upper: "A-Z",
  lower: "a-z",
  space: " \\t\\n\\r\\f\\v",
  blank: " \\t",
  punct: "!-\\/:-@\\[-`{-~",
  xdigit: "0-9a-fA-F",
  cntrl: "\\x00-\\x1f\\x7f",
  print: " -~",
  graph: "!-~",
};

/** `[…]` at `i`: its JavaScript form and the index after it; undefined when not closed. */
function bracket(re: string, i: number): { src: string; next: number } | undefined {
  let j = i + 1;
  let out = "[";
  if (re[j] === "^") {
    out += "^";
    j++;
  }
  let first = true;
  for (; j < re.length; j++) {
    const c = re[j]!;
    if (c === "]" && !first) return { src: out + "]", next: j + 1 };
    first = false;
    const cls = /^\[:([a-z]+):\]/.exec(re.slice(j));
    if (cls && CLASSES[cls[1]!] !== undefined) {
      out += CLASSES[cls[1]!];
      j += cls[0].length - 1;
    } else out += c === "\\" || c === "]" || c === "[" ? `\\${c}` : c;
  }
  return undefined;
}

const ESCAPES: Record<string, string> = {
  "<": "\\b(?=\\w)",
  ">": "\\b(?<=\\w)",
  b: "\\b",
  B: "\\B",
  w: "\\w",
  W: "\\W",
  s: "\\s",
  S: "\\S",
  "`": "^",
  "'": "$",
};

function literal(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/**
 * A POSIX regular expression as a JavaScript source; a string starting with `!` is the error
 * GNU regex reports (e.g. `Unmatched ( or \(`).
 * @example posixToJs("^a\\(b*\\)$", false) // "^a(b*)$"
 */
export function posixToJs(re: string, extended: boolean): string {
  let out = "";
  let open = 0;
  // Where a `*` is literal and `^` an anchor: the start, after `(`, after `|`.
  let atStart = true;
  for (let i = 0; i < re.length; i++) {
    const c = re[i]!;
    const start = atStart;
    atStart = false;
    let op: string | undefined;
    if (c === "\\" && i + 1 < re.length) {
      const n = re[++i]!;
      if (!extended && "(){}|+?".includes(n)) op = n;
      else if (/[1-9]/.test(n)) out += `\\${n}`;
      else out += ESCAPES[n] ?? literal(n);
    } else if (c === "[") {
      const b = bracket(re, i);
      if (!b) return "!Unmatched [, [^, [:, [., or [=";
      out += b.src;
      i = b.next - 1;
    } else if (c === ".") out += "[\\s\\S]";
    else if (c === "^") out += start || extended ? "^" : "\\^";
    else if (c === "$") {
      const end = i === re.length - 1 || re.startsWith(extended ? ")" : "\\)", i + 1);
      const alt = re.startsWith(extended ? "|" : "\\|", i + 1);
      out += end || alt || extended ? "$" : "\\$";
    } else if (c === "*") out += start ? "\\*" : "*";
    else if (extended && "(){}|+?".includes(c)) op = c;
    else out += literal(c);
    if (op === undefined) continue;
    if (op === "(") {
      open++;
      atStart = true;
      out += "(";
    } else if (op === ")") {
      if (open === 0) {
        if (!extended) return "!Unmatched ) or \\)";
        out += "\\)";
        continue;
      }
      open--;
      out += ")";
    } else if (op === "|") {
      atStart = true;
      out += "|";
    } else if (op === "{") {
      const m = /^(\d*)(,?)(\d*)(\\?)\}/.exec(re.slice(i + 1));
      if (!m || (extended ? m[4] : !m[4]) || (!m[1] && !m[3])) {
        if (!extended) return "!Invalid preceding regular expression";
        out += "\\{";
        continue;
      }
      out += `{${m[1] || "0"}${m[2]}${m[3]}}`;
      i += m[0].length;
    } else if (op === "}") out += "\\}";
    else out += start ? literal(op) : op;
  }
  if (open > 0) return "!Unmatched ( or \\(";
  return out;
}
