import { describe, expect, it } from "vitest";
import { done, resultOf, retry, terminal } from "../test-support/scheduler-harness.js";
import { driftedCount, needsApply, statusAfter, terminalReason } from "./phase.js";

const now = new Date(Date.UTC(2026, 0, 1));
const problem = (line: number) =>
  ({
    file: "tenants/acme.yaml",
    line,
    col: 7,
    kind: "Extension",
    name: "201",
    message: "bad",
    code: "schema",
  }) as never;

describe("phase", () => {
  it.each([
    [
      "drift: changes and warn drift both count",
      "drift",
      resultOf({ changes: ["update", "create", "noop"], drift: 1 }),
      3,
    ],
    [
      "apply: only drift its mode leaves counts",
      "apply",
      resultOf({ changes: ["update"], drift: 1, executed: true }),
      1,
    ],
    ["nothing", "apply", resultOf({ changes: ["noop"] }), 0],
  ] as const)("driftedCount, %s", (_n, mode, result, want) => {
    expect(driftedCount(mode, result)).toBe(want);
  });

  it.each([
    ["drift with changes", "drift", done({ changes: ["update"] }), true],
    ["drift with noops only", "drift", done({ changes: ["noop"], drift: 2 }), false],
    ["apply", "apply", done({ changes: ["update"] }), false],
    ["a failed drift check", "drift", retry("x"), false],
  ] as const)("needsApply: %s → %s", (_n, mode, outcome, want) => {
    expect(needsApply(mode, outcome)).toBe(want);
  });

  it.each([
    ["no problems", terminal("the platform refused the account"), "the platform refused the account"],
    [
      "one problem",
      terminal("the manifests have problems", [problem(3)]),
      "the manifests have problems: tenants/acme.yaml:3:7: Extension/201: bad",
    ],
    [
      "three problems",
      terminal("the manifests have problems", [problem(3), problem(9), problem(12)]),
      "the manifests have problems: tenants/acme.yaml:3:7: Extension/201: bad (and 2 more)",
    ],
  ] as const)("terminalReason, %s", (_n, outcome, want) => {
    expect(terminalReason(outcome as never)).toBe(want);
  });

  it("a retry keeps the revision and the run it knows nothing of; a drift retry keeps the phase", () => {
    const retryAt = new Date(now.getTime() + 5_000);
    const apply = statusAfter({
      mode: "apply",
      outcome: retry("x", 1),
      now,
      attempts: 2,
      retryAt,
      sourceRevision: "r9",
    });
    expect(apply).toEqual({ phase: "Reconciling", reason: "x", attempts: 2, nextAttemptAt: retryAt });
    const drift = statusAfter({
      mode: "drift",
      outcome: retry("x", 1),
      now,
      attempts: 1,
      retryAt,
      sourceRevision: "r9",
    });
    expect(drift).not.toHaveProperty("phase");
  });

  it("terminal without a result records the source's revision, so a new one wakes the tenant", () => {
    const patch = statusAfter({
      mode: "apply",
      outcome: terminal("bad"),
      now,
      attempts: 1,
      sourceRevision: "r9",
    });
    expect(patch).toEqual({
      phase: "Failed",
      reason: "bad",
      observedRevision: "r9",
      attempts: 1,
      nextAttemptAt: null,
    });
  });
});
