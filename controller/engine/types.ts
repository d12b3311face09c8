/**
 * The engine's shared vocabulary: what observe produces (`LiveState`), what plan produces
 * (`Plan`), and what apply calls per kind (`KindAdapter`, the four verbs of style.md §3).
 * The planner is pure and sees only these types; the adapters are the only engine code
 * that knows the platform client.
 */
import type { DesiredResource, DesiredState, KindName, ResourcePolicy } from "../model/desired-state.js";
import type {
  ExtensionSpec,
  NumberSpec,
  PbxSpec,
  SipTrunkSpec,
  TenantSpec,
  UserSpec,
} from "../model/resources.gen.js";

/** Platform status of a live object; `pending` while the platform provisions it. */
export type LiveStatus = "active" | "pending" | "suspended";

/**
 * A live object as observed, in the same shape as the desired spec so the planner can
 * compare field by field. Write-only fields (PINs, passwords) are absent; references are
 * by natural name (a Number's `pbx` and `trunk` are names, not ids).
 */
export interface LiveResource<K extends KindName, S> {
  kind: K;
  /** Natural key, as `resourceKey()` builds it (controller/model/keys.ts). */
  key: string;
  /** Platform id. */
  id: string;
  /** Customer code of the owning tenant. */
  tenant: string;
  /** For extensions: the PBX name. */
  pbx?: string;
  /** The live name for kinds named by metadata.name (PBX, SIP trunk). */
  name?: string;
  spec: S;
  status: LiveStatus;
  /** Platform-only facts shown to people (meetingId, hasPassword, counts, createdAt). */
  facts: Record<string, string | number | boolean | null>;
}

export type LiveTenant = LiveResource<"Tenant", TenantSpec>;
export type LiveUser = LiveResource<"User", UserSpec>;
export type LiveSipTrunk = LiveResource<"SipTrunk", Omit<SipTrunkSpec, "password">>;
export type LivePbx = LiveResource<"Pbx", PbxSpec>;
export type LiveNumber = LiveResource<"Number", NumberSpec>;
export type LiveExtension = LiveResource<"Extension", Omit<ExtensionSpec, "pin">>;
export type AnyLiveResource = LiveTenant | LiveUser | LiveSipTrunk | LivePbx | LiveNumber | LiveExtension;

/** Everything observed on the platform for the tenants in scope. */
export interface LiveState {
  /** Customer codes that were observed (a tenant not listed here was not looked at). */
  scope: string[];
  tenants: LiveTenant[];
  users: LiveUser[];
  trunks: LiveSipTrunk[];
  pbxs: LivePbx[];
  numbers: LiveNumber[];
  extensions: LiveExtension[];
}

/** What the store remembers of one managed resource (controller/store owns the table). */
export interface InventoryEntry {
  key: string;
  kind: KindName;
  tenant: string;
  /** Platform id; null while a create is pending (recorded before the call). */
  platformId: string | null;
  /** Which source owns it: a GitOps repo path, or `terraform:<workspace>`. */
  source: string;
  state: "creating" | "managed";
  /** Salted hashes of the secrets last applied, by field path (e.g. `spec.pin`). */
  secretHashes: Record<string, string>;
  /**
   * The resource's deletionPolicy when last applied: once its document is gone from the
   * source, this is the only place left to read it from. Absent means "delete".
   */
  deletionPolicy?: "delete" | "orphan";
}

/** One field that differs. Sensitive values are never carried: only `sensitive: true`. */
export interface FieldDiff {
  /** Dot path relative to the document, e.g. `spec.license`. */
  path: string;
  before?: unknown;
  after?: unknown;
  sensitive?: boolean;
}

/**
 * What a change does. `forget` removes an inventory entry without touching the platform
 * (deletionPolicy orphan, or an interrupted create that left nothing behind).
 */
export type ChangeAction = "create" | "update" | "delete" | "adopt" | "forget" | "noop";

/** One step of a plan. */
export interface PlannedChange {
  action: ChangeAction;
  kind: KindName;
  key: string;
  tenant: string;
  /** Platform id, when the object exists. */
  id?: string;
  diffs: FieldDiff[];
  /** Keys of the changes that must succeed first. */
  dependsOn: string[];
  /** Why this action (e.g. "not on the platform", "removed from source, prune on"). */
  reason: string;
  /** Desired resource, for create/update/adopt. */
  desired?: DesiredResource<KindName, unknown>;
  /** Live resource, for update/delete/adopt. */
  live?: AnyLiveResource;
  policy?: ResourcePolicy;
  /**
   * Salted hashes of the desired secrets (create/update/adopt), for apply to record once
   * the step succeeded. Hashes, never values; planToJson leaves them out all the same.
   */
  secretHashes?: Record<string, string>;
  /** Part of a replacement (delete then create of the same key): a Number cannot be updated. */
  replaces?: boolean;
}

/** Options of `plan()`; every field has a default. */
export interface PlanPolicy {
  /** Delete inventory objects that left the source. Default false. */
  prune: boolean;
  /** Largest share of a tenant's managed objects one plan may delete. Default 0.2. */
  maxDeleteShare: number;
  /** Lift the mass-delete guard. Default false. */
  allowMassDelete: boolean;
  /** Source this run speaks for (inventory ownership). */
  source: string;
  /** Salt and hash function for secret change detection. */
  hashSecret: (field: string, value: string) => string;
}

/** Drift found on a resource whose mode forbids repairing it (warn/observe). */
export interface DriftReport {
  key: string;
  kind: KindName;
  tenant: string;
  mode: "warn" | "observe";
  diffs: FieldDiff[];
  /** The object is declared but not on the platform (a create that the mode forbids). */
  missing?: boolean;
}

export interface Plan {
  /**
   * Changes in dependency order (creates/updates parents first, deletes children first),
   * noops included: they carry the platform ids that adapters resolve parents with.
   */
  changes: PlannedChange[];
  drift: DriftReport[];
  /** Reasons the plan must not be applied (mass-delete guard, ownership clash). */
  refusals: string[];
  warnings: string[];
}

/** What apply gives an adapter: the client and the ids known so far. */
export interface ApplyContext {
  /** Resolves natural keys to platform ids, including ids created earlier in this run. */
  idOf(key: string): string | undefined;
  /** Platform request id of the last call, for the step record. */
  lastRequestId?: string;
}

/** The four verbs for one kind (style.md §3). Each is idempotent. */
export interface KindAdapter<K extends KindName, D, L extends AnyLiveResource> {
  kind: K;
  /** Creates the object; on "already exists" finds it by natural key and returns it. */
  create(ctx: ApplyContext, desired: DesiredResource<K, D>): Promise<{ id: string; adopted: boolean }>;
  /** Makes the live object equal to desired for the given diffs. */
  update(ctx: ApplyContext, desired: DesiredResource<K, D>, live: L, diffs: FieldDiff[]): Promise<void>;
  /** Deletes the object; a missing one counts as deleted. */
  delete(ctx: ApplyContext, live: L): Promise<void>;
  /** Finds the live object by natural key (adoption after a crash). */
  find(ctx: ApplyContext, desired: DesiredResource<K, D>): Promise<L | undefined>;
}

export type { DesiredState };
