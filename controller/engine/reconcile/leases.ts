/**
 * Tenant leases around a run's writes: one writer per tenant across processes and
 * replicas that share a store (architecture.md, "Many replicas"). A lease names its holder
 * as `host/pid/runId`, so a lease left by a process of this host that is gone (killed
 * mid-apply) is taken over at once instead of blocking until it expires; a live holder,
 * or one on another host, is waited out (the caller gets a retry until the expiry).
 *
 * The lease is renewed every third of its time-to-live. A renewal that fails (the store
 * is down, or another holder took the lease after it expired) aborts the body's signal:
 * apply starts no step after that, and in-flight platform calls are aborted, so a run
 * that may no longer be the only writer stops before its next write.
 */
import { hostname } from "node:os";
import type { LeaseResult } from "../../model/status.js";
import { describeError, EngineError } from "../errors.js";
import { errCancelled, RetryLaterError } from "./outcome.js";
import type { ReconcileStore } from "./store-port.js";

/** Another run holds the lease of a tenant in scope. */
export const errLeaseHeld = "another run is applying this tenant";
/** The lease could not be renewed: this run may no longer be the tenant's only writer. */
export const errLeaseLost = "the tenant's lease was lost";

/** Default lease time-to-live (ms); renewed every third of it. */
export const defaultLeaseTtlMs = 2 * 60_000;

/** Options of `withLeases`, each with its default. */
export interface LeaseOptions {
  /** Time-to-live of each lease (ms). Default `defaultLeaseTtlMs` (2 min). */
  ttlMs?: number;
  /** Clock (ms since the epoch) for retry delays. Default `Date.now`. */
  now?: () => number;
  /** Whether a holder names a gone process of this host. Default `holderIsGone`. */
  isGone?: (holder: string) => boolean;
  /**
   * The run holding the leases: its heartbeat is renewed with them, and a run that the
   * store says is over (marked interrupted by another process) stops like a lost lease.
   */
  runId?: string;
  /** The caller's signal; the body's signal also fires with it. */
  signal?: AbortSignal;
}

/** The holder name of a run of this process: `host/pid/runId`. */
export function leaseHolder(runId: string, host = hostname(), pid = process.pid): string {
  return `${host}/${pid}/${runId}`;
}

/** True when `holder` is a process of this host that no longer runs. */
export function holderIsGone(holder: string, host = hostname(), running = isRunning): boolean {
  const [h, p] = holder.split("/");
  const pid = Number(p);
  return h === host && Number.isInteger(pid) && pid > 0 && pid !== process.pid && !running(pid);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Runs `body` holding the lease of every tenant, renewed while it runs, and releases them
 * after. Throws `RetryLaterError(errLeaseHeld)` (delay: until the holder's lease expires)
 * when a live run holds one; the body's signal aborts with `EngineError(errLeaseLost)`
 * when a renewal fails, and with the caller's reason when the caller's signal fires.
 */
export async function withLeases<T>(
  store: ReconcileStore,
  tenants: readonly string[],
  holder: string,
  body: (signal: AbortSignal) => Promise<T>,
  options: LeaseOptions = {},
): Promise<T> {
  const ttlMs = options.ttlMs ?? defaultLeaseTtlMs;
  const now = options.now ?? Date.now;
  const isGone = options.isGone ?? ((h: string) => holderIsGone(h));
  const held: string[] = [];
  const release = () => Promise.allSettled(held.map((t) => store.releaseLease(t, holder)));
  for (const t of [...new Set(tenants)].sort()) {
    let got: LeaseResult = await store.acquireLease(t, holder, ttlMs);
    if (!got.acquired && isGone(got.heldBy.holder)) {
      const gone = got.heldBy.holder;
      await store.releaseLease(t, gone);
      got = await store.acquireLease(t, holder, ttlMs);
      // The gone holder's run will never record its end: record it as interrupted.
      if (got.acquired)
        await store.markInterruptedRuns({ staleBefore: new Date(0), holderIsGone: (h) => h === gone });
    }
    if (!got.acquired) {
      await release();
      const by = got.heldBy;
      throw new RetryLaterError(
        errLeaseHeld,
        `${t} (held by ${by.holder} until ${by.expiresAt.toISOString()})`,
        by.expiresAt.getTime() - now(),
      );
    }
    held.push(t);
  }
  const lost = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
  const renew = async () => {
    if (options.runId !== undefined) {
      const alive = await store.heartbeatRun(options.runId).catch(() => false);
      if (!alive) {
        lost.abort(new EngineError(errLeaseLost, `run ${options.runId} was ended by another process`));
        return;
      }
    }
    for (const t of held) {
      try {
        if (!(await store.renewLease(t, holder, ttlMs))) throw new Error("held by another run now");
      } catch (err) {
        // The cause's text follows the subject once (describeError adds it).
        lost.abort(new EngineError(errLeaseLost, t, { cause: err }));
        return;
      }
    }
  };
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = renewing.then(renew);
  }, ttlMs / 3);
  try {
    signal.throwIfAborted();
    return await body(signal);
  } finally {
    clearInterval(timer);
    await renewing;
    await release();
  }
}

/** Throws the signal's reason (an `EngineError`) when it has fired: call before each write. */
export function throwIfStopped(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  if (reason instanceof EngineError) throw reason;
  throw new EngineError(errCancelled, describeError(reason), { cause: reason });
}
