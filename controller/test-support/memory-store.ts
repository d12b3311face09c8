/**
 * A `ReconcileStore` in memory: H4's `MemoryRecorder` for inventory and steps, plus runs
 * and a fixed salt. For engine tests that need no database.
 */
import { MemoryRecorder } from "../engine/apply/recorder.js";
import type { ReconcileStore, RunOutcome, RunRecord } from "../engine/reconcile/reconcile.js";
import type { InventoryEntry } from "../engine/types.js";

export class MemoryReconcileStore extends MemoryRecorder implements ReconcileStore {
  readonly runs: Array<RunRecord & Partial<RunOutcome>> = [];

  async readInventory(): Promise<InventoryEntry[]> {
    return this.entries();
  }
  async secretSalt(): Promise<string> {
    return "memory-store-salt-0123456789";
  }
  async startRun(run: RunRecord): Promise<void> {
    this.runs.push({ ...run });
  }
  async finishRun(outcome: RunOutcome): Promise<void> {
    const run = this.runs.find((r) => r.id === outcome.id);
    if (run) Object.assign(run, outcome);
  }
}
