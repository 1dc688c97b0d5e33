/**
 * The whole-space analysis (issue 10) on the page: the map (every class of packets with one
 * routing outcome, filterable) and checks (`always|never: PACKETS -> OUTCOME`) whose
 * representative or counterexample packet is one click from the form.
 */
import { useEffect, useState } from "preact/hooks";
import type { Engine } from "./client";
import { jsonOf, objects, str, words } from "./json";
import type { Printed } from "./protocol";

interface MapClass {
  packets: string;
  outcome: string;
  representative: string[] | undefined;
}
interface CheckResult {
  assertion: string;
  holds: boolean;
  counterexample?: string[] | undefined;
  outcome?: string;
}

/** `-j map`'s classes: the fields shown (the analysis may add more). */
const mapClasses = (p: Printed | undefined): MapClass[] =>
  objects(jsonOf(p), "classes").map((c) => ({
    packets: str(c, "packets"),
    outcome: str(c, "outcome"),
    representative: words(c.representative),
  }));

/** `-j check`'s results. */
const checkResults = (p: Printed | undefined): CheckResult[] =>
  objects(jsonOf(p)).map((r) => ({
    assertion: str(r, "assertion"),
    holds: r.holds === true,
    counterexample: words(r.counterexample),
    outcome: str(r, "outcome"),
  }));

function CheckLine({ r, onPacket }: { r: CheckResult; onPacket(w: string): void }) {
  return (
    <p class={r.holds ? "holds" : "fails"} data-testid="check-result">
      {r.holds ? "holds" : "FAILS"}: {r.assertion}
      {r.counterexample && (
        <>
          {" "}
          — counterexample{" "}
          <button type="button" class="link" onClick={() => onPacket(r.counterexample!.join(" "))}>
            {r.counterexample.join(" ")}
          </button>{" "}
          → {r.outcome}
        </>
      )}
    </p>
  );
}

/** The map's filter and the check's assertion as asked (kept in the URL by the page). */
export interface AnalysisAsked {
  map: string;
  check: string;
}

export function AnalysisPanel(props: {
  engine: Engine;
  version: number;
  asked: AnalysisAsked;
  onAsked(a: AnalysisAsked): void;
  onPacket(w: string): void;
}) {
  const [filter, setFilter] = useState(props.asked.map);
  const [map, setMap] = useState<{ text: Printed; json: Printed }>();
  const [assertion, setAssertion] = useState(props.asked.check);
  const [check, setCheck] = useState<{ text: Printed; json: Printed }>();
  const runMap = (f = props.asked.map) =>
    void props.engine.analysis("map", f.split(/\s+/).filter(Boolean)).then(setMap);
  const runCheck = (a = props.asked.check) =>
    void (a.trim() ? props.engine.analysis("check", [a]).then(setCheck) : setCheck(undefined));
  useEffect(() => {
    if (!props.version) return;
    runMap();
    runCheck();
  }, [props.version]);
  const classes = mapClasses(map?.json);
  const results = checkResults(check?.json);
  return (
    <div class="analysis" data-testid="analysis">
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          props.onAsked({ ...props.asked, map: filter });
          runMap(filter);
        }}
      >
        <label>
          map of packets{" "}
          <input
            data-testid="map-filter"
            value={filter}
            placeholder="e.g. uid 1000, to 10.0.0.0/8, -6"
            onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
          />
        </label>{" "}
        <button type="submit">Map</button>
      </form>
      {map && map.text.stderr && <pre class="warn">{map.text.stderr}</pre>}
      <table class="map" data-testid="map-table">
        <tbody>
          {classes.map((c, k) => (
            <tr key={k}>
              <td class="pref">{k + 1}</td>
              <td>{c.packets}</td>
              <td>→ {c.outcome}</td>
              <td>
                {c.representative && (
                  <button
                    type="button"
                    class="link"
                    onClick={() => props.onPacket(c.representative!.join(" "))}
                  >
                    ask {c.representative.join(" ")}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {map && <p class="hint">{map.text.stdout.split("\n")[0]}</p>}
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          props.onAsked({ ...props.asked, check: assertion });
          runCheck(assertion);
        }}
      >
        <label>
          check{" "}
          <input
            data-testid="check-input"
            value={assertion}
            placeholder="always: to 1.1.1.1 uid 1000 -> dev clash0"
            onInput={(e) => setAssertion((e.target as HTMLInputElement).value)}
          />
        </label>{" "}
        <button type="submit">Check</button>
      </form>
      {results.map((r, k) => (
        <CheckLine key={k} r={r} onPacket={props.onPacket} />
      ))}
      {check?.text.stderr && <pre class="warn">{check.text.stderr}</pre>}
    </div>
  );
}
