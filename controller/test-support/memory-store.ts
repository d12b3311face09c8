/**
 * A `ReconcileStore` in memory: `MemoryRecorder` for inventory and steps, plus runs,
 * resource status and tenant leases (expiring on an injected clock). For engine tests
 * that need no database, and to prove that a reconcile writes no files.
 */
import type { ReconcileStore } from "../engine/reconcile/store-port.js";
import type { InventoryEntry } from "../model/inventory.js";
import type { RunFinish, RunRecord, RunStart } from "../model/run.js";
import type { Lease, LeaseResult, ResourceStatus, ResourceStatusPatch } from "../model/status.js";
import { MemoryRecorder, type MemoryRecorderOptions } from "./memory-recorder.js";

/** Options of `MemoryReconcileStore`. */
export interface MemoryStoreOptions extends MemoryRecorderOptions {
  /** Clock for lease expiry, ms. Default `Date.now`. */
  now?: () => number;
}

export class MemoryReconcileStore extends MemoryRecorder implements ReconcileStore {
  readonly runs: RunRecord[] = [];
  readonly leases = new Map<string, Lease>();
  readonly statuses = new Map<string, ResourceStatus>();
  readonly #now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    super(options);
    this.#now = options.now ?? Date.now;
  }

  async listInventory(
    filter: { source?: string; tenants?: readonly string[] } = {},
  ): Promise<InventoryEntry[]> {
    return this.entries().filter(
      (e) =>
        (filter.source === undefined || e.source === filter.source) &&
        (filter.tenants === undefined || filter.tenants.includes(e.tenant)),
    );
  }

  async startRun(run: RunStart): Promise<string> {
    const id = run.id ?? `run-${this.runs.length + 1}`;
    this.runs.push({
      id,
      mode: run.mode,
      source: run.source,
      tenants: [...run.tenants],
      startedAt: run.startedAt ?? new Date(this.#now()),
      finishedAt: null,
      outcome: null,
      summary: {},
      error: null,
      holder: run.holder ?? null,
      heartbeatAt: run.startedAt ?? new Date(this.#now()),
    });
    return id;
  }

  async finishRun(run: RunFinish): Promise<void> {
    const r = this.runs.find((x) => x.id === run.id);
    if (!r) throw new Error(`unknown run ${run.id}`);
    Object.assign(r, {
      outcome: run.outcome,
      finishedAt: run.finishedAt ?? new Date(this.#now()),
      summary: run.summary ?? {},
      error: run.error ?? null,
    });
  }

  async acquireLease(tenant: string, holder: string, ttlMs: number): Promise<LeaseResult> {
    const now = this.#now();
    const have = this.leases.get(tenant);
    if (have && have.holder !== holder && have.expiresAt.getTime() > now)
      return { acquired: false, heldBy: have };
    const lease = { tenant, holder, acquiredAt: new Date(now), expiresAt: new Date(now + ttlMs) };
    this.leases.set(tenant, lease);
    return { acquired: true, lease };
  }

  async renewLease(tenant: string, holder: string, ttlMs: number): Promise<boolean> {
    const have = this.leases.get(tenant);
    if (!have || have.holder !== holder) return false;
    have.expiresAt = new Date(this.#now() + ttlMs);
    return true;
  }

  async heartbeatRun(id: string): Promise<boolean> {
    const run = this.runs.find((r) => r.id === id);
    if (!run || run.finishedAt) return false;
    run.heartbeatAt = new Date(this.#now());
    return true;
  }

  async markInterruptedRuns(options: {
    staleBefore: Date;
    holderIsGone?: (holder: string) => boolean;
  }): Promise<string[]> {
    const ended: string[] = [];
    for (const r of this.runs) {
      if (r.finishedAt) continue;
      const beat = r.heartbeatAt ?? r.startedAt;
      const gone = r.holder !== null && (options.holderIsGone?.(r.holder) ?? false);
      if (beat.getTime() >= options.staleBefore.getTime() && !gone) continue;
      Object.assign(r, { outcome: "interrupted", finishedAt: new Date(this.#now()) });
      ended.push(r.id);
    }
    return ended;
  }

  async releaseLease(tenant: string, holder: string): Promise<boolean> {
    if (this.leases.get(tenant)?.holder !== holder) return false;
    this.leases.delete(tenant);
    return true;
  }

  async listResourceStatus(filter: { tenants?: readonly string[] } = {}): Promise<ResourceStatus[]> {
    return [...this.statuses.values()].filter((s) => !filter.tenants || filter.tenants.includes(s.tenant));
  }

  async setResourceStatus(key: string, patch: ResourceStatusPatch): Promise<void> {
    const was = this.statuses.get(key);
    this.statuses.set(key, {
      key,
      kind: patch.kind,
      tenant: patch.tenant,
      lastOutcome: patch.lastOutcome === undefined ? (was?.lastOutcome ?? null) : patch.lastOutcome,
      lastError: patch.lastError === undefined ? (was?.lastError ?? null) : patch.lastError,
      lastRunId: patch.lastRunId === undefined ? (was?.lastRunId ?? null) : patch.lastRunId,
      drift: patch.drift ?? was?.drift ?? "unknown",
      driftDiffs: patch.driftDiffs ?? was?.driftDiffs ?? [],
      changedBy: patch.changedBy === undefined ? (was?.changedBy ?? null) : patch.changedBy,
      updatedAt: new Date(this.#now()),
    });
  }
}
