/**
 * What every route plugin shares: its dependencies, partner isolation (`ownSource`) and the
 * audit of changes (`recordChange`: an `api.change` event with actor and client address).
 */
import type { FastifyRequest } from "fastify";
import type { ApiToken, SourceRecord } from "../../model/control.js";
import { errSourceNotFound, notFound } from "../errors.js";
import type { ServiceDeps } from "../ports.js";

/** What the route plugins get from `buildApp`. */
export interface RouteDeps extends ServiceDeps {
  clock: () => Date;
}

/** The request's token (routes that are not public always have one). */
export function tokenOf(request: FastifyRequest): ApiToken {
  if (!request.token) throw new Error("route without a token: is it marked public by mistake?");
  return request.token;
}

/** `name (id)` of the request's token: the actor of what it changes. */
export const actorOf = (token: ApiToken): string => `${token.name} (${token.id})`;

/**
 * Source `id` when it belongs to the request's partner; 404 otherwise, the same answer as
 * for a source that does not exist, so a token learns nothing of other partners.
 */
export async function ownSource(deps: RouteDeps, request: FastifyRequest, id: string): Promise<SourceRecord> {
  const source = await deps.store.getSource(id);
  if (!source || source.partner !== tokenOf(request).partner) throw notFound(errSourceNotFound);
  return source;
}

/** Records a change made through the API as an `api.change` event of the token's partner. */
export async function recordChange(
  deps: RouteDeps,
  request: FastifyRequest,
  change: { action: string; source?: string | null; tenant?: string | null; data?: Record<string, unknown> },
): Promise<void> {
  const token = tokenOf(request);
  await deps.store.appendEvent({
    type: "api.change",
    partner: token.partner,
    source: change.source ?? null,
    tenant: change.tenant ?? null,
    actor: actorOf(token),
    ip: request.ip,
    at: deps.clock(),
    data: { action: change.action, method: request.method, path: request.url.split("?")[0], ...change.data },
  });
}
