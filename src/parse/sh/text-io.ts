/**
 * What the text utilities (`sed`, `awk`, `sort`, `cut`, like grep.ts) read and where they
 * write: standard input, files read through the caller, standard output and a message on
 * standard error. Nothing here runs a host command.
 * @module
 */

export interface TextIo {
  stdin: string | undefined;
  readFile(path: string): string | undefined;
  out(text: string): void;
  /** A message the tool prints on stderr. */
  warn(message: string): void;
  /** The environment the tool sees (awk's ENVIRON). */
  env?: Readonly<Record<string, string>>;
  /** Run a command as `sh -c` does, its output captured (awk's `system()`, `| getline`). */
  run?(command: string): { stdout: string; status: number };
}

/**
 * The operands' text in order (`-` or none: standard input), as the coreutils read them; a
 * file that cannot be read is the tool's message and makes `failed` true.
 */
export function readInputs(
  files: readonly string[],
  io: TextIo,
  missing: (file: string) => string,
): { text: string[]; failed: boolean } {
  const text: string[] = [];
  let failed = false;
  for (const f of files.length ? files : ["-"]) {
    const t = f === "-" ? (io.stdin ?? "") : io.readFile(f);
    if (t === undefined) {
      io.warn(missing(f));
      failed = true;
    } else text.push(t);
  }
  return { text, failed };
}

/** A text's lines without their newlines; `last` false when the final line had none. */
export function splitLines(text: string): { lines: string[]; last: boolean } {
  const lines = text.split("\n");
  const last = lines.at(-1) === "";
  if (last) lines.pop();
  return { lines, last };
}
