/**
 * The first half of a reconcile, level-based (style.md §1): given only which source and
 * tenants, re-read everything (the source, the live platform, the inventory) and plan.
 * Writes nothing to the platform. `omnia plan`, `omnia drift` and the first half of
 * `omnia apply` call it; `applyPlan` executes what it returns.
 */
import type { Logger } from "pino";
import type { DriftAttribution } from "../../model/control.js";
import type { DesiredState } from "../../model/desired-state.js";
import type { InventoryEntry } from "../../model/inventory.js";
import type { LiveState } from "../../model/live-state.js";
import type { Plan } from "../../model/plan.js";
import type { RunMode, RunOutcome } from "../../model/run.js";
import type { ApplyResult } from "../apply/apply.js";
import { describeError, TerminalError } from "../errors.js";
import { observe } from "../observe/observe.js";
import { isEmptyPlan, plan } from "../plan/plan.js";
import { clientFor, type ReconcileDeps, resolveOptions, sweepInterruptedRuns } from "./deps.js";
import { failureOutcome, isCancellation, LoadError, type Outcome } from "./outcome.js";
import { recordDrift } from "./record-drift.js";
import { recordResolved, resolveUnknownSecrets } from "./secrets.js";
import type { DesiredStateSource, SourceSnapshot } from "./source-port.js";
import type { ReconcileStore } from "./store-port.js";

/** The plan policy a request may set; each has the planner's default. */
export interface PlanSettings {
  /** Delete managed objects removed from the source. Default false. */
  prune?: boolean;
  /** Lift the mass-delete guard. Default: the source's `deletesAreExplicit` (false for files). */
  allowMassDelete?: boolean;
  /** Largest share of a tenant's managed objects one plan may delete. Default 0.2. */
  maxDeleteShare?: number;
}

/** Which source and tenants to plan, and how. */
export interface PlanRequest extends PlanSettings {
  source: DesiredStateSource;
  /** Customer codes in scope. Default: every tenant the source declares or owns. */
  tenants?: readonly string[];
  /** `plan` (default) records a plan run; `drift` also records each resource's drift status. */
  mode?: Extract<RunMode, "plan" | "drift">;
}

/** Everything a plan was made from, and the plan: what `applyPlan` executes and `--out` saves. */
export interface PlannedRun {
  /** The plan run's id. */
  runId: string;
  source: DesiredStateSource;
  /** The source's revision the plan was made from. */
  revision: string;
  /** Customer codes in scope, sorted. */
  tenants: string[];
  settings: PlanSettings;
  desired: DesiredState;
  live: LiveState;
  /** The inventory as planned with (unknown secret hashes filled in). */
  inventory: InventoryEntry[];
  /** Inventory entries whose unknown hashes were filled in (recorded by apply, or by a plan that changes nothing). */
  resolved: InventoryEntry[];
  plan: Plan;
  /** Files and documents the source held. */
  files: number;
  documents: number;
  /** Drift checks with attribution on: who changed each drifted resource by hand, by key. */
  changedBy?: Map<string, DriftAttribution>;
}

/** Plans, recording a run of mode `plan` or `drift`. Never throws: failures are outcomes. */
export async function planTenants(
  req: PlanRequest,
  deps: ReconcileDeps,
  signal?: AbortSignal,
): Promise<Outcome<PlannedRun>> {
  const o = resolveOptions(deps.options);
  const mode = req.mode ?? "plan";
  const runId = o.newRunId();
  const log = deps.logger.child({ runId, mode, source: req.source.name });
  let started = false;
  try {
    const snapshot = await readSource(req.source, signal);
    const inventory = await deps.store.listInventory();
    const tenants = tenantsOf(req.tenants, snapshot.desired, inventory, req.source.name);
    await sweepInterruptedRuns(deps);
    await deps.store.startRun({
      id: runId,
      mode,
      source: req.source.name,
      tenants,
      startedAt: new Date(o.now()),
      holder: o.holderOf(runId),
    });
    started = true;
    log.info({ tenants, revision: snapshot.revision, files: snapshot.files }, "run started");
    const planned = await planFrom(req, deps, { runId, snapshot, inventory, tenants }, signal);
    if (mode === "drift") {
      planned.changedBy = await recordDrift(deps.store, tenants, planned.plan, planned.inventory, {
        now: o.now(),
        logger: log,
        attribution: deps.attribution,
      });
    }
    // A plan that changes nothing still settles the hashes it filled in.
    if (isEmptyPlan(planned.plan)) await recordResolved(deps.store, planned.resolved, planned.plan);
    const outcome: RunOutcome =
      planned.plan.refusals.length > 0 ? "refused" : isEmptyPlan(planned.plan) ? "ok" : "changes";
    await finishRun(deps.store, runId, outcome, planned.plan, undefined, o.now);
    log.info({ outcome }, "run finished");
    return { status: "done", result: planned };
  } catch (err) {
    return failed(err, deps.store, started ? runId : undefined, log, o.now);
  }
}

