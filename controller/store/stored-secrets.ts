/**
 * Secrets stored through the API (`PUT /v1/tenants/{tenant}/secrets/{name}`), the values
 * `{fromSecret}` names in an `api` source's resources (`stored_secrets`). The store keeps
 * them sealed only: the runtime encrypts before calling (controller/runtime/
 * stored-secrets.ts) and decrypts after reading, with a key the store never sees.
 */
import type { SealedSecret, StoredSecretAddress, StoredSecretInfo } from "../model/control.js";
import type { Queryable } from "./driver.js";
import { errStoredSecretArgs, StoreError } from "./errors.js";
import { checkNonEmpty, nowSql } from "./sql-args.js";

/** A stored secret with its sealed value, as `readStoredSecrets` answers it. */
export interface SealedStoredSecret extends StoredSecretInfo {
  sealed: SealedSecret;
}

/** The store's API-written secrets. */
export interface StoredSecretStore {
  /** Writes the sealed secret (replacing the one of that address); `created` when it was new. */
  putStoredSecret(address: StoredSecretAddress, sealed: SealedSecret): Promise<{ created: boolean }>;
  /** False when there was no such secret. */
  deleteStoredSecret(address: StoredSecretAddress): Promise<boolean>;
  /** A source's secrets by tenant then name (byte order), without values; one tenant's when set. */
  listStoredSecrets(source: string, filter?: { tenant?: string }): Promise<StoredSecretInfo[]>;
  /** A source's secrets with their sealed values, for the source's loader; one tenant's when set. */
  readStoredSecrets(source: string, filter?: { tenant?: string }): Promise<SealedStoredSecret[]>;
}

const namePattern = /^[a-z0-9][a-z0-9-]{0,126}$/;
const keyIdPattern = /^[0-9a-f]{8}$/;

function checkAddress(a: StoredSecretAddress): void {
  checkNonEmpty(errStoredSecretArgs, "source", a.source);
  checkNonEmpty(errStoredSecretArgs, "tenant", a.tenant);
  if (!namePattern.test(a.name))
    throw new StoreError(errStoredSecretArgs, `name ${JSON.stringify(a.name)}; want ${namePattern.source}`);
}

const infoColumns = `source, tenant, name, key_id AS "keyId", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** See `StoredSecretStore.putStoredSecret`. */
export async function putStoredSecret(
  db: Queryable,
  now: Date | null,
  a: StoredSecretAddress,
  sealed: SealedSecret,
): Promise<{ created: boolean }> {
  checkAddress(a);
  if (sealed.nonce.length !== 12)
    throw new StoreError(errStoredSecretArgs, `nonce is ${sealed.nonce.length} bytes; want 12`);
  if (sealed.ciphertext.length < 16)
    throw new StoreError(errStoredSecretArgs, "ciphertext is shorter than its 16-byte tag");
  if (!keyIdPattern.test(sealed.keyId))
    throw new StoreError(errStoredSecretArgs, "key id is not 8 hex digits");
  // xmax is 0 on a row this statement inserted, and set on one it updated.
  const { rows } = await db.query<{ created: boolean }>(
    `INSERT INTO stored_secrets AS s (source, tenant, name, ciphertext, nonce, key_id, created_at, updated_at)
     SELECT $1, $2, $3, $4, $5, $6, t.now, t.now FROM (SELECT ${nowSql("$7")} AS now) t
     ON CONFLICT (source, tenant, name) DO UPDATE SET
       ciphertext = excluded.ciphertext, nonce = excluded.nonce, key_id = excluded.key_id,
       updated_at = excluded.updated_at
     RETURNING (s.xmax = 0) AS created`,
    [
      a.source,
      a.tenant,
      a.name,
      Buffer.from(sealed.ciphertext),
      Buffer.from(sealed.nonce),
      sealed.keyId,
      now,
    ],
  );
  return { created: rows[0]?.created === true };
}

/** See `StoredSecretStore.deleteStoredSecret`. */
export async function deleteStoredSecret(db: Queryable, a: StoredSecretAddress): Promise<boolean> {
  const { rows } = await db.query(
    "DELETE FROM stored_secrets WHERE source = $1 AND tenant = $2 AND name = $3 RETURNING name",
    [a.source, a.tenant, a.name],
  );
  return rows.length > 0;
}

/** See `StoredSecretStore.listStoredSecrets`. */
export async function listStoredSecrets(
  db: Queryable,
  source: string,
  filter: { tenant?: string } = {},
): Promise<StoredSecretInfo[]> {
  const { rows } = await db.query<StoredSecretInfo>(
    `SELECT ${infoColumns} FROM stored_secrets WHERE source = $1 AND ($2::text IS NULL OR tenant = $2)
     ORDER BY tenant COLLATE "C", name COLLATE "C"`,
    [source, filter.tenant ?? null],
  );
  return rows;
}

/** See `StoredSecretStore.readStoredSecrets`. */
export async function readStoredSecrets(
  db: Queryable,
  source: string,
  filter: { tenant?: string } = {},
): Promise<SealedStoredSecret[]> {
  const { rows } = await db.query<StoredSecretInfo & { ciphertext: Uint8Array; nonce: Uint8Array }>(
    `SELECT ${infoColumns}, ciphertext, nonce FROM stored_secrets
     WHERE source = $1 AND ($2::text IS NULL OR tenant = $2)
     ORDER BY tenant COLLATE "C", name COLLATE "C"`,
    [source, filter.tenant ?? null],
  );
  return rows.map(({ ciphertext, nonce, ...info }) => ({
    ...info,
    sealed: { ciphertext: Buffer.from(ciphertext), nonce: Buffer.from(nonce), keyId: info.keyId },
  }));
}
