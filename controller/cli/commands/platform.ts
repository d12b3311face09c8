/**
 * `omnia platform [--port 8090] [--seed demo] [--state FILE] [--latency MS] ...`: runs the
 * stand-in Omnia platform (platform/standin) until SIGINT/SIGTERM, printing its URL and
 * the demo partner's credentials (the vendor's factory default admin/admin: printing
 * them is intended, they are not a secret of anyone's).
 */
import type { Command } from "commander";
import type { Knobs } from "../../../platform/standin/knobs.js";
import { demoLogin } from "../../../platform/standin/seeds/partners.js";
import {
  type RunningStandin,
  type SeedName,
  type StandinOptions,
  startStandin,
} from "../../../platform/standin/server.js";
import { CliError } from "../errors.js";

/** The flags of `omnia platform`, as commander parses them. */
export interface PlatformFlags {
  port: string;
  seed: string;
  state?: string;
  latency?: string;
  errorRate?: string[];
  resetRate?: string;
  rateLimit?: string;
  pendingDelay?: string;
  examples?: string;
  log?: boolean;
}

function intFlag(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CliError(`--${name}: want an integer from ${min} to ${max}, got "${value}"`, 2);
  }
  return n;
}

function rateFlag(name: string, value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new CliError(`--${name}: want a probability from 0 to 1, got "${value}"`, 2);
  return n;
}

/** Turns the flags into stand-in options; bad values are usage errors naming the flag. */
export function standinOptionsFromFlags(flags: PlatformFlags): StandinOptions {
  const seeds: SeedName[] = ["empty", "demo"];
  if (!seeds.includes(flags.seed as SeedName)) {
    throw new CliError(`--seed: want one of ${seeds.join(", ")}, got "${flags.seed}"`, 2);
  }
  const knobs: Partial<Knobs> = {};
  if (flags.latency !== undefined) knobs.latencyMs = intFlag("latency", flags.latency, 0, 60_000);
  if (flags.resetRate !== undefined) knobs.resetRate = rateFlag("reset-rate", flags.resetRate);
  if (flags.rateLimit !== undefined) {
    const rps = intFlag("rate-limit", flags.rateLimit, 1, 100_000);
    knobs.rateLimit = { requestsPerSecond: rps, burst: rps };
  }
  if (flags.errorRate?.length) {
    knobs.errorRates = {};
    for (const pair of flags.errorRate) {
      const m = /^([45]\d\d)=(.+)$/.exec(pair);
      if (!m?.[1] || !m[2])
        throw new CliError(`--error-rate: want STATUS=PROBABILITY (e.g. 503=0.05), got "${pair}"`, 2);
      knobs.errorRates[m[1]] = rateFlag("error-rate", m[2]);
    }
  }
  return {
    port: intFlag("port", flags.port, 0, 65_535),
    seed: flags.seed as SeedName,
    knobs,
    logger: flags.log ?? false,
    ...(flags.state ? { stateFile: flags.state } : {}),
    ...(flags.examples ? { examplesDir: flags.examples } : {}),
    ...(flags.pendingDelay !== undefined
      ? { pendingDelayMs: intFlag("pending-delay", flags.pendingDelay, 0, 3_600_000) }
      : {}),
  };
}

/** The lines printed at start: URL, credentials, and the client's environment. */
export function banner(standin: RunningStandin, options: StandinOptions): string {
  return [
    `Omnia stand-in platform listening on ${standin.url} (seed: ${options.seed ?? "empty"}${options.stateFile ? `, state: ${options.stateFile}` : ""})`,
    `partner domain: ${demoLogin.domain}   API user: ${demoLogin.username}   password: ${demoLogin.password} (vendor factory default)`,
    "",
    `export OMNIA_URL=${standin.url} OMNIA_DOMAIN=${demoLogin.domain} OMNIA_USERNAME=${demoLogin.username} OMNIA_PASSWORD=${demoLogin.password}`,
    "",
    `knobs: ${standin.url}/_standin/knobs   counters: ${standin.url}/_standin/stats   stop: Ctrl-C`,
    "",
  ].join("\n");
}

/** Starts the stand-in and resolves once `stop` fires and it has closed (state saved). */
export async function runPlatform(
  flags: PlatformFlags,
  stop: AbortSignal,
  out: (s: string) => void,
): Promise<void> {
  const options = standinOptionsFromFlags(flags);
  let standin: RunningStandin;
  try {
    standin = await startStandin(options);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    throw new CliError(
      e.code === "EADDRINUSE"
        ? `port ${options.port} is already in use (try --port 0)`
        : `cannot start: ${e.message}`,
    );
  }
  out(banner(standin, options));
  await new Promise<void>((resolve) => {
    if (stop.aborted) resolve();
    stop.addEventListener("abort", () => resolve(), { once: true });
  });
  await standin.close();
  out(`stopped${options.stateFile ? `; state saved to ${options.stateFile}` : ""}\n`);
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds `platform` to the program. */
export function register(program: Command): void {
  program
    .command("platform")
    .description("run the stand-in Omnia platform (for demos and tests) until Ctrl-C")
    .option("--port <port>", "TCP port on 127.0.0.1 (0 picks a free one)", "8090")
    .option(
      "--seed <seed>",
      "initial data: empty (partners only) or demo (examples/gitops-partner, partly drifted)",
      "empty",
    )
    .option("--state <file>", "JSON state file: loaded at start if it exists, saved on stop")
    .option("--examples <dir>", "partner repository the demo seed reads (default examples/gitops-partner)")
    .option("--latency <ms>", "added to every API request")
    .option("--error-rate <status=p>", "fail requests with STATUS with probability p (repeatable)", collect)
    .option("--reset-rate <p>", "cut responses mid-body with probability p")
    .option("--rate-limit <rps>", "requests per second per partner before 429")
    .option("--pending-delay <ms>", "how long new PBXs and invited users stay pending (default 2000)")
    .option("--log", "log every request")
    .action(async (flags: PlatformFlags) => {
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      try {
        await runPlatform(flags, stop.signal, (s) => process.stdout.write(s));
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    });
}
