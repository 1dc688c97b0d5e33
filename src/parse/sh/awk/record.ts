/**
 * Records and fields (POSIX awk "Input"/"Fields"): a record split on FS (a single space:
 * runs of blanks and newlines, leading and trailing ones dropped; another single character:
 * that character; longer: an ERE), the same rule `split()` uses, and records cut from the
 * input on RS (a newline, another character, or "" for paragraphs).
 * @module
 */
import { awkRegex } from "./re.js";

/** A text split as FS splits a record; an error message when FS is not a valid ERE. */
export function splitFields(text: string, fs: string, regex = false): string[] | string {
  if (text === "") return [];
  if (regex) return splitRe(text, fs);
  if (fs === " ") return text.split(/[ \t\n]+/).filter((f) => f !== "");
  if (fs.length === 1 && fs !== "\\") return text.split(fs);
  return splitRe(text, fs);
}

function splitRe(text: string, fs: string): string[] | string {
  const re = awkRegex(fs);
  if (typeof re === "string") return re;
  const out: string[] = [];
  let at = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0] === "") {
      re.lastIndex++;
      continue;
    }
    out.push(text.slice(at, m.index));
    at = m.index + m[0].length;
  }
  out.push(text.slice(at));
  return out;
}

/** The records of an input text. */
export function splitRecords(text: string, rs: string): string[] {
  if (rs === "") {
    const t = text.replace(/^\n+/, "").replace(/\n+$/, "");
    return t === "" ? [] : t.split(/\n\n+/);
  }
  const sep = rs.length === 1 ? rs : awkRegex(rs);
  const parts = typeof sep === "string" && rs.length > 1 ? [text] : text.split(sep);
  if (parts.at(-1) === "") parts.pop();
  return parts;
}
