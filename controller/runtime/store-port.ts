/**
 * The state store (controller/store `Store`) as reconcile and apply write through it: the
 * engine's `ReconcileStore` vocabulary mapped onto the store's methods. One place, so that
 * neither the engine nor the store knows the other's naming.
 */

import type { ReconcileStore } from "../engine/reconcile/reconcile.js";
import type { Store } from "../store/index.js";

/** Wraps `store` as a `ReconcileStore`. */
export function storePort(store: Store): ReconcileStore {
  return {
    readInventory: () => store.listInventory(),
    acquireLease: (tenant, holder, ttlMs) => store.acquireLease(tenant, holder, ttlMs),
    renewLease: (tenant, holder, ttlMs) => store.renewLease(tenant, holder, ttlMs),
    releaseLease: (tenant, holder) => store.releaseLease(tenant, holder),
    async readDriftStatus(tenants) {
      return new Map((await store.listResourceStatus({ tenants })).map((s) => [s.key, s.drift]));
    },
    setDriftStatus: (key, s) =>
      store.setResourceStatus(key, { kind: s.kind, tenant: s.tenant, drift: s.drift, driftDiffs: s.diffs }),
    secretSalt: async () => store.secretSalt(),
    async startRun(run) {
      await store.startRun({
        id: run.id,
        mode: run.mode,
        source: run.source,
        tenants: run.tenants,
        startedAt: run.startedAt,
      });
    },
    finishRun: (o) =>
      store.finishRun({
        id: o.id,
        outcome: o.outcome,
        finishedAt: o.finishedAt,
        summary: o.summary,
        error: o.error,
      }),
    markCreating: (entry) => store.markCreating(entry),
    upsertManaged: (entry) => store.upsertInventory(entry),
    async removeInventory(key, source) {
      await store.deleteInventory(key, source);
    },
    async startStep(step) {
      await store.startStep({
        runId: step.runId,
        seq: step.seq,
        action: step.action,
        kind: step.kind,
        key: step.key,
        tenant: step.tenant,
        startedAt: step.startedAt,
      });
    },
    finishStep: (step) =>
      store.finishStep({
        runId: step.runId,
        seq: step.seq,
        state: step.outcome,
        finishedAt: step.finishedAt,
        durationMs: step.durationMs,
        requestId: step.requestId,
        platformId: step.platformId,
        adopted: step.adopted,
        error: step.error,
        skipReason: step.outcome === "skipped" ? step.error : undefined,
      }),
  };
}
