/**
 * What the HTTP service needs from the rest of the controller, declared here as ports so
 * the service is built and tested without a database or a scheduler (SERVE.md §Service).
 * The store methods carry the names and meanings SERVE.md fixes for `Store`
 * (controller/store), so the composition root passes the store itself; `trigger` is the
 * scheduler's; `planTenant` and `applyTenantNow` wrap the engine's tenant entry point.
 */
import type {
  ApiToken,
  ControllerEvent,
  ControllerEventInput,
  ReconcileReason,
  ReconcileRequest,
  RequestMode,
  SealedSecret,
  SecretReference,
  SourceRecord,
  SourceSpec,
  StoredSecretAddress,
  StoredSecretInfo,
  TenantPhase,
  TenantStatus,
  TokenScope,
} from "../model/control.js";
import type { FieldDiff } from "../model/plan.js";
import type { RunMode, RunOutcome, RunRecord, StepRecord } from "../model/run.js";
import type { Lease, ResourceStatus } from "../model/status.js";

/** Which runs to list, newest first (the store's `RunFilter` as SERVE.md extends it). */
export interface ServiceRunFilter {
  /** Default 50. */
  limit?: number;
  source?: string;
  /** Runs of any of these sources (a partner's); an empty list matches none. */
  sources?: string[];
  tenant?: string;
  outcome?: RunOutcome;
  mode?: RunMode;
  /** Runs started strictly before this time (paging by startedAt). */
  before?: Date;
}

/** Which tenant statuses to list (SERVE.md `listTenantStatus`). */
export interface TenantStatusFilter {
  partner?: string;
  source?: string;
  phase?: TenantPhase;
  /** Part of the customer code, case-insensitive. */
  q?: string;
  sort?: "tenant" | "phase" | "lastRunAt" | "drifted";
  order?: "asc" | "desc";
  limit?: number;
  offset?: number;
}

/** A resource stored through the API (the `api` source), as the store keeps it. */
export interface StoredResource {
  source: string;
  tenant: string;
  kind: string;
  /** The full natural key, e.g. `Extension/ACME001/hq/201`. */
  key: string;
  /** The manifest document; secrets only as `{fromEnv}` / `{fromFile}` / `{fromSecret}` references. */
  document: Record<string, unknown>;
  updatedAt: Date;
}

/** The store methods the service calls; `Store` (controller/store) implements them. */
export interface ServiceStore {
  upsertSource(spec: SourceSpec): Promise<SourceRecord>;
  getSource(id: string): Promise<SourceRecord | undefined>;
  listSources(filter?: { partner?: string }): Promise<SourceRecord[]>;
  deleteSource(id: string): Promise<boolean>;

  listRequests(filter?: { source?: string }): Promise<ReconcileRequest[]>;
  queueDepth(): Promise<{ apply: number; drift: number }>;

  getTenantStatus(source: string, tenant: string): Promise<TenantStatus | undefined>;
  listTenantStatus(filter: TenantStatusFilter): Promise<{ items: TenantStatus[]; total: number }>;
  /** By key; only the given tenants when set (existing `Store` method). */
  listResourceStatus(filter?: { tenants?: readonly string[] }): Promise<ResourceStatus[]>;

  createToken(t: { partner: string; name: string; scopes: TokenScope[]; hash: string }): Promise<ApiToken>;
  findTokenByHash(hash: string): Promise<ApiToken | undefined>;
  listTokens(partner: string): Promise<ApiToken[]>;
  /** False when no token `id` of `partner` exists (already revoked ones count as existing). */
  revokeToken(id: string, partner: string): Promise<boolean>;
  touchToken(id: string, at: Date): Promise<void>;

  appendEvent(e: ControllerEventInput): Promise<ControllerEvent>;
  /** seq ascending. */
  listEvents(f: { afterSeq?: number; partner?: string; limit?: number }): Promise<ControllerEvent[]>;

  /** False when `deliveryId` was recorded for `source` before (a replay). */
  recordDelivery(source: string, deliveryId: string, at?: Date): Promise<boolean>;

  putStoredResource(r: {
    source: string;
    tenant: string;
    kind: string;
    key: string;
    document: Record<string, unknown>;
  }): Promise<{ created: boolean }>;
  getStoredResource(source: string, key: string): Promise<StoredResource | undefined>;
  deleteStoredResource(source: string, key: string): Promise<boolean>;
  listStoredResources(source: string): Promise<Omit<StoredResource, "source">[]>;

  /** Stores a secret already sealed by `ServiceDeps.sealSecret`; the store never sees a value. */
  putStoredSecret(address: StoredSecretAddress, sealed: SealedSecret): Promise<{ created: boolean }>;
  /** False when there was no such secret. */
  deleteStoredSecret(address: StoredSecretAddress): Promise<boolean>;
  /** A source's secrets by tenant then name, without values; one tenant's when set. */
  listStoredSecrets(source: string, filter?: { tenant?: string }): Promise<StoredSecretInfo[]>;

  /** The inventory entry of a natural key (who owns it), `Store.getInventory`. */
  getInventory(key: string): Promise<{ key: string; source: string; tenant: string } | undefined>;

  getRun(id: string): Promise<RunRecord | undefined>;
  listRuns(filter?: ServiceRunFilter): Promise<RunRecord[]>;
  listSteps(runId: string): Promise<StepRecord[]>;

