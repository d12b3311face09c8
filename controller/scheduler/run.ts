/**
 * One claimed request, from claim to record: the checks that skip it, the reconcile
 * through the account's circuit breaker and rate budget (with the claim renewed while it
 * runs), and what its outcome makes of the tenant's status, the event log and the
 * request (phase.ts, backoff.ts). Every transition sets the status and appends an event.
 */
import type { Logger } from "pino";
import { failureOutcome, type Outcome } from "../engine/reconcile/outcome.js";
import type { TenantReconcile } from "../engine/reconcile/reconcile-tenant.js";
import type {
  ReconcileReason,
  ReconcileRequest,
  SourceRecord,
  TenantStatus,
  TenantStatusPatch,
} from "../model/control.js";
import { type BackoffOptions, backoffDelay } from "./backoff.js";
import { type AccountBreakers, errCircuitOpen } from "./breaker.js";
import { type AccountBudgets, accountKey } from "./budget.js";
import { needsApply, statusAfter } from "./phase.js";
import type { Clock, ReconcileFn, RunResult, SchedulerMetrics, SchedulerStore } from "./ports.js";

/** Reason of a run's signal when another worker took its request (the claim lapsed). */
export const errClaimLost = "the request's claim was lost to another worker";
/** Reason a suspended source's tenants show. */
export const errSuspended = "the source is suspended";

/** The abort reason of a run whose claim was lost. */
export class ClaimLostError extends Error {}

/** Reasons that come from a timer: they do not wake a Failed tenant. */
export const timerReasons: ReadonlySet<ReconcileReason> = new Set([
  "interval",
  "drift-interval",
  "startup",
  "retry",
]);

/** What a runner needs (the scheduler's parts). */
export interface RunnerDeps {
  store: SchedulerStore;
  reconcile: ReconcileFn;
  worker: string;
  clock: Clock;
  random: () => number;
  backoff: BackoffOptions | undefined;
  budgets: AccountBudgets;
  breakers: AccountBreakers;
  claimMs: number;
  metrics: SchedulerMetrics | undefined;
  logger: Logger;
  /** True once the scheduler is stopping: retries are left due now for another replica. */
  stopping: () => boolean;
  /** The scheduler's stopping signal (fires at `stop()`, before the grace period). */
  stoppingSignal: () => AbortSignal;
  /** Wakes the worker loop (a request was queued). */
  wake: () => void;
  /** Calls a metrics observer, never letting it throw. */
  metric: (fn: () => void) => void;
}

/** Runs claimed requests; one per scheduler. */
export class RequestRunner {
  constructor(private readonly d: RunnerDeps) {}

  /** Keeps the claim while the run lasts; a lost claim aborts the run (another worker has it). */
  private async keepClaim(r: ReconcileRequest, run: AbortController, until: AbortSignal): Promise<void> {
    const signal = AbortSignal.any([until, run.signal]);
    while (!signal.aborted) {
      try {
        await this.d.clock.sleep(Math.max(1, Math.floor(this.d.claimMs / 3)), signal);
      } catch {
        return;
      }
      const kept = await this.d.store.extendClaim(r, this.d.worker, this.d.claimMs).catch(() => true);
      if (!kept) run.abort(new ClaimLostError(errClaimLost));
    }
  }

  /**
   * Runs one claimed request to its end: skips it (source gone, suspended, or Failed and
   * asked for by a timer only), or reconciles it through the account's breaker and budget
   * and records the outcome. Aborting `run` cancels the reconcile.
   */
  async run(r: ReconcileRequest, run: AbortController): Promise<void> {
    const startedAt = this.d.clock.now();
    const finish = (result: RunResult) =>
      this.d.metric(() =>
        this.d.metrics?.reconciled?.({
          source: r.source,
          tenant: r.tenant,
          mode: r.mode,
          result,
          durationMs: this.d.clock.now() - startedAt,
        }),
      );
    const source = await this.d.store.getSource(r.source);
    if (!source) {
      await this.d.store.completeRequest(r, { worker: this.d.worker });
      return finish("skipped");
    }
    if (source.policies.suspended) {
      await this.suspend(source, r.tenant);
      await this.d.store.completeRequest(r, { worker: this.d.worker });
      return finish("skipped");
    }
    const prev = await this.d.store.getTenantStatus(r.source, r.tenant);
    if (
      prev?.phase === "Failed" &&
      r.reasons.every((x) => timerReasons.has(x)) &&
      prev.observedRevision === source.lastRevision
    ) {
      // Terminal: only a new revision or a person wakes it (a trigger during this check re-queues it).
      await this.d.store.completeRequest(r, { worker: this.d.worker });
      return finish("skipped");
    }
    const account = accountKey(source.account);
    const gate = this.d.budgets.gate(source.account, r.mode);
    const claimKeeper = new AbortController();
    const keeping = this.keepClaim(r, run, claimKeeper.signal);
    let ran: Awaited<ReturnType<AccountBreakers["run"]>>;
    try {
      ran = await this.d.breakers.run(account, async () => {
        try {
          // Only once the circuit lets the run through: an open circuit starts nothing.
          if (r.mode === "apply") {
            await this.transition(source, r.tenant, prev, { phase: "Reconciling" }, { reasons: r.reasons });
          }
          await this.event(source, r.tenant, "run.started", {
            mode: r.mode,
            reasons: r.reasons,
            attempts: r.attempts,
          });
          return await this.d.reconcile(r, run.signal, { source, gate, stopping: this.d.stoppingSignal() });
        } catch (err) {
          return failureOutcome<TenantReconcile>(err);
        }
      });
    } finally {
      claimKeeper.abort();
      await keeping;
    }
    const now = this.d.clock.now();
    if (run.signal.reason instanceof ClaimLostError) {
      // Another worker holds the request now: its outcome is theirs to record.
      return finish("skipped");
    }
    const current = (await this.d.store.getTenantStatus(r.source, r.tenant)) ?? prev;
    if (!ran.ran) {
      const retryAt = new Date(now + this.d.breakers.halfOpenAfterMs);
      const reason = `${errCircuitOpen} (account ${source.account.url}, ${source.account.domain}; circuit ${ran.state}); next try at ${retryAt.toISOString()}`;
      await this.transition(
        source,
        r.tenant,
        current,
        { reason, nextAttemptAt: retryAt },
        { circuit: ran.state },
      );
      await this.d.store.completeRequest(r, { worker: this.d.worker, retryAt });
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
      const delay = this.d.stopping()
        ? 0
        : backoffDelay(attempts, outcome.delayMs, this.d.random, this.d.backoff);
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
    const completion = await this.d.store.completeRequest(r, { worker: this.d.worker, retryAt });
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
      await this.d.store.enqueueRequest({
        source: r.source,
        tenant: r.tenant,
        mode: "apply",
        reason: "drift-interval",
      });
      this.d.wake();
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
    const next = await this.d.store.setTenantStatus(source.id, tenant, { ...patch, partner: source.partner });
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

  /** Marks a suspended source's tenant `Suspended` (once). */
  async suspend(source: SourceRecord, tenant: string): Promise<void> {
    const prev = await this.d.store.getTenantStatus(source.id, tenant);
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
    await this.d.store.appendEvent({
      type,
      partner: source.partner,
      source: source.id,
      tenant,
      actor: "scheduler",
      ip: null,
      data: { ...data, worker: this.d.worker },
    });
  }
}
