/**
 * The output layer of iproute2 (lib/json_print.c + lib/json_writer.c) re-created so the
 * printers can be written call for call like the C code: in text mode `fp`/`any` append
 * text and the JSON calls do nothing; in JSON mode the text-only calls do nothing and
 * the JSON writer streams exactly the bytes `ip -j` (compact) or `ip -j -p` (pretty) does.
 *
 * @example
 * ```ts
 * const o = new Emitter({ json: true });
 * o.startList(); o.openObject(); o.any("priority", "%u:\t", 0); o.closeObject(); o.endList();
 * o.text(); // '[{"priority":0}]\n'
 * ```
 * @module
 */

export interface EmitOptions {
  json?: boolean;
  pretty?: boolean;
}

/** A JSON value written by the streaming writer. */
export type JsonScalar = string | number | boolean | null | bigint;

function jsonString(s: string): string {
  // json_writer.c jsonw_puts: escapes \t \n \r \f \b \\ \" and control characters as \uXXXX.
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case "\t":
        out += "\\t";
        break;
      case "\n":
        out += "\\n";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\f":
        out += "\\f";
        break;
      case "\b":
        out += "\\b";
        break;
      case "\\":
        out += "\\\\";
        break;
      case '"':
        out += '\\"';
        break;
      default:
        out += c < 0x20 ? `\\u${c.toString(16).padStart(4, "0")}` : ch;
    }
  }
  return out + '"';
}

/**
 * Streaming writer with json_writer.c's exact separator/indent rules
 * (`jsonw_eor`, `jsonw_eol`, `"[ "`/`" ]"` for pretty arrays, 4-space indent).
 */
export class JsonWriter {
  private out: string[] = [];
  private depth = 0;
  private sep = "";
  constructor(private readonly pretty: boolean) {}
  private eol(): void {
    if (this.pretty) this.out.push("\n" + "    ".repeat(this.depth));
  }
  private eor(): void {
    if (this.sep) this.out.push(this.sep);
    this.sep = ",";
  }
  private begin(c: string): void {
    this.eor();
    this.out.push(c);
    this.depth++;
    this.sep = "";
  }
  private end(c: string): void {
    this.depth--;
    if (this.sep) this.eol();
    this.out.push(c);
    this.sep = ",";
  }
  name(n: string): void {
    this.eor();
    this.eol();
    this.sep = "";
    this.out.push(jsonString(n) + ":" + (this.pretty ? " " : ""));
  }
  value(v: JsonScalar): void {
    this.eor();
    if (v === null) this.out.push("null");
    else if (typeof v === "string") this.out.push(jsonString(v));
    else if (typeof v === "boolean") this.out.push(v ? "true" : "false");
    else this.out.push(String(v));
  }
  startObject(): void {
    this.begin("{");
  }
  endObject(): void {
    this.end("}");
  }
  startArray(): void {
    this.begin("[");
    if (this.pretty) this.out.push(" ");
  }
  endArray(): void {
    if (this.pretty && this.sep) this.out.push(" ");
    this.sep = "";
    this.end("]");
  }
  /** jsonw_destroy prints the final newline. */
  finish(): string {
    return this.out.join("") + "\n";
  }
}

/** printf-like formatting of the one value iproute2 passes (`%s`, `%u`, `%d`, `%x`, `%#x`...). */
export function fmt(f: string, v: string | number | bigint): string {
  return f.replace(
    /%(#?)(0?\d*)(l{0,2})([sudix])/,
    (_m, alt: string, width: string, _l: string, conv: string) => {
      let s: string;
      if (conv === "s") s = String(v);
      else if (conv === "x") {
        const n = typeof v === "bigint" ? v : BigInt(v as number);
        s = n.toString(16);
        if (alt && n !== 0n) s = "0x" + s;
      } else s = String(v);
      if (width) {
        const w = Number(width);
        const pad = width.startsWith("0") ? "0" : " ";
        if (s.length < w) s = pad.repeat(w - s.length) + s;
      }
      return s;
    },
  );
}

/**
 * One output context (one `ip` invocation): text or JSON.
 */
export class Emitter {
  readonly json: boolean;
  private buf: string[] = [];
  private jw?: JsonWriter;
  constructor(opts: EmitOptions = {}) {
    this.json = !!opts.json;
    if (this.json) this.jw = new JsonWriter(!!opts.pretty);
  }
  /** new_json_obj: the outer array. */
  startList(): void {
    this.jw?.startArray();
  }
  /** delete_json_obj. */
  endList(): void {
    this.jw?.endArray();
  }
  /** PRINT_FP text. */
  fp(s: string): void {
    if (!this.json) this.buf.push(s);
  }
  /** print_string/print_uint/print_int with PRINT_ANY. */
  any(key: string | null, format: string, v: string | number | bigint): void {
    if (this.json) {
      if (key !== null) this.jw!.name(key);
      this.jw!.value(v);
    } else this.buf.push(fmt(format, v));
  }
  /** PRINT_JSON only. */
  js(key: string | null, v: JsonScalar): void {
    if (!this.json) return;
    if (key !== null) this.jw!.name(key);
    this.jw!.value(v);
  }
  /** print_null(PRINT_ANY, key, text): JSON `"key":null`, text literal. */
  nul(key: string, text: string): void {
    if (this.json) {
      this.jw!.name(key);
      this.jw!.value(null);
    } else this.buf.push(text);
  }
  /** print_bool(PRINT_ANY, key, text, true). */
  bool(key: string, text: string): void {
    if (this.json) {
      this.jw!.name(key);
      this.jw!.value(true);
    } else this.buf.push(text);
  }
  openObject(key?: string): void {
    if (this.json) {
      if (key) this.jw!.name(key);
      this.jw!.startObject();
    }
  }
  closeObject(): void {
    if (this.json) this.jw!.endObject();
  }
  openArray(key?: string): void {
    if (this.json) {
      if (key) this.jw!.name(key);
      this.jw!.startArray();
    }
  }
  closeArray(): void {
    if (this.json) this.jw!.endArray();
  }
  /** The whole output. */
  text(): string {
    return this.json ? this.jw!.finish() : this.buf.join("");
  }
}
