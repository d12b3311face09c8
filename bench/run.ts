/**
 * `npm run bench [-- NAME...]`: runs every scenario in `bench/scenarios/` (or the named
 * ones), each in a fresh Node process, prints its figures and writes a JSON report to
 * `bench/reports/bench-<timestamp>.json`. Speed and memory targets live here, never in
 * timed unit tests.
 */
import { execFile } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const wanted = new Set(process.argv.slice(2));
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
  for (const [k, v] of Object.entries({ ...result.figures, ...result.process })) {
    console.log(`   ${k.padEnd(36)} ${v}`);
  }
  results.push(result);
}

const reportDir = join(here, "reports");
await mkdir(reportDir, { recursive: true });
const report = join(reportDir, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
await writeFile(
  report,
  `${JSON.stringify({ node: process.version, cpus: (await import("node:os")).cpus().length, results }, null, 2)}\n`,
);
console.log(`\nreport: ${report}`);
