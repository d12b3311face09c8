/**
 * The reconcile request queue (`reconcile_requests`): one row per tenant and mode, so
 * triggers for a queued tenant merge into one request. Workers of any replica claim due
 * requests with `FOR UPDATE SKIP LOCKED` (two claimers never get one row) for a time; a
 * claim that lapses (its worker died) puts the request back. A trigger during a run bumps
 * the request's generation, and `completeRequest` then keeps it queued instead of
 * deleting it, so no trigger is lost. Time is the store's clock, else the database's.
 */
import type {
  ClaimOptions,
  CompleteResult,
  EnqueueRequest,
  ReconcileReason,
  ReconcileRequest,
  RequestMode,
} from "../model/control.js";
import type { Driver, Queryable } from "./driver.js";
import { errQueueArgs, StoreError } from "./errors.js";
import { checkNonEmpty, checkWhole, nowSql } from "./sql-args.js";

export type { ClaimOptions, CompleteResult, EnqueueRequest } from "../model/control.js";

/** Options of `completeRequest`. */
export interface CompleteOptions {
  /** The worker that claimed it; a request another worker has claimed since is left alone. */
  worker: string;
  /** Retry at this time (the outcome was `retry`). Default: done. */
  retryAt?: Date;
}

/** The store's reconcile request queue. */
export interface RequestQueueStore {
  /**
   * Queues a reconcile, or merges it into the tenant's queued request of that mode: adds
   * the reason, bumps the generation, and keeps the earlier notBefore. Exception: a
   * request backing off (attempts > 0) keeps its time against `interval`,
   * `drift-interval`, `retry` and `startup` triggers, so timers do not defeat the backoff;
   * a `manual`, `webhook`, `api` or `revision` trigger moves it to now.
   */
  enqueueRequest(request: EnqueueRequest): Promise<void>;
  /**
   * Claims up to `limit` due requests (notBefore <= now), unclaimed or whose claim
   * lapsed: `apply` before `drift`, then oldest notBefore first. Concurrent claimers
   * (any replica) never get the same request.
   */
  claimRequests(options: ClaimOptions): Promise<ReconcileRequest[]>;
  /**
   * Ends a claimed request. When a trigger arrived since the claim (stored generation
   * newer than `request.generation`): released and due now, attempts kept
   * (`requeued`). Else with `retryAt`: released, due then, attempts + 1, reason `retry`
   * added (`retrying`). Else deleted (`deleted`, also when it is gone already). A
   * request claimed by another worker since (this one's claim lapsed) is left to it
   * (`requeued`).
   */
  completeRequest(request: ReconcileRequest, options: CompleteOptions): Promise<CompleteResult>;
  /**
   * Extends `worker`'s claim to `claimMs` from now. False when the request is gone or
   * another worker has claimed it: stop and let that one run it.
   */
  extendClaim(request: ReconcileRequest, worker: string, claimMs: number): Promise<boolean>;
  /** Requests not under a live claim (due or not yet), by mode. */
  queueDepth(): Promise<{ apply: number; drift: number }>;
  /** Every queued request (claimed or not), by source, tenant, mode. */
  listRequests(filter?: { source?: string }): Promise<ReconcileRequest[]>;
}

/** Longest claim: a day (and `integer` milliseconds in SQL). */
export const maxClaimMs = 86_400_000;
/** Most requests one `claimRequests` call takes. */
export const maxClaimLimit = 1_000;

/** Every reason a request may carry (ReconcileReason of controller/model/control.ts). */
const reasons: readonly ReconcileReason[] = [
  "interval",
  "drift-interval",
  "webhook",
  "manual",
  "api",
  "revision",
  "retry",
  "startup",
];

/** Triggers that do not move a request backing off to an earlier time. */
const timerReasons: ReconcileReason[] = ["interval", "drift-interval", "retry", "startup"];

/** The columns of a request as `ReconcileRequest`, of table alias `t`. */
const columnsOf = (t: string) => `${t}.source, ${t}.tenant, ${t}.mode, ${t}.reasons, ${t}.generation,
  ${t}.not_before AS "notBefore", ${t}.attempts, ${t}.requested_at AS "requestedAt",
  ${t}.claimed_by AS "claimedBy", ${t}.claimed_until AS "claimedUntil"`;

const enqueueSql = `
  INSERT INTO reconcile_requests AS q (source, tenant, mode, reasons, generation, not_before, attempts, requested_at)
  SELECT $1, $2, $3, ARRAY[$4]::text[], 1, coalesce($5::timestamptz, t.now), 0, t.now
  FROM (SELECT ${nowSql("$6")} AS now) t
  ON CONFLICT (source, tenant, mode) DO UPDATE SET
    reasons = CASE WHEN $4 = ANY(q.reasons) THEN q.reasons ELSE q.reasons || ARRAY[$4]::text[] END,
    generation = q.generation + 1,
    not_before = CASE WHEN q.attempts > 0 AND $4 = ANY($7::text[]) THEN q.not_before
                      ELSE least(q.not_before, excluded.not_before) END`;

// The CTE locks the rows it picks and skips rows another claimer has locked; under READ
// COMMITTED a row claimed and committed meanwhile is re-checked against the WHERE, so it
// is not claimed twice.
const claimSql = `
  WITH t AS (SELECT ${nowSql("$1")} AS now),
  due AS (
    SELECT q.source, q.tenant, q.mode FROM reconcile_requests q, t
    WHERE q.not_before <= t.now AND (q.claimed_until IS NULL OR q.claimed_until <= t.now)
      AND ($5::text[] IS NULL OR q.mode = ANY($5::text[]))
    ORDER BY q.mode = 'drift', q.not_before, q.requested_at, q.source COLLATE "C", q.tenant COLLATE "C"
    LIMIT $2
    FOR UPDATE OF q SKIP LOCKED
  )
  UPDATE reconcile_requests r SET claimed_by = $3, claimed_until = t.now + $4::integer * interval '1 millisecond'
  FROM due, t
  WHERE r.source = due.source AND r.tenant = due.tenant AND r.mode = due.mode
  RETURNING ${columnsOf("r")}`;

