/**
 * What a command prints and the order its two streams reach a stream both go to (`2>&1`), as
 * `ip` writes them: per command (inOrder) and across an `ip -batch` run (Streams).
 * @module
 */
import { TextOut } from "./batch-get.js";

/** What one command printed. */
export interface CmdResult {
  stdout: string;
  stderr: string;
  status: number /** exit at once (iproute2 invarg: exit(-1) even inside -batch) */;
  fatal?: boolean;
  /** stdout (1) / stderr (2) pieces in the order ip writes them (see {@link inOrder}). */
  order?: [1 | 2, string][];
}

/**
 * The order one command's streams reach a shared stream: what a successful command prints on
 * stderr are warnings written while reading its arguments (before the answer, which
 * print_route flushes); a failed one's error follows whatever it printed first.
 */
export function inOrder(r: CmdResult): [1 | 2, string][] {
  const pieces: [1 | 2, string][] =
    r.status === 0
      ? [
          [2, r.stderr],
          [1, r.stdout],
        ]
      : [
          [1, r.stdout],
          [2, r.stderr],
        ];
  return pieces.filter(([, t]) => t !== "");
}

/** Both streams of a batch run, cut where the output switches from one to the other. */
export class Streams {
  readonly out = new TextOut();
  readonly err = new TextOut();
  readonly order: [1 | 2, string][] = [];
  private cur: 1 | 2 = 1;
  /** Make `fd` the stream being written: what the other one holds so far comes first. */
  to(fd: 1 | 2): void {
    if (fd === this.cur) return;
    const t = (this.cur === 1 ? this.out : this.err).toString();
    if (t) this.order.push([this.cur, t]);
    this.cur = fd;
  }
  write(pieces: [1 | 2, string][]): void {
    for (const [fd, t] of pieces) {
      this.to(fd);
      (fd === 1 ? this.out : this.err).str(t);
    }
  }
  result(status: number, fatal?: boolean): CmdResult {
    this.to(this.cur === 1 ? 2 : 1);
    this.to(this.cur === 1 ? 2 : 1);
    const pick = (fd: 1 | 2) =>
      this.order
        .filter(([f]) => f === fd)
        .map(([, t]) => t)
        .join("");
    const r: CmdResult = { stdout: pick(1), stderr: pick(2), status };
    if (r.stdout && r.stderr) r.order = this.order;
    if (fatal) r.fatal = true;
    return r;
  }
}
