/**
 * `createScheduler`: which tenant to reconcile when (SERVE.md "Scheduler"). Triggers
 * (timers, webhooks, people) only queue a tenant's identity in the store; a worker loop
 * claims due requests, at most `concurrency` at once, runs each through its account's
 * circuit breaker and rate budget, and acts on the engine's outcome:
 *
 * - `done`: the tenant is InSync or Drifted (phase.ts); a drift check that found changes
 *   to make queues an apply;
 * - `retry`: rescheduled after exponential backoff with full jitter, never sooner than
 *   the outcome's `delayMs`, at most 15 min (backoff.ts);
 * - `terminal`: Failed with the reason; the request is dropped, and timer triggers
 *   (`interval`, `drift-interval`, `startup`) do not run it again until the source has a
 *   new revision or a person (`manual`, `api`, `webhook`, `revision`) asks.
 *
 * Every transition sets the tenant's status and appends an event. `stop` stops claiming,
 * lets runs finish for `graceMs`, then aborts their signals (the engine stops after the
 * step in flight, records the run interrupted and releases its leases) and completes
 * their requests as retrying now, so that another replica takes them at once.
 */

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleepTimer } from "node:timers/promises";
import { type Logger, pino } from "pino";
import { ShutdownError } from "../engine/reconcile/outcome.js";
import type { ReconcileReason, ReconcileRequest, RequestMode } from "../model/control.js";
import type { BackoffOptions } from "./backoff.js";
import { AccountBreakers, type BreakerOptions } from "./breaker.js";
import { AccountBudgets, type BudgetOptions } from "./budget.js";
import type {
  Clock,
  ReconcileFn,
  RevisionReader,
  SchedulerMetrics,
  SchedulerStore,
  TenantLister,
} from "./ports.js";
import { RequestRunner } from "./run.js";
import { SourceTimers } from "./timers.js";

export { errClaimLost, errSuspended } from "./run.js";

/** Reason of a run's signal on shutdown after the grace period. */
export const errShutdown = "the scheduler is stopping";
/** `start` called twice. */
export const errStarted = "the scheduler is already started";

/** Options of `createScheduler`; every field but the ports has a default. */
export interface SchedulerOptions {
  store: SchedulerStore;
  reconcile: ReconcileFn;
  listTenants: TenantLister;
  /** Reads a source's present revision on each interval tick. Default: none (the store's `lastRevision`). */
  readRevision?: RevisionReader;
  /** This replica's id (claims, heartbeats). Default `<host>-<pid>-<random>`. */
  worker?: string;
  /** Requests run at once by this replica. Default 4. */
  concurrency?: number;
  /** A claim lapses this long after it was made or extended (ms); renewed every third of it. Default 60 s. */
  claimMs?: number;
  /** Idle wait between looks at the queue (ms); a trigger or a finished run wakes it sooner. Default 1 s. */
  pollMs?: number;
  /** How often the set of sources is re-read (ms). Default 30 s. */
  sourcesRefreshMs?: number;
  /** Replica heartbeat period (ms). Default 10 s. */
  heartbeatMs?: number;
  /** A replica without a heartbeat this long is not counted live (ms). Default 30 s. */
  replicaTtlMs?: number;
  /** Queue depth sampled for metrics at most this often (ms). Default 5 s. */
  depthSampleMs?: number;
  backoff?: BackoffOptions;
  /** Per-account limits (the buckets run on `clock`). */
  budget?: Pick<BudgetOptions, "requestsPerSecond" | "burst">;
  breaker?: Pick<BreakerOptions, "threshold" | "halfOpenAfterMs">;
  /** Default real time. */
  clock?: Clock;
  /** In [0, 1), for jitter. Default Math.random. */
  random?: () => number;
  metrics?: SchedulerMetrics;
  /** Default pino at level `warn`. */
  logger?: Logger;
}

