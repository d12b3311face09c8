/**
 * Who is looking: the dashboard logs in with an API token (issue 10 §4) kept in an
 * HttpOnly, SameSite=Strict cookie (Secure when the request came over https), checked on
 * every request exactly as the API checks a Bearer token (hash, `findTokenByHash`,
 * revoked refused). The language cookie and the check that a form was posted from this
 * dashboard (Origin / Sec-Fetch-Site) live here too.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ApiToken } from "../../model/control.js";
import type { ServiceStore } from "../ports.js";
import { hashToken, tokenPattern } from "../tokens.js";
import { type Locale, pickLocale } from "./i18n.js";

/** Cookie holding the API token. */
export const tokenCookie = "omnia_token";
/** Cookie holding the chosen language. */
export const langCookie = "omnia_lang";

/** Refusal of a form posted from another site. */
export const errCrossSite = "this form was not sent from the dashboard";

/** The live token the text names, or undefined (malformed, unknown or revoked). */
export async function tokenFromText(
  store: ServiceStore,
  text: string | undefined,
): Promise<ApiToken | undefined> {
  const value = text?.trim();
  if (!value || !tokenPattern.test(value)) return undefined;
  const token = await store.findTokenByHash(hashToken(value));
  return token && token.revokedAt === null ? token : undefined;
}

/** Sets the token cookie (HttpOnly, SameSite=Strict, Path=/, Secure over https). */
export function setTokenCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(tokenCookie, token, {
    path: "/",
    httpOnly: true,
    sameSite: "strict",
    secure: request.protocol === "https",
  });
}

/** Clears the token cookie. */
export function clearTokenCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(tokenCookie, {
    path: "/",
    httpOnly: true,
    sameSite: "strict",
    secure: request.protocol === "https",
  });
}

/** The request's language: cookie, then Accept-Language, then English. */
export function localeOf(request: FastifyRequest): Locale {
  return pickLocale(request.cookies?.[langCookie], request.headers["accept-language"]);
}

/**
 * Whether a state-changing request came from a page of this dashboard. Browsers send
 * `Sec-Fetch-Site` and `Origin` on POST; when present they must say same origin. The
 * SameSite=Strict cookie already keeps other sites' forms from carrying the token; this
 * is the second lock.
 */
export function sameOrigin(request: FastifyRequest): boolean {
  const site = request.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  return origin === `${request.protocol}://${request.host}`;
}

/**
 * A path of this dashboard to go back to after a login or a language switch: a local path
 * (`/…`, never `//host` or `/\host`), else `/`.
 */
export function localPath(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\"))
    return "/";
  if (/[^\x20-\x7e]|\\/.test(next)) return "/";
  return next;
}
