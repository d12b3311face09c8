/**
 * Each tenant's status as the dashboard and the API show it (`tenant_status`): phase,
 * reason, observed revision, last run, drifted resources, attempts. Written by the
 * scheduler as a patch (fields left out keep their value), listed with filters, search,
 * sort and paging for a partner with thousands of tenants.
 */
import type { TenantPhase, TenantStatus, TenantStatusPatch } from "../model/control.js";
import { type Queryable, storableJson } from "./driver.js";
import { errListArgs, errTenantStatusArgs, StoreError } from "./errors.js";
import { checkNonEmpty, checkWhole, nowSql } from "./sql-args.js";

/** A status change; `partner` is always given (the tenant's source's partner). */
export type TenantStatusWrite = TenantStatusPatch & { partner: string };

/** How `listTenantStatus` sorts. */
export type TenantStatusSort = "tenant" | "phase" | "lastRunAt" | "drifted";

/** Which tenant statuses to list, and which page of them. */
export interface TenantStatusFilter {
  partner?: string;
  source?: string;
  phase?: TenantPhase;
  /** Tenant codes containing this, ignoring case. */
  q?: string;
  /**
   * Default `tenant` (byte order). `phase` sorts by severity: Failed, Drifted,
   * Reconciling, Suspended, InSync. `lastRunAt` puts tenants never run last either way.
   * Ties go by tenant, then source, so pages never overlap.
   */
  sort?: TenantStatusSort;
  /** Default `asc`. */
  order?: "asc" | "desc";
  /** Page size, 1 to 1,000. Default 50. */
  limit?: number;
  /** Rows skipped. Default 0. */
  offset?: number;
}

/** The store's tenant statuses. */
export interface TenantStatusStore {
  /**
   * Changes a tenant's status; fields left out keep their value (a new tenant starts
   * `Reconciling` with no run, 0 drifted, 0 attempts). Returns the status as stored.
   */
  setTenantStatus(source: string, tenant: string, patch: TenantStatusWrite): Promise<TenantStatus>;
  getTenantStatus(source: string, tenant: string): Promise<TenantStatus | undefined>;
  /**
   * One page of statuses and how many match in all. Throws `StoreError(errListArgs)` for
   * an unknown sort, order or phase, or a limit or offset out of range.
   */
  listTenantStatus(filter?: TenantStatusFilter): Promise<{ items: TenantStatus[]; total: number }>;
}

/** Largest page of `listTenantStatus`. */
export const maxTenantStatusPage = 1_000;

const phases: readonly TenantPhase[] = ["Failed", "Drifted", "Reconciling", "Suspended", "InSync"];

const columnsOf = (t: string) => `${t}.source, ${t}.tenant, ${t}.partner, ${t}.phase, ${t}.reason,
  ${t}.observed_revision AS "observedRevision", ${t}.last_run_id AS "lastRunId", ${t}.last_run_at AS "lastRunAt",
  ${t}.drifted, ${t}.attempts, ${t}.next_attempt_at AS "nextAttemptAt", ${t}.updated_at AS "updatedAt"`;

const sortSql: Record<TenantStatusSort, (t: string, dir: string) => string> = {
  tenant: (t, dir) => `${t}.tenant COLLATE "C" ${dir}, ${t}.source COLLATE "C"`,
  phase: (t, dir) =>
    `array_position(ARRAY[${phases.map((p) => `'${p}'`).join(", ")}]::text[], ${t}.phase) ${dir}, ` +
    `${t}.tenant COLLATE "C", ${t}.source COLLATE "C"`,
  lastRunAt: (t, dir) =>
    `${t}.last_run_at ${dir} NULLS LAST, ${t}.tenant COLLATE "C", ${t}.source COLLATE "C"`,
  drifted: (t, dir) => `${t}.drifted ${dir}, ${t}.tenant COLLATE "C", ${t}.source COLLATE "C"`,
};

// The patch travels as one jsonb: a key present sets the field (null clears it), a key
// absent keeps the stored value.
const setSql = `
  INSERT INTO tenant_status AS s (source, tenant, partner, phase, reason, observed_revision, last_run_id,
    last_run_at, drifted, attempts, next_attempt_at, updated_at)
  SELECT $1, $2, $3, coalesce(p->>'phase', 'Reconciling'), p->>'reason', p->>'observedRevision',
    p->>'lastRunId', (p->>'lastRunAt')::timestamptz, coalesce((p->>'drifted')::integer, 0),
    coalesce((p->>'attempts')::integer, 0), (p->>'nextAttemptAt')::timestamptz, t.now
  FROM (SELECT $4::jsonb AS p, ${nowSql("$5")} AS now) t
  ON CONFLICT (source, tenant) DO UPDATE SET
    partner = excluded.partner, updated_at = excluded.updated_at,
    phase = CASE WHEN $4::jsonb ? 'phase' THEN excluded.phase ELSE s.phase END,
    reason = CASE WHEN $4::jsonb ? 'reason' THEN excluded.reason ELSE s.reason END,
    observed_revision = CASE WHEN $4::jsonb ? 'observedRevision' THEN excluded.observed_revision
                             ELSE s.observed_revision END,
    last_run_id = CASE WHEN $4::jsonb ? 'lastRunId' THEN excluded.last_run_id ELSE s.last_run_id END,
    last_run_at = CASE WHEN $4::jsonb ? 'lastRunAt' THEN excluded.last_run_at ELSE s.last_run_at END,
    drifted = CASE WHEN $4::jsonb ? 'drifted' THEN excluded.drifted ELSE s.drifted END,
    attempts = CASE WHEN $4::jsonb ? 'attempts' THEN excluded.attempts ELSE s.attempts END,
    next_attempt_at = CASE WHEN $4::jsonb ? 'nextAttemptAt' THEN excluded.next_attempt_at
                           ELSE s.next_attempt_at END
  RETURNING ${columnsOf("s")}`;

