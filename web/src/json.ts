/**
 * Reading the CLI's `-j` output on the page, defensively: the analysis may grow fields (and
 * an older or newer engine may lack one), so the panels pick the fields they show, check
 * their types, and drop what does not fit rather than fail. Also what the lint and diff
 * panels show of `-j lint` and `-j diff`. (No imports: test/web reads it under Node too.)
 */

/** What a command printed (protocol.ts's Printed; stdout is all this module reads). */
type Printed = { stdout: string };

type Obj = Record<string, unknown>;

/** The JSON a command printed, or undefined (nothing printed, or not JSON). */
export function jsonOf(p: Printed | undefined): unknown {
  if (!p?.stdout.trim()) return undefined;
  try {
    return JSON.parse(p.stdout);
  } catch {
    return undefined;
  }
}

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null;

/** A string field ("" when absent or not a string; numbers are written out). */
export const str = (o: Obj, k: string): string => {
  const v = o[k];
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : "";
};

/** A list of words (a packet's `route get` arguments), or undefined. */
export const words = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.length > 0 && v.every((w) => typeof w === "string") ? v : undefined;

/** The objects of an array (or of `o[key]` when o is an object); [] otherwise. */
export function objects(v: unknown, key?: string): Obj[] {
  const list = key !== undefined && isObj(v) ? v[key] : v;
  return Array.isArray(list) ? list.filter(isObj) : [];
}

export interface FindingView {
  id: string;
  severity: string;
  message: string;
  fix: string;
  packets?: { family: string; description: string; representative: string[]; outcome: string };
}

/** `-j lint`'s findings: the fields shown (the analysis may add more; a bad one is dropped). */
export function findingsOf(p: Printed | undefined): FindingView[] {
  return objects(jsonOf(p)).map((f) => {
    const v: FindingView = {
      id: str(f, "id") || "finding",
      severity: str(f, "severity") || "info",
      message: str(f, "message"),
      fix: str(f, "fix"),
    };
    const pk = objects([f.packets])[0];
    const rep = pk && words(pk.representative);
    if (pk && rep)
      v.packets = {
        family: str(pk, "family"),
        description: str(pk, "description"),
        representative: rep,
        outcome: str(pk, "outcome"),
      };
    return v;
  });
}

export interface ChangeView {
  family: string;
  packets: string;
  before: string;
  after: string;
  representative: string[] | undefined;
}

/** `diff -j`'s changes: the fields shown (the analysis may add more). */
export const changesOf = (p: Printed | undefined): ChangeView[] =>
  objects(jsonOf(p)).map((c) => ({
    family: str(c, "family"),
    packets: str(c, "packets"),
    before: str(c, "before"),
    after: str(c, "after"),
    representative: words(c.representative),
  }));
