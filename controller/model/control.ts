/**
 * The controller service's vocabulary (`omnia serve`, issue 9): registered sources and
 * their policies, the reconcile request queue, each tenant's status as the dashboard and
 * the API show it, API tokens and the event log. The store keeps these rows
 * (controller/store), the scheduler moves them (controller/scheduler), the service shows
 * them (controller/service). Plain data; no secret value ever appears in one of them:
 * a platform password or webhook secret is a reference, a token is kept as a hash.
 */
import type { FieldDiff } from "./plan.js";

/**
 * Where a secret of the operator's comes from: a variable of the controller's
 * environment, or a file the operator names. Resolved only when used, never stored.
 */
export type SecretReference = { fromEnv: string } | { fromFile: string };

/** Where a source's manifests are: a folder on the controller's host, or a git branch. */
export type SourceLocation =
  | { type: "folder"; path: string }
  | {
      type: "git";
      /** Clone URL (`https://…`, `ssh://…`, `file://…` or a local path). */
      url: string;
      /** Branch to follow. Default `main`. */
      branch: string;
      /** Folder inside the repository holding the manifests. Default the root. */
      path?: string;
    }
  | {
      /** Resources written through the API (`PUT /v1/tenants/{tenant}/resources/...`). */
      type: "api";
    };

/** The platform account a source reconciles with. */
export interface PlatformAccount {
  /** Base URL of the Omnia API, e.g. `https://omnia.example.it`. */
  url: string;
  domain: string;
  username: string;
  password: SecretReference;
  /**
   * Requests per second the platform allows this account, for all replicas together
   * (shared by drift checks and writes, writes first). Absent: the controller's default
   * (`defaultAccountRequestsPerSecond`, 20).
   */
  requestsPerSecond?: number;
}

/** How and how often a source is reconciled; every field has a default. */
export interface SourcePolicies {
  /** Reconcile every tenant this often (ms), with ±10 % jitter. Default 5 min. */
  intervalMs: number;
  /** Drift checks (observe and plan, no writes) this often (ms). Default 1 min. */
  driftIntervalMs: number;
  /** Delete objects the source owned and no longer declares. Default false. */
  prune: boolean;
  /** driftMode of documents that do not set one (see common.schema.json). Default enforce. */
  driftMode: "enforce" | "warn" | "observe";
  /** Platform calls in flight at most per tenant apply. Default 4. */
  parallelism: number;
  /** A suspended source is not reconciled; its tenants show `Suspended`. Default false. */
  suspended: boolean;
}

/** A source as registered (config file or API). */
export interface SourceSpec {
  /** Unique, `[a-z0-9][a-z0-9-]{0,62}`; also the inventory's source name. */
  id: string;
  /** The partner that owns it; tokens see only their partner's sources. */
  partner: string;
  location: SourceLocation;
  account: PlatformAccount;
  policies: SourcePolicies;
  /** HMAC key of the webhook (`X-Hub-Signature-256` / `X-Gitlab-Token`); none: webhook refused. */
  webhookSecret?: SecretReference;
}

/** A registered source with what the controller learned of it. */
export interface SourceRecord extends SourceSpec {
  createdAt: Date;
  updatedAt: Date;
  /** The revision last read (a git commit, or `sha256:…` of a folder). */
  lastRevision: string | null;
  /** The last revision that validated; tenants keep the state it applied. */
  lastGoodRevision: string | null;
  /** Problems of `lastRevision` when it did not validate, each `file:line:col: message`. */
  problems: string[];
  lastReadAt: Date | null;
}

/** A tenant's state at a glance (the dashboard's and the API's word). */
export type TenantPhase = "InSync" | "Drifted" | "Reconciling" | "Failed" | "Suspended";

/** Why a reconcile was asked for. */
export type ReconcileReason =
  | "interval"
  | "drift-interval"
  | "webhook"
  | "manual"
  | "api"
  | "revision"
  | "retry"
  | "startup";

/** The last word on one tenant of one source. */
export interface TenantStatus {
  source: string;
  /** Customer code. */
  tenant: string;
  partner: string;
  phase: TenantPhase;
  /** Why it is in that phase, in plain words (a manifest problem carries file:line:col). */
  reason: string | null;
  /** The source revision the last finished reconcile worked from. */
  observedRevision: string | null;
  lastRunId: string | null;
  lastRunAt: Date | null;
  /** Resources found drifted by the last drift check or reconcile. */
  drifted: number;
  /** Consecutive failed attempts (reset by success); drives the backoff. */
  attempts: number;
  /** When the next retry is due, when one is. */
  nextAttemptAt: Date | null;
  updatedAt: Date;
}

/** A change to a tenant's status; fields left out keep their value. */
export type TenantStatusPatch = Partial<Omit<TenantStatus, "source" | "tenant" | "updatedAt">>;

