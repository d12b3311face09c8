/**
 * Tenant status: the list across the partner's sources (filter by source, phase, part of
 * the code; sort; page), one tenant with its resources (drift diffs, who changed them),
 * and "reconcile now" (`POST /v1/sources/{id}/tenants/{tenant}/reconcile`, `*` for every
 * tenant of the source), which only queues the tenant's identity (style.md §1).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RequestMode, TenantPhase } from "../../model/control.js";
import { errTenantNotFound, notFound } from "../errors.js";
import type { TenantStatusFilter } from "../ports.js";
import { problemResponses, ref } from "../schemas.js";
import { ownSource, type RouteDeps, recordChange, tokenOf } from "./access.js";

/** A customer code (common.schema.json `$defs.customerCode`). */
export const tenantPattern = "^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$";
const sourcePattern = "^[a-z0-9][a-z0-9-]{0,62}$";

const listQuery = {
  type: "object",
  properties: {
    source: { type: "string", pattern: sourcePattern },
    phase: { enum: ["InSync", "Drifted", "Reconciling", "Failed", "Suspended"] },
    q: { type: "string", maxLength: 64, description: "part of the customer code, any case" },
    sort: { enum: ["tenant", "phase", "lastRunAt", "drifted"], default: "tenant" },
    order: { enum: ["asc", "desc"], default: "asc" },
    limit: { type: "integer", minimum: 1, maximum: 500, default: 50 },
    offset: { type: "integer", minimum: 0, default: 0 },
  },
  additionalProperties: false,
} as const;

type ListQuery = Required<Pick<TenantStatusFilter, "sort" | "order" | "limit" | "offset">> & {
  source?: string;
  phase?: TenantPhase;
  q?: string;
};

/** Registers the tenant routes. */
export async function tenantRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.get(
    "/v1/tenants",
    {
      config: { scope: "read" },
      schema: {
        tags: ["tenants"],
        summary: "Tenant status across the partner's sources, filtered, sorted and paged",
        querystring: listQuery,
        response: {
          200: {
            type: "object",
            properties: {
              items: { type: "array", items: ref("TenantStatus") },
              total: { type: "integer" },
              limit: { type: "integer" },
              offset: { type: "integer" },
            },
            required: ["items", "total", "limit", "offset"],
          },
          ...problemResponses,
        },
      },
    },
    async (request: FastifyRequest<{ Querystring: ListQuery }>) => {
      const q = request.query;
      if (q.source !== undefined) await ownSource(deps, request, q.source);
      const page = await deps.store.listTenantStatus({ ...q, partner: tokenOf(request).partner });
      return { ...page, limit: q.limit, offset: q.offset };
    },
  );

  app.get(
    "/v1/sources/:id/tenants/:tenant",
    {
      config: { scope: "read" },
      schema: {
        tags: ["tenants"],
        summary: "One tenant: status, resources with drift diffs and who changed them, queued requests",
        params: {
          type: "object",
          properties: {
            id: { type: "string", pattern: sourcePattern },
            tenant: { type: "string", pattern: tenantPattern },
          },
          required: ["id", "tenant"],
        },
        response: {
          200: {
            type: "object",
            properties: {
              status: ref("TenantStatus"),
              resources: { type: "array", items: ref("ResourceStatus") },
              queued: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    mode: { enum: ["apply", "drift"] },
                    reasons: { type: "array", items: { type: "string" } },
                    notBefore: { type: "string", format: "date-time" },
                    attempts: { type: "integer" },
                    claimedBy: { type: ["string", "null"] },
                  },
                },
              },
            },
            required: ["status", "resources", "queued"],
          },
          ...problemResponses,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string; tenant: string } }>) => {
      const source = await ownSource(deps, request, request.params.id);
      const { tenant } = request.params;
      const status = await deps.store.getTenantStatus(source.id, tenant);
      if (!status || status.partner !== source.partner) throw notFound(errTenantNotFound);
      const [resources, requests] = await Promise.all([
        deps.store.listResourceStatus({ tenants: [tenant] }),
        deps.store.listRequests({ source: source.id }),
      ]);
      return { status, resources, queued: requests.filter((r) => r.tenant === tenant) };
    },
  );

  app.post(
    "/v1/sources/:id/tenants/:tenant/reconcile",
    {
      config: { scope: "write" },
      schema: {
        tags: ["tenants"],
        summary: "Reconcile now: queue the tenant (or every tenant, `*`) ahead of its timer",
        params: {
          type: "object",
          properties: {
            id: { type: "string", pattern: sourcePattern },
            tenant: { type: "string", pattern: `(${tenantPattern})|(^\\*$)` },
          },
          required: ["id", "tenant"],
        },
        body: {
          type: ["object", "null"],
          properties: { mode: { enum: ["apply", "drift"], default: "apply" } },
          additionalProperties: false,
        },
        response: {
          202: {
            type: "object",
            properties: { source: { type: "string" }, tenant: { type: "string" }, mode: { type: "string" } },
            required: ["source", "tenant", "mode"],
          },
          ...problemResponses,
        },
      },
    },
    async (
      request: FastifyRequest<{
        Params: { id: string; tenant: string };
        Body: { mode?: RequestMode } | null;
      }>,
      reply,
    ) => {
      const source = await ownSource(deps, request, request.params.id);
      const { tenant } = request.params;
      const mode = request.body?.mode ?? "apply";
      await deps.trigger(source.id, tenant, "manual", mode);
      await recordChange(deps, request, {
        action: "reconcile.requested",
        source: source.id,
        tenant,
        data: { mode },
      });
      return reply.code(202).send({ source: source.id, tenant, mode });
    },
  );
}
