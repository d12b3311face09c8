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
import { failureOutcome, type Outcome } from "../engine/reconcile/outcome.js";
import type { TenantReconcile } from "../engine/reconcile/reconcile-tenant.js";
import type {
  ReconcileReason,
  ReconcileRequest,
  RequestMode,
  SourceRecord,
  TenantStatus,
  TenantStatusPatch,
} from "../model/control.js";
import { type BackoffOptions, backoffDelay } from "./backoff.js";
import { AccountBreakers, type BreakerOptions, errCircuitOpen } from "./breaker.js";
import { AccountBudgets, accountKey, type BudgetOptions } from "./budget.js";
import { needsApply, statusAfter } from "./phase.js";
import type {
  Clock,
  ReconcileFn,
  RevisionReader,
  RunResult,
  SchedulerMetrics,
  SchedulerStore,
  TenantLister,
} from "./ports.js";
import { SourceTimers } from "./timers.js";

/** Reason of a run's signal on shutdown after the grace period. */
export const errShutdown = "the scheduler is stopping";
/** Reason of a run's signal when another worker took its request (the claim lapsed). */
export const errClaimLost = "the request's claim was lost to another worker";
/** Reason a suspended source's tenants show. */
export const errSuspended = "the source is suspended";
/** `start` called twice. */
export const errStarted = "the scheduler is already started";

