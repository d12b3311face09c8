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
import type { FieldDiff, Plan, PlannedChange } from "../../model/plan.js";
import { compareSpecs, createDiffs, secretHashesOf } from "./diff.js";
import { linkDependencies, parentKeys, sortChanges } from "./graph.js";
import { type PlanPolicy, type PlanPolicyInput, replaceOnlyKinds, resolvePlanPolicy } from "./policy.js";

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
  const j = join(desired, live, inventory, policy.source, scope, out);

  for (let i = 0; i < j.desired.length; i++) {
    const d = j.desired[i] as AnyDesiredResource;
    const entry = j.owned[i];
    if (!entry && j.others.size > 0) {
      const other = j.others.get(d.key);
      if (other) {
        out.refusals.push(
          `${d.key} is owned by source "${other.source}" and also declared by source "${policy.source}" ` +
            `(${d.source.file}:${d.source.line}:${d.source.col}); remove it from one of them`,
        );
        continue;
      }
    }
    planDesired(d, j.live[i], entry, policy, out);
  }
  for (const e of j.undeclaredOwned.values()) {
    if (!scope.has(e.tenant)) continue;
    const tenantAt = j.index.get(tenantKey(e.tenant));
    const tenantDoc = tenantAt === undefined ? undefined : j.desired[tenantAt];
    planRemoved(e, j.undeclaredLive.get(e.key), tenantDoc, policy, out);
  }
  guardMassDelete(out, ownedEntries(j), policy, scope);
  out.changes = sortChanges(out.changes);
  dropUnreachableCreates(out, (key) => liveAt(j, key) !== undefined);
  linkDependencies(out.changes);
  out.drift.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

/**
 * Desired state, live state and this source's inventory joined by key through one map:
 * each declared resource in scope gets an index, and the live object and owned entry of
 * its key land in arrays at that index. Objects whose key is not declared go to maps of
 * their own (few: removed documents, hand-made objects). A separate map per table cost
 * two map operations per resource and table; at 100k resources each is tens of ms of
 * cache misses.
 */
interface Joined {
  /** Index of each declared key in `desired`. */
  index: Map<string, number>;
  /** Declared resources in scope, first declaration of each key, in kind order. */
  desired: AnyDesiredResource[];
  /** Live object of `desired[i]`'s key (the last listed, if twice). */
  live: (AnyLiveResource | undefined)[];
  /** This source's inventory entry of `desired[i]`'s key (the last, if twice). */
  owned: (InventoryEntry | undefined)[];
  /** Live objects of keys not declared. */
  undeclaredLive: Map<string, AnyLiveResource>;
  /** This source's entries of keys not declared, in inventory order. */
  undeclaredOwned: Map<string, InventoryEntry>;
  /** Entries of other sources, by key. */
  others: Map<string, InventoryEntry>;
}

function join(
  desired: DesiredState,
  live: LiveState,
  inventory: readonly InventoryEntry[],
  source: string,
  scope: Set<string>,
  out: Plan,
): Joined {
  const j: Joined = {
    index: new Map(),
    desired: [],
    live: [],
    owned: [],
    undeclaredLive: new Map(),
    undeclaredOwned: new Map(),
    others: new Map(),
  };
  indexDesired(desired, scope, out, j);
  j.live.length = j.desired.length;
  j.owned.length = j.desired.length;
  for (const k of kinds) {
    for (const l of live[k] as AnyLiveResource[]) {
      const i = j.index.get(l.key);
      if (i === undefined) j.undeclaredLive.set(l.key, l);
      else j.live[i] = l;
    }
  }
  for (const e of inventory) {
    if (e.source !== source) {
      j.others.set(e.key, e);
      continue;
    }
    const i = j.index.get(e.key);
    if (i === undefined) j.undeclaredOwned.set(e.key, e);
    else j.owned[i] = e;
  }
  return j;
}

/** The live object of a key, declared or not. */
function liveAt(j: Joined, key: string): AnyLiveResource | undefined {
  const i = j.index.get(key);
  return i === undefined ? j.undeclaredLive.get(key) : j.live[i];
}

/** Every entry of this source's inventory, one per key. */
function* ownedEntries(j: Joined): Generator<InventoryEntry> {
  for (const e of j.owned) if (e) yield e;
  yield* j.undeclaredOwned.values();
}

/** Desired resources of the tenants in scope, indexed by key; a key declared twice is a refusal. */
function indexDesired(desired: DesiredState, scope: Set<string>, out: Plan, j: Joined): void {
  const skipped = new Set<string>();
  for (const k of kinds) {
    for (const d of desired[k] as AnyDesiredResource[]) {
      if (!scope.has(d.tenant)) {
        skipped.add(d.tenant);
        continue;
      }
      const seen = j.index.get(d.key);
      if (seen !== undefined) {
        out.refusals.push(
          `${d.key} is declared twice: ${where(j.desired[seen] as AnyDesiredResource)} and ${where(d)}`,
        );
        continue;
      }
      j.index.set(d.key, j.desired.length);
      j.desired.push(d);
    }
  }
  for (const t of [...skipped].sort())
    out.warnings.push(`tenant ${t} was not observed: its resources are not planned`);
}

