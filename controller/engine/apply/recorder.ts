/**
 * The narrow view of the state store that apply writes through: inventory entries
 * (crash-safe creates) and the run's steps, in the store's own vocabulary
 * (controller/model), so controller/store implements it as it is. Tests use
 * `MemoryRecorder` (controller/test-support).
 */
import type { InventoryEntry } from "../../model/inventory.js";
import type { StepFinish, StepStart } from "../../model/run.js";

/** What apply records; each method resolves once the write is durable. */
export interface ApplyRecorder {
  /** Before a create's platform call: the entry with state `creating` and platformId null. */
  markCreating(entry: InventoryEntry): Promise<void>;
  /** After a create, adopt or update: the entry with state `managed`, its id and secret hashes. */
  upsertInventory(entry: InventoryEntry): Promise<void>;
  /** After a delete, or for a forget: the entry leaves the inventory. */
  deleteInventory(key: string, source: string): Promise<unknown>;
  /** Written (and committed) before the step's platform call. */
  startStep(step: StepStart): Promise<unknown>;
  finishStep(step: StepFinish): Promise<void>;
}
