/**
 * The state store's operations, written once in SQL for both drivers: the inventory of
 * managed objects, runs and steps, per-resource status and tenant leases; and, through
 * `ControllerSqlStore` (control-store.ts), the controller service's tables. Secrets are
 * kept as hashes made by the caller with a key the store never sees
 * (controller/runtime/secret-key.ts). `openStore` (index.ts) opens a driver, migrates, and builds a `SqlStore`.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { DriftAttribution } from "../model/control.js";
import type { InventoryEntry } from "../model/inventory.js";
import { ControllerSqlStore, type ControllerStore } from "./control-store.js";
import { type Driver, guardDriver, storableJson } from "./driver.js";
import { errOwnedByOtherSource, errUnknownRun, errUnknownStep, StoreError } from "./errors.js";
import * as leases from "./leases.js";
import * as runs from "./runs.js";
import type {
  InventoryFilter,
  Lease,
  LeaseResult,
  ResourceStatus,
  ResourceStatusPatch,
  RunFilter,
  RunFinish,
  RunRecord,
  RunStart,
  StepFinish,
  StepRecord,
  StepStart,
  StoredInventoryEntry,
} from "./types.js";

/**
 * The state store. Every method resolves once its write is committed. The controller
 * service's methods (sources, request queue, tenant status, tokens, events, replicas,
 * stored resources) come from `ControllerStore` (control-store.ts).
 */
export interface Store extends ControllerStore {
  /** Which database this is, for messages; a server URL without its password. */
  describe(): { driver: "postgres" | "pglite"; location: string };

  /** Inventory entries, by key. */
  listInventory(filter?: InventoryFilter): Promise<StoredInventoryEntry[]>;
  getInventory(key: string): Promise<StoredInventoryEntry | undefined>;
  /**
   * Writes an entry as given. Throws `StoreError(errOwnedByOtherSource)` when another
   * source owns the key: one resource, one owner.
   */
  upsertInventory(entry: InventoryEntry): Promise<void>;
  /** Records a create as pending (state `creating`, no platform id) before its platform call. */
  markCreating(entry: InventoryEntry): Promise<void>;
  /** Removes `source`'s entry for `key`; false when it had none. */
  deleteInventory(key: string, source: string): Promise<boolean>;

  /** Records a run as started (its start is its first heartbeat); returns its id. */
  startRun(run: RunStart): Promise<string>;
  finishRun(run: RunFinish): Promise<void>;
  /**
   * Says run `id` is alive (call it as often as tenant leases are renewed). False when
   * the run is finished or unknown, e.g. marked interrupted by another process: stop.
   */
  heartbeatRun(id: string): Promise<boolean>;
  /**
   * Ends as `interrupted` the unfinished runs whose heartbeat is older than
   * `staleBefore`, or whose holder `holderIsGone` says is gone; returns their ids, oldest
   * first. `openStore` on a PGlite folder does it for every unfinished run (see runs.ts).
   */
  markInterruptedRuns(options: runs.MarkInterruptedOptions): Promise<string[]>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Newest first (ties by id); see `RunFilter` for filters and paging. */
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;

  /** Deletes finished runs that started before `before`, with their steps; returns how many. */
  pruneRuns(before: Date): Promise<number>;

  /** Records a step as started; returns its seq. */
  startStep(step: StepStart): Promise<number>;
  /** Records how a step ended, and the resource's status with it, in one transaction. */
  finishStep(step: StepFinish): Promise<void>;
  /** A run's steps in the order they were recorded. */
  listSteps(runId: string): Promise<StepRecord[]>;

  setResourceStatus(key: string, patch: ResourceStatusPatch): Promise<void>;
  /** By key; only the given tenants when set. */
  listResourceStatus(filter?: { tenants?: readonly string[] }): Promise<ResourceStatus[]>;

  /** Takes a tenant's lease (see leases.ts): one writer per tenant across processes. */
  acquireLease(tenant: string, holder: string, ttlMs: number): Promise<LeaseResult>;
  /**
   * Extends a held lease to `ttlMs` from now. True when the renewal held; false when the
   * lease was released, or lapsed and was taken over: the holder must stop writing.
   */
  renewLease(tenant: string, holder: string, ttlMs: number): Promise<boolean>;
  releaseLease(tenant: string, holder: string): Promise<boolean>;
  /** Leases in force. */
  listLeases(): Promise<Lease[]>;

  close(): Promise<void>;
}

