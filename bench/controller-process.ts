/**
 * The controller service (`startControllerService`, what `omnia serve` runs) in a child
 * process, for benchmarks: the measuring process then spends its CPU on the load it makes
 * and the stand-in, and the controller's memory is its own (read from /proc). Unlike
 * `omnia serve --config`, the options a benchmark needs beyond the config file (the API's
 * per-token rate limit, which 100 load clients would otherwise hit) are passed as JSON.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { ControllerConfig } from "../controller/runtime/controller-config.js";
import type { ControllerServiceOptions } from "../controller/service/serve.js";

const serveModule = fileURLToPath(new URL("../controller/service/serve.ts", import.meta.url));

/** A controller running in a child process. */
export interface ControllerProcess {
  url: string;
  child: ChildProcess;
  /** Resident memory now and at its peak (MiB, /proc/<pid>/status VmRSS and VmHWM). */
  memory(): Promise<{ rssMiB: number; peakRssMiB: number }>;
  /**
   * SIGTERM: the controller closes (runs in flight end interrupted) and the process exits.
   * Resolves with its event loop's delay since the start (ms, p99 and max), which is what
   * every API request waits behind; undefined when the process had already exited.
   */
  stop(): Promise<{ loopDelayP99Ms: number; loopDelayMaxMs: number } | undefined>;
}

/** JSON-only options of the child (no logger, clock or functions). */
export type ControllerProcessOptions = Pick<
  ControllerServiceOptions,
  "service" | "scheduler" | "accountConcurrency"
>;

/**
 * Starts the controller with `config` in a child Node process (with tsx), `env` added to
 * this process's environment; resolves with its URL. Throws when it exits before listening.
 */
export async function startControllerProcess(
  config: ControllerConfig,
  env: Record<string, string>,
  options: ControllerProcessOptions = {},
): Promise<ControllerProcess> {
  const script = `const { startControllerService } = await import(${JSON.stringify(serveModule)});
const { default: pino } = await import("pino");
const { monitorEventLoopDelay } = await import("node:perf_hooks");
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const o = JSON.parse(process.env.BENCH_CONTROLLER_OPTIONS);
const c = await startControllerService({ ...o, env: process.env, logger: pino({ level: "warn" }, pino.destination(2)) });
process.stdout.write(c.url + "\\n");
process.once("SIGTERM", async () => {
  loop.disable();
  const delay = { loopDelayP99Ms: loop.percentile(99) / 1e6, loopDelayMaxMs: loop.max / 1e6 };
  await c.close({ graceMs: 0 });
  process.stdout.write(JSON.stringify(delay) + "\\n", () => process.exit(0));
});`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    env: { ...process.env, ...env, BENCH_CONTROLLER_OPTIONS: JSON.stringify({ ...options, config }) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.once("data", (d: Buffer) => resolve(d.toString().trim().split("\n")[0] ?? ""));
    void exited.then(() => reject(new Error(`controller process exited with ${child.exitCode}`)));
  });
  return {
    url,
    child,
    async memory() {
      const status = await readFile(`/proc/${child.pid}/status`, "utf8");
      const kib = (field: string) =>
        Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
      return { rssMiB: Math.round(kib("VmRSS") / 1024), peakRssMiB: Math.round(kib("VmHWM") / 1024) };
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      child.kill("SIGTERM");
      await exited;
      const last = out.trim().split("\n").at(-1) ?? "";
      return last.startsWith("{")
        ? (JSON.parse(last) as { loopDelayP99Ms: number; loopDelayMaxMs: number })
        : undefined;
    },
  };
}
