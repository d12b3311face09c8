/**
 * Tenant leases around an apply: one writer per tenant across processes and replicas that
 * share a store. A lease names its holder as `host/pid/runId`, so a lease left by a
 * process of this host that is gone (killed mid-apply) is taken over at once instead of
 * blocking until it expires; a live holder, or one on another host, is waited out.
 */
import { hostname } from "node:os";
import { EngineError } from "../errors.js";
import type { ReconcileStore } from "./reconcile.js";

/** Another run holds the lease of a tenant in scope. */
export const errLeaseHeld = "another run is applying this tenant";

/** How long a lease lasts without renewal; renewed every third of it while applying. */
export const leaseTtlMs = 2 * 60_000;

/** The holder name of a run of this process. */
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

/** Runs `body` holding the lease of every tenant (renewed while it runs); throws `errLeaseHeld` when one is held. */
export async function withLeases<T>(
  store: ReconcileStore,
  tenants: readonly string[],
  holder: string,
  body: () => Promise<T>,
): Promise<T> {
  const { acquireLease, renewLease, releaseLease } = store;
  if (!acquireLease || !releaseLease) return body();
  const held: string[] = [];
  const release = () => Promise.all(held.map((t) => releaseLease.call(store, t, holder)));
  for (const t of tenants) {
    let got = await acquireLease.call(store, t, holder, leaseTtlMs);
    if (!got.acquired && got.heldBy && holderIsGone(got.heldBy.holder)) {
      await releaseLease.call(store, t, got.heldBy.holder);
      got = await acquireLease.call(store, t, holder, leaseTtlMs);
    }
    if (!got.acquired) {
      await release();
      const by = got.heldBy
        ? ` (held by ${got.heldBy.holder} until ${got.heldBy.expiresAt.toISOString()})`
        : "";
      throw new EngineError(errLeaseHeld, `${t}${by}`);
    }
    held.push(t);
  }
  const timer = setInterval(() => {
    for (const t of held) void renewLease?.call(store, t, holder, leaseTtlMs)?.catch(() => {});
  }, leaseTtlMs / 3);
  try {
    return await body();
  } finally {
    clearInterval(timer);
    await release();
  }
}
