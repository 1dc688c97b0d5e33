/**
 * routelab: a virtual Linux host whose policy routing answers exactly as the kernel would.
 *
 * Load setup scripts and dumps into a {@link Host}, then ask it: `routeGet`, `trace`,
 * `explain`, `ip(...)` (any command line the CLI takes, printed byte for byte as iproute2).
 * Only what callers need is exported here; everything else is internal and may change.
 *
 * @example
 * ```ts
 * import { Host } from "routelab";
 * const text = "ip link set lo up\nip rule add fwmark 129 lookup 129\n";
 * const host = Host.load([{ name: "setup.sh", text }]);
 * const r = host.routeGet("127.0.0.1", { mark: 129 });
 * if (r.ok && r.value.ok) console.log(r.value.type); // "local"
 * ```
 * @module
 */

// --- The host ---------------------------------------------------------------------------

/** The virtual host (load, then ask) and the listening-socket parser for its options. */
export { Host, parseListen } from "./host.js";
/** Inputs, options and results of {@link Host}'s methods. */
export type {
  BatchAnswers4,
  BatchOptions,
  BatchQuestions4,
  Explanation,
  HostInput,
  HostOptions,
  IpResult,
  RouteGetOptions,
} from "./host.js";
/** What {@link Host.map} and {@link Host.check} answer. */
export type { MapEntry, MapResult } from "./interfaces/analysis.js";
export type { CheckResult } from "./analysis/check.js";
export type { Assertion, OutcomeExpr, Selector } from "./analysis/assert.js";
export type { Outcome, Path } from "./analysis/outcome.js";
export type { HeaderPacket } from "./analysis/header.js";

// --- Errors as values -------------------------------------------------------------------

/** A problem with a code, a severity, a location, the offending token and what was expected. */
export type { Issue, IssueCode, Severity } from "./core/issue.js";
/** An issue for people: `file:line:col: error: message (found "x"; expected y)`. */
export { renderIssue } from "./interfaces/render.js";
/** Where an issue is: file, line, column (1-based). */
export type { SourceLoc } from "./core/loc.js";
/** `{ ok: true, value } | { ok: false, error }`: what {@link Host} methods return. */
export type { Result } from "./core/result.js";

// --- Addresses --------------------------------------------------------------------------

/** Addresses (IPv4 a uint32 `number`, IPv6 a `bigint`) and prefixes. */
export type { Addr, Addr4, Addr6, Family, ParseResult, Prefix } from "./addr/ip.js";
/** Parse and format addresses and prefixes in iproute2's grammar (`10/8` is 10.0.0.0/8). */
export { formatAddr, formatPrefix, parseAddr, parsePrefix, v4, v6 } from "./addr/ip.js";

// --- Answers ----------------------------------------------------------------------------

/** A route decision (what `ip route get` prints), its flow and the trace of why. */
export type { Decision, Errno, Flow, TraceStep } from "./engine/types.js";
/** errno names of route lookups with iproute2's strerror text (`RTNETLINK answers: …`). */
export { ERRNO } from "./engine/types.js";
/** A packet's journey through routing and netfilter (`trace`). */
export type {
  JourneyFinal,
  JourneyQuery,
  JourneyResult,
  JourneyStep,
  JourneyVerdict,
  ListenSpec,
} from "./engine/journey.js";

// --- The host's objects, as decisions name them ---------------------------------------

/** Routes, rules, links and addresses (field names follow the kernel and iproute2). */
export type { IfAddr, Link, Nexthop, Route, Rule, RuleAction } from "./model/types.js";
/** Kernel enumerations: link kinds, route types (`RTN`), scopes, reserved tables. */
export type { LinkKind, RouteType } from "./core/kinds.js";
/** Route type numbers, scope numbers and reserved table ids (`TABLE.main` is 254). */
export { RTN, SCOPE, TABLE } from "./core/kinds.js";

// --- Captures ---------------------------------------------------------------------------

/** `routelab capture` files: the read-only commands a capture runs and the file's shape. */
export {
  CAPTURE_COMMANDS,
  CAPTURE_FORMAT,
  CAPTURE_VERSION,
  captureOwners,
  linkNames,
  sysctlArgv,
} from "./model/capture.js";
export type {
  Capture,
  CaptureCommand,
  CaptureOwner,
  CaptureSection,
} from "./model/capture.js";
export type { Change } from "./analysis/diff.js";
export type { Finding, LintPackets, LintSeverity } from "./analysis/lint/index.js";
export { diffOutput } from "./interfaces/lint.js";
