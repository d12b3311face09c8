/**
 * One step of an apply: record its start, call the adapter for its action, keep the
 * inventory crash-safe around the call, record its end and log it as one JSON line.
 */

import type { KindName } from "../../model/desired-state.js";
import type { InventoryEntry } from "../../model/inventory.js";
import type { AnyLiveResource } from "../../model/live-state.js";
import type { PlannedChange } from "../../model/plan.js";
import type { ApplyContext, KindAdapter } from "../adapters/adapter.js";
import {
  describeError,
  errApplyCancelled,
  errApplyStopped,
  errDependencyFailed,
  errNoDesiredResource,
  errNoLiveObject,
  errRecordStep,
  isTerminal,
  requestIdOf,
  retryAfterOf,
  TerminalError,
} from "../errors.js";
import type { RunState, StepDone } from "./run-state.js";

/** A store write failed: not the adapter's fault, and the whole apply must stop. */
class StoreFailure extends Error {}

/** The apply was stopped (its signal fired) after the step started: it makes no platform call. */
class Stopped extends Error {}

/** Throws `Stopped` when the apply's signal has fired: called right before each platform call. */
function checkNotStopped(run: RunState): void {
  const signal = run.options.signal;
  if (signal?.aborted) throw new Stopped(describeError(signal.reason));
}

async function record(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    throw new StoreFailure(errRecordStep, { cause: err });
  }
}

/**
 * Runs (or, with `skip`, records as skipped) one change. `skip` is the failed key the
 * change depends on, or "" when an earlier store failure stopped the apply.
 */
export async function runStep(
  run: RunState,
  c: PlannedChange,
  seq: number,
  how: { skip?: string },
): Promise<StepDone> {
  const { store, logger } = run.deps;
  const { runId } = run.options;
  const started = run.clock();
  const head = { seq, action: c.action, kind: c.kind, key: c.key, tenant: c.tenant };
  let done: StepDone;
  if (run.storeError !== undefined) {
    done = { ...head, outcome: "skipped", durationMs: 0, error: errApplyStopped };
  } else {
    try {
      await store.startStep({ runId, ...head, startedAt: new Date(started) });
      const stopped = run.options.signal?.aborted ? describeError(run.options.signal.reason) : undefined;
      done =
        how.skip === undefined && stopped !== undefined
          ? { ...head, outcome: "skipped", durationMs: 0, error: `${errApplyCancelled}: ${stopped}` }
          : how.skip === undefined
            ? await execute(run, c, head)
            : how.skip === ""
              ? { ...head, outcome: "skipped", durationMs: 0, error: errApplyStopped }
              : {
                  ...head,
                  outcome: "skipped",
                  durationMs: 0,
                  error: `${errDependencyFailed}: ${how.skip}`,
                  failedDependency: how.skip,
                };
    } catch (err) {
      run.storeError ??= err;
      done = { ...head, outcome: "failed", durationMs: run.clock() - started, error: errRecordStep };
    }
    done.durationMs = run.clock() - started;
    if (run.storeError === undefined) {
      try {
        await store.finishStep({
          runId,
          seq,
          state: done.outcome,
          finishedAt: new Date(run.clock()),
          durationMs: done.durationMs,
          requestId: done.requestId,
          platformId: done.platformId,
          adopted: done.adopted,
          error: done.outcome === "skipped" ? undefined : done.error,
          skipReason: done.outcome === "skipped" ? done.error : undefined,
        });
      } catch (err) {
        run.storeError ??= err;
      }
    }
  }
  const level = done.outcome === "ok" ? "info" : done.outcome === "skipped" ? "warn" : "error";
  // The logger carries the run id already (apply binds it once).
  logger[level](done, `${c.action} ${c.key}: ${done.outcome}`);
  return done;
}

type Head = Pick<StepDone, "seq" | "action" | "kind" | "key" | "tenant">;

/** Calls the adapter for the change; adapter errors become a failed (or terminal) step. */
async function execute(run: RunState, c: PlannedChange, head: Head): Promise<StepDone> {
  const ctx: ApplyContext = { idOf: (key) => run.ids.get(key) };
  try {
    const extra = await act(run, c, ctx);
    return { ...head, outcome: "ok", durationMs: 0, requestId: ctx.lastRequestId, ...extra };
  } catch (err) {
    if (err instanceof StoreFailure) throw err.cause;
    if (err instanceof Stopped) {
      return { ...head, outcome: "skipped", durationMs: 0, error: `${errApplyCancelled}: ${err.message}` };
    }
    return {
      ...head,
      outcome: isTerminal(err) ? "terminal" : "failed",
      durationMs: 0,
      requestId: requestIdOf(err) ?? ctx.lastRequestId,
      error: describeError(err),
      retryAfterMs: retryAfterOf(err),
    };
  }
}

/** The platform calls and inventory writes of each action. */
async function act(
  run: RunState,
  c: PlannedChange,
  ctx: ApplyContext,
): Promise<Pick<StepDone, "platformId" | "adopted">> {
  const { store, adapters } = run.deps;
  const { source } = run.options;
  const entry = (
    platformId: string | null,
    state: InventoryEntry["state"],
    secretHashes: Record<string, string>,
  ) => ({
    key: c.key,
    kind: c.kind,
    tenant: c.tenant,
    platformId,
    source,
    state,
    secretHashes,
    deletionPolicy: c.policy?.deletionPolicy ?? "delete",
  });
  // The plan pairs each change with its own kind's adapter; the map type cannot say so.
  const adapter = adapters[c.kind] as KindAdapter<KindName, unknown, AnyLiveResource>;
  switch (c.action) {
    case "create": {
      if (!c.desired) throw new TerminalError(errNoDesiredResource);
      await record(() => store.markCreating(entry(null, "creating", {})));
      checkNotStopped(run);
      const made = await adapter.create(ctx, c.desired);
      run.ids.set(c.key, made.id);
      // An adopted object kept its own secrets: record none, so the next plan sets them.
      await record(() =>
        store.upsertInventory(entry(made.id, "managed", made.adopted ? {} : (c.secretHashes ?? {}))),
      );
      return { platformId: made.id, adopted: made.adopted };
    }
    case "adopt": {
      if (!c.desired) throw new TerminalError(errNoDesiredResource);
      if (!c.live) throw new TerminalError(errNoLiveObject);
      const live = c.live;
      await record(() => store.upsertInventory(entry(live.id, "managed", {})));
      if (c.diffs.length > 0) {
        checkNotStopped(run);
        await adapter.update(ctx, c.desired, live, c.diffs);
        await record(() => store.upsertInventory(entry(live.id, "managed", c.secretHashes ?? {})));
      }
      return { platformId: live.id, adopted: true };
    }
    case "update": {
      if (!c.desired) throw new TerminalError(errNoDesiredResource);
      if (!c.live) throw new TerminalError(errNoLiveObject);
      const live = c.live;
      checkNotStopped(run);
      await adapter.update(ctx, c.desired, live, c.diffs);
      await record(() => store.upsertInventory(entry(live.id, "managed", c.secretHashes ?? {})));
      return { platformId: live.id };
    }
    case "delete": {
      if (!c.live) throw new TerminalError(errNoLiveObject);
      checkNotStopped(run);
      await adapter.delete(ctx, c.live);
      run.ids.delete(c.key);
      await record(() => store.deleteInventory(c.key, source));
      return {};
    }
    case "forget":
      await record(() => store.deleteInventory(c.key, source));
      return {};
    case "noop":
      // NO-OP: apply filters noops out before scheduling; nothing to do if one arrives.
      return {};
  }
}
