/**
 * What every route plugin shares: its dependencies, partner isolation (`ownSource`,
 * `apiSource`) and the
 * audit of changes (`recordChange`: an `api.change` event with actor and client address).
 */
import type { FastifyRequest } from "fastify";
import type { ApiToken, SourceRecord } from "../../model/control.js";
import {
  errManyApiSources,
  errNoApiSource,
  errNotApiSource,
  errSourceNotFound,
  invalid,
  notFound,
  Problem,
} from "../errors.js";
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

/**
 * The partner's `api` source: the one `named` (409 `not-api-source` when it is of another
 * type), or the partner's only one (409 `no-api-source` when it has none, 400 on
 * `querystring/source` when it has several).
 */
export async function apiSource(
  deps: RouteDeps,
  request: FastifyRequest,
  named: string | undefined,
): Promise<SourceRecord> {
  if (named !== undefined) {
    const source = await ownSource(deps, request, named);
    if (source.location.type !== "api") throw new Problem(409, "not-api-source", errNotApiSource);
    return source;
  }
  const all = await deps.store.listSources({ partner: tokenOf(request).partner });
  const api = all.filter((s) => s.location.type === "api");
  if (api.length === 0) throw new Problem(409, "no-api-source", errNoApiSource);
  if (api.length > 1) throw invalid("querystring/source", errManyApiSources);
  return api[0] as SourceRecord;
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
