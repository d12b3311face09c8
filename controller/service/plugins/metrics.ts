/**
 * `GET /metrics` in Prometheus's text format from the app's own registry. Its series name
 * every partner's tenants, so it belongs to the operator: with a scrape token configured
 * (`metrics.token` in the controller config) a scrape must send it as a Bearer token
 * (compared in constant time); without one it is open, and the service must be bound to
 * a private address or the scrape put behind the network's own rules. Before each scrape the queue depth and the lease
 * holders are read from the store, so every replica reports the shared queue as it is.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { unauthorized } from "../errors.js";
import type { ControllerMetrics } from "../metrics.js";
import type { ServiceStore } from "../ports.js";

declare module "fastify" {
  interface FastifyInstance {
    /** The app's metrics observer (give it to the scheduler and the platform client). */
    metrics: ControllerMetrics;
  }
}

/** Options of the metrics plugin. */
export interface MetricsPluginOptions {
  metrics: ControllerMetrics;
  store: ServiceStore;
  /** Reads the scrape token now (an operator secret reference); absent: `/metrics` is open. */
  scrapeToken?: () => Promise<string>;
}

/** A scrape without the configured token. */
export const errMetricsToken = "/metrics needs the operator's scrape token: Authorization: Bearer ...";

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

async function metricsPlugin(app: FastifyInstance, opts: MetricsPluginOptions): Promise<void> {
  app.decorate("metrics", opts.metrics);
  app.get(
    "/metrics",
    {
      config: { public: true, rateLimit: false },
      schema: {
        tags: ["operations"],
        summary: "Prometheus metrics (text exposition format)",
        produces: ["text/plain"],
        response: { 200: { type: "string" } },
      },
    },
    async (request, reply) => {
      if (opts.scrapeToken) {
        const sent = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1] ?? "";
        if (!timingSafeEqual(digest(sent), digest(await opts.scrapeToken())))
          throw unauthorized(errMetricsToken);
      }
      const [depth, leases] = await Promise.all([opts.store.queueDepth(), opts.store.listLeases()]);
      opts.metrics.queueDepth(depth);
      opts.metrics.leaseHolders(leases);
      reply.type(opts.metrics.registry.contentType);
      return opts.metrics.registry.metrics();
    },
  );
}

/** Registers `/metrics` and `app.metrics`. */
export const metricsPluginFp = fp(metricsPlugin, { name: "service-metrics" });
