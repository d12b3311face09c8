/**
 * What the state store holds, as the rest of the controller sees it. Row types mirror the
 * tables of `migrations/`; the inventory entry is the engine's `InventoryEntry` plus the
 * store's own timestamps.
 */
import type { ChangeAction, FieldDiff, InventoryEntry } from "../engine/types.js";
import type { KindName } from "../model/desired-state.js";

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

/** plan: show what would change; apply: make it so; drift: report differences only. */
export type RunMode = "plan" | "apply" | "drift";
/**
 * How a run ended (the engine's vocabulary), or `interrupted`: ended by the store's
 * `markInterruptedRuns` because its process was gone or silent.
 */
export type RunOutcome = "ok" | "changes" | "failed" | "refused" | "cancelled" | "interrupted";

/** A run as it starts. */
export interface RunStart {
  /** The run's id; default a random UUID. */
  id?: string;
  mode: RunMode;
  source: string;
  tenants: readonly string[];
  /** Default: the store's clock. Also the run's first heartbeat. */
  startedAt?: Date;
  /**
   * Who runs it, as `host/pid/runId` (the holder name of its tenant leases). Default this
   * host and process and the run's id.
   */
  holder?: string;
}

/** A run as it ends. */
export interface RunFinish {
  id: string;
  outcome: RunOutcome;
  finishedAt?: Date;
  /** Counts by action and step outcome, for the runs table. */
  summary?: Record<string, number>;
  /** Why the run failed; never a secret. */
  error?: string;
}

/** A run as stored. `outcome` and `finishedAt` are null while it runs. */
export interface RunRecord {
  id: string;
  mode: RunMode;
  source: string;
  tenants: string[];
  startedAt: Date;
  finishedAt: Date | null;
  outcome: RunOutcome | null;
  summary: Record<string, number>;
  error: string | null;
  /** `host/pid/runId` of the process running it; null for runs recorded before it was kept. */
  holder: string | null;
  /** When its process last said it is alive (`heartbeatRun`), else when it started. */
  heartbeatAt: Date | null;
}

/** Which runs to list, newest first. */
export interface RunFilter {
  /** Default 50. */
  limit?: number;
  source?: string;
}

/** Where a step stands: `started`, or how it ended (`terminal`: retrying cannot fix it). */
export type StepState = "started" | "ok" | "failed" | "terminal" | "skipped";
/** How a step ended. */
export type StepEnd = Exclude<StepState, "started">;

/** A step as it starts; written (and committed) before the step's platform call. */
export interface StepStart {
  runId: string;
  /** Position in the run; default the next free one, handed out by the store. */
  seq?: number;
  action: ChangeAction;
  kind: KindName;
  key: string;
  tenant: string;
  startedAt?: Date;
}

/** A step as it ends. Error texts never carry secret values. */
export interface StepFinish {
  runId: string;
  seq: number;
  state: StepEnd;
  finishedAt?: Date;
  /** Default: finishedAt - startedAt. */
  durationMs?: number;
  /** Platform request id of the last call (for support tickets). */
  requestId?: string;
  /** Platform id after a create or adopt. */
  platformId?: string;
  /** The create found the object already there and adopted it. */
  adopted?: boolean;
  error?: string;
  /** For `skipped`: why (e.g. the failed step it depended on). */
  skipReason?: string;
}

/** A step as stored. */
export interface StepRecord {
  runId: string;
  seq: number;
  action: ChangeAction;
  kind: KindName;
  key: string;
  tenant: string;
  state: StepState;
  requestId: string | null;
  platformId: string | null;
  adopted: boolean;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  error: string | null;
  skipReason: string | null;
}

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
