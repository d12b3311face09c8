/**
 * The vendor's `X-authenticate` check on every route except those the contract marks
 * `security: []` (the salt) and the stand-in's own admin routes: known
 * partner domain and API user, `Created` within 5 minutes of the server clock, a nonce
 * not seen in the last 5 minutes, and the digest of the stored password digest.
 * Sets `request.partner` and `request.actor` for the routes.
 */
import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { computeDigest, parseAuthHeader } from "../../client/auth.js";
import { createdSkewMs, nonceWindowMs } from "../decided.js";
import { ApiFailure } from "../errors.js";
import type { PartnerRec, StandinState } from "../state.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated partner (routes with `config.public` have none). */
    partner: PartnerRec;
    /** `username@domain` of the authenticated API user. */
    actor: string;
  }
  interface FastifyContextConfig {
    /** The route needs no authentication (salt, stand-in admin). */
    public?: boolean;
    /** The contract operation the route implements. */
    operationId?: string;
  }
}

/** What the auth plugin needs. */
export interface AuthOptions {
  state: StandinState;
  clock: () => Date;
}

/** Error texts of the auth check (401 `unauthorized`). */
export const authErrors = {
  missing: "missing or malformed X-authenticate header",
  credentials: "unknown domain, user or wrong password",
  created: "Created is not within 5 minutes of the server clock",
  nonce: "Nonce was already used",
  nonceFormat: "Nonce must be at least 8 hex characters",
} as const;

const createdPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const unauthorized = (message: string) => new ApiFailure(401, "unauthorized", message);

/** Nonces seen in the last window, by `domain:nonce` → expiry (ms). */
class NonceCache {
  private readonly seen = new Map<string, number>();
  private lastPrune = 0;
  /** Remembers `key`; false when it was already seen within the window. */
  claim(key: string, now: number): boolean {
    if (now - this.lastPrune > 10_000) {
      for (const [k, exp] of this.seen) if (exp <= now) this.seen.delete(k);
      this.lastPrune = now;
    }
    const exp = this.seen.get(key);
    if (exp !== undefined && exp > now) return false;
    this.seen.set(key, now + nonceWindowMs);
    return true;
  }
}

async function authPlugin(app: FastifyInstance, opts: AuthOptions): Promise<void> {
  const nonces = new NonceCache();
  app.decorateRequest("partner", null as unknown as PartnerRec);
  app.decorateRequest("actor", "");
  app.addHook("onRequest", async (request: FastifyRequest) => {
    // Decided on the route the router matched (after it decoded the path), never on the
    // URL text: `/%72est/customers` is `/rest/customers`. Only a route the contract marks
    // `security: []` (or a stand-in admin route) is public; an unknown path needs auth too.
    if (request.routeOptions.config?.public) return;
    const token = parseAuthHeader(request.headers["x-authenticate"] as string | undefined);
    if (!token) throw unauthorized(authErrors.missing);
    const partner = opts.state.partnerByDomain(token.domain);
    const user = partner?.apiUsers.find((u) => u.username === token.username);
    if (!partner || !user) throw unauthorized(authErrors.credentials);
    const now = opts.clock().getTime();
    const created = createdPattern.test(token.created) ? Date.parse(token.created) : Number.NaN;
    if (!(Math.abs(now - created) <= createdSkewMs)) throw unauthorized(authErrors.created);
    if (!/^[0-9a-fA-F]{8,}$/.test(token.nonce)) throw unauthorized(authErrors.nonceFormat);
    const want = Buffer.from(
      computeDigest(token.nonce, user.passwordDigest, token.username, token.domain, token.created),
    );
    const got = Buffer.from(token.digest);
    if (want.length !== got.length || !timingSafeEqual(want, got)) throw unauthorized(authErrors.credentials);
    if (!nonces.claim(`${token.domain}:${token.nonce}`, now)) throw unauthorized(authErrors.nonce);
    request.partner = partner;
    request.actor = `${token.username}@${token.domain}`;
  });
}

/** Authentication for the whole app (wrapped so its hook applies to every route). */
export const authPluginFp = fp(authPlugin, { name: "standin-auth", dependencies: ["standin-faults"] });
