/**
 * What the scheduler needs from outside, declared here so that it depends on nothing
 * above or beside it (ports and adapters): the store's queue, status, event and replica
 * methods (SERVE.md "Store methods"; controller/store implements them on `Store`), the
 * reconcile call (the composition root builds it from the engine's `reconcileTenant`),
 * the tenants of a source, a clock, and an optional metrics observer.
 */

import type { RateGate } from "../../platform/client/rate-limit.js";
import type { Outcome } from "../engine/reconcile/outcome.js";
import type { TenantReconcile } from "../engine/reconcile/reconcile-tenant.js";
import type {
  ClaimOptions,
  CompleteResult,
  ControllerEvent,
  ControllerEventInput,
  EnqueueRequest,
  ReconcileRequest,
  RequestMode,
  SourceRecord,
  TenantStatus,
  TenantStatusPatch,
} from "../model/control.js";

/**
 * The store methods the scheduler calls, with the shapes of SERVE.md "Store methods".
 * All timestamps `Date`; every method resolves after its transaction commits.
 */
export interface SchedulerStore {
  /** Registered sources (the timers follow them). */
  listSources(filter?: { partner?: string }): Promise<SourceRecord[]>;
  getSource(id: string): Promise<SourceRecord | undefined>;
  /**
   * Queues a trigger, merging into the queued request of the same (source, tenant, mode):
   * reasons merged, generation bumped, the earlier `notBefore` kept.
   */
  enqueueRequest(r: EnqueueRequest): Promise<void>;
  /**
   * Claims due requests (`notBefore <= now`) that are unclaimed or whose claim expired,
   * oldest `notBefore` first and `apply` before `drift` (`FOR UPDATE SKIP LOCKED`).
   */
  claimRequests(o: ClaimOptions): Promise<ReconcileRequest[]>;
  /**
   * Ends a claimed request: kept queued (`requeued`) when a trigger arrived since the
   * claim (stored generation newer); else rescheduled at `retryAt` with attempts + 1
   * (`retrying`); else deleted.
   */
  completeRequest(r: ReconcileRequest, o: { retryAt?: Date; worker: string }): Promise<CompleteResult>;
  /** Renews `worker`'s claim for `claimMs`; false when the claim was lost. */
  extendClaim(r: ReconcileRequest, worker: string, claimMs: number): Promise<boolean>;
  /** Requests queued, by mode. */
  queueDepth(): Promise<{ apply: number; drift: number }>;
  listRequests(filter?: { source?: string }): Promise<ReconcileRequest[]>;
  setTenantStatus(
    source: string,
    tenant: string,
    patch: TenantStatusPatch & { partner: string },
  ): Promise<TenantStatus>;
  getTenantStatus(source: string, tenant: string): Promise<TenantStatus | undefined>;
  appendEvent(e: ControllerEventInput): Promise<ControllerEvent>;
  heartbeatReplica(id: string, at?: Date): Promise<void>;
  /** Replicas whose last heartbeat is at or after `since`. */
  listReplicas(since: Date): Promise<{ id: string; heartbeatAt: Date }[]>;
  removeReplica(id: string): Promise<unknown>;
}

/** What the scheduler hands the reconcile call besides the request and the signal. */
export interface ReconcileContext {
  /** The source as registered (its account, policies and last revision). */
  source: SourceRecord;
  /**
   * The account's rate budget at this run's priority (`normal` for apply, `background`
   * for drift): the composition root gives it to the client (`limits.bucket`), so that
   * every platform call of the run takes from the account's one budget.
   */
  gate: RateGate;
  /**
   * Fires as soon as the scheduler is stopping (SIGTERM), before the grace period: the run
   * should stop between steps and start nothing new, while the step in flight finishes.
   * The `signal` of `ReconcileFn` fires later, after the grace, and aborts calls in flight.
   */
  stopping: AbortSignal;
}

/**
 * Reconciles one tenant (the engine's `reconcileTenant`, bound to the source by the
 * composition root). Expected never to throw; a throw is classified as the engine would
 * (`failureOutcome`). `signal` fires on shutdown after the grace period or a lost claim.
 */
export type ReconcileFn = (
  request: ReconcileRequest,
  signal: AbortSignal,
  context: ReconcileContext,
) => Promise<Outcome<TenantReconcile>>;

/**
 * The tenants a source declares or owns (customer codes). It should answer from the last
 * good revision and the inventory when the present revision does not validate, so that
 * the timers keep queueing its tenants and their status shows the problem.
 */
export type TenantLister = (source: SourceRecord) => Promise<string[]>;

/** The source's present revision (a git fetch, a folder hash), to tell a new one from the last. */
export type RevisionReader = (source: SourceRecord, signal: AbortSignal) => Promise<string | null>;

/** Time for the scheduler: real by default, a fake in tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it fires first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** How a claimed request ended, for metrics. */
export type RunResult = "done" | "retry" | "terminal" | "circuit-open" | "skipped";

/** Circuit states as reported. */
export type BreakerState = "closed" | "open" | "half-open" | "isolated";

/**
 * Observer of the scheduler's figures; the service binds prom-client to it. Every method
 * is optional and must not throw (a throw is caught and ignored).
 */
export interface SchedulerMetrics {
  /** One claimed request ended. */
  reconciled?(e: {
    source: string;
    tenant: string;
    mode: RequestMode;
    result: RunResult;
    durationMs: number;
  }): void;
  /** Queue depth, sampled at most every `depthSampleMs`. */
  queueDepth?(depth: { apply: number; drift: number }): void;
  /** An account's circuit changed state (`account` is its key: URL, domain, user). */
  breakerState?(account: string, state: BreakerState): void;
  /** Requests in flight on this replica. */
  inFlight?(count: number): void;
}

export type { ClaimOptions, CompleteResult, EnqueueRequest } from "../model/control.js";
