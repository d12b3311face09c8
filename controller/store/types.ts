/**
 * What the state store holds beyond the shared vocabulary of controller/model (runs,
 * steps, status, leases, the inventory entry): its own row and filter types.
 */
import type { InventoryEntry } from "../model/inventory.js";
import type { RunMode, RunOutcome } from "../model/run.js";

export type * from "../model/run.js";
export type * from "../model/status.js";

/** An inventory entry as stored. */
export interface StoredInventoryEntry extends InventoryEntry {
  /** When the entry last became (or stayed) `managed`; null while only ever `creating`. */
  lastAppliedAt: Date | null;
  updatedAt: Date;
}

/** Which inventory entries to list; every field narrows, none given lists all. */
export interface InventoryFilter {
  source?: string;
  /** Customer codes. */
  tenants?: readonly string[];
}

/** Which runs to list, newest first; every field narrows. */
export interface RunFilter {
  /** Default 50. */
  limit?: number;
  source?: string;
  /** Runs of any of these sources. */
  sources?: readonly string[];
  /** Runs whose tenants include this customer code. */
  tenant?: string;
  outcome?: RunOutcome;
  mode?: RunMode;
  /**
   * Paging: runs started before this (the last `startedAt` of the previous page). With
   * `beforeId` (that run's id), also the runs of the same start after it by id, so a
   * page boundary between runs started at the same instant skips none.
   */
  before?: Date;
  beforeId?: string;
}
