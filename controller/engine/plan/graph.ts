/**
 * Dependency order of a plan: parents before children for creates, updates and adopts
 * (tenant → users and trunks → PBX → numbers and extensions), children before parents
 * for deletes, and a replacement's delete before its create. Every `dependsOn` key names
 * a change placed earlier in the list, so apply can start a change once the earlier
 * changes with those keys are done, and can never wait in a cycle. The ranks and parent
 * references come from the kind registry.
 */
import type { PlannedChange } from "../../model/plan.js";
import { kindRank, maxRank, parentKeys, rootKind } from "../../model/registry.js";

export { kindRank, type ParentRefs, parentKeys } from "../../model/registry.js";

/**
 * Phase of a change in the plan: replacement deletes first (they free a key that a
 * create takes again), then creates/updates/adopts/noops parents first, then deletes
 * children first, then forgets (inventory only).
 */
function phase(c: PlannedChange): number {
  if (c.action === "delete") return c.replaces ? 0 : 2;
  if (c.action === "forget") return 3;
  return 1;
}

/** Sort position within a phase: forward kind depth, reversed for deletes. */
function rank(c: PlannedChange): number {
  const p = phase(c);
  return p === 0 || p === 2 ? maxRank - kindRank[c.kind] : kindRank[c.kind];
}

/** Total order of changes: phase, kind depth, key, action. Stable and locale-free. */
export function compareChanges(a: PlannedChange, b: PlannedChange): number {
  return phase(a) - phase(b) || rank(a) - rank(b) || compareKeyAction(a, b);
}

function compareKeyAction(a: PlannedChange, b: PlannedChange): number {
  return (
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || (a.action < b.action ? -1 : a.action > b.action ? 1 : 0)
  );
}

/**
 * The changes in `compareChanges` order, as a new array. Phase and kind depth take 16
 * values, so changes are first put into those buckets (in input order) and only each
 * bucket is sorted, by key and action: the comparator a plan of 100k changes calls a few
 * million times then compares two strings, not phases and ranks as well. Same result as
 * a stable `sort(compareChanges)`.
 */
export function sortChanges(changes: readonly PlannedChange[]): PlannedChange[] {
  const buckets: PlannedChange[][] = [];
  for (const c of changes) {
    const b = phase(c) * 4 + rank(c);
    let bucket = buckets[b];
    if (!bucket) {
      bucket = [];
      buckets[b] = bucket;
    }
    bucket.push(c);
  }
  const sorted: PlannedChange[] = [];
  for (const bucket of buckets) {
    if (!bucket) continue;
    bucket.sort(compareKeyAction);
    for (const c of bucket) sorted.push(c);
  }
  return sorted;
}

/**
 * Fills `dependsOn` of every change of a sorted plan:
 * - create/update/adopt: the parents (from the desired resource) that have a create,
 *   adopt or update in the plan, and for a replacement's create its own key (the delete);
 * - delete: the changes (deletes, and updates or adopts that move away) of the live children that
 *   name it as parent; a tenant's delete waits for every delete and update in the tenant.
 * Noops and forgets depend on nothing. The result lists keys sorted.
 */
export function linkDependencies(sorted: PlannedChange[]): void {
  const writes = new Set<string>();
  const childrenOf = new Map<string, Set<string>>();
  const tenantChanges = new Map<string, Set<string>>();
  for (const c of sorted) {
    if (c.action === "create" || c.action === "adopt" || c.action === "update") writes.add(c.key);
    // An adopt carries its diffs (plan.ts), so it too may move a child away from a parent.
    if ((c.action === "delete" || c.action === "update" || c.action === "adopt") && c.live) {
      for (const p of parentKeys(c.live)) addTo(childrenOf, p, c.key);
      if (c.kind !== rootKind) addTo(tenantChanges, c.tenant, c.key);
    }
  }
  for (const c of sorted) {
    // Noops and forgets wait for nothing: keep their empty list (no set, no new array).
    if ((c.action === "noop" || c.action === "forget") && c.dependsOn.length === 0) continue;
    const deps = new Set<string>();
    if (c.action === "create" || c.action === "adopt" || c.action === "update") {
      if (c.desired) for (const p of parentKeys(c.desired)) if (writes.has(p)) deps.add(p);
      if (c.action === "create" && c.replaces) deps.add(c.key);
    } else if (c.action === "delete") {
      for (const k of childrenOf.get(c.key) ?? []) if (k !== c.key) deps.add(k);
      if (c.kind === rootKind) for (const k of tenantChanges.get(c.tenant) ?? []) deps.add(k);
    }
    c.dependsOn = [...deps].sort();
  }
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}
