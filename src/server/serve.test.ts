import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseServeArgs, serve } from "./serve.js";

describe("routelab serve", () => {
  const dir = mkdtempSync(join(tmpdir(), "routelab-serve-"));
  const site = join(dir, "site");
  let server: { url: string; close(): void };
  beforeAll(async () => {
    writeFileSync(join(dir, "setup.sh"), "ip link set lo up\n");
    mkdirSync(site);
    writeFileSync(join(site, "index.html"), "<!doctype html>page");
    writeFileSync(join(dir, "secret.txt"), "not served");
    server = await serve({ loads: [join(dir, "setup.sh")], port: 0 }, site);
  });
  afterAll(() => server.close());

  it("listens on 127.0.0.1 on a free port when asked for port 0", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.url).not.toBe("http://127.0.0.1:0/");
  });
  it("serves the page and hands it the loaded files", async () => {
    expect(await (await fetch(server.url)).text()).toBe("<!doctype html>page");
    writeFileSync(join(site, "index.html"), "<html><head></head></html>");
    const html = await (await fetch(`${server.url}index.html`)).text();
    expect(html).toBe(
      '<html><head><meta name="routelab-setup" content="setup.json" /></head></html>',
    );
    const setup = await (await fetch(`${server.url}setup.json`)).json();
    expect(setup).toEqual({ files: [{ name: "setup.sh", url: "files/0", size: 18 }] });
    expect(await (await fetch(`${server.url}files/0`)).text()).toBe("ip link set lo up\n");
    expect((await fetch(`${server.url}files/1`)).status).toBe(404);
  });
  it("hands the page --against files as the second setup, after --load's", async () => {
    writeFileSync(join(dir, "after.sh"), "ip link set lo up\nip rule add lookup 7\n");
    const s2 = await serve(
      { loads: [join(dir, "setup.sh")], against: [join(dir, "after.sh")], port: 0 },
      site,
    );
    try {
      const setup = await (await fetch(`${s2.url}setup.json`)).json();
      expect(setup).toEqual({
        files: [{ name: "setup.sh", url: "files/0", size: 18 }],
        against: [{ name: "after.sh", url: "files/1", size: 39 }],
      });
      expect(await (await fetch(`${s2.url}files/1`)).text()).toContain("lookup 7");
      expect((await fetch(`${s2.url}files/2`)).status).toBe(404);
    } finally {
      s2.close();
    }
  });
  it("serves nothing outside the site directory", async () => {
    expect((await fetch(`${server.url}%2e%2e/secret.txt`)).status).toBe(404);
    expect((await fetch(`${server.url}..%2fsecret.txt`)).status).toBe(404);
  });
  it("reads its arguments as the CLI takes them", () => {
    expect(parseServeArgs(["--load", "a.sh", "--load=b.sh", "--port", "0"])).toEqual({
      loads: ["a.sh", "b.sh"],
      port: 0,
    });
    expect(parseServeArgs(["--load", "a.sh", "--against", "b.sh"])).toEqual({
      loads: ["a.sh"],
      against: ["b.sh"],
      port: 8080,
    });
    expect(parseServeArgs(["--port", "70000"])).toMatch(/unexpected "--port"/);
    expect(parseServeArgs(["--bogus"])).toMatch(/Usage: routelab serve/);
  });
});
