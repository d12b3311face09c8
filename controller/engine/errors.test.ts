import { describe, expect, it } from "vitest";
import {
  describeError,
  EngineError,
  errAdapterCall,
  isTerminal,
  requestIdOf,
  TerminalError,
} from "./errors.js";

class FakePlatformError extends Error {
  constructor(
    message: string,
    readonly requestId: string,
  ) {
    super(message);
  }
}

describe("errors", () => {
  const cases = [
    { name: "a plain error is not terminal", err: new Error("x"), terminal: false },
    { name: "a TerminalError is terminal", err: new TerminalError("x"), terminal: true },
    {
      name: "a TerminalError wrapped once per layer is still terminal",
      err: new EngineError(errAdapterCall, "Pbx/A/p", { cause: new TerminalError("validation") }),
      terminal: true,
    },
    { name: "a non-error is not terminal", err: "boom", terminal: false },
  ];
  it.each(cases)("$name", ({ err, terminal }) => {
    expect(isTerminal(err)).toBe(terminal);
  });

  it("finds the platform request id along the causes", () => {
    const err = new EngineError(errAdapterCall, "Pbx/A/p", { cause: new FakePlatformError("409", "req-42") });
    expect(requestIdOf(err)).toBe("req-42");
    expect(requestIdOf(new Error("x"))).toBeUndefined();
  });

  it("describes an error with its causes on one line", () => {
    const err = new EngineError(errAdapterCall, "Pbx/A/p", { cause: new Error("conflict") });
    expect(describeError(err)).toBe("platform call failed: Pbx/A/p: conflict");
  });
});
