/**
 * A tenant's status after a reconcile, derived from the engine's outcome alone (the
 * scheduler acts on the status; people read the reason):
 *
 * | outcome | mode | phase |
 * | --- | --- | --- |
 * | done, nothing drifted | either | InSync |
 * | done, drifted resources | drift: changes the next apply would make, or drift its mode leaves (warn/observe); apply: drift left by warn/observe | Drifted |
 * | retry | apply | Reconciling, with `nextAttemptAt` |
 * | retry | drift | unchanged (a failed look changes nothing on the platform), with `nextAttemptAt` |
 * | terminal | either | Failed, with the reason (and the first manifest problem's file:line:col) |
 */
import type { Outcome } from "../engine/reconcile/outcome.js";
import type { TenantReconcile } from "../engine/reconcile/reconcile-tenant.js";
import { formatProblem } from "../load/index.js";
import type { RequestMode, TenantPhase, TenantStatusPatch } from "../model/control.js";

/** What the status update needs besides the outcome. */
export interface PhaseInput {
  mode: RequestMode;
  outcome: Outcome<TenantReconcile>;
  /** When the run ended. */
  now: Date;
  /** Consecutive failed attempts including this one, when it failed. */
  attempts: number;
  /** When the retry is due (retry outcomes). */
  retryAt?: Date;
  /** The source's last revision, when the outcome does not say which it worked from. */
  sourceRevision: string | null;
}

/** Resources a finished reconcile found drifted. */
export function driftedCount(mode: RequestMode, result: TenantReconcile): number {
  const plan = result.planned.plan;
  const left = plan.drift.length;
  // In drift mode nothing was applied: every change planned is a difference on the platform.
  return mode === "drift" ? left + plan.changes.filter((c) => c.action !== "noop").length : left;
}

/** True when a drift check found changes an apply would make (enforce drift, new declarations). */
export function needsApply(mode: RequestMode, outcome: Outcome<TenantReconcile>): boolean {
  return (
    mode === "drift" &&
    outcome.status === "done" &&
    outcome.result.planned.plan.changes.some((c) => c.action !== "noop")
  );
}

/** Reason shown for a terminal outcome: the engine's, with the first manifest problem. */
export function terminalReason(outcome: Extract<Outcome<unknown>, { status: "terminal" }>): string {
  const problems = outcome.problems ?? [];
  const first = problems[0];
  if (!first) return outcome.reason;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
  return `${outcome.reason}: ${formatProblem(first)}${more}`;
}

/**
 * The status patch after a run (fields left out keep their value). `phase` is absent
 * for a drift check's retry: the tenant keeps the phase it had.
 */
export function statusAfter(i: PhaseInput): TenantStatusPatch {
  const o = i.outcome;
  const result = o.result;
  const run = result ? { lastRunId: result.executed?.runId ?? result.planned.runId, lastRunAt: i.now } : {};
  const observedRevision = result?.planned.revision ?? i.sourceRevision;
  if (o.status === "done") {
    const drifted = driftedCount(i.mode, o.result);
    const phase: TenantPhase = drifted > 0 ? "Drifted" : "InSync";
    return {
      ...run,
      phase,
      reason: drifted > 0 ? `${drifted} resource(s) differ from the source` : null,
      drifted,
      observedRevision,
      attempts: 0,
      nextAttemptAt: null,
    };
  }
  if (o.status === "retry") {
    return {
      ...run,
      ...(i.mode === "apply" ? { phase: "Reconciling" as const } : {}),
      reason: o.reason,
      attempts: i.attempts,
      nextAttemptAt: i.retryAt ?? null,
    };
  }
  return {
    ...run,
    phase: "Failed",
    reason: terminalReason(o),
    observedRevision,
    attempts: i.attempts,
    nextAttemptAt: null,
  };
}
