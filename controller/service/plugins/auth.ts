/**
 * Bearer-token authentication and scopes for every route, default deny: a route is open
 * only when its config says `public: true` (health, metrics, docs, the webhook, which
 * checks its own signature); any other route needs a live token whose scopes grant the
 * route's `scope` (default `admin`, the strictest). Sets `request.token`. Then a rate limit
 * per token (@fastify/rate-limit, keyed by token id; by client address on public routes).
 *
 * Answers: no token 401, unknown or revoked token 401, missing scope 403. Partner
 * isolation (another partner's source or tenant is a 404) is the routes' part, through
 * `ownSource` (routes/access.ts).
 */
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { ApiToken, TokenScope } from "../../model/control.js";
import { errBadToken, errNoToken, errRateLimited, forbidden, Problem, unauthorized } from "../errors.js";
import type { ServiceStore } from "../ports.js";
import { grants, hashToken, tokenPattern } from "../tokens.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The request's token; null only on public routes. */
    token: ApiToken | null;
  }
  interface FastifyContextConfig {
    /** The route needs no token. */
    public?: boolean;
    /** The scope the route needs. Default `admin`. */
    scope?: TokenScope;
  }
}

/** Options of the auth plugin. */
export interface AuthOptions {
  store: ServiceStore;
  clock: () => Date;
  /** Requests per token (or per client address on public routes) per window. Default 600. */
  rateLimitMax?: number;
  /** The rate limit's window (ms). Default 60 000. */
  rateLimitWindowMs?: number;
  /** `touchToken` at most this often per token (ms), to spare a write per request. Default 60 000. */
  touchEveryMs?: number;
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1];
}

async function authPlugin(app: FastifyInstance, opts: AuthOptions): Promise<void> {
  const touchEveryMs = opts.touchEveryMs ?? 60_000;
  const lastTouch = new Map<string, number>();
  app.decorateRequest("token", null);
  app.addHook("onRequest", async (request: FastifyRequest) => {
    // Decided on the route the router matched, never on the URL text.
    const config = request.routeOptions.config;
    if (config?.public) return;
    const text = bearerToken(request.headers.authorization);
    if (!text) throw unauthorized(errNoToken);
    // A malformed token cannot match a stored hash: refuse it without a lookup.
    if (!tokenPattern.test(text)) throw unauthorized(errBadToken);
    const token = await opts.store.findTokenByHash(hashToken(text));
    if (!token || token.revokedAt !== null) throw unauthorized(errBadToken);
    const need = config?.scope ?? "admin";
    if (!grants(token.scopes, need)) throw forbidden(need);
    request.token = token;
    const now = opts.clock();
    if (now.getTime() - (lastTouch.get(token.id) ?? Number.NEGATIVE_INFINITY) >= touchEveryMs) {
      lastTouch.set(token.id, now.getTime());
      await opts.store.touchToken(token.id, now);
    }
  });
  await app.register(rateLimit, {
    global: true,
    // After authentication (onRequest), so the key is the token and not a guessable header.
    hook: "preHandler",
    max: opts.rateLimitMax ?? 600,
    timeWindow: opts.rateLimitWindowMs ?? 60_000,
    keyGenerator: (request) => (request.token ? `token:${request.token.id}` : `ip:${request.ip}`),
    errorResponseBuilder: () => new Problem(429, "rate-limited", errRateLimited),
  });
}

/** Authentication, scopes and the per-token rate limit for the whole app. */
export const authPluginFp = fp(authPlugin, { name: "service-auth", dependencies: ["service-errors"] });
