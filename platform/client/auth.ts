/**
 * The vendor's `X-authenticate` digest (shared/platform/kalliope-rest-auth.md): no login,
 * no session, a fresh single-use header on every request. Used by the client to sign and
 * by the stand-in to verify, so both follow the one definition.
 */
import { createHash, randomBytes } from "node:crypto";

/** Name of the header (servers match it case-insensitively). */
export const authHeaderName = "X-authenticate";

/** The fields of one `X-authenticate` header. */
export interface AuthToken {
  username: string;
  domain: string;
  digest: string;
  nonce: string;
  created: string;
}

/** `lowercase_hex(sha256(password + "{" + salt + "}"))`: what the platform stores. */
export function digestPassword(password: string, salt: string): string {
  return createHash("sha256").update(`${password}{${salt}}`, "utf8").digest("hex");
}

/** `base64(sha256_raw(nonce + digestPassword + username + domain + created))`. */
export function computeDigest(
  nonce: string,
  passwordDigest: string,
  username: string,
  domain: string,
  created: string,
): string {
  return createHash("sha256")
    .update(`${nonce}${passwordDigest}${username}${domain}${created}`, "utf8")
    .digest("base64");
}

/** `Created` in the vendor's format: UTC, seconds, `Z` (`2016-04-29T15:48:26Z`). */
export function formatCreated(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** A fresh 32-hex-character nonce, as the official clients send. */
export function newNonce(): string {
  return randomBytes(16).toString("hex");
}

/** Renders the header value for one request. */
export function renderAuthHeader(token: AuthToken): string {
  return `RestApiUsernameToken Username="${token.username}", Domain="${token.domain}", Digest="${token.digest}", Nonce="${token.nonce}", Created="${token.created}"`;
}

/** Signs one request: a new nonce and Created each time (nonces are single-use). */
export function signRequest(
  username: string,
  domain: string,
  passwordDigest: string,
  now: Date,
  nonce: string = newNonce(),
): string {
  const created = formatCreated(now);
  const digest = computeDigest(nonce, passwordDigest, username, domain, created);
  return renderAuthHeader({ username, domain, digest, nonce, created });
}

const fieldPattern = /(\w+)="([^"]*)"/g;

/** Parses a header value; undefined when it is not a complete RestApiUsernameToken. */
export function parseAuthHeader(value: string | undefined): AuthToken | undefined {
  if (!value?.startsWith("RestApiUsernameToken ")) return undefined;
  const fields = new Map<string, string>();
  for (const m of value.matchAll(fieldPattern)) fields.set(m[1] ?? "", m[2] ?? "");
  const token = {
    username: fields.get("Username"),
    domain: fields.get("Domain"),
    digest: fields.get("Digest"),
    nonce: fields.get("Nonce"),
    created: fields.get("Created"),
  };
  if (Object.values(token).some((v) => v === undefined || v === "")) return undefined;
  return token as AuthToken;
}
