/**
 * A plan: what apply would change, step by step, with field diffs. Produced by the pure
 * planner (controller/engine/plan), saved by `omnia plan --out`, shown by renderers.
 */
import type { DesiredResource, KindName, ResourcePolicy } from "./desired-state.js";
import type { AnyLiveResource } from "./live-state.js";

/** One field that differs. Sensitive values are never carried: only `sensitive: true`. */
export interface FieldDiff {
  /** Dot path relative to the document, e.g. `spec.license`. */
  path: string;
  before?: unknown;
  after?: unknown;
  sensitive?: boolean;
}

/**
 * What a change does. `forget` removes an inventory entry without touching the platform
 * (deletionPolicy orphan, or an interrupted create that left nothing behind).
 */
export type ChangeAction = "create" | "update" | "delete" | "adopt" | "forget" | "noop";

/** One step of a plan. */
export interface PlannedChange {
  action: ChangeAction;
  kind: KindName;
  key: string;
  tenant: string;
  /** Platform id, when the object exists. */
  id?: string;
  diffs: FieldDiff[];
  /** Keys of the changes that must succeed first. */
  dependsOn: string[];
  /** Why this action (e.g. "not on the platform", "removed from source, prune on"). */
  reason: string;
  /** Desired resource, for create/update/adopt. */
  desired?: DesiredResource<KindName, unknown>;
  /** Live resource, for update/delete/adopt. */
  live?: AnyLiveResource;
  policy?: ResourcePolicy;
  /**
   * Salted hashes of the desired secrets (create/update/adopt), for apply to record once
   * the step succeeded. Hashes, never values; planToJson leaves them out all the same.
   */
  secretHashes?: Record<string, string>;
  /** Part of a replacement (delete then create of the same key): a Number cannot be updated. */
  replaces?: boolean;
}

/** Drift found on a resource whose mode forbids repairing it (warn/observe). */
export interface DriftReport {
  key: string;
  kind: KindName;
  tenant: string;
  mode: "warn" | "observe";
  diffs: FieldDiff[];
  /** The object is declared but not on the platform (a create that the mode forbids). */
  missing?: boolean;
}

export interface Plan {
  /**
   * Changes in dependency order (creates/updates parents first, deletes children first),
   * noops included: they carry the platform ids that adapters resolve parents with.
   */
  changes: PlannedChange[];
  drift: DriftReport[];
  /** Reasons the plan must not be applied (mass-delete guard, ownership clash). */
  refusals: string[];
  warnings: string[];
}
