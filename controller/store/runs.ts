/**
 * Liveness of runs: a run's heartbeat, and the sweep that ends runs whose process is gone
 * or silent as `interrupted`. A killed process cannot finish its run, so someone else must:
 * the next start on PGlite (whose folder lock proves no other process runs), or a caller
 * on a shared server that knows how long a heartbeat may be missing.
 */
import type { Queryable } from "./driver.js";
import type { RunFilter, RunRecord } from "./types.js";

/** The error recorded on a run ended by `markInterruptedRuns`. */
export const interruptedRunError =
  "the run stopped before it finished (its process ended or stopped answering)";

/** Options of `markInterruptedRuns`. */
export interface MarkInterruptedOptions {
  /** Unfinished runs whose last heartbeat (or start, if none) is before this are ended. */
  staleBefore: Date;
  /**
   * Whether a run's holder (`host/pid/runId`) is a process that is gone; such runs are
   * ended whatever their heartbeat. The engine's `holderIsGone` (engine/run-lease.ts)
   * answers for processes of this host and says false for any other. Default: none is.
   */
  holderIsGone?: (holder: string) => boolean;
}

const nowSql = (param: string) => `coalesce(${param}::timestamptz, clock_timestamp())`;

/** Sets the heartbeat of unfinished run `id` to now; false when it is finished or unknown. */
export async function heartbeatRun(db: Queryable, now: Date | null, id: string): Promise<boolean> {
  const { rows } = await db.query(
    `UPDATE runs SET heartbeat_at = ${nowSql("$2")} WHERE id = $1 AND finished_at IS NULL RETURNING id`,
    [id, now],
  );
  return rows.length > 0;
}

/**
 * Ends as `interrupted` every unfinished run that is stale (see `MarkInterruptedOptions`)
 * or whose holder is gone. Returns the ids
 * it ended, oldest first. A run that finishes meanwhile is left as it finished.
 */
export async function markInterruptedRuns(
  db: Queryable,
  now: Date | null,
  options: MarkInterruptedOptions,
): Promise<string[]> {
  const { rows } = await db.query<{ id: string; holder: string | null; heartbeatAt: Date | null }>(
    `SELECT id, holder, coalesce(heartbeat_at, started_at) AS "heartbeatAt" FROM runs
     WHERE finished_at IS NULL ORDER BY started_at, id`,
  );
  const ids = rows
    .filter((r) => {
      if (r.heartbeatAt && r.heartbeatAt < options.staleBefore) return true;
      return r.holder !== null && (options.holderIsGone?.(r.holder) ?? false);
    })
    .map((r) => r.id);
  if (ids.length === 0) return [];
  const ended = await db.query<{ id: string }>(
    `UPDATE runs SET outcome = 'interrupted', finished_at = ${nowSql("$2")}, error = coalesce(error, $3)
     WHERE id = ANY($1::text[]) AND finished_at IS NULL RETURNING id`,
    [ids, now, interruptedRunError],
  );
  const done = new Set(ended.rows.map((r) => r.id));
  return ids.filter((id) => done.has(id));
}

/** Runs matching `filter`, newest first (ties by id), as `columns` (the store's run columns). */
export async function listRuns(db: Queryable, columns: string, filter: RunFilter = {}): Promise<RunRecord[]> {
  const { rows } = await db.query<RunRecord>(
    `SELECT ${columns} FROM runs
     WHERE ($1::text IS NULL OR source = $1) AND ($3::text[] IS NULL OR source = ANY($3::text[]))
       AND ($4::text IS NULL OR $4 = ANY(tenants)) AND ($5::text IS NULL OR outcome = $5)
       AND ($6::text IS NULL OR mode = $6)
       AND ($7::timestamptz IS NULL OR started_at < $7 OR ($8::text IS NOT NULL AND started_at = $7 AND id > $8))
     ORDER BY started_at DESC, id LIMIT $2`,
    [
      filter.source ?? null,
      filter.limit ?? 50,
      filter.sources ? [...filter.sources] : null,
      filter.tenant ?? null,
      filter.outcome ?? null,
      filter.mode ?? null,
      filter.before ?? null,
      filter.beforeId ?? null,
    ],
  );
  return rows;
}
