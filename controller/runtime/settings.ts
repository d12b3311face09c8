/**
 * Settings of a process that reconciles (the `omnia` commands, later `omnia serve`): the
 * platform connection (flags, else OMNIA_* variables; the password only from
 * OMNIA_PASSWORD or a prompt, never a flag) and where state and logs go.
 */
import { isAbsolute, resolve } from "node:path";
import type { ClientSettings } from "../../platform/client/settings.js";
import { secretEnvPrefixesFrom } from "../load/build.js";
import type { LoadOptions } from "../load/index.js";

/** A setting is missing and cannot be asked for. */
export const errMissingSetting = "missing connection setting";

/** Connection flags (`--url`, `--domain`, `--username`). */
export interface ConnectionFlags {
  url?: string;
  domain?: string;
  username?: string;
}

/** State and log flags. */
export interface StateFlags {
  stateDir?: string;
  logFile?: string;
  source?: string;
  /** `--secrets-root`: a folder beside the repository where `fromFile` secrets may be. */
  secretsRoot?: string;
}

/** Default folder of the embedded state (PGlite) and the log file. */
export const defaultStateDir = ".omnia/state";
/** Default log file; `-` means stderr. */
export const defaultLogFile = ".omnia/omnia.log";

/** How settings are completed when something is missing. */
export interface SettingsPrompt {
  /** Whether a person can be asked (stdin and stderr are terminals). */
  interactive: boolean;
  /** Asks for the password without echoing it. */
  askPassword: (message: string) => Promise<string>;
}

/**
 * Settings from flags, else the environment; the password from OMNIA_PASSWORD, else a
 * prompt on a terminal. Throws naming every setting still missing.
 */
export async function resolveSettings(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  prompt: SettingsPrompt,
): Promise<ClientSettings> {
  const baseUrl = (flags.url ?? env.OMNIA_URL ?? "").replace(/\/+$/, "");
  const domain = flags.domain ?? env.OMNIA_DOMAIN ?? "";
  const username = flags.username ?? env.OMNIA_USERNAME ?? "";
  const missing = [
    baseUrl ? "" : "--url or OMNIA_URL",
    domain ? "" : "--domain or OMNIA_DOMAIN",
    username ? "" : "--username or OMNIA_USERNAME",
  ].filter(Boolean);
  if (missing.length > 0) throw new Error(`${errMissingSetting}: ${missing.join(", ")}`);
  let password = env.OMNIA_PASSWORD ?? "";
  if (!password && prompt.interactive)
    password = await prompt.askPassword(`Password of ${username}@${domain}`);
  if (!password) throw new Error(`${errMissingSetting}: OMNIA_PASSWORD (or run on a terminal to be asked)`);
  return { baseUrl, domain, username, password };
}

/** The operator's setting of a secrets folder beside the repository. */
export const secretsRootSetting = "OMNIA_SECRETS_ROOT";

/** What the operator allows a repository's secret references to reach. */
export type SecretAccess = Pick<LoadOptions, "secretEnvPrefixes" | "operatorSecretRoots">;

/**
 * The operator's limits on secret references, never the repository's: the `fromEnv`
 * prefixes from `OMNIA_SECRET_ENV_PREFIXES` (default `OMNIA_SECRET_`) and the secrets
 * folder from `--secrets-root`, else `OMNIA_SECRETS_ROOT` (resolved against `cwd`,
 * default `process.cwd()`). Throws `errSecretEnvPrefix` (load/build.ts) for a bad prefix.
 */
export function secretAccessFrom(
  flags: Pick<StateFlags, "secretsRoot">,
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
): SecretAccess {
  const root = flags.secretsRoot ?? env[secretsRootSetting];
  const rooted =
    root === undefined || root.trim() === "" ? [] : [isAbsolute(root) ? root : resolve(cwd, root)];
  return {
    secretEnvPrefixes: secretEnvPrefixesFrom(env.OMNIA_SECRET_ENV_PREFIXES),
    operatorSecretRoots: rooted,
  };
}