const key = "source = $1 AND tenant = $2 AND mode = $3";

/** See `RequestQueueStore.enqueueRequest`. */
export async function enqueueRequest(db: Queryable, now: Date | null, r: EnqueueRequest): Promise<void> {
  checkNonEmpty(errQueueArgs, "source", r.source);
  checkNonEmpty(errQueueArgs, "tenant", r.tenant);
  if (r.mode !== "apply" && r.mode !== "drift") {
    throw new StoreError(errQueueArgs, `mode is ${JSON.stringify(r.mode)}; want apply or drift`);
  }
  if (!reasons.includes(r.reason)) {
    throw new StoreError(
      errQueueArgs,
      `reason is ${JSON.stringify(r.reason)}; want one of ${reasons.join(", ")}`,
    );
  }
  await db.query(enqueueSql, [r.source, r.tenant, r.mode, r.reason, r.notBefore ?? null, now, timerReasons]);
}

/** See `RequestQueueStore.claimRequests`. */
export async function claimRequests(
  db: Queryable,
  now: Date | null,
  o: ClaimOptions,
): Promise<ReconcileRequest[]> {
  checkNonEmpty(errQueueArgs, "worker", o.worker);
  checkWhole(errQueueArgs, "limit", o.limit, 1, maxClaimLimit);
  checkWhole(errQueueArgs, "claimMs", o.claimMs, 1, maxClaimMs);
  const { rows } = await db.query<ReconcileRequest>(claimSql, [
    o.now ?? now,
    o.limit,
    o.worker,
    o.claimMs,
    o.modes ? [...o.modes] : null,
  ]);
  // RETURNING keeps no order: the claim order again.
  return rows.sort(
    (a, b) =>
      Number(a.mode === "drift") - Number(b.mode === "drift") ||
      a.notBefore.getTime() - b.notBefore.getTime() ||
      a.requestedAt.getTime() - b.requestedAt.getTime(),
  );
}

/** See `RequestQueueStore.completeRequest`. */
export function completeRequest(
  db: Driver,
  now: Date | null,
  r: ReconcileRequest,
  o: CompleteOptions,
): Promise<CompleteResult> {
  checkNonEmpty(errQueueArgs, "worker", o.worker);
  const id = [r.source, r.tenant, r.mode];
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ generation: number; claimedBy: string | null }>(
      `SELECT generation, claimed_by AS "claimedBy" FROM reconcile_requests WHERE ${key} FOR UPDATE`,
      id,
    );
    const row = rows[0];
    if (!row) return "deleted";
    if (row.claimedBy !== null && row.claimedBy !== o.worker) return "requeued";
    if (row.generation > r.generation) {
      await tx.query(
        `UPDATE reconcile_requests SET claimed_by = NULL, claimed_until = NULL,
           not_before = least(not_before, ${nowSql("$4")}) WHERE ${key}`,
        [...id, now],
      );
      return "requeued";
    }
    if (o.retryAt) {
      await tx.query(
        `UPDATE reconcile_requests SET claimed_by = NULL, claimed_until = NULL, not_before = $4,
           attempts = attempts + 1,
           reasons = CASE WHEN 'retry' = ANY(reasons) THEN reasons ELSE reasons || ARRAY['retry']::text[] END
         WHERE ${key}`,
        [...id, o.retryAt],
      );
      return "retrying";
    }
    await tx.query(`DELETE FROM reconcile_requests WHERE ${key}`, id);
    return "deleted";
  });
}

/** See `RequestQueueStore.extendClaim`. */
export async function extendClaim(
  db: Queryable,
  now: Date | null,
  r: ReconcileRequest,
  worker: string,
  claimMs: number,
): Promise<boolean> {
  checkNonEmpty(errQueueArgs, "worker", worker);
  checkWhole(errQueueArgs, "claimMs", claimMs, 1, maxClaimMs);
  const { rows } = await db.query(
    `UPDATE reconcile_requests SET claimed_until = ${nowSql("$5")} + $6::integer * interval '1 millisecond'
     WHERE ${key} AND claimed_by = $4 RETURNING source`,
    [r.source, r.tenant, r.mode, worker, now, claimMs],
  );
  return rows.length > 0;
}

/** See `RequestQueueStore.queueDepth`. */
export async function queueDepth(db: Queryable, now: Date | null): Promise<{ apply: number; drift: number }> {
  const { rows } = await db.query<{ mode: RequestMode; n: number }>(
    `SELECT mode, count(*)::integer AS n FROM reconcile_requests
     WHERE claimed_until IS NULL OR claimed_until <= ${nowSql("$1")} GROUP BY mode`,
    [now],
  );
  const depth = { apply: 0, drift: 0 };
  for (const r of rows) depth[r.mode] = r.n;
  return depth;
}

/** See `RequestQueueStore.listRequests`. */
export async function listRequests(
  db: Queryable,
  filter: { source?: string } = {},
): Promise<ReconcileRequest[]> {
  const { rows } = await db.query<ReconcileRequest>(
    `SELECT ${columnsOf("q")} FROM reconcile_requests q WHERE $1::text IS NULL OR source = $1
     ORDER BY source COLLATE "C", tenant COLLATE "C", mode`,
    [filter.source ?? null],
  );
  return rows;
}