/** `apply` makes the platform match; `drift` observes and plans only. */
export type RequestMode = "apply" | "drift";

/** One queued reconcile: only the tenant's identity travels. */
export interface ReconcileRequest {
  source: string;
  tenant: string;
  mode: RequestMode;
  /** Every reason merged into this request since it was queued. */
  reasons: ReconcileReason[];
  /** Bumped by each trigger; a trigger during a run re-queues it (see `completeRequest`). */
  generation: number;
  /** Not claimed before this time (backoff, jitter). */
  notBefore: Date;
  attempts: number;
  requestedAt: Date;
  /** The worker that claimed it and until when; null while queued. */
  claimedBy: string | null;
  claimedUntil: Date | null;
}

/** What an API token may do. `admin` manages sources and tokens of its partner. */
export type TokenScope = "read" | "write" | "admin";

/** An API token as shown; its secret is shown once at creation and stored only as a hash. */
export interface ApiToken {
  id: string;
  partner: string;
  name: string;
  scopes: TokenScope[];
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** What happened, for the SSE stream, the dashboard and the audit of API changes. */
export type ControllerEventType =
  | "run.started"
  | "run.finished"
  | "step.finished"
  | "tenant.status"
  | "source.revision"
  | "api.change";

/** One event; `seq` orders them across replicas (the store assigns it). */
export interface ControllerEvent {
  seq: number;
  at: Date;
  type: ControllerEventType;
  partner: string;
  source: string | null;
  tenant: string | null;
  /** Who caused it: a token's name and id, `scheduler`, or `webhook`. */
  actor: string | null;
  /** Client address of an API change. */
  ip: string | null;
  /** Event details; never a secret. */
  data: Record<string, unknown>;
}

/** An event as appended (the store assigns `seq` and `at`). */
export type ControllerEventInput = Omit<ControllerEvent, "seq" | "at"> & { at?: Date };

/**
 * Who changed a drifted resource by hand, from the platform's own audit logs (the Admin
 * Console log and the Omnia Manager log, omnia-manual §Log).
 */
export interface DriftAttribution {
  /** The platform user who made the change. */
  actor: string;
  at: Date;
  ip: string | null;
  /** Which log it was found in. */
  log: "admin-console" | "omnia-manager";
  /** The log line's own words. */
  operation: string;
}

/** A drifted resource as the tenant page shows it. */
export interface DriftedResource {
  key: string;
  kind: string;
  diffs: FieldDiff[];
  driftMode: "enforce" | "warn" | "observe";
  changedBy: DriftAttribution | null;
}

/** A trigger: which tenant, why, and not before when. */
export interface EnqueueRequest {
  source: string;
  tenant: string;
  mode: RequestMode;
  reason: ReconcileReason;
  /** Not claimed before this. Default: now. */
  notBefore?: Date;
}

/** Options of `claimRequests`. */
export interface ClaimOptions {
  /** Who claims (a replica's worker id); written as `claimedBy`. */
  worker: string;
  /** Most requests to claim, 1 to 1,000. */
  limit: number;
  /** How long the claim holds (ms, 1 to a day); extend it with `extendClaim`. */
  claimMs: number;
  /** Default: the store's clock. */
  now?: Date;
  /** Only these modes. Default both. */
  modes?: RequestMode[];
}

/** What `completeRequest` did. */
export type CompleteResult = "deleted" | "requeued" | "retrying";

/**
 * A secret stored through the controller API (`PUT /v1/tenants/{tenant}/secrets/{name}`),
 * sealed by the runtime (controller/runtime/stored-secrets.ts) before it reaches the store:
 * AES-256-GCM ciphertext with its 16-byte tag appended, the 12-byte nonce, and the id of
 * the controller key it was sealed under (the first 8 hex digits of the SHA-256 of
 * `OMNIA_SECRET_KEY`, as `secretKeyId` names it). The clear value is never in this shape.
 */
export interface SealedSecret {
  ciphertext: Uint8Array;
  nonce: Uint8Array;
  keyId: string;
}

/** Where a stored secret lives: its `api` source, tenant (customer code) and name. */
export interface StoredSecretAddress {
  source: string;
  tenant: string;
  /** `^[a-z0-9][a-z0-9-]{0,126}$`, the name a document's `{fromSecret}` gives. */
  name: string;
}

/** A stored secret as listed: its address and times, never its value. */
export interface StoredSecretInfo extends StoredSecretAddress {
  keyId: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The namespace of a partner's secret variables: `OMNIA_SECRET_<PARTNER>_`, the partner
 * upper-cased with every other character than A-Z and 0-9 as `_` (`acme-tlc` →
 * `OMNIA_SECRET_ACME_TLC_`). Whatever a partner writes (a source registered through the
 * API, resources written through the API) reads only variables of this namespace.
 */
export function partnerSecretPrefix(partner: string): string {
  return `OMNIA_SECRET_${partner.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_`;
}
