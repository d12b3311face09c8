/**
 * Runs and their steps, as the engine records them and the store keeps them: one
 * vocabulary for both (a run is one reconcile: plan, apply or drift).
 */
import type { KindName } from "./desired-state.js";
import type { ChangeAction } from "./plan.js";

/** plan: show what would change; apply: make it so; drift: report differences only. */
export type RunMode = "plan" | "apply" | "drift";

/**
 * How a run ended. `interrupted`: its process died or lost its lease before the end (marked
 * by the next start or by the run that took the lease over).
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
