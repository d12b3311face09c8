/**
 * Wiring for one engine command: resolve the connection settings (asking for the
 * password on a terminal), open the runtime, run the command's body, close everything.
 * Failures a user can act on (bad manifests, missing settings, a platform that refuses
 * the login, a store that cannot open) become a `CliError`: a message and no stack.
 */
import passwordPrompt from "@inquirer/password";
import type { ClientOptions } from "../../platform/client/index.js";
import { describeError, EngineError, TerminalError } from "../engine/errors.js";
import type { Outcome } from "../engine/reconcile/outcome.js";
import { LoadError } from "../engine/reconcile/outcome.js";
import { formatProblem } from "../load/index.js";
import { RuntimeError } from "../runtime/errors.js";
import { openRuntime, type Runtime } from "../runtime/runtime.js";
import { SecretKeyError } from "../runtime/secret-key.js";
import {
  type ConnectionFlags,
  errMissingSetting,
  resolveSettings,
  type SecretAccess,
  type StateFlags,
  secretAccessFrom,
} from "../runtime/settings.js";
import { defaultSourceName } from "../sources/folder.js";
import { StoreError } from "../store/index.js";
import { CliError } from "./errors.js";

/** What an engine command works with: the runtime and the source name it speaks for. */
export interface Session extends Runtime {
  /** --source, else $OMNIA_SOURCE, else "default". */
  sourceName: string;
  /** Loader options the operator sets: `fromEnv` prefixes and the secrets root. */
  load: SecretAccess;
}

/** Options of `withSession`; tests pass an environment and a non-interactive prompt. */
export interface SessionOptions {
  env?: NodeJS.ProcessEnv;
  interactive?: boolean;
  /** Client options (rate limit, retries); default the client's. */
  client?: ClientOptions;
}

/** Opens a session, runs `body`, closes it; maps user errors to `CliError`. */
export async function withSession<T>(
  flags: ConnectionFlags & StateFlags,
  body: (session: Session) => Promise<T>,
  options: SessionOptions = {},
): Promise<T> {
  const env = options.env ?? process.env;
  for (const [flag, value] of [
    ["--state-dir", flags.stateDir],
    ["--log-file", flags.logFile],
    ["--source", flags.source],
    ["--secrets-root", flags.secretsRoot],
  ] as const) {
    if (value !== undefined && value.trim() === "") throw new CliError(`${flag}: must not be empty`, 2);
  }
  let load: SecretAccess;
  try {
    load = secretAccessFrom(flags, env);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  const interactive = options.interactive ?? Boolean(process.stdin.isTTY && process.stderr.isTTY);
  let platform: Awaited<ReturnType<typeof resolveSettings>>;
  try {
    platform = await resolveSettings(flags, env, {
      interactive,
      askPassword: (message) => passwordPrompt({ message, mask: "*" }, { output: process.stderr }),
    });
  } catch (err) {
    if ((err as Error).message.startsWith(errMissingSetting)) throw new CliError((err as Error).message);
    throw err;
  }
  const runtime = await openRuntime({
    platform,
    stateDir: flags.stateDir,
    logFile: flags.logFile,
    env,
    client: options.client,
  }).catch((err: unknown) => {
    throw toCliError(err);
  });
  try {
    return await body({
      ...runtime,
      sourceName: flags.source ?? env.OMNIA_SOURCE ?? defaultSourceName,
      load,
    });
  } catch (err) {
    throw toCliError(err);
  } finally {
    await runtime.close();
  }
}

/** The result of a `done` outcome; any other outcome throws its error (mapped by `toCliError`). */
export function resultOf<T>(outcome: Outcome<T>): T {
  if (outcome.status === "done") return outcome.result;
  throw outcome.error ?? new EngineError(outcome.reason);
}

/** Maps engine failures a user can act on to a `CliError`; anything else is a bug and passes. */
export function toCliError(err: unknown): unknown {
  if (err instanceof CliError) return err;
  if (err instanceof LoadError) {
    return new CliError(
      `${err.problems.length} problem(s) in the manifests:\n${err.problems.map((p) => formatProblem(p)).join("\n")}`,
    );
  }
  if (
    err instanceof EngineError ||
    err instanceof TerminalError ||
    err instanceof StoreError ||
    err instanceof RuntimeError ||
    err instanceof SecretKeyError
  )
    return new CliError(describeError(err));
  return err;
}
