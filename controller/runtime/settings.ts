/**
 * What the engine commands (`omnia plan/apply/drift/export/demo`) share: the connection
 * flags and how settings are resolved (flags, else OMNIA_* variables; the password only
 * from OMNIA_PASSWORD or a prompt, never a flag), the state and log flags, and the JSON
 * logger, which writes to a file or stderr and never to stdout, where plans go.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import pino, { type Logger } from "pino";
import type { ClientSettings } from "../../platform/client/settings.js";

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
}

/** Default folder of the embedded state (PGlite) and the log file. */
export const defaultStateDir = ".omnia/state";
/** Default log file; `-` means stderr. */
export const defaultLogFile = ".omnia/omnia.log";

/** Adds `--url`, `--domain` and `--username` (the password is never a flag). */
export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option("--url <url>", "platform base URL (default: $OMNIA_URL)")
    .option("--domain <domain>", "partner domain (default: $OMNIA_DOMAIN)")
    .option(
      "--username <name>",
      "API user (default: $OMNIA_USERNAME); the password comes from $OMNIA_PASSWORD or a prompt",
    );
}

/** Adds `--state-dir`, `--log-file` and `--source`. */
export function addStateOptions(cmd: Command): Command {
  return cmd
    .option(
      "--state-dir <dir>",
      `embedded state folder when DATABASE_URL is unset (default: ${defaultStateDir})`,
    )
    .option("--log-file <file>", `JSON log file, '-' for stderr (default: ${defaultLogFile})`)
    .option(
      "--source <name>",
      "name of this source in the inventory (default: $OMNIA_SOURCE, else default); one per repository sharing a state store",
    );
}

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

/** A pino logger writing JSON lines to `file` (folders created), or to stderr for `-`. */
export function createRunLogger(
  file = defaultLogFile,
  level = process.env.OMNIA_LOG_LEVEL ?? "info",
): Logger {
  if (file === "-") return pino({ level }, pino.destination({ dest: 2, sync: true }));
  mkdirSync(dirname(file), { recursive: true });
  return pino({ level }, pino.destination({ dest: file, sync: true, append: true }));
}

/** The log file inside a state folder's parent, for commands given only `--state-dir`. */
export function logFileBeside(stateDir: string): string {
  return join(dirname(stateDir), "omnia.log");
}
