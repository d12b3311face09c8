/**
 * API tokens of partners (`api_tokens`), kept only as the hash the service makes
 * (HMAC-SHA-256 with the controller's key, or SHA-256 of a 256-bit random token): the
 * store never sees a token, so a copy of the database lets nobody in. A revoked token
 * stays, with its `revokedAt`, so the service can say "revoked" rather than "unknown".
 */
import { randomUUID } from "node:crypto";
import type { ApiToken, TokenScope } from "../model/control.js";
import type { Queryable } from "./driver.js";
import { errTokenArgs, StoreError } from "./errors.js";
import { checkNonEmpty, nowSql } from "./sql-args.js";

/** A token as created: its hash, never the token. */
export interface NewToken {
  partner: string;
  /** What it is for, shown in lists and as the actor of API changes. */
  name: string;
  scopes: TokenScope[];
  /** The token's hash, made by the service. */
  hash: string;
}

/** The store's API tokens. */
export interface TokenStore {
  /**
   * Records a token (a new random id). Throws `StoreError(errTokenArgs)` for an empty
   * partner, name or hash, no scope or an unknown one; `StoreError(errQuery)` when the
   * hash is taken.
   */
  createToken(token: NewToken): Promise<ApiToken>;
  /** The token with this hash, revoked ones included (see `revokedAt`). */
  findTokenByHash(hash: string): Promise<ApiToken | undefined>;
  /** A partner's tokens, oldest first, revoked ones included. */
  listTokens(partner: string): Promise<ApiToken[]>;
  /** Revokes `partner`'s token `id`; false when it has none such or it is revoked already. */
  revokeToken(id: string, partner: string): Promise<boolean>;
  /** Records a use of token `id` at `at` (default now); an earlier time never moves it back. */
  touchToken(id: string, at?: Date): Promise<void>;
}

const scopes: readonly TokenScope[] = ["read", "write", "admin"];

const columns = `id, partner, name, scopes, created_at AS "createdAt", revoked_at AS "revokedAt",
  last_used_at AS "lastUsedAt"`;

/** See `TokenStore.createToken`. */
export async function createToken(db: Queryable, now: Date | null, t: NewToken): Promise<ApiToken> {
  checkNonEmpty(errTokenArgs, "partner", t.partner);
  checkNonEmpty(errTokenArgs, "name", t.name);
  checkNonEmpty(errTokenArgs, `hash of token ${t.name}`, t.hash);
  if (t.scopes.length === 0) throw new StoreError(errTokenArgs, `token ${t.name} has no scope`);
  for (const s of t.scopes) {
    if (!scopes.includes(s)) {
      throw new StoreError(
        errTokenArgs,
        `token ${t.name}: scope ${JSON.stringify(s)}; want ${scopes.join(", ")}`,
      );
    }
  }
  const { rows } = await db.query<ApiToken>(
    `INSERT INTO api_tokens (id, partner, name, scopes, hash, created_at)
     VALUES ($1, $2, $3, $4::text[], $5, ${nowSql("$6")}) RETURNING ${columns}`,
    [randomUUID(), t.partner, t.name, [...new Set(t.scopes)], t.hash, now],
  );
  return rows[0] as ApiToken;
}

/** See `TokenStore.findTokenByHash`. */
export async function findTokenByHash(db: Queryable, hash: string): Promise<ApiToken | undefined> {
  const { rows } = await db.query<ApiToken>(`SELECT ${columns} FROM api_tokens WHERE hash = $1`, [hash]);
  return rows[0];
}

/** See `TokenStore.listTokens`. */
export async function listTokens(db: Queryable, partner: string): Promise<ApiToken[]> {
  const { rows } = await db.query<ApiToken>(
    `SELECT ${columns} FROM api_tokens WHERE partner = $1 ORDER BY created_at, id`,
    [partner],
  );
  return rows;
}

/** See `TokenStore.revokeToken`. */
export async function revokeToken(
  db: Queryable,
  now: Date | null,
  id: string,
  partner: string,
): Promise<boolean> {
  const { rows } = await db.query(
    `UPDATE api_tokens SET revoked_at = ${nowSql("$3")}
     WHERE id = $1 AND partner = $2 AND revoked_at IS NULL RETURNING id`,
    [id, partner, now],
  );
  return rows.length > 0;
}

/** See `TokenStore.touchToken`. */
export async function touchToken(db: Queryable, now: Date | null, id: string, at?: Date): Promise<void> {
  await db.query(
    `UPDATE api_tokens SET last_used_at = greatest(last_used_at, ${nowSql("$2")}) WHERE id = $1`,
    [id, at ?? now],
  );
}
