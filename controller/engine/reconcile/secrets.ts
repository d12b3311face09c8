/**
 * Secret hashes in the inventory, around a plan: the markers that `omnia export` and
 * warn/observe adoptions leave (the platform never returns PINs or passwords, so their
 * values are unknown), and hashes made with a key that has since been rotated. Both are
 * resolved the same way: the declared value is taken as the one on the platform and its
 * hash with the current key is recorded, so neither plans a change.
 */
import type { DesiredState, KindName } from "../../model/desired-state.js";
import type { InventoryEntry } from "../../model/inventory.js";
import type { Plan } from "../../model/plan.js";
import { heldSecretPaths } from "../../model/registry.js";
import type { ApplyResult } from "../apply/apply.js";
import { secretHashesOf } from "../plan/diff.js";
import type { ReconcileStore } from "./store-port.js";

/**
 * Recorded as a secret's hash when the secret's value is not known (an object adopted by
 * `omnia export`: the platform never returns PINs or passwords). The next reconcile takes
 * the declared value as the one on the platform and records its real hash.
 */
export const unknownSecretHash = "unknown:adopted-by-export";

/**
 * How secrets are hashed for change detection: a keyed one-way hash (HMAC) whose key the
 * process holds and the store never sees (controller/runtime/secret-key.ts makes it).
 */
export interface SecretHashing {
  /** `(field path, value) -> hash`; stable for one key. */
  hash(field: string, value: string): string;
  /** False for a hash made with another (rotated) key: it is treated as unknown. */
  isCurrent(hash: string): boolean;
}

/**
 * Replaces unknown hashes (the export marker, or a rotated key's) of `source`'s entries
 * with the hash of the declared secret, so adopting an exported tenant, or rotating the
 * key, plans no change. Returns the inventory to plan with and the entries filled in.
 */
export function resolveUnknownSecrets(
  inventory: readonly InventoryEntry[],
  desired: DesiredState,
  source: string,
  secrets: SecretHashing,
): { entries: InventoryEntry[]; resolved: InventoryEntry[] } {
  const unknown = (h: string) => h === unknownSecretHash || !secrets.isCurrent(h);
  const marked = inventory.filter((e) => e.source === source && Object.values(e.secretHashes).some(unknown));
  if (marked.length === 0) return { entries: [...inventory], resolved: [] };
  const byKey = new Map<string, { kind: KindName; spec: unknown }>();
  for (const list of Object.values(desired))
    for (const d of list as { key: string; kind: KindName; spec: unknown }[]) byKey.set(d.key, d);
  const resolved = new Map<string, InventoryEntry>();
  for (const e of marked) {
    const d = byKey.get(e.key);
    const hashes = d ? secretHashesOf(d.kind, d.spec, (f, v) => secrets.hash(f, v)) : {};
    const secretHashes: Record<string, string> = {};
    for (const [path, hash] of Object.entries(e.secretHashes)) {
      const known = unknown(hash) ? hashes[path] : hash;
      if (known !== undefined) secretHashes[path] = known;
    }
    resolved.set(e.key, { ...e, secretHashes });
  }
  return {
    entries: inventory.map((e) => (e.source === source ? (resolved.get(e.key) ?? e) : e)),
    resolved: [...resolved.values()],
  };
}

/** Records the filled-in hashes of entries that the plan leaves alone (apply records the others). */
export async function recordResolved(
  store: ReconcileStore,
  resolved: readonly InventoryEntry[],
  p: Plan,
): Promise<void> {
  const untouched = new Set(p.changes.filter((c) => c.action === "noop").map((c) => c.key));
  for (const e of resolved) if (untouched.has(e.key)) await store.upsertInventory(e);
}

/**
 * An object adopted under driftMode warn or observe keeps the platform's secrets (nothing
 * is written), which can never be read back: record them as `unknownSecretHash`, like an
 * export does, so later plans do not report the declared PIN or password as drift forever.
 */
export async function markAdoptedSecretsUnknown(
  store: ReconcileStore,
  p: Plan,
  applied: ApplyResult,
  source: string,
): Promise<void> {
  const ok = new Set(
    applied.steps.filter((s) => s.outcome === "ok" && s.action === "adopt").map((s) => s.key),
  );
  for (const c of p.changes) {
    if (c.action !== "adopt" || !ok.has(c.key) || !c.id || c.policy?.driftMode === "enforce") continue;
    const held = heldSecretPaths(c.kind, c.live?.facts ?? {});
    // The secret fields the document declares (the plan carries no hashes for warn/observe).
    const declared = Object.keys(secretHashesOf(c.kind, c.desired?.spec, () => ""));
    const paths = declared.filter((path) => held.includes(path));
    if (paths.length === 0) continue;
    await store.upsertInventory({
      key: c.key,
      kind: c.kind,
      tenant: c.tenant,
      platformId: c.id,
      source,
      state: "managed",
      secretHashes: Object.fromEntries(paths.map((path) => [path, unknownSecretHash])),
      deletionPolicy: c.policy?.deletionPolicy ?? "delete",
    });
  }
}
