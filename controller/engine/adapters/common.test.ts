import { describe, expect, it } from "vitest";
import { EngineError, isTerminal, TerminalError } from "../errors.js";
import { wrapError } from "./common.js";

/** A platform error as the client throws it (platform/client PlatformError), by shape. */
const platformError = (status: number, code: string, retryable: boolean) =>
  Object.assign(new Error(`${status} ${code}`), { status, code, retryable });

describe("wrapError", () => {
  it.each([
    ["a 409 the platform will give again", platformError(409, "conflict", false), true],
    ["a 400 validation refusal", platformError(400, "invalid", false), true],
    ["a 503 after retries", platformError(503, "unavailable", true), false],
    ["a timeout", platformError(0, "timeout", true), false],
    [
      "an aborted call (shutdown or lost lease), which got no answer",
      platformError(0, "aborted", false),
      false,
    ],
  ])("wraps %s as terminal: %s", (_case, err, terminal) => {
    const wrapped = wrapError("cannot create", "Pbx/A/hq", err);
    expect(isTerminal(wrapped)).toBe(terminal);
    expect(wrapped).toBeInstanceOf(terminal ? TerminalError : EngineError);
    expect(wrapped.cause).toBe(err);
  });
});
