/**
 * The second half of every reconcile, under the tenants' leases: execute a plan through
 * the adapters, settle the secret hashes it filled in, record the run's end, and turn
 * the steps' outcomes into an `Outcome` a scheduler can act on.
 */
import type { InventoryEntry } from "../../model/inventory.js";
import type { Plan } from "../../model/plan.js";
import { adapters } from "../adapters/index.js";
import { type ApplyResult, apply } from "../apply/apply.js";
import { describeError, errApplyCancelled } from "../errors.js";
import { clientFor, type ReconcileDeps, resolveOptions } from "./deps.js";
import {
  defaultRetryDelayMs,
  errCancelled,
  errStepsFailed,
  errStepsTerminal,
  maxRetryDelayMs,
  type Outcome,
  stoppedOutcome,
} from "./outcome.js";
import { finishRun } from "./plan-tenants.js";
import { markAdoptedSecretsUnknown, recordResolved } from "./secrets.js";

/** What an executed plan produced. */
export interface ExecutedPlan {
  /** The apply run's id. */
  runId: string;
  plan: Plan;
  applied: ApplyResult;
}

/**
 * Applies `plan` for `source` as run `runId` (already started), then records the run's
 * end. Call it holding the leases of the plan's tenants, with their signal.
 */
export async function executePlan(
  plan: Plan,
  deps: ReconcileDeps,
  at: { runId: string; source: string; resolved: readonly InventoryEntry[]; signal: AbortSignal },
): Promise<Outcome<ExecutedPlan>> {
  const o = resolveOptions(deps.options);
  const client = clientFor(deps.client, at.signal);
  const applied = await apply(
    plan,
    { adapters: adapters(client), store: deps.store, logger: deps.logger.child({ source: at.source }) },
    {
      parallelism: o.parallelism,
      onProgress: deps.onProgress,
      source: at.source,
      runId: at.runId,
      signal: at.signal,
    },
  );
  await recordResolved(deps.store, at.resolved, plan);
  await markAdoptedSecretsUnknown(deps.store, plan, applied, at.source);
  const outcome = outcomeOfSteps({ runId: at.runId, plan, applied }, at.signal);
  await finishRun(
    deps.store,
    at.runId,
    outcome.status === "done" ? "ok" : at.signal.aborted ? stoppedOutcome(at.signal) : "failed",
    plan,
    applied,
    o.now,
    outcome.status === "done" ? undefined : outcome.reason,
  );
  deps.logger.info(
    {
      runId: at.runId,
      ok: applied.ok,
      failed: applied.failed,
      skipped: applied.skipped,
      outcome: outcome.status,
    },
    "run finished",
  );
  return outcome;
}

/**
 * The outcome of an apply from its steps: a stopped apply (its signal fired: shutdown, a
 * lost lease; the call in flight was aborted), retry at once; a retryable failure, retry
 * after the longest Retry-After any step got, else the default; only terminal failures,
 * terminal; otherwise done.
 */
export function outcomeOfSteps(result: ExecutedPlan, signal?: AbortSignal): Outcome<ExecutedPlan> {
  const steps = result.applied.steps;
  if (signal?.aborted && steps.some((s) => s.outcome !== "ok")) {
    return {
      status: "retry",
      reason: `${errCancelled}: ${describeError(signal.reason)}`,
      delayMs: 0,
      result,
    };
  }
  const failed = steps.filter((s) => s.outcome === "failed");
  const terminal = steps.filter((s) => s.outcome === "terminal");
  const stopped = steps.filter((s) => s.outcome === "skipped" && s.error?.startsWith(errApplyCancelled));
  const first = (list: typeof steps) => `${list[0]?.key}: ${list[0]?.error}`;
  if (failed.length > 0) {
    const waits = failed.map((s) => s.retryAfterMs ?? 0);
    const delayMs = Math.min(Math.max(defaultRetryDelayMs, ...waits), maxRetryDelayMs);
    return {
      status: "retry",
      reason: `${errStepsFailed}: ${failed.length} (first: ${first(failed)})`,
      delayMs,
      result,
    };
  }
  if (stopped.length > 0)
    return { status: "retry", reason: `${errCancelled}: ${first(stopped)}`, delayMs: 0, result };
  if (terminal.length > 0) {
    return {
      status: "terminal",
      reason: `${errStepsTerminal}: ${terminal.length} (first: ${first(terminal)})`,
      result,
    };
  }
  return { status: "done", result };
}
