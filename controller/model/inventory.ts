/** What the state store remembers of each managed object: the inventory. */
import type { KindName } from "./desired-state.js";

/** What the store remembers of one managed resource (controller/store owns the table). */
export interface InventoryEntry {
  key: string;
  kind: KindName;
  tenant: string;
  /** Platform id; null while a create is pending (recorded before the call). */
  platformId: string | null;
  /** Which source owns it: a GitOps repo path, or `terraform:<workspace>`. */
  source: string;
  state: "creating" | "managed";
  /** Salted hashes of the secrets last applied, by field path (e.g. `spec.pin`). */
  secretHashes: Record<string, string>;
  /**
   * The resource's deletionPolicy when last applied: once its document is gone from the
   * source, this is the only place left to read it from. Absent means "delete".
   */
  deletionPolicy?: "delete" | "orphan";
}