/** Options of `SqlStore`. */
export interface SqlStoreOptions {
  /** Clock for timestamps and lease expiry. Default: the database's clock. */
  clock?: () => Date;
  /** Shown by `describe()`. */
  location: string;
}

// Lists sort by key COLLATE "C": byte order, the same on every server locale and as
// JavaScript's default sort.
const inventoryColumns = `key, kind, tenant, platform_id AS "platformId", source, state,
  secret_hashes AS "secretHashes", coalesce(deletion_policy, 'delete') AS "deletionPolicy", last_applied_at AS "lastAppliedAt", updated_at AS "updatedAt"`;

const upsertInventorySql = `
  INSERT INTO inventory AS i (key, kind, tenant, platform_id, source, state, secret_hashes, deletion_policy,
    last_applied_at, updated_at)
  SELECT $1, $2, $3, $4, $5, $6, $7::jsonb, $9, CASE WHEN $6 = 'managed' THEN t.now END, t.now
  FROM (SELECT coalesce($8::timestamptz, clock_timestamp()) AS now) t
  ON CONFLICT (key) DO UPDATE SET
    kind = excluded.kind, tenant = excluded.tenant, platform_id = excluded.platform_id,
    state = excluded.state, secret_hashes = excluded.secret_hashes, updated_at = excluded.updated_at,
    deletion_policy = excluded.deletion_policy,
    last_applied_at = coalesce(excluded.last_applied_at, i.last_applied_at)
  WHERE i.source = excluded.source
  RETURNING key`;

const runColumns = `id, mode, source, tenants, started_at AS "startedAt", finished_at AS "finishedAt",
  outcome, summary, error, holder, heartbeat_at AS "heartbeatAt"`;

const stepColumns = `run_id AS "runId", seq, action, kind, key, tenant, state, request_id AS "requestId",
  platform_id AS "platformId", adopted, started_at AS "startedAt", finished_at AS "finishedAt",
  duration_ms AS "durationMs", error, skip_reason AS "skipReason"`;

// The run row is locked by the UPDATE, so parallel steps of one run get distinct seqs.
const startStepSql = `
  WITH r AS (
    UPDATE runs SET last_seq = greatest(last_seq, coalesce($2::integer, last_seq + 1))
    WHERE id = $1 RETURNING coalesce($2::integer, last_seq) AS seq
  )
  INSERT INTO steps (run_id, seq, action, kind, key, tenant, state, started_at)
  SELECT $1, r.seq, $3, $4, $5, $6, 'started', coalesce($7::timestamptz, clock_timestamp()) FROM r
  RETURNING seq`;

const finishStepSql = `
  UPDATE steps s SET state = $3, finished_at = t.now,
    duration_ms = coalesce($4::integer, greatest(0, round(extract(epoch FROM t.now - s.started_at) * 1000))::integer),
    request_id = $5, platform_id = $6, adopted = $7, error = $8, skip_reason = $9
  FROM (SELECT coalesce($10::timestamptz, clock_timestamp()) AS now) t
  WHERE s.run_id = $1 AND s.seq = $2
  RETURNING s.key, s.kind, s.tenant, s.finished_at AS "finishedAt"`;

// Each optional field comes with a flag: set it ($n true) or keep the stored value.
const statusSql = `
  INSERT INTO resource_status AS r (key, kind, tenant, last_outcome, last_error, last_run_id, drift, drift_diffs,
    updated_at, changed_by)
  VALUES ($1, $2, $3, $4, $6, $8, coalesce($10, 'unknown'), coalesce($11::jsonb, '[]'::jsonb),
          coalesce($12::timestamptz, clock_timestamp()), $13::jsonb)
  ON CONFLICT (key) DO UPDATE SET
    kind = excluded.kind, tenant = excluded.tenant, updated_at = excluded.updated_at,
    last_outcome = CASE WHEN $5 THEN excluded.last_outcome ELSE r.last_outcome END,
    last_error = CASE WHEN $7 THEN excluded.last_error ELSE r.last_error END,
    last_run_id = CASE WHEN $9 THEN excluded.last_run_id ELSE r.last_run_id END,
    drift = coalesce($10, r.drift),
    drift_diffs = coalesce($11::jsonb, r.drift_diffs),
    changed_by = CASE WHEN $14 THEN excluded.changed_by ELSE r.changed_by END`;

