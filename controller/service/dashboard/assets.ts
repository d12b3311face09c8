/**
 * The files the dashboard's pages load, served by name from memory: htmx and Chart.js
 * from their npm packages (no CDN: the Content-Security-Policy allows only this origin),
 * and our own script and stylesheet from `assets/` beside this file (copied into `dist/`
 * by `npm run build`). Only these names are served; nothing else of the disk is reachable.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** One served file. */
export interface Asset {
  type: string;
  body: Buffer;
}

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** Where each served name comes from. */
export function assetPaths(): Record<string, string> {
  // Both packages' entry points sit in their dist/ folder beside the browser builds.
  const htmxDist = dirname(require.resolve("htmx.org"));
  const chartDist = dirname(require.resolve("chart.js"));
  return {
    "htmx.min.js": join(htmxDist, "htmx.min.js"),
    "chart.umd.min.js": join(chartDist, "chart.umd.min.js"),
    "dashboard.js": join(here, "assets", "dashboard.js"),
    "charts.js": join(here, "assets", "charts.js"),
    "dashboard.css": join(here, "assets", "dashboard.css"),
  };
}

/** Reads every asset once (they are small: htmx ~50 kB, Chart.js ~200 kB). */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const out = new Map<string, Asset>();
  for (const [name, path] of Object.entries(assetPaths())) {
    const type = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
    out.set(name, { type, body: await readFile(path) });
  }
  return out;
}
