/**
 * Builds the controller's HTTP API (`omnia serve`, issue 9): plugins in order (errors,
 * auth with the per-token rate limit, docs, metrics, events), the shared schemas, and the
 * routes. `buildApp` does not listen; the `serve` command does, and tests use `app.inject`.
 */

import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import type { SecretReference } from "../model/control.js";
import { dashboardRoutes } from "./dashboard/index.js";
import { type ControllerMetrics, createControllerMetrics } from "./metrics.js";
import { authPluginFp } from "./plugins/auth.js";
import { docsPluginFp, docsUiPlugin } from "./plugins/docs.js";
import { errorsPluginFp } from "./plugins/errors.js";
import { eventsPluginFp } from "./plugins/events.js";
import { metricsPluginFp } from "./plugins/metrics.js";
import type { ServiceDeps } from "./ports.js";
import type { RouteDeps } from "./routes/access.js";
import { healthRoutes } from "./routes/health.js";
import { liveRoutes } from "./routes/live.js";
import { resourceRoutes } from "./routes/resources.js";
import { runRoutes } from "./routes/runs.js";
import { secretRoutes } from "./routes/secrets.js";
import { type SourcePolicyOptions, sourceRoutes } from "./routes/sources.js";
import { tenantRoutes } from "./routes/tenants.js";
import { tokenRoutes } from "./routes/tokens.js";
import { webhookRoutes } from "./routes/webhook.js";
import { sharedSchemas } from "./schemas.js";

/** Options of `buildApp`; every field has a default. */
export interface ServiceOptions {
  /** Clock for events, token use and deliveries. Default: real time. */
  clock?: () => Date;
  /** The metrics observer (create it first to hand it to the scheduler too). Default: a new one. */
  metrics?: ControllerMetrics;
  /** The operator's scrape token of `/metrics` (a reference); absent: `/metrics` is open. */
  metricsToken?: SecretReference;
  /** Requests per token per window. Default 600. */
  rateLimitMax?: number;
  /** Rate limit window (ms). Default 60 000. */
  rateLimitWindowMs?: number;
  /** Event stream: store polling period (ms). Default 1000. */
  eventsPollMs?: number;
  /** Event stream: heartbeat comment period on a quiet stream (ms). Default 15 000. */
  eventsHeartbeatMs?: number;
  /** What a source registered through the API may name (see routes/sources.ts). */
  sourcePolicy?: SourcePolicyOptions;
  /** Trust `X-Forwarded-For` from a proxy in front (Fastify's `trustProxy`). Default false. */
  trustProxy?: boolean | string | string[];
  /** Fastify logger (pino options or false). Default off. */
  logger?: boolean | Record<string, unknown>;
  /** API version shown in the docs. Default "1". */
  version?: string;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route the app serves as `METHOD /path/:param` (HEAD left out), for tests and docs checks. */
    serviceRoutes: string[];
  }
}

/** Builds (and readies) the app without listening. */
export async function buildApp(deps: ServiceDeps, options: ServiceOptions = {}): Promise<FastifyInstance> {
  const clock = options.clock ?? (() => new Date());
  const app = Fastify({
    logger: options.logger ?? false,
    genReqId: () => randomUUID(),
    trustProxy: options.trustProxy ?? false,
    // An unknown field is refused with its name, not silently dropped (Fastify's default).
    ajv: { customOptions: { removeAdditional: false } },
  });
  const serviceRoutes: string[] = [];
  app.decorate("serviceRoutes", serviceRoutes);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat())
      if (method !== "HEAD") serviceRoutes.push(`${method} ${route.url}`);
  });
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", String(request.id));
  });
  for (const schema of sharedSchemas) app.addSchema(schema);

  await app.register(errorsPluginFp);
  await app.register(authPluginFp, {
    store: deps.store,
    clock,
    ...(options.rateLimitMax !== undefined ? { rateLimitMax: options.rateLimitMax } : {}),
    ...(options.rateLimitWindowMs !== undefined ? { rateLimitWindowMs: options.rateLimitWindowMs } : {}),
  });
  await app.register(docsPluginFp, { version: options.version ?? "1" });
  const scrape = options.metricsToken;
  await app.register(metricsPluginFp, {
    metrics: options.metrics ?? createControllerMetrics(),
    store: deps.store,
    ...(scrape ? { scrapeToken: () => deps.resolveSecret(scrape) } : {}),
  });
  await app.register(eventsPluginFp, {
    store: deps.store,
    ...(options.eventsPollMs !== undefined ? { pollMs: options.eventsPollMs } : {}),
    ...(options.eventsHeartbeatMs !== undefined ? { heartbeatMs: options.eventsHeartbeatMs } : {}),
  });

  const routeDeps: RouteDeps & { sourcePolicy?: SourcePolicyOptions } = {
    ...deps,
    clock,
    ...(options.sourcePolicy ? { sourcePolicy: options.sourcePolicy } : {}),
  };
  await app.register(healthRoutes, routeDeps);
  await app.register(sourceRoutes, routeDeps);
  await app.register(tenantRoutes, routeDeps);
  await app.register(runRoutes, routeDeps);
  await app.register(resourceRoutes, routeDeps);
  await app.register(secretRoutes, routeDeps);
  await app.register(liveRoutes, routeDeps);
  await app.register(tokenRoutes, routeDeps);
  await app.register(webhookRoutes, routeDeps);
  await app.register(docsUiPlugin);
  await app.register(dashboardRoutes, { ...routeDeps, eventsPollMs: options.eventsPollMs ?? 1000 });
  await app.ready();
  return app;
}
