/**
 * `not-fwmark-no-src-valid-mark`: an IPv4 `not fwmark M` rule (wg-quick's) while a device
 * with rp_filter on has src_valid_mark off. fib_validate_source does the reverse lookup of
 * an incoming reply with the packet's mark only when IN_DEV_SRC_VMARK (conf/all or the
 * device, IN_DEV_ORCONF); otherwise with mark 0, which the `not fwmark` rule sends into the
 * tunnel table, so strict rp_filter drops replies arriving outside the tunnel. This finding
 * comes from the rules and sysctls alone; `rp-filter-drops-replies` (rp-filter.ts) finds
 * the dropped replies themselves. wg-quick sets net.ipv4.conf.all.src_valid_mark=1 for
 * this reason.
 * @module
 */
import { getSysctl } from "../../model/sysctl.js";
import type { Finding, LintCtx } from "./types.js";

const on = (v: string | undefined) => v !== undefined && v !== "0";

export function notFwmarkWithoutSrcValidMark(c: LintCtx): Finding[] {
  const s = c.a.s;
  const rules = s.rules4.filter((r) => r.invert && r.fwmask);
  if (!rules.length || on(getSysctl(s, "net.ipv4.conf.all.src_valid_mark"))) return [];
  const rpAll = Number(getSysctl(s, "net.ipv4.conf.all.rp_filter") ?? 0);
  const devs = s.links.filter((l) => {
    if (l.name === "lo") return false;
    const k = `net.ipv4.conf.${l.name}.`;
    const rp = Math.max(rpAll, Number(getSysctl(s, `${k}rp_filter`) ?? 0));
    return rp > 0 && !on(getSysctl(s, `${k}src_valid_mark`));
  });
  if (!devs.length) return [];
  return rules.map((r) => ({
    id: "not-fwmark-no-src-valid-mark",
    severity: "warning" as const,
    message:
      `rule ${r.pref} matches "not fwmark 0x${r.fwmark.toString(16)}" but src_valid_mark is ` +
      `off with rp_filter on (${devs.map((l) => l.name).join(", ")}): the reverse-path ` +
      "lookup of incoming replies uses mark 0 and may choose the tunnel, so rp_filter drops " +
      "them (input path not modelled by the analysis: from the rules and sysctls)",
    fix: "sysctl -w net.ipv4.conf.all.src_valid_mark=1 (as wg-quick does)",
  }));
}
