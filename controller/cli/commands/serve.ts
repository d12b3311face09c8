/**
 * `omnia serve --config controller.yaml`: one replica of the controller service (the
 * scheduler and the HTTP API; controller/service/serve.ts). Any number of replicas may
 * share one `DATABASE_URL`. SIGTERM or SIGINT stops it gracefully: no new claims, the
 * step in flight finishes, runs are recorded interrupted, leases and claims released.
 */
import type { Command } from "commander";
import pino from "pino";
import { ConfigError, loadControllerConfig } from "../../runtime/controller-config.js";
import { startControllerService } from "../../service/serve.js";
import { CliError } from "../errors.js";
import { portOf } from "./demo.js";

/** Flags of `omnia serve`. */
export interface ServeFlags {
  config: string;
  host?: string;
  port?: string;
  /** Seconds to wait for runs in flight on SIGTERM. */
  grace: string;
}

/** Adds `serve` to the program. */
export function register(program: Command): void {
  program
    .command("serve")
    .description("run the controller service: reconcile every source's tenants, serve the API and dashboard")
    .requiredOption("--config <file>", "controller configuration (schemas/controller-config.schema.json)")
    .option("--host <host>", "interface to listen on (default: the config's listen.host)")
    .option("--port <port>", "port to listen on (default: the config's listen.port)")
    .option("--grace <seconds>", "on SIGTERM, wait this long for runs in flight", "30")
    .action(async (flags: ServeFlags) => {
      let config: Awaited<ReturnType<typeof loadControllerConfig>>;
      try {
        config = await loadControllerConfig(flags.config);
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(err.message, 2);
        throw err;
      }
      if (flags.host) config.listen.host = flags.host;
      if (flags.port !== undefined) config.listen.port = portOf("--port", flags.port);
      const grace = /^\d{1,4}$/.test(flags.grace) ? Number(flags.grace) : Number.NaN;
      if (!Number.isInteger(grace))
        throw new CliError(`--grace ${flags.grace}: allowed: whole seconds from 0 to 9999`, 2);
      const logger = pino({ level: process.env.OMNIA_LOG_LEVEL ?? "info" }, pino.destination(2));
      const running = await startControllerService({ config, logger });
      process.stdout.write(
        `omnia serve: listening on ${running.url} (replica ${running.scheduler.worker})\n`,
      );
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
      logger.info("stopping: finishing the steps in flight");
      await running.close({ graceMs: grace * 1000 });
      process.stdout.write("omnia serve: stopped\n");
    });
}