/** The running scheduler. */
export interface Scheduler {
  /** This replica's id. */
  readonly worker: string;
  /**
   * Starts the heartbeat, the source timers and the worker loop. Throws `errStarted` when
   * started, and the store's error when the first heartbeat or source listing fails
   * (then nothing runs and `start` may be called again).
   */
  start(): Promise<void>;
  /**
   * Stops claiming and the timers; waits up to `graceMs` (default 30 s) for runs in
   * flight, then aborts their signals and waits for them to end; removes the replica.
   */
  stop(o?: { graceMs?: number }): Promise<void>;
  /**
   * Queues `mode` (default apply) for one tenant of `source`, or every tenant (`"*"`);
   * resolves with the number queued. A trigger for a queued tenant merges into its request.
   */
  trigger(source: string, tenant: string, reason: ReconcileReason, mode?: RequestMode): Promise<number>;
  /** Requests running now on this replica. */
  readonly inFlight: number;
  /** The per-account budgets (the composition root may read their rates). */
  readonly budgets: AccountBudgets;
  readonly breakers: AccountBreakers;
}

const realClock: Clock = {
  now: Date.now,
  sleep: (ms, signal) => sleepTimer(ms, undefined, signal ? { signal } : undefined),
};

/** Builds a scheduler; nothing runs before `start()`. */
export function createScheduler(o: SchedulerOptions): Scheduler {
  return new SchedulerImpl(o);
}

interface InFlight {
  request: ReconcileRequest;
  abort: AbortController;
  done: Promise<void>;
}

