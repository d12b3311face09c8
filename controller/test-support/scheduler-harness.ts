/**
 * A scheduler wired to the in-memory queue, a fake clock and a scripted reconcile, for
 * the scheduler's tests: each call of the reconcile takes the next scripted step for its
 * tenant (an outcome, or a function of the request and signal).
 */
import { pino } from "pino";
import type { Outcome } from "../engine/reconcile/outcome.js";
import type { TenantReconcile } from "../engine/reconcile/reconcile-tenant.js";
import type { Problem } from "../load/index.js";
import type { ReconcileRequest } from "../model/control.js";
import type { PlannedChange } from "../model/plan.js";
import type { ReconcileContext } from "../scheduler/ports.js";
import { createScheduler, type Scheduler, type SchedulerOptions } from "../scheduler/scheduler.js";
import { FakeClock } from "./fake-clock.js";
import { MemoryQueue } from "./memory-queue.js";

/** A result of a reconcile with `changes` planned (actions) and `drift` warn/observe reports. */
export function resultOf(
  o: {
    changes?: PlannedChange["action"][];
    drift?: number;
    revision?: string;
    runId?: string;
    executed?: boolean;
  } = {},
): TenantReconcile {
  const changes = (o.changes ?? []).map((action, i) => ({
    action,
    kind: "Extension",
    key: `k${i}`,
    tenant: "t",
  }));
  const drift = Array.from({ length: o.drift ?? 0 }, (_, i) => ({
    key: `d${i}`,
    kind: "Extension",
    tenant: "t",
    mode: "warn",
  }));
  const runId = o.runId ?? "run-1";
  // Only the fields the scheduler reads; the rest of a PlannedRun does not matter here.
  return {
    planned: { runId, revision: o.revision ?? "r1", plan: { changes, drift, refusals: [], warnings: [] } },
    ...(o.executed
      ? {
          executed: {
            runId,
            plan: {},
            applied: { runId, ok: changes.length, failed: 0, skipped: 0, steps: [] },
          },
        }
      : {}),
  } as unknown as TenantReconcile;
}

export const done = (o?: Parameters<typeof resultOf>[0]): Outcome<TenantReconcile> => ({
  status: "done",
  result: resultOf(o),
});
export const retry = (reason: string, delayMs = 0, error?: unknown): Outcome<TenantReconcile> => ({
  status: "retry",
  reason,
  delayMs,
  error,
});
export const terminal = (reason: string, problems?: Problem[]): Outcome<TenantReconcile> => ({
  status: "terminal",
  reason,
  ...(problems ? { problems } : {}),
});

/** A scripted step: an outcome, or a function run with the call. */
export type Step =
  | Outcome<TenantReconcile>
  | ((r: ReconcileRequest, signal: AbortSignal, ctx: ReconcileContext) => Promise<Outcome<TenantReconcile>>);

/** One reconcile call as seen. */
export interface Call {
  tenant: string;
  mode: string;
  reasons: string[];
  at: number;
}

/** The scheduler under test and its fakes. */
export interface Harness {
  scheduler: Scheduler;
  queue: MemoryQueue;
  clock: FakeClock;
  calls: Call[];
  /** Steps per tenant, taken in order; when none is left the call is `done()`. */
  script: Map<string, Step[]>;
  tenants: string[];
}

/** Builds a harness; the source `s` (partner `p1`) is registered when `register` (default true). */
export function harness(
  options: Partial<SchedulerOptions> & { tenants?: string[]; register?: boolean } = {},
): Harness {
  const clock = new FakeClock();
  const queue = new MemoryQueue(clock.now);
  const calls: Call[] = [];
  const script = new Map<string, Step[]>();
  const tenants = options.tenants ?? ["t1"];
  if (options.register ?? true) queue.putSource({ id: "s", partner: "p1" });
  const scheduler = createScheduler({
    store: queue,
    clock,
    random: () => 0.5,
    logger: pino({ level: "silent" }),
    listTenants: async () => tenants,
    reconcile: async (r, signal, ctx) => {
      calls.push({ tenant: r.tenant, mode: r.mode, reasons: [...r.reasons], at: clock.now() });
      const step = script.get(r.tenant)?.shift() ?? done();
      return typeof step === "function" ? step(r, signal, ctx) : step;
    },
    worker: "w1",
    ...options,
  });
  return { scheduler, queue, clock, calls, script, tenants };
}
