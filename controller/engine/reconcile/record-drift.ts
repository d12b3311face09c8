/**
 * What a drift check records per resource: drifted (changed or gone on the platform) or
 * in sync, the differences, and, when attribution is on (`ReconcileDeps.attribution`),
 * who made the change by hand according to the platform's audit logs.
 */
import type { Logger } from "pino";
import type { DriftAttribution } from "../../model/control.js";
import type { InventoryEntry } from "../../model/inventory.js";
import { tenantKey } from "../../model/keys.js";
import type { FieldDiff, Plan } from "../../model/plan.js";
import type { DriftStatus, ResourceStatus } from "../../model/status.js";
import { describeError } from "../errors.js";
import { type AttributionTarget, attributeDrift } from "../observe/attribution.js";
import { driftOf } from "../plan/drift-report.js";
import type { DriftAttributionSettings } from "./deps.js";
import type { ReconcileStore } from "./store-port.js";

/** Default `DriftAttributionSettings.windowMs`: a week. */
export const defaultAttributionWindowMs = 7 * 24 * 60 * 60 * 1000;

/**
 * Records each declared resource's drift status from a plan, writing only the statuses
 * that changed, and returns the attributions recorded (by key; empty when attribution is
 * off). A resource still drifted the same way keeps the attribution it had, so the logs
 * are read only for new drift. A failure reading the logs is logged and leaves
 * `changedBy` null: who did it never stops a drift check.
 */
export async function recordDrift(
  store: ReconcileStore,
  tenants: string[],
  p: Plan,
  inventory: readonly InventoryEntry[],
  at: { now: number; logger: Logger; attribution?: DriftAttributionSettings },
): Promise<Map<string, DriftAttribution>> {
  const before = new Map((await store.listResourceStatus({ tenants })).map((s) => [s.key, s]));
  const drifted = new Map(
    driftOf(p)
      .filter((i) => i.kind === "changed" || i.kind === "missing")
      .map((i) => [i.key, i]),
  );
  const changedBy = new Map<string, DriftAttribution>();
  if (at.attribution) {
    const fresh: AttributionTarget[] = [];
    const ids = platformIds(p, inventory);
    for (const [key, item] of drifted) {
      const kept = sameDrift(before.get(key), item.diffs);
      if (kept) changedBy.set(key, kept);
      else {
        const platformId = ids.get(key);
        const tenant = p.changes.find((c) => c.key === key)?.tenant;
        const customerId = tenant === undefined ? undefined : ids.get(tenantKey(tenant));
        if (platformId) fresh.push({ key, platformId, customerId });
      }
    }
    if (fresh.length > 0) {
      try {
        const found = await attributeDrift({ logs: at.attribution.logs }, fresh, {
          since: new Date(at.now - (at.attribution.windowMs ?? defaultAttributionWindowMs)),
          until: new Date(at.now),
          ignoreActors: at.attribution.ignoreActors,
          maxEntriesPerLog: at.attribution.maxEntriesPerLog,
        });
        for (const [k, a] of found) changedBy.set(k, a);
      } catch (err) {
        at.logger.warn(
          { err: describeError(err) },
          "cannot read the platform's audit logs; drift not attributed",
        );
      }
    }
  }
  for (const c of p.changes) {
    const item = drifted.get(c.key);
    const now: DriftStatus = item ? "drifted" : c.action === "noop" ? "in_sync" : "unknown";
    if (now === "unknown" || (now === "in_sync" && before.get(c.key)?.drift === "in_sync")) continue;
    await store.setResourceStatus(c.key, {
      kind: c.kind,
      tenant: c.tenant,
      drift: now,
      driftDiffs: item?.diffs ?? [],
      // In sync: nobody's change stands. Drifted: who did it when attribution is on,
      // else whatever an earlier check found stays.
      ...(now === "in_sync"
        ? { changedBy: null }
        : at.attribution
          ? { changedBy: changedBy.get(c.key) ?? null }
          : {}),
    });
  }
  return changedBy;
}

/** Platform ids by key: from the plan (objects on the platform), else the inventory (objects deleted by hand). */
function platformIds(p: Plan, inventory: readonly InventoryEntry[]): Map<string, string> {
  const ids = new Map<string, string>();
  for (const e of inventory) if (e.platformId) ids.set(e.key, e.platformId);
  for (const c of p.changes) if (c.id) ids.set(c.key, c.id);
  return ids;
}

/** The stored attribution when the resource was already drifted with the same differences. */
function sameDrift(
  status: ResourceStatus | undefined,
  diffs: readonly FieldDiff[],
): DriftAttribution | undefined {
  if (status?.drift !== "drifted" || !status.changedBy) return undefined;
  return JSON.stringify(status.driftDiffs) === JSON.stringify(diffs) ? status.changedBy : undefined;
}
