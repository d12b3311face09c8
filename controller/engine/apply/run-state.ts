/**
 * The types apply and its steps share: what apply needs (adapters, store, logger), its
 * options, the state one apply run keeps between its steps, and a step's report.
 */
import type pLimit from "p-limit";
import type { Logger } from "pino";
import type { PlannedChange } from "../../model/plan.js";
import type { StepEnd } from "../../model/run.js";
import type { AdapterSet } from "../adapters/adapter.js";
import type { ApplyRecorder } from "./recorder.js";

/** What apply needs (style.md §5): adapters, the store, a logger and an optional clock. */
export interface ApplyDeps {
  adapters: AdapterSet;
  /** Where inventory changes and steps are recorded (the state store, or a fake in tests). */
  store: ApplyRecorder;
  /** Structured logger; one line per step. */
  logger: Logger;
  /** Milliseconds since the epoch; default `Date.now`. */
  clock?: () => number;
}

/** Progress after each step, for progress bars. */
export interface ApplyProgress {
  done: number;
  total: number;
  step: StepDone;
}

/** Options of one apply run. */
export interface ApplyOptions {
  /** Largest number of platform calls in flight. Default 8. */
  parallelism?: number;
  onProgress?: (progress: ApplyProgress) => void;
  /** Source this run speaks for; written into inventory entries. */
  source: string;
  /** Id of the run the steps belong to. */
  runId: string;
  /**
   * Stops the apply when it fires (shutdown, or a lost lease): no step starts after that;
   * the remaining steps are recorded as skipped with the signal's reason.
   */
  signal?: AbortSignal;
}

/** Default of `ApplyOptions.parallelism`. */
export const defaultParallelism = 8;

/** A step as apply reports it. */
export interface StepDone {
  seq: number;
  action: PlannedChange["action"];
  kind: PlannedChange["kind"];
  key: string;
  tenant: string;
  outcome: StepEnd;
  durationMs: number;
  requestId?: string;
  platformId?: string;
  adopted?: boolean;
  error?: string;
  /** For a failed step: how long the platform asked to wait before retrying (Retry-After), in ms. */
  retryAfterMs?: number;
  /** For a skipped step: the key whose failure caused the skip (the first one, transitively). */
  failedDependency?: string;
}

/** The state one apply run shares between its steps. */
export interface RunState {
  deps: ApplyDeps;
  options: ApplyOptions;
  clock: () => number;
  /** Platform ids by key: from the plan, plus the ones created in this run. */
  ids: Map<string, string>;
  limit: ReturnType<typeof pLimit>;
  /** The first store failure; once set, no further step starts. */
  storeError: unknown;
}
