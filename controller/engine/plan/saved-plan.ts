/**
 * Saved plans, as Terraform's `plan -out` works: a plan written to a file, reviewed (a
 * GitOps pull request), and applied later exactly as it was, or refused when what it was
 * computed from has changed since. This module is pure: the file's shape, its
 * (de)serialisation, and the comparison of a plan's basis with the present.
 *
 * The basis of a plan is what it was computed from: the source's revision, and for every
 * key the plan names (noops included: their ids resolve parents) a fingerprint of the
 * live object and of the inventory entry. Secrets never enter the file: desired secrets
 * are written as their reference (`file:…`, `env:…`) and the plan's salted hashes, which
 * the apply checks against the values it reads again.
 */
import { createHash } from "node:crypto";
import { Secret } from "../../model/desired-state.js";
import type { InventoryEntry } from "../../model/inventory.js";
import type { AnyLiveResource, LiveState } from "../../model/live-state.js";
import type { Plan } from "../../model/plan.js";
import { EngineError } from "../errors.js";

/** The `format` of every saved plan file this version writes and reads. */
export const savedPlanFormat = "omnia-plan/v1";

/** The file is not a saved plan this version can read. */
export const errBadPlanFile = "not a saved plan";

/** What a plan was computed from, by key: fingerprints, or null for "absent". */
export interface PlanBasis {
  /** The source's revision (a commit, or `sha256:` of the manifests). */
  revision: string;
  /** Live object of each key the plan names. */
  live: Record<string, string | null>;
  /** The planning source's inventory entry of each key. */
  inventory: Record<string, string | null>;
}

/**
 * Where a plan's state lives: the state store and the key of its secret hashes. A plan
 * applied with another store or key would compare against another inventory's hashes
 * and see every secret as changed.
 */
export interface SavedPlanState {
  /** The store as `describe()` gives it: `pglite /abs/.omnia/state`, or `postgres <URL without password>`. */
  store: string;
  /** The secret key's id (the first 8 hex digits of its SHA-256; safe to show). */
  secretKeyId: string;
}

/** A saved plan is applied with another state store or secret key than it was made with. */
export const errPlanOtherState =
  "the saved plan was made with another state store or secret key: applied here it would see every secret as changed; run omnia plan again with this store and key, or apply with the ones it names";

/**
 * Why `saved` may not be applied with the state `now` (`errPlanOtherState` followed by
 * both stores and key ids), or undefined when they are the same. A plan saved before
 * plans recorded their state (no `state`) is not checked.
 */
export function otherStateOf(saved: SavedPlanState | undefined, now: SavedPlanState): string | undefined {
  if (!saved || (saved.store === now.store && saved.secretKeyId === now.secretKeyId)) return undefined;
  const differs = [
    saved.store === now.store ? "" : `state store: the plan's ${saved.store}, here ${now.store}`,
    saved.secretKeyId === now.secretKeyId
      ? ""
      : `secret key: the plan's ${saved.secretKeyId}, here ${now.secretKeyId}`,
  ].filter(Boolean);
  return `${errPlanOtherState} (${differs.join("; ")})`;
}

/** A saved plan file's content (JSON). */
export interface SavedPlan {
  format: typeof savedPlanFormat;
  /** When the plan was made (ISO 8601). */
  createdAt: string;
  /** The plan run's id. */
  runId: string;
  source: { name: string; location: string };
  /** The state store and secret key the plan was made with (absent in older files). */
  state?: SavedPlanState;
  /** Customer codes in scope. */
  tenants: string[];
  settings: { prune?: boolean; allowMassDelete?: boolean; maxDeleteShare?: number };
  basis: PlanBasis;
  /** The plan; desired secrets as `{ sensitive: true, ref }`. */
  plan: Plan;
  /**
   * SHA-256 (hex) of everything above, as serialised: `omnia apply FILE` refuses a file
   * edited after it was saved (an edit there would not be applied, but the plan reviewed
   * would no longer be the plan shown).
   */
  digest?: string;
}

/**
 * The status as the planner compares it: the platform's `pending` (provisioning a new PBX,
 * an invited user) counts as `active`, so the platform finishing it does not make a plan stale.
 */
const plannedStatus = (s: AnyLiveResource["status"]) => (s === "pending" ? "active" : s);

/** A stable fingerprint of a live object (id, name, status, spec), or null when absent. */
export function liveFingerprint(r: AnyLiveResource | undefined): string | null {
  if (!r) return null;
  return digest({
    id: r.id,
    name: r.name ?? null,
    pbx: r.pbx ?? null,
    status: plannedStatus(r.status),
    spec: r.spec,
  });
}

/** A stable fingerprint of an inventory entry, or null when absent. */
export function inventoryFingerprint(e: InventoryEntry | undefined): string | null {
  if (!e) return null;
  return digest({
    platformId: e.platformId,
    state: e.state,
    secretHashes: e.secretHashes,
    deletionPolicy: e.deletionPolicy ?? "delete",
  });
}

/** The basis of `plan`: the revision and the fingerprints of every key it names. */
export function basisOf(
  plan: Plan,
  revision: string,
  live: LiveState,
  inventory: readonly InventoryEntry[],
  source: string,
): PlanBasis {
  const liveByKey = liveIndex(live);
  const mine = new Map(inventory.filter((e) => e.source === source).map((e) => [e.key, e]));
  const basis: PlanBasis = { revision, live: {}, inventory: {} };
  for (const c of plan.changes) {
    basis.live[c.key] = liveFingerprint(liveByKey.get(c.key));
    basis.inventory[c.key] = inventoryFingerprint(mine.get(c.key));
  }
  return basis;
}

