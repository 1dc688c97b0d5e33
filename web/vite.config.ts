/**
 * The web page's build: a static site in dist-web/ (relative URLs, so any static host or
 * `routelab serve` can serve it). The engine is the package's entry (src/index.ts), run in
 * a Web Worker; the editor (CodeMirror) is a lazy chunk.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here("."),
  base: "./",
  publicDir: false,
  resolve: { alias: { routelab: here("../src/index.ts") } },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: here("../dist-web"),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 2000,
    manifest: true,
  },
  worker: { format: "es" },
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" },
});