/** Reads the source; its problems become a `LoadError` (terminal: nothing is observed or written). */
export async function readSource(source: DesiredStateSource, signal?: AbortSignal): Promise<SourceSnapshot> {
  signal?.throwIfAborted();
  const snapshot = await source.read(signal);
  if (snapshot.problems.length > 0) throw new LoadError(snapshot.problems);
  return snapshot;
}

/** Observes the tenants and plans against the snapshot and inventory given. */
export async function planFrom(
  req: PlanRequest,
  deps: ReconcileDeps,
  at: { runId: string; snapshot: SourceSnapshot; inventory: InventoryEntry[]; tenants: string[] },
  signal?: AbortSignal,
): Promise<PlannedRun> {
  const { snapshot, tenants } = at;
  const live = await observe(clientFor(deps.client, signal), { tenants });
  const { entries, resolved } = resolveUnknownSecrets(
    at.inventory,
    snapshot.desired,
    req.source.name,
    deps.secrets,
  );
  const settings: PlanSettings = {
    prune: req.prune,
    // An explicit delete per document (the API) is not the accident the guard is for.
    allowMassDelete: req.allowMassDelete ?? req.source.deletesAreExplicit === true,
    maxDeleteShare: req.maxDeleteShare,
  };
  const p = plan(snapshot.desired, live, entries, {
    ...settings,
    hashSecret: (f, v) => deps.secrets.hash(f, v),
    source: req.source.name,
  });
  return {
    runId: at.runId,
    source: req.source,
    revision: snapshot.revision,
    tenants,
    settings,
    desired: snapshot.desired,
    live,
    inventory: entries,
    resolved,
    plan: p,
    files: snapshot.files,
    documents: snapshot.documents,
  };
}

/** A tenant asked for is neither declared by the source nor owned by it. */
export const errUnknownTenant = "the source neither declares nor owns this tenant";

/**
 * The tenants in scope: the ones asked for, else the ones the source declares or owns.
 * Throws `TerminalError(errUnknownTenant)` naming each asked code the source does not
 * know, with the codes it does (a mistyped `--tenant` must not plan "no changes").
 */
export function tenantsOf(
  asked: readonly string[] | undefined,
  desired: DesiredState,
  inventory: readonly InventoryEntry[],
  source: string,
): string[] {
  const known = scopeOf(desired, inventory, source);
  if (asked) {
    const unknown = asked.filter((t) => !known.includes(t));
    if (unknown.length > 0) {
      const have = known.length > 0 ? known.sort().join(", ") : "none";
      throw new TerminalError(`${errUnknownTenant}: ${unknown.join(", ")} (it has: ${have})`);
    }
  }
  return [...new Set(asked ?? known)].sort();
}

/** The tenants a source speaks for: the ones it declares, and the ones it owns objects of. */
export function scopeOf(
  desired: DesiredState,
  inventory: readonly InventoryEntry[],
  source: string,
): string[] {
  const codes = new Set<string>();
  for (const list of Object.values(desired))
    for (const r of list as { tenant: string }[]) codes.add(r.tenant);
  for (const e of inventory) if (e.source === source) codes.add(e.tenant);
  return [...codes];
}

/** Records a run's end with a summary: counts by action, refusals, drift and step outcomes. */
export async function finishRun(
  store: ReconcileStore,
  id: string,
  outcome: RunOutcome,
  p: Plan | undefined,
  applied: ApplyResult | undefined,
  now: () => number,
  error?: string,
): Promise<void> {
  const summary: Record<string, number> = {};
  if (p) {
    for (const c of p.changes) summary[c.action] = (summary[c.action] ?? 0) + 1;
    summary.refusals = p.refusals.length;
    summary.drift = p.drift.length;
  }
  if (applied) Object.assign(summary, { ok: applied.ok, failed: applied.failed, skipped: applied.skipped });
  await store.finishRun({ id, outcome, finishedAt: new Date(now()), summary, error });
}

/** Records a failed run (when it was started) and classifies the error. */
export async function failed<T>(
  err: unknown,
  store: ReconcileStore,
  runId: string | undefined,
  log: Logger,
  now: () => number,
  result?: T,
): Promise<Outcome<T>> {
  const outcome = failureOutcome(err, result);
  const cancelled = isCancellation(err);
  if (runId) {
    await store
      .finishRun({
        id: runId,
        outcome: cancelled ? "cancelled" : "failed",
        finishedAt: new Date(now()),
        summary: {},
        error: outcome.reason,
      })
      .catch((recordErr: unknown) =>
        log.error({ err: describeError(recordErr) }, "cannot record the run's end"),
      );
  }
  log.error({ err: outcome.reason, status: outcome.status }, "run failed");
  return outcome;
}
