/**
 * `-batch` with the fast `route get` path against the line-by-line path it replaced: random
 * hosts, random batches of questions (plain ones, ones with every option, malformed ones,
 * -j, errors) mixed with commands that change the host; with and without -force. Output,
 * errors and status must be identical.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createHostState } from "../model/host.js";
import { batchWords, loadText } from "../model/load.js";
import { parseIpOptions } from "../parse/options.js";
import type { IpOptions } from "../parse/ipcmd.js";
import type { SourceLoc } from "../core/loc.js";
import type { HostState } from "../model/types.js";
import { runBatch, runCommand, type CmdResult } from "./commands.js";

/** The batch loop before the fast path (commands.ts at e988154). */
function runBatchSlow(s: HostState, opts: IpOptions, text: string, file: string): CmdResult {
  let stdout = "",
    stderr = "",
    status = 0;
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  for (let n = 0; n < lines.length; n++) {
    const loc: SourceLoc = { file, line: n + 1, col: 1 };
    const ws = batchWords(lines[n]!, loc);
    if (!ws.length) continue;
    const po = parseIpOptions(ws, 0);
    const lineOpts = { ...opts, ...po.opts };
    const r = po.error
      ? { stdout: "", stderr: po.error.message + "\n", status: 255, fatal: true }
      : runCommand(s, lineOpts, ws.slice(po.next), { ...loc, col: lines[n]!.length + 1 });
    stdout += r.stdout;
    stderr += r.stderr;
    // ip exit()s with the error's own status (get_prefix: 1, invarg: 255).
    if (r.fatal) return { stdout, stderr, status: r.status, fatal: true };
    if (r.status !== 0) {
      stderr += `Command failed ${file}:${n + 1}\n`;
      status = 1;
      if (!opts.force) break;
    }
  }
  return { stdout, stderr, status };
}

const SETUP = `
ip link set lo up
ip link add eth0 type veth peer name peer0
ip link add eth1 type veth peer name peer1
ip link set peer0 up
ip link set eth0 up
ip link set eth1 up
ip addr add 10.0.0.2/24 dev eth0
ip addr add 10.1.0.2/24 dev eth1
ip addr add 192.168.9.1/32 dev lo
ip route add default via 10.0.0.1
ip route add 10.9.0.0/16 via 10.1.0.1 table 100
ip route add blackhole 10.9.9.0/24 table 100
ip route add 8.8.8.0/24 via 10.0.0.1 tos 0x10
ip route add unreachable 1.2.3.0/24
ip route add local 10.50.0.0/16 dev lo table 200
ip rule add fwmark 1 lookup 100
ip rule add uidrange 1000-2000 lookup 200
ip rule add to 9.9.9.9 prohibit
ip rule add fwmark 0x20 lookup 100 suppress_prefixlength 0
`;

const dst = fc.constantFrom(
  "1.1.1.1",
  "10.9.1.1",
  "10.9.9.9",
  "8.8.8.8",
  "1.2.3.4",
  "10.50.1.1",
  "9.9.9.9",
  "10.0.0.5",
  "127.0.0.1",
  "224.0.0.1",
  "0.0.0.0",
  "10/8",
  "fd00::1",
  "10.0.0.2",
  "255.255.255.255",
);
const opt = fc.constantFrom(
  "from 10.0.0.2",
  "from 192.168.9.1",
  "from 10.0.0.9",
  "from 0.0.0.0",
  "mark 1",
  "mark 0x20",
  "mark 17",
  "mark 0",
  "uid 1500",
  "uid 0",
  "uid 4294967295",
  "tos 0x10",
  "tos 10",
  "tos 0X1c",
  "ipproto tcp",
  "ipproto 6",
  "sport 80",
  "dport 443",
  "dport 080",
  "iif eth0",
  "oif eth1",
  "fibmatch",
  "mark zz",
  "uid -1",
  "tos 0x1ff",
  "connected",
  "to",
  "dsfield 0x10",
  "f 10.0.0.2",
  "sport 70000",
);
const getLine = fc
  .tuple(dst, fc.array(opt, { maxLength: 3 }), fc.constantFrom("", "", " ", "\r", "  "))
  .map(([d, o, t]) => `route get ${d} ${o.join(" ")}${t}`.replace(/ +$/, (m) => m));
const other = fc.constantFrom(
  "route add 10.9.8.0/24 via 10.1.0.1 table 100",
  "rule add fwmark 2 lookup 200",
  "route del default",
  "link set eth1 down",
  "-j route get 1.1.1.1",
  "-4 route get 1.1.1.1",
  "rule show",
  "",
  "# comment",
  "route get",
  "bogus line",
  "route add 10.9.8.0/24 via 10.1.0.1 table 100",
);
const batch = fc.array(
  fc.oneof({ arbitrary: getLine, weight: 8 }, { arbitrary: other, weight: 1 }),
  { minLength: 1, maxLength: 40 },
);

describe("-batch route get fast path", () => {
  it("prints, fails and stops exactly like the line-by-line path", () => {
    fc.assert(
      fc.property(batch, fc.boolean(), fc.boolean(), fc.boolean(), (lines, force, json, bypass) => {
        const mk = () => {
          const s = createHostState();
          loadText(s, bypass ? SETUP.replace(/^ip rule.*$/gm, "") : SETUP, "setup.sh");
          return s;
        };
        const text = lines.join("\n") + (lines.length % 2 ? "\n" : "");
        const opts: IpOptions = { force, ...(json ? { json: true } : {}) };
        // `order` (the shared-stream order) is the batch's alone; the streams must agree.
        const { order: _order, ...a } = runBatch(mk(), opts, text, "probes.txt");
        const b = runBatchSlow(mk(), opts, text, "probes.txt");
        expect(a).toEqual(b);
      }),
      { numRuns: 400, seed: 0xb47c },
    );
  });
});
