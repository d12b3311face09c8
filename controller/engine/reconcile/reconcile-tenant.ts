/**
 * The level-based entry point (architecture.md, style.md §1): `reconcileTenant({source,
 * tenant})` takes only which tenant of which source, re-reads the source, the platform
 * and the inventory, and makes the platform match (mode `apply`) or records how it
 * differs (mode `drift`, writing nothing). The scheduler calls it whenever a timer, a
 * webhook or a person asks; the CLI uses its two halves, `planTenants` and `applyPlan`,
 * to show a plan and ask in between.
 *
 * Planning and applying happen under the tenant's lease, so the plan cannot go stale
 * under another writer between the two.
 */
import { errPlanRefused } from "./apply-plan.js";
import { type ReconcileDeps, resolveOptions, sweepInterruptedRuns } from "./deps.js";
import { type ExecutedPlan, executePlan } from "./execute.js";
import { withLeases } from "./leases.js";
import type { Outcome } from "./outcome.js";
import {
  failed,
  finishRun,
  type PlannedRun,
  type PlanSettings,
  planFrom,
  planTenants,
  readSource,
  tenantsOf,
} from "./plan-tenants.js";
import { recordResolved } from "./secrets.js";
import type { DesiredStateSource } from "./source-port.js";

/** Which tenant of which source, and what to do. */
export interface TenantRequest extends PlanSettings {
  source: DesiredStateSource;
  /** Customer code. */
  tenant: string;
  /** `apply` (default): make the platform match; `drift`: record differences only. */
  mode?: "apply" | "drift";
}

/** What one reconcile learned and did. */
export interface TenantReconcile {
  planned: PlannedRun;
  /** Present when steps were applied. */
  executed?: ExecutedPlan;
}

/**
 * Reconciles one tenant. Never throws: `done`, `retry` (with a delay) or `terminal`.
 * Bad manifests are terminal and nothing is observed or written; a lease held by a live
 * run is a retry after its expiry; `signal` stops the run between steps and aborts
 * in-flight platform calls.
 */
export async function reconcileTenant(
  req: TenantRequest,
  deps: ReconcileDeps,
  signal?: AbortSignal,
): Promise<Outcome<TenantReconcile>> {
  const planRequest = {
    source: req.source,
    tenants: [req.tenant],
    prune: req.prune,
    allowMassDelete: req.allowMassDelete,
    maxDeleteShare: req.maxDeleteShare,
  };
  if (req.mode === "drift") {
    const out = await planTenants({ ...planRequest, mode: "drift" }, deps, signal);
    return out.status === "done"
      ? { status: "done", result: { planned: out.result } }
      : { ...out, result: undefined };
  }
  const o = resolveOptions(deps.options);
  const runId = o.newRunId();
  const source = req.source.name;
  const tenants = [req.tenant];
  const log = deps.logger.child({ runId, mode: "apply", source, tenant: req.tenant });
  let started = false;
  try {
    const snapshot = await readSource(req.source, signal);
    return await withLeases(
      deps.store,
      tenants,
      o.holderOf(runId),
      async (leased) => {
        const inventory = await deps.store.listInventory();
        tenantsOf(tenants, snapshot.desired, inventory, source);
        await sweepInterruptedRuns(deps);
        await deps.store.startRun({
          id: runId,
          mode: "apply",
          source,
          tenants,
          startedAt: new Date(o.now()),
          holder: o.holderOf(runId),
        });
        started = true;
        log.info({ revision: snapshot.revision }, "run started");
        const planned = await planFrom(planRequest, deps, { runId, snapshot, inventory, tenants }, leased);
        const p = planned.plan;
        if (p.refusals.length > 0) {
          await finishRun(deps.store, runId, "refused", p, undefined, o.now, p.refusals.join("; "));
          return {
            status: "terminal",
            reason: `${errPlanRefused}: ${p.refusals.join("; ")}`,
            result: { planned },
          };
        }
        if (p.changes.every((c) => c.action === "noop")) {
          await recordResolved(deps.store, planned.resolved, p);
          await finishRun(deps.store, runId, "ok", p, undefined, o.now);
          return { status: "done", result: { planned } };
        }
        const out = await executePlan(p, deps, { runId, source, resolved: planned.resolved, signal: leased });
        const result: TenantReconcile = { planned, executed: out.result };
        return out.status === "done" ? { status: "done", result } : { ...out, result };
      },
      { ttlMs: o.leaseTtlMs, now: o.now, isGone: o.isGone, signal, runId },
    );
  } catch (err) {
    return failed(err, deps.store, started ? runId : undefined, log, o.now);
  }
}
