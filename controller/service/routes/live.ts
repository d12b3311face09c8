/**
 * The platform's objects of a tenant, read now: `GET /v1/tenants/{tenant}/live` (every
 * object, `?kind=` one kind; `{items}`), and the object of one natural key,
 * `GET /v1/tenants/{tenant}/live/{kind}/{key}` (`{key}` after the kind, URL-encoded as in
 * resources.ts), for a Terraform refresh or an import. Both read the whole tenant (one
 * observe); concurrent reads of one tenant share it (`ServiceDeps.observeTenant`), so a
 * refresh of 1,000 objects costs the platform one observe, and the list serves a provider
 * that asks once per tenant. They read through the account of the partner's `api` source (its client and
 * rate budget; observe's list calls for the one tenant, never a write) and works for keys
 * no resource declares, such as an extension made by hand. Secrets only as
 * `{sensitive: true}` (live-view.ts); 404 when the platform has no such object.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isKindName } from "../../model/registry.js";
import { errKindUnknown, errLiveNotFound, errLiveRead, notFound, Problem } from "../errors.js";
import { problemResponses, ref } from "../schemas.js";
import { apiSource, type RouteDeps } from "./access.js";
import { tenantPattern } from "./tenants.js";

/** The JSON Schema of a live object (`LiveObjectView`), here and in `apply.live`. */
export const liveObjectSchema = {
  type: "object",
  description:
    "A live object as the platform answers it; a secret field it says is set shows as {sensitive: true}, never a value.",
  properties: {
    kind: { type: "string" },
    key: { type: "string", description: "full natural key, e.g. Extension/ACME001/hq/201" },
    id: { type: "string", description: "platform id" },
    spec: { type: "object", additionalProperties: true },
    status: {
      type: "object",
      properties: {
        phase: { type: "string", description: "active, pending or suspended" },
        facts: { type: "object", additionalProperties: true },
      },
      required: ["phase", "facts"],
    },
    owner: {
      anyOf: [
        { type: "object", properties: { source: { type: "string" } }, required: ["source"] },
        { type: "null" },
      ],
      description: "the source whose inventory owns the key; null when no source manages it",
    },
  },
  required: ["kind", "key", "id", "spec", "owner"],
} as const;

type Params = { tenant: string; kind: string; key: string };

const sourceQuery = { source: { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,62}$" } } as const;

/** Registers the live-read routes. */
export async function liveRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  /** The tenant's live objects; a platform that cannot be read is a 502. Aborted if the client goes away. */
  const observeTenant = async (
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: string,
    named?: string,
  ) => {
    const source = await apiSource(deps, request, named);
    const abort = new AbortController();
    // The client went away before the answer: stop waiting for the platform for it.
    const onClose = () => {
      if (!reply.sent) abort.abort();
    };
    request.raw.on("close", onClose);
    try {
      return await deps.observeTenant(source.id, tenant, abort.signal);
    } catch (err) {
      if (err instanceof Problem) throw err;
      throw new Problem(502, "bad-gateway", `${errLiveRead}: ${(err as Error).message}`);
    } finally {
      request.raw.off("close", onClose);
    }
  };

  app.get(
    "/v1/tenants/:tenant/live",
    {
      config: { scope: "read" },
      schema: {
        tags: ["resources"],
        summary: "Read every object of a tenant (or of one kind) from the platform now; never writes",
        params: {
          type: "object",
          properties: { tenant: { type: "string", pattern: tenantPattern } },
          required: ["tenant"],
        },
        querystring: {
          type: "object",
          properties: { ...sourceQuery, kind: { type: "string", maxLength: 32 } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: "object",
            properties: { items: { type: "array", items: liveObjectSchema } },
            required: ["items"],
          },
          502: ref("Problem"),
          ...problemResponses,
        },
      },
    },
    async (
      request: FastifyRequest<{
        Params: { tenant: string };
        Querystring: { source?: string; kind?: string };
      }>,
      reply: FastifyReply,
    ) => {
      const { kind, source } = request.query;
      if (kind !== undefined && !isKindName(kind)) throw notFound(`${errKindUnknown} ${kind}`);
      const items = await observeTenant(request, reply, request.params.tenant, source);
      return { items: kind === undefined ? items : items.filter((o) => o.kind === kind) };
    },
  );

  app.get(
    "/v1/tenants/:tenant/live/:kind/:key",
    {
      config: { scope: "read" },
      schema: {
        tags: ["resources"],
        summary: "Read one object from the platform now (refresh, import); never writes",
        params: {
          type: "object",
          properties: {
            tenant: { type: "string", pattern: tenantPattern },
            kind: { type: "string", maxLength: 32 },
            key: {
              type: "string",
              minLength: 1,
              maxLength: 512,
              description: "natural key after the kind, URL-encoded",
            },
          },
          required: ["tenant", "kind", "key"],
        },
        querystring: { type: "object", properties: sourceQuery, additionalProperties: false },
        response: { 200: liveObjectSchema, 502: ref("Problem"), ...problemResponses },
      },
    },
    async (
      request: FastifyRequest<{ Params: Params; Querystring: { source?: string } }>,
      reply: FastifyReply,
    ) => {
      const { tenant, kind, key } = request.params;
      if (!isKindName(kind)) throw notFound(`${errKindUnknown} ${kind}`);
      const fullKey = `${kind}/${key}`;
      const items = await observeTenant(request, reply, tenant, request.query.source);
      const found = items.find((o) => o.key === fullKey);
      if (!found) throw notFound(`${errLiveNotFound}: ${kind}/${key}`);
      return found;
    },
  );
}
