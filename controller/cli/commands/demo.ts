/**
 * `omnia demo` (what `npm start` runs): the stand-in platform seeded with drifted demo
 * data and the controller service (`omnia serve`) on embedded state, with
 * examples/gitops-partner as a source; the first reconcile repairs the drift; then both
 * keep serving until Ctrl-C (or `--exit`).
 */
import type { Command } from "commander";
import { demoControllerPort, demoPort, runDemo } from "../demo.js";
import { CliError } from "../errors.js";

/** Flags of `omnia demo`. */
export interface DemoFlags {
  dir?: string;
  stateDir?: string;
  port: string;
  controllerPort: string;
  exit?: boolean;
  terraform?: boolean;
}

/** Adds `demo` to the program. */
export function register(program: Command): void {
  program
    .command("demo")
    .description(
      "run the controller service against a local stand-in platform: the example repository reconciled, the API and dashboard served (nothing to install)",
    )
    .option("--dir <dir>", "manifests to apply (default: examples/gitops-partner)")
    .option("--state-dir <dir>", "embedded state folder (default: a fresh temporary folder)")
    .option("--port <port>", "port of the stand-in; a free one when taken (0: any)", String(demoPort))
    .option(
      "--controller-port <port>",
      "port of the controller's API and dashboard; a free one when taken (0: any)",
      String(demoControllerPort),
    )
    .option("--exit", "stop after the first reconcile instead of serving until Ctrl-C")
    .option(
      "--terraform",
      "an empty platform and an api source for the Terraform provider, with examples/hcl's secret variables",
    )
    .action(async (flags: DemoFlags) => {
      const port = portOf("--port", flags.port);
      const controllerPort = portOf("--controller-port", flags.controllerPort);
      const r = await runDemo({
        dir: flags.dir,
        stateDir: flags.stateDir,
        port,
        controllerPort,
        exit: flags.exit,
        terraform: flags.terraform,
      });
      process.exitCode = r.converged ? 0 : 1;
    });
}

/** A TCP port flag; throws `CliError` (exit 2) naming the flag and the allowed range. */
export function portOf(flag: string, text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`${flag} ${text}: allowed: a whole number from 0 to 65535`, 2);
  return port;
}
