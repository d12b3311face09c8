/**
 * The controller's Prometheus metrics (prom-client), one registry per app so two apps in
 * one process (tests, a replica and its bench) never share counters. `ControllerMetrics`
 * is the observer the scheduler and the platform client call; the `/metrics` route
 * (plugins/metrics.ts) refreshes the queue and lease gauges from the store before each
 * scrape, since those are facts of the shared database, not of one replica.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { RequestMode } from "../model/control.js";

/** How a reconcile ended, as the engine's outcome says (`done`, `retry`, `terminal`). */
export type ReconcileOutcomeLabel = "done" | "retry" | "terminal";

/** What the scheduler and the platform client report. */
export interface ControllerMetrics {
  /** The registry to scrape. */
  readonly registry: Registry;
  /** One reconcile finished after `durationMs` (ms). */
  reconcileFinished(r: { mode: RequestMode; outcome: ReconcileOutcomeLabel; durationMs: number }): void;
  /**
   * The drifted resources of one tenant by kind, as the last drift check found them; kinds
   * left out are no longer drifted (their series are removed).
   */
  driftedResources(source: string, tenant: string, byKind: Readonly<Record<string, number>>): void;
  /**
   * One platform call: `status` is the HTTP status, 0 when no answer came (network
   * error, timeout); `durationMs` in ms. A status of 0, 429 or 5xx also counts as an error.
   */
  platformCall(c: { account: string; method: string; status: number; durationMs: number }): void;
  /** Requests waiting in the queue by mode. */
  queueDepth(depth: { apply: number; drift: number }): void;
  /** The tenant leases in force: the gauge counts tenants per holder. */
  leaseHolders(leases: readonly { tenant: string; holder: string }[]): void;
}

/** Options of `createControllerMetrics`. */
export interface MetricsOptions {
  /** Also collect Node's process metrics (memory, event loop lag, ...). Default true. */
  defaultMetrics?: boolean;
  /** Prefix of every metric name. Default `omnia_`. */
  prefix?: string;
}

/** A new registry with the controller's metrics, and the observer that feeds them. */
export function createControllerMetrics(options: MetricsOptions = {}): ControllerMetrics {
  const registry = new Registry();
  const p = options.prefix ?? "omnia_";
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: p });
  const registers = [registry];
  const reconciles = new Counter({
    name: `${p}reconciles_total`,
    help: "Reconciles finished, by mode and outcome.",
    labelNames: ["mode", "outcome"],
    registers,
  });
  const reconcileSeconds = new Histogram({
    name: `${p}reconcile_duration_seconds`,
    help: "Duration of a reconcile, by mode and outcome.",
    labelNames: ["mode", "outcome"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers,
  });
  const drifted = new Gauge({
    name: `${p}drifted_resources`,
    help: "Resources found drifted by the last drift check, by source, tenant and kind.",
    labelNames: ["source", "tenant", "kind"],
    registers,
  });
  const calls = new Counter({
    name: `${p}platform_requests_total`,
    help: "Calls to the platform API, by account, method and HTTP status (0: no answer).",
    labelNames: ["account", "method", "status"],
    registers,
  });
  const errors = new Counter({
    name: `${p}platform_errors_total`,
    help: "Platform calls that failed with 429, 5xx or no answer, by account and reason.",
    labelNames: ["account", "reason"],
    registers,
  });
  const callSeconds = new Histogram({
    name: `${p}platform_request_duration_seconds`,
    help: "Latency of platform calls, by account and method.",
    labelNames: ["account", "method"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const queue = new Gauge({
    name: `${p}queue_depth`,
    help: "Reconcile requests waiting in the queue, by mode.",
    labelNames: ["mode"],
    registers,
  });
  const leases = new Gauge({
    name: `${p}tenant_leases`,
    help: "Tenant leases in force, by holder (host/pid/runId).",
    labelNames: ["holder"],
    registers,
  });
  const driftedKinds = new Map<string, Set<string>>();

  return {
    registry,
    reconcileFinished({ mode, outcome, durationMs }) {
      reconciles.inc({ mode, outcome });
      reconcileSeconds.observe({ mode, outcome }, durationMs / 1000);
    },
    driftedResources(source, tenant, byKind) {
      const id = JSON.stringify([source, tenant]);
      const before = driftedKinds.get(id) ?? new Set<string>();
      const now = new Set(Object.keys(byKind));
      for (const kind of before) if (!now.has(kind)) drifted.remove({ source, tenant, kind });
      for (const [kind, n] of Object.entries(byKind)) drifted.set({ source, tenant, kind }, n);
      driftedKinds.set(id, now);
    },
    platformCall({ account, method, status, durationMs }) {
      calls.inc({ account, method, status: String(status) });
      callSeconds.observe({ account, method }, durationMs / 1000);
      if (status === 0) errors.inc({ account, reason: "no-answer" });
      else if (status === 429) errors.inc({ account, reason: "429" });
      else if (status >= 500) errors.inc({ account, reason: "5xx" });
    },
    queueDepth(depth) {
      queue.set({ mode: "apply" }, depth.apply);
      queue.set({ mode: "drift" }, depth.drift);
    },
    leaseHolders(list) {
      leases.reset();
      const byHolder = new Map<string, number>();
      for (const l of list) byHolder.set(l.holder, (byHolder.get(l.holder) ?? 0) + 1);
      for (const [holder, n] of byHolder) leases.set({ holder }, n);
    },
  };
}
