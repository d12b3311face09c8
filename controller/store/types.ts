/**
 * What the state store holds beyond the shared vocabulary of controller/model (runs,
 * steps, status, leases, the inventory entry): its own row and filter types.
 */
import type { InventoryEntry } from "../model/inventory.js";

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

/** Which runs to list, newest first. */
export interface RunFilter {
  /** Default 50. */
  limit?: number;
  source?: string;
}
