/**
 * The controller service's tables as `Store` methods (`omnia serve`, issue 9): sources,
 * the reconcile request queue, tenant statuses, API tokens, events and webhook
 * deliveries, replicas, API-written resources and sealed API-written secrets. Each group's SQL lives in its own
 * module; this base class of `SqlStore` binds them to the store's driver and clock.
 */
import type {
  ApiToken,
  ControllerEvent,
  ControllerEventInput,
  ReconcileRequest,
  SealedSecret,
  SourceRecord,
  SourceSpec,
  StoredSecretAddress,
  StoredSecretInfo,
  TenantStatus,
} from "../model/control.js";
import type { Driver } from "./driver.js";
import * as events from "./events.js";
import * as queue from "./queue.js";
import * as replicas from "./replicas.js";
import * as sources from "./sources.js";
import * as stored from "./stored-resources.js";
import * as secrets from "./stored-secrets.js";
import * as status from "./tenant-status.js";
import * as tokens from "./tokens.js";

/** Every controller table's methods (see each module for what they do). */
export interface ControllerStore
  extends sources.SourceStore,
    queue.RequestQueueStore,
    status.TenantStatusStore,
    tokens.TokenStore,
    events.EventStore,
    replicas.ReplicaStore,
    stored.StoredResourceStore,
    secrets.StoredSecretStore {}

/** `ControllerStore` over a driver; `SqlStore` extends it with the engine's tables. */
export class ControllerSqlStore implements ControllerStore {
  /** The driver, already guarded (errors wrapped as `StoreError`). */
  protected readonly db: Driver;
  readonly #clock: (() => Date) | undefined;

  constructor(db: Driver, clock: (() => Date) | undefined) {
    this.db = db;
    this.#clock = clock;
  }

  /** The injected clock's time, or null for the database's. */
  protected now(): Date | null {
    return this.#clock?.() ?? null;
  }

  upsertSource(spec: SourceSpec): Promise<SourceRecord> {
    return sources.upsertSource(this.db, this.now(), spec);
  }
  getSource(id: string): Promise<SourceRecord | undefined> {
    return sources.getSource(this.db, id);
  }
  listSources(filter?: sources.SourceFilter): Promise<SourceRecord[]> {
    return sources.listSources(this.db, filter);
  }
  deleteSource(id: string): Promise<boolean> {
    return sources.deleteSource(this.db, id);
  }
  recordSourceRead(id: string, read: sources.SourceRead): Promise<void> {
    return sources.recordSourceRead(this.db, this.now(), id, read);
  }

  enqueueRequest(request: queue.EnqueueRequest): Promise<void> {
    return queue.enqueueRequest(this.db, this.now(), request);
  }
  claimRequests(options: queue.ClaimOptions): Promise<ReconcileRequest[]> {
    return queue.claimRequests(this.db, this.now(), options);
  }
  completeRequest(request: ReconcileRequest, options: queue.CompleteOptions): Promise<queue.CompleteResult> {
    return queue.completeRequest(this.db, this.now(), request, options);
  }
  extendClaim(request: ReconcileRequest, worker: string, claimMs: number): Promise<boolean> {
    return queue.extendClaim(this.db, this.now(), request, worker, claimMs);
  }
  queueDepth(): Promise<{ apply: number; drift: number }> {
    return queue.queueDepth(this.db, this.now());
  }
  listRequests(filter?: { source?: string }): Promise<ReconcileRequest[]> {
    return queue.listRequests(this.db, filter);
  }

  setTenantStatus(source: string, tenant: string, patch: status.TenantStatusWrite): Promise<TenantStatus> {
    return status.setTenantStatus(this.db, this.now(), source, tenant, patch);
  }
  getTenantStatus(source: string, tenant: string): Promise<TenantStatus | undefined> {
    return status.getTenantStatus(this.db, source, tenant);
  }
  listTenantStatus(filter?: status.TenantStatusFilter): Promise<{ items: TenantStatus[]; total: number }> {
    return status.listTenantStatus(this.db, filter);
  }

  createToken(token: tokens.NewToken): Promise<ApiToken> {
    return tokens.createToken(this.db, this.now(), token);
  }
  findTokenByHash(hash: string): Promise<ApiToken | undefined> {
    return tokens.findTokenByHash(this.db, hash);
  }
  listTokens(partner: string): Promise<ApiToken[]> {
    return tokens.listTokens(this.db, partner);
  }
  revokeToken(id: string, partner: string): Promise<boolean> {
    return tokens.revokeToken(this.db, this.now(), id, partner);
  }
  touchToken(id: string, at?: Date): Promise<void> {
    return tokens.touchToken(this.db, this.now(), id, at);
  }

  appendEvent(event: ControllerEventInput): Promise<ControllerEvent> {
    return events.appendEvent(this.db, this.now(), event);
  }
  listEvents(filter?: events.EventFilter): Promise<ControllerEvent[]> {
    return events.listEvents(this.db, filter);
  }
  pruneEvents(before: Date): Promise<number> {
    return events.pruneEvents(this.db, before);
  }
  recordDelivery(source: string, deliveryId: string, at?: Date): Promise<boolean> {
    return events.recordDelivery(this.db, this.now(), source, deliveryId, at);
  }
  pruneDeliveries(before: Date): Promise<number> {
    return events.pruneDeliveries(this.db, before);
  }

  heartbeatReplica(id: string, at?: Date): Promise<void> {
    return replicas.heartbeatReplica(this.db, this.now(), id, at);
  }
  listReplicas(since: Date): Promise<replicas.ReplicaBeat[]> {
    return replicas.listReplicas(this.db, since);
  }
  removeReplica(id: string): Promise<boolean> {
    return replicas.removeReplica(this.db, id);
  }

  putStoredResource(resource: stored.StoredResourceInput): Promise<{ created: boolean }> {
    return stored.putStoredResource(this.db, this.now(), resource);
  }
  getStoredResource(source: string, key: string): Promise<stored.StoredResource | undefined> {
    return stored.getStoredResource(this.db, source, key);
  }
  deleteStoredResource(source: string, key: string): Promise<boolean> {
    return stored.deleteStoredResource(this.db, source, key);
  }
  listStoredResources(source: string, filter?: { tenant?: string }): Promise<stored.StoredResource[]> {
    return stored.listStoredResources(this.db, source, filter);
  }

  putStoredSecret(address: StoredSecretAddress, sealed: SealedSecret): Promise<{ created: boolean }> {
    return secrets.putStoredSecret(this.db, this.now(), address, sealed);
  }
  deleteStoredSecret(address: StoredSecretAddress): Promise<boolean> {
    return secrets.deleteStoredSecret(this.db, address);
  }
  listStoredSecrets(source: string, filter?: { tenant?: string }): Promise<StoredSecretInfo[]> {
    return secrets.listStoredSecrets(this.db, source, filter);
  }
  readStoredSecrets(source: string, filter?: { tenant?: string }): Promise<secrets.SealedStoredSecret[]> {
    return secrets.readStoredSecrets(this.db, source, filter);
  }
}
