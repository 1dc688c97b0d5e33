/**
 * One error type for every layer: an `Issue` is a value with a typed code, a severity, a
 * location, the offending token and what was expected. Layers return issues; only the
 * interfaces (CLI, web) render them.
 * @module
 */
import type { SourceLoc } from "./loc.js";

/**
 * Every issue code routelab emits. The prefix names the front-end or layer:
 * - `ip.*`: iproute2's argument grammar (`ip.invarg` is `Error: argument "X" is wrong`);
 * - `rtnl.E*`: the kernel refused an `ip` request (`RTNETLINK answers: …`);
 * - `iptables.*`, `nft.*`, `ipset.*`, `sysctl.*`: those tools' own errors;
 * - `shell.*`: the setup-script language; `load.*`, `dump.*`: files and dumps;
 * - `engine.*`: a question the engine cannot answer from what was loaded;
 * - `analysis.*`: `map`/`check` input: `analysis.syntax` (a PACKETS/OUTCOME/assertion word
 *   that does not parse), `analysis.unsupported` (packets the analysis does not model yet),
 *   `analysis.unknown` (a device or table the host does not have).
 */
export type IssueCode =
  | "usage"
  | "dump.json-syntax"
  | "dump.mixed-family"
  | "dump.rejected"
  | "dump.unknown-format"
  | "ip.address"
  | "ip.garbage"
  | "ip.link-kind"
  | "ip.prefix"
  | "ip.tuntap-mode"
  | "ip.unknown-command"
  | "ip.unknown-object"
  | "ip.usage"
  | "rtnl"
  | "trace.from"
  | "trace.syntax"
  | "ip.family"
  | "ip.incomplete"
  | "ip.invarg"
  | "ip.no-device"
  | "ip.not-modelled"
  | "ip.option"
  | "ip.tuntap"
  | `ipset.${string}`
  | "iptables.bad-value"
  | `iptables.${string}`
  | "load.batch-file"
  /** `Command failed FILE:N`: an `ip -batch` without `-force` stopped at that line. */
  | "load.batch-failed"
  | "load.restore-input"
  | "load.unknown-command"
  | "load.read"
  /** A script bigger than the loader takes whole (route dumps and `ip -batch` files stream). */
  | "load.too-big"
  /** A `routelab capture` file that cannot be read (not JSON, wrong version, bad section). */
  | "load.capture"
  /** A dump loaded without something an answer depends on: says what was assumed. */
  | "load.assumed"
  | `nft.${string}`
  | `rtnl.${string}`
  | "shell.arith"
  | "shell.syntax"
  | "shell.unset-variable"
  | "shell.unsupported"
  /** A command outside routelab's world (curl, systemctl, …): run as a no-op, reported once. */
  | "shell.skipped"
  /** A shell error while running (bad substitution, `[: integer expression expected`, …). */
  | "shell.runtime"
  /** A redirection or `.`/`cat` of a file the virtual host does not have. */
  | "shell.redirect"
  | "sysctl.option"
  | "sysctl.read"
  | "sysctl.unknown-key"
  | "engine.assumed"
  | "analysis.syntax"
  | "analysis.unsupported"
  | "analysis.unknown"
  /** `wg` (wireguard-tools) and `wg-quick` as routelab runs them (model/tools). */
  | `wg.${string}`
  | `wg-quick.${string}`
  /** net-tools `route` and `ifconfig` (model/tools/nettools.ts). */
  | `route.${string}`
  | `ifconfig.${string}`
  /** A command routelab records and skips (no routing effect it can know). */
  | "load.skipped";

/** `error`: the input is not valid for the tool; `warning`: the tool ran and refused it. */
export type Severity = "error" | "warning" | "info";

/** A machine-readable problem with a location until an interface renders it. */
export interface Issue {
  /** Stable code, e.g. `ip.invarg`, `rtnl.EEXIST`. */
  code: IssueCode;
  /** What the real tool would print (without the file prefix). */
  message: string;
  /** Defaults to `error` where absent. */
  severity?: Severity;
  loc?: SourceLoc;
  /** The word that was wrong, as written. */
  token?: string;
  /** What the grammar expected in its place. */
  expected?: string;
}

/**
 * The one thrown error inside a layer: a parser deep in recursion throws it and the
 * layer's entry point catches it and returns `issue`. It never crosses a layer boundary.
 */
export class IssueError extends Error {
  constructor(readonly issue: Issue) {
    super(issue.message);
    this.name = "IssueError";
  }
}

/** Build an issue, leaving out the fields that are undefined. */
export function issue(
  code: IssueCode,
  message: string,
  at?: { loc?: SourceLoc | undefined; token?: string | undefined; expected?: string | undefined },
  severity?: Severity,
): Issue {
  const i: Issue = { code, message };
  if (severity) i.severity = severity;
  if (at?.loc) i.loc = at.loc;
  if (at?.token !== undefined) i.token = at.token;
  if (at?.expected !== undefined) i.expected = at.expected;
  return i;
}
