/**
 * `/healthz` (the process answers) and `/readyz` (it can serve: `deps.ready()`, e.g. the
 * store is reachable and the scheduler started). Public and not rate limited, for probes.
 */
import type { FastifyInstance } from "fastify";
import { errNotReady, Problem } from "../errors.js";
import { ref } from "../schemas.js";
import type { RouteDeps } from "./access.js";

const okSchema = {
  type: "object",
  properties: { status: { const: "ok" } },
  required: ["status"],
} as const;

/** Registers the health routes. */
export async function healthRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const config = { public: true, rateLimit: false };
  app.get(
    "/healthz",
    { config, schema: { tags: ["operations"], summary: "Liveness", response: { 200: okSchema } } },
    async () => ({ status: "ok" as const }),
  );
  app.get(
    "/readyz",
    {
      config,
      schema: {
        tags: ["operations"],
        summary: "Readiness",
        response: { 200: okSchema, 503: ref("Problem") },
      },
    },
    async (request) => {
      let ready: boolean;
      try {
        ready = deps.ready ? await deps.ready() : true;
      } catch (err) {
        request.log.warn({ err }, "readiness check failed");
        ready = false;
      }
      if (!ready) throw new Problem(503, "not-ready", errNotReady);
      return { status: "ok" as const };
    },
  );
}
