/**
 * `omnia demo` (what `npm start` runs): the stand-in platform seeded with drifted demo
 * data, a plan of examples/gitops-partner, an apply, an empty second plan and a summary,
 * on embedded state; then the stand-in keeps serving until Ctrl-C (or `--exit`).
 */
import type { Command } from "commander";
import { demoPort, runDemo } from "../demo.js";
import { CliError } from "../errors.js";

/** Flags of `omnia demo`. */
export interface DemoFlags {
  dir?: string;
  stateDir?: string;
  port: string;
  exit?: boolean;
}

/** Adds `demo` to the program. */
export function register(program: Command): void {
  program
    .command("demo")
    .description(
      "run the whole loop against a local stand-in platform: plan, apply, plan again (nothing to install)",
    )
    .option("--dir <dir>", "manifests to apply (default: examples/gitops-partner)")
    .option("--state-dir <dir>", "embedded state folder (default: a fresh temporary folder)")
    .option("--port <port>", "port of the stand-in; a free one when taken (0: any)", String(demoPort))
    .option("--exit", "stop after the summary instead of serving until Ctrl-C")
    .action(async (flags: DemoFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new CliError(`--port ${flags.port}: allowed: a whole number from 0 to 65535`, 2);
      }
      const r = await runDemo({ dir: flags.dir, stateDir: flags.stateDir, port, exit: flags.exit });
      process.exitCode = r.applied.failed + r.applied.skipped === 0 && r.secondPlanEmpty ? 0 : 1;
    });
}