/**
 * What changed between a plan's basis and the present, one line per difference (empty:
 * the plan still holds). `before` gives the live objects as planned, to name the fields.
 */
export function staleness(
  basis: PlanBasis,
  now: { revision: string; live: LiveState; inventory: readonly InventoryEntry[]; source: string },
  before?: ReadonlyMap<string, AnyLiveResource>,
): string[] {
  const out: string[] = [];
  if (basis.revision !== now.revision) {
    out.push(`the source changed since the plan: revision ${basis.revision} is now ${now.revision}`);
  }
  const liveByKey = liveIndex(now.live);
  const mine = new Map(now.inventory.filter((e) => e.source === now.source).map((e) => [e.key, e]));
  for (const [key, was] of Object.entries(basis.live)) {
    const r = liveByKey.get(key);
    const is = liveFingerprint(r);
    if (is === was) continue;
    if (was === null) out.push(`${key}: created on the platform since the plan`);
    else if (is === null) out.push(`${key}: deleted from the platform since the plan`);
    else {
      const fields = before?.get(key) && r ? changedFields(before.get(key) as AnyLiveResource, r) : [];
      out.push(
        `${key}: changed on the platform since the plan${fields.length ? ` (${fields.join(", ")})` : ""}`,
      );
    }
  }
  for (const [key, was] of Object.entries(basis.inventory)) {
    if (inventoryFingerprint(mine.get(key)) !== was)
      out.push(`${key}: the state store's entry changed since the plan (another apply ran)`);
  }
  return out;
}

const redactSecrets = (_k: string, v: unknown) => (v instanceof Secret ? { sensitive: true, ref: v.ref } : v);

/** SHA-256 of a saved plan's content (its `digest` left out), as JSON. */
function contentDigest(saved: SavedPlan): string {
  const { digest: _d, ...content } = saved;
  return createHash("sha256").update(JSON.stringify(content, redactSecrets)).digest("hex");
}

/** Serialises a saved plan with its digest; secrets become `{ sensitive: true, ref }`, never values. */
export function serializeSavedPlan(saved: SavedPlan): string {
  const content: SavedPlan = JSON.parse(JSON.stringify({ ...saved, digest: undefined }, redactSecrets));
  return `${JSON.stringify({ ...content, digest: contentDigest(content) }, null, 2)}\n`;
}

/** Parses a saved plan file's text. Throws `EngineError(errBadPlanFile)` naming `file` and what is wrong. */
export function parseSavedPlan(text: string, file: string): SavedPlan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new EngineError(errBadPlanFile, `${file}: ${(err as Error).message}`);
  }
  const v = value as Partial<SavedPlan> | null;
  if (!v || typeof v !== "object" || v.format !== savedPlanFormat) {
    throw new EngineError(errBadPlanFile, `${file}: format is not "${savedPlanFormat}"`);
  }
  const missing = (["createdAt", "runId", "source", "tenants", "settings", "basis", "plan"] as const).filter(
    (k) => v[k] === undefined,
  );
  if (missing.length > 0 || !Array.isArray(v.plan?.changes)) {
    throw new EngineError(
      errBadPlanFile,
      `${file}: missing ${missing.length ? missing.join(", ") : "plan.changes"}`,
    );
  }
  if (v.digest !== contentDigest(v as SavedPlan)) {
    throw new EngineError(errBadPlanFile, `${file}: it was changed after it was saved; run plan again`);
  }
  return v as SavedPlan;
}

/** True when `text` looks like a saved plan (a JSON object naming our format). */
export function isSavedPlanText(text: string): boolean {
  return /^\s*\{/.test(text) && text.includes(`"${savedPlanFormat}"`);
}

function liveIndex(live: LiveState): Map<string, AnyLiveResource> {
  const out = new Map<string, AnyLiveResource>();
  for (const list of Object.values(live)) {
    if (!Array.isArray(list)) continue;
    for (const r of list as AnyLiveResource[]) if (typeof r === "object" && r.key) out.set(r.key, r);
  }
  return out;
}

/** Top-level spec fields (and status, name) that differ between two live objects. */
function changedFields(a: AnyLiveResource, b: AnyLiveResource): string[] {
  const out: string[] = [];
  if (plannedStatus(a.status) !== plannedStatus(b.status)) out.push(`status: ${a.status} → ${b.status}`);
  if ((a.name ?? null) !== (b.name ?? null)) out.push("name");
  const sa = a.spec as Record<string, unknown>;
  const sb = b.spec as Record<string, unknown>;
  for (const k of [...new Set([...Object.keys(sa), ...Object.keys(sb)])].sort()) {
    if (canonical(sa[k]) !== canonical(sb[k])) out.push(`spec.${k}: ${short(sa[k])} → ${short(sb[k])}`);
  }
  return out;
}

const short = (v: unknown) => {
  const s = JSON.stringify(v ?? null);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/** JSON with object keys sorted, so equal values give equal text. */
function canonical(v: unknown): string {
  return JSON.stringify(v ?? null, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}

function digest(v: unknown): string {
  return createHash("sha256").update(canonical(v)).digest("hex").slice(0, 32);
}