class SchedulerImpl implements Scheduler {
  readonly worker: string;
  readonly budgets: AccountBudgets;
  readonly breakers: AccountBreakers;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly runs = new Map<string, InFlight>();
  private readonly timers: SourceTimers;
  private readonly runner: RequestRunner;
  private stopping = new AbortController();
  private wakeup = new AbortController();
  private loops: Promise<unknown>[] = [];
  private started = false;
  private lastDepthAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: SchedulerOptions) {
    this.worker = o.worker ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.clock = o.clock ?? realClock;
    this.random = o.random ?? Math.random;
    this.log = o.logger ?? pino({ level: "warn" });
    this.budgets = new AccountBudgets({ ...o.budget, now: this.clock.now, sleep: this.clock.sleep });
    this.breakers = new AccountBreakers({
      ...o.breaker,
      onState: (account, state) => this.metric(() => o.metrics?.breakerState?.(account, state)),
    });
    this.runner = new RequestRunner({
      store: o.store,
      reconcile: o.reconcile,
      worker: this.worker,
      clock: this.clock,
      random: this.random,
      backoff: o.backoff,
      budgets: this.budgets,
      breakers: this.breakers,
      claimMs: o.claimMs ?? 60_000,
      metrics: o.metrics,
      logger: this.log,
      stopping: () => this.stopping.signal.aborted,
      stoppingSignal: () => this.stopping.signal,
      wake: () => this.wake(),
      metric: (fn) => this.metric(fn),
    });
    this.timers = new SourceTimers({
      store: o.store,
      listTenants: o.listTenants,
      readRevision: o.readRevision,
      clock: this.clock,
      random: this.random,
      logger: this.log,
      wake: () => this.wake(),
      suspend: (source, tenant) => this.runner.suspend(source, tenant),
    });
  }

  get inFlight(): number {
    return this.runs.size;
  }

  async start(): Promise<void> {
    if (this.started) throw new Error(errStarted);
    this.started = true;
    this.stopping = new AbortController();
    const stop = this.stopping.signal;
    try {
      await this.heartbeat();
      await this.timers.refresh(stop);
    } catch (err) {
      // Not started: the caller may try again (a store still coming up).
      this.started = false;
      this.stopping.abort();
      await this.timers.stop();
      throw err;
    }
    this.loops = [
      this.every(this.o.heartbeatMs ?? 10_000, () => this.heartbeat(), stop),
      this.every(this.o.sourcesRefreshMs ?? 30_000, () => this.timers.refresh(stop), stop),
      this.workLoop(stop),
    ];
  }

  async stop(options: { graceMs?: number } = {}): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.stopping.abort(new ShutdownError(errShutdown));
    await Promise.allSettled(this.loops);
    await this.timers.stop();
    if (this.runs.size > 0) {
      const grace = new AbortController();
      const allDone = Promise.allSettled([...this.runs.values()].map((r) => r.done));
      await Promise.race([
        allDone,
        this.clock.sleep(options.graceMs ?? 30_000, grace.signal).catch(() => {}),
      ]);
      grace.abort();
      for (const r of this.runs.values()) r.abort.abort(new ShutdownError(errShutdown));
      await Promise.allSettled([...this.runs.values()].map((r) => r.done));
    }
    await this.o.store
      .removeReplica(this.worker)
      .catch((err: unknown) => this.log.warn({ err }, "scheduler: removeReplica failed"));
  }

  async trigger(
    source: string,
    tenant: string,
    reason: ReconcileReason,
    mode: RequestMode = "apply",
  ): Promise<number> {
    let tenants = [tenant];
    if (tenant === "*") {
      const record = await this.o.store.getSource(source);
      tenants = record ? await this.o.listTenants(record) : [];
    }
    for (const t of tenants) await this.o.store.enqueueRequest({ source, tenant: t, mode, reason });
    this.wake();
    return tenants.length;
  }

  /** Ends the worker loop's idle wait now. */
  private wake(): void {
    this.wakeup.abort();
  }

  private async heartbeat(): Promise<void> {
    const now = this.clock.now();
    await this.o.store.heartbeatReplica(this.worker, new Date(now));
    const live = await this.o.store.listReplicas(new Date(now - (this.o.replicaTtlMs ?? 30_000)));
    // This replica counts even when its heartbeat is not visible yet.
    this.budgets.setReplicas(Math.max(1, live.filter((r) => r.id !== this.worker).length + 1));
  }

  /** Runs `fn` every `ms` until `stop`; a failure is logged and the next period tries again. */
  private async every(ms: number, fn: () => Promise<void>, stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      try {
        await this.clock.sleep(ms, stop);
        await fn();
      } catch (err) {
        if (!stop.aborted) this.log.warn({ err }, "scheduler: a periodic task failed");
      }
    }
  }

  private async workLoop(stop: AbortSignal): Promise<void> {
    const limit = Math.max(1, this.o.concurrency ?? 4);
    while (!stop.aborted) {
      // Re-armed before claiming, so that a trigger during the claim is not lost.
      this.wakeup = new AbortController();
      let claimed = 0;
      try {
        const free = limit - this.runs.size;
        if (free > 0) {
          const requests = await this.o.store.claimRequests({
            worker: this.worker,
            limit: free,
            claimMs: this.claimMs,
            now: new Date(this.clock.now()),
          });
          claimed = requests.length;
          for (const r of requests) this.launch(r);
        }
        await this.sampleDepth();
      } catch (err) {
        this.log.warn({ err }, "scheduler: claiming failed");
      }
      if (claimed > 0 && this.runs.size < limit) continue;
      await this.clock
        .sleep(this.o.pollMs ?? 1_000, AbortSignal.any([stop, this.wakeup.signal]))
        .catch(() => {});
    }
  }

  private get claimMs(): number {
    return this.o.claimMs ?? 60_000;
  }

  private async sampleDepth(): Promise<void> {
    const every = this.o.depthSampleMs ?? 5_000;
    if (!this.o.metrics?.queueDepth || this.clock.now() - this.lastDepthAt < every) return;
    this.lastDepthAt = this.clock.now();
    const depth = await this.o.store.queueDepth();
    this.metric(() => this.o.metrics?.queueDepth?.(depth));
  }

  private launch(request: ReconcileRequest): void {
    const abort = new AbortController();
    const key = `${request.source}\u0000${request.tenant}\u0000${request.mode}`;
    const done = this.runner
      .run(request, abort)
      .catch((err: unknown) =>
        this.log.warn(
          { err, source: request.source, tenant: request.tenant },
          "scheduler: a run failed to record",
        ),
      )
      .finally(() => {
        this.runs.delete(key);
        this.metric(() => this.o.metrics?.inFlight?.(this.runs.size));
        this.wake();
      });
    this.runs.set(key, { request, abort, done });
    this.metric(() => this.o.metrics?.inFlight?.(this.runs.size));
  }

  /** Metrics observers must not break the scheduler. */
  private metric(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.warn({ err }, "scheduler: a metrics observer threw");
    }
  }
}
