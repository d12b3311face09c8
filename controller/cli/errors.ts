/** An error caused by the user's input or usage: printed without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    /** Process exit code: 1 for errors, 2 for usage errors. */
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}
