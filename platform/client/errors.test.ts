import { describe, expect, it } from "vitest";
import { abortedError, networkError, PlatformError, parseRetryAfter, retryAfterOf } from "./errors.js";

describe("PlatformError", () => {
  it.each([
    [409, false],
    [404, false],
    [400, false],
    [401, false],
    [403, false],
    [408, true],
    [429, true],
    [502, true],
    [500, true],
    [503, true],
    [504, true],
  ])("classifies HTTP %d as retryable=%s", (status, retryable) => {
    expect(new PlatformError({ message: "m", status, code: "c", route: "GET /x" }).retryable).toBe(retryable);
  });

  it.each([
    ["a reset", { code: "ECONNRESET" }, "network", true, false],
    ["a refused connection", { code: "ECONNREFUSED" }, "network", true, true],
    ["a body cut short", { name: "TypeError", message: "terminated" }, "network", true, false],
    ["a timeout", { name: "TimeoutError" }, "timeout", true, false],
    ["a programming error", { name: "RangeError", message: "bad" }, "network", false, false],
  ])("classifies %s", (_name, cause, code, retryable, notSent) => {
    const err = networkError(
      "POST /rest/customers",
      Object.assign(new Error(String((cause as { message?: string }).message ?? "")), cause),
    );
    expect({ code: err.code, status: err.status, retryable: err.retryable, notSent: err.notSent }).toEqual({
      code,
      status: 0,
      retryable,
      notSent,
    });
    expect(err.message.startsWith("POST /rest/customers: ")).toBe(true);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it.each([
    ["2", 2000],
    ["0.5", 500],
    ["Thu, 01 Jan 2026 00:00:03 GMT", 3000],
    ["Wed, 31 Dec 2025 23:59:00 GMT", 0],
    ["soon", undefined],
    ["", undefined],
  ])("reads %j as %s ms", (value, want) => {
    expect(parseRetryAfter(value, now)).toBe(want);
  });
});

describe("retryAfterOf", () => {
  const limited = new PlatformError({
    message: "m",
    status: 429,
    code: "rate_limited",
    route: "GET /x",
    retryAfterMs: 1500,
  });
  const unavailable = new PlatformError({ message: "m", status: 503, code: "unavailable", route: "GET /x" });
  it.each([
    ["a 429 with Retry-After", limited, 1500],
    ["a 429 wrapped twice", new Error("a", { cause: new Error("b", { cause: limited }) }), 1500],
    ["a 503 without Retry-After", unavailable, undefined],
    ["the first platform error along the causes", new Error("a", { cause: unavailable }), undefined],
    ["an error with no platform error", new Error("a", { cause: "text" }), undefined],
    ["no error at all", "text", undefined],
  ])("reads %s", (_name, err, want) => {
    expect(retryAfterOf(err)).toBe(want);
  });
});

describe("abortedError", () => {
  it("is code aborted, status 0, not retryable, with the reason as cause", () => {
    const reason = new Error("cancelled");
    const err = abortedError("GET /rest/company", reason);
    expect({ code: err.code, status: err.status, retryable: err.retryable, cause: err.cause }).toEqual({
      code: "aborted",
      status: 0,
      retryable: false,
      cause: reason,
    });
  });
});