const statusColumns = `key, kind, tenant, last_outcome AS "lastOutcome", last_error AS "lastError",
  last_run_id AS "lastRunId", drift, drift_diffs AS "driftDiffs", changed_by AS "changedBy", updated_at AS "updatedAt"`;

/** `Store` over any `Driver`. Build it with `openStore`; it assumes a migrated database. */
export class SqlStore extends ControllerSqlStore implements Store {
  readonly #db: Driver;
  readonly #location: string;

  constructor(db: Driver, options: SqlStoreOptions) {
    super(guardDriver(db), options.clock);
    this.#db = this.db;
    this.#location = options.location;
  }

  /** The injected clock's time, or null for the database's. */
  #now(): Date | null {
    return this.now();
  }

  describe(): { driver: "postgres" | "pglite"; location: string } {
    return { driver: this.#db.kind, location: this.#location };
  }

  async listInventory(filter: InventoryFilter = {}): Promise<StoredInventoryEntry[]> {
    const { rows } = await this.#db.query<StoredInventoryEntry>(
      `SELECT ${inventoryColumns} FROM inventory
       WHERE ($1::text IS NULL OR source = $1) AND ($2::text[] IS NULL OR tenant = ANY($2::text[]))
       ORDER BY key COLLATE "C"`,
      [filter.source ?? null, filter.tenants ? [...filter.tenants] : null],
    );
    return rows;
  }

  async getInventory(key: string): Promise<StoredInventoryEntry | undefined> {
    const { rows } = await this.#db.query<StoredInventoryEntry>(
      `SELECT ${inventoryColumns} FROM inventory WHERE key = $1`,
      [key],
    );
    return rows[0];
  }

  async upsertInventory(e: InventoryEntry): Promise<void> {
    // A second pass only when the other owner's entry vanished between the two statements.
    for (let attempt = 0; attempt < 2; attempt++) {
      const { rows } = await this.#db.query(upsertInventorySql, [
        e.key,
        e.kind,
        e.tenant,
        e.platformId,
        e.source,
        e.state,
        storableJson(e.secretHashes),
        this.#now(),
        e.deletionPolicy ?? null,
      ]);
      if (rows.length > 0) return;
      const owner = await this.getInventory(e.key);
      if (owner) {
        throw new StoreError(
          errOwnedByOtherSource,
          `${e.key} belongs to source "${owner.source}", not "${e.source}"`,
        );
      }
    }
    throw new StoreError(errOwnedByOtherSource, `${e.key}: its owner keeps changing; try again`);
  }

  markCreating(entry: InventoryEntry): Promise<void> {
    return this.upsertInventory({ ...entry, state: "creating", platformId: null });
  }

  async deleteInventory(key: string, source: string): Promise<boolean> {
    const { rows } = await this.#db.query(
      "DELETE FROM inventory WHERE key = $1 AND source = $2 RETURNING key",
      [key, source],
    );
    return rows.length > 0;
  }

  async startRun(run: RunStart): Promise<string> {
    const id = run.id ?? randomUUID();
    await this.#db.query(
      `INSERT INTO runs (id, mode, source, tenants, started_at, heartbeat_at, holder)
       SELECT $1, $2, $3, $4::text[], t.now, t.now, $6
       FROM (SELECT coalesce($5::timestamptz, clock_timestamp()) AS now) t`,
      [
        id,
        run.mode,
        run.source,
        [...run.tenants],
        run.startedAt ?? this.#now(),
        run.holder ?? `${hostname()}/${process.pid}/${id}`,
      ],
    );
    return id;
  }

  heartbeatRun(id: string): Promise<boolean> {
    return runs.heartbeatRun(this.#db, this.#now(), id);
  }

  markInterruptedRuns(options: runs.MarkInterruptedOptions): Promise<string[]> {
    return runs.markInterruptedRuns(this.#db, this.#now(), options);
  }

  async finishRun(run: RunFinish): Promise<void> {
    const { rows } = await this.#db.query(
      `UPDATE runs SET outcome = $2, finished_at = coalesce($3::timestamptz, clock_timestamp()),
         summary = $4::jsonb, error = $5
       WHERE id = $1 RETURNING id`,
      [
        run.id,
        run.outcome,
        run.finishedAt ?? this.#now(),
        storableJson(run.summary ?? {}),
        run.error ?? null,
      ],
    );
    if (rows.length === 0) throw new StoreError(errUnknownRun, run.id);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const { rows } = await this.#db.query<RunRecord>(`SELECT ${runColumns} FROM runs WHERE id = $1`, [id]);
    return rows[0];
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    return runs.listRuns(this.#db, runColumns, filter);
  }

  async pruneRuns(before: Date): Promise<number> {
    const { rows } = await this.#db.query(
      "DELETE FROM runs WHERE started_at < $1 AND finished_at IS NOT NULL RETURNING id",
      [before],
    );
    return rows.length;
  }

  async startStep(step: StepStart): Promise<number> {
    const { rows } = await this.#db.query<{ seq: number }>(startStepSql, [
      step.runId,
      step.seq ?? null,
      step.action,
      step.kind,
      step.key,
      step.tenant,
      step.startedAt ?? this.#now(),
    ]);
    const row = rows[0];
    if (!row) throw new StoreError(errUnknownRun, `step ${step.key} of run ${step.runId}`);
    return row.seq;
  }

  async finishStep(step: StepFinish): Promise<void> {
    await this.#db.transaction(async (tx) => {
      const { rows } = await tx.query<{ key: string; kind: string; tenant: string; finishedAt: Date }>(
        finishStepSql,
        [
          step.runId,
          step.seq,
          step.state,
          step.durationMs === undefined ? null : Math.max(0, Math.round(step.durationMs)),
          step.requestId ?? null,
          step.platformId ?? null,
          step.adopted ?? false,
          step.error ?? null,
          step.skipReason ?? null,
          step.finishedAt ?? this.#now(),
        ],
      );
      const row = rows[0];
      if (!row) throw new StoreError(errUnknownStep, `run ${step.runId} step ${step.seq}`);
      await tx.query(
        statusSql,
        statusParams(
          row.key,
          {
            kind: row.kind as ResourceStatusPatch["kind"],
            tenant: row.tenant,
            lastOutcome: step.state,
            lastError: step.error ?? step.skipReason ?? null,
            lastRunId: step.runId,
          },
          row.finishedAt,
        ),
      );
    });
  }

  async listSteps(runId: string): Promise<StepRecord[]> {
    const { rows } = await this.#db.query<StepRecord>(
      `SELECT ${stepColumns} FROM steps WHERE run_id = $1 ORDER BY recorded`,
      [runId],
    );
    return rows;
  }

  async setResourceStatus(key: string, patch: ResourceStatusPatch): Promise<void> {
    await this.#db.query(statusSql, statusParams(key, patch, this.#now()));
  }

  async listResourceStatus(filter: { tenants?: readonly string[] } = {}): Promise<ResourceStatus[]> {
    const { rows } = await this.#db.query<ResourceStatus>(
      `SELECT ${statusColumns} FROM resource_status
       WHERE $1::text[] IS NULL OR tenant = ANY($1::text[]) ORDER BY key COLLATE "C"`,
      [filter.tenants ? [...filter.tenants] : null],
    );
    return rows.map(withAttributionDate);
  }

  acquireLease(tenant: string, holder: string, ttlMs: number): Promise<LeaseResult> {
    return leases.acquireLease(this.#db, this.#now(), tenant, holder, ttlMs);
  }

  async renewLease(tenant: string, holder: string, ttlMs: number): Promise<boolean> {
    return (await leases.renewLease(this.#db, this.#now(), tenant, holder, ttlMs)) !== undefined;
  }

  releaseLease(tenant: string, holder: string): Promise<boolean> {
    return leases.releaseLease(this.#db, tenant, holder);
  }

  listLeases(): Promise<Lease[]> {
    return leases.listLeases(this.#db, this.#now());
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}

function statusParams(key: string, p: ResourceStatusPatch, now: Date | null): unknown[] {
  return [
    key,
    p.kind,
    p.tenant,
    p.lastOutcome ?? null,
    p.lastOutcome !== undefined,
    p.lastError ?? null,
    p.lastError !== undefined,
    p.lastRunId ?? null,
    p.lastRunId !== undefined,
    p.drift ?? null,
    p.driftDiffs === undefined ? null : storableJson(p.driftDiffs),
    now,
    p.changedBy ? storableJson(p.changedBy) : null,
    p.changedBy !== undefined,
  ];
}

/** A status row with `changedBy.at` (a string in jsonb) back as a Date. */
function withAttributionDate(row: ResourceStatus): ResourceStatus {
  const by = row.changedBy as (Omit<DriftAttribution, "at"> & { at: string | Date }) | null;
  if (!by) return { ...row, changedBy: null };
  return { ...row, changedBy: { ...by, at: new Date(by.at) } };
}