function where(d: AnyDesiredResource): string {
  return `${d.source.file}:${d.source.line}:${d.source.col}`;
}

/**
 * The change (or drift) for one declared resource. Each change object is built in one
 * literal (not spread from shared parts): this runs once per resource, and a plan of
 * 100k resources is mostly noops.
 */
function planDesired(
  d: AnyDesiredResource,
  l: AnyLiveResource | undefined,
  entry: InventoryEntry | undefined,
  policy: PlanPolicy,
  out: Plan,
): void {
  const mode = d.policy.driftMode;
  const hashes = secretHashesOf(d.kind, d.spec, policy.hashSecret);
  const { kind, key, tenant } = d;
  if (!l) {
    const diffs = createDiffs(kind, d.spec, Object.keys(hashes));
    if (mode !== "enforce") {
      out.drift.push({ key, kind, tenant, mode, diffs, missing: true });
      return;
    }
    const reason = !entry
      ? reasons.create
      : entry.state === "creating"
        ? reasons.createResume
        : reasons.recreate;
    out.changes.push({
      kind,
      key,
      tenant,
      dependsOn: [],
      desired: d,
      policy: d.policy,
      action: "create",
      diffs,
      reason,
      secretHashes: hashes,
    });
    return;
  }
  const recorded = entry?.state === "managed" ? entry.secretHashes : {};
  const diffs = compareSpecs(kind, d.spec, l, d.policy.ignore, hashes, recorded);
  const fix = mode === "enforce" ? diffs : [];
  const secretHashes = hashesAfter(hashes, recorded, fix);
  if (mode !== "enforce" && diffs.length > 0) {
    out.drift.push({ key, kind, tenant, mode, diffs });
  }
  const replace = fix.length > 0 && replaceOnlyKinds.has(kind);
  if (!entry || entry.state === "creating") {
    const reason = entry ? reasons.adoptResume : reasons.adopt;
    out.changes.push(withLive(d, l, secretHashes, "adopt", replace ? [] : fix, reason));
  } else if (fix.length === 0) {
    // `fix` is the empty result of this comparison (or a fresh [] in warn/observe mode).
    out.changes.push(
      withLive(d, l, secretHashes, "noop", fix, diffs.length ? reasons.driftOnly : reasons.noop),
    );
  } else if (!replace) {
    out.changes.push(withLive(d, l, secretHashes, "update", fix, reasons.update));
  }
  if (replace) {
    out.changes.push({ ...withLive(d, l, secretHashes, "delete", fix, reasons.replace), replaces: true });
    out.changes.push({
      kind,
      key,
      tenant,
      dependsOn: [],
      desired: d,
      policy: d.policy,
      secretHashes,
      action: "create",
      diffs: fix,
      reason: reasons.replace,
      replaces: true,
    });
  }
}

/** A change of a declared resource that is on the platform. */
function withLive(
  d: AnyDesiredResource,
  l: AnyLiveResource,
  secretHashes: Record<string, string>,
  action: PlannedChange["action"],
  diffs: FieldDiff[],
  reason: string,
): PlannedChange {
  return {
    kind: d.kind,
    key: d.key,
    tenant: d.tenant,
    dependsOn: [],
    desired: d,
    policy: d.policy,
    id: l.id,
    live: l,
    secretHashes,
    action,
    diffs,
    reason,
  };
}

/**
 * The secret hashes the inventory holds once a change succeeded: the new hash of each
 * secret the change writes or that is already equal, the old one of any other (an ignored
 * secret keeps its record; one never applied stays unrecorded). When every secret keeps
 * its new hash (the usual case) that is `desired` itself, returned as is.
 */
function hashesAfter(
  desired: Record<string, string>,
  recorded: Record<string, string>,
  fix: readonly { path: string; sensitive?: boolean }[],
): Record<string, string> {
  let after: Record<string, string> | undefined;
  for (const path in desired) {
    const hash = desired[path] as string;
    if (recorded[path] === hash || fix.some((d) => d.sensitive && d.path === path)) {
      if (after) after[path] = hash;
      continue;
    }
    if (!after) {
      // The first secret that keeps its old record: copy the ones before it.
      after = {};
      for (const p in desired) {
        if (p === path) break;
        after[p] = desired[p] as string;
      }
    }
    const kept = recorded[path];
    if (kept !== undefined) after[path] = kept;
  }
  return after ?? desired;
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
  const deletes = new Map<string, number>();
  for (const c of out.changes) {
    if (c.action === "delete" && !c.replaces) deletes.set(c.tenant, (deletes.get(c.tenant) ?? 0) + 1);
  }
  if (deletes.size === 0) return; // nothing to guard: skip counting the whole inventory
  const managed = new Map<string, number>();
  for (const e of mine) if (scope.has(e.tenant)) managed.set(e.tenant, (managed.get(e.tenant) ?? 0) + 1);
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
function dropUnreachableCreates(out: Plan, isLive: (key: string) => boolean): void {
  if (!out.changes.some((c) => c.action === "create")) return;
  const created = new Set<string>();
  out.changes = out.changes.filter((c) => {
    if (c.action !== "create" || !c.desired) return true;
    const missing = parentKeys(c.desired).find((p) => !isLive(p) && !created.has(p));
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