/** Reasons that come from a timer: they do not wake a Failed tenant. */
const timerReasons: ReadonlySet<ReconcileReason> = new Set([
  "interval",
  "drift-interval",
  "startup",
  "retry",
]);

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
  /** Starts the timers, the heartbeat and the worker loop. Throws `errStarted` when started. */
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
    this.timers = new SourceTimers({
      store: o.store,
      listTenants: o.listTenants,
      readRevision: o.readRevision,
      clock: this.clock,
      random: this.random,
      logger: this.log,
      wake: () => this.wake(),
      suspend: (source, tenant) => this.suspend(source, tenant),
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
    await this.heartbeat();
    await this.timers.refresh(stop);
    this.loops = [
      this.every(this.o.heartbeatMs ?? 10_000, () => this.heartbeat(), stop),
      this.every(this.o.sourcesRefreshMs ?? 30_000, () => this.timers.refresh(stop), stop),
      this.workLoop(stop),
    ];
  }

  async stop(options: { graceMs?: number } = {}): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.stopping.abort(new Error(errShutdown));
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
      for (const r of this.runs.values()) r.abort.abort(new Error(errShutdown));
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
    const done = this.runOne(request, abort)
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

  /** Keeps the claim while the run lasts; a lost claim aborts the run (another worker has it). */
  private async keepClaim(r: ReconcileRequest, run: AbortController, until: AbortSignal): Promise<void> {
    const signal = AbortSignal.any([until, run.signal]);
    while (!signal.aborted) {
      try {
        await this.clock.sleep(Math.max(1, Math.floor(this.claimMs / 3)), signal);
      } catch {
        return;
      }
      const kept = await this.o.store.extendClaim(r, this.worker, this.claimMs).catch(() => true);
      if (!kept) run.abort(new Error(errClaimLost));
    }
  }

  private async runOne(r: ReconcileRequest, run: AbortController): Promise<void> {
    const startedAt = this.clock.now();
    const finish = (result: RunResult) =>
      this.metric(() =>
        this.o.metrics?.reconciled?.({
          source: r.source,
          tenant: r.tenant,
          mode: r.mode,
          result,
          durationMs: this.clock.now() - startedAt,
        }),
      );
    const source = await this.o.store.getSource(r.source);
    if (!source) {
      await this.o.store.completeRequest(r, { worker: this.worker });
      return finish("skipped");
    }
    if (source.policies.suspended) {
      await this.suspend(source, r.tenant);
      await this.o.store.completeRequest(r, { worker: this.worker });
      return finish("skipped");
    }
    const prev = await this.o.store.getTenantStatus(r.source, r.tenant);
    if (
      prev?.phase === "Failed" &&
      r.reasons.every((x) => timerReasons.has(x)) &&
      prev.observedRevision === source.lastRevision
    ) {
      // Terminal: only a new revision or a person wakes it (a trigger during this check re-queues it).
      await this.o.store.completeRequest(r, { worker: this.worker });
      return finish("skipped");
    }
    if (r.mode === "apply")
      await this.transition(source, r.tenant, prev, { phase: "Reconciling" }, { reasons: r.reasons });
    await this.event(source, r.tenant, "run.started", {
      mode: r.mode,
      reasons: r.reasons,
      attempts: r.attempts,
    });

    const account = accountKey(source.account);
    const gate = this.budgets.gate(source.account, r.mode);
    const claimKeeper = new AbortController();
    const keeping = this.keepClaim(r, run, claimKeeper.signal);
    let ran: Awaited<ReturnType<AccountBreakers["run"]>>;
    try {
      ran = await this.breakers.run(account, async () => {
        try {
          return await this.o.reconcile(r, run.signal, { source, gate });
        } catch (err) {
          return failureOutcome<TenantReconcile>(err);
        }
      });
    } finally {
      claimKeeper.abort();
      await keeping;
    }
    const now = this.clock.now();
    const current = (await this.o.store.getTenantStatus(r.source, r.tenant)) ?? prev;
    if (!ran.ran) {
      const retryAt = new Date(now + this.breakers.halfOpenAfterMs);
      const reason = `${errCircuitOpen} (account ${source.account.url}, ${source.account.domain}; circuit ${ran.state}); next try at ${retryAt.toISOString()}`;
      await this.transition(
        source,
        r.tenant,
        current,
        { reason, nextAttemptAt: retryAt },
        { circuit: ran.state },
      );
      await this.o.store.completeRequest(r, { worker: this.worker, retryAt });
      return finish("circuit-open");
    }
    const outcome = ran.value as Outcome<TenantReconcile>;
    await this.settle(source, r, current, outcome, now, startedAt);
    finish(outcome.status);
  }

  /** Records the outcome: status, events, and what becomes of the request. */
  private async settle(
    source: SourceRecord,
    r: ReconcileRequest,
    prev: TenantStatus | undefined,
    outcome: Outcome<TenantReconcile>,
    now: number,
    startedAt: number,
  ): Promise<void> {
    const attempts = r.attempts + 1;
    let retryAt: Date | undefined;
    if (outcome.status === "retry") {
      // Stopping: leave it due now for another replica, not after a backoff of ours.
      const delay = this.stopping.signal.aborted
        ? 0
        : backoffDelay(attempts, outcome.delayMs, this.random, this.o.backoff);
      retryAt = new Date(now + delay);
    }
    const patch = statusAfter({
      mode: r.mode,
      outcome,
      now: new Date(now),
      attempts,
      retryAt,
      sourceRevision: source.lastRevision,
    });
    await this.transition(source, r.tenant, prev, patch, { mode: r.mode, outcome: outcome.status });
    const completion = await this.o.store.completeRequest(r, { worker: this.worker, retryAt });
    const result = outcome.result;
    await this.event(source, r.tenant, "run.finished", {
      mode: r.mode,
      outcome: outcome.status,
      reason: outcome.status === "done" ? null : outcome.reason,
      runId: result ? (result.executed?.runId ?? result.planned.runId) : null,
      revision: result?.planned.revision ?? null,
      durationMs: now - startedAt,
      request: completion,
      retryAt: retryAt?.toISOString() ?? null,
    });
    if (needsApply(r.mode, outcome)) {
      await this.o.store.enqueueRequest({
        source: r.source,
        tenant: r.tenant,
        mode: "apply",
        reason: "drift-interval",
      });
      this.wake();
    }
  }

  /** Sets a tenant's status; appends `tenant.status` when its phase or reason changed. */
  private async transition(
    source: SourceRecord,
    tenant: string,
    prev: TenantStatus | undefined,
    patch: TenantStatusPatch,
    data: Record<string, unknown> = {},
  ): Promise<void> {
    const next = await this.o.store.setTenantStatus(source.id, tenant, { ...patch, partner: source.partner });
    if (prev && prev.phase === next.phase && prev.reason === next.reason) return;
    await this.event(source, tenant, "tenant.status", {
      ...data,
      phase: next.phase,
      reason: next.reason,
      drifted: next.drifted,
      from: prev?.phase ?? null,
      nextAttemptAt: next.nextAttemptAt?.toISOString() ?? null,
    });
  }

  private async suspend(source: SourceRecord, tenant: string): Promise<void> {
    const prev = await this.o.store.getTenantStatus(source.id, tenant);
    if (prev?.phase === "Suspended") return;
    await this.transition(source, tenant, prev, {
      phase: "Suspended",
      reason: errSuspended,
      nextAttemptAt: null,
    });
  }

  private async event(
    source: SourceRecord,
    tenant: string,
    type: "run.started" | "run.finished" | "tenant.status",
    data: Record<string, unknown>,
  ): Promise<void> {
    await this.o.store.appendEvent({
      type,
      partner: source.partner,
      source: source.id,
      tenant,
      actor: "scheduler",
      ip: null,
      data: { ...data, worker: this.worker },
    });
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
