/** The flags every engine command shares: the platform connection, state and log. */
import type { Command } from "commander";
import { defaultLogFile, defaultStateDir } from "../runtime/settings.js";

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

/** Adds `--state-dir`, `--log-file`, `--secrets-root` and `--source`. */
export function addStateOptions(cmd: Command): Command {
  return cmd
    .option(
      "--state-dir <dir>",
      `embedded state folder when DATABASE_URL is unset (default: ${defaultStateDir})`,
    )
    .option("--log-file <file>", `JSON log file, '-' for stderr (default: ${defaultLogFile})`)
    .option(
      "--secrets-root <dir>",
      "folder beside the repository where fromFile secrets may also be (default: $OMNIA_SECRETS_ROOT)",
    )
    .option(
      "--source <name>",
      "name of this source in the inventory (default: $OMNIA_SOURCE, else default); one per repository sharing a state store",
    );
}
