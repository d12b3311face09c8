/**
 * The stand-in in a child process, for benchmarks: the measuring process then spends its
 * CPU on the client alone. Options must be JSON (no clock or random functions).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { StandinOptions } from "./server.js";

const self = fileURLToPath(import.meta.url);
// From the sources the child needs tsx; from the build it runs the compiled module.
const fromSources = self.endsWith(".ts");
const serverModule = join(dirname(self), fromSources ? "server.ts" : "server.js");

/** A stand-in running in a child process. */
export interface StandinProcess {
  url: string;
  child: ChildProcess;
  /** Sets knobs through the admin endpoint. */
  setKnobs(patch: Record<string, unknown>): Promise<void>;
  /** Reads the stand-in's counters. */
  stats(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Starts `startStandin(options)` in a child Node process (with tsx) and waits for its URL. */
export async function startStandinProcess(
  options: Omit<StandinOptions, "clock" | "random" | "state"> = {},
): Promise<StandinProcess> {
  const script = `const { startStandin } = await import(${JSON.stringify(serverModule)});
const s = await startStandin(${JSON.stringify(options)});
process.stdout.write(s.url + "\\n");
process.once("SIGTERM", async () => { await s.close(); process.exit(0); });`;
  const loader = fromSources ? ["--import", "tsx"] : [];
  const child = spawn(process.execPath, [...loader, "--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.once("data", (d: Buffer) => resolve(d.toString().trim()));
    child.once("exit", (code) => reject(new Error(`stand-in process exited with ${code}`)));
  });
  return {
    url,
    child,
    async setKnobs(patch) {
      const res = await fetch(`${url}/_standin/knobs`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(patch),
      });
      if (!res.ok) throw new Error(`knobs ${JSON.stringify(patch)}: HTTP ${res.status} ${await res.text()}`);
    },
    async stats() {
      return (await (await fetch(`${url}/_standin/stats`)).json()) as Record<string, unknown>;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
