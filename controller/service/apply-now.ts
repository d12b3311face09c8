/**
 * `?wait=true` writes to one tenant, many at a time (Terraform applies ten resources in
 * parallel by default), each waiting for a reconcile that includes its own write. One
 * reconcile per tenant can hold the lease, so instead of answering every other writer
 * "another run is applying this tenant" (503, and a Terraform error once its retries run
 * out), the writers queue here:
 *
 * - no run of the tenant in this process: start one;
 * - a run in flight: wait for the run after it, which starts when it ends and reads the
 *   source afresh, so it includes every write stored before it starts. All writers that
 *   arrive meanwhile share that one next run (coalescing, like a work queue's dirty set);
 * - the lease held elsewhere (another replica, or this process's scheduler): try again
 *   every `pollMs` until `waitMs` has passed, then answer the engine's retry.
 *
 * A writer that goes away (client disconnect) stops waiting; the shared run goes on, as
 * the write it was asked for is stored already. Runs stop with `signal` (shutdown).
 */
import { setTimeout as sleepFor } from "node:timers/promises";
import { errLeaseHeld } from "../engine/reconcile/leases.js";
import type { ApplyNowResult } from "./ports.js";

/** One reconcile of a tenant now, as the service's port runs it. */
export type ApplyNow = (source: string, tenant: string, signal: AbortSignal) => Promise<ApplyNowResult>;

/** Options of `coalescedApplyNow`, each with its default. */
export interface CoalescedApplyOptions {
  /** How long a writer waits for a lease held elsewhere before the engine's retry is answered (ms). Default 120 000. */
  waitMs?: number;
  /** How often a held lease is tried again (ms). Default 250. */
  pollMs?: number;
  /** Stops every run (shutdown). Default: never. */
  signal?: AbortSignal;
  /** Clock (ms). Default `Date.now`. */
  now?: () => number;
}

interface Lane {
  current?: Promise<ApplyNowResult>;
  next?: Promise<ApplyNowResult>;
}

/** Resolves with `work`, or rejects with `signal`'s reason as soon as it fires. */
function raced<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Wraps `run` so that concurrent writers of one (source, tenant) share runs as described
 * in the module comment. The returned function rejects with the caller's `signal` reason
 * when it aborts, and with whatever `run` throws.
 */
export function coalescedApplyNow(run: ApplyNow, options: CoalescedApplyOptions = {}): ApplyNow {
  const waitMs = options.waitMs ?? 120_000;
  const pollMs = options.pollMs ?? 250;
  const stop = options.signal ?? new AbortController().signal;
  const now = options.now ?? Date.now;
  const lanes = new Map<string, Lane>();

  const attempt = async (source: string, tenant: string): Promise<ApplyNowResult> => {
    const deadline = now() + waitMs;
    for (;;) {
      const result = await run(source, tenant, stop);
      const held = result.outcome === "retry" && (result.reason ?? "").startsWith(errLeaseHeld);
      if (!held || now() + pollMs > deadline || stop.aborted) return result;
      await sleepFor(pollMs, undefined, { signal: stop }).catch(() => undefined);
    }
  };

  const start = (lane: Lane, key: string, source: string, tenant: string): Promise<ApplyNowResult> => {
    const p: Promise<ApplyNowResult> = attempt(source, tenant).finally(() => {
      if (lane.current === p) lane.current = undefined;
      if (!lane.current && !lane.next) lanes.delete(key);
    });
    lane.current = p;
    return p;
  };

  return (source, tenant, signal) => {
    const key = `${source}\u0000${tenant}`;
    let lane = lanes.get(key);
    if (!lane) {
      lane = {};
      lanes.set(key, lane);
    }
    const l = lane;
    if (!l.current) return raced(start(l, key, source, tenant), signal);
    l.next ??= l.current
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        l.next = undefined;
        return start(l, key, source, tenant);
      });
    return raced(l.next, signal);
  };
}
