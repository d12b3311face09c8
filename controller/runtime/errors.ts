/**
 * Errors of the runtime's set-up (settings, log file, secret key): each one line saying
 * what is wrong and what to do, shown by the CLI as `omnia: …` and by the service in its
 * start-up log, never as a stack trace.
 */

/** The log file cannot be opened for appending. */
export const errLogFile = "cannot write the log file";

/** A set-up failure a person can fix; `message` says what and how. */
export class RuntimeError extends Error {
  override readonly name = "RuntimeError";
  constructor(
    /** One of the `err*` constants of this module. */
    readonly text: string,
    /** What it is about and what to do. */
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(`${text}: ${subject}`, options);
  }
}
