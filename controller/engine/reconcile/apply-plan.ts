/**
 * Applying a plan made earlier (in this process moments ago, or saved to a file by
 * `omnia plan --out`), exactly as it was. Under the tenants' leases it reads the source
 * and the platform again and refuses, saying what changed, when the source's revision,
 * a live object the plan names, an inventory entry, or a secret the plan sends has
 * changed since: the plan would no longer be the one reviewed.
 */
import type { AnyDesiredResource } from "../../model/desired-state.js";
import type { AnyLiveResource } from "../../model/live-state.js";
import type { Plan, PlannedChange } from "../../model/plan.js";
import { TerminalError } from "../errors.js";
import { observe } from "../observe/observe.js";
import { secretHashesOf } from "../plan/diff.js";
import { basisOf, type PlanBasis, type SavedPlan, staleness } from "../plan/saved-plan.js";
import { clientFor, type ReconcileDeps, resolveOptions, sweepInterruptedRuns } from "./deps.js";
import { type ExecutedPlan, executePlan } from "./execute.js";
import { withLeases } from "./leases.js";
import type { Outcome } from "./outcome.js";
import { failed, type PlannedRun, readSource } from "./plan-tenants.js";
import { resolveUnknownSecrets } from "./secrets.js";
import type { DesiredStateSource } from "./source-port.js";

/** The plan has refusals (mass-delete guard, ownership clash): it must not be applied. */
export const errPlanRefused = "cannot apply a plan with refusals";
/** What the plan was computed from has changed: plan again. */
export const errPlanStale = "the plan is stale (what it was made from changed since); run plan again";

/** A plan ready to apply: what it changes, and what it was computed from. */
export interface PlanToApply {
  source: DesiredStateSource;
  /** Customer codes in scope (their leases are taken). */
  tenants: string[];
  plan: Plan;
  basis: PlanBasis;
  /** Live objects as planned, by key, to name the fields that changed. */
  before?: ReadonlyMap<string, AnyLiveResource>;
}

/** A plan made in this process, ready to apply. */
export function planToApply(planned: PlannedRun): PlanToApply {
  const before = new Map<string, AnyLiveResource>();
  for (const c of planned.plan.changes) if (c.live) before.set(c.key, c.live);
  return {
    source: planned.source,
    tenants: planned.tenants,
    plan: planned.plan,
    basis: basisOf(planned.plan, planned.revision, planned.live, planned.inventory, planned.source.name),
    before,
  };
}

/** A saved plan read back, ready to apply against `source` (the source it names). */
export function savedToApply(saved: SavedPlan, source: DesiredStateSource): PlanToApply {
  const before = new Map<string, AnyLiveResource>();
  for (const c of saved.plan.changes) if (c.live) before.set(c.key, c.live);
  return { source, tenants: saved.tenants, plan: saved.plan, basis: saved.basis, before };
}

/** Applies a plan; records a run of mode `apply`. Never throws: failures are outcomes. */
export async function applyPlan(
  p: PlanToApply,
  deps: ReconcileDeps,
  signal?: AbortSignal,
): Promise<Outcome<ExecutedPlan>> {
  const o = resolveOptions(deps.options);
  const runId = o.newRunId();
  const source = p.source.name;
  const log = deps.logger.child({ runId, mode: "apply", source });
  if (p.plan.refusals.length > 0) {
    const err = new TerminalError(`${errPlanRefused}: ${p.plan.refusals.join("; ")}`);
    return { status: "terminal", reason: err.message, error: err };
  }
  let started = false;
  try {
    const fresh = await readSource(p.source, signal);
    await sweepInterruptedRuns(deps);
    await deps.store.startRun({
      id: runId,
      mode: "apply",
      source,
      tenants: p.tenants,
      startedAt: new Date(o.now()),
      holder: o.holderOf(runId),
    });
    started = true;
    log.info({ tenants: p.tenants, revision: fresh.revision }, "run started");
    return await withLeases(
      deps.store,
      p.tenants,
      o.holderOf(runId),
      async (leased) => {
        const live = await observe(clientFor(deps.client, leased), { tenants: p.tenants });
        const { entries, resolved } = resolveUnknownSecrets(
          await deps.store.listInventory(),
          fresh.desired,
          source,
          deps.secrets,
        );
        const changed = staleness(
          p.basis,
          { revision: fresh.revision, live, inventory: entries, source },
          p.before,
        );
        const byKey = new Map<string, AnyDesiredResource>();
        for (const list of Object.values(fresh.desired))
          for (const d of list as AnyDesiredResource[]) byKey.set(d.key, d);
        const liveByKey = new Map<string, AnyLiveResource>();
        for (const list of Object.values(live))
          if (Array.isArray(list)) for (const r of list as AnyLiveResource[]) liveByKey.set(r.key, r);
        const changes = p.plan.changes.map((c) => rehydrate(c, byKey, liveByKey, changed, deps));
        if (changed.length > 0) {
          throw new TerminalError(`${errPlanStale}:\n  ${changed.join("\n  ")}`);
        }
        return executePlan({ ...p.plan, changes }, deps, { runId, source, resolved, signal: leased });
      },
      { ttlMs: o.leaseTtlMs, now: o.now, isGone: o.isGone, signal, runId },
    );
  } catch (err) {
    return failed(err, deps.store, started ? runId : undefined, log, o.now);
  }
}

/**
 * A planned change with the desired resource read again (a saved plan holds no secret
 * values) and the live object observed again (equal to the planned one when the plan is
 * not stale). A secret the change sends that no longer hashes as planned is added to
 * `changed`.
 */
function rehydrate(
  c: PlannedChange,
  desired: ReadonlyMap<string, AnyDesiredResource>,
  live: ReadonlyMap<string, AnyLiveResource>,
  changed: string[],
  deps: ReconcileDeps,
): PlannedChange {
  const out: PlannedChange = { ...c };
  if (c.desired) {
    const d = desired.get(c.key);
    if (!d) {
      changed.push(`${c.key}: no longer declared by the source`);
      return out;
    }
    out.desired = d;
    if (c.secretHashes) {
      const now = secretHashesOf(d.kind, d.spec, (f, v) => deps.secrets.hash(f, v));
      for (const [path, hash] of Object.entries(c.secretHashes)) {
        if (now[path] !== hash) changed.push(`${c.key}: the secret ${path} changed since the plan`);
      }
    }
  }
  if (c.live) {
    const l = live.get(c.key);
    if (l) out.live = l;
  }
  return out;
}
