/**
 * Field-level comparison of one desired resource with its live object. Specs are
 * flattened to dot paths (`spec.user.email`), so no field list is written here: every
 * field the schema gives a spec is compared, minus the per-kind exceptions of policy.ts.
 */
import { type KindName, Secret } from "../../model/desired-state.js";
import type { LiveStatus } from "../../model/live-state.js";
import type { FieldDiff } from "../../model/plan.js";
import { isIgnored, notCompared, sameLeaf, sameValue, secretFields, statusKinds } from "./policy.js";

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

/** The value at a path below `spec`, given as its parts (`["pin"]` for `spec.pin`), or undefined. */
function valueAt(spec: unknown, parts: readonly string[]): unknown {
  let cur: unknown = spec;
  for (const part of parts) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Secret paths of each kind split once into parts below `spec` (not on every call). */
const secretParts = new Map<KindName, readonly (readonly [string, readonly string[]])[]>();

function secretPartsOf(kind: KindName): readonly (readonly [string, readonly string[]])[] {
  let parts = secretParts.get(kind);
  if (!parts) {
    parts = (secretFields[kind] ?? []).map((path) => [path, path.split(".").slice(1)] as const);
    secretParts.set(kind, parts);
  }
  return parts;
}

/** Per kind, the paths not compared in the clear, each with and without a trailing dot. */
const skipped = new Map<KindName, readonly (readonly [string, string])[]>();

/** True for paths the planner compares in the clear (not secret, not excluded for the kind). */
function compared(kind: KindName, path: string): boolean {
  let skip = skipped.get(kind);
  if (!skip) {
    skip = [...(secretFields[kind] ?? []), ...(notCompared[kind] ?? [])].map((s) => [s, `${s}.`] as const);
    skipped.set(kind, skip);
  }
  for (const [s, below] of skip) if (path === s || path.startsWith(below)) return false;
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
  for (const [path, parts] of secretPartsOf(kind)) {
    const v = valueAt(spec, parts);
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
 *
 * The result is what comparing the two `flattenSpec` maps leaf by leaf gives, sorted by
 * path. It is computed by walking both specs side by side instead, so that an equal
 * resource (nearly all of them in a plan) costs no map, no path string and no array
 * beyond the empty result. Specs whose keys contain a dot are compared through the
 * flattened maps: two different key paths can flatten to the same dot path there.
 */
export function compareSpecs(
  kind: KindName,
  desiredSpec: unknown,
  live: LiveSide,
  ignore: readonly string[],
  desiredHashes: Record<string, string>,
  recordedHashes: Record<string, string>,
): FieldDiff[] {
  let diffs: FieldDiff[] = [];
  const walk: Walk = { kind, ignore, diffs };
  if (!isNode(desiredSpec) || !isNode(live.spec) || !walkTop(walk, desiredSpec, live)) {
    diffs = compareFlattened(kind, desiredSpec, live, ignore);
  }
  for (const path in desiredHashes) {
    if (!isIgnored(path, ignore) && recordedHashes[path] !== desiredHashes[path])
      diffs.push({ path, sensitive: true });
  }
  return diffs.length > 1 ? diffs.sort(byPath) : diffs;
}

/** The general comparison: both specs flattened to dot paths, then compared path by path. */
function compareFlattened(
  kind: KindName,
  desiredSpec: unknown,
  live: LiveSide,
  ignore: readonly string[],
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
  return diffs;
}

/** State of one side-by-side walk of a desired and a live spec. */
interface Walk {
  kind: KindName;
  ignore: readonly string[];
  diffs: FieldDiff[];
}

type Node = Record<string, unknown>;
const noNode: Node = Object.freeze({}) as Node;
const isOwn = (o: object, k: string): boolean => Object.prototype.propertyIsEnumerable.call(o, k);

/** What `flattenSpec` recurses into: a plain object that is neither an array nor a Secret. */
function isNode(v: unknown): v is Node {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Secret);
}

/** A leaf as `flattenSpec` keeps it: Secrets are left out (absent). */
function leafOf(v: unknown): unknown {
  return v instanceof Secret ? undefined : v;
}

/**
 * The top level of a spec: every field but `status` as any node, and for kinds with a
 * status the `spec.status` leaf from the live object's status. False when a key holds a
 * dot (the caller then compares the flattened maps).
 */
function walkTop(w: Walk, want: Node, live: LiveSide): boolean {
  const have = live.spec as Node;
  if (!statusKinds.has(w.kind)) return walkNodes(w, want, have, "spec", undefined);
  if (!walkNodes(w, want, have, "spec", "status")) return false;
  const declared = isOwn(want, "status") ? want.status : undefined;
  const observed = isOwn(have, "status") ? have.status : undefined;
  const after =
    declared === undefined || declared instanceof Secret || isNode(declared) ? "active" : declared;
  leaf(w, "spec", "status", live.status === "pending" ? "active" : live.status, after);
  if (!isNode(declared) && !isNode(observed)) return true;
  return walkNodes(
    w,
    isNode(declared) ? declared : noNode,
    isNode(observed) ? observed : noNode,
    "spec.status",
    undefined,
  );
}

/** Both sides of one object, key by key (`except` is handled by the caller). */
function walkNodes(w: Walk, want: Node, have: Node, prefix: string, except: string | undefined): boolean {
  for (const k in want) {
    if (!Object.hasOwn(want, k) || k === except) continue;
    if (k.includes(".")) return false;
    if (!walkField(w, want[k], isOwn(have, k) ? have[k] : undefined, prefix, k)) return false;
  }
  for (const k in have) {
    if (!Object.hasOwn(have, k) || k === except || isOwn(want, k)) continue;
    if (k.includes(".")) return false;
    if (!walkField(w, undefined, have[k], prefix, k)) return false;
  }
  return true;
}

/** One field of both sides: a leaf, a node, or a node on one side and a leaf on the other. */
function walkField(w: Walk, want: unknown, have: unknown, prefix: string, key: string): boolean {
  const wantNode = isNode(want);
  const haveNode = isNode(have);
  if (!wantNode && !haveNode) {
    leaf(w, prefix, key, leafOf(have), leafOf(want));
    return true;
  }
  const path = `${prefix}.${key}`;
  if (!wantNode) leaf(w, prefix, key, undefined, leafOf(want));
  if (!haveNode) leaf(w, prefix, key, leafOf(have), undefined);
  return walkNodes(w, wantNode ? want : noNode, haveNode ? have : noNode, path, undefined);
}

/** Compares one leaf; the path string is built only when the values differ. */
function leaf(w: Walk, prefix: string, key: string, before: unknown, after: unknown): void {
  if (sameLeaf(key.endsWith("email"), before, after)) return;
  const path = `${prefix}.${key}`;
  if (compared(w.kind, path) && !isIgnored(path, w.ignore)) w.diffs.push({ path, before, after });
}

function byPath(a: FieldDiff, b: FieldDiff): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
