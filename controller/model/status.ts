/** The last word on each resource (drift, last outcome) and the tenant leases. */
import type { DriftAttribution } from "./control.js";
import type { KindName } from "./desired-state.js";
import type { FieldDiff } from "./plan.js";
import type { StepEnd } from "./run.js";

/** Whether a resource's live object matches its source, as of the last drift check. */
export type DriftStatus = "in_sync" | "drifted" | "unknown";

/**
 * A change to a resource's status. A field left out keeps its stored value; `null`
 * clears it. `finishStep` sets the outcome fields itself.
 */
export interface ResourceStatusPatch {
  kind: KindName;
  tenant: string;
  lastOutcome?: StepEnd | null;
  lastError?: string | null;
  lastRunId?: string | null;
  drift?: DriftStatus;
  /** The differences found; sensitive fields carry only `sensitive: true`. */
  driftDiffs?: FieldDiff[];
  /** Who made the drift by hand, from the platform's audit logs; null when not found. */
  changedBy?: DriftAttribution | null;
}

/** The last word on one resource. */
export interface ResourceStatus {
  key: string;
  kind: KindName;
  tenant: string;
  lastOutcome: StepEnd | null;
  lastError: string | null;
  lastRunId: string | null;
  drift: DriftStatus;
  driftDiffs: FieldDiff[];
  /** Who made the drift by hand (platform audit logs); null when unknown or in sync. */
  changedBy: DriftAttribution | null;
  updatedAt: Date;
}

/** A tenant lease: `holder` may write to `tenant` until `expiresAt`. */
export interface Lease {
  tenant: string;
  holder: string;
  acquiredAt: Date;
  expiresAt: Date;
}

/** What `acquireLease` got: the lease, or the live lease of the holder that has it. */
export type LeaseResult = { acquired: true; lease: Lease } | { acquired: false; heldBy: Lease };
