/**
 * The planner: a pure function from desired state, live state and inventory to a `Plan`.
 * Resources are matched by natural key. Only objects in this source's inventory are ever
 * deleted (and only with prune on); objects made by hand on the platform are never
 * touched unless a document declares them (then they are adopted).
 *
 * Decisions, for readers of plans:
 * - Adopt carries the field diffs to fix in the same step: apply records ownership first,
 *   then calls the adapter's update with those diffs. A never-applied secret is one of them.
 * - `warn` and `observe` mean "never write to the platform" for that resource: differences
 *   and missing objects go to `plan.drift`, not to changes. Recording ownership (adopt) is
 *   not a platform write, so it still happens, without the diffs.
 * - A Number cannot be updated: any difference is a delete and a create of the same key,
 *   both marked `replaces` (an adopted one is adopted first, so the delete is of our own).
 * - Removed documents of a tenant whose driftMode forbids writes are not deleted (warning).
 * - A create whose parent is neither on the platform nor created by this plan is dropped
 *   with a warning (its parent is in warn mode, refused, or missing from the source).
 * - The plan lists `noop` changes too: apply skips them, but they carry the platform ids
 *   that adapters resolve parents with (`ApplyContext.idOf`).
 */
import type { AnyDesiredResource, DesiredState } from "../../model/desired-state.js";
import type { InventoryEntry } from "../../model/inventory.js";
import { tenantKey } from "../../model/keys.js";
import type { AnyLiveResource, LiveState } from "../../model/live-state.js";
import type { Plan, PlannedChange } from "../../model/plan.js";
import { compareSpecs, createDiffs, secretHashesOf } from "./diff.js";
import { compareChanges, linkDependencies, parentKeys } from "./graph.js";
import type { PlanPolicy } from "./policy.js";
import { type PlanPolicyInput, replaceOnlyKinds, resolvePlanPolicy } from "./policy.js";

/** Reasons shown beside each change (exported so tests and the CLI can match them). */
export const reasons = {
  create: "not on the platform",
  recreate: "in the inventory but gone from the platform",
  createResume: "an earlier create was interrupted before it was recorded; creating again",
  adopt: "on the platform, not in the inventory: taking ownership",
  adoptResume: "an earlier create was interrupted; found on the platform: adopting",
  update: "fields differ",
  replace: "a Number cannot be updated: delete and create again",
  delete: "removed from the source, prune on",
  orphan: "removed from the source; deletionPolicy orphan: left on the platform, no longer managed",
  gone: "removed from the source and already gone from the platform",
  noop: "up to date",
  driftOnly: "differs, not repaired (driftMode forbids writes)",
} as const;

const kinds: readonly (keyof DesiredState)[] = [
  "tenants",
  "users",
  "trunks",
  "pbxs",
  "numbers",
  "extensions",
];