  /** Leases in force (existing `Store` method), for the lease-holder gauge. */
  listLeases(): Promise<Lease[]>;
}

/** One change of a plan as the API shows it; secrets only as `sensitive: true` diffs. */
export interface PlanChangeView {
  action: string;
  kind: string;
  key: string;
  tenant: string;
  reason: string;
  diffs: FieldDiff[];
}

/** What `planTenant` answers: the tenant's plan from the source's current revision. */
export interface TenantPlanView {
  revision: string;
  /** Problems of the revision (`file:line:col: message`); a plan with problems changes nothing. */
  problems: string[];
  changes: PlanChangeView[];
  refusals: string[];
  warnings: string[];
}

/**
 * A live object as the platform answers it (after an apply, or read now for a refresh or an
 * import). The platform never returns secrets: a secret field of the kind (the registry's
 * `secretPaths`) shows only as `{sensitive: true}` when the platform says one is set
 * (`hasPin`, `hasPassword`), and is absent otherwise.
 */
export interface LiveObjectView {
  kind: string;
  /** Full natural key, e.g. `Extension/ACME001/hq/201`. */
  key: string;
  /** Platform id. */
  id: string;
  spec: Record<string, unknown>;
  /** Platform status (`active`, `pending`, `suspended`) and facts (`meetingId`, `hasPin`, ...). */
  status?: { phase: string; facts: Record<string, string | number | boolean | null> };
  /** The source whose inventory owns the key, or null when no source manages it. */
  owner: { source: string } | null;
}

/** What `applyTenantNow` answers: the engine's outcome and the tenant's live objects. */
export interface ApplyNowResult {
  outcome: "done" | "retry" | "terminal";
  runId: string | null;
  /** Why it did not finish (`retry`, `terminal`); never a secret. */
  reason: string | null;
  live: LiveObjectView[];
  /** What the run's plan left undone and why (warnings, drift its driftMode forbids repairing). */
  notes?: string[];
  /** When the source's documents could not be loaded (`terminal`): each problem. Default none. */
  problems?: LoadProblemView[];
}

/**
 * One problem of loading a source's documents, as the API shows it: its place (for a
 * document stored through the API, its address and the field's JSON pointer,
 * `api:/v1/tenants/ACME001/resources/Extension/hq%2F201#/spec/pin`; in a file,
 * `file:line:col`) and the loader's message, which names secrets but never holds a value.
 */
export interface LoadProblemView {
  place: string;
  message: string;
}

/**
 * The platform's own dashboard figures for one source's account (omnia-api.yaml
 * `Dashboard`, `GET /rest/dashboard`): customers acquired per month with the change against
 * the month before, totals of customers and PBXs with their change this month (percent;
 * null when the month before had none), and licenses by kind.
 */
export interface InventoryFigures {
  customersPerMonth: { month: string; acquired: number; growthPercent: number | null }[];
  totals: {
    customers: number;
    customersGrowthPercent: number | null;
    pbxs: number;
    pbxsGrowthPercent: number | null;
    licenses: { start: number; plus: number; total: number };
  };
}

/** Everything `buildApp` needs. */
export interface ServiceDeps {
  store: ServiceStore;
  /** The scheduler's trigger: queue a reconcile of one tenant, or every tenant (`*`), of a source. */
  trigger(source: string, tenant: string, reason: ReconcileReason, mode: RequestMode): Promise<void>;
  /** Plans one tenant of a source now, writing nothing to the platform. */
  planTenant(source: string, tenant: string, signal?: AbortSignal): Promise<TenantPlanView>;
  /**
   * Reads the source as the engine would and answers its problems, formatted
   * (`place: message`), each with its place (`file`): how a written resource is checked
   * against the rest of the source (references, secrets) before it is kept.
   */
  sourceProblems(source: string, signal?: AbortSignal): Promise<{ file: string; text: string }[]>;
  /** Reconciles one tenant now (under its lease) and answers its live objects (`?wait=true`). */
  applyTenantNow(source: string, tenant: string, signal: AbortSignal): Promise<ApplyNowResult>;
  /**
   * Reads every object of `tenant` from the platform now, through the source's account
   * client and rate budget (observe's list calls for the tenant, never a write), each with
   * its owner; secrets as markers only. Concurrent reads of the same source and tenant
   * share one platform read (nothing is kept after it settles). Empty when the platform
   * has no such tenant. Throws what the platform client throws.
   */
  observeTenant(source: string, tenant: string, signal?: AbortSignal): Promise<LiveObjectView[]>;
  /**
   * Seals a secret for the store (runtime/stored-secrets.ts: AES-256-GCM under a key derived
   * from OMNIA_SECRET_KEY, bound to its address). Throws `StoredSecretError` when the value
   * is empty or too long.
   */
  sealSecret(address: StoredSecretAddress, value: string): SealedSecret;
  /** Reads a secret of the operator's (the webhook secret); throws when it cannot. */
  resolveSecret(ref: SecretReference): Promise<string>;
  /**
   * The platform's dashboard figures of a source's account, for the dashboard's inventory
   * page (issue 10). Optional: without it the page says the figures cannot be read.
   */
  inventoryFigures?(source: string, signal?: AbortSignal): Promise<InventoryFigures>;
  /** Whether the replica can serve (store reachable, scheduler started). Default: always. */
  ready?(): Promise<boolean>;
}
