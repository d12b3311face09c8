/**
 * API tokens: `omn_` followed by 32 random bytes in base64url (256 bits), shown once at
 * creation; the store keeps only their SHA-256.
 *
 * Why a plain SHA-256 and not bcrypt/scrypt/argon2: a slow hash protects low-entropy
 * secrets (passwords) against guessing from a stolen hash. A 256-bit random token cannot
 * be guessed whatever the hash costs, so one fast hash is as safe, and it lets the auth
 * check find a token by an indexed lookup of its hash on every request.
 */
import { createHash, randomBytes } from "node:crypto";
import type { ApiToken, TokenScope } from "../model/control.js";

/** The token prefix: recognisable in configs and by secret scanners. */
export const tokenPrefix = "omn_";
/** Random bytes of a token. */
export const tokenBytes = 32;
/** A well-formed token: the prefix and 43 base64url characters (32 bytes, no padding). */
export const tokenPattern = /^omn_[A-Za-z0-9_-]{43}$/;

/** A new random token (shown once; store only `hashToken` of it). */
export function newToken(random: (n: number) => Buffer = randomBytes): string {
  return tokenPrefix + random(tokenBytes).toString("base64url");
}

/** The stored form of a token: `sha256:<hex>` of its text. */
export function hashToken(token: string): string {
  return `sha256:${createHash("sha256").update(token, "utf8").digest("hex")}`;
}

/**
 * Whether `scopes` grant `need`: scopes nest, `admin` ⊃ `write` ⊃ `read`, so an admin
 * token also reads and writes.
 */
export function grants(scopes: readonly TokenScope[], need: TokenScope): boolean {
  const rank: Record<TokenScope, number> = { read: 0, write: 1, admin: 2 };
  return scopes.some((s) => rank[s] >= rank[need]);
}

/**
 * Makes a token for `partner` and stores its hash; the answer's `token` is the only time
 * its text exists outside the caller (the API shows it once; `omnia serve` prints the
 * bootstrap token once).
 */
export async function issueToken(
  store: {
    createToken(t: { partner: string; name: string; scopes: TokenScope[]; hash: string }): Promise<ApiToken>;
  },
  t: { partner: string; name: string; scopes: TokenScope[] },
  random?: (n: number) => Buffer,
): Promise<{ token: string; record: ApiToken }> {
  const token = newToken(random);
  const record = await store.createToken({ ...t, hash: hashToken(token) });
  return { token, record };
}
