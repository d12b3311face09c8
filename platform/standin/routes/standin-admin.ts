/**
 * The stand-in's own controls, outside `/rest/` and without authentication: read and
 * change the knobs, read and reset the counters. Only ever served on loopback.
 */
import type { FastifyInstance } from "fastify";
import { emptyStats, type Knobs, type StandinStats, updateKnobs } from "../knobs.js";

/** What the admin routes control. */
export interface AdminDeps {
  knobs: Knobs;
  stats: StandinStats;
  pendingDelay: { ms: number };
}

const knobsBody = {
  type: "object",
  properties: {
    latencyMs: { type: "integer", minimum: 0, maximum: 60_000 },
    errorRates: { type: "object", additionalProperties: { type: "number", minimum: 0, maximum: 1 } },
    failNext: {
      type: "array",
      items: {
        type: "object",
        properties: {
          status: { type: "integer", minimum: 400, maximum: 599 },
          count: { type: "integer", minimum: 1 },
          retryAfterSec: { type: "integer", minimum: 0 },
          method: { type: "string" },
          urlContains: { type: "string" },
        },
        required: ["status", "count"],
        additionalProperties: false,
      },
    },
    resetRate: { type: "number", minimum: 0, maximum: 1 },
    resetNext: { type: "integer", minimum: 0 },
    rateLimit: {
      oneOf: [
        {
          type: "object",
          properties: {
            requestsPerSecond: { type: "number", exclusiveMinimum: 0 },
            burst: { type: "integer", minimum: 1 },
          },
          required: ["requestsPerSecond", "burst"],
          additionalProperties: false,
        },
        { type: "null" },
      ],
    },
    pendingDelayMs: { type: "integer", minimum: 0 },
  },
  additionalProperties: false,
};

/** Registers `/_standin/knobs` and `/_standin/stats`. */
export async function standinAdminRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const view = () => ({ ...deps.knobs, pendingDelayMs: deps.pendingDelay.ms });
  app.get("/_standin/knobs", { config: { public: true } }, async () => view());
  app.patch("/_standin/knobs", { config: { public: true }, schema: { body: knobsBody } }, async (request) => {
    const { pendingDelayMs, ...patch } = request.body as Partial<Knobs> & { pendingDelayMs?: number };
    updateKnobs(deps.knobs, patch);
    if (pendingDelayMs !== undefined) deps.pendingDelay.ms = pendingDelayMs;
    return view();
  });
  app.get("/_standin/stats", { config: { public: true } }, async () => deps.stats);
  app.post("/_standin/stats/reset", { config: { public: true } }, async () => {
    Object.assign(deps.stats, emptyStats());
    return deps.stats;
  });
}
