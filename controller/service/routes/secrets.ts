/**
 * Secrets stored in the controller for resources written through the API (the Terraform
 * provider's write-only `pin` / `password`): `PUT /v1/tenants/{tenant}/secrets/{name}`
 * (body `{value}`), `DELETE` of the same path, and `GET /v1/tenants/{tenant}/secrets`,
 * which lists names and times only. A document of the partner's `api` source names one as
 * `{fromSecret: "name"}`; the loader opens it at each reconcile.
 *
 * The value is sealed here (`ServiceDeps.sealSecret`: AES-256-GCM under a key derived from
 * OMNIA_SECRET_KEY) before the store sees it, and no answer, event or log line holds it:
 * the events record the name only. A PUT or DELETE queues nothing: the new value reaches
 * the platform at the tenant's next reconcile, which the PUT of a resource naming it starts
 * (what the Terraform provider does right after, with `?wait=true`), or the source's
 * interval does (the secret changes the source's revision). Queuing here would start a run
 * that the provider's `?wait=true` right after would find holding the tenant's lease.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { StoredSecretError } from "../../runtime/stored-secrets.js";
import { errSecretNotFound, invalid, notFound } from "../errors.js";
import { problemResponses } from "../schemas.js";
import { apiSource, type RouteDeps, recordChange } from "./access.js";
import { tenantPattern } from "./tenants.js";

/** A stored secret's name: what `{fromSecret}` gives (schemas/common.schema.json). */
export const secretNamePattern = "^[a-z0-9][a-z0-9-]{0,126}$";
/** Longest value accepted, in characters (a PIN or trunk password is a line). */
export const maxSecretValueLength = 256;

type Params = { tenant: string; name: string };
type Query = { source?: string };

const params = {
  type: "object",
  properties: {
    tenant: { type: "string", pattern: tenantPattern },
    name: { type: "string", pattern: secretNamePattern },
  },
  required: ["tenant", "name"],
} as const;

const query = {
  type: "object",
  properties: { source: { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,62}$" } },
  additionalProperties: false,
} as const;

const secretView = {
  type: "object",
  description: "A stored secret's name and times; never its value.",
  properties: {
    source: { type: "string" },
    tenant: { type: "string" },
    name: { type: "string" },
    createdAt: { type: "string", format: "date-time" },
    updatedAt: { type: "string", format: "date-time" },
  },
  required: ["source", "tenant", "name", "updatedAt"],
  additionalProperties: false,
} as const;

/** Registers the secret routes. */
export async function secretRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.put(
    "/v1/tenants/:tenant/secrets/:name",
    {
      config: { scope: "write" },
      schema: {
        tags: ["secrets"],
        summary: "Store a secret (encrypted at rest) that resources name as {fromSecret: name}",
        params,
        querystring: query,
        body: {
          type: "object",
          properties: {
            value: {
              type: "string",
              minLength: 1,
              maxLength: maxSecretValueLength,
              description: "the secret; never answered, logged or stored in clear",
            },
          },
          required: ["value"],
          additionalProperties: false,
        },
        response: { 200: secretView, 201: secretView, ...problemResponses },
      },
    },
    async (
      request: FastifyRequest<{ Params: Params; Querystring: Query; Body: { value: string } }>,
      reply: FastifyReply,
    ) => {
      const { tenant, name } = request.params;
      const source = await apiSource(deps, request, request.query.source);
      const address = { source: source.id, tenant, name };
      let sealed: ReturnType<RouteDeps["sealSecret"]>;
      try {
        sealed = deps.sealSecret(address, request.body.value);
      } catch (err) {
        if (err instanceof StoredSecretError) throw invalid("body/value", err.message);
        throw err;
      }
      const { created } = await deps.store.putStoredSecret(address, sealed);
      await recordChange(deps, request, {
        action: created ? "secret.created" : "secret.replaced",
        source: source.id,
        tenant,
        data: { name },
      });
      const info = (await deps.store.listStoredSecrets(source.id, { tenant })).find((s) => s.name === name);
      return reply.code(created ? 201 : 200).send({
        source: source.id,
        tenant,
        name,
        createdAt: info?.createdAt,
        updatedAt: info?.updatedAt ?? deps.clock(),
      });
    },
  );

  app.delete(
    "/v1/tenants/:tenant/secrets/:name",
    {
      config: { scope: "write" },
      schema: {
        tags: ["secrets"],
        summary: "Delete a stored secret (resources naming it stop validating)",
        params,
        querystring: query,
        response: { 204: { type: "null" }, ...problemResponses },
      },
    },
    async (request: FastifyRequest<{ Params: Params; Querystring: Query }>, reply: FastifyReply) => {
      const { tenant, name } = request.params;
      const source = await apiSource(deps, request, request.query.source);
      if (!(await deps.store.deleteStoredSecret({ source: source.id, tenant, name })))
        throw notFound(errSecretNotFound);
      await recordChange(deps, request, {
        action: "secret.deleted",
        source: source.id,
        tenant,
        data: { name },
      });
      await deps.trigger(source.id, tenant, "api", "apply");
      return reply.code(204).send();
    },
  );

  app.get(
    "/v1/tenants/:tenant/secrets",
    {
      config: { scope: "read" },
      schema: {
        tags: ["secrets"],
        summary: "The names of a tenant's stored secrets and when each was set; never values",
        params: { type: "object", properties: { tenant: params.properties.tenant }, required: ["tenant"] },
        querystring: query,
        response: {
          200: {
            type: "object",
            properties: { items: { type: "array", items: secretView } },
            required: ["items"],
          },
          ...problemResponses,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { tenant: string }; Querystring: Query }>) => {
      const { tenant } = request.params;
      const source = await apiSource(deps, request, request.query.source);
      const items = (await deps.store.listStoredSecrets(source.id, { tenant })).map((s) => ({
        source: s.source,
        tenant: s.tenant,
        name: s.name,
        createdAt: s.createdAt,
        updatedAt: s.updatedAt,
      }));
      return { items };
    },
  );
}
