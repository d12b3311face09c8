/**
 * Wiring for one engine command: resolve the connection settings, open the platform
 * client, the state store and the logger, run the command's body, close everything.
 * User-facing failures (bad manifests, missing settings, a platform that refuses the
 * login) become a `CliError` with a message and no stack.
 */
import passwordPrompt from "@inquirer/password";
import type { Logger } from "pino";
import { type ClientOptions, OmniaClient } from "../../platform/client/index.js";
import { CliError } from "../cli/errors.js";
import type { PlatformPort } from "../engine/adapters/platform-port.js";
import { describeError, EngineError } from "../engine/errors.js";
import { defaultSourceName, LoadError, type ReconcileStore } from "../engine/reconcile/reconcile.js";
import { formatProblem } from "../load/index.js";
import { openStore, type Store, StoreError } from "../store/index.js";
import {
  type ConnectionFlags,
  createRunLogger,
  defaultLogFile,
  defaultStateDir,
  errMissingSetting,
  resolveSettings,
  type StateFlags,
} from "./settings.js";
import { storePort } from "./store-port.js";

/** Everything an engine command works with. */
export interface Engine {
  client: PlatformPort & { stats(): unknown };
  store: Store;
  /** The store as reconcile uses it. */
  recorder: ReconcileStore;
  logger: Logger;
  /** The source this command speaks for: --source, else $OMNIA_SOURCE, else "default". */
  source: string;
}

/** Options of `withEngine`; tests pass an environment and a non-interactive prompt. */
export interface WithEngineOptions {
  env?: NodeJS.ProcessEnv;
  interactive?: boolean;
  /** Client options (rate limit, retries); default the client's. */
  client?: ClientOptions;
}

/** Opens the engine, runs `body`, closes it; maps user errors to `CliError`. */
export async function withEngine<T>(
  flags: ConnectionFlags & StateFlags,
  body: (engine: Engine) => Promise<T>,
  options: WithEngineOptions = {},
): Promise<T> {
  const env = options.env ?? process.env;
  const interactive = options.interactive ?? Boolean(process.stdin.isTTY && process.stderr.isTTY);
  let settings: Awaited<ReturnType<typeof resolveSettings>>;
  try {
    settings = await resolveSettings(flags, env, {
      interactive,
      askPassword: (message) => passwordPrompt({ message, mask: "*" }, { output: process.stderr }),
    });
  } catch (err) {
    if ((err as Error).message.startsWith(errMissingSetting)) throw new CliError((err as Error).message);
    throw err;
  }
  const logger = createRunLogger(flags.logFile ?? env.OMNIA_LOG_FILE ?? defaultLogFile);
  const store = await openStore({ dataDir: flags.stateDir ?? defaultStateDir, env }).catch((err: unknown) => {
    throw toCliError(err);
  });
  const client = new OmniaClient(settings, options.client);
  try {
    return await body({
      client,
      store,
      recorder: storePort(store),
      logger,
      source: flags.source ?? env.OMNIA_SOURCE ?? defaultSourceName,
    });
  } catch (err) {
    throw toCliError(err);
  } finally {
    await client.close();
    await store.close();
  }
}

/** Maps engine failures a user can act on to a `CliError`; anything else is a bug and passes. */
export function toCliError(err: unknown): unknown {
  if (err instanceof CliError) return err;
  if (err instanceof LoadError) {
    return new CliError(
      `${err.problems.length} problem(s) in the manifests:\n${err.problems.map((p) => formatProblem(p)).join("\n")}`,
    );
  }
  if (err instanceof EngineError || err instanceof StoreError) return new CliError(describeError(err));
  return err;
}
