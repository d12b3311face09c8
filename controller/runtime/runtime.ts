/**
 * The one composition root the CLI and the service share: settings in; the platform
 * client, the state store, the logger and the secret hashing out, wired as the engine
 * takes them. Nothing here prompts or prints: the CLI resolves settings (asking for a
 * password on a terminal) and maps errors to its messages.
 */
import type { Logger } from "pino";
import { type ClientOptions, OmniaClient } from "../../platform/client/index.js";
import type { ClientSettings } from "../../platform/client/settings.js";
import type { ReconcileDeps } from "../engine/reconcile/deps.js";
import type { SecretHashing } from "../engine/reconcile/secrets.js";
import { openStore, type Store } from "../store/index.js";
import { createRunLogger } from "./logger.js";
import { createSecretHasher, isCurrentSecretHash, resolveSecretKey } from "./secret-key.js";
import { defaultLogFile, defaultStateDir } from "./settings.js";

/** What a runtime is made from; every field but `platform` has a default. */
export interface RuntimeSettings {
  /** The platform account. */
  platform: ClientSettings;
  /** Embedded state folder when `DATABASE_URL` is unset. Default `.omnia/state`. */
  stateDir?: string;
  /** JSON log file, `-` for stderr. Default `.omnia/omnia.log`. */
  logFile?: string;
  /** Where `DATABASE_URL` and the like are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Client options (rate limit, retries). Default the client's. */
  client?: ClientOptions;
  /** A logger to use instead of opening `logFile`. */
  logger?: Logger;
}

/** An open runtime; `close()` closes the client and the store. */
export interface Runtime {
  client: OmniaClient;
  store: Store;
  logger: Logger;
  secrets: SecretHashing;
  /** Id of the key of secret hashes (runtime/secret-key.ts `SecretKey.id`; safe to show). */
  secretKeyId: string;
  /** The engine's dependencies, wired. */
  deps: ReconcileDeps;
  close(): Promise<void>;
}

/**
 * Opens the logger (throws `RuntimeError`), resolves the secret key (throws
 * `SecretKeyError`; runtime/secret-key.ts says where it comes from), opens the store
 * (throws `StoreError`) and the client.
 */
export async function openRuntime(settings: RuntimeSettings): Promise<Runtime> {
  const env = settings.env ?? process.env;
  const logger = settings.logger ?? createRunLogger(settings.logFile ?? env.OMNIA_LOG_FILE ?? defaultLogFile);
  const stateDir = settings.stateDir ?? defaultStateDir;
  const key = await resolveSecretKey({ env, stateDir });
  const store = await openStore({ dataDir: stateDir, env });
  const secrets: SecretHashing = {
    hash: createSecretHasher(key),
    isCurrent: (hash) => isCurrentSecretHash(hash, key.id),
  };
  const client = new OmniaClient(settings.platform, settings.client);
  return {
    client,
    store,
    logger,
    secrets,
    secretKeyId: key.id,
    deps: { client, store, logger, secrets },
    async close() {
      await client.close();
      await store.close();
    },
  };
}
