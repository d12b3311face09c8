/**
 * What the reconcile entry points work with (style.md §5): the platform, the store, a
 * logger and the secret hashing, plus options with documented defaults that tests
 * replace (clock, run ids, lease time).
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { PlatformPort } from "../adapters/platform-port.js";
import type { ApplyProgress } from "../apply/apply.js";
import { defaultParallelism } from "../apply/apply.js";
import type { AuditLogPort } from "../observe/attribution.js";
import { defaultLeaseTtlMs, holderIsGone, leaseHolder } from "./leases.js";
import type { SecretHashing } from "./secrets.js";
import type { ReconcileStore } from "./store-port.js";

/** Options of the reconcile entry points; every field has a default. */
export interface ReconcileOptions {
  /** Platform calls in flight at most during apply. Default 8. */
  parallelism?: number;
  /** Lease time-to-live (ms), renewed every third of it. Default 2 min. */
  leaseTtlMs?: number;
  /** Clock, ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** New run ids. Default `crypto.randomUUID`. */
  newRunId?: () => string;
  /** The lease holder name of a run. Default `host/pid/runId` (`leaseHolder`). */
  holderOf?: (runId: string) => string;
  /** Whether a lease holder is a gone process of this host. Default `holderIsGone`. */
  isGone?: (holder: string) => boolean;
}

/**
 * Who-did-it for drift checks (engine/observe/attribution.ts): given, a drift check reads
 * the platform's audit logs for each resource newly found drifted and records the change
 * as the resource's `changedBy`. Absent (the default): the logs are never read.
 */
export interface DriftAttributionSettings {
  /** The audit logs; the platform client itself (`OmniaClient`) serves. */
  logs: AuditLogPort["logs"];
  /** The controller's own platform users (`username@domain`): their changes are repairs, not drift. */
  ignoreActors?: readonly string[];
  /** How far back a change is looked for (ms). Default 7 days. */
  windowMs?: number;
  /** Entries read at most per log and customer. Default 500. */
  maxEntriesPerLog?: number;
}

/** What reconcile works with. */
export interface ReconcileDeps {
  client: PlatformPort;
  store: ReconcileStore;
  logger: Logger;
  secrets: SecretHashing;
  /** Attribute drift to the platform user who made it (off when absent). */
  attribution?: DriftAttributionSettings;
  /** Called after each apply step (progress bars). */
  onProgress?: (progress: ApplyProgress) => void;
  options?: ReconcileOptions;
}

/** `ReconcileOptions` with every default filled in. */
export function resolveOptions(o: ReconcileOptions = {}): Required<ReconcileOptions> {
  return {
    parallelism: o.parallelism ?? defaultParallelism,
    leaseTtlMs: o.leaseTtlMs ?? defaultLeaseTtlMs,
    now: o.now ?? Date.now,
    newRunId: o.newRunId ?? randomUUID,
    holderOf: o.holderOf ?? ((id) => leaseHolder(id)),
    isGone: o.isGone ?? ((h) => holderIsGone(h)),
  };
}

/** The client bound to `signal` (in-flight calls abort when it fires), or as it is without one. */
export function clientFor(client: PlatformPort, signal: AbortSignal | undefined): PlatformPort {
  return signal ? client.withSignal(signal) : client;
}

/**
 * Ends as `interrupted` the runs that will never record their end: their process is gone
 * (this host), or silent for three lease times (another host). Called as each run starts.
 */
export async function sweepInterruptedRuns(deps: ReconcileDeps): Promise<void> {
  const o = resolveOptions(deps.options);
  const ended = await deps.store.markInterruptedRuns({
    staleBefore: new Date(o.now() - 3 * o.leaseTtlMs),
    holderIsGone: o.isGone,
  });
  if (ended.length > 0) deps.logger.warn({ runs: ended }, "runs marked interrupted");
}
