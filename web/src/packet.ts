/** The packet form's fields and the `trace` words they stand for (route get syntax). */

export interface PacketFields {
  dst: string;
  from: string;
  iif: string;
  oif: string;
  uid: string;
  gid: string;
  mark: string;
  ipproto: string;
  sport: string;
  dport: string;
  tos: string;
  reply: boolean;
}

/** Keyword order as the form shows them (and as the words are written). */
export const KEYS = [
  "from",
  "iif",
  "oif",
  "uid",
  "gid",
  "mark",
  "ipproto",
  "sport",
  "dport",
  "tos",
] as const;

export const emptyPacket = (): PacketFields => ({
  dst: "",
  from: "",
  iif: "",
  oif: "",
  uid: "",
  gid: "",
  mark: "",
  ipproto: "",
  sport: "",
  dport: "",
  tos: "",
  reply: false,
});

export function packetWords(p: PacketFields): string[] {
  const w = [p.dst.trim()];
  for (const k of KEYS) {
    const v = p[k].trim();
    if (v) w.push(k, v);
  }
  if (p.reply) w.push("reply");
  return w.filter((x) => x !== "");
}

/** Words back into fields (`to` and `dev` as their synonyms); unknown words are dropped. */
export function parsePacket(text: string): PacketFields {
  const p = emptyPacket();
  const w = text.trim().split(/\s+/).filter(Boolean);
  for (let i = 0; i < w.length; i++) {
    const k = w[i]!;
    const key = k === "dev" ? "oif" : k === "dsfield" ? "tos" : k;
    if (key === "reply") p.reply = true;
    else if ((KEYS as readonly string[]).includes(key) && i + 1 < w.length)
      p[key as (typeof KEYS)[number]] = w[++i]!;
    else if (k === "to" && i + 1 < w.length) p.dst = w[++i]!;
    else if (!p.dst) p.dst = k;
  }
  return p;
}
