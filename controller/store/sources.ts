/**
 * Registered sources (a partner's manifest repository, its platform account and
 * policies) and what the controller last read of each: revision, problems, last good
 * revision. One source, one partner: a spec naming another partner's source id is
 * refused, so one partner's token can never overwrite another's source through the API.
 */
import type { SourceRecord, SourceSpec } from "../model/control.js";
import { type Driver, type Queryable, storableJson } from "./driver.js";
import { errSourceArgs, errSourceOfOtherPartner, errUnknownSource, StoreError } from "./errors.js";
import { checkNonEmpty, nowSql } from "./sql-args.js";

/** What a read of a source found (see `recordSourceRead`). */
export interface SourceRead {
  /** The revision read: a git commit, or `sha256:…` of a folder. */
  revision: string;
  /** Its problems, each `file:line:col: message`; empty when it validated. */
  problems: string[];
  /** When it was read. Default: the store's clock. */
  at?: Date;
}

/** Which sources to list; every field narrows. */
export interface SourceFilter {
  partner?: string;
}

/** The store's registered sources. */
export interface SourceStore {
  /**
   * Registers `spec`, or replaces the spec of the source with its id (keeping what was
   * read of it). Throws `StoreError(errSourceArgs)` for an id not `[a-z0-9][a-z0-9-]{0,62}`
   * or an empty partner, `StoreError(errSourceOfOtherPartner)` when another partner has the id.
   */
  upsertSource(spec: SourceSpec): Promise<SourceRecord>;
  getSource(id: string): Promise<SourceRecord | undefined>;
  /** By id (byte order). */
  listSources(filter?: SourceFilter): Promise<SourceRecord[]>;
  /**
   * Removes the source with, in the same transaction, its queued requests, tenant
   * statuses, stored resources and webhook deliveries (runs and inventory stay: they are
   * history and ownership). False when there was no such source.
   */
  deleteSource(id: string): Promise<boolean>;
  /**
   * Records a read: lastRevision, problems and lastReadAt; lastGoodRevision becomes the
   * revision when it has no problems and is kept otherwise. Throws
   * `StoreError(errUnknownSource)` for an id not registered.
   */
  recordSourceRead(id: string, read: SourceRead): Promise<void>;
}

/** The pattern of a source id (also the inventory's source name). */
export const sourceIdPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

const columns = `id, partner, location, account, policies, webhook_secret AS "webhookSecret",
  created_at AS "createdAt", updated_at AS "updatedAt", last_revision AS "lastRevision",
  last_good_revision AS "lastGoodRevision", problems, last_read_at AS "lastReadAt"`;

const upsertSql = `
  INSERT INTO sources AS s (id, partner, location, account, policies, webhook_secret, created_at, updated_at)
  SELECT $1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6::jsonb, t.now, t.now
  FROM (SELECT ${nowSql("$7")} AS now) t
  ON CONFLICT (id) DO UPDATE SET
    location = excluded.location, account = excluded.account, policies = excluded.policies,
    webhook_secret = excluded.webhook_secret, updated_at = excluded.updated_at
  WHERE s.partner = excluded.partner
  RETURNING ${columns}`;

type SourceRow = Omit<SourceRecord, "webhookSecret"> & { webhookSecret: SourceSpec["webhookSecret"] | null };

/** A row as a record: no `webhookSecret` key when the source has none. */
function toRecord(row: SourceRow): SourceRecord {
  const { webhookSecret, ...rest } = row;
  return webhookSecret ? { ...rest, webhookSecret } : rest;
}

function checkSpec(spec: SourceSpec): void {
  if (!sourceIdPattern.test(spec.id)) {
    throw new StoreError(errSourceArgs, `id ${JSON.stringify(spec.id)} is not ${sourceIdPattern.source}`);
  }
  checkNonEmpty(errSourceArgs, `partner of source ${spec.id}`, spec.partner);
}

/** See `SourceStore.upsertSource`. */
export async function upsertSource(db: Queryable, now: Date | null, spec: SourceSpec): Promise<SourceRecord> {
  checkSpec(spec);
  // A second pass only when the other partner's source vanished between the two statements.
  for (let attempt = 0; attempt < 2; attempt++) {
    const { rows } = await db.query<SourceRow>(upsertSql, [
      spec.id,
      spec.partner,
      storableJson(spec.location),
      storableJson(spec.account),
      storableJson(spec.policies),
      spec.webhookSecret ? storableJson(spec.webhookSecret) : null,
      now,
    ]);
    if (rows[0]) return toRecord(rows[0]);
    const owner = await getSource(db, spec.id);
    if (owner) {
      throw new StoreError(
        errSourceOfOtherPartner,
        `source ${spec.id} belongs to partner "${owner.partner}", not "${spec.partner}"`,
      );
    }
  }
  throw new StoreError(errSourceOfOtherPartner, `source ${spec.id}: its partner keeps changing; try again`);
}

/** See `SourceStore.getSource`. */
export async function getSource(db: Queryable, id: string): Promise<SourceRecord | undefined> {
  const { rows } = await db.query<SourceRow>(`SELECT ${columns} FROM sources WHERE id = $1`, [id]);
  return rows[0] && toRecord(rows[0]);
}

/** See `SourceStore.listSources`. */
export async function listSources(db: Queryable, filter: SourceFilter = {}): Promise<SourceRecord[]> {
  const { rows } = await db.query<SourceRow>(
    `SELECT ${columns} FROM sources WHERE $1::text IS NULL OR partner = $1 ORDER BY id COLLATE "C"`,
    [filter.partner ?? null],
  );
  return rows.map(toRecord);
}

/** Tables whose rows belong to one source, by a `source` column. */
const sourceTables = [
  "reconcile_requests",
  "tenant_status",
  "stored_resources",
  "stored_secrets",
  "webhook_deliveries",
];

/** See `SourceStore.deleteSource`. */
export function deleteSource(db: Driver, id: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query("DELETE FROM sources WHERE id = $1 RETURNING id", [id]);
    for (const table of sourceTables) await tx.query(`DELETE FROM ${table} WHERE source = $1`, [id]);
    return rows.length > 0;
  });
}

/** See `SourceStore.recordSourceRead`. */
export async function recordSourceRead(
  db: Queryable,
  now: Date | null,
  id: string,
  read: SourceRead,
): Promise<void> {
  checkNonEmpty(errSourceArgs, `revision read of source ${id}`, read.revision);
  const { rows } = await db.query(
    `UPDATE sources SET last_revision = $2, problems = $3::jsonb, last_read_at = ${nowSql("$4")},
       last_good_revision = CASE WHEN jsonb_array_length($3::jsonb) = 0 THEN $2 ELSE last_good_revision END
     WHERE id = $1 RETURNING id`,
    [id, read.revision, storableJson(read.problems), read.at ?? now],
  );
  if (rows.length === 0) throw new StoreError(errUnknownSource, id);
}
