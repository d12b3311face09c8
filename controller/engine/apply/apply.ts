/**
 * The executor: runs a plan's changes through the per-kind adapters in dependency order,
 * independent branches in parallel (bounded by `parallelism`). A failed change is
 * recorded and only its dependents (transitively) are skipped, each saying which key
 * failed; the rest finishes. Every step is written to the store (through `ApplyRecorder`)
 * and logged as one JSON line before any change that depends on it starts.
 *
 * Crash safety: before a create's platform call the inventory gets the entry in state
 * `creating`; if the process dies in between, the next plan finds that entry and either
 * creates again (nothing on the platform; the adapter's create adopts on conflict) or
 * adopts the object it finds by natural key. Apply never retries a failed call itself:
 * the platform client already retries transient errors.
 */
import pLimit from "p-limit";
import type { Plan, PlannedChange } from "../../model/plan.js";
import {
  describeError,
  EngineError,
  errBadParallelism,
  errNoAdapter,
  errPlanRefused,
  errRecordStep,
} from "../errors.js";
import type { ApplyDeps, ApplyOptions, RunState, StepDone } from "./run-state.js";
import { defaultParallelism } from "./run-state.js";
import { runStep } from "./step.js";

export type { AdapterSet } from "../adapters/adapter.js";
export type { ApplyDeps, ApplyOptions, ApplyProgress, StepDone } from "./run-state.js";
export { defaultParallelism } from "./run-state.js";

/** What an apply did. The CLI exits non-zero unless `failed` and `skipped` are both 0. */
export interface ApplyResult {
  runId: string;
  ok: number;
  failed: number;
  skipped: number;
  /** Every executed or skipped step, in plan order (noops are not steps). */
  steps: StepDone[];
}

/**
 * Applies a plan. Throws `EngineError(errPlanRefused)` for a plan with refusals, and
 * `EngineError(errRecordStep)` when the store cannot record (after in-flight steps end;
 * no step starts after that). Adapter failures do not throw: they are in the result.
 */
export async function apply(plan: Plan, deps: ApplyDeps, options: ApplyOptions): Promise<ApplyResult> {
  if (plan.refusals.length > 0) throw new EngineError(errPlanRefused, plan.refusals.join("; "));
  const parallelism = options.parallelism ?? defaultParallelism;
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new EngineError(errBadParallelism, String(options.parallelism));
  }
  const steps = plan.changes.filter((c) => c.action !== "noop");
  for (const c of steps) {
    if (c.action !== "forget" && !deps.adapters[c.kind]) throw new EngineError(errNoAdapter, c.kind);
  }
  const ids = new Map<string, string>();
  for (const c of plan.changes) if (c.id) ids.set(c.key, c.id);
  const run = {
    // Every step line names its run: bound here once, so a caller's logger must not.
    deps: { ...deps, logger: deps.logger.child({ runId: options.runId }) },
    options,
    clock: deps.clock ?? Date.now,
    ids,
    limit: pLimit(parallelism),
    storeError: undefined as unknown,
  };

  const promises: Promise<StepDone>[] = [];
  const byKey = new Map<string, number[]>();
  let done = 0;
  steps.forEach((c, seq) => {
    const before = c.dependsOn
      .flatMap((k) => byKey.get(k) ?? [])
      .map((i) => promises[i] as Promise<StepDone>);
    promises.push(
      Promise.all(before).then(async (results) => {
        const result = await runWhenReady(run, c, seq + 1, results);
        done++;
        options.onProgress?.({ done, total: steps.length, step: result });
        return result;
      }),
    );
    byKey.set(c.key, [...(byKey.get(c.key) ?? []), seq]);
  });
  const results = await Promise.all(promises);
  if (run.storeError !== undefined) {
    throw new EngineError(errRecordStep, describeError(run.storeError), { cause: run.storeError });
  }
  return {
    runId: options.runId,
    ok: results.filter((r) => r.outcome === "ok").length,
    failed: results.filter((r) => r.outcome === "failed" || r.outcome === "terminal").length,
    skipped: results.filter((r) => r.outcome === "skipped").length,
    steps: results,
  };
}

/** Runs a step once its dependencies are done, or records it as skipped. */
async function runWhenReady(
  run: RunState,
  c: PlannedChange,
  seq: number,
  before: StepDone[],
): Promise<StepDone> {
  const bad = before.find((r) => r.outcome !== "ok");
  if (bad || run.storeError !== undefined) {
    const failedKey = bad ? (bad.failedDependency ?? bad.key) : undefined;
    return runStep(run, c, seq, { skip: failedKey ?? "" });
  }
  return run.limit(() => runStep(run, c, seq, {}));
}
