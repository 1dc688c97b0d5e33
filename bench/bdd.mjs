// BDD build time: 5,000 random IPv4 dst prefixes (/8../32, fixed-seed xorshift) ORed into one
// packet set, in a fresh header arena (wall and CPU time: CPU time is the number to read on
// a shared machine). Run after `npm run build`: node bench/bdd.mjs
import { v4 } from "../dist/addr/ip.js";
import { FALSE, nodeCount, or } from "../dist/analysis/bdd/index.js";
import { addrPrefix, createHeaderArena } from "../dist/analysis/header.js";

function rng(seed = 0x2545f491) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function buildUnion(count, next) {
  const m = createHeaderArena();
  const ps = Array.from({ length: count }, () => ({ addr: v4(next()), len: 8 + (next() % 25) }));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let f = FALSE;
  for (const p of ps) f = or(m, f, addrPrefix(m, "dst", p));
  const cpu = process.cpuUsage(c0);
  const ms = performance.now() - t0;
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, nodes: nodeCount(m, f), arena: m.size };
}

const next = rng();
for (let run = 0; run < 5; run++) {
  const r = buildUnion(5000, next);
  console.log(
    `5000 IPv4 prefixes ORed: ${r.ms.toFixed(1)} ms wall, ${r.cpuMs.toFixed(1)} ms CPU, ` +
      `${r.nodes} nodes in the union, ` +
      `${r.arena} in the arena`,
  );
}
