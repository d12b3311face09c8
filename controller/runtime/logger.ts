/**
 * The JSON logger (pino) of a reconciling process: JSON lines to a file or stderr, never
 * to stdout, where plans go.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import pino, { type Logger } from "pino";
import { errLogFile, RuntimeError } from "./errors.js";
import { defaultLogFile } from "./settings.js";

/**
 * A pino logger writing JSON lines to `file` (folders created), or to stderr for `-`.
 * Throws `RuntimeError(errLogFile)` when the file cannot be opened.
 */
export function createRunLogger(
  file = defaultLogFile,
  level = process.env.OMNIA_LOG_LEVEL ?? "info",
): Logger {
  if (file === "-") return pino({ level }, pino.destination({ dest: 2, sync: true }));
  try {
    mkdirSync(dirname(file), { recursive: true });
    return pino({ level }, pino.destination({ dest: file, sync: true, append: true }));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new RuntimeError(
      errLogFile,
      `${file} (${code}); pass --log-file with a writable path, or --log-file - for stderr`,
      { cause: err },
    );
  }
}

/** The log file inside a state folder's parent, for commands given only `--state-dir`. */
export function logFileBeside(stateDir: string): string {
  return join(dirname(stateDir), "omnia.log");
}
