/**
 * Resources written through the API (`PUT /v1/tenants/{tenant}/resources/{kind}/{key}`),
 * the desired state of `api` sources (`stored_resources`), by source and natural key.
 * A document never holds a secret value: secrets arrive as `{fromEnv}`/`{fromFile}`
 * references or are refused by the service before they reach the store.
 */
import { type Queryable, storableJson } from "./driver.js";
import { errStoredResourceArgs } from "./errors.js";
import { checkNonEmpty, nowSql } from "./sql-args.js";

/** A resource as written: its source, tenant, kind, natural key and manifest document. */
export interface StoredResourceInput {
  source: string;
  tenant: string;
  kind: string;
  /** Natural key, e.g. `Extension/ACME/main/201`; unique within the source. */
  key: string;
  document: Record<string, unknown>;
}

/** A resource as stored. */
export interface StoredResource extends StoredResourceInput {
  createdAt: Date;
  updatedAt: Date;
}

/** The store's API-written resources. */
export interface StoredResourceStore {
  /** Writes the resource (replacing the one of that key); `created` when the key was new. */
  putStoredResource(resource: StoredResourceInput): Promise<{ created: boolean }>;
  getStoredResource(source: string, key: string): Promise<StoredResource | undefined>;
  /** False when there was no such resource. */
  deleteStoredResource(source: string, key: string): Promise<boolean>;
  /** A source's resources by key (byte order); only one tenant's when `filter.tenant` is set. */
  listStoredResources(source: string, filter?: { tenant?: string }): Promise<StoredResource[]>;
}

const columns = `source, tenant, kind, key, document, created_at AS "createdAt", updated_at AS "updatedAt"`;

/** See `StoredResourceStore.putStoredResource`. */
export async function putStoredResource(
  db: Queryable,
  now: Date | null,
  r: StoredResourceInput,
): Promise<{ created: boolean }> {
  for (const field of ["source", "tenant", "kind", "key"] as const) {
    checkNonEmpty(errStoredResourceArgs, field, r[field]);
  }
  // xmax is 0 on a row this statement inserted, and set on one it updated.
  const { rows } = await db.query<{ created: boolean }>(
    `INSERT INTO stored_resources AS s (source, key, tenant, kind, document, created_at, updated_at)
     SELECT $1, $2, $3, $4, $5::jsonb, t.now, t.now FROM (SELECT ${nowSql("$6")} AS now) t
     ON CONFLICT (source, key) DO UPDATE SET
       tenant = excluded.tenant, kind = excluded.kind, document = excluded.document,
       updated_at = excluded.updated_at
     RETURNING (s.xmax = 0) AS created`,
    [r.source, r.key, r.tenant, r.kind, storableJson(r.document), now],
  );
  return { created: rows[0]?.created === true };
}

/** See `StoredResourceStore.getStoredResource`. */
export async function getStoredResource(
  db: Queryable,
  source: string,
  key: string,
): Promise<StoredResource | undefined> {
  const { rows } = await db.query<StoredResource>(
    `SELECT ${columns} FROM stored_resources WHERE source = $1 AND key = $2`,
    [source, key],
  );
  return rows[0];
}

/** See `StoredResourceStore.deleteStoredResource`. */
export async function deleteStoredResource(db: Queryable, source: string, key: string): Promise<boolean> {
  const { rows } = await db.query(
    "DELETE FROM stored_resources WHERE source = $1 AND key = $2 RETURNING key",
    [source, key],
  );
  return rows.length > 0;
}

/** See `StoredResourceStore.listStoredResources`. */
export async function listStoredResources(
  db: Queryable,
  source: string,
  filter: { tenant?: string } = {},
): Promise<StoredResource[]> {
  const { rows } = await db.query<StoredResource>(
    `SELECT ${columns} FROM stored_resources WHERE source = $1 AND ($2::text IS NULL OR tenant = $2)
     ORDER BY key COLLATE "C"`,
    [source, filter.tenant ?? null],
  );
  return rows;
}
