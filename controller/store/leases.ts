/**
 * Tenant leases, "one writer per tenant at a time" across every process sharing the
 * database. Each operation is one SQL statement, so it is atomic on a real server without
 * explicit locks: the primary key on `tenant` serialises racing acquires, and the
 * `ON CONFLICT ... WHERE` takes a row over only when it has expired or is the caller's.
 * Time is the database's clock unless the store was given one (tests).
 */
import type { Queryable } from "./driver.js";
import { errLeaseArgs, errLeaseContended, StoreError } from "./errors.js";
import type { Lease, LeaseResult } from "./types.js";

const leaseColumns = `tenant, holder, acquired_at AS "acquiredAt", expires_at AS "expiresAt"`;

// The injected clock when the parameter is set, else the database clock.
const nowSql = (param: string) => `coalesce(${param}::timestamptz, clock_timestamp())`;

const acquireSql = `
  INSERT INTO tenant_leases AS l (tenant, holder, acquired_at, expires_at)
  SELECT $1, $2, t.now, t.now + $3::integer * interval '1 millisecond'
  FROM (SELECT ${nowSql("$4")} AS now) t
  ON CONFLICT (tenant) DO UPDATE SET
    holder = excluded.holder,
    acquired_at = CASE WHEN l.holder = excluded.holder AND l.expires_at > excluded.acquired_at
                       THEN l.acquired_at ELSE excluded.acquired_at END,
    expires_at = excluded.expires_at
  WHERE l.holder = excluded.holder OR l.expires_at <= excluded.acquired_at
  RETURNING ${leaseColumns}`;

const holderSql = `SELECT ${leaseColumns} FROM tenant_leases WHERE tenant = $1`;

const renewSql = `
  UPDATE tenant_leases SET expires_at = ${nowSql("$4")} + $3::integer * interval '1 millisecond'
  WHERE tenant = $1 AND holder = $2
  RETURNING ${leaseColumns}`;

const releaseSql = "DELETE FROM tenant_leases WHERE tenant = $1 AND holder = $2 RETURNING tenant";

const listSql = `SELECT ${leaseColumns} FROM tenant_leases WHERE expires_at > ${nowSql("$1")} ORDER BY tenant COLLATE "C"`;

/** Longest lease: a day (and `integer` milliseconds in SQL). */
export const maxLeaseTtlMs = 86_400_000;

function check(tenant: string, holder: string, ttlMs?: number): void {
  if (tenant === "") throw new StoreError(errLeaseArgs, "tenant is empty");
  if (holder === "") throw new StoreError(errLeaseArgs, "holder is empty");
  if (ttlMs !== undefined && !(Number.isInteger(ttlMs) && ttlMs > 0 && ttlMs <= maxLeaseTtlMs)) {
    throw new StoreError(errLeaseArgs, `ttlMs is ${ttlMs}; want a whole number from 1 to ${maxLeaseTtlMs}`);
  }
}

/**
 * Takes `tenant`'s lease for `holder` for `ttlMs`, if it is free, expired, or already the
 * holder's (then it is extended). Otherwise reports who holds it until when.
 */
export async function acquireLease(
  db: Queryable,
  now: Date | null,
  tenant: string,
  holder: string,
  ttlMs: number,
): Promise<LeaseResult> {
  check(tenant, holder, ttlMs);
  // A lease released between the two statements below is free again: try once more.
  for (let attempt = 0; attempt < 3; attempt++) {
    const got = await db.query<Lease>(acquireSql, [tenant, holder, ttlMs, now]);
    if (got.rows[0]) return { acquired: true, lease: got.rows[0] };
    const held = await db.query<Lease>(holderSql, [tenant]);
    if (held.rows[0]) return { acquired: false, heldBy: held.rows[0] };
  }
  throw new StoreError(errLeaseContended, `${tenant}: it keeps changing hands; try again`);
}

/**
 * Extends `holder`'s lease of `tenant` to `ttlMs` from now. Undefined when the holder has
 * no lease any more (released, or lapsed and taken by another): it must stop writing. A
 * lapsed lease still in the holder's name is renewed: whoever took it meanwhile would have
 * changed the row's holder, and a release deletes the row.
 */
export async function renewLease(
  db: Queryable,
  now: Date | null,
  tenant: string,
  holder: string,
  ttlMs: number,
): Promise<Lease | undefined> {
  check(tenant, holder, ttlMs);
  const { rows } = await db.query<Lease>(renewSql, [tenant, holder, ttlMs, now]);
  return rows[0];
}

/** Gives `tenant`'s lease up; false when `holder` did not hold it. */
export async function releaseLease(db: Queryable, tenant: string, holder: string): Promise<boolean> {
  check(tenant, holder);
  const { rows } = await db.query(releaseSql, [tenant, holder]);
  return rows.length > 0;
}

/** Leases that have not expired, by tenant. */
export async function listLeases(db: Queryable, now: Date | null): Promise<Lease[]> {
  const { rows } = await db.query<Lease>(listSql, [now]);
  return rows;
}
