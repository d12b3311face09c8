#!/usr/bin/env node
/**
 * The `omnia` command line: one entry point, one file per command in `commands/`.
 * A `CliError` (bad input, bad usage) prints its message alone and exits with its code;
 * anything else is a bug and prints the stack.
 */
import { readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { commands } from "./commands/index.js";
import { CliError } from "./errors.js";

/** The version in omnia-iac's package.json, found by walking up from this module (src or dist). */
export function packageVersion(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "omnia-iac" && pkg.version) return pkg.version;
    } catch {
      // NO-OP: no package.json here; look in the parent.
    }
    if (dirname(dir) === dir) return "unknown";
  }
}

/** Builds the program; exported so tests can run commands in-process. */
export function buildProgram(): Command {
  const program = new Command("omnia")
    .description("Infrastructure as code for the Kalliope Omnia platform")
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    // Ctrl-C at a prompt (the confirmation, the password): the person chose to stop.
    if ((err as Error | undefined)?.name === "ExitPromptError") {
      process.stderr.write("omnia: cancelled; nothing changed\n");
      return 130;
    }
    if (err instanceof CliError) {
      process.stderr.write(`omnia: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

/**
 * True when this module is the program Node was started with, however it was reached:
 * directly, or through a symlink (npx, `npm link`, a global install put `omnia` in a bin
 * folder as a link to this file).
 */
export function isMainModule(argv1: string | undefined, moduleUrl: string): boolean {
  if (!argv1) return false;
  try {
    return realpathSync(argv1) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

const invokedDirectly = isMainModule(process.argv[1], import.meta.url);
if (invokedDirectly) {
  // `omnia plan --json | head -1`: when the reader goes away there is nobody left to tell,
  // so stop quietly, as Unix tools do, instead of dying on an unhandled EPIPE.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
  process.exitCode = await runCli(process.argv.slice(2));
}
