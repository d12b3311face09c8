/**
 * What reconcile needs of the state store, in the store's own vocabulary
 * (controller/model), so controller/store's `Store` is passed as it is. Every method is
 * required: a store without leases cannot keep two writers off one tenant, so it cannot
 * be handed to the engine at all.
 */
import type { InventoryEntry } from "../../model/inventory.js";
import type { RunFinish, RunStart } from "../../model/run.js";
import type { LeaseResult, ResourceStatus, ResourceStatusPatch } from "../../model/status.js";
import type { ApplyRecorder } from "../apply/recorder.js";

/** The state store as reconcile reads and writes it. */
export interface ReconcileStore extends ApplyRecorder {
  /** Inventory entries (every source when no filter: the planner detects ownership clashes). */
  listInventory(filter?: { source?: string; tenants?: readonly string[] }): Promise<InventoryEntry[]>;
  /** Records a run's start (its holder is its first heartbeat); resolves with its id. */
  startRun(run: RunStart): Promise<string>;
  finishRun(run: RunFinish): Promise<void>;
  /** Says the run's process is alive; false when the run is finished (e.g. marked interrupted). */
  heartbeatRun(id: string): Promise<boolean>;
  /**
   * Ends as `interrupted` the unfinished runs whose heartbeat is older than `staleBefore`
   * or whose holder is a gone process; resolves with their ids.
   */
  markInterruptedRuns(options: {
    staleBefore: Date;
    holderIsGone?: (holder: string) => boolean;
  }): Promise<string[]>;
  /** Takes `tenant`'s lease for `ttlMs` (one writer per tenant across processes and replicas). */
  acquireLease(tenant: string, holder: string, ttlMs: number): Promise<LeaseResult>;
  /** Extends a held lease; false when `holder` no longer holds it (released, or taken over). */
  renewLease(tenant: string, holder: string, ttlMs: number): Promise<boolean>;
  releaseLease(tenant: string, holder: string): Promise<unknown>;
  /** Last recorded status of the resources of `tenants`. */
  listResourceStatus(filter: { tenants?: readonly string[] }): Promise<ResourceStatus[]>;
  setResourceStatus(key: string, patch: ResourceStatusPatch): Promise<void>;
}
