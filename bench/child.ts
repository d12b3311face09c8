/**
 * Runs one scenario file in this process and prints its figures as one JSON line on
 * stdout, with the process's peak resident memory and CPU time.
 */
import { pathToFileURL } from "node:url";
import type { Scenario } from "./scenario.js";

const file = process.argv[2];
if (!file) throw new Error("usage: child.ts SCENARIO_FILE");
const scenario: Scenario = (await import(pathToFileURL(file).href)).default;
const started = performance.now();
const figures = await scenario.run();
const usage = process.resourceUsage();
const result = {
  name: scenario.name,
  description: scenario.description,
  figures,
  process: {
    wallMs: Math.round(performance.now() - started),
    cpuUserMs: Math.round(usage.userCPUTime / 1000),
    cpuSystemMs: Math.round(usage.systemCPUTime / 1000),
    peakRssMiB: Math.round(usage.maxRSS / 1024),
  },
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
