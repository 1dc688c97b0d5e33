/**
 * The PACKETS of `reply-of:` (`always|never: reply-of: PACKETS -> OUTCOME`): the original
 * packets of a flow as the host receives them. `from` (their source, the reply's destination)
 * and `iif` (their ingress device) are taken out here; the other words (`to`, `ipproto`,
 * `sport`, `dport`, `uid` — the owner of the local socket —, `-4`/`-6`) are read by
 * parsePackets. What the reply does not inherit from the original is refused: `mark`/`tos`
 * (the reply carries the socket's, 0) and `oif` (the accepting socket is not bound).
 * @module
 */
import { parsePrefix, type Prefix } from "../addr/ip.js";
import { type Issue, issue } from "../core/issue.js";
import { err, ok, type Result } from "../core/result.js";

/** One `[not] from PREFIXES` of a reply-of. */
export interface ReplyFrom {
  readonly prefixes: readonly Prefix[];
  readonly not: boolean;
}

/** What `reply-of:` adds to an assertion's PACKETS. */
export interface ReplyOf {
  /** Sources of the original packets (ANDed, each a union of prefixes). */
  readonly from: readonly ReplyFrom[];
  /** The device the originals arrive on. */
  readonly iif?: string;
}

const REFUSED: Record<string, string> = {
  mark:
    "a reply carries the socket's mark (0: no SO_MARK), not the original's; " +
    "ask the original without reply-of",
  tos: "a reply carries the socket's tos (0), not the original's",
  oif: "the accepting socket of a reply is not bound to a device (SO_BINDTODEVICE)",
};
REFUSED.fwmark = REFUSED.mark!;
REFUSED.dsfield = REFUSED.tos!;

const bad = (token: string, expected: string): Issue =>
  issue("analysis.syntax", `"${token}" is not ${expected}`, { token, expected });

/** The `from` prefixes of one word (comma-separated, braces optional). */
function fromPrefixes(word: string): Result<Prefix[]> {
  const out: Prefix[] = [];
  for (const x of word.replace(/[{}]/g, "").split(",")) {
    if (!x.trim()) continue;
    const p = parsePrefix(x.trim());
    if (!p.ok) return err(bad(x.trim(), "a prefix"));
    out.push(p.value);
  }
  return out.length ? ok(out) : err(bad(word, "a prefix"));
}

/**
 * Take `from` and `iif` out of the words of a reply-of's PACKETS; `rest` goes to
 * parsePackets.
 */
export function splitReplyWords(
  words: readonly string[],
): Result<{ reply: ReplyOf; rest: string[] }> {
  const from: ReplyFrom[] = [];
  let iif: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const negated = words[i] === "not";
    const w = negated ? words[i + 1] : words[i];
    if (w !== undefined && REFUSED[w])
      return err(issue("analysis.unsupported", `"${w}" in reply-of: ${REFUSED[w]}`, { token: w }));
    if (w === "from") {
      const p = fromPrefixes(words[i + (negated ? 2 : 1)] ?? "");
      if (!p.ok) return p;
      from.push({ prefixes: p.value, not: negated });
      i += negated ? 2 : 1;
      continue;
    }
    if (w === "iif") {
      const name = words[i + 1];
      if (negated || name === undefined || iif !== undefined)
        return err(bad(negated ? "not iif" : "iif", "one `iif NAME` (a device)"));
      iif = name;
      i++;
      continue;
    }
    rest.push(words[i]!);
  }
  return ok({ reply: { from, ...(iif !== undefined ? { iif } : {}) }, rest });
}