/** Builds the plan. Pure: no I/O, no clock, no randomness; the same input gives the same output. */
export function plan(
  desired: DesiredState,
  live: LiveState,
  inventory: readonly InventoryEntry[],
  policyInput: PlanPolicyInput,
): Plan {
  const policy = resolvePlanPolicy(policyInput);
  const scope = new Set(live.scope);
  const out: Plan = { changes: [], drift: [], refusals: [], warnings: [] };
  const desiredByKey = indexDesired(desired, scope, out);
  const liveByKey = new Map<string, AnyLiveResource>();
  for (const k of kinds) for (const l of live[k] as AnyLiveResource[]) liveByKey.set(l.key, l);
  const mine = new Map<string, InventoryEntry>();
  const others = new Map<string, InventoryEntry>();
  for (const e of inventory) (e.source === policy.source ? mine : others).set(e.key, e);

  for (const d of desiredByKey.values()) {
    const other = others.get(d.key);
    if (other && !mine.has(d.key)) {
      out.refusals.push(
        `${d.key} is owned by source "${other.source}" and also declared by source "${policy.source}" ` +
          `(${d.source.file}:${d.source.line}:${d.source.col}); remove it from one of them`,
      );
      continue;
    }
    planDesired(d, liveByKey.get(d.key), mine.get(d.key), policy, out);
  }
  for (const e of mine.values()) {
    if (!scope.has(e.tenant) || desiredByKey.has(e.key)) continue;
    planRemoved(e, liveByKey.get(e.key), desiredByKey.get(tenantKey(e.tenant)), policy, out);
  }
  guardMassDelete(out, mine.values(), policy, scope);
  out.changes.sort(compareChanges);
  dropUnreachableCreates(out, liveByKey);
  linkDependencies(out.changes);
  out.drift.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

/** Desired resources of the tenants in scope, by key; a key declared twice is a refusal. */
function indexDesired(desired: DesiredState, scope: Set<string>, out: Plan) {
  const byKey = new Map<string, AnyDesiredResource>();
  const skipped = new Set<string>();
  for (const k of kinds) {
    for (const d of desired[k] as AnyDesiredResource[]) {
      if (!scope.has(d.tenant)) {
        skipped.add(d.tenant);
        continue;
      }
      const seen = byKey.get(d.key);
      if (seen) {
        out.refusals.push(`${d.key} is declared twice: ${where(seen)} and ${where(d)}`);
        continue;
      }
      byKey.set(d.key, d);
    }
  }
  for (const t of [...skipped].sort())
    out.warnings.push(`tenant ${t} was not observed: its resources are not planned`);
  return byKey;
}

function where(d: AnyDesiredResource): string {
  return `${d.source.file}:${d.source.line}:${d.source.col}`;
}

/** The change (or drift) for one declared resource. */
function planDesired(
  d: AnyDesiredResource,
  l: AnyLiveResource | undefined,
  entry: InventoryEntry | undefined,
  policy: PlanPolicy,
  out: Plan,
): void {
  const mode = d.policy.driftMode;
  const hashes = secretHashesOf(d.kind, d.spec, policy.hashSecret);
  const base = { kind: d.kind, key: d.key, tenant: d.tenant, dependsOn: [], desired: d, policy: d.policy };
  if (!l) {
    const diffs = createDiffs(d.kind, d.spec, Object.keys(hashes));
    if (mode !== "enforce") {
      out.drift.push({ key: d.key, kind: d.kind, tenant: d.tenant, mode, diffs, missing: true });
      return;
    }
    const reason = !entry
      ? reasons.create
      : entry.state === "creating"
        ? reasons.createResume
        : reasons.recreate;
    out.changes.push({ ...base, action: "create", diffs, reason, secretHashes: hashes });
    return;
  }
  const recorded = entry?.state === "managed" ? entry.secretHashes : {};
  const diffs = compareSpecs(d.kind, d.spec, l, d.policy.ignore, hashes, recorded);
  const fix = mode === "enforce" ? diffs : [];
  const withLive = { ...base, id: l.id, live: l, secretHashes: hashesAfter(hashes, recorded, fix) };
  if (mode !== "enforce" && diffs.length > 0) {
    out.drift.push({ key: d.key, kind: d.kind, tenant: d.tenant, mode, diffs });
  }
  const replace = fix.length > 0 && replaceOnlyKinds.has(d.kind);
  if (!entry || entry.state === "creating") {
    const reason = entry ? reasons.adoptResume : reasons.adopt;
    out.changes.push({ ...withLive, action: "adopt", diffs: replace ? [] : fix, reason });
  } else if (fix.length === 0) {
    out.changes.push({
      ...withLive,
      action: "noop",
      diffs: [],
      reason: diffs.length ? reasons.driftOnly : reasons.noop,
    });
  } else if (!replace) {
    out.changes.push({ ...withLive, action: "update", diffs: fix, reason: reasons.update });
  }
  if (replace) {
    out.changes.push({ ...withLive, action: "delete", diffs: fix, reason: reasons.replace, replaces: true });
    const { id: _id, live: _live, ...fresh } = withLive;
    out.changes.push({ ...fresh, action: "create", diffs: fix, reason: reasons.replace, replaces: true });
  }
}

/**
 * The secret hashes the inventory holds once a change succeeded: the new hash of each
 * secret the change writes or that is already equal, the old one of any other (an ignored
 * secret keeps its record; one never applied stays unrecorded).
 */
function hashesAfter(
  desired: Record<string, string>,
  recorded: Record<string, string>,
  fix: readonly { path: string; sensitive?: boolean }[],
): Record<string, string> {
  const after: Record<string, string> = {};
  for (const [path, hash] of Object.entries(desired)) {
    const written = fix.some((d) => d.sensitive && d.path === path);
    const kept = written || recorded[path] === hash ? hash : recorded[path];
    if (kept !== undefined) after[path] = kept;
  }
  return after;
}

/** The change for an owned resource whose document left the source. */
function planRemoved(
  e: InventoryEntry,
  l: AnyLiveResource | undefined,
  tenantDoc: AnyDesiredResource | undefined,
  policy: PlanPolicy,
  out: Plan,
): void {
  if (!policy.prune) {
    out.warnings.push(`${e.key} was removed from the source; left on the platform (prune off)`);
    return;
  }
  const mode = tenantDoc?.policy.driftMode ?? "enforce";
  if (mode !== "enforce" && l) {
    out.warnings.push(
      `${e.key} was removed from the source; not deleted: tenant ${e.tenant} is in ${mode} mode`,
    );
    return;
  }
  const base = { kind: e.kind, key: e.key, tenant: e.tenant, diffs: [], dependsOn: [] };
  if (!l) out.changes.push({ ...base, action: "forget", reason: reasons.gone });
  else if (e.deletionPolicy === "orphan")
    out.changes.push({ ...base, action: "forget", id: l.id, live: l, reason: reasons.orphan });
  else out.changes.push({ ...base, action: "delete", id: l.id, live: l, reason: reasons.delete });
}

/**
 * Refuses a plan that deletes more than `maxDeleteShare` of a tenant's managed objects,
 * or all of them, unless `allowMassDelete`. Replacements and forgets do not count: they
 * leave the object (or its successor) on the platform.
 */
function guardMassDelete(
  out: Plan,
  mine: Iterable<InventoryEntry>,
  policy: PlanPolicy,
  scope: Set<string>,
): void {
  if (policy.allowMassDelete) return;
  const managed = new Map<string, number>();
  for (const e of mine) if (scope.has(e.tenant)) managed.set(e.tenant, (managed.get(e.tenant) ?? 0) + 1);
  const deletes = new Map<string, number>();
  for (const c of out.changes) {
    if (c.action === "delete" && !c.replaces) deletes.set(c.tenant, (deletes.get(c.tenant) ?? 0) + 1);
  }
  for (const [tenant, n] of [...deletes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const total = managed.get(tenant) ?? n;
    const share = n / total;
    if (n < total && share <= policy.maxDeleteShare) continue;
    const what = n >= total ? "everything it manages" : `${Math.round(share * 100)}%`;
    out.refusals.push(
      `tenant ${tenant}: the plan deletes ${n} of ${total} managed objects (${what}); more than ` +
        `${Math.round(policy.maxDeleteShare * 100)}% needs --allow-mass-delete`,
    );
  }
}

/**
 * Drops creates whose parent will not exist: neither live nor created earlier in the plan
 * (its driftMode forbids writes, or it was refused). Runs on the sorted plan, so parents
 * are decided before their children and the drop cascades.
 */
function dropUnreachableCreates(out: Plan, liveByKey: Map<string, AnyLiveResource>): void {
  const created = new Set<string>();
  out.changes = out.changes.filter((c) => {
    if (c.action !== "create" || !c.desired) return true;
    const missing = parentKeys(c.desired).find((p) => !liveByKey.has(p) && !created.has(p));
    if (missing) {
      out.warnings.push(
        `${c.key} is not created: ${missing} is neither on the platform nor created by this plan`,
      );
      return false;
    }
    created.add(c.key);
    return true;
  });
}

/** Counts of a plan's changes by action. */
export function countActions(p: Plan): Record<PlannedChange["action"], number> {
  const n = { create: 0, update: 0, delete: 0, adopt: 0, forget: 0, noop: 0 };
  for (const c of p.changes) n[c.action]++;
  return n;
}

/** True when the plan changes nothing (noops only) and has no refusals. */
export function isEmptyPlan(p: Plan): boolean {
  return p.refusals.length === 0 && p.changes.every((c) => c.action === "noop");
}
