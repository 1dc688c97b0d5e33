/**
 * Well-known users of fwmark bits, rule prefs and tables (data module). Sources: wg-quick
 * (51820 = 0xca6c), tailscale (linuxfw: 0x40000 subnet-route, 0x80000 bypass, mask
 * 0xff0000; prefs 5210–5270, table 52), sing-tun (0x2023–0x2025, prefs 9000–9010, table
 * 2022), mihomo routing-mark 0x2d0, kube-proxy 0x4000/0x8000, Calico 0xffff0000, Cilium
 * 0x200–0xf00, Weave 0x20000, Istio 0x1337, mwan3 prefs 1000–3000
 * (/work/shared/reference/next-phase-anchors.md "Mark registry").
 * @module
 */

/** One tool's marks (value/mask pairs), rule prefs and tables. */
export interface KnownTool {
  readonly name: string;
  readonly marks: readonly (readonly [value: number, mask: number])[];
  readonly prefs: readonly (readonly [lo: number, hi: number])[];
  readonly tables: readonly number[];
}

export const KNOWN_TOOLS: readonly KnownTool[] = [
  { name: "wg-quick", marks: [[0xca6c, 0xffffffff]], prefs: [], tables: [51820] },
  {
    name: "tailscale",
    marks: [
      [0x40000, 0xff0000],
      [0x80000, 0xff0000],
    ],
    prefs: [
      [5210, 5270],
      [1300, 1370],
    ],
    tables: [52],
  },
  {
    name: "sing-tun",
    marks: [
      [0x2023, 0xffffffff],
      [0x2024, 0xffffffff],
      [0x2025, 0xffffffff],
    ],
    prefs: [[9000, 9010]],
    tables: [2022],
  },
  { name: "mihomo", marks: [[0x2d0, 0xffffffff]], prefs: [], tables: [] },
  {
    name: "kube-proxy",
    marks: [
      [0x4000, 0x4000],
      [0x8000, 0x8000],
    ],
    prefs: [],
    tables: [],
  },
  { name: "Calico", marks: [[0, 0xffff0000]], prefs: [], tables: [] },
  { name: "Cilium", marks: [[0, 0xf00]], prefs: [], tables: [] },
  { name: "Weave", marks: [[0x20000, 0x20000]], prefs: [], tables: [] },
  { name: "Istio", marks: [[0x1337, 0xffffffff]], prefs: [], tables: [] },
  // mwan3: 1001+ iif rules, 2001+ fwmark lookups, 3001+ fwmark unreachable (250 interfaces).
  { name: "mwan3", marks: [], prefs: [[1000, 3254]], tables: [] },
];

/**
 * The tools whose mark bits a `fwmark V/M` match touches: the masks share a bit and the
 * values agree on the shared bits. Calico and Cilium own whole bit ranges (value 0 above):
 * any nonzero mark bit inside them counts.
 */
export function toolsOfMark(value: number, mask: number): KnownTool[] {
  return KNOWN_TOOLS.filter((t) =>
    t.marks.some(([v, m]) => {
      const shared = (m & mask) >>> 0;
      if (!shared) return false;
      if (v === 0) return (value & shared) >>> 0 !== 0;
      return ((v ^ value) & shared) >>> 0 === 0 && (value & m) >>> 0 === (v & m) >>> 0;
    }),
  );
}

/** The tool a pref belongs to, if one claims it. */
export function toolOfPref(pref: number): KnownTool | undefined {
  return KNOWN_TOOLS.find((t) => t.prefs.some(([lo, hi]) => pref >= lo && pref <= hi));
}

/** The tool a table belongs to, if one claims it. */
export function toolOfTable(table: number): KnownTool | undefined {
  return KNOWN_TOOLS.find((t) => t.tables.includes(table));
}
