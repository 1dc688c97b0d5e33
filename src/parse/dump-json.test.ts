import { describe, expect, it } from "vitest";
import { JsonSyntaxError, parseJsonValues, plain } from "./dump-json.js";

// Answers per RFC 8259 (what JSON.parse gives for each value).
describe("parseJsonValues", () => {
  it("reads values one after another (ip -j rule; ip -j -6 rule)", () => {
    const v = parseJsonValues('[{"priority":0,"table":"local"}]\n[{"a":null,"b":[true,false]}]');
    expect(v.map(plain)).toEqual([
      [{ priority: 0, table: "local" }],
      [{ a: null, b: [true, false] }],
    ]);
  });
  it("decodes escapes as JSON.parse does", () => {
    const s = '"a\\n\\t\\"\\\\\\/\\u0041"';
    expect(plain(parseJsonValues(s)[0]!)).toBe(JSON.parse(s));
  });
  it("reports where it stopped and what it expected", () => {
    try {
      parseJsonValues('{"a" 1}');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JsonSyntaxError);
      expect([(e as JsonSyntaxError).pos, (e as JsonSyntaxError).expected]).toEqual([5, "':'"]);
    }
    expect(() => parseJsonValues('"open')).toThrow("expected a closed string");
  });
});
