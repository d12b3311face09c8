/**
 * The interval timers of the sources: per source, one loop that queues an `apply` of every
 * tenant every `intervalMs` and one that queues a `drift` check every `driftIntervalMs`,
 * each wait drawn with ±10 % jitter so that sources and replicas started together drift
 * apart. The set of sources is re-read every `refreshMs`: a new source starts its timers
 * (and queues its tenants at once, reason `startup`), a removed one stops them, a change
 * of interval or of `suspended` restarts them.
 *
 * Every replica runs every source's timers; the queue merges their triggers (one request
 * per tenant and mode), so N replicas queue a tenant at most N times per interval, never
 * in parallel.
 */
import type { Logger } from "pino";
import type { ReconcileReason, RequestMode, SourceRecord } from "../model/control.js";
import { jittered } from "./backoff.js";
import type { Clock, RevisionReader, SchedulerStore, TenantLister } from "./ports.js";

/** What the timers need. */
export interface TimerDeps {
  store: SchedulerStore;
  listTenants: TenantLister;
  readRevision?: RevisionReader;
  clock: Clock;
  random: () => number;
  logger: Logger;
  /** Called after triggers were queued (wakes the worker loop). */
  wake: () => void;
  /** Marks a suspended source's tenant `Suspended`. */
  suspend: (source: SourceRecord, tenant: string) => Promise<void>;
}

interface Running {
  stop: AbortController;
  /** What the timers were started with; a change restarts them. */
  fingerprint: string;
  /** The last revision seen by a tick (to tell a new one). */
  revision: string | null;
}

const fingerprintOf = (s: SourceRecord) =>
  `${s.policies.intervalMs}|${s.policies.driftIntervalMs}|${s.policies.suspended}`;

/** The timers of every registered source. */
export class SourceTimers {
  private readonly running = new Map<string, Running>();
  private readonly loops = new Set<Promise<void>>();

  constructor(private readonly d: TimerDeps) {}

  /** Sources with timers running. */
  get sources(): string[] {
    return [...this.running.keys()];
  }

  /** Re-reads the sources and starts, restarts or stops timers to match. */
  async refresh(signal: AbortSignal): Promise<void> {
    const sources = await this.d.store.listSources();
    const seen = new Set<string>();
    for (const s of sources) {
      seen.add(s.id);
      const was = this.running.get(s.id);
      if (was && was.fingerprint === fingerprintOf(s)) continue;
      was?.stop.abort();
      this.start(s, signal, was === undefined);
    }
    for (const [id, r] of this.running) {
      if (!seen.has(id)) {
        r.stop.abort();
        this.running.delete(id);
      }
    }
  }

  /** Stops every timer and waits for the ticks in flight. */
  async stop(): Promise<void> {
    for (const r of this.running.values()) r.stop.abort();
    this.running.clear();
    await Promise.allSettled([...this.loops]);
  }

  /** Queues `mode` for every tenant of `source` now (a tick, or the start of a source). */
  async tick(
    sourceId: string,
    mode: RequestMode,
    reason: ReconcileReason,
    signal: AbortSignal,
  ): Promise<number> {
    const source = await this.d.store.getSource(sourceId);
    if (!source || signal.aborted) return 0;
    const tenants = await this.d.listTenants(source);
    if (source.policies.suspended) {
      if (mode === "apply") for (const t of tenants) await this.d.suspend(source, t);
      return 0;
    }
    let why = reason;
    const running = this.running.get(sourceId);
    if (mode === "apply" && this.d.readRevision && running) {
      const revision = await this.d.readRevision(source, signal);
      // A revision never seen by this replica: even a Failed tenant gets another try.
      if (revision !== null && revision !== running.revision && revision !== source.lastRevision)
        why = "revision";
      if (revision !== null) running.revision = revision;
    }
    for (const tenant of tenants) {
      if (signal.aborted) break;
      await this.d.store.enqueueRequest({ source: sourceId, tenant, mode, reason: why });
    }
    this.d.wake();
    return tenants.length;
  }

  private start(source: SourceRecord, parent: AbortSignal, isNew: boolean): void {
    const stop = new AbortController();
    const signal = AbortSignal.any([parent, stop.signal]);
    this.running.set(source.id, { stop, fingerprint: fingerprintOf(source), revision: source.lastRevision });
    const p = source.policies;
    if (isNew) this.spawn(this.tick(source.id, "apply", "startup", signal));
    this.spawn(this.every(source.id, p.intervalMs, "apply", "interval", signal));
    this.spawn(this.every(source.id, p.driftIntervalMs, "drift", "drift-interval", signal));
  }

  private async every(
    sourceId: string,
    intervalMs: number,
    mode: RequestMode,
    reason: ReconcileReason,
    signal: AbortSignal,
  ): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.d.clock.sleep(jittered(intervalMs, this.d.random), signal);
      } catch {
        return;
      }
      try {
        await this.tick(sourceId, mode, reason, signal);
      } catch (err) {
        // A store or source outage: the next tick tries again.
        this.d.logger.warn({ err, source: sourceId, mode }, "scheduler: a timer tick failed");
      }
    }
  }

  /** Keeps a loop's promise until it ends; logs what it throws (a store outage) and goes on. */
  private spawn(p: Promise<unknown>): void {
    const loop = p.then(
      () => undefined,
      (err: unknown) => this.d.logger.warn({ err }, "scheduler: a source timer failed"),
    );
    this.loops.add(loop);
    void loop.finally(() => this.loops.delete(loop));
  }
}
