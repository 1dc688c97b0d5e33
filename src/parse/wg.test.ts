import { describe, expect, it } from "vitest";
import { confLines, parseFwmark, parseWgArgv, parseWgConf } from "./wg.js";

const loc = { file: "t", line: 1, col: 1 };
const words = (s: string) => s.split(" ").map((text) => ({ text, loc }));

describe("wg argument and configuration grammar (wireguard-tools config.c, set.c)", () => {
  it("reads fwmarks as parse_fwmark does: off, decimal, 0x hexadecimal", () => {
    expect(parseFwmark("off")).toBe(0);
    expect(parseFwmark("51820")).toBe(51820);
    expect(parseFwmark("0xca6c")).toBe(51820);
    expect(parseFwmark("12abc")).toBeUndefined();
  });
  it("parses wg set with a fwmark and peers", () => {
    const c = parseWgArgv(words("set wg0 fwmark 0x10 peer AAA allowed-ips 10.0.0.0/8,::/0"));
    expect(c).toMatchObject({
      op: "set",
      conf: { fwmark: 16, peers: [{ publicKey: "AAA", allowedIps: ["10.0.0.0/8", "::/0"] }] },
    });
  });
  it("keeps each [Peer] section apart and reads keys case-insensitively", () => {
    const conf = parseWgConf(
      "[Interface]\nfwMark = 0x1234 # mark\n[Peer]\nPublicKey = A\n" +
        "AllowedIPs = 1.0.0.0/8, 2.0.0.0/8\n[Peer]\nPublicKey = B\n" +
        "allowedips = ::/0\nEndpoint = [fd00::1]:51820\n",
      "wg0.conf",
    );
    expect(conf.fwmark).toBe(0x1234);
    expect(conf.peers).toEqual([
      { publicKey: "A", allowedIps: ["1.0.0.0/8", "2.0.0.0/8"] },
      { publicKey: "B", allowedIps: ["::/0"], endpoint: "[fd00::1]:51820" },
    ]);
  });
  it("keeps the hook text with its # as wg-quick's unstripped_value", () => {
    const l = confLines("[Interface]\nPostUp = echo a # b\n", "x").find((x) => x.key);
    expect(l).toMatchObject({ key: "postup", value: "echo a", raw: "echo a # b" });
  });
});
