/**
 * Live replicas of `omnia serve` (`controller_replicas`): each says it is alive every few
 * seconds; the scheduler divides each platform account's rate budget by how many
 * answered recently. A replica that stops is removed by itself, or ages out of `since`.
 */
import type { Queryable } from "./driver.js";
import { errReplicaArgs } from "./errors.js";
import { checkNonEmpty, nowSql } from "./sql-args.js";

/** A replica as listed. */
export interface ReplicaBeat {
  id: string;
  heartbeatAt: Date;
}

/** The store's replica registry. */
export interface ReplicaStore {
  /** Records that replica `id` is alive at `at` (default now). */
  heartbeatReplica(id: string, at?: Date): Promise<void>;
  /** Replicas whose last heartbeat is at or after `since`, by id. */
  listReplicas(since: Date): Promise<ReplicaBeat[]>;
  /** Removes replica `id` (on a graceful stop); false when it was not there. */
  removeReplica(id: string): Promise<boolean>;
}

/** See `ReplicaStore.heartbeatReplica`. */
export async function heartbeatReplica(
  db: Queryable,
  now: Date | null,
  id: string,
  at?: Date,
): Promise<void> {
  checkNonEmpty(errReplicaArgs, "replica id", id);
  await db.query(
    `INSERT INTO controller_replicas AS r (id, started_at, heartbeat_at)
     SELECT $1, t.now, t.now FROM (SELECT ${nowSql("$2")} AS now) t
     ON CONFLICT (id) DO UPDATE SET heartbeat_at = greatest(r.heartbeat_at, excluded.heartbeat_at)`,
    [id, at ?? now],
  );
}

/** See `ReplicaStore.listReplicas`. */
export async function listReplicas(db: Queryable, since: Date): Promise<ReplicaBeat[]> {
  const { rows } = await db.query<ReplicaBeat>(
    `SELECT id, heartbeat_at AS "heartbeatAt" FROM controller_replicas WHERE heartbeat_at >= $1
     ORDER BY id COLLATE "C"`,
    [since],
  );
  return rows;
}

/** See `ReplicaStore.removeReplica`. */
export async function removeReplica(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query("DELETE FROM controller_replicas WHERE id = $1 RETURNING id", [id]);
  return rows.length > 0;
}
