/**
 * Field-level comparison of one desired resource with its live object. Specs are
 * flattened to dot paths (`spec.user.email`), so no field list is written here: every
 * field the schema gives a spec is compared, minus the per-kind exceptions of policy.ts.
 */
import { type KindName, Secret } from "../../model/desired-state.js";
import type { LiveStatus } from "../../model/live-state.js";
import type { FieldDiff } from "../../model/plan.js";
import { isIgnored, notCompared, sameValue, secretFields, statusKinds } from "./policy.js";

/** Flattens a spec into leaf paths below `spec`; arrays are leaves, Secrets are left out. */
export function flattenSpec(value: unknown, prefix = "spec", out = new Map<string, unknown>()) {
  if (value instanceof Secret) return out;
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenSpec(v, `${prefix}.${k}`, out);
    return out;
  }
  if (value !== undefined) out.set(prefix, value);
  return out;
}

/** The value at a dot path below `spec` (`spec.pin` of a spec object), or undefined. */
function valueAt(spec: unknown, path: string): unknown {
  let cur: unknown = spec;
  for (const part of path.split(".").slice(1)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const skipped = new Map<KindName, readonly string[]>();

/** True for paths the planner compares in the clear (not secret, not excluded for the kind). */
function compared(kind: KindName, path: string): boolean {
  let skip = skipped.get(kind);
  if (!skip) {
    skip = [...(secretFields[kind] ?? []), ...(notCompared[kind] ?? [])];
    skipped.set(kind, skip);
  }
  for (const s of skip) if (path === s || path.startsWith(`${s}.`)) return false;
  return true;
}

/**
 * Salted hashes of the secrets a desired spec declares, by field path. A secret is a
 * `Secret` (as the loader resolves it); a bare string is accepted for callers that build
 * desired state in code. Values never leave this function.
 */
export function secretHashesOf(
  kind: KindName,
  spec: unknown,
  hashSecret: (field: string, value: string) => string,
): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const path of secretFields[kind] ?? []) {
    const v = valueAt(spec, path);
    const plain = v instanceof Secret ? v.reveal() : typeof v === "string" ? v : undefined;
    if (plain !== undefined) hashes[path] = hashSecret(path, plain);
  }
  return hashes;
}

/** Diffs of a create: every declared field as `after`, secrets as `sensitive` only. */
export function createDiffs(kind: KindName, spec: unknown, secretPaths: readonly string[]): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  for (const [path, after] of flattenSpec(spec)) {
    if (compared(kind, path)) diffs.push({ path, after });
  }
  for (const path of secretPaths) diffs.push({ path, sensitive: true });
  return diffs.sort(byPath);
}

/** What `compareSpecs` needs of the live side. */
export interface LiveSide {
  spec: unknown;
  status: LiveStatus;
}

/**
 * Field diffs that would make the live object equal to the desired spec, `before` live and
 * `after` desired. Absent and null are equal. For kinds with a status, live `pending`
 * counts as `active` (it becomes active by itself; never "fix" it) and an undeclared
 * status means `active`. Secrets differ when their hash differs from the one recorded
 * (or none was recorded) and never carry values. Paths under `ignore` are skipped.
 */
export function compareSpecs(
  kind: KindName,
  desiredSpec: unknown,
  live: LiveSide,
  ignore: readonly string[],
  desiredHashes: Record<string, string>,
  recordedHashes: Record<string, string>,
): FieldDiff[] {
  const want = flattenSpec(desiredSpec);
  const have = flattenSpec(live.spec);
  if (statusKinds.has(kind)) {
    have.set("spec.status", live.status === "pending" ? "active" : live.status);
    if (!want.has("spec.status")) want.set("spec.status", "active");
  }
  const diffs: FieldDiff[] = [];
  const paths = new Set([...want.keys(), ...have.keys()]);
  for (const path of paths) {
    if (!compared(kind, path) || isIgnored(path, ignore)) continue;
    const before = have.get(path);
    const after = want.get(path);
    if (!sameValue(path, before, after)) diffs.push({ path, before, after });
  }
  for (const [path, hash] of Object.entries(desiredHashes)) {
    if (!isIgnored(path, ignore) && recordedHashes[path] !== hash) diffs.push({ path, sensitive: true });
  }
  return diffs.sort(byPath);
}

function byPath(a: FieldDiff, b: FieldDiff): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
