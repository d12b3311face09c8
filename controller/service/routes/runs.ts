/**
 * Runs and their steps, read-only: `GET /v1/runs` (newest first, filtered by source,
 * tenant, outcome, mode; paged by `before`, the `startedAt` of the last run seen),
 * `GET /v1/runs/{id}` and `GET /v1/runs/{id}/steps` (filtered by state, kind, tenant;
 * paged by offset). Only runs of the partner's sources are visible; another partner's run
 * is a 404.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RunMode, RunOutcome, RunRecord, StepState } from "../../model/run.js";
import { errRunNotFound, notFound } from "../errors.js";
import { problemResponses, ref } from "../schemas.js";
import { ownSource, type RouteDeps, tokenOf } from "./access.js";

const runQuery = {
  type: "object",
  properties: {
    source: { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,62}$" },
    tenant: { type: "string", maxLength: 32 },
    outcome: { enum: ["ok", "changes", "failed", "refused", "cancelled", "interrupted"] },
    mode: { enum: ["plan", "apply", "drift"] },
    before: { type: "string", format: "date-time", description: "runs started before this time" },
    limit: { type: "integer", minimum: 1, maximum: 500, default: 50 },
  },
  additionalProperties: false,
} as const;

const stepQuery = {
  type: "object",
  properties: {
    state: { enum: ["started", "ok", "failed", "terminal", "skipped"] },
    kind: { type: "string", maxLength: 32 },
    tenant: { type: "string", maxLength: 32 },
    limit: { type: "integer", minimum: 1, maximum: 1000, default: 200 },
    offset: { type: "integer", minimum: 0, default: 0 },
  },
  additionalProperties: false,
} as const;

const runParams = {
  type: "object",
  properties: { id: { type: "string", minLength: 1, maxLength: 128 } },
  required: ["id"],
} as const;

type RunQuery = {
  source?: string;
  tenant?: string;
  outcome?: RunOutcome;
  mode?: RunMode;
  before?: string;
  limit: number;
};
type StepQuery = { state?: StepState; kind?: string; tenant?: string; limit: number; offset: number };

/** Registers the run routes. */
export async function runRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  /** Run `id` when it is of one of the partner's sources; 404 otherwise. */
  const ownRun = async (request: FastifyRequest, id: string): Promise<RunRecord> => {
    const run = await deps.store.getRun(id);
    const source = run ? await deps.store.getSource(run.source) : undefined;
    if (!run || !source || source.partner !== tokenOf(request).partner) throw notFound(errRunNotFound);
    return run;
  };

  app.get(
    "/v1/runs",
    {
      config: { scope: "read" },
      schema: {
        tags: ["runs"],
        summary: "Runs of the partner's sources, newest first",
        querystring: runQuery,
        response: {
          200: {
            type: "object",
            properties: {
              items: { type: "array", items: ref("Run") },
              next: { type: ["string", "null"], description: "`before` of the next page; null on the last" },
            },
            required: ["items", "next"],
          },
          ...problemResponses,
        },
      },
    },
    async (request: FastifyRequest<{ Querystring: RunQuery }>) => {
      const { source, before, limit, ...rest } = request.query;
      const sources =
        source !== undefined
          ? [(await ownSource(deps, request, source)).id]
          : (await deps.store.listSources({ partner: tokenOf(request).partner })).map((s) => s.id);
      const items = await deps.store.listRuns({
        ...rest,
        sources,
        limit,
        ...(before ? { before: new Date(before) } : {}),
      });
      const last = items.at(-1);
      return { items, next: items.length === limit && last ? last.startedAt.toISOString() : null };
    },
  );

  app.get(
    "/v1/runs/:id",
    {
      config: { scope: "read" },
      schema: {
        tags: ["runs"],
        summary: "One run",
        params: runParams,
        response: { 200: ref("Run"), ...problemResponses },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => ownRun(request, request.params.id),
  );

  app.get(
    "/v1/runs/:id/steps",
    {
      config: { scope: "read" },
      schema: {
        tags: ["runs"],
        summary: "A run's steps in order, filtered and paged",
        params: runParams,
        querystring: stepQuery,
        response: {
          200: {
            type: "object",
            properties: { items: { type: "array", items: ref("Step") }, total: { type: "integer" } },
            required: ["items", "total"],
          },
          ...problemResponses,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Querystring: StepQuery }>) => {
      const run = await ownRun(request, request.params.id);
      const q = request.query;
      const steps = (await deps.store.listSteps(run.id)).filter(
        (s) =>
          (q.state === undefined || s.state === q.state) &&
          (q.kind === undefined || s.kind === q.kind) &&
          (q.tenant === undefined || s.tenant === q.tenant),
      );
      return { items: steps.slice(q.offset, q.offset + q.limit), total: steps.length };
    },
  );
}
