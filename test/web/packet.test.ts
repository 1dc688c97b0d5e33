/** The packet form's words: what the page asks is `trace` syntax, as the CLI reads it. */
import { describe, expect, it } from "vitest";
import { emptyPacket, packetWords, parsePacket } from "../../web/src/packet.js";

describe("packet form", () => {
  it("writes the fields as trace words, dst first, empty fields left out", () => {
    const p = { ...emptyPacket(), dst: "1.1.1.1", uid: "1000", ipproto: "tcp", dport: "443" };
    expect(packetWords(p)).toEqual(["1.1.1.1", "uid", "1000", "ipproto", "tcp", "dport", "443"]);
    expect(packetWords({ ...p, reply: true }).at(-1)).toBe("reply");
  });
  it("reads route get spellings back (to, dev, dsfield)", () => {
    const p = parsePacket("to 8.8.8.8 from 192.168.1.7 iif eth0 dev wg0 dsfield 4 reply");
    expect(p).toMatchObject({ dst: "8.8.8.8", from: "192.168.1.7", iif: "eth0", oif: "wg0" });
    expect(p).toMatchObject({ tos: "4", reply: true });
    expect(packetWords(parsePacket(packetWords(p).join(" ")))).toEqual(packetWords(p));
  });
});