/** See `TenantStatusStore.setTenantStatus`. */
export async function setTenantStatus(
  db: Queryable,
  now: Date | null,
  source: string,
  tenant: string,
  patch: TenantStatusWrite,
): Promise<TenantStatus> {
  checkNonEmpty(errTenantStatusArgs, "source", source);
  checkNonEmpty(errTenantStatusArgs, "tenant", tenant);
  checkNonEmpty(errTenantStatusArgs, `partner of ${source}/${tenant}`, patch.partner);
  if (patch.phase !== undefined) checkPhase(errTenantStatusArgs, patch.phase);
  for (const field of ["drifted", "attempts"] as const) {
    const v = patch[field];
    if (v !== undefined)
      checkWhole(errTenantStatusArgs, `${field} of ${source}/${tenant}`, v, 0, 2 ** 31 - 1);
  }
  const { partner: _partner, ...fields } = patch;
  const { rows } = await db.query<TenantStatus>(setSql, [
    source,
    tenant,
    patch.partner,
    storableJson(fields),
    now,
  ]);
  return rows[0] as TenantStatus;
}

/** See `TenantStatusStore.getTenantStatus`. */
export async function getTenantStatus(
  db: Queryable,
  source: string,
  tenant: string,
): Promise<TenantStatus | undefined> {
  const { rows } = await db.query<TenantStatus>(
    `SELECT ${columnsOf("s")} FROM tenant_status s WHERE source = $1 AND tenant = $2`,
    [source, tenant],
  );
  return rows[0];
}

/** See `TenantStatusStore.listTenantStatus`. */
export async function listTenantStatus(
  db: Queryable,
  f: TenantStatusFilter = {},
): Promise<{ items: TenantStatus[]; total: number }> {
  const sort = f.sort ?? "tenant";
  const order = f.order ?? "asc";
  if (!Object.hasOwn(sortSql, sort)) {
    throw new StoreError(
      errListArgs,
      `sort is ${JSON.stringify(sort)}; want one of ${Object.keys(sortSql).join(", ")}`,
    );
  }
  if (order !== "asc" && order !== "desc") {
    throw new StoreError(errListArgs, `order is ${JSON.stringify(order)}; want asc or desc`);
  }
  if (f.phase !== undefined) checkPhase(errListArgs, f.phase);
  const limit = f.limit ?? 50;
  const offset = f.offset ?? 0;
  checkWhole(errListArgs, "limit", limit, 1, maxTenantStatusPage);
  checkWhole(errListArgs, "offset", offset, 0, 2 ** 31 - 1);
  const by = sortSql[sort];
  // One statement: the page and the total come from one snapshot.
  const { rows } = await db.query<TenantStatus & { total: number }>(
    `WITH f AS (
       SELECT * FROM tenant_status
       WHERE ($1::text IS NULL OR partner = $1) AND ($2::text IS NULL OR source = $2)
         AND ($3::text IS NULL OR phase = $3) AND ($4::text IS NULL OR strpos(lower(tenant), lower($4)) > 0)
     )
     SELECT n.total, ${columnsOf("p")}
     FROM (SELECT count(*)::integer AS total FROM f) n
     LEFT JOIN LATERAL (SELECT * FROM f ORDER BY ${by("f", order)} LIMIT $5 OFFSET $6) p ON true
     ORDER BY ${by("p", order)}`,
    [f.partner ?? null, f.source ?? null, f.phase ?? null, f.q || null, limit, offset],
  );
  const total = rows[0]?.total ?? 0;
  const items = rows
    .filter((r) => r.source !== null)
    .map(({ total: _total, ...status }) => status as TenantStatus);
  return { items, total };
}

function checkPhase(reason: string, phase: string): void {
  if (!phases.includes(phase as TenantPhase)) {
    throw new StoreError(reason, `phase is ${JSON.stringify(phase)}; want one of ${phases.join(", ")}`);
  }
}
