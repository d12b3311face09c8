/**
 * `npm run bench [-- [--compare REPORT] NAME...]`: runs every scenario in
 * `bench/scenarios/` (or the named ones), each in a fresh Node process, prints its figures
 * and writes a JSON report to `bench/reports/bench-<timestamp>.json`. Speed and memory
 * targets live here, never in timed unit tests.
 *
 * `--compare REPORT` prints beside each number the one of the same scenario and name in
 * an earlier report (e.g. `bench/reports/baseline-2026-11-26.json`) and their ratio,
 * marking ratios outside the machine's noise (±30% on 2 shared cores) with `!`.
 */
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
/** Run-to-run spread of figures on this machine (2 shared cores); larger changes are marked. */
const noise = 0.3;
const args = process.argv.slice(2);
const compareAt = args.indexOf("--compare");
const comparePath = compareAt >= 0 ? args.splice(compareAt, 2)[1] : undefined;
if (compareAt >= 0 && !comparePath) {
  console.error("bench: --compare needs a report file");
  process.exit(1);
}
const earlier = new Map<string, Record<string, unknown>>();
if (comparePath) {
  const report = JSON.parse(await readFile(comparePath, "utf8")) as {
    results?: { name: string; figures?: Record<string, unknown>; process?: Record<string, unknown> }[];
  };
  for (const r of report.results ?? []) earlier.set(r.name, { ...r.figures, ...r.process });
}
const wanted = new Set(args);
const files = (await readdir(join(here, "scenarios")))
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
  .sort()
  .filter((f) => wanted.size === 0 || wanted.has(f.replace(/\.ts$/, "")));
if (files.length === 0) {
  console.error(`bench: no scenario matches ${[...wanted].join(", ")}`);
  process.exit(1);
}

const results: unknown[] = [];
for (const file of files) {
  process.stdout.write(`\n== ${file.replace(/\.ts$/, "")}\n`);
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", join(here, "child.ts"), join(here, "scenarios", file)],
    { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NODE_ENV: "production" } },
  );
  const last = stdout.trim().split("\n").at(-1) ?? "{}";
  const result = JSON.parse(last) as {
    description: string;
    figures: Record<string, unknown>;
    process: Record<string, unknown>;
  };
  console.log(`   ${result.description}`);
  const before = earlier.get((result as { name?: string }).name ?? "");
  if (comparePath) console.log(`   ${"".padEnd(36)} ${"now".padStart(10)}  vs ${comparePath}`);
  for (const [k, v] of Object.entries({ ...result.figures, ...result.process })) {
    const then = before?.[k];
    const ratio = typeof v === "number" && typeof then === "number" && then !== 0 ? v / then : undefined;
    const mark = ratio !== undefined && Math.abs(ratio - 1) > noise ? " !" : "";
    const versus = ratio !== undefined ? `  (was ${then}, x${ratio.toFixed(2)}${mark})` : "";
    console.log(`   ${k.padEnd(36)} ${String(v).padStart(10)}${versus}`);
  }
  results.push(result);
}

const reportDir = join(here, "reports");
await mkdir(reportDir, { recursive: true });
const report = join(reportDir, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
await writeFile(
  report,
  `${JSON.stringify({ node: process.version, cpus: (await import("node:os")).cpus().length, compare: comparePath, results }, null, 2)}\n`,
);
console.log(`\nreport: ${report}`);
