/**
 * The platform's object of a natural key, read now: `GET /v1/tenants/{tenant}/live/{kind}/
 * {key}` (`{key}` after the kind, URL-encoded as in resources.ts), for a Terraform refresh
 * or an import. It reads through the account of the partner's `api` source (its client and
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

/** Registers the live-read route. */
export async function liveRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
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
        querystring: {
          type: "object",
          properties: { source: { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,62}$" } },
          additionalProperties: false,
        },
        response: { 200: liveObjectSchema, 502: ref("Problem"), ...problemResponses },
      },
    },
    async (
      request: FastifyRequest<{ Params: Params; Querystring: { source?: string } }>,
      reply: FastifyReply,
    ) => {
      const { tenant, kind, key } = request.params;
      if (!isKindName(kind)) throw notFound(`${errKindUnknown} ${kind}`);
      const source = await apiSource(deps, request, request.query.source);
      const abort = new AbortController();
      // The client went away before the answer: stop reading the platform for it.
      const onClose = () => {
        if (!reply.sent) abort.abort();
      };
      request.raw.on("close", onClose);
      let found: Awaited<ReturnType<RouteDeps["observeResource"]>>;
      try {
        found = await deps.observeResource(source.id, tenant, `${kind}/${key}`, abort.signal);
      } catch (err) {
        if (err instanceof Problem) throw err;
        throw new Problem(502, "bad-gateway", `${errLiveRead}: ${(err as Error).message}`);
      } finally {
        request.raw.off("close", onClose);
      }
      if (!found) throw notFound(`${errLiveNotFound}: ${kind}/${key}`);
      return found;
    },
  );
}
